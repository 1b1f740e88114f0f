"""POST /chats end to end through the real handler: validation, profiles, CORS, errors, attributes."""

from __future__ import annotations

import json
from typing import Any

import boto3
import pytest

from lambdas.common.identity import IdentifierKind
from lambdas.common.profiles import CustomerProfile, Identifier, ProfileRepository
from lambdas.common.settings import SettingsError
from local_connect.runtime.lambda_runtime import LocalLambdaContext
from tests.lambdas.chat_start.conftest import (
    FLOW_ID,
    INSTANCE_ID,
    SITE,
    WIDGET,
    ConnectStub,
    form,
    invoke,
    rest_event,
)


def profiles(tables: Any) -> ProfileRepository:
    return ProfileRepository(tables.customers)


def test_valid_form_starts_a_chat_and_answers_what_chatjs_needs(connect: ConnectStub) -> None:
    connect.expect_chat("contact-42")

    status, headers, body = invoke(rest_event(body=form()))

    assert status == 200
    assert body == {
        "ContactId": "contact-42",
        "ParticipantId": "participant-contact-42",
        "ParticipantToken": "token-contact-42",
        "Region": "us-east-1",
    }
    assert headers["Content-Type"] == "application/json"
    assert headers["Cache-Control"] == "no-store"
    (request,) = connect.requests
    assert request["InstanceId"] == INSTANCE_ID
    assert request["ContactFlowId"] == FLOW_ID
    assert request["ParticipantDetails"] == {"DisplayName": "Jane Doe"}
    assert "text/plain" in request["SupportedMessagingContentTypes"]


def test_new_customer_gets_a_profile_reachable_by_email_and_phone(
    connect: ConnectStub, tables: Any
) -> None:
    connect.expect_chat()

    invoke(rest_event(body=form()))

    attributes = connect.requests[0]["Attributes"]
    repo = profiles(tables)
    by_email = repo.find(Identifier(kind=IdentifierKind.EMAIL, value="jane.doe@example.com"))
    by_phone = repo.find(Identifier(kind=IdentifierKind.PHONE, value="+13125550143"))
    assert by_email is not None and by_phone is not None
    assert by_email.customer_id == by_phone.customer_id == attributes["customerId"]
    assert by_email.first_name == "Jane" and by_email.last_name == "Doe"
    assert attributes["newCustomer"] == "true"


def test_returning_customer_keeps_their_id_and_links_the_new_email(
    connect: ConnectStub, tables: Any
) -> None:
    repo = profiles(tables)
    phone = Identifier(kind=IdentifierKind.PHONE, value="+13125550143")
    repo.save(
        CustomerProfile(customer_id="cust-7", first_name="Jane", tier="vip", identifiers=[phone])
    )
    connect.expect_chat()

    invoke(rest_event(body=form(email="jane@newmail.example")))

    attributes = connect.requests[0]["Attributes"]
    assert attributes["customerId"] == "cust-7"
    assert attributes["newCustomer"] == "false"
    assert attributes["tier"] == "vip"
    linked = repo.find(Identifier(kind=IdentifierKind.EMAIL, value="jane@newmail.example"))
    assert linked is not None and linked.customer_id == "cust-7"


def test_flow_attributes_carry_intent_topic_and_name_but_no_contact_details(
    connect: ConnectStub,
) -> None:
    connect.expect_chat()

    invoke(rest_event(body=form(topic="outage", name="  Jane   Q.  Doe ")))

    attributes = connect.requests[0]["Attributes"]
    assert attributes["intent"] == "outage"
    assert attributes["topic"] == "Report an outage or service problem"
    assert attributes["customerName"] == "Jane Q. Doe"
    assert attributes["entryPoint"] == "web_chat"
    assert attributes["identityVerified"] == "false"
    flat = json.dumps(attributes).lower()
    assert "example.com" not in flat and "5550143" not in flat


def test_anonymous_chat_creates_no_profile(connect: ConnectStub, tables: Any) -> None:
    connect.expect_chat()

    status, _, _ = invoke(rest_event(body={"name": "Sam", "topic": "other"}))

    assert status == 200
    assert "customerId" not in connect.requests[0]["Attributes"]
    assert tables.customers.scan()["Count"] == 0


def test_client_token_makes_a_double_submit_idempotent(connect: ConnectStub) -> None:
    connect.expect_chat()

    invoke(rest_event(body=form(clientToken="7b0c3a2e-5d1f-4c39-9a0e-2f9e1c6b8d44")))

    assert connect.requests[0]["ClientToken"] == "7b0c3a2e-5d1f-4c39-9a0e-2f9e1c6b8d44"


def test_invalid_fields_are_listed_and_connect_is_not_called(connect: ConnectStub) -> None:
    status, _, body = invoke(
        rest_event(body={"email": "jane@", "phone": "12", "topic": "lottery", "promo": "x"})
    )

    assert status == 400
    assert body["error"] == "invalid_request"
    problems = {entry["field"]: entry["problem"] for entry in body["fields"]}
    assert problems["name"] == "is required"
    assert problems["email"] == "is not an email address"
    assert problems["phone"].startswith("is not a phone number")
    assert problems["topic"] == "must be one of: billing, outage, other"
    assert problems["promo"] == "is not a field of the pre-chat form"
    assert connect.requests == []
    assert "jane@" not in json.dumps(body)


def test_control_characters_in_the_name_are_refused(connect: ConnectStub) -> None:
    status, _, body = invoke(rest_event(body=form(name="Jane\u0000Doe")))

    assert status == 400
    assert body["fields"] == [{"field": "name", "problem": "must not contain control characters"}]


