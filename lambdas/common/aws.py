"""boto3 clients with explicit budgets: a caller on the phone waits while we do I/O.

Connect gives a flow-invoked Lambda at most 8 s and retries errors inside that window, so each
call gets a short connect/read timeout and few retries; a slow DynamoDB costs a default answer,
not silence on the line.
"""

from __future__ import annotations

from functools import cache
from typing import Any

import boto3
from botocore.config import Config

FLOW_CALL_CONFIG = Config(
    connect_timeout=1,
    read_timeout=1,
    retries={"max_attempts": 2, "mode": "standard"},
)
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
