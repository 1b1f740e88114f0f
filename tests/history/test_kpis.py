"""kpis.sql counts what the analytics function counts: the same counters and KPIs per period,
queue and channel, for hand-built records covering every branch and for a rehearsed day."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import fields
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from config import ContactCenterConfig
from history.parquet import serde_row
from history.periods import Period
from history.schema import COLUMNS
from lambdas.analytics.logic import Kpis
from local_connect.records import metric_rows
from local_connect.rehearsal import rehearse
from local_connect.scenarios import parse_scenario
from tests.history.conftest import day, run_query
from tests.lambdas.analytics import ctr
from tests.lambdas.analytics.test_handler import the_day
from tests.local_connect.rehearsal.test_rehearsal import SMALL

Key = tuple[datetime, str, str]
RATIOS = (
    "abandonment_rate",
    "average_speed_of_answer",
    "average_handle_time",
    "service_level",
    "connect_service_level",
    "self_service_rate",
    "containment_rate",
)
TRUNCATE: dict[str, Callable[[datetime], datetime]] = {
    "hour": lambda moment: moment.replace(minute=0),
    "day": lambda moment: moment.replace(hour=0, minute=0),
    "week": lambda moment: (moment - timedelta(days=moment.weekday())).replace(hour=0, minute=0),
}


def lambda_kpis(
    records: Sequence[Mapping[str, Any]], *, threshold_seconds: int, by: str
) -> dict[Key, Kpis]:
    """The analytics function's counting of `records`, its 15-minute rows summed per period."""
    table: dict[Key, Kpis] = {}
    for key, counters in metric_rows(records, threshold_seconds=threshold_seconds):
        period = TRUNCATE[by](key.interval_start.astimezone(UTC).replace(tzinfo=None))
        table.setdefault((period, key.queue, key.channel), Kpis()).add(
            Kpis.from_counters(counters, threshold_seconds=threshold_seconds)
        )
    return table


def assert_same_kpis(rows: list[dict[str, Any]], expected: dict[Key, Kpis]) -> None:
    by_key = {(row["period"], row["queue"], row["channel"]): row for row in rows}
    assert sorted(by_key) == sorted(expected)
    for key, kpis in expected.items():
        row = by_key[key]
        counted = {f.name: row[f.name] for f in fields(Kpis) if f.name in row}
        assert counted == {name: getattr(kpis, name) for name in counted}, key
        assert {name: row[name] for name in RATIOS} == {
            name: pytest.approx(getattr(kpis, name)) for name in RATIOS
        }, key


def branches() -> list[dict[str, Any]]:
    """Hand-built records, one per branch of the counting, two days (threshold 20 s)."""
    queue_full = ctr.ctr("c-queue-full", started=ctr.at(11, 0), attributes={"queueName": "billing"})
    transferred_out = ctr.ctr("c-transferred-out", started=ctr.at(11, 5), queue="support", wait=8)
    transferred_out["TransferCompletedTimestamp"] = ctr.stamp(ctr.at(11, 5, 38))
    outbound = ctr.ctr("c-outbound", started=ctr.at(11, 10), method="API", queue="support", talk=60)
    older = ctr.voice_handled()  # the same contact before its after-contact work ended
    older["Agent"]["AfterContactWorkDuration"] = 0
    older["LastUpdateTimestamp"] = ctr.stamp(ctr.at(10, 6, 43))
    across_midnight = ctr.ctr(
        "c-across-midnight", started=ctr.at(23, 59, 50), queue="support", wait=15, talk=100
    )
    late_first = ctr.ctr("c-late", started=ctr.at(23, 40), queue="billing", wait=5, talk=200)
    late_update = ctr.ctr(
        "c-late", started=ctr.at(23, 40), queue="billing", wait=5, talk=200, acw=90,
        updated_after=3600,
    )  # fmt: skip
    bot = {"self_service_intent": "CheckAppointment"}
    contained = ctr.ctr(
        "c-bot-contained", started=ctr.at(12, 0), channel="CHAT", method="API",
        attributes={**bot, "self_service_outcome": "fulfilled"},
    )  # fmt: skip
    escalated = ctr.ctr(
        "c-bot-escalated", started=ctr.at(12, 5), channel="CHAT", method="API", queue="support",
        wait=30, talk=120, attributes={**bot, "self_service_outcome": "escalate"},
    )  # fmt: skip
    in_bot = ctr.ctr(
        "c-bot-abandoned", started=ctr.at(12, 10), channel="CHAT", method="API",
        attributes={"self_service_outcome": "in_bot"},
    )  # fmt: skip
    next_day = ctr.ctr("c-next-day", started=ctr.at(9, 0, day=1), queue="support", wait=3, talk=50)
    return [
        *the_day(),
        ctr.voice_handled(),  # an exact duplicate
        older,
        queue_full,
        transferred_out,
        outbound,
        across_midnight,
        late_update,
        late_first,
        contained,
        escalated,
        in_bot,
        next_day,
    ]


@pytest.mark.parametrize("by", sorted(TRUNCATE))
def test_every_branch_counts_as_the_analytics_function_counts_it(tmp_path: Path, by: str) -> None:
    # Given records of every branch, duplicates and late versions included, over two days
    records = branches()
    # When kpis.sql counts them from the archive
    rows = run_query("kpis", records, tmp_path, Period(day(0), day(1), by=by))
    # Then every counter and KPI equals the analytics function's, per period, queue and channel
    assert_same_kpis(rows, lambda_kpis(records, threshold_seconds=20, by=by))


