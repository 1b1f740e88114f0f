"""The DynamoDB faults every flow-invoked function must answer through, built in one place.

Each fault answers every attempt (`ALWAYS`), so botocore's retries and backoff are spent in
full on the fake clock; a function passes if it answers its safe default before its timeout.
"""

from __future__ import annotations

from infra.constructs.functions import FLOW_LAMBDA_TIMEOUT_SECONDS
from lambdas.common.aws import FLOW_CALL_CONFIG
from local_connect.emulation.faults import (
    FakeClock,
    Fault,
    connect_timeout,
    read_timeout,
    service_error,
)
from local_connect.runtime.lambda_runtime import LocalLambdaContext

# Connect waits at most 8 s for any Lambda; ours are given less (the flows' block limit).
CONNECT_LIMIT_SECONDS = 8
DYNAMODB_FAULTS: dict[str, Fault] = {
    "throughput-exceeded": service_error("ProvisionedThroughputExceededException"),
    "throttling": service_error("ThrottlingException"),
    "internal-error-500": service_error("InternalServerError", status=500),
    "unavailable-503": service_error("ServiceUnavailable", status=503),
    # A slow DynamoDB: every attempt silent for the whole read timeout, eating the budget.
    "read-timeout": read_timeout(after=FLOW_CALL_CONFIG.read_timeout),
    "connect-timeout": connect_timeout(after=FLOW_CALL_CONFIG.connect_timeout),
}


def flow_context(clock: FakeClock, name: str = "flow-function") -> LocalLambdaContext:
    """The context of a flow function deployed with its timeout, aging on `clock`."""
    return LocalLambdaContext(name, timeout_seconds=FLOW_LAMBDA_TIMEOUT_SECONDS, timer=clock)


def answered_in_time(context: LocalLambdaContext, clock: FakeClock) -> bool:
    """Before the function's timeout (so Lambda never cut it off) and Connect's limit."""
    return context.get_remaining_time_in_millis() > 0 and clock() < CONNECT_LIMIT_SECONDS
