"""crm_lookup through its handler: each channel's identifier, repeat contacts, one DynamoDB call,
and a safe answer for whatever goes wrong (DynamoDB's own faults: test_faults.py)."""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any
from unittest.mock import patch

import pytest
from aws_lambda_powertools.utilities.typing import LambdaContext
from botocore.stub import Stubber

from lambdas.crm_lookup import handler as crm_handler
from tests.lambdas.connect_events import (
    email_contact,
    flow_event,
    log_output,
    realworld_events,
    sms_chat,
    task,
    voice_call,
    web_chat,
)
from tests.lambdas.crm_lookup.conftest import Crm
from tests.lambdas.customers import (
    ADA_PHONE,
    JANE_EMAIL,
    JANE_PHONE,
    LUIS_CHAT,
    LUIS_PHONE,
    SAM_EMAIL,
    UNKNOWN_PHONE,
)

CONTRACT_KEYS = {
    "customerId",
    "firstName",
    "tier",
    "language",
    "openIssue",
    "lastContactChannel",
    "lastContactAt",
    "isRepeatContact",
    "customerFound",
    "lastContactQueue",
}


def test_known_caller_is_recognised_by_caller_id_with_one_getitem(crm: Crm) -> None:
    answer = crm.invoke(voice_call(JANE_PHONE))

    assert answer["customerFound"] == "true"
    assert answer["customerId"] == "c-jane"
    assert (answer["firstName"], answer["tier"], answer["language"]) == ("Jane", "vip", "en")
    assert answer["openIssue"] == "Disputed October bill"
    assert answer["lastContactChannel"] == "EMAIL"
    assert answer["lastContactAt"] == "2026-11-21T19:00:00Z"
    assert answer["lastContactQueue"] == "billing"
    assert answer["identifiedBy"] == "phone"
    assert crm.dynamodb.calls == ["GetItem"]


def test_answer_always_carries_every_contract_key_as_a_string(crm: Crm) -> None:
    for event in (voice_call(JANE_PHONE), voice_call(UNKNOWN_PHONE), {"Details": {}}):
        answer = crm.invoke(event)
        assert set(answer) >= CONTRACT_KEYS
        assert all(isinstance(v, str) for v in answer.values())


def test_unknown_caller_costs_one_getitem_and_is_answered_as_not_found(crm: Crm) -> None:
    answer = crm.invoke(voice_call(UNKNOWN_PHONE))

    assert answer["customerFound"] == "false"
    assert answer["customerId"] == ""
    assert answer["isRepeatContact"] == "false"
    assert answer["lookupStatus"] == "not_found"
    assert crm.dynamodb.calls == ["GetItem"]


def test_caller_id_typed_without_country_code_still_matches(crm: Crm) -> None:
    # Some carriers deliver national format on legacy trunks; normalisation makes it E.164.
    answer = crm.invoke(voice_call("(312) 555-0143"))
    assert answer["customerId"] == "c-jane"


def test_sms_sender_is_recognised_by_phone(crm: Crm) -> None:
    answer = crm.invoke(sms_chat(LUIS_PHONE))

    assert answer["customerId"] == "c-luis"
    assert answer["language"] == "es"
    assert answer["identifiedBy"] == "phone"
    assert crm.dynamodb.calls == ["GetItem"]


def test_email_sender_is_recognised_by_address_whatever_its_case(crm: Crm) -> None:
    answer = crm.invoke(email_contact("Sam Lee <Sam.Lee@Example.org>"))

    assert answer["customerId"] == "c-sam"
    assert answer["identifiedBy"] == "email"
    assert SAM_EMAIL == "sam.lee@example.org"
    assert crm.dynamodb.calls == ["GetItem"]


def test_web_chat_with_several_identifiers_costs_one_batch_round_trip(crm: Crm) -> None:
    # The pre-chat email is unknown, the phone is Jane's: found, in one BatchGetItem.
    answer = crm.invoke(web_chat({"email": "someone.else@example.net", "phone": JANE_PHONE}))

    assert answer["customerId"] == "c-jane"
    assert answer["identifiedBy"] == "phone"
    assert crm.dynamodb.calls == ["BatchGetItem"]


def test_web_chat_found_by_chat_customer_id(crm: Crm) -> None:
    answer = crm.invoke(web_chat({"chatCustomerId": LUIS_CHAT}))
    assert (answer["customerId"], answer["identifiedBy"]) == ("c-luis", "chat")


