"""The supervisor's KPI table and chart, drawn from metric rows: one look for `ccaas rehearse`
and `ccaas report`.

Both commands end with rows of the metrics table (interval, channel, queue -> counters): the
rehearsal's from the analytics handler it runs (or `metric_rows` straight from the records), the
report's from the table it reads. So the same records print the same table and draw the same
curves. Every figure is a `lambdas.analytics.logic.Kpis` count or property: this module formats
and plots; it never divides.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from config.dashboard import MIN_QUEUED_FOR_RATES
from lambdas.analytics.logic import INTERVAL, Kpis, summarize
from local_connect.records.kpis import MetricRow

CHANNEL_ORDER = ("VOICE", "CHAT", "EMAIL", "TASK")
NO_QUEUE = "(none)"  # never queued and no queue chosen: the contact ended in the flow
CHANNEL_TOTAL = "= all queues"
GRAND_TOTAL = "ALL"


@dataclass(frozen=True)
class Column:
    name: str
    width: int
    cell: Callable[[Kpis], str]


def columns(threshold_seconds: int) -> tuple[Column, ...]:
    """The table's columns after channel and queue; `kpi_legend` says what each one is."""
    service_level = f"SL {threshold_seconds}s"
    return (
        Column("contacts", 8, lambda k: f"{k.contacts:,}"),
        Column("queued", 7, lambda k: f"{k.queued:,}"),
        Column("answered", 8, lambda k: f"{k.answered:,}"),
        Column("abandoned", 9, lambda k: f"{k.abandoned:,}"),
        Column("aband%", 7, lambda k: percent(k.abandonment_rate)),
        Column("ASA s", 6, lambda k: _seconds(k.average_speed_of_answer)),
        Column("AHT s", 6, lambda k: _seconds(k.average_handle_time)),
        Column(service_level, max(6, len(service_level)), lambda k: percent(k.service_level)),
        Column("SL Connect", 10, lambda k: percent(k.connect_service_level)),
        Column("q. full", 7, lambda k: f"{k.queue_full:,}"),
        Column("self-serv%", 10, lambda k: percent(k.self_service_rate)),
        Column("repeat%", 8, lambda k: percent(k.repeat_rate)),
        Column("FCR", 6, lambda k: percent(k.first_contact_resolution)),
    )


def kpi_table(rows: Sequence[MetricRow], *, threshold_seconds: int) -> str:
    """Per channel: one line per queue, then the channel's total; the grand total last."""
    cells = columns(threshold_seconds)
    header = f"{'channel':<8} {'queue':<16} " + " ".join(f"{c.name:>{c.width}}" for c in cells)
    rule = "-" * len(header)
    lines = [header, rule]
    if not rows:
        lines.append("(no contacts counted)")
        return "\n".join(lines)

    def line(channel: str, queue: str, kpis: Kpis) -> str:
        return f"{channel:<8} {queue[:16]:<16} " + " ".join(
            f"{c.cell(kpis):>{c.width}}" for c in cells
        )

    by_queue = summarize(rows, threshold_seconds=threshold_seconds)
    by_channel = summarize(rows, threshold_seconds=threshold_seconds, by_queue=False)
    total = Kpis()
    for channel in sorted((channel for channel, _ in by_channel), key=_channel_rank):
        queues = sorted((queue, kpis) for (c, queue), kpis in by_queue.items() if c == channel)
        lines += [line(channel, queue or NO_QUEUE, kpis) for queue, kpis in queues]
        lines.append(line(channel, CHANNEL_TOTAL, by_channel[(channel, "")]))
        total.add(by_channel[(channel, "")])
    lines += [rule, line(GRAND_TOTAL, "", total)]
    return "\n".join(lines)


def kpi_legend(threshold_seconds: int) -> str:
    """What the columns of `kpi_table` are (docs/kpis.md has the counts' exact definitions)."""
    x = threshold_seconds
    return "\n".join(
        (
            "aband% = abandoned / queued; ASA = queue time of answered / answered; "
            "AHT = talk + hold + ACW / handled;",
            f"SL {x}s = answered within {x} s / queued; SL Connect = left the queue (answered, "
            f"abandoned, callback) within {x} s / queued;",
            "q. full = routed to a queue, refused at capacity; self-serv% = ended in the flow / "
            "customer-started;",
            "repeat% = same customer, any channel, within the window / identified; "
            "FCR = 1 - repeat%; - = nothing to divide by",
        )
    )


def _channel_rank(channel: str) -> tuple[int, str]:
    return (CHANNEL_ORDER.index(channel) if channel in CHANNEL_ORDER else 99, channel)


def percent(value: float | None) -> str:
    """A share as the tables print it; "-" when there was nothing to divide by."""
    return "-" if value is None else f"{value:.1%}"


def _seconds(value: float | None) -> str:
    return "-" if value is None else f"{value:.0f}"


