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
- unknown fields are added by AWS over time; consumers must ignore what they do not know.

`kpis_from_records` computes the supervisor's KPIs straight from records, as the reference the
analytics Lambda's figures are tested against.
"""

from __future__ import annotations

import base64
import json
import math
import time
import uuid
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from local_connect.acd import ContactResult, Outcome

FORMAT_VERSION = "2017-03-10"
SUBTYPES = {"voice": "connect:Telephony", "chat": "connect:Chat", "sms": "connect:SMS"}
MEDIA = {"VOICE": "AUDIO", "CHAT": "CHAT", "TASK": "TASK", "EMAIL": "EMAIL"}


@dataclass(frozen=True)
class Instance:
    """The pretend Connect instance whose ARNs appear in the records."""

    day_start: datetime  # local midnight of the simulated day, time-zone aware
    account_id: str = "123456789012"
    region: str = "us-east-1"
    instance_id: str = "00000000-0000-4000-8000-00000000c0de"
    phone_numbers: Mapping[str, str] = field(default_factory=dict)  # scenario channel -> E.164
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
    }
    if result is None:
        ended = contact.flow_ended if contact.flow_ended is not None else contact.initiated
        record["DisconnectTimestamp"] = ts(ended)
        record["DisconnectReason"] = contact.flow_disconnect_reason
        record["LastUpdateTimestamp"] = ts(ended)
        return record
    if result.outcome is Outcome.QUEUE_FULL:
        # TransferContactToQueue failed with QueueAtCapacity: the contact never entered the
        # queue; the flow's branch offered a callback (NextContactId) or hung up.
        ended = result.ended if result.ended is not None else result.enqueued
        record["NextContactId"] = result.next_contact_id
        record["DisconnectTimestamp"] = ts(ended)
        record["DisconnectReason"] = "CONTACT_FLOW_DISCONNECT"
        record["LastUpdateTimestamp"] = ts(ended)
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
    record["LastUpdateTimestamp"] = ts(last_update) if last_update is not None else None
    return record


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


# -- KPIs straight from records ------------------------------------------------------------------


@dataclass
class Kpi:
    """Counters for one (channel, queue) or a total; ratios are derived, never stored."""

    contacts: int = 0
    queued: int = 0
    handled: int = 0
    abandoned: int = 0
    callbacks_requested: int = 0
    answered_in_threshold: int = 0
    self_service: int = 0
    queue_full: int = 0  # routed to this queue, refused at capacity (never queued)
    queue_wait_handled: int = 0  # seconds
    handle_time: int = 0  # seconds: talk + hold + after-contact work

    def add(self, other: Kpi) -> None:
        for name in self.__dataclass_fields__:
            setattr(self, name, getattr(self, name) + getattr(other, name))

    @property
    def abandonment_rate(self) -> float | None:
        return self.abandoned / self.queued if self.queued else None

    @property
    def average_speed_of_answer(self) -> float | None:
        return self.queue_wait_handled / self.handled if self.handled else None

    @property
    def average_handle_time(self) -> float | None:
        return self.handle_time / self.handled if self.handled else None

    @property
    def service_level(self) -> float | None:
        return self.answered_in_threshold / self.queued if self.queued else None

    @property
    def self_service_rate(self) -> float | None:
        return self.self_service / self.contacts if self.contacts else None


def latest_versions(records: Iterable[Mapping[str, Any]]) -> list[Mapping[str, Any]]:
    """One record per ContactId, the one with the newest LastUpdateTimestamp (at-least-once)."""
    newest: dict[str, Mapping[str, Any]] = {}
    for record in records:
        contact_id = str(record["ContactId"])
        seen = newest.get(contact_id)
        if seen is None or str(record.get("LastUpdateTimestamp") or "") >= str(
            seen.get("LastUpdateTimestamp") or ""
        ):
            newest[contact_id] = record
    return list(newest.values())


def kpis_from_records(
    records: Iterable[Mapping[str, Any]], *, service_level_seconds: int
) -> dict[tuple[str, str], Kpi]:
    """KPIs per (Channel, queue name), defined as below; "" = never queued.

    queued: reached a queue. handled: connected to an agent. abandoned: the customer left the
    queue before an agent connected (DisconnectReason CUSTOMER_DISCONNECT, no agent); a caller
    who took a callback is not abandoned, the callback contact carries the demand on.
    self-service: an inbound contact that ended in the flow without reaching a queue. A contact
    the flow routed (its `queueName` attribute is set) but that never got into the queue was
    refused at capacity: it is counted as queue full against that queue, not as served.
    """
    table: dict[tuple[str, str], Kpi] = {}
    for record in latest_versions(records):
        queue = record.get("Queue") or None
        agent = record.get("Agent") or None
        routed_to = (record.get("Attributes") or {}).get("queueName")
        name = queue["Name"] if queue else routed_to or ""
        kpi = table.setdefault((str(record["Channel"]), str(name)), Kpi())
        kpi.contacts += 1
        if queue is None:
            if routed_to:
                kpi.queue_full += 1
            elif _customer_started(record):
                kpi.self_service += 1
            continue
        kpi.queued += 1
        wait = int(queue.get("Duration") or 0)
        if agent and agent.get("ConnectedToAgentTimestamp"):
            kpi.handled += 1
            kpi.queue_wait_handled += wait
            kpi.handle_time += (
                int(agent.get("AgentInteractionDuration") or 0)
                + int(agent.get("CustomerHoldDuration") or 0)
                + int(agent.get("AfterContactWorkDuration") or 0)
            )
            if wait <= service_level_seconds:
                kpi.answered_in_threshold += 1
        elif record.get("NextContactId"):
            kpi.callbacks_requested += 1
        elif record.get("DisconnectReason") == "CUSTOMER_DISCONNECT":
            kpi.abandoned += 1
    return table


def _customer_started(record: Mapping[str, Any]) -> bool:
    """Started by the customer: a call or message in, or (not voice) our own Start*Contact API."""
    method = record.get("InitiationMethod")
    return method == "INBOUND" or (method == "API" and record.get("Channel") != "VOICE")


def parse_timestamp(value: str) -> datetime:
    return datetime.strptime(value, "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=UTC)


# -- the contact-record stream -------------------------------------------------------------------


class ContactRecordStream:
    """Connect's Kinesis export of contact records, played against a (moto) Kinesis stream.

    `put` writes records the way Connect does (JSON, partition key = ContactId); `lambda_events`
    reads them back in shard order and wraps them the way Lambda's Kinesis event source mapping
    hands them to a function (`{"Records": [{"kinesis": {"data": <base64>, ...}, ...}]}`).
    """

    PUT_LIMIT = 500  # PutRecords accepts at most 500 records per call

    def __init__(self, client: Any, stream_name: str) -> None:
        self.client = client
        self.name = stream_name
        description = client.describe_stream_summary(StreamName=stream_name)
        self.arn = description["StreamDescriptionSummary"]["StreamARN"]
        self.region = client.meta.region_name

    def put(self, records: Sequence[Mapping[str, Any]]) -> int:
        """Writes every record; returns how many Kinesis accepted (all, or it raises)."""
        written = 0
        for start in range(0, len(records), self.PUT_LIMIT):
            chunk = records[start : start + self.PUT_LIMIT]
            response = self.client.put_records(
                StreamName=self.name,
                Records=[
                    {
                        "Data": json.dumps(record, separators=(",", ":")).encode("utf-8"),
                        "PartitionKey": str(record["ContactId"]),
                    }
                    for record in chunk
                ],
            )
            if response.get("FailedRecordCount"):
                raise RuntimeError(
                    f"Kinesis rejected {response['FailedRecordCount']} contact record(s)"
                )
            written += len(chunk)
        return written

    def lambda_events(self, batch_size: int = 100) -> Iterator[dict[str, Any]]:
        """Everything in the stream, as Lambda Kinesis events of at most `batch_size` records."""
        shards = self.client.list_shards(StreamName=self.name)["Shards"]
        for shard in shards:
            iterator = self.client.get_shard_iterator(
                StreamName=self.name,
                ShardId=shard["ShardId"],
                ShardIteratorType="TRIM_HORIZON",
            )["ShardIterator"]
            batch: list[dict[str, Any]] = []
            while True:
                response = self.client.get_records(ShardIterator=iterator, Limit=10_000)
                if not response["Records"]:
                    break  # caught up with the end of the shard: the day is fully read
                for item in response["Records"]:
                    batch.append(self._event_record(shard["ShardId"], item))
                    if len(batch) == batch_size:
                        yield {"Records": batch}
                        batch = []
                iterator = response["NextShardIterator"]
            if batch:
                yield {"Records": batch}

    def _event_record(self, shard_id: str, item: Mapping[str, Any]) -> dict[str, Any]:
        arrival = item.get("ApproximateArrivalTimestamp")
        return {
            "kinesis": {
                "kinesisSchemaVersion": "1.0",
                "partitionKey": item["PartitionKey"],
                "sequenceNumber": item["SequenceNumber"],
                "data": base64.b64encode(item["Data"]).decode("ascii"),
                "approximateArrivalTimestamp": arrival.timestamp() if arrival else time.time(),
            },
            "eventSource": "aws:kinesis",
            "eventVersion": "1.0",
            "eventID": f"{shard_id}:{item['SequenceNumber']}",
            "eventName": "aws:kinesis:record",
            "invokeIdentityArn": f"arn:aws:iam::{self.arn.split(':')[4]}:role/rehearsal-analytics",
            "awsRegion": self.region,
            "eventSourceARN": self.arn,
        }
