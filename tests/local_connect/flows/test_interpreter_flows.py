"""Our contact_flows/ through the interpreter: with stand-in Lambdas for each branch, with the
real crm_lookup and routing handlers over moto, and every real-world export running to an end."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import boto3
import pytest
from moto import mock_aws

from config import ContactCenterConfig
from lambdas.common.profiles import ProfileRepository
from lambdas.common.routing_rules import RoutingRules
from local_connect.flows import (
    Contact,
    FlowInterpreter,
    FlowLibrary,
    LambdaRegistry,
    ScriptedCustomer,
    StaticQueues,
    UnsupportedActionError,
)
from local_connect.flows.environment import flow_lambda_environment, routing_rules
from tests.conftest import config_with
from tests.flowlang.realworld import FLOW_FOLDERS, real_exports
from tests.lambdas.customers import (
    JANE_EMAIL,
    JANE_PHONE,
    LUIS_PHONE,
    UNKNOWN_PHONE,
    create_customers_table,
    seed,
)

OPEN = datetime(2026, 11, 24, 16, 0, tzinfo=UTC)  # Tuesday 10:00 in Chicago
THANKSGIVING = datetime(2026, 11, 26, 16, 0, tzinfo=UTC)
CALLER = "+13125550100"


class StandIns:
    """crm_lookup and routing as fixed answers, recording what they were sent."""

    def __init__(self, library: FlowLibrary) -> None:
        self.library = library
        self.customer: dict[str, str] = {
            "customerId": "c-1",
            "customerFound": "true",
            "firstName": "Ana",
            "tier": "standard",
            "language": "en",
            "openIssue": "",
            "lastContactChannel": "VOICE",
            "lastContactAt": "",
            "lastContactQueue": "",
            "isRepeatContact": "false",
        }
        self.routing_fails = False
        self.events: list[dict[str, Any]] = []

    def crm_lookup(self, event: dict[str, Any], context: Any) -> dict[str, str]:
        self.events.append(event)
        return self.customer

    def routing(self, event: dict[str, Any], context: Any) -> dict[str, str]:
        self.events.append(event)
        if self.routing_fails:
            raise TimeoutError("DynamoDB did not answer")
        intent = event["Details"]["Parameters"]["intent"]
        queue = {"billing": "billing", "outage": "support", "appointment": "appointments"}.get(
            intent, "general"
        )
        return {
            "queueArn": self.library.arn("queue", queue),
            "queueName": queue,
            "priority": "3",
            "routingReason": f"intent:{intent}",
            "alternateQueueArn": self.library.arn("queue", queue),
            "alternateQueueName": queue,
            "alternateRoutingReason": f"intent:{intent}",
        }


@pytest.fixture(scope="module")
def menus_config(dev_config: ContactCenterConfig) -> ContactCenterConfig:
    """dev with the self-service bot off: the entry flows' keypad menus and chat topics."""
    return config_with(
        dev_config, self_service={**dev_config.self_service.model_dump(), "enabled": False}
    )


@pytest.fixture()
def stage(menus_config: ContactCenterConfig) -> tuple[FlowInterpreter, StandIns, StaticQueues]:
    dev_config = menus_config
    library = FlowLibrary.for_stage(dev_config)
    stand_ins = StandIns(library)
    queues = StaticQueues(
        capacity={name: q.max_contacts for name, q in dev_config.queues.items() if q.max_contacts}
    )
    lambdas = LambdaRegistry(
        {"crm_lookup": stand_ins.crm_lookup, "routing": stand_ins.routing}, discover=False
    )
    return FlowInterpreter(library, lambdas=lambdas, queues=queues), stand_ins, queues


def caller(channel: str = "VOICE", **fields: Any) -> Contact:
    endpoint = Contact.phone(CALLER) if channel == "VOICE" else None
    return Contact(channel=channel, customer_endpoint=endpoint, **fields)


# -- inbound_voice ---------------------------------------------------------------------------------


def test_voice_menu_choice_routes_to_the_intent_queue_with_the_routing_priority(stage: Any) -> None:
    engine, stand_ins, _ = stage
    outcome = engine.run("inbound_voice", caller(), customer=ScriptedCustomer(["1"]), at=OPEN)

    assert outcome.reached_queue
    assert (outcome.queue, outcome.priority) == ("billing", 3)
    assert outcome.attributes["intent"] == "billing"
    assert outcome.attributes["routingReason"] == "intent:billing"
    assert outcome.attributes["firstName"] == "Ana"
    assert outcome.said()[:2] == [
        "Thank you for calling Riverside Public Utilities.",
        "Welcome back, Ana.",
    ]
    assert outcome.contact.event_hooks == {
        "CustomerQueue": "customer_queue",
        "AgentWhisper": "agent_whisper",
        "CustomerRemaining": "post_contact",
    }
    assert outcome.contact.text_to_speech_voice == "Joanna"
    assert stand_ins.events[-1]["Details"]["Parameters"] == {"intent": "billing"}
    assert [call.function for call in outcome.lambda_calls] == ["crm_lookup", "routing"]


