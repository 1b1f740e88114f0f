"""The supervisor's tables: KPIs per channel and queue for a variant, and the variants compared."""

from __future__ import annotations

from collections.abc import Iterable

from local_connect.acd import Outcome
from local_connect.records import Kpi
from local_connect.rehearsal.results import Rehearsal, VariantRun


def _percent(value: float | None) -> str:
    return "-" if value is None else f"{100 * value:.1f}%"


def _seconds(value: float | None) -> str:
    return "-" if value is None else f"{value:.0f} s"


def kpi_table(run: VariantRun, service_level_seconds: int) -> str:
    header = (
        f"{'channel':<7} {'queue':<13} {'contacts':>8} {'queued':>7} {'handled':>8} "
        f"{'abandoned':>9} {'aband.':>7} {'ASA':>7} {'AHT':>7} {f'SL {service_level_seconds}s':>7} "
        f"{'q. full':>7} {'self-svc':>8}"
    )
    lines = [header, "-" * len(header)]

    def row(channel: str, queue: str, kpi: Kpi) -> str:
        return (
            f"{channel:<7} {queue:<13} {kpi.contacts:>8,} {kpi.queued:>7,} {kpi.handled:>8,} "
            f"{kpi.abandoned:>9,} {_percent(kpi.abandonment_rate):>7} "
            f"{_seconds(kpi.average_speed_of_answer):>7} {_seconds(kpi.average_handle_time):>7} "
            f"{_percent(kpi.service_level):>7} {kpi.queue_full:>7,} "
            f"{_percent(kpi.self_service_rate):>8}"
        )

    channels = sorted({channel for channel, _ in run.kpis})
    for channel in channels:
        for (record_channel, queue), kpi in sorted(run.kpis.items()):
            if record_channel == channel:
                lines.append(row(channel, queue or "(no queue)", kpi))
        lines.append(row(channel, "all queues", run.total(channel)))
    lines.append(row("all", "all queues", run.total()))
    return "\n".join(lines)


def comparison_table(rehearsal: Rehearsal) -> str:
    runs = rehearsal.runs
    width = max(12, *(len(run.name) for run in runs))
    header = f"{'':<28}" + "".join(f"{run.name:>{width + 2}}" for run in runs)
    lines = [header, "-" * len(header)]

    def add(label: str, values: Iterable[str]) -> None:
        lines.append(f"{label:<28}" + "".join(f"{value:>{width + 2}}" for value in values))

    add("customer contacts", (f"{run.inbound():,}" for run in runs))
    for channel in ("VOICE", "CHAT"):
        if not any(run.total(channel).contacts for run in runs):
            continue
        name = channel.lower()
        add(f"{name} contacts", (f"{run.inbound(channel):,}" for run in runs))
        add(f"{name} queue full", (f"{run.total(channel).queue_full:,}" for run in runs))
        add(f"{name} abandonment", (_percent(run.total(channel).abandonment_rate) for run in runs))
        add(f"{name} ASA", (_seconds(run.total(channel).average_speed_of_answer) for run in runs))
        add(
            f"{name} service level {rehearsal.service_level_seconds}s",
            (_percent(run.total(channel).service_level) for run in runs),
        )
    if any(run.reminders for run in runs):
        for outcome, label in (("sent", "sent"), ("opted_out", "refused, opted out")):
            add(
                f"reminders {label}",
                (
                    f"{run.reminders.counts.get(outcome, 0):,}" if run.reminders else "-"
                    for run in runs
                ),
            )
    add("callbacks booked", (f"{run.callbacks():,}" for run in runs))
    add("callbacks still queued", (f"{run.outcomes(Outcome.UNSERVED):,}" for run in runs))
    add(
        "agent-hours staffed",
        (f"{sum(run.simulation.staffed_seconds.values()) / 3600:,.0f}" for run in runs),
    )
    add("agent occupancy", (_percent(run.simulation.occupancy()) for run in runs))
    if any(run.simulation.channel_busy_seconds.get("CHAT") for run in runs):
        add(
            "agent-hours on chat",
            (f"{run.simulation.channel_busy_seconds.get('CHAT', 0.0) / 3600:,.0f}" for run in runs),
        )
        add("chats held at once", (_ratio(run.simulation.concurrency_used("CHAT")) for run in runs))
    baseline = runs[0].inbound("VOICE")
    if baseline and len(runs) > 1:
        add(
            f"voice volume vs {runs[0].name}",
            (_change(run.inbound("VOICE"), baseline) for run in runs),
        )
    return "\n".join(lines)


def _ratio(value: float | None) -> str:
    return "-" if value is None else f"{value:.2f}"


def _change(value: float, baseline: float) -> str:
    return f"{100 * (value - baseline) / baseline:+.0f}%"
