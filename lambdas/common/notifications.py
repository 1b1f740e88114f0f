"""The outbound-notification contract: what any producer puts on the notify queue.

Producers (the callback function, the post-contact survey, an appointment system, the rehearsal)
import this module, never the notify function itself. The queue message body is
`Notification.model_dump_json()`; the notify function validates it with the same model, so a
producer and the consumer cannot disagree about a field.

`notification_id` is the idempotency key: the same id is delivered at most once, however often
SQS redelivers it or a producer retries. Make it say what it is about, e.g.
`reminder#<appointment id>#<date>` or `callback#<contact id>`.
"""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Annotated, Any, Literal

from pydantic import AfterValidator, AwareDatetime, BaseModel, ConfigDict, Field, model_validator

from lambdas.common.identity import normalize_email, normalize_phone


class NotificationChannel(StrEnum):
    SMS = "sms"
    EMAIL = "email"


class NotificationKind(StrEnum):
    APPOINTMENT_REMINDER = "appointment_reminder"
    CALLBACK_CONFIRMATION = "callback_confirmation"
    SURVEY_INVITATION = "survey_invitation"
    TEXT_FOLLOW_UP = "text_follow_up"


class _Content(BaseModel):
    # Producers may be newer than the consumer: tolerate fields we do not know yet.
    model_config = ConfigDict(extra="ignore", frozen=True)


class AppointmentReminder(_Content):
    kind: Literal[NotificationKind.APPOINTMENT_REMINDER] = NotificationKind.APPOINTMENT_REMINDER
    appointment_id: str = Field(min_length=1, max_length=128)
    starts_at: AwareDatetime
    location: str | None = Field(default=None, max_length=120)


class CallbackConfirmation(_Content):
    kind: Literal[NotificationKind.CALLBACK_CONFIRMATION] = NotificationKind.CALLBACK_CONFIRMATION
    contact_id: str = Field(min_length=1, max_length=256)
    expected_at: AwareDatetime | None = Field(
        default=None, description="When an agent should call; None says 'shortly'."
    )


class SurveyInvitation(_Content):
    kind: Literal[NotificationKind.SURVEY_INVITATION] = NotificationKind.SURVEY_INVITATION
    contact_id: str = Field(min_length=1, max_length=256)
    link: str | None = Field(
        default=None, pattern=r"^https://", description="Defaults to the config's survey.link."
    )


class TextFollowUp(_Content):
    """The customer asked to be texted instead of waiting (the voice flow's offer): the text
    opens a conversation their reply continues, on the contact center's SMS number."""

    kind: Literal[NotificationKind.TEXT_FOLLOW_UP] = NotificationKind.TEXT_FOLLOW_UP
    contact_id: str = Field(min_length=1, max_length=256)


Content = Annotated[
    AppointmentReminder | CallbackConfirmation | SurveyInvitation | TextFollowUp,
    Field(discriminator="kind"),
]


def _phone(value: str | None) -> str | None:
    if value is None:
        return None
    normalised = normalize_phone(value)
    if normalised is None:
        raise ValueError("is not a phone number")
    return normalised


def _email(value: str | None) -> str | None:
    if value is None:
        return None
    normalised = normalize_email(value)
    if normalised is None:
        raise ValueError("is not an email address")
    return normalised


class Notification(BaseModel):
    """One message to one customer on one channel.

    The recipient is `customer_id` (address, language and time zone come from the profile) and/or
    explicit `phone`/`email`/`language`/`time_zone`, which win over the profile.
    """

    model_config = ConfigDict(extra="ignore", frozen=True)

    notification_id: str = Field(min_length=1, max_length=200, pattern=r"^[A-Za-z0-9_.:#@/+-]+$")
    channel: NotificationChannel
    content: Content
    customer_id: str | None = None
    phone: Annotated[str | None, AfterValidator(_phone)] = None
    email: Annotated[str | None, AfterValidator(_email)] = None
    language: str | None = Field(default=None, max_length=35)
    time_zone: str | None = None
    not_after: AwareDatetime | None = Field(
        default=None, description="Pointless after this instant (e.g. the appointment): dropped."
    )

    @model_validator(mode="after")
    def _someone_to_reach(self) -> Notification:
        if not (self.customer_id or self.phone or self.email):
            raise ValueError("needs a customer_id, a phone or an email")
        return self

    @property
    def kind(self) -> NotificationKind:
        return self.content.kind

    def to_message(self) -> dict[str, Any]:
        """`sqs.send_message(QueueUrl=..., **notification.to_message())`."""
        return {
            "MessageBody": self.model_dump_json(exclude_none=True),
            "MessageAttributes": {
                "kind": {"DataType": "String", "StringValue": self.kind.value},
                "channel": {"DataType": "String", "StringValue": self.channel.value},
            },
        }


def reminder_id(appointment_id: str, starts_at: datetime) -> str:
    """One reminder per appointment slot: rescheduling makes a new id, a retry does not."""
    return f"reminder#{appointment_id}#{starts_at.strftime('%Y%m%dT%H%M')}"
