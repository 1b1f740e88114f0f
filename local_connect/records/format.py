"""Contact records (CTRs) in Amazon Connect's own format, built from the rehearsal's contacts.

Format: Connect admin guide, "Data model for Amazon Connect contact records"
(https://docs.aws.amazon.com/connect/latest/adminguide/ctr-data-model.html). Details that matter
to consumers, and that this module reproduces:
- timestamps are UTC ISO 8601 in whole seconds (`2026-12-01T14:03:27Z`), durations whole
  seconds; here every duration is the difference of the record's own rounded timestamps, so a
  consumer can recompute each one from the record;
- `Queue` is present only for contacts that reached a queue and `Agent` only for contacts an
  agent took; an abandoned contact has a `Queue` with a `DequeueTimestamp` and no `Agent`;
- a queued callback is a second contact: `InitiationMethod` CALLBACK, `PreviousContactId` and
  `InitialContactId` pointing at the call that asked for it, which carries `NextContactId`;
  `SystemEndpoint` is not set on CALLBACK contacts;
- SMS is a CHAT contact whose `SegmentAttributes["connect:Subtype"]` is `connect:SMS`;
- `LastUpdateTimestamp` is when Connect wrote the record, about a minute after the contact's
  last event (`LAST_UPDATE_DELAY_SECONDS`), not that event itself;
- every top-level field real records carry is present, with Connect's own shape when it has
  nothing to say (`"Campaign": {"CampaignId": null}`, `"ContactDetails": {}`, nulls);
- a voice call whose flow turned recording on, and that an agent answered, has its `Recording`
  and `Recordings` (Connect records only while an agent is connected);
- unknown fields are added by AWS over time; consumers must ignore what they do not know.
"""

from __future__ import annotations

import math
import uuid
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from local_connect.acd import ContactResult, Outcome
from local_connect.runtime.local_aws import LOCAL_ACCOUNT_ID, LOCAL_REGION

FORMAT_VERSION = "2017-03-10"
# Connect writes a record after the contact's last event (the end of after-contact work, or the
# disconnect), not at it. Observed in real records: 68 s after AfterContactWorkEndTimestamp
# (15:01:54 -> 15:03:02) and 67 s after DisconnectTimestamp (17:47:28 -> 17:48:35); the docs give
# no figure. Dedupe on ContactId + LastUpdateTimestamp is unaffected: one version per contact here.
LAST_UPDATE_DELAY_SECONDS = 68
# Top-level fields of real records that a local contact never fills (outbound campaigns, tasks
# scheduled for later, Voice ID), in the shapes Connect writes when they are empty.
EMPTY_FIELDS: dict[str, Any] = {
    "AnsweringMachineDetectionStatus": None,
    "Campaign": {"CampaignId": None},
    "ContactDetails": {},
    "ScheduledTimestamp": None,
    "VoiceIdResult": None,
}
SUBTYPES = {"voice": "connect:Telephony", "chat": "connect:Chat", "sms": "connect:SMS"}
MEDIA = {"VOICE": "AUDIO", "CHAT": "CHAT", "TASK": "TASK", "EMAIL": "EMAIL"}


@dataclass(frozen=True)
class Instance:
    """The pretend Connect instance whose ARNs appear in the records."""

    day_start: datetime  # local midnight of the simulated day, time-zone aware
    account_id: str = LOCAL_ACCOUNT_ID
    region: str = LOCAL_REGION
    instance_id: str = "00000000-0000-4000-8000-00000000c0de"
    phone_numbers: Mapping[str, str] = field(default_factory=dict)  # scenario channel -> E.164
    # Bucket and prefix of the instance's CALL_RECORDINGS storage config (infra's recordings
    # bucket, prefix "call-recordings": infra/constructs/connect_core.py); the bucket is a
    # stand-in name, a local run has none.
    recordings_location: str = "ccaas-local-recordings/call-recordings"
    # Formatting is the costliest part of building 15,000 records: memoise per second and name.
    _stamps: dict[int, str] = field(default_factory=dict, compare=False, repr=False)
    _arns: dict[tuple[str, str], str] = field(default_factory=dict, compare=False, repr=False)

    @property
    def arn(self) -> str:
        return f"arn:aws:connect:{self.region}:{self.account_id}:instance/{self.instance_id}"

    def resource_arn(self, kind: str, name: str) -> str:
        arn = self._arns.get((kind, name))
        if arn is None:
            # Stable ids derived from names: a queue has the same ARN in every run and variant.
            resource_id = uuid.uuid5(uuid.NAMESPACE_URL, f"{self.instance_id}/{kind}/{name}")
            arn = self._arns[(kind, name)] = f"{self.arn}/{kind}/{resource_id}"
        return arn

    def timestamp(self, seconds: float) -> str:
        whole = math.floor(seconds)
        stamp = self._stamps.get(whole)
        if stamp is None:
            moment = self.day_start + timedelta(seconds=whole)
            stamp = self._stamps[whole] = moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
        return stamp


