"""Appointment reminders: turn tomorrow's appointments into notifications and deliver them.

In the cloud an appointment system (or a scheduled job) puts `reminder_for(...)` on the notify
queue. The local rehearsal calls `send_reminders_for_tomorrow` directly with a
`NotificationService` bound to moto and the local engine, so it exercises the same templates,
opt-out checks and quiet hours as production:

    service = NotificationService(
        settings=NotifySettings(organisation=config.organisation,
                                default_time_zone=config.hours["business"].time_zone,
                                sending_window=SendingWindow(q.start, q.end),  # config.sms.quiet_hours
                                sms_reminders=config.sms.reminders,
                                survey_link=config.survey.link),
        profiles=ProfileRepository(table), suppressions=SuppressionRepository(table),
        sms=SmsGateway(client=boto3.client("pinpoint-sms-voice-v2"), origination_identity=...,
                       opt_out_list=config.sms.opt_out_list),
        email=None)
    run = send_reminders_for_tomorrow(appointments, service=service, now=now,
                                      time_zone="America/Chicago")
    run.counts()  # {"sent": 412, "opted_out": 9, "deferred": 0, ...}
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from lambdas.common.notifications import (
    AppointmentReminder,
    Notification,
    NotificationChannel,
    reminder_id,
)
from lambdas.notify.logic import Delivery, DeliveryDeferred, Outcome
from lambdas.notify.service import NotificationService

DEFERRED = "deferred"


@dataclass(frozen=True)
class Appointment:
    appointment_id: str
    starts_at: datetime
    customer_id: str | None = None
    phone: str | None = None
    email: str | None = None
    location: str | None = None
    language: str | None = None


def reminder_for(
    appointment: Appointment, channel: NotificationChannel = NotificationChannel.SMS
) -> Notification:
    """One notification per appointment slot; it expires when the appointment starts."""
    return Notification(
        notification_id=reminder_id(appointment.appointment_id, appointment.starts_at),
        channel=channel,
        customer_id=appointment.customer_id,
        phone=appointment.phone,
        email=appointment.email,
        language=appointment.language,
        not_after=appointment.starts_at,
        content=AppointmentReminder(
            appointment_id=appointment.appointment_id,
            starts_at=appointment.starts_at,
            location=appointment.location,
        ),
    )


def tomorrows(
    appointments: Iterable[Appointment], *, now: datetime, time_zone: str
) -> list[Appointment]:
    """Appointments on the calendar day after `now`, in the organisation's time zone."""
    zone = ZoneInfo(time_zone)
    tomorrow = (now.astimezone(zone) + timedelta(days=1)).date()
    return [a for a in appointments if a.starts_at.astimezone(zone).date() == tomorrow]


@dataclass
class ReminderRun:
    """Outcomes by appointment id; deferred ones go out when the sending window opens."""

    deliveries: dict[str, Delivery] = field(default_factory=dict)
    deferred: dict[str, DeliveryDeferred] = field(default_factory=dict)

    def counts(self) -> dict[str, int]:
        counted = Counter(delivery.outcome.value for delivery in self.deliveries.values())
        if self.deferred:
            counted[DEFERRED] = len(self.deferred)
        return dict(counted)

    def reminded_appointment_ids(self) -> set[str]:
        """Appointments whose customer got a reminder (the rehearsal models their no-shows)."""
        return {
            appointment_id
            for appointment_id, delivery in self.deliveries.items()
            if delivery.outcome is Outcome.SENT
        }


def send_reminders_for_tomorrow(
    appointments: Iterable[Appointment],
    *,
    service: NotificationService,
    now: datetime,
    time_zone: str,
    channel: NotificationChannel = NotificationChannel.SMS,
) -> ReminderRun:
    """Delivers a reminder for each of tomorrow's appointments through `service`."""
    run = ReminderRun()
    for appointment in tomorrows(appointments, now=now, time_zone=time_zone):
        notification = reminder_for(appointment, channel)
        try:
            run.deliveries[appointment.appointment_id] = service.deliver(notification, now=now)
        except DeliveryDeferred as deferred:
            run.deferred[appointment.appointment_id] = deferred
    return run
