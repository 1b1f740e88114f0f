"""Contact records in Connect's documented format, and the stream they travel on."""

from __future__ import annotations

import json
from datetime import datetime
from zoneinfo import ZoneInfo

from local_connect.acd import ContactResult, Outcome
from local_connect.records import (
    Contact,
    ContactRecordStream,
    Instance,
    contact_record,
    parse_timestamp,
)
from local_connect.records.format import LAST_UPDATE_DELAY_SECONDS

CHICAGO = ZoneInfo("America/Chicago")
INSTANCE = Instance(
    day_start=datetime(2026, 12, 1, tzinfo=CHICAGO),
    phone_numbers={"voice": "+18005550199", "sms": "+18335550142"},
)
NINE = 9 * 3600.0


def caller(channel: str = "voice", **fields: object) -> Contact:
    defaults: dict[str, object] = {
        "contact_id": "c-1",
        "channel": channel,
        "initiated": NINE,
        "customer_phone": "+12015550123",
        "attributes": {"intent": "billing", "queueName": "billing"},
    }
    return Contact(**{**defaults, **fields})  # type: ignore[arg-type]


def handled(**fields: object) -> ContactResult:
    defaults: dict[str, object] = {
        "contact_id": "c-1",
        "channel": "VOICE",
        "queue": "billing",
        "priority": 5,
        "enqueued": NINE + 40.4,
        "outcome": Outcome.HANDLED,
        "dequeued": NINE + 95.9,
        "agent": "frontline-007",
        "routing_profile": "frontline",
        "connected": NINE + 95.9,
        "talk": 300.2,
        "hold": 30.0,
        "after_contact_work": 45.0,
        "ended": NINE + 426.1,
        "released": NINE + 471.1,
    }
    return ContactResult(**{**defaults, **fields})  # type: ignore[arg-type]


def seconds(stamp: str) -> int:
    return int(parse_timestamp(stamp).timestamp())


def test_a_handled_call_has_every_documented_section_in_whole_seconds() -> None:
    record = contact_record(INSTANCE, caller(), handled())
    assert record["AWSContactTraceRecordFormatVersion"] == "2017-03-10"
    assert record["InstanceARN"].startswith("arn:aws:connect:us-east-1:123456789012:instance/")
    assert record["Channel"] == "VOICE"
    assert record["InitiationMethod"] == "INBOUND"
    # 09:00 in Chicago on 1 December is 15:00 UTC.
    assert record["InitiationTimestamp"] == "2026-12-01T15:00:00Z"
    assert record["CustomerEndpoint"] == {"Address": "+12015550123", "Type": "TELEPHONE_NUMBER"}
    assert record["SystemEndpoint"] == {"Address": "+18005550199", "Type": "TELEPHONE_NUMBER"}
    assert record["Attributes"] == {"intent": "billing", "queueName": "billing"}
    assert record["SegmentAttributes"]["connect:Subtype"] == {"ValueString": "connect:Telephony"}
    queue, agent = record["Queue"], record["Agent"]
    assert queue["Name"] == "billing" and "/queue/" in queue["ARN"]
    assert queue["Duration"] == seconds(queue["DequeueTimestamp"]) - seconds(
        queue["EnqueueTimestamp"]
    )
    assert queue["Duration"] == 55  # 09:00:40 -> 09:01:35
    assert agent["Username"] == "frontline-007"
    assert agent["RoutingProfile"]["Name"] == "frontline"
    talk_and_hold = seconds(record["DisconnectTimestamp"]) - seconds(
        agent["ConnectedToAgentTimestamp"]
    )
    assert agent["AgentInteractionDuration"] + agent["CustomerHoldDuration"] == talk_and_hold
    assert agent["CustomerHoldDuration"] == 30 and agent["NumberOfHolds"] == 1
    assert agent["AfterContactWorkDuration"] == seconds(
        agent["AfterContactWorkEndTimestamp"]
    ) - seconds(agent["AfterContactWorkStartTimestamp"])
    # Connect writes the record about a minute after after-contact work ends.
    assert (
        seconds(record["LastUpdateTimestamp"]) - seconds(agent["AfterContactWorkEndTimestamp"])
        == LAST_UPDATE_DELAY_SECONDS
    )
    json.dumps(record)  # what goes into Kinesis must be plain JSON


