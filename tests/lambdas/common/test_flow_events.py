"""Reading Connect's flow events and answering them: tolerant parsing, flat answers, safe defaults."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from aws_lambda_powertools import Logger, Metrics
from aws_lambda_powertools.utilities.typing import LambdaContext
from botocore.exceptions import ClientError, ConnectTimeoutError, ReadTimeoutError
from hypothesis import given
from hypothesis import strategies as st

from lambdas.common.flow_events import (
    MAX_ANSWER_BYTES,
    MalformedFlowEventError,
    fallback_reason,
    flat_answer,
    loggable_error,
    parse_flow_event,
    safe_flow_answer,
)
from lambdas.common.settings import RepeatContactSettings, SettingsError
from tests.lambdas.connect_events import (
    email_contact,
    realworld_events,
    sms_chat,
    task,
    voice_call,
)


def test_voice_event_is_read_into_the_request_model() -> None:
    event = voice_call(
        "+13125550143",
        attributes={"intent": "billing", "retries": 2, "vip": True},
        parameters={"intent": "outage"},
    )
    request = parse_flow_event(event)

    assert request.channel == "VOICE"
    assert request.customer_endpoint is not None
    assert (request.customer_endpoint.address, request.customer_endpoint.type) == (
        "+13125550143",
        "TELEPHONE_NUMBER",
    )
    assert request.attributes == {"intent": "billing", "retries": "2", "vip": "true"}
    assert request.value("intent") == "outage"  # the block's parameter wins


def test_channels_and_endpoints_powertools_enums_do_not_know_are_read() -> None:
    # Powertools' enums: Channel VOICE/CHAT, endpoint TELEPHONE_NUMBER only.
    email = parse_flow_event(email_contact("sam.lee@example.org"))
    assert email.channel == "EMAIL"
    assert email.customer_endpoint is not None
    assert email.customer_endpoint.type == "EMAIL_ADDRESS"
    assert parse_flow_event(task({})).channel == "TASK"
    sms = parse_flow_event(sms_chat("+17735550188"))
    assert (sms.channel, sms.subtype) == ("CHAT", "connect:SMS")


def test_every_realworld_event_parses_or_is_refused_as_not_a_flow_event(
    realworld_dir: Path,
) -> None:
    for name, event in realworld_events(realworld_dir):
        request = parse_flow_event(event)
        assert request.channel in {"VOICE", "CHAT", "TASK", "EMAIL", "UNKNOWN"}, name
    events = dict(realworld_events(realworld_dir))
    full = parse_flow_event(events["powertools_connectContactFlowEventAll.json"])
    assert full.queue_name == "QueueOne"
    assert full.parameters == {"ParameterOne": "One", "ParameterTwo": "Two"}
    minimal = parse_flow_event(events["powertools_connectContactFlowEventMin.json"])
    assert minimal.customer_endpoint is None and minimal.queue_name == ""
    # Salesforce's samples carry only Parameters; numbers among attributes become strings.
    assert parse_flow_event(events["salesforce-lambda_event-lookup.json"]).contact_id == ""
    processing = parse_flow_event(events["salesforce-scv_ddr_target_processing_event.json"])
    assert processing.attributes["remaining_targets"] == "1"


@pytest.mark.parametrize("event", [None, 1, "x", [], {}, {"Details": []}, {"Details": "x"}])
def test_events_without_details_are_refused(event: Any) -> None:
    with pytest.raises(MalformedFlowEventError):
        parse_flow_event(event)


def test_nested_attribute_values_are_dropped_and_long_ones_cut() -> None:
    event = voice_call("+13125550143", attributes={"nested": {"a": 1}, "long": "x" * 5000})
    request = parse_flow_event(event)
    assert "nested" not in request.attributes
    assert len(request.attributes["long"]) == 1024


def test_flat_answer_is_what_string_map_validation_accepts() -> None:
    answer = flat_answer({"found": True, "n": 3, "none": None, "nested": {"x": 1}, 7: "seven"})
    assert answer == {"found": "true", "n": "3", "none": "", "7": "seven"}


@given(st.dictionaries(st.text(), st.text(max_size=3000), max_size=40))
def test_flat_answer_always_fits_connects_32_kb(values: dict[str, str]) -> None:
    answer = flat_answer(values)
    assert len(json.dumps(answer).encode()) <= MAX_ANSWER_BYTES
    assert all(isinstance(k, str) and isinstance(v, str) for k, v in answer.items())


@pytest.mark.parametrize(
    ("error", "reason"),
    [
        (MalformedFlowEventError("x"), "malformed_event"),
        (ClientError({"Error": {"Code": "ThrottlingException"}}, "GetItem"), "throttled"),
        (
            ClientError({"Error": {"Code": "ProvisionedThroughputExceededException"}}, "GetItem"),
            "throttled",
        ),
        (ClientError({"Error": {"Code": "AccessDeniedException"}}, "GetItem"), "aws_error"),
        (ReadTimeoutError(endpoint_url="https://x"), "timeout"),
        (ConnectTimeoutError(endpoint_url="https://x"), "timeout"),
        (KeyError("x"), "unexpected_error"),
    ],
)
def test_fallback_reasons_name_the_failure(error: Exception, reason: str) -> None:
    assert fallback_reason(error) == reason


def test_broken_settings_are_a_fallback_reason_of_their_own() -> None:
    with pytest.raises(SettingsError) as raised:
        RepeatContactSettings.from_environ({})
    assert fallback_reason(raised.value) == "invalid_settings"


def test_a_failing_safe_default_still_answers_the_last_resort(
    lambda_context: LambdaContext,
) -> None:
    def broken_default() -> dict[str, str]:
        raise RuntimeError("settings unreadable")

    @safe_flow_answer(
        broken_default, last_resort={"ok": "no"}, logger=Logger(service="t"), metrics=Metrics()
    )
    def handler(event: Any, context: Any) -> dict[str, str]:
        raise ValueError("boom +13125550143")

    assert handler({}, lambda_context) == {"ok": "no"}


def test_validation_errors_are_logged_by_field_names_and_types_never_their_input() -> None:
    # Given a validation error over input holding a secret and a phone number
    secret = "canary-secret-123"
    try:
        RepeatContactSettings.model_validate(
            {"AWS_SECRET_ACCESS_KEY": secret, "REPEAT_WINDOW_HOURS": "call +13125550143"}
        )
    except ValueError as error:
        logged = loggable_error(error)
    # Then the log text names the fields and what is wrong with them, and nothing they held
    assert logged == (
        "ValidationError: CUSTOMERS_TABLE (missing), REPEAT_WINDOW_HOURS (int_parsing)"
    )
    # while other errors keep their text, masked
    masked = loggable_error(ValueError("no route for +13125550143"))
    assert masked.startswith("no route for +1") and "5550143" not in masked