def test_our_own_customer_id_outranks_a_conflicting_endpoint(crm: Crm) -> None:
    # chat-start and inbound-email set customerId from the profile they resolved.
    answer = crm.invoke(email_contact(JANE_EMAIL, attributes={"customerId": "c-sam"}))

    assert (answer["customerId"], answer["identifiedBy"]) == ("c-sam", "customer_id")
    assert crm.dynamodb.calls == ["BatchGetItem"]


def test_task_is_recognised_by_the_customer_id_attribute(crm: Crm) -> None:
    answer = crm.invoke(task({"customerId": "c-ada"}))

    assert (answer["customerId"], answer["tier"]) == ("c-ada", "medical_priority")
    assert crm.dynamodb.calls == ["GetItem"]


def test_withheld_caller_id_is_unknown_without_any_dynamodb_call(crm: Crm) -> None:
    for withheld in ("anonymous", "+266696687", "+10000000000"):
        answer = crm.invoke(voice_call(withheld))
        assert (answer["customerFound"], answer["lookupStatus"]) == ("false", "no_identifier")
    assert crm.dynamodb.calls == []


def test_unknown_chat_customer_keeps_the_language_they_chose(crm: Crm) -> None:
    answer = crm.invoke(web_chat({"email": "nuevo@example.net", "language": "es-MX"}))
    assert (answer["customerFound"], answer["language"]) == ("false", "es")


def test_contact_within_48_hours_on_another_channel_is_a_repeat(crm: Crm) -> None:
    # Jane emailed 20 h ago and now calls; Sam called 47 h ago and now emails.
    assert crm.invoke(voice_call(JANE_PHONE))["isRepeatContact"] == "true"
    assert crm.invoke(email_contact(SAM_EMAIL))["isRepeatContact"] == "true"


def test_contact_after_the_window_or_without_history_is_not_a_repeat(crm: Crm) -> None:
    assert crm.invoke(voice_call(LUIS_PHONE))["isRepeatContact"] == "false"  # 10 days ago
    assert crm.invoke(voice_call(ADA_PHONE))["isRepeatContact"] == "false"  # never


def test_the_same_contact_after_a_transfer_is_not_its_own_repeat(crm: Crm) -> None:
    # Analytics recorded Jane's email contact k-jane-1; a transfer of that contact is no repeat.
    event = flow_event(
        channel="EMAIL",
        customer=JANE_EMAIL,
        customer_type="EMAIL_ADDRESS",
        contact_id="k-jane-2",
        initial_contact_id="k-jane-1",
        initiation_method="TRANSFER",
    )
    assert crm.invoke(event)["isRepeatContact"] == "false"


def test_unprocessed_batch_keys_with_no_hit_answer_fallback(crm: Crm) -> None:
    client = crm_handler.runtime().profiles.table.meta.client
    with Stubber(client) as stubber:
        stubber.add_response(
            "batch_get_item",
            {
                "Responses": {"customers": []},
                "UnprocessedKeys": {
                    "customers": {"Keys": [{"pk": {"S": "ID#email#x@example.com"}}]}
                },
            },
        )
        answer = crm.invoke(web_chat({"email": "x@example.com", "phone": JANE_PHONE}))
    assert answer["lookupStatus"] == "fallback"


@pytest.mark.parametrize(
    "event",
    [None, "", "ContactFlowEvent", 42, [], {}, {"Details": None}, {"Details": "x"}, {"Name": "x"}],
)
def test_malformed_events_answer_unknown_customer(crm: Crm, event: Any) -> None:
    answer = crm.invoke(event)
    assert answer["customerFound"] == "false"
    assert answer["lookupStatus"] == "fallback"
    assert crm.dynamodb.calls == []


def test_every_realworld_event_gets_a_flat_string_answer(crm: Crm, realworld_dir: Path) -> None:
    events = realworld_events(realworld_dir)
    assert len(events) >= 10
    for name, event in events:
        answer = crm.invoke(event)
        assert answer and all(
            isinstance(k, str) and isinstance(v, str) for k, v in answer.items()
        ), name
        assert answer["customerFound"] == "false", name  # none of them is one of our customers
    # Powertools' full sample is a voice call from +11234567890: looked up, not found.
    assert (
        crm.invoke(dict(events)["powertools_connectContactFlowEventAll.json"])["lookupStatus"]
        == "not_found"
    )


