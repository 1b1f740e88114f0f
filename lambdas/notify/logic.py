"""Pure decisions for outbound notifications: who, in which language, and when.

No boto3 and no clock here: `now` is always an argument, so quiet hours and expiry are tested
exhaustively (including daylight-saving changes) without waiting for the night.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import UTC, datetime, time, timedelta
from enum import StrEnum
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import BaseModel

from lambdas.common.notifications import Notification, NotificationChannel, NotificationKind
from lambdas.common.profiles import CustomerProfile, IdentifierKind
from lambdas.notify.templates import choose_language

# SQS keeps a received message invisible for at most 12 hours (ChangeMessageVisibility); a
# longer wait is taken in steps, re-checking the window each time the message comes back.
MAX_DEFER_SECONDS = 43_000


class Outcome(StrEnum):
    SENT = "sent"
    OPTED_OUT = "opted_out"
    SUPPRESSED = "suppressed"
    NO_ADDRESS = "no_address"
    EXPIRED = "expired"
    CHANNEL_OFF = "channel_off"


class Delivery(BaseModel):
    """What happened to one notification; stored as the idempotent result of its delivery."""

    notification_id: str
    channel: NotificationChannel
    kind: NotificationKind
    outcome: Outcome
    at: datetime
    message_id: str | None = None
    segments: int | None = None


class DeliveryDeferred(Exception):  # noqa: N818 - a signal, not a failure
    """Quiet hours: try again at `until`. The handler turns this into a delayed redelivery."""

    def __init__(self, notification_id: str, until: datetime, now: datetime) -> None:
        self.notification_id = notification_id
        self.until = until
        self.delay_seconds = min(
            MAX_DEFER_SECONDS, max(1, math.ceil((until - now).total_seconds()))
        )
        super().__init__(f"{notification_id} deferred until {until.isoformat()}")


@dataclass(frozen=True)
class SendingWindow:
    """The hours, in the customer's own time zone, when an SMS may be sent (start <= t < end)."""

    start: time
    end: time

    @classmethod
    def parse(cls, text: str | None) -> SendingWindow | None:
        """`"08:00-21:00"` or empty (send at any hour)."""
        if not text:
            return None
        start, _, end = text.partition("-")
        window = cls(time.fromisoformat(start.strip()), time.fromisoformat(end.strip()))
        if window.end <= window.start:
            raise ValueError(f"sending window '{text}' must end after it starts")
        return window

    def next_opening(self, now: datetime, zone: ZoneInfo) -> datetime | None:
        """None when `now` is inside the window, else the next instant the window opens."""
        local = now.astimezone(zone)
        if self.start <= local.time() < self.end:
            return None
        day = local.date() if local.time() < self.start else local.date() + timedelta(days=1)
        while True:
            # A start inside a spring-forward gap does not exist locally; the UTC round-trip moves
            # it to the first real instant after the gap, which may already be past the end when
            # the gap swallows the whole window that day.
            opening = (
                datetime.combine(day, self.start, tzinfo=zone).astimezone(UTC).astimezone(zone)
            )
            if opening.time() < self.end:
                return opening
            day += timedelta(days=1)


@dataclass(frozen=True)
class Recipient:
    address: str | None
    language: str
    zone: ZoneInfo


def time_zone(*candidates: str | None, default: str) -> ZoneInfo:
    """The first valid IANA zone among the candidates (a profile may hold a bad one)."""
    for candidate in candidates:
        if candidate:
            try:
                return ZoneInfo(candidate)
            except (ZoneInfoNotFoundError, ValueError):
                continue
    return ZoneInfo(default)


def resolve_recipient(
    notification: Notification, profile: CustomerProfile | None, *, default_time_zone: str
) -> Recipient:
    """Explicit fields on the notification win; the profile fills the gaps."""
    kind = (
        IdentifierKind.PHONE
        if notification.channel is NotificationChannel.SMS
        else IdentifierKind.EMAIL
    )
    explicit = notification.phone if kind is IdentifierKind.PHONE else notification.email
    known = None
    if profile is not None:
        known = next((i.value for i in profile.identifiers if i.kind is kind), None)
    return Recipient(
        address=explicit or known,
        language=choose_language(notification.language, profile.language if profile else None),
        zone=time_zone(
            notification.time_zone,
            profile.time_zone if profile else None,
            default=default_time_zone,
        ),
    )


def is_expired(notification: Notification, at: datetime) -> bool:
    return notification.not_after is not None and at >= notification.not_after


_GSM7_BASIC = set(
    "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?"
    "¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà"
)
_GSM7_EXTENDED = set("^{}\\[~]|€\f")


def sms_segments(body: str) -> int:
    """Billed message parts: GSM-7 holds 160 characters (153 per part when split), anything
    outside it (á, í, ó, ú, emoji) switches the whole message to UCS-2: 70 (67 per part).

    https://docs.aws.amazon.com/sms-voice/latest/userguide/sms-limitations-character.html
    """
    if all(char in _GSM7_BASIC or char in _GSM7_EXTENDED for char in body):
        units = sum(2 if char in _GSM7_EXTENDED else 1 for char in body)
        single, part = 160, 153
    else:
        # UTF-16 code units: characters outside the BMP (most emoji) take two.
        units = len(body.encode("utf-16-le")) // 2
        single, part = 70, 67
    if units <= single:
        return 1
    return math.ceil(units / part)
