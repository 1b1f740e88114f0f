"""Delivering one notification: recipient, expiry, quiet hours, consent, template, send.

The handler (SQS) and the local rehearsal both call `NotificationService.deliver`; the handler
adds idempotency around it, so the same `notification_id` is sent at most once.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime

from lambdas.common.masking import mask_email, mask_phone
from lambdas.common.notifications import Notification, NotificationChannel, NotificationKind
from lambdas.common.profiles import Identifier, IdentifierKind, ProfileRepository
from lambdas.common.suppression import SuppressionRepository
from lambdas.notify.gateways import MailSender, RecipientOptedOut, TextSender
from lambdas.notify.logic import (
    Delivery,
    DeliveryDeferred,
    Outcome,
    SendingWindow,
    is_expired,
    resolve_recipient,
    sms_segments,
)
from lambdas.notify.templates import render

_TAG_UNSAFE = re.compile(r"[^A-Za-z0-9_-]")


@dataclass(frozen=True)
class NotifySettings:
    organisation: str
    default_time_zone: str
    sending_window: SendingWindow | None = None
    sms_reminders: bool = True
    survey_link: str | None = None


class NotificationService:
    """Stateless apart from its collaborators; one per container."""

    def __init__(
        self,
        *,
        settings: NotifySettings,
        profiles: ProfileRepository,
        suppressions: SuppressionRepository,
        sms: TextSender | None,
        email: MailSender | None,
    ) -> None:
        self.settings = settings
        self.profiles = profiles
        self.suppressions = suppressions
        self.sms = sms
        self.email = email

    def deliver(self, notification: Notification, *, now: datetime) -> Delivery:
        """Sends or explains why not; raises DeliveryDeferred during the SMS quiet hours."""

        def outcome(result: Outcome, **extra: object) -> Delivery:
            return Delivery(
                notification_id=notification.notification_id,
                channel=notification.channel,
                kind=notification.kind,
                outcome=result,
                at=now,
                **extra,  # type: ignore[arg-type]
            )

        if not self._channel_on(notification):
            return outcome(Outcome.CHANNEL_OFF)
        if is_expired(notification, now):
            return outcome(Outcome.EXPIRED)
        profile = self.profiles.get(notification.customer_id) if notification.customer_id else None
        recipient = resolve_recipient(
            notification, profile, default_time_zone=self.settings.default_time_zone
        )
        if recipient.address is None:
            return outcome(Outcome.NO_ADDRESS)
        message = render(
            notification.content,
            channel=notification.channel,
            language=recipient.language,
            organisation=self.settings.organisation,
            zone=recipient.zone,
            survey_link=self.settings.survey_link,
        )

        if notification.channel is NotificationChannel.SMS:
            assert self.sms is not None  # _channel_on checked it
            window = self.settings.sending_window
            opening = window.next_opening(now, recipient.zone) if window else None
            if opening is not None:
                if is_expired(notification, opening):
                    return outcome(Outcome.EXPIRED)
                raise DeliveryDeferred(notification.notification_id, opening, now)
            if self.sms.is_opted_out(recipient.address):
                return outcome(Outcome.OPTED_OUT)
            ttl = None
            if notification.not_after is not None:
                ttl = int((notification.not_after - now).total_seconds())
            try:
                message_id = self.sms.send(
                    recipient.address,
                    message.body,
                    context={
                        "notification_id": notification.notification_id,
                        "kind": notification.kind.value,
                    },
                    time_to_live=ttl,
                )
            except RecipientOptedOut:
                return outcome(Outcome.OPTED_OUT)
            return outcome(Outcome.SENT, message_id=message_id, segments=sms_segments(message.body))

        assert self.email is not None
        identifier = Identifier(kind=IdentifierKind.EMAIL, value=recipient.address)
        if self.suppressions.find(identifier) is not None:
            return outcome(Outcome.SUPPRESSED)
        message_id = self.email.send(
            recipient.address,
            message.subject or self.settings.organisation,
            message.body,
            tags={
                "kind": notification.kind.value,
                "notification": _TAG_UNSAFE.sub("_", notification.notification_id)[:256],
            },
        )
        return outcome(Outcome.SENT, message_id=message_id)

    def _channel_on(self, notification: Notification) -> bool:
        if notification.channel is NotificationChannel.SMS:
            if self.sms is None:
                return False
            return (
                self.settings.sms_reminders
                or notification.kind is not NotificationKind.APPOINTMENT_REMINDER
            )
        return self.email is not None


def masked_address(notification: Notification) -> str | None:
    """For logs: which address a notification names, never the whole of it."""
    if notification.phone:
        return mask_phone(notification.phone)
    if notification.email:
        return mask_email(notification.email)
    return None
