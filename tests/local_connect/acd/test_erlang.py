"""Erlang B, C and A from the formulas: textbook values, stability at scale, internal consistency."""

from __future__ import annotations

import math

import pytest

from local_connect.acd.erlang import (
    agents_for_service_level,
    erlang_a,
    erlang_b,
    erlang_c,
    erlang_c_asa,
    erlang_c_service_level,
)


def test_erlang_b_and_c_match_textbook_values() -> None:
    # 8 erlangs on 10 agents: blocking 0.1217, probability of waiting 0.4092 (standard tables).
    assert erlang_b(10, 8.0) == pytest.approx(0.12166, abs=1e-5)
    assert erlang_c(10, 8.0) == pytest.approx(0.40918, abs=1e-5)
    # One agent: M/M/1 waits with probability rho.
    assert erlang_c(1, 0.7) == pytest.approx(0.7)
    # Two agents at one erlang: 1/3, from the closed form 2 rho^2 / (1 + rho) with rho = 1/2.
    assert erlang_c(2, 1.0) == pytest.approx(1 / 3)


def test_asa_is_probability_of_waiting_times_mean_wait_of_those_who_wait() -> None:
    servers, arrival_rate, handle = 12, 10 / 180, 180.0
    load = arrival_rate * handle
    expected = erlang_c(servers, load) * handle / (servers - load)
    assert erlang_c_asa(servers, arrival_rate, handle) == pytest.approx(expected)
    assert erlang_c_asa(10, 11 / 180, 180.0) == math.inf  # overloaded: the queue grows forever


def test_formulas_stay_finite_where_factorials_overflow() -> None:
    # a^c / c! overflows a float near a = 170; the recursion never forms it.
    waits = erlang_c(2000, 1900.0)
    assert 0.0 < waits < 1.0
    assert erlang_b(5000, 4000.0) == pytest.approx(erlang_b(5000, 4000.0))
    assert 0.0 < erlang_a(1500, 1400 / 300, 300.0, 200.0).abandon_probability < 1.0


def test_service_level_rises_with_agents_and_sizing_meets_target() -> None:
    rate, handle = 100 / 1800, 240.0
    levels = [erlang_c_service_level(n, rate, handle, 20) for n in range(14, 20)]
    assert levels == sorted(levels)
    needed = agents_for_service_level(rate, handle, target=0.8, threshold=20)
    assert erlang_c_service_level(needed, rate, handle, 20) >= 0.8
    assert erlang_c_service_level(needed - 1, rate, handle, 20) < 0.8


def test_erlang_a_tends_to_erlang_c_when_nobody_leaves() -> None:
    patient = erlang_a(10, 8 / 180, 180.0, mean_patience=1e9)
    assert patient.wait_probability == pytest.approx(erlang_c(10, 8.0), rel=1e-6)
    assert patient.mean_wait == pytest.approx(erlang_c_asa(10, 8 / 180, 180.0), rel=1e-5)
    assert patient.abandon_probability < 1e-6


def test_erlang_a_conserves_flow_even_when_overloaded() -> None:
    # Arrivals that do not abandon are served: lambda (1 - P(ab)) = mu * E[busy agents].
    servers, rate, handle, patience = 8, 12 / 300, 300.0, 120.0
    model = erlang_a(servers, rate, handle, patience)
    assert 0.0 < model.abandon_probability < 1.0
    # Little's law on the queue: E[Lq] = lambda * E[W].
    assert model.mean_queue_length == pytest.approx(rate * model.mean_wait)
    # Abandonment with patience theta: rate theta * E[Lq] equals lambda * P(ab).
    assert model.abandon_probability * rate == pytest.approx(model.mean_queue_length / patience)