def test_logs_and_metrics_never_hold_a_whole_phone_number_or_email(
    crm: Crm, capsys: pytest.CaptureFixture[str]
) -> None:
    with log_output(crm_handler.logger) as logs:
        crm.invoke(web_chat({"email": JANE_EMAIL, "phone": JANE_PHONE}))
        crm.invoke(voice_call("not a number +13125550143"))
    out = logs.getvalue() + capsys.readouterr().out

    assert JANE_PHONE not in out and JANE_EMAIL not in out
    lookup = next(json.loads(line) for line in out.splitlines() if '"customer lookup"' in line)
    assert set(lookup["candidates"]) == {"+1*******143", "j***@example.com"}
    assert lookup["contact_id"] == "c0ffee00-0000-4000-8000-000000000001"


def test_metrics_count_lookups_hits_and_fallbacks(
    crm: Crm, capsys: pytest.CaptureFixture[str]
) -> None:
    crm.invoke(voice_call(JANE_PHONE))
    crm.invoke({"Details": None})
    emitted = [
        json.loads(line) for line in capsys.readouterr().out.splitlines() if '"_aws"' in line
    ]
    names = [{m["Name"] for m in doc["_aws"]["CloudWatchMetrics"][0]["Metrics"]} for doc in emitted]
    assert {"CustomerLookups", "CustomerFound", "RepeatContacts"} <= names[0]
    assert names[1] == {"FlowFallbacks"}
    assert emitted[1]["fallbackReason"] == "malformed_event"


def test_settings_come_from_the_environment_once_per_container(
    repository: Any, monkeypatch: pytest.MonkeyPatch, lambda_context: LambdaContext
) -> None:
    monkeypatch.setenv("CUSTOMERS_TABLE", "customers")
    monkeypatch.setenv("REPEAT_WINDOW_HOURS", "12")
    crm_handler.runtime.cache_clear()
    try:
        answer = crm_handler.handler(voice_call(JANE_PHONE), lambda_context)
        assert crm_handler.runtime() is crm_handler.runtime()
        assert crm_handler.runtime().repeat_window.total_seconds() == 12 * 3600
    finally:
        crm_handler.runtime.cache_clear()
    assert answer["customerId"] == "c-jane"


def test_missing_settings_answer_unknown_customer(
    monkeypatch: pytest.MonkeyPatch, lambda_context: LambdaContext
) -> None:
    monkeypatch.delenv("CUSTOMERS_TABLE", raising=False)
    crm_handler.runtime.cache_clear()
    try:
        answer = crm_handler.handler(voice_call(JANE_PHONE), lambda_context)
    finally:
        crm_handler.runtime.cache_clear()
    assert (answer["customerFound"], answer["lookupStatus"]) == ("false", "fallback")


def test_broken_settings_are_logged_by_variable_name_never_with_the_environment(
    capsys: pytest.CaptureFixture[str],
    lambda_context: LambdaContext,
) -> None:
    # Given Lambda's environment, its credentials first, without CUSTOMERS_TABLE
    secret = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"
    environment = {
        "AWS_SECRET_ACCESS_KEY": secret,
        **{
            k: v
            for k, v in os.environ.items()
            if k not in ("AWS_SECRET_ACCESS_KEY", "CUSTOMERS_TABLE")
        },
        "AWS_SESSION_TOKEN": secret,
    }
    crm_handler.runtime.cache_clear()
    try:
        with (
            patch.dict(os.environ, environment, clear=True),
            log_output(crm_handler.logger) as logs,
        ):
            # When a call comes in
            answer = crm_handler.handler(voice_call(JANE_PHONE), lambda_context)
    finally:
        crm_handler.runtime.cache_clear()

    # Then the caller is unknown, and the log names the variable, never the environment
    assert answer["lookupStatus"] == "fallback"
    out = logs.getvalue() + capsys.readouterr().out
    fallback = next(json.loads(line) for line in out.splitlines() if "safe default" in line)
    assert fallback["fallback_reason"] == "invalid_settings"
    assert fallback["error"] == (
        "RepeatContactSettings: invalid environment: CUSTOMERS_TABLE (missing)"
    )
    assert secret[:6] not in out and "input_value" not in out
