"""The local Lambda runtime: context, environment, cold start, captured logs, API Gateway events."""

from __future__ import annotations

import io
import json
import logging
import os
import sys
from collections.abc import Iterator
from typing import Any

import pytest
from aws_lambda_powertools.event_handler import APIGatewayRestResolver
from aws_lambda_powertools.utilities.data_classes import APIGatewayProxyEvent
from aws_lambda_powertools.utilities.typing import LambdaContext
from moto import mock_aws

from local_connect.runtime.lambda_runtime import (
    LocalLambda,
    LocalLambdaContext,
    api_gateway_event,
    readable_output,
)
from local_connect.runtime.local_aws import LOCAL_ACCOUNT_ID, LOCAL_REGION
from tests.lambdas.connect_events import voice_call

SAMPLE = "tests.local_connect.runtime.sample_function.handler"
SAMPLE_ENVIRONMENT = {
    "GREETING": "hello",
    "POWERTOOLS_SERVICE_NAME": "runtime-sample",
    "POWERTOOLS_LOG_LEVEL": "INFO",
    "POWERTOOLS_METRICS_NAMESPACE": "RuntimeTests",
}


@pytest.fixture()
def sample() -> Iterator[LocalLambda]:
    """The sample function, its module not imported yet (as in a new Lambda environment)."""
    sys.modules.pop(SAMPLE, None)
    function = LocalLambda(SAMPLE, SAMPLE_ENVIRONMENT, name="sample", memory_mb=256)
    yield function
    function.cold_start()
    sys.modules.pop(SAMPLE, None)


def test_the_context_is_shaped_like_lambdas_with_a_request_id_per_invocation() -> None:
    # Given a function with a 3 s timeout on a clock we move by hand
    now = [100.0]
    function = LocalLambda(
        lambda event, context: context, name="orders", memory_mb=512, timer=lambda: now[0]
    )

    # When it is invoked twice
    first, second = function.invoke({}).result(), function.invoke({}).result()

    # Then each context is a Powertools LambdaContext naming the function in the local account
    assert isinstance(first, LambdaContext)
    assert first.function_name == "orders" and first.function_version == "$LATEST"
    assert first.memory_limit_in_mb == 512
    assert first.invoked_function_arn == (
        f"arn:aws:lambda:{LOCAL_REGION}:{LOCAL_ACCOUNT_ID}:function:orders"
    )
    assert first.log_group_name == "/aws/lambda/orders"
    assert "[$LATEST]" in first.log_stream_name
    assert first.log_stream_name == second.log_stream_name  # one container
    assert first.aws_request_id != second.aws_request_id  # one id per invocation
    # And the remaining time counts down from the timeout
    assert first.get_remaining_time_in_millis() == 3000
    now[0] += 1.25
    assert first.get_remaining_time_in_millis() == 1750
    now[0] += 5
    assert first.get_remaining_time_in_millis() == 0


def test_a_context_made_alone_has_lambdas_defaults() -> None:
    context = LocalLambdaContext("notify", timeout_seconds=30)
    assert context.invoked_function_arn.endswith(":function:notify")
    assert context.memory_limit_in_mb == 128
    assert 29_000 < context.get_remaining_time_in_millis() <= 30_000


