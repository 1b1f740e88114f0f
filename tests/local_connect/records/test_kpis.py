"""Contact records counted as the analytics Lambda counts them, without AWS (`metric_rows`);
every ratio then comes from `Kpis`, the one definition."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from lambdas.analytics.logic import AggregateKey, summarize
from local_connect.acd import Outcome
from local_connect.records import contact_record, metric_rows
from tests.local_connect.records.test_records import INSTANCE, NINE, caller, handled


def a_morning() -> list[dict[str, object]]:
    """Two answered calls (55 s and 100 s in queue), one abandoned, one served in the flow, one
    refused at capacity, and a stale copy of the slow call delivered again."""
    fast = contact_record(INSTANCE, caller(), handled())
    slow = contact_record(
        INSTANCE,
        caller(contact_id="c-2"),
        handled(
            contact_id="c-2",
            dequeued=NINE + 140.4,
            connected=NINE + 140.4,
            ended=NINE + 470.6,
            released=NINE + 515.6,
        ),
    )
    gone = contact_record(
        INSTANCE,
        caller(contact_id="c-3"),
        handled(
            contact_id="c-3",
            outcome=Outcome.ABANDONED,
            agent=None,
            connected=None,
            dequeued=NINE + 99.0,
            ended=NINE + 99.0,
            released=None,
        ),
    )
    served_in_flow = contact_record(
        INSTANCE,
        caller(contact_id="c-4", flow_ended=NINE + 20, attributes={"intent": "billing"}),
        None,
    )
    refused = contact_record(
        INSTANCE,
        caller(contact_id="c-5"),
        handled(
            contact_id="c-5",
            outcome=Outcome.QUEUE_FULL,
            dequeued=None,
            agent=None,
            connected=None,
            ended=NINE + 40.0,
            released=None,
        ),
    )
    # An older copy of c-2 delivered again must not count twice (at-least-once delivery).
    stale = {**slow, "LastUpdateTimestamp": "2026-12-01T15:00:01Z", "Agent": None}
    return [stale, fast, slow, gone, served_in_flow, refused]


def test_records_count_into_the_metric_definitions() -> None:
    # Given a morning's records; when they are counted and read back as Kpis
    table = summarize(metric_rows(a_morning(), threshold_seconds=60), threshold_seconds=60)
    # Then the counts and every ratio are the analytics Lambda's
    billing = table[("VOICE", "billing")]
    assert (billing.contacts, billing.queued, billing.answered, billing.abandoned) == (4, 3, 2, 1)
    assert (billing.handled, billing.inbound) == (2, 4)
    assert billing.queue_full == 1 and billing.self_service == 0
    assert billing.abandonment_rate == pytest.approx(1 / 3)
    assert billing.average_speed_of_answer == pytest.approx((55 + 100) / 2)
    assert billing.service_level == pytest.approx(1 / 3)  # 55 s within 60 s, 100 s not
    # Whole seconds from the rounded timestamps: (331 + 45 and 330 + 45) / 2.
    assert billing.average_handle_time == pytest.approx(375.5)
    assert billing.self_service_rate == 0.0
    # Served in the flow: no queue, 1 of 1 customer-started contact.
    assert table[("VOICE", "")].self_service_rate == 1.0
    # The customer history is not kept here: repeat contacts are not decided.
    assert billing.repeat_rate is None


def test_rows_are_per_interval_of_queue_entry_oldest_first() -> None:
    rows = metric_rows(a_morning(), threshold_seconds=60)
    keys = [key for key, _ in rows]
    assert keys == sorted(keys)
    # 09:00 Chicago is 15:00 UTC; every contact of the morning entered a queue or started then.
    assert keys == [
        AggregateKey(datetime(2026, 12, 1, 15, 0, tzinfo=UTC), "VOICE", ""),
        AggregateKey(datetime(2026, 12, 1, 15, 0, tzinfo=UTC), "VOICE", "billing"),
    ]
    assert all(value for _, counters in rows for value in counters.values())  # no zeros kept