@st.composite
def contact_versions(draw: st.DrawFn, index: int) -> list[dict[str, Any]]:
    """One contact of any shape, in one to three versions, each later one stamped later (it may
    arrive the next day) with more after-contact work: never two versions in the same second."""
    attributes = draw(
        st.dictionaries(
            st.sampled_from(["queueName", "self_service_outcome", "self_service_intent"]),
            st.sampled_from(["", "support", "fulfilled", "in_bot", "escalate", "Pay"]),
        )
    )
    shape: dict[str, Any] = {
        "started": ctr.at(0, 0) + timedelta(minutes=draw(st.integers(0, 2 * 24 * 60))),
        "channel": draw(st.sampled_from(["VOICE", "CHAT", "EMAIL", "TASK"])),
        "method": draw(st.sampled_from(["INBOUND", "API", "TRANSFER", "CALLBACK", "OUTBOUND"])),
        "queue": draw(st.sampled_from([None, "support", "billing"])),
        "wait": draw(st.integers(0, 60)),
        "talk": draw(st.none() | st.integers(0, 600)),
        "hold": draw(st.integers(0, 60)),
        "flow_seconds": draw(st.integers(0, 120)),
        "disconnect_reason": draw(
            st.sampled_from(["CUSTOMER_DISCONNECT", "AGENT_DISCONNECT", "CONTACT_FLOW_DISCONNECT"])
        ),
        "next_contact": draw(st.sampled_from([None, "c-next"])),
        "attributes": attributes,
    }
    transferred = draw(st.booleans())
    delays = draw(st.lists(st.sampled_from([0, 600, 30 * 3600]), min_size=1, unique=True))
    acw = draw(st.integers(0, 90))
    versions = []
    for later, updated_after in enumerate(sorted(delays)):
        record = ctr.ctr(f"c-{index}", acw=acw + later, updated_after=updated_after, **shape)
        if transferred:
            record["TransferCompletedTimestamp"] = record["DisconnectTimestamp"]
        versions.append(record)
    return draw(st.permutations(versions))


@settings(
    max_examples=10, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    st.integers(1, 25).flatmap(
        lambda count: st.tuples(*(contact_versions(index) for index in range(count)))
    )
)
def test_any_contacts_count_as_the_analytics_function_counts_them(
    tmp_path_factory: pytest.TempPathFactory, contacts: tuple[list[dict[str, Any]], ...]
) -> None:
    # Given contacts of any shape, their versions in any order, some arriving the next day
    records = [record for versions in contacts for record in versions]
    # When kpis.sql counts them from the archive, Then it counts what the function counts
    rows = run_query("kpis", records, tmp_path_factory.mktemp("archive"), Period(day(0), day(3)))
    assert_same_kpis(rows, lambda_kpis(records, threshold_seconds=20, by="day"))


def test_late_versions_and_midnight_land_where_the_analytics_function_puts_them(
    tmp_path: Path,
) -> None:
    rows = run_query("kpis", branches(), tmp_path, Period(day(0), day(0)))
    # The late contact's update arrived the next day: the archive holds it in that day's folder.
    assert (tmp_path / "records" / "dt=2026-12-02").is_dir()
    billing = next(r for r in rows if (r["queue"], r["channel"]) == ("billing", "VOICE"))
    # Billing on day 0: the transfer (120 s talk) and the late contact once, from its update
    # (200 s talk + 90 s ACW), and the queue-full call.
    assert (billing["contacts"], billing["queue_full"], billing["acw"]) == (3, 1, 90)
    support = next(r for r in rows if (r["queue"], r["channel"]) == ("support", "VOICE"))
    # The call that started at 23:59:50 queued after midnight: it counts on day 1, not here.
    assert support["contacts"] == 6 and support["callbacks_requested"] == 1
    assert support["acw"] == 60 + 20  # the handled call's newest version, and the callback's


def test_a_period_that_holds_no_contacts_gives_no_rows(tmp_path: Path) -> None:
    assert run_query("kpis", branches(), tmp_path, Period(day(5), day(6))) == []
    assert run_query("kpis", [], tmp_path / "empty", Period(day(0), day(0))) == []


@pytest.fixture(scope="module")
def rehearsed_records(dev_config: ContactCenterConfig) -> list[dict[str, Any]]:
    """The rehearsal's small blended day (voice and chat, callbacks, self-service chat)."""
    rehearsal = rehearse(parse_scenario(SMALL), dev_config, variants=["blended"])
    return list(rehearsal.runs[0].records)


def test_a_rehearsed_day_counts_the_same_in_sql_and_in_the_analytics_function(
    tmp_path: Path, rehearsed_records: list[dict[str, Any]]
) -> None:
    rows = run_query(
        "kpis", rehearsed_records, tmp_path, Period(day(0), day(0)), threshold_seconds=30
    )
    expected = lambda_kpis(rehearsed_records, threshold_seconds=30, by="day")
    assert_same_kpis(rows, expected)
    assert sum(k.contacts for k in expected.values()) == len(rehearsed_records) > 200
    assert sum(k.abandoned for k in expected.values()) > 0
    assert sum(k.self_service for k in expected.values()) > 0


def test_the_rehearsals_records_fit_the_archive_schema(
    rehearsed_records: list[dict[str, Any]],
) -> None:
    for record in rehearsed_records:
        row = serde_row(record)  # raises on a value of the wrong type
        for column in COLUMNS:
            if record.get(column.name) is not None:
                assert row[column.column_name] is not None, (column.name, record["ContactId"])
