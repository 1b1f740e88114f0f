"""Contact records in Amazon Connect's own format, and Lambda's Kinesis events carrying them.

Every analytics test builds its records here. The shape follows Connect's contact record data
model and real exports: every top-level key present (null when a section does not apply),
whole-second UTC timestamps, durations that are the differences of the record's own timestamps,
an abandoned contact with a Queue and no Agent, a callback as a second contact pointing back
with PreviousContactId, SMS as CHAT with subtype connect:SMS.
"""

from __future__ import annotations

import base64
import json
from datetime import UTC, datetime, timedelta
from typing import Any

ACCOUNT = "123456789012"
INSTANCE = f"arn:aws:connect:us-east-1:{ACCOUNT}:instance/5a1e0c1e-0000-4000-8000-00000000c0de"
STREAM = f"arn:aws:kinesis:us-east-1:{ACCOUNT}:stream/contact-records"
DAY = datetime(2026, 12, 1, tzinfo=UTC)  # a Tuesday
CALLER = "+13125550143"
SECOND_CALLER = "+17735550188"
SYSTEM_NUMBER = "+18005550199"


def stamp(moment: datetime | None) -> str | None:
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ") if moment else None


def at(hour: int, minute: int, second: int = 0, *, day: int = 0) -> datetime:
    return DAY + timedelta(days=day, hours=hour, minutes=minute, seconds=second)


def ctr(
    contact_id: str,
    *,
    started: datetime,
    channel: str = "VOICE",
    method: str = "INBOUND",
    queue: str | None = None,
    wait: int = 0,
    talk: int | None = None,
    hold: int = 0,
    acw: int = 0,
    flow_seconds: int = 30,
    disconnect_reason: str = "CUSTOMER_DISCONNECT",
    caller: str | None = CALLER,
    email: str | None = None,
    attributes: dict[str, str] | None = None,
    previous: str | None = None,
    next_contact: str | None = None,
    updated_after: int = 0,
    subtype: str | None = None,
) -> dict[str, Any]:
    """One contact record. `queue` None: never queued; `talk` None: no agent.

    The contact spends `flow_seconds` in the flow, then `wait` seconds in `queue`, then (with an
    agent) `talk` + `hold` seconds connected and `acw` seconds of after-contact work.
    `updated_after` moves LastUpdateTimestamp later, as Connect's re-sent versions do.
    """
    enqueued = started + timedelta(seconds=flow_seconds) if queue else None
    dequeued = enqueued + timedelta(seconds=wait) if enqueued else None
    connected = dequeued if talk is not None else None
    if connected is not None:
        disconnected = connected + timedelta(seconds=talk + hold)
    elif dequeued is not None:
        disconnected = dequeued
    else:
        disconnected = started + timedelta(seconds=flow_seconds)
    acw_end = disconnected + timedelta(seconds=acw) if connected else disconnected
    endpoint: dict[str, str] | None = None
    if email:
        endpoint = {"Address": email, "Type": "EMAIL_ADDRESS"}
    elif caller and channel in {"VOICE", "CHAT"} and (channel == "VOICE" or subtype):
        endpoint = {"Address": caller, "Type": "TELEPHONE_NUMBER"}
    media = {"VOICE": "AUDIO", "CHAT": "CHAT", "TASK": "TASK", "EMAIL": "EMAIL"}[channel]
    default_subtype = {"VOICE": "connect:Telephony", "CHAT": "connect:Chat"}.get(channel)
    return {
        "AWSAccountId": ACCOUNT,
        "AWSContactTraceRecordFormatVersion": "2017-03-10",
        "Agent": (
            {
                "ARN": f"{INSTANCE}/agent/0f6e7a1c-agent",
                "AfterContactWorkDuration": acw,
                "AfterContactWorkEndTimestamp": stamp(acw_end),
                "AfterContactWorkStartTimestamp": stamp(disconnected),
                "AgentInteractionDuration": talk,
                "ConnectedToAgentTimestamp": stamp(connected),
                "CustomerHoldDuration": hold,
                "HierarchyGroups": None,
                "LongestHoldDuration": hold,
                "NumberOfHolds": 1 if hold else 0,
                "RoutingProfile": {"ARN": f"{INSTANCE}/routing-profile/rp", "Name": "frontline"},
                "Username": "agent.one",
            }
            if connected
            else None
        ),
        "AgentConnectionAttempts": 1 if connected else 0,
        "AnsweringMachineDetectionStatus": None,
        "Attributes": attributes or {},
        "Campaign": {"CampaignId": None},
        "Channel": channel,
        "ConnectedToSystemTimestamp": stamp(started),
        "ContactDetails": {},
        "ContactId": contact_id,
        "CustomerEndpoint": endpoint,
        "DisconnectReason": disconnect_reason,
        "DisconnectTimestamp": stamp(disconnected),
        "InitialContactId": previous,
        "InitiationMethod": method,
        "InitiationTimestamp": stamp(started),
        "InstanceARN": INSTANCE,
        "LastUpdateTimestamp": stamp(acw_end + timedelta(seconds=1 + updated_after)),
        "MediaStreams": [{"Type": media}],
        "NextContactId": next_contact,
        "PreviousContactId": previous,
        "Queue": (
            {
                "ARN": f"{INSTANCE}/queue/{queue}",
                "DequeueTimestamp": stamp(dequeued),
                "Duration": wait,
                "EnqueueTimestamp": stamp(enqueued),
                "Name": queue,
            }
            if queue
            else None
        ),
        "Recording": None,
        "Recordings": None,
        "References": [],
        "ScheduledTimestamp": None,
        "SegmentAttributes": (
            {"connect:Subtype": {"ValueString": subtype or default_subtype}}
            if subtype or default_subtype
            else None
        ),
        "SystemEndpoint": (
            {"Address": SYSTEM_NUMBER, "Type": "TELEPHONE_NUMBER"} if channel == "VOICE" else None
        ),
        "TransferCompletedTimestamp": None,
        "TransferredToEndpoint": None,
        "VoiceIdResult": None,
    }


