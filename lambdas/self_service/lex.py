"""The Lex V2 code hook's event and answer, in the shapes AWS documents.

Input: https://docs.aws.amazon.com/lexv2/latest/dg/lambda-input-format.html
Answer: https://docs.aws.amazon.com/lexv2/latest/dg/lambda-response-format.html
Session state (shared by both): https://docs.aws.amazon.com/lexv2/latest/dg/lambda-common-structures.html

Only what fulfillment reads is modelled; unknown fields are ignored (Lex adds fields over time).
A slot arrives as `{"shape": "Scalar", "value": {"originalValue", "interpretedValue",
"resolvedValues"}}` or null when not yet filled; the answer returns the intent with the slots
it wants Lex to keep, `dialogAction.type` (Close, Delegate, ElicitSlot) and plain-text messages.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError

InvocationSource = Literal["DialogCodeHook", "FulfillmentCodeHook"]
IntentState = Literal["Fulfilled", "Failed", "InProgress", "ReadyForFulfillment"]
ConfirmationState = Literal["Confirmed", "Denied", "None"]
# Lex limits a session attribute to strings; values longer than this serve no flow.
MAX_ATTRIBUTE_LENGTH = 1024


class MalformedLexEventError(ValueError):
    """The event is not a Lex V2 code hook event we can act on."""


class _LexModel(BaseModel):
    model_config = ConfigDict(extra="ignore", populate_by_name=True, frozen=True)


class SlotValue(_LexModel):
    original_value: str | None = Field(default=None, alias="originalValue")
    interpreted_value: str | None = Field(default=None, alias="interpretedValue")


class Slot(_LexModel):
    value: SlotValue | None = None


class Intent(_LexModel):
    name: str = Field(min_length=1, max_length=100)
    slots: dict[str, Slot | None] = Field(default_factory=dict)
    state: str = "InProgress"
    confirmation_state: ConfirmationState = Field(default="None", alias="confirmationState")

    def slot(self, name: str) -> str | None:
        """The slot's interpreted value (Lex's resolution of what the caller said), if filled."""
        slot = self.slots.get(name)
        if slot is None or slot.value is None:
            return None
        return slot.value.interpreted_value or slot.value.original_value


class Bot(_LexModel):
    locale_id: str = Field(alias="localeId", min_length=1, max_length=10)


class SessionState(_LexModel):
    intent: Intent
    session_attributes: dict[str, str] = Field(default_factory=dict, alias="sessionAttributes")


class LexEvent(_LexModel):
    invocation_source: InvocationSource = Field(alias="invocationSource")
    bot: Bot
    session_state: SessionState = Field(alias="sessionState")
    session_id: str = Field(default="", alias="sessionId")

    @property
    def intent(self) -> Intent:
        return self.session_state.intent

    @property
    def locale(self) -> str:
        return self.bot.locale_id


def parse_lex_event(event: Any) -> LexEvent:
    if not isinstance(event, Mapping):
        raise MalformedLexEventError("the event is not a JSON object")
    try:
        return LexEvent.model_validate(event)
    except ValidationError as error:
        fields = sorted({".".join(str(p) for p in e["loc"]) for e in error.errors()})
        # Field names only: the values are what the caller said.
        raise MalformedLexEventError(
            f"not a Lex V2 code hook event ({', '.join(fields)})"
        ) from None


def intent_name_of(event: Any) -> str:
    """The intent's name from an event that may not parse, for a safe Close; "" when absent."""
    try:
        name = event["sessionState"]["intent"]["name"]
    except (KeyError, TypeError, IndexError):
        return ""
    return name if isinstance(name, str) and 0 < len(name) <= 100 else ""


def _messages(text: str | None) -> list[dict[str, str]]:
    return [{"contentType": "PlainText", "content": text}] if text else []


def _attributes(values: Mapping[str, str]) -> dict[str, str]:
    return {str(key): str(value)[:MAX_ATTRIBUTE_LENGTH] for key, value in values.items()}


def close(
    intent_name: str,
    *,
    state: Literal["Fulfilled", "Failed"],
    message: str | None,
    session_attributes: Mapping[str, str],
    slots: Mapping[str, Any] | None = None,
) -> dict[str, Any]:
    """Ends the conversation: Connect's ConnectParticipantWithLexBot block takes its branch."""
    intent: dict[str, Any] = {"name": intent_name, "state": state}
    if slots is not None:
        intent["slots"] = dict(slots)
    return {
        "sessionState": {
            "sessionAttributes": _attributes(session_attributes),
            "dialogAction": {"type": "Close"},
            "intent": intent,
        },
        "messages": _messages(message),
    }


def delegate(event: LexEvent, raw_intent: Mapping[str, Any]) -> dict[str, Any]:
    """Lets Lex carry on with its own next step (ask the next slot, confirm, fulfil)."""
    return {
        "sessionState": {
            "sessionAttributes": _attributes(event.session_state.session_attributes),
            "dialogAction": {"type": "Delegate"},
            "intent": dict(raw_intent),
        }
    }


def elicit_slot(
    event: LexEvent, raw_intent: Mapping[str, Any], slot: str, *, message: str, clear: list[str]
) -> dict[str, Any]:
    """Asks for `slot` again with our words, after emptying the `clear` slots."""
    intent = dict(raw_intent)
    intent["slots"] = {
        name: (None if name in clear else value)
        for name, value in dict(raw_intent.get("slots") or {}).items()
    }
    intent["state"] = "InProgress"
    return {
        "sessionState": {
            "sessionAttributes": _attributes(event.session_state.session_attributes),
            "dialogAction": {"type": "ElicitSlot", "slotToElicit": slot},
            "intent": intent,
        },
        "messages": _messages(message),
    }
