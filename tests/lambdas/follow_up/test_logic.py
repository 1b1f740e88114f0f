"""What a finished contact owes its customer, from the attribute the voice flow sets."""

from __future__ import annotations

from typing import Any

import pytest

from lambdas.common.contact_records import ContactRecord
from lambdas.common.notifications import NotificationChannel, NotificationKind
from lambdas.follow_up.logic import follow_ups


def record(attributes: dict[str, str], endpoint: dict[str, str] | None = None) -> ContactRecord:
    raw: dict[str, Any] = {
        "ContactId": "c-123",
        "Channel": "VOICE",
        "InitiationMethod": "INBOUND",
        "InitiationTimestamp": "2026-12-01T23:10:00Z",
        "DisconnectTimestamp": "2026-12-01T23:11:30Z",
        "CustomerEndpoint": endpoint
        if endpoint is not None
        else {"Address": "+13125550143", "Type": "TELEPHONE_NUMBER"},
        "Attributes": attributes,
    }
    return ContactRecord.model_validate(raw)


def test_a_booked_callback_is_confirmed_by_text_to_the_caller() -> None:
    (notification,) = follow_ups(
        record({"followUpRequested": "callback", "customerId": "c-jane", "language": "es"})
    )
    assert notification.notification_id == "callback#c-123"
    assert notification.channel is NotificationChannel.SMS
    assert notification.kind is NotificationKind.CALLBACK_CONFIRMATION
    assert (notification.phone, notification.customer_id, notification.language) == (
        "+13125550143",
        "c-jane",
        "es",
    )


def test_a_caller_who_chose_a_text_gets_one_that_opens_the_conversation() -> None:
    (notification,) = follow_ups(record({"followUpRequested": "SMS"}))
    assert notification.notification_id == "follow-up#c-123"
    assert notification.kind is NotificationKind.TEXT_FOLLOW_UP
    assert notification.customer_id is None and notification.language is None


@pytest.mark.parametrize(
    ("attributes", "endpoint"),
    [
        ({}, None),
        ({"followUpRequested": "email"}, None),
        ({"followUpRequested": "sms"}, {"Address": "jane@example.com", "Type": "EMAIL_ADDRESS"}),
        ({"followUpRequested": "sms"}, {"Address": "+266696687", "Type": "TELEPHONE_NUMBER"}),
        ({"followUpRequested": "callback"}, {"Type": "TELEPHONE_NUMBER"}),
    ],
)
def test_nothing_is_owed_without_a_request_or_a_number_to_text(
    attributes: dict[str, str], endpoint: dict[str, str] | None
) -> None:
    assert follow_ups(record(attributes, endpoint)) == []


def test_the_same_contact_always_asks_for_the_same_message() -> None:
    first = follow_ups(record({"followUpRequested": "sms"}))
    again = follow_ups(record({"followUpRequested": "sms"}))
    assert [n.notification_id for n in first] == [n.notification_id for n in again]