@dataclass(frozen=True)
class Contact:
    """What the rehearsal knows about one contact besides its time in the ACD."""

    contact_id: str
    channel: str  # scenario channel: voice, chat, sms, email, tasks
    initiated: float
    customer_phone: str | None
    attributes: Mapping[str, str]
    flow_ended: float | None = None  # set when the contact ended in the flow (no queue)
    flow_disconnect_reason: str = "CUSTOMER_DISCONNECT"
    recorded: bool = False  # the flow turned call recording on (UpdateContactRecordingBehavior)


def _whole(seconds: float) -> int:
    return math.floor(seconds)


def contact_record(
    instance: Instance, contact: Contact, result: ContactResult | None
) -> dict[str, Any]:
    """The record of one contact; `result` is its ACD result, None if it never reached a queue."""
    connect_channel = "VOICE" if contact.channel == "voice" else _connect_channel(contact.channel)
    is_callback = result is not None and result.initiation_method == "CALLBACK"
    initiated = result.enqueued if is_callback and result is not None else contact.initiated
    ts = instance.timestamp

    def written_after(last_event: float) -> str:
        return ts(_whole(last_event) + LAST_UPDATE_DELAY_SECONDS)

    record: dict[str, Any] = {
        "AWSAccountId": instance.account_id,
        "AWSContactTraceRecordFormatVersion": FORMAT_VERSION,
        "InstanceARN": instance.arn,
        "ContactId": result.contact_id if result is not None else contact.contact_id,
        "InitialContactId": None,
        "PreviousContactId": None,
        "NextContactId": None,
        "Channel": connect_channel,
        "InitiationMethod": _initiation_method(contact, result),
        "InitiationTimestamp": ts(initiated),
        "ConnectedToSystemTimestamp": ts(initiated),
        "CustomerEndpoint": _customer_endpoint(contact),
        "SystemEndpoint": None if is_callback else _system_endpoint(instance, contact),
        "Attributes": dict(contact.attributes),
        "SegmentAttributes": {
            "connect:Subtype": {"ValueString": SUBTYPES.get(contact.channel, "connect:Chat")}
        },
        "MediaStreams": [{"Type": MEDIA[connect_channel]}],
        "Queue": None,
        "Agent": None,
        "AgentConnectionAttempts": 0,
        "Recording": None,
        "Recordings": None,
        "References": [],
        "TransferCompletedTimestamp": None,
        "TransferredToEndpoint": None,
        **{
            key: dict(value) if isinstance(value, dict) else value
            for key, value in EMPTY_FIELDS.items()
        },
    }
    if result is None:
        ended = contact.flow_ended if contact.flow_ended is not None else contact.initiated
        record["DisconnectTimestamp"] = ts(ended)
        record["DisconnectReason"] = contact.flow_disconnect_reason
        record["LastUpdateTimestamp"] = written_after(ended)
        return record
    if result.outcome is Outcome.QUEUE_FULL:
        # TransferContactToQueue failed with QueueAtCapacity: the contact never entered the
        # queue; the flow's branch offered a callback (NextContactId) or hung up.
        ended = result.ended if result.ended is not None else result.enqueued
        record["NextContactId"] = result.next_contact_id
        record["DisconnectTimestamp"] = ts(ended)
        record["DisconnectReason"] = "CONTACT_FLOW_DISCONNECT"
        record["LastUpdateTimestamp"] = written_after(ended)
        return record

    if is_callback:
        record["PreviousContactId"] = result.previous_contact_id
        record["InitialContactId"] = result.previous_contact_id
    record["NextContactId"] = result.next_contact_id
    dequeued = result.dequeued if result.dequeued is not None else result.ended
    record["Queue"] = {
        "ARN": instance.resource_arn("queue", result.queue),
        "Name": result.queue,
        "EnqueueTimestamp": ts(result.enqueued),
        "DequeueTimestamp": ts(dequeued) if dequeued is not None else None,
        "Duration": (_whole(dequeued) - _whole(result.enqueued)) if dequeued is not None else 0,
    }
    record["AgentConnectionAttempts"] = max(result.attempts, 1 if result.agent else 0)
    finished = result.ended if result.ended is not None else dequeued
    last_update: float | None = finished
    if result.outcome is Outcome.HANDLED:
        assert result.connected is not None and result.released is not None
        connected, released = _whole(result.connected), _whole(result.released)
        disconnected = max(_whole(float(finished or result.connected)), connected)
        hold = min(round(result.hold), disconnected - connected)
        record["Agent"] = {
            "ARN": instance.resource_arn("agent", str(result.agent)),
            "Username": result.agent,
            "RoutingProfile": {
                "ARN": instance.resource_arn("routing-profile", str(result.routing_profile)),
                "Name": result.routing_profile,
            },
            # The agent's hierarchy groups (Level1..Level5 with ARN and GroupName): the config
            # has no agents or hierarchy yet, so, as for an agent outside any hierarchy, null.
            "HierarchyGroups": None,
            "ConnectedToAgentTimestamp": ts(connected),
            "AgentInteractionDuration": disconnected - connected - hold,
            "CustomerHoldDuration": hold,
            "LongestHoldDuration": hold,
            "NumberOfHolds": 1 if hold > 0 else 0,
            "AfterContactWorkStartTimestamp": ts(disconnected),
            "AfterContactWorkEndTimestamp": ts(max(released, disconnected)),
            "AfterContactWorkDuration": max(released, disconnected) - disconnected,
        }
        record["DisconnectReason"] = (
            "CUSTOMER_DISCONNECT" if connect_channel == "VOICE" else "AGENT_DISCONNECT"
        )
        last_update = max(released, disconnected)
        # The flow's recording behaviour belongs to the call it ran for, not to the callback
        # contact a queued callback later creates.
        if contact.recorded and connect_channel == "VOICE" and not is_callback:
            record["Recording"], record["Recordings"] = _recording(
                instance, str(record["ContactId"]), connected
            )
    elif result.outcome is Outcome.ABANDONED:
        record["DisconnectReason"] = "CUSTOMER_DISCONNECT"
    elif result.outcome is Outcome.CALLBACK_REQUESTED:
        # The customer queue flow booked the callback and hung up (DisconnectParticipant).
        record["DisconnectReason"] = "CONTACT_FLOW_DISCONNECT"
    elif result.outcome is Outcome.CALLBACK_UNANSWERED:
        record["DisconnectReason"] = "TELECOM_UNANSWERED"
    else:  # UNSERVED: nobody was staffed to take it before the day finished
        record["DisconnectReason"] = "OTHER"
    record["DisconnectTimestamp"] = ts(finished) if finished is not None else None
    record["LastUpdateTimestamp"] = written_after(last_update) if last_update is not None else None
    return record


