"""Hours of operation at a moment, as `CheckHoursOfOperation` decides: local time, holidays first.

Times are compared in the hours' own time zone (a Chicago queue is closed at 18:00 Chicago
time whatever the caller's zone), a range includes its start and excludes its end, and a
holiday (Connect's hours-of-operation override) replaces that day's weekly hours: closed all day
unless it lists reduced hours. A range written 00:00-23:59 therefore leaves the last minute
closed, as it does in Connect. A holiday that recurs yearly (the same date, or the same weekday
of the month) applies on each of its dates, as Connect's recurring override does: the model's
`HoursConfig.holiday_on` decides, for the engine and the template alike.
"""

from __future__ import annotations

from datetime import datetime
from functools import cache
from zoneinfo import ZoneInfo

from config.model import HoursConfig, TimeRange


@cache
def _zone(name: str) -> ZoneInfo:
    return ZoneInfo(name)


def is_open(hours: HoursConfig, at: datetime) -> bool:
    """Raises ValueError for a naive `at`: a moment without a zone has no local time."""
    if at.tzinfo is None:
        raise ValueError("hours are checked at an aware datetime (with a time zone)")
    local = at.astimezone(_zone(hours.time_zone))
    moment = local.time().replace(tzinfo=None)
    ranges: list[TimeRange]
    holiday = hours.holiday_on(local.date())
    if holiday is not None:
        ranges = holiday.open
    else:
        weekday = local.strftime("%A").upper()
        ranges = next((r for day, r in hours.weekly.items() if day.value == weekday), [])
    return any(window.start <= moment < window.end for window in ranges)
