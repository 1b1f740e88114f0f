"""The rehearsal's entry flows: the stage's real flows and flow Lambdas decide each contact."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace
from datetime import UTC, datetime

import pytest

from config import ContactCenterConfig
from local_connect.rehearsal.flow_router import FlowRouter, entry_flows, known_profiles, profile_id
from local_connect.rehearsal.planning import variant_config
from local_connect.scenarios.traffic import ArrivingContact, BotOutcome, BotVisit, Customer

OPEN = datetime(2026, 12, 1, 16, 0, tzinfo=UTC)  # Tuesday 10:00 in Chicago
THANKSGIVING = datetime(2026, 11, 26, 16, 0, tzinfo=UTC)

VIP = Customer(
    index=1, phone="+12015550101", chat_id="web-1", known=True, tier="vip", first_name="Ada"
)
STRANGER = Customer(
    index=2, phone="+12015550102", chat_id="web-2", known=False, tier="standard", first_name="Sam"
)


def arriving(
    customer: Customer, *, channel: str = "voice", routes_as: str = "billing"
) -> ArrivingContact:
    return ArrivingContact(
        contact_id=f"c-{customer.index}-{channel}-{routes_as}",
        channel=channel,
        intent=routes_as,
        routes_as=routes_as,
        initiated=36_000,
        customer=customer,
        flow_seconds=30,
        self_service=False,
        talk=300,
        hold=0,
        after_contact_work=30,
        patience=120,
        accepts_callback=False,
        callback_contact_id=None,
        callback_answers=(),
    )


@pytest.fixture()
def router(dev_config: ContactCenterConfig) -> Iterator[FlowRouter]:
    menus = variant_config(dev_config, ["voice", "chat", "sms", "email"], bot=False)
    with FlowRouter(menus, [VIP, STRANGER]) as running:
        yield running


def test_with_the_bot_the_real_flows_play_each_drawn_conversation(
    dev_config: ContactCenterConfig,
) -> None:
    def visit(outcome: BotOutcome, intent: str | None = "CheckBalance") -> ArrivingContact:
        return replace(arriving(VIP), bot=BotVisit(outcome, intent, 60.0))

    with FlowRouter(dev_config, [VIP]) as router:
        contained = router.route(visit("contained"), OPEN)
        escalated = router.route(visit("escalated"), OPEN)
        abandoned = router.route(visit("abandoned"), OPEN)
        no_match = router.route(visit("escalated", None), OPEN)
        asked = router.route(visit("asked_for_agent", None), OPEN)
    assert contained.queue is None
    assert contained.disconnect_reason == "CONTACT_FLOW_DISCONNECT"
    assert contained.attributes["self_service_outcome"] == "fulfilled"
    # Escalations route by the bot's intent, as the flows do: CheckBalance -> billing.
    assert escalated.queue == "billing"
    assert escalated.attributes["self_service_intent"] == "CheckBalance"
    assert escalated.attributes["self_service_outcome"] == "escalate"
    assert abandoned.queue is None
    assert abandoned.disconnect_reason == "CUSTOMER_DISCONNECT"
    assert abandoned.attributes["self_service_outcome"] == "in_bot"
    assert no_match.queue == "general"
    assert no_match.attributes["self_service_detail"] == "no_match"
    assert asked.attributes["self_service_intent"] == "TalkToAgent"


def test_a_known_vip_caller_is_recognised_and_routed_first(router: FlowRouter) -> None:
    outcome = router.route(arriving(VIP), OPEN)
    assert outcome.queue == "billing"
    assert outcome.priority == 1  # routing.tier_priority.vip, set by the routing Lambda
    assert outcome.attributes["customerId"] == profile_id(VIP)
    assert outcome.attributes["routingReason"] == "intent:billing,tier:vip"


def test_an_unknown_caller_is_routed_by_the_menu_choice_at_base_priority(
    router: FlowRouter,
) -> None:
    outcome = router.route(arriving(STRANGER, routes_as="outage"), OPEN)
    assert outcome.queue == "support"
    assert outcome.attributes["customerFound"] == "false"
    assert outcome.attributes["routingReason"] == "intent:outage"


def test_a_holiday_call_about_a_bill_ends_in_the_flow_but_an_outage_still_gets_through(
    router: FlowRouter,
) -> None:
    billing = router.route(arriving(STRANGER), THANKSGIVING)
    outage = router.route(arriving(STRANGER, routes_as="outage"), THANKSGIVING)
    assert billing.queue is None
    assert outage.queue == "support"
    tally = router.tally()
    assert tally["ended in the flow"] + tally["callback booked"] >= 1


def test_chat_and_sms_run_the_chat_flow_and_reach_a_queue(router: FlowRouter) -> None:
    chat = router.route(arriving(VIP, channel="chat", routes_as="appointment"), OPEN)
    sms = router.route(arriving(STRANGER, channel="sms", routes_as="billing"), OPEN)
    assert chat.queue == "appointments"
    assert chat.attributes["customerId"] == profile_id(VIP)
    # SMS carries no topic: the chat flow asks, and routes a free-text answer as "other".
    assert sms.queue == "general"
    assert router.tally()["to appointments"] >= 1


def test_only_the_channels_a_config_has_get_a_flow(
    dev_config: ContactCenterConfig, voice_only_config: ContactCenterConfig
) -> None:
    assert entry_flows(voice_only_config) == {"voice": "inbound_voice"}
    assert set(entry_flows(dev_config)) >= {"voice", "chat", "sms", "email"}
    with (
        FlowRouter(voice_only_config, [STRANGER]) as voice_only,
        pytest.raises(ValueError, match="no entry flow for channel 'chat'"),
    ):
        voice_only.route(arriving(STRANGER, channel="chat"), OPEN)


def test_only_known_customers_have_profiles_before_the_day() -> None:
    (profile,) = known_profiles([VIP, STRANGER, replace(STRANGER, index=3, known=False)])
    assert profile.customer_id == profile_id(VIP)
    assert profile.tier == "vip"
    assert {identifier.kind.value for identifier in profile.identifiers} == {
        "phone",
        "email",
        "chat",
    }
