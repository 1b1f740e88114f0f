"""routing through its handler: zero or one DynamoDB call, the rules applied to real customers,
and an answer whatever goes wrong (DynamoDB's own faults: test_faults.py)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from aws_lambda_powertools.utilities.typing import LambdaContext
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from lambdas.routing import handler as routing_handler
from tests.fuzz.strategies import flow_events, json_values
from tests.lambdas.connect_events import (
    email_contact,
    log_output,
    realworld_events,
    voice_call,
    web_chat,
)
from tests.lambdas.customers import JANE_PHONE, LUIS_PHONE, SAM_EMAIL, UNKNOWN_PHONE
from tests.lambdas.routing.conftest import Routing, queue_arn

ANSWER_KEYS = {
    "queueArn",
    "queueName",
    "priority",
    "routingReason",
    "alternateQueueArn",
    "alternateQueueName",
    "alternateRoutingReason",
}


def crm_answer(**overrides: str) -> dict[str, str]:
    """Contact attributes as the shipped flows set them from crm_lookup's answer."""
    attributes = {
        "customerFound": "true",
        "customerId": "c-jane",
        "firstName": "Jane",
        "tier": "vip",
        "language": "en",
        "isRepeatContact": "false",
        "lastContactQueue": "",
    }
    return {**attributes, **overrides}


def test_flow_that_passed_the_crm_answer_is_routed_with_zero_dynamodb_calls(
    routing: Routing,
) -> None:
    answer = routing.invoke(
        voice_call(JANE_PHONE, attributes=crm_answer(), parameters={"intent": "billing"})
    )

    assert answer == {
        "queueArn": queue_arn("billing"),
        "queueName": "billing",
        "priority": "1",
        "routingReason": "intent:billing,tier:vip",
        "alternateQueueArn": queue_arn("billing"),
        "alternateQueueName": "billing",
        "alternateRoutingReason": "intent:billing,tier:vip",
    }
    assert routing.dynamodb.calls == []


def test_without_the_crm_answer_the_customer_is_read_in_one_call(routing: Routing) -> None:
    # Jane: VIP, emailed billing 20 h ago; today she presses 0 ("other").
    answer = routing.invoke(voice_call(JANE_PHONE, parameters={"intent": "other"}))

    assert answer["queueName"] == "billing"
    assert answer["priority"] == "1"
    assert answer["routingReason"] == "repeat_contact_queue,tier:vip,repeat_contact_boost"
    assert routing.dynamodb.calls == ["GetItem"]


def test_repeat_contact_missing_its_last_queue_costs_one_call_to_find_it(routing: Routing) -> None:
    # The shipped flows copy isRepeatContact but not lastContactQueue onto the contact.
    attributes = crm_answer(customerId="c-sam", tier="business", isRepeatContact="true")
    del attributes["lastContactQueue"]

    answer = routing.invoke(
        email_contact(SAM_EMAIL, attributes=attributes, parameters={"intent": "other"})
    )

    assert answer["queueName"] == "support"  # Sam called support 47 h ago
    assert answer["priority"] == "1"  # business 2, minus the repeat boost
    assert routing.dynamodb.calls == ["BatchGetItem"]  # customerId and the sender, one trip


def test_spanish_speaker_goes_to_the_spanish_queue(routing: Routing) -> None:
    answer = routing.invoke(voice_call(LUIS_PHONE, parameters={"intent": "billing"}))
    assert (answer["queueName"], answer["routingReason"]) == ("spanish", "language:es")


def test_unknown_customer_is_routed_by_intent_at_base_priority(routing: Routing) -> None:
    answer = routing.invoke(voice_call(UNKNOWN_PHONE, parameters={"intent": "outage"}))
    assert (answer["queueName"], answer["priority"]) == ("support", "5")
    assert routing.dynamodb.calls == ["GetItem"]


def test_unidentifiable_chat_in_spanish_costs_no_call(routing: Routing) -> None:
    answer = routing.invoke(web_chat({"intent": "other", "language": "es"}))
    assert answer["queueName"] == "spanish"
    assert routing.dynamodb.calls == []


@pytest.mark.parametrize("event", [None, [], "x", {"Details": None}, {"Name": "ContactFlowEvent"}])
def test_malformed_event_answers_the_default_queue(routing: Routing, event: Any) -> None:
    assert routing.invoke(event) == {
        "queueArn": queue_arn("general"),
        "queueName": "general",
        "priority": "5",
        "routingReason": "fallback",
        "alternateQueueArn": queue_arn("general"),
        "alternateQueueName": "general",
        "alternateRoutingReason": "fallback",
    }


