"""boto3 clients with explicit budgets: a caller on the phone waits while we do I/O.

Connect gives a flow-invoked Lambda at most 8 s (our flows give 3 s) and retries errors inside
that window, so each call gets a short connect/read timeout and few retries; a slow DynamoDB costs
a default answer, not silence on the line.

Worst case of one flow call, which `FLOW_CALL_WORST_CASE_SECONDS` states and a test checks:
`total_max_attempts` x (connect + read timeout) + the standard mode's backoff before the one retry
(jittered, at most 1 s). Note botocore's `max_attempts` counts retries, not attempts: 2 there
means three tries, so the budget is spelled with `total_max_attempts`. The backoff is standard
mode's: a random wait of at most `2 ** (attempt - 1)` seconds before each retry
(https://docs.aws.amazon.com/sdkref/latest/guide/feature-retry-behavior.html).

That bounds one call, not an invocation: a function that makes two calls (self-service reads
the appointment, then moves it) could spend two worst cases, more than its 3 s timeout, and be
cut off by Lambda with no answer at all. So inside `time_budget(context)` a flow client refuses
to start a call whose worst case no longer fits the invocation's remaining time
(`OutOfTimeError`), and the function answers its safe default while it still can.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from functools import cache
from typing import Any, Protocol

import boto3
from botocore.config import Config

# DynamoDB answers a GetItem in single-digit milliseconds inside a region: 0.4 s of silence on
# the socket already means something is wrong, and the retry goes to a fresh connection.
FLOW_CALL_CONFIG = Config(
    connect_timeout=0.3,
    read_timeout=0.4,
    retries={"total_max_attempts": 2, "mode": "standard"},
)
FLOW_CALL_WORST_CASE_SECONDS = 2 * (0.3 + 0.4) + 1.0
BACKGROUND_CALL_CONFIG = Config(
    connect_timeout=2,
    read_timeout=5,
    retries={"max_attempts": 5, "mode": "standard"},
)


class OutOfTimeError(Exception):
    """One more flow call might outlast the invocation: answer the safe default instead."""


class RemainingTime(Protocol):
    """What `time_budget` reads of a Lambda context."""

    def get_remaining_time_in_millis(self) -> int: ...


_remaining_ms: ContextVar[Callable[[], int] | None] = ContextVar("remaining_ms", default=None)


@contextmanager
def time_budget(context: RemainingTime) -> Iterator[None]:
    """Inside the block, flow clients start a call only if its worst case fits the time the
    invocation has left."""
    token = _remaining_ms.set(context.get_remaining_time_in_millis)
    try:
        yield
    finally:
        _remaining_ms.reset(token)


def _refuse_without_time(model: Any, **_: Any) -> None:
    """`before-call` of flow clients: once per call, before its first attempt."""
    remaining = _remaining_ms.get()
    if remaining is not None and remaining() < FLOW_CALL_WORST_CASE_SECONDS * 1000:
        raise OutOfTimeError(
            f"{model.name} not started: {remaining()} ms left, a call may take "
            f"{FLOW_CALL_WORST_CASE_SECONDS * 1000:.0f} ms"
        )


@cache
def dynamodb_table(name: str, *, interactive: bool = True) -> Any:
    """A Table resource created once per container and reused across invocations."""
    if interactive:
        resource = boto3.resource("dynamodb", config=FLOW_CALL_CONFIG)
        resource.meta.client.meta.events.register("before-call", _refuse_without_time)
        return resource.Table(name)
    return boto3.resource("dynamodb", config=BACKGROUND_CALL_CONFIG).Table(name)


@cache
def client(service: str, *, interactive: bool = True) -> Any:
    config = FLOW_CALL_CONFIG if interactive else BACKGROUND_CALL_CONFIG
    # The stubs' overloads need a literal service name; callers choose it at run time.
    made = boto3.client(service, config=config)  # type: ignore[call-overload]
    if interactive:
        made.meta.events.register("before-call", _refuse_without_time)
    return made