def test_voice_menu_without_an_answer_retries_twice_then_routes_as_other(stage: Any) -> None:
    engine, _, _ = stage
    outcome = engine.run("inbound_voice", caller(), customer=ScriptedCustomer([]), at=OPEN)
    assert outcome.said().count("Sorry, we did not hear a choice.") == 2
    assert outcome.attributes["intent"] == "other"
    assert outcome.queue == "general"


def test_a_failing_routing_lambda_falls_back_to_the_default_queue(stage: Any) -> None:
    engine, stand_ins, _ = stage
    stand_ins.routing_fails = True
    outcome = engine.run("inbound_voice", caller(), customer=ScriptedCustomer(["2"]), at=OPEN)
    assert outcome.queue == "general"
    assert outcome.attributes["routingReason"] == "fallback"
    assert outcome.lambda_calls[-1].error == "raised TimeoutError"


def test_after_hours_outage_callers_still_reach_support(stage: Any) -> None:
    engine, _, _ = stage
    outcome = engine.run(
        "inbound_voice", caller(), customer=ScriptedCustomer(["2"]), at=THANKSGIVING
    )
    assert "Our customer service team is away right now." in outcome.said()[2]
    assert outcome.queue == "support" and outcome.reached_queue


def test_after_hours_callers_can_book_a_callback_in_the_default_queue(stage: Any) -> None:
    engine, _, _ = stage
    outcome = engine.run(
        "inbound_voice", caller(), customer=ScriptedCustomer(["1", "1"]), at=THANKSGIVING
    )
    assert outcome.ended_by == "disconnect" and not outcome.reached_queue
    assert outcome.callback is not None and outcome.callback.queue is not None
    assert (outcome.callback.number, outcome.callback.queue.name) == (CALLER, "general")
    assert (outcome.callback.max_attempts, outcome.callback.retry_delay_seconds) == (2, 600)
    assert outcome.attributes["followUpRequested"] == "callback"


def test_a_full_queue_offers_a_callback(stage: Any) -> None:
    engine, _, queues = stage
    queues.sizes["billing"] = 200  # billing holds at most 200 contacts in dev
    outcome = engine.run("inbound_voice", caller(), customer=ScriptedCustomer(["1", "1"]), at=OPEN)
    assert "All of our agents are busy and the queue is full." in outcome.said()
    assert outcome.callback is not None
    assert [e.error_type for e in outcome.errors] == ["QueueAtCapacity"]


# -- inbound_chat, the queue flow, whisper and post-contact ----------------------------------------


def test_a_chat_with_a_topic_goes_straight_to_its_queue(stage: Any) -> None:
    engine, _, _ = stage
    outcome = engine.run("inbound_chat", caller("CHAT", attributes={"intent": "outage"}), at=OPEN)
    assert outcome.said() == [
        "Hi, thanks for contacting Riverside Public Utilities.",
        "Welcome back, Ana!",
        "Thanks, we are finding the right person to help you.",
    ]
    assert outcome.queue == "support"


def test_a_chat_after_hours_is_told_when_to_come_back(stage: Any) -> None:
    engine, _, _ = stage
    outcome = engine.run(
        "inbound_chat", caller("CHAT", attributes={"intent": "billing"}), at=THANKSGIVING
    )
    assert outcome.said()[-1].startswith("Our chat team is away right now.")
    assert outcome.ended_by == "disconnect"


def test_the_chat_queue_flow_tells_the_customer_how_many_are_waiting(stage: Any) -> None:
    engine, _, queues = stage
    queued = engine.run("inbound_chat", caller("CHAT", attributes={"intent": "billing"}), at=OPEN)
    queues.sizes["billing"] = 4
    outcome = engine.run("customer_queue", queued.contact, at=OPEN)
    assert outcome.said() == [
        "You are in line. Customers waiting, including you: 4. An agent will join this chat as "
        "soon as one is free."
    ]


def test_the_voice_queue_flow_offers_a_callback_after_the_configured_wait(stage: Any) -> None:
    engine, _, _ = stage
    queued = engine.run("inbound_voice", caller(), customer=ScriptedCustomer(["1"]), at=OPEN)
    outcome = engine.run(
        "customer_queue", queued.contact, customer=ScriptedCustomer(["1"]), queue_wait=600
    )
    assert outcome.said()[-1].startswith("Thank you. We will call you back")
    assert outcome.callback is not None and outcome.callback.queue is not None
    assert outcome.callback.queue.name == "billing"
    # A short wait: the agent answers before the offer.
    short = engine.run("customer_queue", queued.contact, queue_wait=60)
    assert short.ended_by == "holding" and short.callback is None