def kinesis_event(*payloads: dict[str, Any] | bytes, first_sequence: int = 1) -> dict[str, Any]:
    """Lambda's Kinesis event: each payload JSON-encoded (or raw bytes, for poison records)."""
    records = []
    for offset, payload in enumerate(payloads):
        data = payload if isinstance(payload, bytes) else json.dumps(payload).encode("utf-8")
        contact_id = payload.get("ContactId", "x") if isinstance(payload, dict) else "poison"
        sequence = f"4959{first_sequence + offset:052d}"
        records.append(
            {
                "kinesis": {
                    "kinesisSchemaVersion": "1.0",
                    "partitionKey": str(contact_id),
                    "sequenceNumber": sequence,
                    "data": base64.b64encode(data).decode("ascii"),
                    "approximateArrivalTimestamp": 1764583200.0 + offset,
                },
                "eventSource": "aws:kinesis",
                "eventVersion": "1.0",
                "eventID": f"shardId-000000000000:{sequence}",
                "eventName": "aws:kinesis:record",
                "invokeIdentityArn": f"arn:aws:iam::{ACCOUNT}:role/analytics",
                "awsRegion": "us-east-1",
                "eventSourceARN": STREAM,
            }
        )
    return {"Records": records}


def sequence_numbers(event: dict[str, Any]) -> list[str]:
    return [record["kinesis"]["sequenceNumber"] for record in event["Records"]]


# -- the day the handler tests count ----------------------------------------------------------
# Each contact with its hand-computed part of the totals (threshold 20 s), documented inline.


def voice_handled() -> dict[str, Any]:
    """10:01:00 call, 30 s in the flow, 12 s in `support`, 300 s talk + 30 s hold + 60 s ACW.
    queued 1, answered 1 (within 20 s), handled 1, wait 12, handle 390, inbound 1."""
    return ctr(
        "c-voice-handled",
        started=at(10, 1),
        queue="support",
        wait=12,
        talk=300,
        hold=30,
        acw=60,
    )


def voice_abandoned() -> dict[str, Any]:
    """10:05:00 call, hangs up after 45 s in `support`: queued 1, abandoned 1, abandoned wait 45,
    dequeued within 20 s: no."""
    return ctr(
        "c-voice-abandoned",
        started=at(10, 5),
        queue="support",
        wait=45,
        caller=SECOND_CALLER,
    )


def chat_handled() -> dict[str, Any]:
    """10:07:00 web chat (API start), 25 s in `support`, 600 s talk, 30 s ACW, known customer.
    queued 1, answered 1 (not within 20 s), handled 1, wait 25, handle 630."""
    return ctr(
        "c-chat-handled",
        started=at(10, 7),
        channel="CHAT",
        method="API",
        queue="support",
        wait=25,
        talk=600,
        acw=30,
        caller=None,
        attributes={"customerId": "c-jane", "queueName": "support"},
        disconnect_reason="AGENT_DISCONNECT",
    )


def transfer() -> dict[str, Any]:
    """The handled call's agent transfers it to `billing`: a new contact at 10:06:30 pointing
    back (PreviousContactId), 5 s in `billing`, 120 s talk. Not inbound (no repeat, no
    self-service); counted in 10:00 VOICE billing: queued 1, answered 1 (within), handle 120."""
    return ctr(
        "c-transfer",
        started=at(10, 6, 30),
        method="TRANSFER",
        queue="billing",
        wait=5,
        talk=120,
        flow_seconds=5,
        previous="c-voice-handled",
    )


def callback_request() -> dict[str, Any]:
    """10:20:00 call waits 120 s in `support`, takes the queued callback offer: queued 1,
    callbacks_requested 1, not abandoned; counted in 10:15."""
    return ctr(
        "c-callback-origin",
        started=at(10, 20),
        queue="support",
        wait=120,
        disconnect_reason="CONTACT_FLOW_DISCONNECT",
        next_contact="c-callback",
    )


def callback() -> dict[str, Any]:
    """The callback contact, created 10:22:30, queued 10:22:31, answered after 300 s, 200 s
    talk + 20 s ACW: counted in 10:15 VOICE support: queued 1, answered 1 (not within),
    handled 1, wait 300, handle 220. Not inbound."""
    return ctr(
        "c-callback",
        started=at(10, 22, 30),
        method="CALLBACK",
        queue="support",
        wait=300,
        talk=200,
        acw=20,
        flow_seconds=1,
        previous="c-callback-origin",
    )


def self_service() -> dict[str, Any]:
    """10:31:00 call that ends in the flow after 90 s (hours, balance): inbound 1,
    self_service 1, queue ""; counted in 10:30."""
    return ctr(
        "c-self-service",
        started=at(10, 31),
        flow_seconds=90,
        caller="+16305550111",
        attributes={"intent": "balance"},
    )