def test_an_abandoned_contact_has_a_queue_and_no_agent() -> None:
    result = handled(
        outcome=Outcome.ABANDONED,
        agent=None,
        routing_profile=None,
        connected=None,
        dequeued=NINE + 300.0,
        ended=NINE + 300.0,
        released=None,
    )
    record = contact_record(INSTANCE, caller(), result)
    assert record["Agent"] is None
    assert record["Queue"]["DequeueTimestamp"] == "2026-12-01T15:05:00Z"
    assert record["DisconnectReason"] == "CUSTOMER_DISCONNECT"
    assert record["DisconnectTimestamp"] == "2026-12-01T15:05:00Z"


def test_a_callback_is_a_second_contact_linked_to_the_call_that_asked_for_it() -> None:
    asked = handled(
        outcome=Outcome.CALLBACK_REQUESTED,
        agent=None,
        routing_profile=None,
        connected=None,
        dequeued=NINE + 160.0,
        ended=NINE + 160.0,
        released=None,
        next_contact_id="cb-1",
    )
    callback = handled(
        contact_id="cb-1",
        initiation_method="CALLBACK",
        previous_contact_id="c-1",
        enqueued=NINE + 160.0,
        dequeued=NINE + 900.0,
        connected=NINE + 900.0,
        ended=NINE + 1230.0,
        released=NINE + 1275.0,
        attempts=1,
    )
    first = contact_record(INSTANCE, caller(), asked)
    second = contact_record(INSTANCE, caller(), callback)
    assert first["NextContactId"] == "cb-1"
    assert first["DisconnectReason"] == "CONTACT_FLOW_DISCONNECT"
    assert second["ContactId"] == "cb-1"
    assert second["InitiationMethod"] == "CALLBACK"
    assert second["PreviousContactId"] == second["InitialContactId"] == "c-1"
    assert second["SystemEndpoint"] is None  # not populated for CALLBACK contacts
    assert second["InitiationTimestamp"] == "2026-12-01T15:02:40Z"
    assert second["AgentConnectionAttempts"] == 1


def test_sms_is_a_chat_with_the_sms_subtype_and_web_chat_has_no_address() -> None:
    sms = contact_record(INSTANCE, caller("sms"), handled(channel="CHAT"))
    web = contact_record(INSTANCE, caller("chat"), handled(channel="CHAT"))
    assert sms["Channel"] == web["Channel"] == "CHAT"
    assert sms["SegmentAttributes"]["connect:Subtype"]["ValueString"] == "connect:SMS"
    assert sms["SystemEndpoint"]["Address"] == "+18335550142"
    assert sms["MediaStreams"] == [{"Type": "CHAT"}]
    assert web["CustomerEndpoint"] is None
    assert sms["InitiationMethod"] == "INBOUND"
    assert web["InitiationMethod"] == "API"  # the widget's backend calls StartChatContact
    assert web["DisconnectReason"] == "AGENT_DISCONNECT"


def test_contacts_that_never_reach_a_queue() -> None:
    in_flow = contact_record(INSTANCE, caller(flow_ended=NINE + 45.0), None)
    assert in_flow["Queue"] is None and in_flow["Agent"] is None
    assert in_flow["DisconnectTimestamp"] == "2026-12-01T15:00:45Z"
    full = contact_record(
        INSTANCE,
        caller(),
        handled(
            outcome=Outcome.QUEUE_FULL,
            dequeued=None,
            agent=None,
            connected=None,
            ended=NINE + 40.0,
            released=None,
        ),
    )
    assert full["Queue"] is None
    assert full["DisconnectReason"] == "CONTACT_FLOW_DISCONNECT"


# Every top-level field of a real record (a voice call with an agent, exported from a live
# instance in 2022), so a field Connect writes and we do not is noticed.
REAL_RECORD_FIELDS = {
    "AWSAccountId", "AWSContactTraceRecordFormatVersion", "Agent", "AgentConnectionAttempts",
    "AnsweringMachineDetectionStatus", "Attributes", "Campaign", "Channel",
    "ConnectedToSystemTimestamp", "ContactDetails", "ContactId", "CustomerEndpoint",
    "DisconnectReason", "DisconnectTimestamp", "InitialContactId", "InitiationMethod",
    "InitiationTimestamp", "InstanceARN", "LastUpdateTimestamp", "MediaStreams", "NextContactId",
    "PreviousContactId", "Queue", "Recording", "Recordings", "References", "ScheduledTimestamp",
    "SystemEndpoint", "TransferCompletedTimestamp", "TransferredToEndpoint", "VoiceIdResult",
}  # fmt: skip


