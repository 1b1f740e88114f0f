"""Every routing rule, on the dev stage's rules: intent, tier, repeat contact, language, default."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from lambdas.common.flow_events import parse_flow_event
from lambdas.common.routing_rules import RoutingRules
from lambdas.routing.logic import (
    CustomerContext,
    context_from_attributes,
    context_from_profile,
    decide_route,
    default_route,
    requested_intent,
)
from tests.lambdas.connect_events import voice_call, web_chat
from tests.lambdas.customers import NOW
from tests.lambdas.routing.conftest import queue_arn

UNKNOWN = CustomerContext()
VIP = CustomerContext(found=True, customer_id="c-jane", tier="vip", language="en")


@pytest.mark.parametrize(
    ("intent", "queue"),
    [
        ("billing", "billing"),
        ("outage", "support"),
        ("appointment", "appointments"),
        ("other", "general"),
    ],
)
def test_each_menu_intent_goes_to_its_queue_at_base_priority(
    dev_rules: RoutingRules, intent: str, queue: str
) -> None:
    decision = decide_route(intent, UNKNOWN, dev_rules)

    assert (decision.queue_name, decision.queue_arn) == (queue, queue_arn(queue))
    assert decision.priority == dev_rules.base_priority == 5
    assert decision.reasons == (f"intent:{intent}",)


@pytest.mark.parametrize("intent", ["", "desktop", "BILLING ", "1"])
def test_unknown_or_missing_intent_goes_to_the_default_queue(
    dev_rules: RoutingRules, intent: str
) -> None:
    decision = decide_route(intent, UNKNOWN, dev_rules)
    assert (decision.queue_name, decision.reasons) == ("general", ("default",))


@pytest.mark.parametrize(
    ("tier", "priority"), [("vip", 1), ("business", 2), ("medical_priority", 1), ("standard", 5)]
)
def test_tier_sets_the_priority_without_changing_the_queue(
    dev_rules: RoutingRules, tier: str, priority: int
) -> None:
    decision = decide_route("billing", CustomerContext(found=True, tier=tier), dev_rules)
    assert (decision.queue_name, decision.priority) == ("billing", priority)


def test_repeat_contact_without_a_specific_intent_returns_to_the_last_queue_boosted(
    dev_rules: RoutingRules,
) -> None:
    customer = CustomerContext(found=True, is_repeat=True, last_queue="support")

    decision = decide_route("other", customer, dev_rules)

    assert decision.queue_name == "support"
    assert decision.priority == 5 - 2
    assert decision.reasons == ("repeat_contact_queue", "repeat_contact_boost")


def test_repeat_contact_that_chose_another_service_goes_there_still_boosted(
    dev_rules: RoutingRules,
) -> None:
    customer = CustomerContext(found=True, is_repeat=True, last_queue="support")

    decision = decide_route("billing", customer, dev_rules)

    assert (decision.queue_name, decision.priority) == ("billing", 3)


def test_repeat_boost_never_goes_below_priority_one(dev_rules: RoutingRules) -> None:
    customer = CustomerContext(found=True, tier="vip", is_repeat=True, last_queue="billing")
    decision = decide_route("other", customer, dev_rules)
    assert (decision.queue_name, decision.priority) == ("billing", 1)
    assert decision.reasons == ("repeat_contact_queue", "tier:vip", "repeat_contact_boost")


def test_repeat_to_a_queue_that_no_longer_exists_falls_through_to_the_intent(
    dev_rules: RoutingRules,
) -> None:
    customer = CustomerContext(found=True, is_repeat=True, last_queue="retired_queue")
    assert decide_route("outage", customer, dev_rules).queue_name == "support"
    assert decide_route("other", customer, dev_rules).queue_name == "general"


def test_same_queue_off_keeps_the_boost_only(dev_rules: RoutingRules) -> None:
    rules = dev_rules.model_copy(
        update={"repeat_contact": dev_rules.repeat_contact.model_copy(update={"same_queue": False})}
    )
    customer = CustomerContext(found=True, is_repeat=True, last_queue="support")
    decision = decide_route("other", customer, rules)
    assert (decision.queue_name, decision.priority) == ("general", 3)


def test_language_with_its_own_queue_wins_over_intent_and_repeat(dev_rules: RoutingRules) -> None:
    customer = CustomerContext(found=True, language="es", is_repeat=True, last_queue="billing")

    decision = decide_route("outage", customer, dev_rules)

    assert decision.queue_name == "spanish"
    assert decision.reasons[0] == "language:es"
    assert decision.priority == 3  # the repeat boost still applies
    # When `spanish` is closed, the flow moves the contact to the queue the other rules choose.
    assert decision.alternate_queue_name == "support"
    assert decision.alternate_reasons == ("intent:outage", "repeat_contact_boost")


def test_language_without_a_queue_routes_by_intent(dev_rules: RoutingRules) -> None:
    for language in ("en", "fr", ""):
        customer = CustomerContext(language=language)
        assert decide_route("billing", customer, dev_rules).queue_name == "billing"


def test_vip_caller_gets_tier_priority_on_their_intent(dev_rules: RoutingRules) -> None:
    decision = decide_route("outage", VIP, dev_rules)
    assert (decision.queue_name, decision.priority) == ("support", 1)
    assert decision.reasons == ("intent:outage", "tier:vip")


def test_default_route_is_the_default_queue_at_base_priority(dev_rules: RoutingRules) -> None:
    assert default_route(dev_rules).as_attributes() == {
        "queueArn": queue_arn("general"),
        "queueName": "general",
        "priority": "5",
        "routingReason": "fallback",
        "alternateQueueArn": queue_arn("general"),
        "alternateQueueName": "general",
        "alternateRoutingReason": "fallback",
    }


def test_intent_comes_from_the_block_parameter_before_the_attribute() -> None:
    event = voice_call(
        "+13125550143", attributes={"intent": "other"}, parameters={"intent": "Billing"}
    )
    assert requested_intent(parse_flow_event(event)) == "billing"
    assert (
        requested_intent(parse_flow_event(voice_call("+1", attributes={"intent": "outage"})))
        == "outage"
    )


def test_crm_answer_in_attributes_is_used_as_is(dev_rules: RoutingRules) -> None:
    event = voice_call(
        "+13125550143",
        attributes={
            "customerFound": "true",
            "customerId": "c-jane",
            "tier": "VIP",
            "language": "es-US",
            "isRepeatContact": "true",
            "lastContactQueue": "billing",
        },
    )
    context = context_from_attributes(parse_flow_event(event), dev_rules)
    assert context == CustomerContext(
        found=True,
        customer_id="c-jane",
        tier="vip",
        language="es",
        is_repeat=True,
        last_queue="billing",
    )


def test_attributes_without_the_crm_answer_or_the_last_queue_need_a_lookup(
    dev_rules: RoutingRules,
) -> None:
    no_answer = voice_call("+13125550143", attributes={"tier": "vip"})  # e.g. set by a form
    repeat_without_queue = voice_call(
        "+13125550143", attributes={"customerFound": "true", "isRepeatContact": "true"}
    )
    assert context_from_attributes(parse_flow_event(no_answer), dev_rules) is None
    assert context_from_attributes(parse_flow_event(repeat_without_queue), dev_rules) is None


def test_unknown_customer_in_attributes_keeps_the_contact_language(dev_rules: RoutingRules) -> None:
    event = web_chat({"customerFound": "false", "language": "es"})
    assert context_from_attributes(parse_flow_event(event), dev_rules) == CustomerContext(
        language="es"
    )


def test_context_from_no_profile_is_an_unknown_customer(dev_rules: RoutingRules) -> None:
    request = parse_flow_event(voice_call("+13125550199"))
    assert context_from_profile(None, request, now=NOW, rules=dev_rules) == CustomerContext()


contexts = st.builds(
    CustomerContext,
    found=st.booleans(),
    tier=st.sampled_from(["", "vip", "business", "medical_priority", "standard"])
    | st.text(max_size=8),
    language=st.sampled_from(["", "en", "es"]) | st.text(max_size=5),
    is_repeat=st.booleans(),
    last_queue=st.sampled_from(["", "billing", "support", "spanish", "gone"]) | st.text(max_size=8),
)


@given(
    intent=st.sampled_from(["billing", "outage", "appointment", "other", ""])
    | st.text(max_size=12),
    customer=contexts,
)
def test_every_decision_names_a_configured_queue_and_a_connect_priority(
    dev_rules: RoutingRules, intent: str, customer: CustomerContext
) -> None:
    decision = decide_route(intent, customer, dev_rules)

    assert decision.queue_arn == dev_rules.queues[decision.queue_name]
    assert 1 <= decision.priority <= 100
    assert decision.priority <= dev_rules.base_priority
    answer = decision.as_attributes()
    assert set(answer) == {
        "queueArn",
        "queueName",
        "priority",
        "routingReason",
        "alternateQueueArn",
        "alternateQueueName",
        "alternateRoutingReason",
    }
    assert decision.alternate_queue_name in dev_rules.queues
    if not decision.reasons[0].startswith("language:"):
        assert answer["alternateQueueArn"] == answer["queueArn"]
    assert all(isinstance(v, str) and v for v in answer.values())