def test_the_agent_whisper_says_who_is_calling_and_why(stage: Any) -> None:
    engine, _, _ = stage
    contact = caller(
        attributes={
            "customerFound": "true",
            "isRepeatContact": "true",
            "firstName": "Ana",
            "tier": "vip",
            "intent": "billing",
            "lastContactChannel": "CHAT",
            "openIssue": "Disputed bill",
        }
    )
    outcome = engine.run("agent_whisper", contact)
    assert outcome.said() == [
        "Repeat contact. Ana, vip customer, about billing. Last contact by CHAT. "
        "Open issue: Disputed bill."
    ]
    assert outcome.ended_by == "end"


def test_the_post_contact_survey_stores_a_valid_score(stage: Any) -> None:
    engine, _, _ = stage
    voice = engine.run("post_contact", caller(), customer=ScriptedCustomer(["4"]))
    assert voice.attributes["surveyScore"] == "4"
    skipped = engine.run("post_contact", caller(), customer=ScriptedCustomer(["9"]))
    assert "surveyScore" not in skipped.attributes
    chat = engine.run("post_contact", caller("CHAT"))
    assert chat.said() == [
        "Thanks for chatting with us. Tell us how we did: https://survey.riverside-utilities.example/s"
    ]
    assert chat.attributes["surveyLinkSent"] == "true"


@pytest.mark.parametrize(
    ("flow", "channel"), [("inbound_task", "TASK"), ("inbound_email", "EMAIL")]
)
def test_tasks_and_emails_are_routed_by_their_intent(stage: Any, flow: str, channel: str) -> None:
    engine, _, _ = stage
    outcome = engine.run(
        flow, Contact(channel=channel, attributes={"intent": "appointment"}), at=OPEN
    )
    assert outcome.queue == "appointments"


# -- the real flow Lambdas over moto --------------------------------------------------------------


@pytest.fixture()
def real_stage(
    menus_config: ContactCenterConfig, table_definitions: dict[str, dict[str, Any]]
) -> Iterator[FlowInterpreter]:
    library = FlowLibrary.for_stage(menus_config)
    lambdas = LambdaRegistry(environment=flow_lambda_environment(menus_config, library))
    with mock_aws():
        create_customers_table(table_definitions)
        # The handlers read the wall clock, not the interpreter's `at`: history is seeded from it.
        seed(ProfileRepository(boto3.resource("dynamodb").Table("customers")), datetime.now(UTC))
        yield FlowInterpreter(library, lambdas=lambdas)  # each function starts cold
        lambdas.cold_start()


def test_real_lambdas_recognise_a_vip_caller_and_route_her_first(
    real_stage: FlowInterpreter,
) -> None:
    contact = Contact(channel="VOICE", customer_endpoint=Contact.phone(JANE_PHONE))
    outcome = real_stage.run("inbound_voice", contact, customer=ScriptedCustomer(["1"]), at=OPEN)

    assert [call.error for call in outcome.lambda_calls] == [None, None]
    assert outcome.attributes["customerFound"] == "true"
    assert outcome.attributes["firstName"] == "Jane"
    assert outcome.said()[1] == "Welcome back, Jane."
    assert outcome.queue == "billing"
    assert outcome.priority == 1  # tier_priority vip: 1


def test_real_lambdas_route_an_unknown_caller_by_intent_at_base_priority(
    real_stage: FlowInterpreter, dev_config: ContactCenterConfig
) -> None:
    contact = Contact(channel="VOICE", customer_endpoint=Contact.phone(UNKNOWN_PHONE))
    outcome = real_stage.run("inbound_voice", contact, customer=ScriptedCustomer(["2"]), at=OPEN)
    assert outcome.attributes["customerFound"] == "false"
    assert outcome.queue == "support"
    assert outcome.priority is None or outcome.priority >= dev_config.routing.base_priority


def test_real_lambdas_send_a_spanish_speaker_to_the_spanish_queue_while_it_is_open(
    real_stage: FlowInterpreter,
) -> None:
    contact = Contact(channel="VOICE", customer_endpoint=Contact.phone(LUIS_PHONE))
    outcome = real_stage.run("inbound_voice", contact, customer=ScriptedCustomer(["2"]), at=OPEN)
    assert outcome.reached_queue and outcome.queue == "spanish"
    assert outcome.attributes["routingReason"].startswith("language:es")


