"""Open now, and when next: the OpeningHours answer, from the stage's hours as infra renders them.

Infra passes one `hours` entry of the config as OPENING_HOURS (infra/constructs/self_service.py):
the weekly ranges and, per holiday date, that day's ranges (empty: closed), every date of every
recurring holiday already expanded, so this module only reads dates and never re-derives
recurrence rules. Times are local to the hours' time zone, as in Connect's hours of operation.
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from typing import Literal
from zoneinfo import ZoneInfo

from pydantic import BaseModel, ConfigDict, Field

WEEKDAYS = ("MONDAY", "TUESDAY", "WEDNESDAY", "THURSDAY", "FRIDAY", "SATURDAY", "SUNDAY")
# How far ahead "we open on ..." looks: a week covers every weekly schedule.
LOOKAHEAD_DAYS = 7

Range = tuple[time, time]


class Schedule(BaseModel):
    model_config = ConfigDict(frozen=True, extra="ignore")

    time_zone: str
    weekly: dict[str, list[Range]] = Field(default_factory=dict)
    days: dict[date, list[Range]] = Field(default_factory=dict, description="Holiday overrides.")

    def ranges_on(self, day: date) -> list[Range]:
        if day in self.days:
            return sorted(self.days[day])
        return sorted(self.weekly.get(WEEKDAYS[day.weekday()], []))


class OpeningStatus(BaseModel):
    model_config = ConfigDict(frozen=True)

    state: Literal["open_now", "opens_later", "closed"]
    at: datetime | None = Field(
        default=None, description="Local closing time when open, next opening when not."
    )


def opening_status(schedule: Schedule, now: datetime) -> OpeningStatus:
    local = now.astimezone(ZoneInfo(schedule.time_zone))
    for ranges_ahead in range(LOOKAHEAD_DAYS + 1):
        day = local.date() + timedelta(days=ranges_ahead)
        for start, end in schedule.ranges_on(day):
            opens = datetime.combine(day, start, tzinfo=local.tzinfo)
            closes = datetime.combine(day, end, tzinfo=local.tzinfo)
            if opens <= local < closes:
                return OpeningStatus(state="open_now", at=closes)
            if local < opens:
                return OpeningStatus(state="opens_later", at=opens)
    return OpeningStatus(state="closed")