def test_a_body_that_is_not_json_is_a_clear_400(connect: ConnectStub) -> None:
    for raw in ("{not json", "[1, 2]", '"text"'):
        status, _, body = invoke(rest_event(raw_body=raw))
        assert status == 400, raw
        assert body["error"] == "invalid_request", raw
    assert connect.requests == []


def test_cors_answers_only_the_configured_origins(connect: ConnectStub) -> None:
    connect.expect_chat("a")
    connect.expect_chat("b")

    _, site_headers, _ = invoke(rest_event(body=form(), origin=SITE))
    _, widget_headers, _ = invoke(rest_event(body=form(), origin=WIDGET))
    status, evil_headers, _ = invoke(rest_event(body=form(), origin="https://evil.example"))

    assert site_headers["Access-Control-Allow-Origin"] == SITE
    assert widget_headers["Access-Control-Allow-Origin"] == WIDGET
    assert "Access-Control-Allow-Origin" not in evil_headers
    assert status == 403
    assert len(connect.requests) == 2


def test_preflight_from_an_allowed_origin_allows_post_with_json(connect: ConnectStub) -> None:
    status, headers, _ = invoke(
        rest_event(
            "OPTIONS",
            origin=SITE,
            headers={
                "Access-Control-Request-Method": "POST",
                "Access-Control-Request-Headers": "content-type",
            },
        )
    )

    assert status == 204
    assert headers["Access-Control-Allow-Origin"] == SITE
    assert "POST" in headers["Access-Control-Allow-Methods"]
    assert "Content-Type" in headers["Access-Control-Allow-Headers"]


def test_connect_throttling_is_a_429_with_retry_after_and_no_internals(
    connect: ConnectStub,
) -> None:
    connect.refuse("LimitExceededException", status=429)

    status, headers, body = invoke(rest_event(body=form()))

    assert status == 429
    assert headers["Retry-After"] == "30"
    assert body["error"] == "busy"
    assert "arn:" not in json.dumps(body) and "Exception" not in json.dumps(body)


def test_connect_misconfiguration_is_a_503_with_no_internals(connect: ConnectStub) -> None:
    connect.refuse("ResourceNotFoundException", status=404)

    status, _, body = invoke(rest_event(body=form()))

    assert status == 503
    assert body == {
        "error": "unavailable",
        "message": "Chat is unavailable right now. Please try again later.",
    }


def test_profile_table_outage_still_starts_the_chat_as_unknown_customer(
    connect: ConnectStub, tables: Any
) -> None:
    boto3.client("dynamodb").delete_table(TableName="customers")
    connect.expect_chat()

    status, _, body = invoke(rest_event(body=form()))

    assert status == 200
    assert body["ContactId"] == "contact-1"
    assert "customerId" not in connect.requests[0]["Attributes"]


def test_unknown_paths_are_json_404s(connect: ConnectStub) -> None:
    status, _, body = invoke(rest_event("GET", "/admin", body=None))

    assert status == 404
    assert body == {"error": "not_found", "message": "No such endpoint."}


def test_a_foreign_page_cannot_start_chats_with_a_simple_request(connect: ConnectStub) -> None:
    """text/plain skips the browser's preflight; the function still refuses the origin."""
    status, headers, body = invoke(
        rest_event(
            raw_body=json.dumps(form()),
            origin="https://evil.example",
            headers={"Content-Type": "text/plain"},
        )
    )

    assert status == 403
    assert body["error"] == "origin_not_allowed"
    assert "Access-Control-Allow-Origin" not in headers
    assert connect.requests == []


def test_requests_without_an_origin_such_as_the_smoke_test_are_served(
    connect: ConnectStub,
) -> None:
    connect.expect_chat()

    status, headers, _ = invoke(rest_event(body=form(), origin=None))

    assert status == 200
    assert "Access-Control-Allow-Origin" not in headers


def test_settings_are_read_once_per_container(
    connect: ConnectStub, monkeypatch: pytest.MonkeyPatch
) -> None:
    from lambdas.chat_start import handler

    # Given a container that has built its runtime
    first = handler.runtime()

    # When the environment changes under it (as it never does in Lambda)
    monkeypatch.setenv("ALLOWED_ORIGINS", '["https://elsewhere.example"]')
    connect.expect_chat()
    status, _, _ = invoke(rest_event(body=form(), origin=SITE))

    # Then the container keeps the origins it read
    assert status == 200
    assert handler.runtime() is first


@pytest.mark.parametrize(
    ("name", "value", "problem"),
    [
        ("CHAT_TOPICS", None, "missing"),
        ("ALLOWED_ORIGINS", "https://www.riverside-utilities.example", "json_invalid"),
        ("ALLOWED_ORIGINS", "[]", "too_short"),
        ("CONTACT_HISTORY_DAYS", "a year", "int_parsing"),
    ],
)
def test_invalid_settings_raise_so_api_gateway_answers_502_without_detail(
    chat_env: dict[str, str],
    monkeypatch: pytest.MonkeyPatch,
    name: str,
    value: str | None,
    problem: str,
) -> None:
    from lambdas.chat_start import handler

    # Given a container whose environment lacks or garbles a variable
    if value is None:
        monkeypatch.delenv(name)
    else:
        monkeypatch.setenv(name, value)
    handler.runtime.cache_clear()
    try:
        # When a customer opens the chat, Then the function raises by the variable's name and
        # API Gateway answers its own 502, so neither the customer nor the log sees a value
        with pytest.raises(SettingsError, match=rf"{name} \({problem}\)") as raised:
            handler.handler(rest_event(body=form()), LocalLambdaContext("chat-start"))
    finally:
        handler.runtime.cache_clear()
    if value:
        assert value not in str(raised.value)