def test_the_environment_is_the_functions_during_the_invocation_and_put_back_after(
    sample: LocalLambda, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("GREETING", "the shell's")
    before = dict(os.environ)
    answer = sample.invoke({"show": ["GREETING", "AWS_REGION", "AWS_LAMBDA_FUNCTION_NAME"]})
    assert answer.result()["variables"] == {
        "GREETING": "hello",
        "AWS_REGION": LOCAL_REGION,
        "AWS_LAMBDA_FUNCTION_NAME": "sample",
    }
    assert dict(os.environ) == before  # what the handler set is gone too


def test_the_environment_is_put_back_when_the_handler_raises(sample: LocalLambda) -> None:
    before = dict(os.environ)
    failed = sample.invoke({"fail": True})
    assert isinstance(failed.error, RuntimeError) and failed.answer is None
    with pytest.raises(RuntimeError, match="asked to fail"):
        failed.result()
    assert dict(os.environ) == before


def test_a_function_called_from_inside_another_sees_only_its_own_variables() -> None:
    inner = LocalLambda(
        lambda event, context: {name: os.environ.get(name) for name in ("OUTER", "INNER")},
        {"INNER": "inner"},
        name="inner",
    )
    outer = LocalLambda(lambda event, context: inner.invoke({}).result(), {"OUTER": "outer"})
    assert outer.invoke({}).result() == {"OUTER": None, "INNER": "inner"}


def test_the_module_is_imported_once_inside_the_functions_environment(
    sample: LocalLambda,
) -> None:
    # Given a function not invoked yet: its module is not imported
    assert SAMPLE not in sys.modules

    # When it is invoked twice
    sample.invoke({})
    module = sys.modules[SAMPLE]
    sample.invoke({})

    # Then Powertools read the function's settings at import, as in Lambda, and once
    assert sys.modules[SAMPLE] is module
    assert module.logger.service == "runtime-sample"
    assert module.metrics.namespace == "RuntimeTests"


def test_a_warm_container_keeps_its_settings_and_a_cold_start_reads_them_again(
    sample: LocalLambda,
) -> None:
    assert sample.invoke({}).result()["greeting"] == "hello"

    sample.environment["GREETING"] = "bonjour"
    assert sample.invoke({}).result()["greeting"] == "hello"  # cached for the container

    sample.cold_start()
    assert sample.invoke({}).result()["greeting"] == "bonjour"


def test_a_cold_start_clears_the_handlers_and_the_shared_codes_caches() -> None:
    from lambdas.common import aws
    from lambdas.crm_lookup import handler

    # Given crm_lookup after a call (no table: it answers "unknown customer"), and a client of
    # the shared code made meanwhile
    function = LocalLambda("lambdas.crm_lookup.handler", {"CUSTOMERS_TABLE": "customers"})
    with mock_aws():
        function.invoke(voice_call("+13125550100"))
    aws.client("dynamodb")
    assert handler.runtime.cache_info().currsize == aws.client.cache_info().currsize == 1

    # When it starts cold, Then both its own and the shared code's caches are empty
    function.cold_start()
    assert handler.runtime.cache_info().currsize == 0
    assert aws.client.cache_info().currsize == 0


def test_a_module_that_cannot_be_imported_is_a_failed_invocation() -> None:
    ran = LocalLambda("tests.local_connect.runtime.no_such_function.handler").invoke({})
    assert isinstance(ran.error, ModuleNotFoundError)


def test_logs_and_metrics_are_captured_per_invocation_not_printed(
    sample: LocalLambda, capsys: pytest.CaptureFixture[str]
) -> None:
    first = sample.invoke({"who": "ana"})
    second = sample.invoke({"who": "ben"})

    assert capsys.readouterr().out == ""
    logs = [json.loads(line) for line in first.output.splitlines() if line.startswith('{"level')]
    assert [log["message"] for log in logs] == ["greeting", "a warning"]
    assert logs[0]["who"] == "ana" and logs[0]["function_request_id"] == first.request_id
    assert '"who":"ben"' in second.output and '"who":"ana"' not in second.output
    assert first.readable_output() == [
        "info: greeting",
        "warning: a warning",
        "a plain print",
        "metric Greeted = 1",
    ]


def test_logs_are_captured_when_the_stream_the_logger_found_at_import_is_closed(
    sample: LocalLambda,
) -> None:
    # Given a logger whose handler kept a stream closed since (a test's captured stdout)
    sample.invoke({})
    handler = sys.modules[SAMPLE].logger.registered_handler
    closed = io.StringIO()
    closed.close()
    handler.stream = closed

    # When the function runs, Then its logs are captured and the handler is left as it was
    assert "warning: a warning" in sample.invoke({}).readable_output()
    assert handler.stream is closed


def test_the_log_level_is_the_functions_for_each_invocation_and_put_back(
    sample: LocalLambda,
) -> None:
    sample.invoke({})
    logger = sys.modules[SAMPLE].logger
    logger.setLevel("DEBUG")  # as another function sharing the service name might leave it

    quiet = LocalLambda(SAMPLE, {**SAMPLE_ENVIRONMENT, "POWERTOOLS_LOG_LEVEL": "WARNING"})
    ran = quiet.invoke({})

    assert ran.readable_output() == ["warning: a warning", "a plain print", "metric Greeted = 1"]
    assert logger.log_level == logging.DEBUG


def test_the_api_gateway_event_is_what_powertools_reads() -> None:
    event = api_gateway_event(
        "POST",
        "/chats",
        headers={"Origin": "https://example.org", "Content-Type": "application/json"},
        body=json.dumps({"name": "Ana"}),
    )

    parsed = APIGatewayProxyEvent(event)
    assert (parsed.http_method, parsed.path, parsed.resource) == ("POST", "/chats", "/chats")
    assert parsed.headers["Origin"] == "https://example.org"
    assert parsed.json_body == {"name": "Ana"}
    assert parsed.request_context.stage == "v1"
    assert parsed.request_context.account_id == LOCAL_ACCOUNT_ID

    app = APIGatewayRestResolver()

    @app.post("/chats")
    def start() -> dict[str, Any]:
        return {"hello": app.current_event.json_body["name"]}

    answer = LocalLambda(app.resolve).invoke(event).result()
    assert answer["statusCode"] == 200 and json.loads(answer["body"]) == {"hello": "Ana"}


def test_the_readable_form_of_what_handlers_print() -> None:
    printed = "\n".join(
        [
            '{"_aws":{"Timestamp":1796193886583,"CloudWatchMetrics":[{"Namespace":"Local",'
            '"Dimensions":[["service"]],"Metrics":[{"Name":"ChatStarted","Unit":"Count"},'
            '{"Name":"SmsSpendUsd","Unit":"None"}]}]},"service":"chat-start-local",'
            '"ChatStarted":[1.0],"SmsSpendUsd":[0.0075, 0.5]}',
            '{"level":"WARNING","location":"handler:81","message":"customer table unavailable"}',
            "",
            "a plain print",
        ]
    )

    assert readable_output(printed) == [
        "metric ChatStarted = 1",
        "metric SmsSpendUsd = 0.0075, 0.5",
        "warning: customer table unavailable",
        "a plain print",
    ]
