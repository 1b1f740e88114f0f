"""repeat_contacts.sql against hand-computed customers who come back across channels and days."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import Any

from history.periods import Period
from tests.history.conftest import day, run_query
from tests.lambdas.analytics import ctr


def contact(contact_id: str, customer: str | None, started: datetime, **kwargs: Any) -> Any:
    attributes = {"customerId": customer} if customer else {}
    return ctr.ctr(contact_id, started=started, attributes=attributes, **kwargs)


def customers() -> list[dict[str, Any]]:
    chat = {"channel": "CHAT", "method": "API", "caller": None}
    return [
        # A calls, emails three days later, chats 17 days after that.
        contact("a1", "cust-a", ctr.at(10, 0)),
        contact("a2", "cust-a", ctr.at(10, 0, day=3), channel="EMAIL", caller=None),
        contact("a3", "cust-a", ctr.at(10, 0, day=20), **chat),
        contact("a-outbound", "cust-a", ctr.at(11, 0, day=1), method="OUTBOUND"),  # not inbound
        # B chats, is transferred, and continues the same chat later: one problem, no repeat.
        contact("b1", "cust-b", ctr.at(12, 0), **chat),
        contact("b-transfer", "cust-b", ctr.at(12, 5), method="TRANSFER", previous="b1"),
        contact("b2", "cust-b", ctr.at(13, 0), previous="b1", **chat),
        # C calls once; D calls again exactly seven days later (the window includes its end).
        contact("c1", "cust-c", ctr.at(14, 0)),
        contact("d1", "cust-d", ctr.at(9, 0)),
        contact("d2", "cust-d", ctr.at(9, 0, day=7)),
        contact("anonymous", None, ctr.at(15, 0)),  # not identified
    ]


COUNTS = ("identified", "repeat_7d", "repeat_30d", "resolved_7d", "resolved_30d")


def test_repeats_and_first_contact_resolution_within_7_and_30_days(tmp_path: Path) -> None:
    rows = run_query("repeat_contacts", customers(), tmp_path, Period(day(0), day(20)))
    table = {(row["period"].day, row["channel"]): tuple(row[c] for c in COUNTS) for row in rows}
    assert table == {
        # a1 (followed by a2 in 3 days), c1 (never again), d1 (d2 at exactly 7 days)
        (1, "VOICE"): (3, 0, 0, 1, 1),
        # b1 and its continuation b2: neither repeats the other
        (1, "CHAT"): (2, 0, 0, 2, 2),
        # a2 repeats a1 within 7 days; a3 follows it 17 days later (within 30, not 7)
        (4, "EMAIL"): (1, 1, 1, 1, 0),
        # d2 repeats d1 at the window's edge
        (8, "VOICE"): (1, 1, 1, 1, 1),
        # a3 repeats a2 within 30 days, not within 7
        (21, "CHAT"): (1, 0, 1, 1, 1),
    }
    first = next(row for row in rows if (row["period"].day, row["channel"]) == (1, "VOICE"))
    assert first["first_contact_resolution_7d"] == 1 / 3
    assert first["repeat_rate_30d"] == 0


def test_the_look_back_reaches_before_the_period(tmp_path: Path) -> None:
    # Only day 8 asked for: d2 still repeats d1, read from a week before the period.
    rows = run_query("repeat_contacts", customers(), tmp_path, Period(day(7), day(7)))
    assert [(row["channel"], row["identified"], row["repeat_7d"]) for row in rows] == [
        ("VOICE", 1, 1)
    ]
