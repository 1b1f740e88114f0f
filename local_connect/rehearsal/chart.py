"""The chart of a rehearsed day: one curve per variant and channel, drawn by the chart writer
`ccaas report` uses, from the variants' metric rows and the ACD's queue-length samples."""

from __future__ import annotations

from datetime import datetime, timedelta
from pathlib import Path

from local_connect.records.presentation import ChartLine, write_chart
from local_connect.rehearsal.planning import local_zone
from local_connect.rehearsal.results import Rehearsal, VariantRun

CHARTED_CHANNELS = ("VOICE", "CHAT")


def chart_lines(rehearsal: Rehearsal) -> list[ChartLine]:
    """Each variant's channels that queued anything, with how many contacts waited over time."""
    return [
        ChartLine(
            label=f"{run.name} {channel.lower()}",
            channel=channel,
            rows=[row for row in run.rows if row[0].channel == channel],
            waiting=_waiting(run, channel),
        )
        for run in rehearsal.runs
        for channel in CHARTED_CHANNELS
        if run.total(channel).queued
    ]


def draw_day(rehearsal: Rehearsal, path: Path) -> Path:
    """Queue length, abandonment, service level and ASA over the day, one curve per variant."""
    scenario = rehearsal.scenario
    runs = rehearsal.runs
    return write_chart(
        chart_lines(rehearsal),
        path,
        threshold_seconds=rehearsal.service_level_seconds,
        zone=local_zone(runs[0].config),
        title=f"{scenario.name}: {scenario.description} ({scenario.date:%A %d %B %Y})",
    )


def _waiting(run: VariantRun, channel: str) -> list[tuple[datetime, int]]:
    return [
        (
            run.day_start + timedelta(seconds=sample.at),
            sum(n for (_, ch), n in sample.waiting.items() if ch == channel),
        )
        for sample in run.simulation.samples
    ]
