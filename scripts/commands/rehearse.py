"""`ccaas rehearse [--scenario dmv] [--config STAGE] [--chart FILE.png]`: a day, offline.

Plays every variant of a scenario through the flows, the ACD and the analytics, prints the
supervisor's KPI table per channel and queue and a comparison of the variants, and draws the day
(queue length, abandonment, service level) into a PNG. No AWS account, no network.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from pathlib import Path
from typing import Any

from local_connect.scenarios import (
    ScenarioError,
    available_scenarios,
    load_config_for,
    load_scenario,
)

DEFAULT_OUT = Path("out")


def register(subparsers: Any) -> None:
    parser = subparsers.add_parser(
        "rehearse",
        help="play a day of traffic through flows, queues, agents and analytics, offline",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument(
        "--scenario",
        default="dmv",
        help=f"a shipped scenario ({', '.join(available_scenarios())}) or a YAML file "
        "(default: dmv)",
    )
    parser.add_argument(
        "--config",
        default=None,
        metavar="STAGE",
        help="config stage to run against (default: the one the scenario names)",
    )
    parser.add_argument(
        "--variant",
        action="append",
        default=None,
        help="run only this variant (repeatable; default: all of the scenario's variants)",
    )
    parser.add_argument(
        "--chart",
        type=Path,
        default=None,
        help="PNG to draw the day into (default: out/rehearsal-<scenario>.png)",
    )
    parser.add_argument(
        "--records",
        type=Path,
        default=None,
        metavar="DIR",
        help="also write each variant's contact records as JSON lines into DIR",
    )
    parser.add_argument(
        "--workers",
        type=int,
        default=min(os.cpu_count() or 1, 4),
        help="variants played in parallel processes (default: one per CPU, at most 4)",
    )
    parser.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    started = time.perf_counter()
    try:
        scenario = load_scenario(args.scenario)
        config = load_config_for(scenario, args.config)
    except ScenarioError as error:
        print(error, file=sys.stderr)
        return 2
    from local_connect.rehearsal import (
        AnalyticsStage,
        comparison_table,
        kpi_table,
        rehearse,
        write_chart,
    )

    try:
        rehearsal = rehearse(
            scenario,
            config,
            variants=args.variant,
            kpi_stage=AnalyticsStage(),
            workers=args.workers,
        )
    except KeyError as error:
        print(f"ccaas rehearse: {error.args[0]}", file=sys.stderr)
        return 2
    print(f"Scenario {scenario.name}: {scenario.description}")
    print(
        f"Config stage '{config.stage}' ({config.organisation}), {scenario.date:%A %d %B %Y}, "
        f"seed {scenario.seed}"
    )
    for run_ in rehearsal.runs:
        print()
        print(f"== {run_.name}: {run_.description}")
        print(f"   channels: {', '.join(scenario.variants[run_.name].channels)}; {run_.routing}")
        print(f"   KPIs {run_.kpi_source}")
        print(kpi_table(run_, rehearsal.service_level_seconds))
    print()
    print("== comparison")
    print(comparison_table(rehearsal))
    chart = args.chart or DEFAULT_OUT / f"rehearsal-{scenario.name}.png"
    write_chart(rehearsal, chart)
    if args.records:
        args.records.mkdir(parents=True, exist_ok=True)
        for run_ in rehearsal.runs:
            path = args.records / f"{scenario.name}-{run_.name}.jsonl"
            with path.open("w", encoding="utf-8") as out:
                for record in run_.records:
                    out.write(json.dumps(record, separators=(",", ":")) + "\n")
            print(f"records: {path} ({len(run_.records):,})")
    elapsed = time.perf_counter() - started
    print()
    print(f"chart: {chart}")
    print(
        f"{rehearsal.contacts:,} contacts in {len(rehearsal.runs)} variant(s), "
        f"{elapsed:.1f} s wall ({rehearsal.contacts / elapsed:,.0f} contacts/s)"
    )
    return 0