def _recording(
    instance: Instance, contact_id: str, connected: float
) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    """`Recording` (the older single field) and `Recordings`, as real records carry them: the
    file is named after the contact and the minute the agent connected, in UTC."""
    started = instance.day_start + timedelta(seconds=connected)
    utc = started.astimezone(UTC)
    location = (
        f"{instance.recordings_location}/{utc:%Y/%m/%d}/{contact_id}_{utc:%Y%m%dT%H:%M}_UTC.wav"
    )
    recording = {
        "DeletionReason": None,
        "Location": location,
        "Status": "AVAILABLE",
        "Type": "AUDIO",
    }
    recordings = [
        {
            "DeletionReason": None,
            "FragmentStartNumber": None,
            "FragmentStopNumber": None,
            "Location": location,
            "MediaStreamType": "AUDIO",
            "ParticipantType": None,
            "StartTimestamp": None,
            "Status": "AVAILABLE",
            "StopTimestamp": None,
            "StorageType": "S3",
        }
    ]
    return recording, recordings


def _initiation_method(contact: Contact, result: ContactResult | None) -> str:
    if result is not None and result.initiation_method != "INBOUND":
        return result.initiation_method  # CALLBACK
    # The web chat widget's backend starts chats with StartChatContact; a call or an SMS to the
    # instance's number starts as INBOUND.
    return "API" if contact.channel == "chat" else "INBOUND"


def _connect_channel(channel: str) -> str:
    return {"chat": "CHAT", "sms": "CHAT", "email": "EMAIL", "tasks": "TASK"}[channel]


def _customer_endpoint(contact: Contact) -> dict[str, str] | None:
    if contact.channel in {"voice", "sms"} and contact.customer_phone:
        return {"Address": contact.customer_phone, "Type": "TELEPHONE_NUMBER"}
    return None  # web chat has no customer address


def _system_endpoint(instance: Instance, contact: Contact) -> dict[str, str] | None:
    number = instance.phone_numbers.get(contact.channel)
    return {"Address": number, "Type": "TELEPHONE_NUMBER"} if number else None


def parse_timestamp(value: str) -> datetime:
    return datetime.strptime(value, "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=UTC)
