"""Reminders the evening before a rehearsed day, through the real notify code and the SMS
emulation: opt-outs and the sending window decide who is reminded, and only they call less."""

from __future__ import annotations

from datetime import date, time
from zoneinfo import ZoneInfo

import pytest

from config import ContactCenterConfig
from local_connect.rehearsal.reminders import send_reminders
from local_connect.scenarios.model import Reminders
from local_connect.scenarios.traffic import Customer, fictional_phone

CHICAGO = ZoneInfo("America/Chicago")
DAY = date(2026, 12, 1)
PEOPLE = [
    Customer(
        index=i,
        phone=fictional_phone(i),
        chat_id=f"w{i}",
        known=True,
        tier="standard",
        first_name="A",
    )
    for i in range(60)
]


def plan(**changes: object) -> Reminders:
    values: dict[str, object] = {
        "appointments": 50,
        "intent": "appointment_status",
        "calls_avoided": 0.6,
        "opted_out_share": 0.2,
    }
    values.update(changes)
    return Reminders.model_validate(values)


def test_opted_out_holders_are_refused_by_notify_and_the_rest_are_texted(
    dev_config: ContactCenterConfig,
) -> None:
    traffic = send_reminders(dev_config, plan(), PEOPLE, day=DAY, zone=CHICAGO, seed=7)
    assert traffic.appointments == 50
    assert traffic.counts["sent"] + traffic.counts["opted_out"] == 50
    assert 0 < traffic.counts["opted_out"] < 25
    assert traffic.sent == traffic.counts["sent"]
    assert traffic.demand_factor(plan()) == pytest.approx(1 - 0.6 * traffic.sent / 50)


def test_reminders_due_outside_the_sending_window_wait_and_change_nothing_that_day(
    dev_config: ContactCenterConfig,
) -> None:
    late = plan(sent_at=time(23, 30), opted_out_share=0.0)  # dev's window is 08:00-21:00
    traffic = send_reminders(dev_config, late, PEOPLE, day=DAY, zone=CHICAGO, seed=7)
    assert traffic.sent == 0
    # Deferred to 08:00, except the 08:00 appointments (slots 0 and 36): too late for them.
    assert traffic.counts == {"deferred": 48, "expired": 2}
    assert traffic.demand_factor(late) == 1.0


def test_a_config_without_sms_settings_cannot_send_reminders(
    voice_only_config: ContactCenterConfig,
) -> None:
    with pytest.raises(ValueError, match="no sms section"):
        send_reminders(voice_only_config, plan(), PEOPLE, day=DAY, zone=CHICAGO, seed=7)
