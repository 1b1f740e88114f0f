"""The flow interpreter's Lambda registry: flow functions in the local Lambda runtime, with the
environment and the size infra gives them."""

from __future__ import annotations

import os
from typing import Any

from local_connect.flows.lambdas import (
    FLOW_FUNCTION_MEMORY_MB,
    FLOW_FUNCTION_TIMEOUT_SECONDS,
    LambdaRegistry,
)


def test_flow_functions_run_with_the_memory_and_timeout_infra_gives_them() -> None:
    from infra.constructs.functions import FLOW_LAMBDA_MEMORY_MB, FLOW_LAMBDA_TIMEOUT_SECONDS

    assert (FLOW_FUNCTION_MEMORY_MB, FLOW_FUNCTION_TIMEOUT_SECONDS) == (
        FLOW_LAMBDA_MEMORY_MB,
        FLOW_LAMBDA_TIMEOUT_SECONDS,
    )


def test_each_call_has_the_flow_functions_environment_and_its_prints_kept() -> None:
    # Given a registry with the flow functions' environment and a function that reads it
    def echo(event: dict[str, Any], context: Any) -> dict[str, str]:
        print('{"level":"INFO","message":"echoed"}')
        return {"table": os.environ.get("CUSTOMERS_TABLE", ""), "name": context.function_name}

    lambdas = LambdaRegistry({"echo": echo}, environment={"CUSTOMERS_TABLE": "customers-local"})

    # When the flow calls it
    answer, call = lambdas.invoke(
        "echo", {}, time_limit=3, response_type="STRING_MAP", action="a1", function_arn=""
    )

    # Then it saw its environment, which is gone afterwards, and what it printed is on the call
    assert answer == {"table": "customers-local", "name": "echo"}
    assert os.environ.get("CUSTOMERS_TABLE") != "customers-local"
    assert call.error is None and '"echoed"' in call.output


def test_a_name_with_no_handler_module_is_no_function() -> None:
    lambdas = LambdaRegistry()
    assert lambdas.function("crm_lookup") is not None
    assert lambdas.function("no_such_function") is None
    answer, call = lambdas.invoke(
        "no_such_function", {}, time_limit=3, response_type="JSON", action="a1"
    )
    assert answer is None and call.error == "no such function"
