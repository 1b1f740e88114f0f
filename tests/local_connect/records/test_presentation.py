"""The KPI table and chart `ccaas rehearse` and `ccaas report` both print: layout, and the
sparse-interval floor shared with the dashboard's alarms."""

from __future__ import annotations

import math
from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from config.dashboard import MIN_QUEUED_FOR_RATES
from lambdas.analytics.logic import AggregateKey, Kpis
from local_connect.records import MetricRow
from local_connect.records.presentation import (
    ChartLine,
    channel_lines,
    charted_rate,
    columns,
    kpi_legend,
    kpi_table,
    write_chart,
)

NINE = datetime(2026, 12, 1, 15, 0, tzinfo=UTC)  # 09:00 in Chicago
PNG = b"\x89PNG\r\n\x1a\n"


def row(channel: str, queue: str, at: datetime = NINE, **counters: int) -> MetricRow:
    return AggregateKey(at, channel, queue), counters


def a_day() -> list[MetricRow]:
    return [
        row("CHAT", "general", contacts=2, inbound=2, queued=2, answered=2, handled=2),
        row("VOICE", "", contacts=1, inbound=1, self_service=1),
        row(
            "VOICE",
            "billing",
            contacts=4,
            inbound=4,
            queued=3,
            answered=2,
            handled=2,
            abandoned=1,
            queue_full=1,
            queue_wait_handled=155,
            talk=660,
            hold=0,
            acw=90,
            answered_within_20s=1,
            dequeued_within_20s=2,
        ),
    ]


def cells(table: str, channel: str, queue: str) -> list[str]:
    for line in table.splitlines():
        if line[:8].strip() == channel and line[9:25].strip() == queue:
            return line[26:].split()
    raise AssertionError(f"no row for {channel} {queue} in:\n{table}")


def test_the_table_shows_every_queue_then_the_channel_total_voice_first() -> None:
    table = kpi_table(a_day(), threshold_seconds=20)
    lines = table.splitlines()
    assert lines[0].split() == [
        "channel", "queue", "contacts", "queued", "answered", "abandoned", "aband%", "ASA", "s",
        "AHT", "s", "SL", "20s", "SL", "Connect", "q.", "full", "self-serv%", "repeat%", "FCR",
    ]  # fmt: skip
    labels = [(line[:8].strip(), line[9:25].strip()) for line in lines[2:] if line[:1] != "-"]
    assert labels == [
        ("VOICE", "(none)"),
        ("VOICE", "billing"),
        ("VOICE", "= all queues"),
        ("CHAT", "general"),
        ("CHAT", "= all queues"),
        ("ALL", ""),
    ]
    # abandoned 1 / queued 3; ASA 155 / 2 answered; AHT 750 / 2 handled; SL 1 / 3; Connect's
    # 2 / 3; self-service 0 of 4 customer-started; no customer history, so no repeat rate.
    assert cells(table, "VOICE", "billing") == [
        "4", "3", "2", "1", "33.3%", "78", "375", "33.3%", "66.7%", "1", "0.0%", "-", "-",
    ]  # fmt: skip
    assert cells(table, "VOICE", "= all queues")[-3] == "20.0%"  # 1 served in the flow of 5
    assert cells(table, "ALL", "")[:3] == ["7", "5", "4"]


def test_every_figure_is_a_kpis_property_of_the_summed_rows() -> None:
    total = Kpis()
    for _, counters in a_day():
        total.add(Kpis.from_counters(counters, threshold_seconds=20))
    figures = [column.cell(total) for column in columns(20)]
    assert cells(kpi_table(a_day(), threshold_seconds=20), "ALL", "") == figures


def test_no_rows_say_so_under_the_header() -> None:
    assert kpi_table([], threshold_seconds=20).splitlines()[2] == "(no contacts counted)"


def test_the_legend_explains_every_ratio_column() -> None:
    legend = kpi_legend(60)
    for column in columns(60)[4:]:
        assert f"{column.name.split(' s')[0]} = " in legend, column.name
    assert "answered within 60 s / queued" in legend


def test_rates_from_fewer_contacts_than_the_alarms_floor_are_left_blank() -> None:
    sparse = Kpis(queued=MIN_QUEUED_FOR_RATES - 1, abandoned=2)
    busy = Kpis(queued=MIN_QUEUED_FOR_RATES, abandoned=3)
    assert math.isnan(charted_rate(sparse, sparse.abandonment_rate))
    assert charted_rate(busy, busy.abandonment_rate) == 3 / MIN_QUEUED_FOR_RATES
    assert math.isnan(charted_rate(busy, None))


def test_the_charts_and_the_dashboard_alarms_share_one_floor() -> None:
    from infra.constructs.observability import abandonment_rate, service_level

    for expression in (abandonment_rate("VOICE"), service_level("VOICE")):
        assert f"IF(queued_voice >= {MIN_QUEUED_FOR_RATES}," in expression.expression


def test_one_chart_writer_draws_metric_rows_with_or_without_queue_samples(tmp_path: Path) -> None:
    zone = ZoneInfo("America/Chicago")
    rows = [
        row("VOICE", "billing", at=NINE + timedelta(minutes=15 * i), queued=12, abandoned=i)
        for i in range(4)
    ]
    reported = write_chart(
        channel_lines(rows), tmp_path / "report.png", threshold_seconds=20, zone=zone, title="t"
    )
    sampled = ChartLine(
        "day voice", "VOICE", rows, waiting=[(NINE, 0), (NINE + timedelta(minutes=5), 3)]
    )
    rehearsed = write_chart(
        [sampled], tmp_path / "day.png", threshold_seconds=20, zone=zone, title="t"
    )
    assert reported.read_bytes()[:8] == rehearsed.read_bytes()[:8] == PNG