def test_an_outage_reported_in_spanish_on_a_holiday_goes_to_the_open_queue_not_the_closed_one(
    real_stage: FlowInterpreter,
) -> None:
    # `spanish` keeps business hours (closed on Thanksgiving); `support` is open around the clock.
    contact = Contact(channel="VOICE", customer_endpoint=Contact.phone(LUIS_PHONE))
    outcome = real_stage.run(
        "inbound_voice", contact, customer=ScriptedCustomer(["2"]), at=THANKSGIVING
    )
    assert outcome.reached_queue and outcome.queue == "support"
    assert outcome.attributes["queueName"] == "support"
    assert outcome.attributes["routingReason"].startswith("intent:outage")


def test_real_lambdas_find_a_chat_customer_by_the_email_the_form_gave(
    real_stage: FlowInterpreter,
) -> None:
    contact = Contact(channel="CHAT", attributes={"intent": "billing", "customerEmail": JANE_EMAIL})
    outcome = real_stage.run("inbound_chat", contact, at=OPEN)
    assert outcome.reached_queue and outcome.queue == "billing"


def test_local_routing_rules_match_what_infra_hands_the_function(
    dev_config: ContactCenterConfig,
) -> None:
    from infra.constructs.functions import routing_rules_document

    library = FlowLibrary.for_stage(dev_config)
    local = routing_rules(dev_config, library)
    deployed = routing_rules_document(
        dev_config, {q: library.arn("queue", q) for q in dev_config.queues}
    )
    assert RoutingRules.model_validate(local) == RoutingRules.model_validate(deployed)


# -- real-world exports ----------------------------------------------------------------------------


def test_every_real_world_flow_runs_to_an_end_on_voice_and_chat(realworld_dir: Path) -> None:
    """Every export of every corpus folder: none stops on an action type the engine does not
    know (the ones it cannot interpret are simulated, see test_reference_flows.py)."""
    library = FlowLibrary(lambdas=[])
    paths = real_exports(realworld_dir)
    for path in paths:
        library.add_file(path.stem, path)
    engine = FlowInterpreter(library, lambdas=LambdaRegistry(discover=False))
    results: dict[str, str] = {}
    for path in paths:
        for answers in ([], ["1", "1", "1", "1"]):
            for channel in ("VOICE", "CHAT"):
                contact = Contact(channel=channel, customer_endpoint=Contact.phone(CALLER))
                try:
                    outcome = engine.run(
                        path.stem, contact, customer=ScriptedCustomer(answers), at=OPEN
                    )
                except UnsupportedActionError as refused:
                    results[path.stem] = f"refused {refused.action_type}"
                    continue
                assert outcome.ended_by is not None
                results.setdefault(path.stem, "ran")
    assert len(results) == len(paths) == sum(FLOW_FOLDERS.values())
    assert [name for name, result in results.items() if result != "ran"] == []


def test_a_repeat_caller_is_routed_from_the_copied_crm_answer_without_a_second_lookup(
    real_stage: FlowInterpreter,
) -> None:
    # Jane emailed billing 20 hours ago; today she presses 0 ("anything else").
    contact = Contact(channel="VOICE", customer_endpoint=Contact.phone(JANE_PHONE))
    outcome = real_stage.run("inbound_voice", contact, customer=ScriptedCustomer(["0"]), at=OPEN)
    assert outcome.attributes["isRepeatContact"] == "true"
    assert outcome.attributes["lastContactQueue"] == "billing"
    assert outcome.queue == "billing"
    assert outcome.attributes["routingReason"].startswith("repeat_contact_queue")
    routing_call = outcome.lambda_calls[-1]
    assert routing_call.function == "routing"
    assert '"RoutedToLastQueue"' in routing_call.output
    assert '"RoutingLookups"' not in routing_call.output  # emitted on every DynamoDB lookup


def test_a_first_time_web_chat_customer_is_not_welcomed_back(real_stage: FlowInterpreter) -> None:
    # chat_start created Jane's profile moments ago from the pre-chat form: she is found, but new.
    new = Contact(
        channel="CHAT",
        attributes={"intent": "billing", "customerId": "c-jane", "newCustomer": "true"},
    )
    returning = Contact(
        channel="CHAT",
        attributes={"intent": "billing", "customerId": "c-jane", "newCustomer": "false"},
    )
    first_visit = real_stage.run("inbound_chat", new, at=OPEN)
    second_visit = real_stage.run("inbound_chat", returning, at=OPEN)
    assert first_visit.attributes["customerFound"] == "true"
    assert not any(line.startswith("Welcome back") for line in first_visit.said())
    assert "Welcome back, Jane!" in second_visit.said()
