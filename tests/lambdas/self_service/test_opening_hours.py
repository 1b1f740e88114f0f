"""Open now, and when next, from the hours as infra renders them (holidays already expanded)."""

from __future__ import annotations

from datetime import UTC, datetime, time
from zoneinfo import ZoneInfo

import pytest

from lambdas.self_service.opening_hours import Schedule, opening_status

CHICAGO = ZoneInfo("America/Chicago")


@pytest.fixture(scope="module")
def hours() -> Schedule:
    return Schedule.model_validate(
        {
            "time_zone": "America/Chicago",
            "weekly": {
                "MONDAY": [["08:00", "12:00"], ["13:00", "18:00"]],
                "FRIDAY": [["08:00", "17:00"]],
            },
            "days": {"2026-12-07": [], "2026-12-04": [["08:00", "12:00"]]},
        }
    )


def local(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=CHICAGO).astimezone(UTC)


@pytest.mark.parametrize(
    ("now", "state", "at"),
    [
        ("2026-11-30T09:00", "open_now", "2026-11-30T12:00"),  # Monday morning
        ("2026-11-30T12:30", "opens_later", "2026-11-30T13:00"),  # Monday lunch
        ("2026-11-30T18:00", "opens_later", "2026-12-04T08:00"),  # closing time is closed
        ("2026-12-04T13:00", "opens_later", "2026-12-11T08:00"),  # reduced Friday, holiday Mon
    ],
)
def test_open_or_next_opening_in_local_time(hours: Schedule, now: str, state: str, at: str) -> None:
    status = opening_status(hours, local(now))
    assert status.state == state
    assert status.at is not None and status.at.replace(tzinfo=None) == datetime.fromisoformat(at)


def test_no_opening_within_a_week_is_closed() -> None:
    shut = Schedule(time_zone="America/Chicago", weekly={"MONDAY": [(time(8), time(9))]})
    assert opening_status(shut, local("2026-11-24T10:00")).state == "opens_later"
    never = Schedule(time_zone="America/Chicago")
    assert opening_status(never, local("2026-11-24T10:00")).state == "closed"
