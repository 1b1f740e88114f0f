"""Contact flow events as Amazon Connect sends them, built in one place for every flow Lambda test.

The shape follows Connect's documented Lambda input (admin guide, "Invoke AWS Lambda functions")
and the real-world corpus's lambda_events/ samples: `Details.ContactData` with the
endpoints, channel and attributes, `Details.Parameters` with what the flow block passes,
`Name: ContactFlowEvent`. Newer fields (SegmentAttributes for SMS, EMAIL_ADDRESS endpoints) are
as the admin guide's attribute reference lists them.
"""

from __future__ import annotations

import io
import json
import logging
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

INSTANCE_ARN = (
    "arn:aws:connect:us-east-1:123456789012:instance/9308c2a1-9bc6-4cea-8290-6c0b4a6d38fa"
)
SYSTEM_NUMBER = "+18005550100"


def flow_event(
    *,
    channel: str = "VOICE",
    customer: str | None = None,
    customer_type: str = "TELEPHONE_NUMBER",
    attributes: dict[str, Any] | None = None,
    parameters: dict[str, Any] | None = None,
    contact_id: str = "c0ffee00-0000-4000-8000-000000000001",
    initial_contact_id: str | None = None,
    previous_contact_id: str | None = None,
    subtype: str | None = None,
    initiation_method: str = "INBOUND",
) -> dict[str, Any]:
    contact_data: dict[str, Any] = {
        "Attributes": attributes or {},
        "Channel": channel,
        "ContactId": contact_id,
        "CustomerEndpoint": {"Address": customer, "Type": customer_type} if customer else None,
        "InitialContactId": initial_contact_id or contact_id,
        "InitiationMethod": initiation_method,
        "InstanceARN": INSTANCE_ARN,
        "PreviousContactId": previous_contact_id or contact_id,
        "Queue": None,
        "SystemEndpoint": {"Address": SYSTEM_NUMBER, "Type": "TELEPHONE_NUMBER"},
        "MediaStreams": {
            "Customer": {
                "Audio": {"StartFragmentNumber": None, "StartTimestamp": None, "StreamARN": None}
            }
        },
    }
    if subtype:
        contact_data["SegmentAttributes"] = {"connect:Subtype": {"ValueString": subtype}}
    return {
        "Name": "ContactFlowEvent",
        "Details": {"ContactData": contact_data, "Parameters": parameters or {}},
    }


def voice_call(number: str, **kwargs: Any) -> dict[str, Any]:
    return flow_event(channel="VOICE", customer=number, **kwargs)


def sms_chat(number: str, **kwargs: Any) -> dict[str, Any]:
    """An inbound text: a chat contact whose customer endpoint is the sender's number."""
    return flow_event(channel="CHAT", customer=number, subtype="connect:SMS", **kwargs)


def web_chat(attributes: dict[str, Any], **kwargs: Any) -> dict[str, Any]:
    """A widget chat: no phone endpoint, identity in the attributes chat-start set."""
    return flow_event(channel="CHAT", attributes=attributes, subtype="connect:Chat", **kwargs)


def email_contact(sender: str, **kwargs: Any) -> dict[str, Any]:
    return flow_event(channel="EMAIL", customer=sender, customer_type="EMAIL_ADDRESS", **kwargs)


def task(attributes: dict[str, Any], **kwargs: Any) -> dict[str, Any]:
    return flow_event(channel="TASK", attributes=attributes, initiation_method="API", **kwargs)


def realworld_events(realworld_dir: Path) -> list[tuple[str, Any]]:
    folder = realworld_dir / "lambda_events"
    return [(path.name, json.loads(path.read_text())) for path in sorted(folder.glob("*.json"))]


class DynamoDbCalls:
    """Counts the DynamoDB API calls a client makes (`before-call`: once per call, not per retry
    attempt) and the attempts it sends (`before-send`)."""

    def __init__(self, client: Any) -> None:
        self.calls: list[str] = []
        self.attempts: list[str] = []
        client.meta.events.register("before-call.dynamodb.*", self._call)
        client.meta.events.register("before-send.dynamodb.*", self._attempt)

    def _call(self, model: Any, **_: Any) -> None:
        self.calls.append(model.name)

    def _attempt(self, event_name: str, **_: Any) -> None:
        self.attempts.append(event_name.rsplit(".", 1)[-1])

    def clear(self) -> None:
        self.calls.clear()
        self.attempts.clear()


@contextmanager
def log_output(logger: Any) -> Iterator[io.StringIO]:
    """What a Powertools Logger writes, as CloudWatch would receive it (its handler keeps the
    stdout of import time, which pytest's capsys does not see)."""
    handler = logger.registered_handler
    assert isinstance(handler, logging.StreamHandler)
    buffer = io.StringIO()
    previous = handler.setStream(buffer)
    try:
        yield buffer
    finally:
        handler.setStream(previous)
