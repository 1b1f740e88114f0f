"""The self-service bot as the rehearsal plays it: a `lexv2-runtime` stand-in that ends each
conversation the way the scenario drew it (`traffic.BotVisit`), for the real entry flows.

A day of 15,000 contacts cannot afford a conversation each through the local Lex runtime and
the fulfillment function (several turns, a Lambda invocation and DynamoDB reads per contact),
and the scenario decides the outcome anyway. So the bot is modelled at its contract with the
flows (docs/self-service.md): its last answer closes the intent with the session attributes the
fulfillment function sets (`self_service_intent`, `self_service_outcome`, `self_service_detail`,
`self_service_slots`), and everything else is the real flow: `in_bot` before the bot, copying
the outcome, the goodbye, the FallbackIntent retries, routing an escalation by the bot's intent.
The analytics handler therefore counts the bot's contacts from the attributes the flows set.
"""

from __future__ import annotations

from typing import Any

from config.bot import FALLBACK_INTENT, BotDefinition
from local_connect.flows.model import ScriptedCustomer
from local_connect.scenarios.traffic import BotVisit

# What self_service_detail says of a rehearsed conversation: no real fulfillment decided it.
REHEARSED_DETAIL = "rehearsed"
FULFILLED = "fulfilled"
ESCALATE = "escalate"
# How often a customer whose request the bot does not recognise says it: once, then once per
# retry of the entry flows' bot-no-match loop (LoopCount 2), after which the flow hands over.
FALLBACK_TRIES = 3


class ModelledBot:
    """`recognize_text` closes the conversation of `visit` (set per contact by the router)."""

    def __init__(self, definition: BotDefinition) -> None:
        self.agent_intent = next(
            name
            for name, intent in definition.intents.items()
            if intent.fulfillment == "talk_to_agent"
        )
        self.visit: BotVisit | None = None

    def recognize_text(self, **request: Any) -> dict[str, Any]:
        visit = self.visit
        if visit is None or visit.outcome == "asked_for_agent":
            return _close(self.agent_intent, ESCALATE, "requested")
        if visit.bot_intent is None:
            return _close(FALLBACK_INTENT, None, None)
        if visit.outcome == "contained":
            return _close(visit.bot_intent, FULFILLED, REHEARSED_DETAIL)
        return _close(visit.bot_intent, ESCALATE, REHEARSED_DETAIL)


def customer_in_bot(visit: BotVisit) -> ScriptedCustomer:
    """The customer's side: hangs up at the bot's question (abandoned), says an unrecognised
    request until the flow gives up, or says one thing the bot closes on."""
    if visit.outcome == "abandoned":
        return ScriptedCustomer([], patience=0)
    said = "(the customer's request)"
    return ScriptedCustomer([said] * (FALLBACK_TRIES if visit.bot_intent is None else 1))


def _close(intent: str, outcome: str | None, detail: str | None) -> dict[str, Any]:
    attributes = {}
    if outcome is not None and detail is not None:
        attributes = {
            "self_service_intent": intent,
            "self_service_outcome": outcome,
            "self_service_detail": detail,
            "self_service_slots": "",
        }
    state = "Fulfilled" if outcome == FULFILLED else "Failed"
    return {
        "sessionState": {
            "dialogAction": {"type": "Close"},
            "intent": {"name": intent, "slots": {}, "state": state, "confirmationState": "None"},
            "sessionAttributes": attributes,
        },
        "messages": [],
    }
