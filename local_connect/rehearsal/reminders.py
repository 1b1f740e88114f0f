"""The evening before a rehearsed day: appointment reminders through the real notify code.

`send_reminders` builds the day's appointments for a sample of the scenario's customers, puts
the share that opted out on the SMS opt-out list (a STOP reply to our number, in the End User
Messaging emulation), and delivers the reminders with `lambdas.notify`'s own
`send_reminders_for_tomorrow`: templates, opt-out checks, the sending window. What it reports
(sent, refused, deferred) is what the variant's demand is then adjusted by.
"""

from __future__ import annotations

import random
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import boto3

from config import ContactCenterConfig
from lambdas.common.profiles import ProfileRepository
from lambdas.common.suppression import SuppressionRepository
from lambdas.notify.gateways import SmsGateway
from lambdas.notify.logic import SendingWindow
from lambdas.notify.reminders import Appointment, send_reminders_for_tomorrow
from lambdas.notify.service import NotificationService, NotifySettings
from local_connect.emulation import AwsWorld, emulate_aws
from local_connect.runtime.local_aws import LOCAL_REGION
from local_connect.runtime.resources import CUSTOMERS_TABLE, create_customers_table
from local_connect.scenarios.model import Reminders
from local_connect.scenarios.traffic import Customer

FIRST_SLOT_HOUR = 8
SLOTS_PER_DAY = 36  # every 15 minutes, 08:00-17:00


@dataclass(frozen=True)
class ReminderTraffic:
    appointments: int
    sent: int
    counts: dict[str, int]  # notify's outcomes: sent, opted_out, deferred, ...

    @property
    def sent_share(self) -> float:
        return self.sent / self.appointments if self.appointments else 0.0

    def demand_factor(self, plan: Reminders) -> float:
        """What remains of the plan's intent: only reminded customers call less."""
        return 1 - plan.calls_avoided * self.sent_share


def send_reminders(
    config: ContactCenterConfig,
    plan: Reminders,
    population: Sequence[Customer],
    *,
    day: date,
    zone: ZoneInfo,
    seed: int,
) -> ReminderTraffic:
    """Sends the reminders for `day` the evening before, in a fresh moto + emulated world."""
    # moto takes about a second to import: loaded when reminders are sent, not with the package.
    from moto import mock_aws

    sms = config.sms
    if sms is None:
        raise ValueError(f"config '{config.stage}' has no sms section: reminders need its number")
    rng = random.Random(f"{seed}/reminders")
    holders = rng.sample(list(population), min(plan.appointments, len(population)))
    appointments = [
        Appointment(
            appointment_id=f"appt-{index:05d}",
            starts_at=datetime.combine(day, datetime.min.time(), tzinfo=zone)
            + timedelta(hours=FIRST_SLOT_HOUR, minutes=15 * (index % SLOTS_PER_DAY)),
            phone=holder.phone,
            language="en",
        )
        for index, holder in enumerate(holders)
    ]
    sms_on = config.model_copy(
        update={"channels": config.channels.model_copy(update={"sms": True})}
    )
    world = AwsWorld.from_config(sms_on)
    with mock_aws(), emulate_aws(world):
        for holder in holders:
            if rng.random() < plan.opted_out_share:
                world.sms.receive(holder.phone, world.sms_number.number, "STOP")
        create_customers_table(LOCAL_REGION, CUSTOMERS_TABLE)
        table = boto3.resource("dynamodb", region_name=LOCAL_REGION).Table(CUSTOMERS_TABLE)
        window = sms.quiet_hours
        service = NotificationService(
            settings=NotifySettings(
                organisation=config.organisation,
                default_time_zone=zone.key,
                sending_window=SendingWindow(window.start, window.end) if window else None,
                sms_reminders=True,
            ),
            profiles=ProfileRepository(table),
            suppressions=SuppressionRepository(table),
            sms=SmsGateway(
                client=boto3.client("pinpoint-sms-voice-v2", region_name=LOCAL_REGION),
                origination_identity=world.sms_number.arn,
                opt_out_list=sms.opt_out_list,
            ),
            email=None,
        )
        evening = datetime.combine(day - timedelta(days=1), plan.sent_at, tzinfo=zone)
        run = send_reminders_for_tomorrow(
            appointments, service=service, now=evening, time_zone=zone.key
        )
    return ReminderTraffic(
        appointments=len(appointments),
        sent=len(run.reminded_appointment_ids()),
        counts=run.counts(),
    )
