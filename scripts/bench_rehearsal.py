"""On-demand benchmark of the local rehearsal: `python scripts/bench_rehearsal.py [--repeat 3]`.

Times the whole `dmv` rehearsal (every variant: traffic, flows, ACD, records, the contact-record
stream and analytics) as `ccaas rehearse` runs it, without the chart, and reports wall time,
contacts per second, where the time goes, the parallel speed-up over one process, and the ratio
to the budget (a 15,000-contact day in well under a minute). Not part of the test suite.
"""

from __future__ import annotations

import argparse
import os
import platform
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

BUDGET_SECONDS = 60.0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scenario", default="dmv")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--workers", type=int, default=min(os.cpu_count() or 1, 4))
    args = parser.parse_args()

    from local_connect.rehearsal import AnalyticsStage, rehearse
    from local_connect.scenarios import load_config_for, load_scenario

    scenario = load_scenario(args.scenario)
    config = load_config_for(scenario)
    walls: list[float] = []
    stages: dict[str, list[float]] = {}
    contacts = 0
    for _ in range(args.repeat):
        started = time.perf_counter()
        rehearsal = rehearse(scenario, config, kpi_stage=AnalyticsStage(), workers=args.workers)
        walls.append(time.perf_counter() - started)
        contacts = rehearsal.contacts
        for run in rehearsal.runs:
            for stage, seconds in run.timings.items():
                stages.setdefault(stage, []).append(seconds)
    wall = statistics.median(walls)
    started = time.perf_counter()
    rehearse(scenario, config, kpi_stage=AnalyticsStage(), workers=1)
    sequential = time.perf_counter() - started
    per_run = {stage: sum(values) / args.repeat for stage, values in stages.items()}
    print(
        f"{platform.python_implementation()} {platform.python_version()}, "
        f"{os.cpu_count()} CPU(s), scenario {scenario.name}, {len(rehearsal.runs)} variant(s)"
    )
    print(
        f"rehearsal wall time: median {wall:.2f} s of {args.repeat} "
        f"(min {min(walls):.2f}, max {max(walls):.2f})"
    )
    print(f"contacts: {contacts:,} ({contacts / wall:,.0f} contacts/s)")
    print(
        f"one process: {sequential:.2f} s; {args.workers} worker(s) are {sequential / wall:.2f}x "
        "faster"
    )
    print(f"per 15,000-contact day: {wall / contacts * 15_000:.2f} s")
    print(f"ratio to the {BUDGET_SECONDS:.0f} s budget: {wall / BUDGET_SECONDS:.3f}")
    print("where the time goes (stage seconds summed over variants, as a share of wall):")
    for stage, seconds in sorted(per_run.items(), key=lambda item: -item[1]):
        print(f"  {stage:<10} {seconds:6.2f} s  {seconds / wall:6.1%}")
    for run in rehearsal.runs:
        simulation = run.simulation
        acd = run.timings["acd"]
        print(
            f"  acd {run.name}: {len(simulation.contacts):,} contacts, {simulation.events:,} "
            f"events in {acd:.2f} s ({simulation.events / acd:,.0f} events/s)"
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
