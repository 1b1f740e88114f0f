"""What our flows promise beyond validity: the menu matches config, routing decisions reach the
contact record, every inbound flow falls back to the default queue."""

from __future__ import annotations

import re

import pytest

from config import ContactCenterConfig
from flowlang.loader import Flow, load_flow
from flowlang.placeholders import find_placeholders
from infra.paths import CONTACT_FLOWS_DIR

INBOUND = ("inbound_voice", "inbound_chat", "inbound_email", "inbound_task")
# $.External is not in the contact record; analytics and the agent read contact attributes.
RECORDED = {"intent", "customerId", "tier", "isRepeatContact", "queueName"}


def flow(name: str) -> Flow:
    return load_flow(CONTACT_FLOWS_DIR / f"{name}.json")


def attributes_set(loaded: Flow) -> set[str]:
    return {
        key
        for action in loaded.actions.values()
        if action.type == "UpdateContactAttributes"
        for key in action.parameters["Attributes"]
    }


def test_voice_menu_digits_lead_to_the_intents_in_config(dev_config: ContactCenterConfig) -> None:
    voice = flow("inbound_voice")
    menu = voice.actions["menu"]
    chosen = {}
    for branch in menu.transitions.conditions:
        target = voice.actions[branch.next_action or ""]
        assert target.type == "UpdateContactAttributes"
        chosen[branch.operands[0]] = target.parameters["Attributes"]["intent"]

    assert chosen == {option.digit: option.intent for option in dev_config.routing.menu}
    prompt = menu.parameters["Text"].lower()
    for option in dev_config.routing.menu:
        assert f"press {option.digit}" in prompt


@pytest.mark.parametrize("name", INBOUND)
def test_inbound_flows_record_routing_decisions_as_attributes(name: str) -> None:
    assert attributes_set(flow(name)) >= RECORDED


@pytest.mark.parametrize("name", INBOUND)
def test_inbound_flows_call_both_lambdas_and_pass_the_intent(name: str) -> None:
    loaded = flow(name)
    calls = {
        action.parameters["LambdaFunctionARN"]: action
        for action in loaded.actions.values()
        if action.type == "InvokeLambdaFunction"
    }
    assert set(calls) == {"${lambda:crm_lookup}", "${lambda:routing}"}
    routing = calls["${lambda:routing}"]
    assert routing.parameters["LambdaInvocationAttributes"] == {"intent": "$.Attributes.intent"}
    assert routing.parameters["ResponseValidation"] == {"ResponseType": "STRING_MAP"}


@pytest.mark.parametrize("name", INBOUND)
def test_every_failed_route_or_transfer_ends_in_the_default_queue(name: str) -> None:
    loaded = flow(name)
    fallback = loaded.actions["set-default-queue"]
    assert fallback.parameters == {"QueueId": "${queue:routing.default_queue}"}
    assert loaded.actions["route"].transitions.error_target("NoMatchingError") == "mark-fallback"
    assert loaded.actions["set-routed-queue"].transitions.error_target("NoMatchingError") == (
        "mark-fallback"
    )
    assert loaded.actions["transfer"].transitions.error_target("NoMatchingError") == (
        "mark-fallback"
    )
    assert loaded.actions["mark-fallback"].transitions.next_action == "set-default-queue"


def test_queue_flow_offers_a_callback_after_the_configured_wait() -> None:
    queue = flow("customer_queue")
    hold = queue.actions["hold-then-offer-callback"]
    assert (
        hold.parameters["InterruptFrequencySeconds"] == "${setting:callbacks.offer_after_seconds}"
    )
    (interrupted,) = hold.transitions.conditions
    assert (interrupted.operands, interrupted.next_action) == (
        ("MessagesInterrupted",),
        "offer-callback",
    )
    assert queue.actions["check-callback-setting"].parameters == {
        "ComparisonValue": "$.FlowAttributes.callbacksEnabled"
    }


def test_whisper_reads_only_contact_attributes() -> None:
    whisper = flow("agent_whisper")
    texts = [
        a.parameters["Text"] for a in whisper.actions.values() if a.type == "MessageParticipant"
    ]
    assert texts and all("$.External" not in text for text in texts)
    assert any("$.Attributes.firstName" in text and "$.Attributes.intent" in text for text in texts)


def test_flow_files_hold_no_account_ids_or_arns() -> None:
    for path in CONTACT_FLOWS_DIR.glob("*.json"):
        text = path.read_text()
        assert "arn:" not in text, path.name
        assert re.search(r"\b\d{12}\b", text) is None, path.name  # an account id


def test_every_placeholder_kind_we_document_is_used() -> None:
    kinds = {
        ref.kind
        for path in CONTACT_FLOWS_DIR.glob("*.json")
        for ref in find_placeholders(load_flow(path))
    }
    assert kinds == {"queue", "hours", "lambda", "flow", "setting", "bot"}
