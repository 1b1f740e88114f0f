"""The chart of a rehearsed day: queue length, abandonment and service level, one line per
variant and channel."""

from __future__ import annotations

import math
from dataclasses import dataclass
from pathlib import Path

from local_connect.acd import Outcome
from local_connect.rehearsal.results import Rehearsal, VariantRun

INTERVAL_SECONDS = 900  # Connect's historical metrics interval, and ours
# A rate from a handful of contacts is noise a supervisor would read as an incident (the two
# calls that reach the queue just after closing make "100% abandoned at 18:00"): the chart
# leaves such intervals blank, at the floor the dashboard's rate alarms use
# (infra/constructs/observability.py MIN_QUEUED_FOR_RATES). The KPI tables count every contact.
MIN_CHARTED_QUEUED = 10


@dataclass(frozen=True)
class IntervalPoint:
    start: float  # seconds after local midnight
    queued: int
    abandoned: int
    answered_in_threshold: int

    @property
    def abandonment_rate(self) -> float:
        return self.abandoned / self.queued if self.queued else math.nan

    @property
    def service_level(self) -> float:
        return self.answered_in_threshold / self.queued if self.queued else math.nan

    def charted(self, rate: float) -> float:
        """`rate` as a percentage for the chart, or NaN (a gap) when too few contacts queued."""
        return 100 * rate if self.queued >= MIN_CHARTED_QUEUED else math.nan


def intervals(run: VariantRun, channel: str, threshold: int) -> list[IntervalPoint]:
    """Abandonment and service level per 15-minute interval of queue entry, for one channel."""
    counts: dict[int, list[int]] = {}
    for result in run.simulation.contacts:
        if result.channel != channel:
            continue
        bucket = int(result.enqueued // INTERVAL_SECONDS)
        row = counts.setdefault(bucket, [0, 0, 0])
        row[0] += 1
        if result.outcome is Outcome.ABANDONED:
            row[1] += 1
        elif result.outcome is Outcome.HANDLED and result.queue_wait is not None:
            row[2] += result.queue_wait <= threshold
    return [IntervalPoint(bucket * INTERVAL_SECONDS, *counts[bucket]) for bucket in sorted(counts)]


def write_chart(rehearsal: Rehearsal, path: Path) -> Path:
    """Queue length, abandonment and service level over the day, one line per variant."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    threshold = rehearsal.service_level_seconds
    figure, axes = plt.subplots(3, 1, figsize=(11, 10), sharex=True)
    channels = [c for c in ("VOICE", "CHAT") if any(r.total(c).queued for r in rehearsal.runs)]
    styles = {"VOICE": "-", "CHAT": "--"}
    first, last = 24.0, 0.0
    for run in rehearsal.runs:
        for channel in channels:
            if not run.total(channel).queued:
                continue
            label = f"{run.name} {channel.lower()}"
            samples = run.simulation.samples
            axes[0].plot(
                [s.at / 3600 for s in samples],
                [sum(n for (_, ch), n in s.waiting.items() if ch == channel) for s in samples],
                styles[channel],
                label=label,
            )
            points = intervals(run, channel, threshold)
            hours = [(p.start + INTERVAL_SECONDS / 2) / 3600 for p in points]
            busy = [s.at / 3600 for s in samples if any(s.waiting.values())]
            first = min([first, *hours[:1]])
            last = max([last, *hours[-1:], *busy[-1:]])
            axes[1].plot(
                hours, [p.charted(p.abandonment_rate) for p in points], styles[channel], label=label
            )
            axes[2].plot(
                hours, [p.charted(p.service_level) for p in points], styles[channel], label=label
            )
    if first < last:
        axes[0].set_xlim(max(0.0, first - 0.5), min(24.0, last + 0.5))
    axes[0].set_ylabel("contacts waiting")
    axes[1].set_ylabel("abandonment %")
    axes[2].set_ylabel(f"answered in {threshold} s %")
    axes[2].set_xlabel(
        f"local hour (rates per 15 minutes of queue entry; blank where under "
        f"{MIN_CHARTED_QUEUED} contacts queued)"
    )
    for axis in axes:
        axis.grid(alpha=0.3)
    axes[0].legend(loc="upper right", fontsize="small")
    scenario = rehearsal.scenario
    figure.suptitle(f"{scenario.name}: {scenario.description} ({scenario.date:%A %d %B %Y})")
    figure.tight_layout()
    path.parent.mkdir(parents=True, exist_ok=True)
    figure.savefig(path, dpi=110)
    plt.close(figure)
    return path
