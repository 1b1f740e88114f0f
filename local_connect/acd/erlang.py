"""Queueing theory the rehearsal is checked against: Erlang B, Erlang C and Erlang A.

Written from the formulas, not from a library, so the tests compare the simulator with an
independent answer. Notation: `servers` agents (c), `arrival_rate` contacts per second
(lambda), `mean_handle` seconds per contact (1/mu), offered load a = lambda / mu in erlangs.

Numerical stability: the textbook Erlang C formula divides sums of a^k / k!, which overflow a
float near a = 170. Erlang B has a recursion that never forms those terms,
B(0) = 1, B(k) = a B(k-1) / (k + a B(k-1)), and Erlang C follows from it:
C = c B / (c - a (1 - B)). Erlang A (M/M/c+M, exponential patience) is solved as the
birth-death chain it is, with the stationary probabilities kept in log space.
"""

from __future__ import annotations

import math
from dataclasses import dataclass


def offered_load(arrival_rate: float, mean_handle: float) -> float:
    """Erlangs: the average number of agents the traffic would keep busy."""
    return arrival_rate * mean_handle


def erlang_b(servers: int, load: float) -> float:
    """Blocking probability of M/M/c/c (loss system), by the stable recursion."""
    if servers < 0 or load < 0:
        raise ValueError("servers and load must be non-negative")
    blocking = 1.0
    for k in range(1, servers + 1):
        blocking = load * blocking / (k + load * blocking)
    return blocking


def erlang_c(servers: int, load: float) -> float:
    """Probability that an arriving contact waits (M/M/c, no abandonment). 1.0 when overloaded."""
    if servers <= 0:
        raise ValueError("servers must be positive")
    if load >= servers:
        return 1.0
    blocking = erlang_b(servers, load)
    return servers * blocking / (servers - load * (1.0 - blocking))


def erlang_c_asa(servers: int, arrival_rate: float, mean_handle: float) -> float:
    """Average speed of answer (mean wait over all contacts) of M/M/c, in seconds."""
    load = offered_load(arrival_rate, mean_handle)
    if load >= servers:
        return math.inf
    return erlang_c(servers, load) * mean_handle / (servers - load)


def erlang_c_service_level(
    servers: int, arrival_rate: float, mean_handle: float, threshold: float
) -> float:
    """Share of contacts answered within `threshold` seconds (M/M/c)."""
    load = offered_load(arrival_rate, mean_handle)
    if load >= servers:
        return 0.0
    waits = erlang_c(servers, load)
    return 1.0 - waits * math.exp(-(servers - load) * threshold / mean_handle)


def agents_for_service_level(
    arrival_rate: float, mean_handle: float, target: float, threshold: float
) -> int:
    """Fewest agents meeting `target` service level within `threshold` seconds (Erlang C)."""
    servers = max(1, math.floor(offered_load(arrival_rate, mean_handle)) + 1)
    while erlang_c_service_level(servers, arrival_rate, mean_handle, threshold) < target:
        servers += 1
    return servers


@dataclass(frozen=True)
class ErlangA:
    """Steady-state answers of M/M/c+M (Palm's model with exponential patience)."""

    wait_probability: float
    abandon_probability: float
    mean_wait: float  # over all arrivals, served or not
    mean_queue_length: float


def erlang_a(
    servers: int, arrival_rate: float, mean_handle: float, mean_patience: float
) -> ErlangA:
    """Erlang A by solving the birth-death chain of queue states.

    State n = contacts in the system. Births at rate lambda; deaths at n mu while n <= c, and
    c mu + (n - c) theta above (theta = 1 / mean patience: each waiting customer leaves at that
    rate). The chain is always stable when theta > 0; it is truncated where the remaining
    probability is below 1e-16 of the mass seen so far.
    """
    if servers <= 0 or arrival_rate <= 0 or mean_handle <= 0 or mean_patience <= 0:
        raise ValueError("servers, arrival rate, handle time and patience must be positive")
    mu = 1.0 / mean_handle
    theta = 1.0 / mean_patience
    log_terms = [0.0]
    peak = 0.0
    n = 0
    while True:
        n += 1
        death = n * mu if n <= servers else servers * mu + (n - servers) * theta
        log_terms.append(log_terms[-1] + math.log(arrival_rate) - math.log(death))
        peak = max(peak, log_terms[-1])
        # Past the peak the terms fall geometrically: e^-40 of the peak is below float noise.
        if n > servers and death > arrival_rate and log_terms[-1] < peak - 40.0:
            break
    weights = [math.exp(value - peak) for value in log_terms]
    total = math.fsum(weights)
    probabilities = [weight / total for weight in weights]
    wait = math.fsum(probabilities[servers:])
    queue_length = math.fsum((k - servers) * p for k, p in enumerate(probabilities) if k > servers)
    return ErlangA(
        wait_probability=wait,
        abandon_probability=theta * queue_length / arrival_rate,
        mean_wait=queue_length / arrival_rate,
        mean_queue_length=queue_length,
    )
