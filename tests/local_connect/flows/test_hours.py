"""Hours of operation in the local engine: holidays, recurring ones included, as Connect applies them."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

from config import ContactCenterConfig
from config.model import HoursConfig
from local_connect.flows.hours import is_open

CHICAGO = ZoneInfo("America/Chicago")


@pytest.fixture()
def business(dev_config: ContactCenterConfig) -> HoursConfig:
    return dev_config.hours["business"]


@pytest.mark.parametrize(
    ("moment", "expected"),
    [
        # Thanksgiving recurs on the 4th Thursday of November: 2029-11-22, not the 29th.
        (datetime(2029, 11, 22, 10, 0, tzinfo=CHICAGO), False),
        (datetime(2029, 11, 29, 10, 0, tzinfo=CHICAGO), True),
        # Christmas Day recurs on its date, whatever the weekday (a Monday in 2028).
        (datetime(2028, 12, 25, 10, 0, tzinfo=CHICAGO), False),
        # Christmas Eve's reduced hours recur too: open at 11:00, closed at 13:00.
        (datetime(2027, 12, 24, 11, 0, tzinfo=CHICAGO), True),
        (datetime(2027, 12, 24, 13, 0, tzinfo=CHICAGO), False),
        # Before the first occurrence and after the tenth, a date is an ordinary day.
        (datetime(2025, 12, 25, 10, 0, tzinfo=CHICAGO), True),
        (datetime(2036, 12, 25, 10, 0, tzinfo=CHICAGO), True),
    ],
)
def test_recurring_holidays_close_or_shorten_each_year(
    business: HoursConfig, moment: datetime, expected: bool
) -> None:
    assert is_open(business, moment) is expected
