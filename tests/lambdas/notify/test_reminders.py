"""The rehearsal's entry point: tomorrow's appointments become reminders through the real service."""

from __future__ import annotations

from datetime import UTC, datetime, time
from typing import Any

import boto3
import pytest
from botocore.stub import Stubber

from lambdas.common.profiles import ProfileRepository
from lambdas.common.suppression import SuppressionRepository
from lambdas.notify.gateways import SmsGateway
from lambdas.notify.logic import SendingWindow
from lambdas.notify.reminders import Appointment, send_reminders_for_tomorrow, tomorrows
from lambdas.notify.service import NotificationService, NotifySettings
from tests.lambdas.notify.conftest import OPT_OUT_LIST, ORIGINATION, Sms

NOW = datetime(2026, 12, 1, 16, 0, tzinfo=UTC)  # Tuesday 10:00 in Chicago
ZONE = "America/Chicago"
APPOINTMENTS = [
    Appointment("a-1", datetime(2026, 12, 2, 15, 0, tzinfo=UTC), phone="+13125550101"),
    Appointment("a-2", datetime(2026, 12, 2, 17, 0, tzinfo=UTC), phone="+13125550102"),
    Appointment("a-3", datetime(2026, 12, 2, 19, 0, tzinfo=UTC), customer_id="unknown"),
    # Wednesday 23:30 in Chicago is already Thursday in UTC: still tomorrow locally.
    Appointment("a-4", datetime(2026, 12, 3, 5, 30, tzinfo=UTC), phone="+13125550104"),
    Appointment("a-5", datetime(2026, 12, 3, 15, 0, tzinfo=UTC), phone="+13125550105"),
]


@pytest.fixture()
def service(tables: Any) -> tuple[NotificationService, Sms]:
    client = boto3.client("pinpoint-sms-voice-v2")
    sms = Sms(stubber=Stubber(client))
    client.meta.events.register(
        "provide-client-params.pinpoint-sms-voice-v2.*",
        lambda model, params, **_: sms.requests.append((model.name, params)),
    )
    return (
        NotificationService(
            settings=NotifySettings(
                organisation="Riverside Public Utilities",
                default_time_zone=ZONE,
                sending_window=SendingWindow(time(8), time(21)),
            ),
            profiles=ProfileRepository(tables.customers),
            suppressions=SuppressionRepository(tables.customers),
            sms=SmsGateway(
                client=client, origination_identity=ORIGINATION, opt_out_list=OPT_OUT_LIST
            ),
            email=None,
        ),
        sms,
    )


def test_tomorrow_is_the_local_calendar_day() -> None:
    assert [a.appointment_id for a in tomorrows(APPOINTMENTS, now=NOW, time_zone=ZONE)] == [
        "a-1",
        "a-2",
        "a-3",
        "a-4",
    ]


def test_reminders_for_tomorrow_skip_opted_out_and_unreachable_customers(
    service: tuple[NotificationService, Sms],
) -> None:
    notify, sms = service
    sms.opted_out.add("+13125550102")
    for phone in ("+13125550101", "+13125550102", "+13125550104"):
        sms.expect_check(phone)
        if phone not in sms.opted_out:
            sms.expect_send(f"msg-{phone[-3:]}")

    with sms.stubber:
        run = send_reminders_for_tomorrow(APPOINTMENTS, service=notify, now=NOW, time_zone=ZONE)

    assert run.counts() == {"sent": 2, "opted_out": 1, "no_address": 1}
    assert run.reminded_appointment_ids() == {"a-1", "a-4"}
    assert [p["DestinationPhoneNumber"] for p in sms.sent()] == ["+13125550101", "+13125550104"]


def test_reminders_run_at_night_are_deferred_not_lost(
    service: tuple[NotificationService, Sms],
) -> None:
    notify, sms = service
    night = datetime(2026, 12, 2, 4, 0, tzinfo=UTC)  # 22:00 in Chicago on Tuesday
    with sms.stubber:
        run = send_reminders_for_tomorrow(APPOINTMENTS, service=notify, now=night, time_zone=ZONE)
    assert run.counts() == {"deferred": 3, "no_address": 1}
    assert sms.requests == []
