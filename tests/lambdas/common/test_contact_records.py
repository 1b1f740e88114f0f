"""The contact record model: Connect's shape, its nulls, its additions over time, and its limits."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from pydantic import ValidationError

from lambdas.common.contact_records import ContactRecord
from tests.lambdas.analytics import ctr


def test_a_full_record_reads_with_snake_case_attributes() -> None:
    record = ContactRecord.model_validate(ctr.voice_handled())
    assert record.contact_id == "c-voice-handled"
    assert record.channel == "VOICE"
    assert record.initiation_method == "INBOUND"
    assert record.initiation_timestamp == datetime(2026, 12, 1, 10, 1, tzinfo=UTC)
    assert record.queue is not None and record.queue.name == "support"
    assert record.queue.wait_seconds == 12
    assert record.agent is not None and record.agent.customer_hold_duration == 30
    assert record.customer_endpoint is not None
    assert record.customer_endpoint.type == "TELEPHONE_NUMBER"
    assert record.was_queued and record.reached_agent and not record.is_sms


def test_unknown_fields_are_ignored_and_null_sections_read_as_empty() -> None:
    raw = {
        "ContactId": "c-1",
        "Channel": "chat",
        "Attributes": None,
        "SegmentAttributes": None,
        "Queue": None,
        "Agent": None,
        "ContactLens": {"ConversationalAnalytics": {"Configuration": {}}},
        "Tags": {"aws:connect:instanceId": "x"},
        "InitiationTimestamp": "2026-12-01T10:00:00.123Z",
    }
    record = ContactRecord.model_validate(raw)
    assert record.attributes == {} and record.segment_attributes == {}
    assert record.channel == "CHAT"
    assert record.initiation_timestamp == datetime(2026, 12, 1, 10, 0, 0, 123000, tzinfo=UTC)
    assert not record.was_queued and not record.reached_agent


def test_attribute_values_are_strings_and_null_values_are_dropped() -> None:
    record = ContactRecord.model_validate(
        {"ContactId": "c", "Channel": "VOICE", "Attributes": {"n": 3, "gone": None, "s": "x"}}
    )
    assert record.attributes == {"n": "3", "s": "x"}


def test_sms_is_a_chat_with_the_sms_subtype() -> None:
    record = ContactRecord.model_validate(
        ctr.ctr("c-sms", started=ctr.at(9, 0), channel="CHAT", subtype="connect:SMS")
    )
    assert record.is_sms and record.subtype == "connect:SMS"


def test_queue_wait_falls_back_to_the_timestamps_when_duration_is_missing() -> None:
    record = ContactRecord.model_validate(
        {
            "ContactId": "c",
            "Channel": "VOICE",
            "Queue": {
                "Name": "support",
                "EnqueueTimestamp": "2026-12-01T10:00:00Z",
                "DequeueTimestamp": "2026-12-01T10:00:42Z",
                "Duration": None,
            },
        }
    )
    assert record.queue is not None and record.queue.wait_seconds == 42


@pytest.mark.parametrize(
    "raw",
    [
        {"Channel": "VOICE"},  # no ContactId
        {"ContactId": "", "Channel": "VOICE"},
        {"ContactId": "c"},  # no Channel
        {"ContactId": "c", "Channel": "VOICE", "Queue": {"Duration": -1}},
        {"ContactId": "c", "Channel": "VOICE", "InitiationTimestamp": "yesterday"},
        {"ContactId": "c", "Channel": "VOICE", "Agent": {"AgentInteractionDuration": "long"}},
    ],
)
def test_records_that_cannot_be_attributed_are_rejected(raw: dict) -> None:
    with pytest.raises(ValidationError):
        ContactRecord.model_validate(raw)
