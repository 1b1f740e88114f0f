"""A stand-in for the self-service fulfillment function, for tests of the local Lex and the flows."""

from __future__ import annotations

from typing import Any


class FakeFulfillment:
    """A code hook with the fulfillment function's contract: Delegate while the dialog runs,
    then Close with the outcome attributes; `events` keeps what Lex sent."""

    def __init__(self, *, raise_on: str | None = None) -> None:
        self.events: list[dict[str, Any]] = []
        self.raise_on = raise_on

    def __call__(self, event: dict[str, Any]) -> dict[str, Any]:
        self.events.append(event)
        intent = event["sessionState"]["intent"]
        if intent["name"] == self.raise_on:
            raise RuntimeError("table unavailable")
        state: dict[str, Any] = {"intent": intent, "sessionAttributes": {}}
        if event["invocationSource"] == "DialogCodeHook":
            state["dialogAction"] = {"type": "Delegate"}
            return {"sessionState": state}
        escalate = intent["name"] == "TalkToAgent"
        state["dialogAction"] = {"type": "Close"}
        state["intent"] = {**intent, "state": "Failed" if escalate else "Fulfilled"}
        state["sessionAttributes"] = {
            "self_service_intent": intent["name"],
            "self_service_outcome": "escalate" if escalate else "fulfilled",
            "self_service_detail": "requested" if escalate else "found",
            "self_service_slots": "",
        }
        return {"sessionState": state, "messages": [{"contentType": "PlainText", "content": "ok"}]}