# -- the chart ------------------------------------------------------------------------------


@dataclass(frozen=True)
class ChartLine:
    """One curve of the chart: a channel's metric rows (and, when known, how many contacts
    waited over time: the rehearsal's ACD samples it; a metrics table does not hold it)."""

    label: str
    channel: str
    rows: Sequence[MetricRow]
    waiting: Sequence[tuple[datetime, int]] = ()


def channel_lines(rows: Sequence[MetricRow]) -> list[ChartLine]:
    """One curve per channel of `rows`, in the tables' channel order."""
    channels = sorted({key.channel for key, _ in rows}, key=_channel_rank)
    return [
        ChartLine(
            label=channel.lower(),
            channel=channel,
            rows=[row for row in rows if row[0].channel == channel],
        )
        for channel in channels
    ]


def per_interval(rows: Iterable[MetricRow], *, threshold_seconds: int) -> dict[datetime, Kpis]:
    """The rows' KPIs per 15-minute interval (all queues and channels of the rows together)."""
    intervals: dict[datetime, Kpis] = {}
    for key, counters in rows:
        intervals.setdefault(key.interval_start, Kpis()).add(
            Kpis.from_counters(counters, threshold_seconds=threshold_seconds)
        )
    return dict(sorted(intervals.items()))


def charted_rate(kpis: Kpis, rate: float | None) -> float:
    """`rate` as the chart draws it: NaN (a gap) when the interval queued too few contacts for a
    rate to mean anything, at the floor the dashboard's rate alarms use."""
    if rate is None or kpis.queued < MIN_QUEUED_FOR_RATES:
        return math.nan
    return rate


def write_chart(
    lines: Sequence[ChartLine],
    path: Path,
    *,
    threshold_seconds: int,
    zone: ZoneInfo,
    title: str,
    window: tuple[datetime, datetime] | None = None,
) -> Path:
    """Four panels over the day, one curve per line: contacts waiting (or, without samples,
    contacts queued per 15 minutes), abandonment rate, service level and ASA, per 15-minute
    interval of queue entry. `window` defaults to the span with contacts in queue, +- 30 min."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.dates as mdates
    import matplotlib.pyplot as plt
    from matplotlib.ticker import PercentFormatter

    sampled = bool(lines) and all(line.waiting for line in lines)
    figure, (volume, abandonment, service, speed) = plt.subplots(
        4, 1, figsize=(11, 11), sharex=True
    )
    busy: list[datetime] = []
    for line in lines:
        style = "--" if line.channel == "CHAT" else "-"
        intervals = per_interval(line.rows, threshold_seconds=threshold_seconds)
        middles = [start + INTERVAL / 2 for start in intervals]
        kpis = list(intervals.values())
        queued_at = [start for start, k in intervals.items() if k.queued]
        busy += [*queued_at[:1], *(start + INTERVAL for start in queued_at[-1:])]
        if sampled:
            volume.plot(
                [at for at, _ in line.waiting],
                [n for _, n in line.waiting],
                style,
                label=line.label,
            )
            busy += [at for at, waiting in line.waiting if waiting]
        else:
            volume.plot(middles, [k.queued for k in kpis], style, marker=".", label=line.label)
        abandonment.plot(
            middles, [charted_rate(k, k.abandonment_rate) for k in kpis], style, label=line.label
        )
        service.plot(
            middles, [charted_rate(k, k.service_level) for k in kpis], style, label=line.label
        )
        speed.plot(
            middles, [_nan(k.average_speed_of_answer) for k in kpis], style, label=line.label
        )
    if window is None and busy:
        window = (min(busy) - timedelta(minutes=30), max(busy) + timedelta(minutes=30))
    if window is not None:
        speed.set_xlim(window[0].astimezone(zone), window[1].astimezone(zone))
    volume.set_ylabel("contacts waiting" if sampled else "contacts queued / 15 min")
    abandonment.set_ylabel("abandonment rate")
    service.set_ylabel(f"answered in {threshold_seconds} s")
    speed.set_ylabel("ASA (s)")
    for rate in (abandonment, service):
        rate.set_ylim(0, 1.02)
        rate.yaxis.set_major_formatter(PercentFormatter(1.0))
    speed.xaxis.set_major_formatter(mdates.DateFormatter("%H:%M", tz=zone))
    speed.set_xlabel(
        f"{zone.key} time; rates per 15 minutes of queue entry, blank where under "
        f"{MIN_QUEUED_FOR_RATES} contacts queued"
    )
    for axis in (volume, abandonment, service, speed):
        axis.grid(alpha=0.3)
    if lines:
        volume.legend(loc="upper right", fontsize="small")
    figure.suptitle(title)
    figure.tight_layout()
    path.parent.mkdir(parents=True, exist_ok=True)
    figure.savefig(path, dpi=110)
    plt.close(figure)
    return path


def _nan(value: float | None) -> float:
    return math.nan if value is None else value