def test_broken_rules_in_the_environment_answer_the_last_resort(
    monkeypatch: pytest.MonkeyPatch,
    lambda_context: LambdaContext,
) -> None:
    monkeypatch.setenv("CUSTOMERS_TABLE", "customers")
    monkeypatch.setenv("ROUTING_RULES", '{"default_queue": "general", "queues": {}}')
    routing_handler.runtime.cache_clear()
    try:
        answer = routing_handler.handler(voice_call(JANE_PHONE), lambda_context)
    finally:
        routing_handler.runtime.cache_clear()
    assert answer == routing_handler.LAST_RESORT
    assert answer["queueArn"] == ""  # the flow's set-queue block errors into its default queue


def test_rules_are_read_from_the_environment(
    repository: Any, dev_rules: Any, monkeypatch: pytest.MonkeyPatch, lambda_context: LambdaContext
) -> None:
    monkeypatch.setenv("CUSTOMERS_TABLE", "customers")
    monkeypatch.setenv("ROUTING_RULES", dev_rules.model_dump_json())
    routing_handler.runtime.cache_clear()
    try:
        answer = routing_handler.handler(
            voice_call(UNKNOWN_PHONE, parameters={"intent": "appointment"}),
            lambda_context,
        )
    finally:
        routing_handler.runtime.cache_clear()
    assert answer["queueArn"] == queue_arn("appointments")


def test_rules_are_read_once_per_container(
    repository: Any, dev_rules: Any, monkeypatch: pytest.MonkeyPatch, lambda_context: LambdaContext
) -> None:
    # Given a container that has read its rules
    monkeypatch.setenv("CUSTOMERS_TABLE", "customers")
    monkeypatch.setenv("ROUTING_RULES", dev_rules.model_dump_json())
    routing_handler.runtime.cache_clear()
    try:
        first = routing_handler.runtime()

        # When the environment changes under it (as it never does in Lambda)
        monkeypatch.setenv("ROUTING_RULES", "{}")
        answer = routing_handler.handler(
            voice_call(UNKNOWN_PHONE, parameters={"intent": "appointment"}),
            lambda_context,
        )

        # Then the container keeps routing by the rules it read
        assert routing_handler.runtime() is first
    finally:
        routing_handler.runtime.cache_clear()
    assert answer["queueArn"] == queue_arn("appointments")


def test_every_realworld_event_gets_a_queue(routing: Routing, realworld_dir: Path) -> None:
    for name, event in realworld_events(realworld_dir):
        answer = routing.invoke(event)
        assert set(answer) == ANSWER_KEYS, name
        assert answer["queueArn"] in routing.rules.queues.values(), name
    # Salesforce's routing sample asks for intent "desktop", which these rules do not know.
    events = dict(realworld_events(realworld_dir))
    assert (
        routing.invoke(events["salesforce-scv_ddr_flow_request_event.json"])["queueName"]
        == "general"
    )


def test_decision_is_logged_without_the_caller_number(routing: Routing) -> None:
    with log_output(routing_handler.logger) as logs:
        routing.invoke(voice_call(JANE_PHONE, parameters={"intent": "billing"}))
    (routed,) = [json.loads(line) for line in logs.getvalue().splitlines() if '"routed"' in line]
    assert routed["queue"] == "billing" and routed["customer_source"] == "profile_store"
    assert JANE_PHONE not in logs.getvalue()


@settings(
    max_examples=100,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(event=flow_events() | json_values, intent=st.none() | json_values)
def test_any_event_gets_a_queue_and_never_raises(routing: Routing, event: Any, intent: Any) -> None:
    if intent is not None and isinstance(event, dict) and isinstance(event.get("Details"), dict):
        event["Details"]["Parameters"] = {"intent": intent}
    answer = routing.invoke(event)

    assert set(answer) == ANSWER_KEYS
    assert all(isinstance(v, str) for v in answer.values())
    assert answer["queueArn"] in routing.rules.queues.values()
    assert 1 <= int(answer["priority"]) <= 100
    assert len(routing.dynamodb.calls) <= 1
    routing.dynamodb.clear()
