"""boto3 clients with explicit budgets: a caller on the phone waits while we do I/O.

Connect gives a flow-invoked Lambda at most 8 s (our flows give 3 s) and retries errors inside
that window, so each call gets a short connect/read timeout and few retries; a slow DynamoDB costs
a default answer, not silence on the line.

Worst case of one flow call, which `FLOW_CALL_WORST_CASE_SECONDS` states and a test checks:
`total_max_attempts` x (connect + read timeout) + the standard mode's backoff before the one retry
(jittered, at most 1 s). Note botocore's `max_attempts` counts retries, not attempts: 2 there
means three tries, so the budget is spelled with `total_max_attempts`.
"""

from __future__ import annotations

from functools import cache
from typing import Any

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


@cache
def dynamodb_table(name: str, *, interactive: bool = True) -> Any:
    """A Table resource created once per container and reused across invocations."""
    config = FLOW_CALL_CONFIG if interactive else BACKGROUND_CALL_CONFIG
    return boto3.resource("dynamodb", config=config).Table(name)


@cache
def client(service: str, *, interactive: bool = True) -> Any:
    config = FLOW_CALL_CONFIG if interactive else BACKGROUND_CALL_CONFIG
    # The stubs' overloads need a literal service name; callers choose it at run time.
    return boto3.client(service, config=config)  # type: ignore[call-overload]
