"""Which messages a finished contact owes its customer, from its contact record. Pure.

The voice flow records what it promised on the contact: `followUpRequested=callback` (a callback
was booked: confirm it by text) or `followUpRequested=sms` (the caller chose a text instead of
waiting: open the conversation their reply continues). The ids are derived from the contact, so
a record delivered twice, or updated, asks for the same message, which notify sends once.
"""

from __future__ import annotations

from lambdas.common.contact_records import ContactRecord
from lambdas.common.identification import WITHHELD_NUMBERS
from lambdas.common.notifications import (
    CallbackConfirmation,
    Notification,
    NotificationChannel,
    TextFollowUp,
)

FOLLOW_UP_ATTRIBUTE = "followUpRequested"
PHONE_ENDPOINT = "TELEPHONE_NUMBER"


def follow_ups(record: ContactRecord) -> list[Notification]:
    """The notifications `record` asks for (none for most contacts)."""
    requested = record.attributes.get(FOLLOW_UP_ATTRIBUTE, "").strip().lower()
    endpoint = record.customer_endpoint
    if requested not in ("callback", "sms") or endpoint is None:
        return []
    if endpoint.type != PHONE_ENDPOINT or not endpoint.address:
        return []
    if endpoint.address in WITHHELD_NUMBERS:
        return []
    customer_id = record.attributes.get("customerId") or None
    language = record.attributes.get("language") or None
    if requested == "callback":
        content: CallbackConfirmation | TextFollowUp = CallbackConfirmation(
            contact_id=record.contact_id
        )
        notification_id = f"callback#{record.contact_id}"
    else:
        content = TextFollowUp(contact_id=record.contact_id)
        notification_id = f"follow-up#{record.contact_id}"
    return [
        Notification(
            notification_id=notification_id,
            channel=NotificationChannel.SMS,
            content=content,
            customer_id=customer_id,
            phone=endpoint.address,
            language=language,
        )
    ]