def test_every_record_has_the_fields_real_records_carry_in_connects_empty_shapes() -> None:
    records = [
        contact_record(INSTANCE, caller(), handled()),
        contact_record(INSTANCE, caller("chat"), handled(channel="CHAT")),
        contact_record(INSTANCE, caller(flow_ended=NINE + 45.0), None),
    ]
    for record in records:
        assert set(record) >= REAL_RECORD_FIELDS
        assert record["AnsweringMachineDetectionStatus"] is None
        assert record["Campaign"] == {"CampaignId": None}
        assert record["ContactDetails"] == {}
        assert record["ScheduledTimestamp"] is None and record["VoiceIdResult"] is None
    records[0]["Campaign"]["CampaignId"] = "changed"
    assert records[1]["Campaign"] == {"CampaignId": None}  # no shared dict between records


def test_the_record_is_written_about_a_minute_after_the_contacts_last_event() -> None:
    in_flow = contact_record(INSTANCE, caller(flow_ended=NINE + 45.0), None)
    abandoned = contact_record(
        INSTANCE,
        caller(),
        handled(
            outcome=Outcome.ABANDONED,
            agent=None,
            routing_profile=None,
            connected=None,
            dequeued=NINE + 300.0,
            ended=NINE + 300.0,
            released=None,
        ),
    )
    for record in (in_flow, abandoned):
        delay = seconds(record["LastUpdateTimestamp"]) - seconds(record["DisconnectTimestamp"])
        assert delay == LAST_UPDATE_DELAY_SECONDS


def test_a_recorded_call_an_agent_answered_has_its_recording() -> None:
    record = contact_record(INSTANCE, caller(recorded=True), handled())
    # The agent connected at 09:01:35 in Chicago: 15:01 UTC.
    location = "ccaas-local-recordings/call-recordings/2026/12/01/c-1_20261201T15:01_UTC.wav"
    assert record["Recording"] == {
        "DeletionReason": None,
        "Location": location,
        "Status": "AVAILABLE",
        "Type": "AUDIO",
    }
    (recording,) = record["Recordings"]
    assert (recording["Location"], recording["MediaStreamType"]) == (location, "AUDIO")
    assert (recording["Status"], recording["StorageType"]) == ("AVAILABLE", "S3")


def test_no_recording_without_recording_on_an_agent_or_a_voice_call() -> None:
    unrecorded = contact_record(INSTANCE, caller(), handled())
    abandoned = contact_record(
        INSTANCE,
        caller(recorded=True),
        handled(outcome=Outcome.ABANDONED, agent=None, connected=None, released=None),
    )
    chat = contact_record(INSTANCE, caller("chat", recorded=True), handled(channel="CHAT"))
    callback = contact_record(
        INSTANCE,
        caller(recorded=True),
        handled(contact_id="cb-1", initiation_method="CALLBACK", previous_contact_id="c-1"),
    )
    for record in (unrecorded, abandoned, chat, callback):
        assert record["Recording"] is None and record["Recordings"] is None
    # No agents or hierarchy in the config yet: the agent's hierarchy groups stay null.
    assert unrecorded["Agent"]["HierarchyGroups"] is None


def test_records_go_through_the_stream_and_come_back_as_lambda_events(aws: None) -> None:
    import base64

    import boto3

    kinesis = boto3.client("kinesis")
    kinesis.create_stream(StreamName="contact-records", ShardCount=2)
    stream = ContactRecordStream(kinesis, "contact-records")
    records = [
        contact_record(INSTANCE, caller(contact_id=f"c-{i}"), handled(contact_id=f"c-{i}"))
        for i in range(1200)
    ]
    assert stream.put(records) == 1200  # three PutRecords calls: 500 is the limit per call

    events = list(stream.lambda_events(batch_size=100))
    assert all(len(event["Records"]) <= 100 for event in events)
    items = [item for event in events for item in event["Records"]]
    assert len(items) == 1200
    first = items[0]
    assert first["eventSource"] == "aws:kinesis"
    assert first["eventName"] == "aws:kinesis:record"
    assert first["eventSourceARN"] == stream.arn
    assert first["eventID"].startswith("shardId-")
    decoded = [json.loads(base64.b64decode(i["kinesis"]["data"])) for i in items]
    assert sorted(r["ContactId"] for r in decoded) == sorted(r["ContactId"] for r in records)
    assert all(
        i["kinesis"]["partitionKey"] == r["ContactId"] for i, r in zip(items, decoded, strict=True)
    )
