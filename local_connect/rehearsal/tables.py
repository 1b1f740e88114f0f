"""The variants of a rehearsal compared side by side. Each variant's own KPI table is the one
`ccaas report` prints (`local_connect.records.presentation.kpi_table`); the KPI figures here are
`Kpis` properties of the same metric rows, the rest are the simulated day's own counts."""

from __future__ import annotations

from collections.abc import Iterable

from local_connect.acd import Outcome
from local_connect.records.presentation import percent
from local_connect.rehearsal.results import Rehearsal


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
        add(f"{name} abandonment", (percent(run.total(channel).abandonment_rate) for run in runs))
        add(f"{name} ASA", (_seconds(run.total(channel).average_speed_of_answer) for run in runs))
        add(
            f"{name} service level {rehearsal.service_level_seconds}s",
            (percent(run.total(channel).service_level) for run in runs),
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
    if any(run.total().bot_contacts for run in runs):
        add(
            "contained by the bot",
            (
                _count_and_share(run.total().bot_contained, run.total().containment_rate)
                for run in runs
            ),
        )
        add("bot abandonment", (percent(run.total().bot_abandonment_rate) for run in runs))
        add("agent-hours saved", (f"{run.agent_hours_saved():,.0f}" for run in runs))
    add("callbacks booked", (f"{run.callbacks():,}" for run in runs))
    add("callbacks still queued", (f"{run.outcomes(Outcome.UNSERVED):,}" for run in runs))
    add(
        "agent-hours staffed",
        (f"{sum(run.simulation.staffed_seconds.values()) / 3600:,.0f}" for run in runs),
    )
    add("agent occupancy", (percent(run.simulation.occupancy()) for run in runs))
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


def _count_and_share(count: int, share: float | None) -> str:
    return "-" if share is None else f"{count:,} ({share:.0%})"


def _ratio(value: float | None) -> str:
    return "-" if value is None else f"{value:.2f}"


def _change(value: float, baseline: float) -> str:
    return f"{100 * (value - baseline) / baseline:+.0f}%"


def _seconds(value: float | None) -> str:
    return "-" if value is None else f"{value:.0f} s"
