"""Lex V2 code hook events shaped like AWS's documented examples, built in one place."""

from __future__ import annotations

from typing import Any

from lambdas.self_service.logic import CUSTOMER_ID_ATTRIBUTE


def slot(value: str | None) -> dict[str, Any] | None:
    if value is None:
        return None
    return {
        "shape": "Scalar",
        "value": {"originalValue": value, "interpretedValue": value, "resolvedValues": [value]},
    }


def lex_event(
    intent: str,
    *,
    slots: dict[str, str | None] | None = None,
    customer_id: str | None = "c-jane",
    locale: str = "en_US",
    source: str = "FulfillmentCodeHook",
    confirmation: str = "None",
    attributes: dict[str, str] | None = None,
) -> dict[str, Any]:
    session_attributes = dict(attributes or {})
    if customer_id is not None:
        session_attributes[CUSTOMER_ID_ATTRIBUTE] = customer_id
    return {
        "messageVersion": "1.0",
        "invocationSource": source,
        "inputMode": "Speech",
        "responseContentType": "text/plain; charset=utf-8",
        "sessionId": "contact-1234",
        "inputTranscript": "when is my appointment",
        "bot": {
            "id": "BOT1234567",
            "name": "dev-SelfService",
            "aliasId": "ALIAS12345",
            "aliasName": "live",
            "localeId": locale,
            "version": "1",
        },
        "interpretations": [],
        "proposedNextState": {},
        "requestAttributes": {},
        "sessionState": {
            "sessionAttributes": session_attributes,
            "activeContexts": [],
            "intent": {
                "name": intent,
                "slots": {name: slot(value) for name, value in (slots or {}).items()},
                "state": "ReadyForFulfillment" if source == "FulfillmentCodeHook" else "InProgress",
                "confirmationState": confirmation,
            },
            "originatingRequestId": "req-1",
        },
        "transcriptions": [],
    }
