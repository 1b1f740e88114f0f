"""`ccaas rehearse`: a scenario's day played offline (local_connect.rehearsal), its tables
printed, its chart and records written. Offline: it runs in the local engine's AWS environment."""

from __future__ import annotations

import argparse
import json
import os
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING, Any

from config import ContactCenterConfig
from local_connect.scenarios import (
    Scenario,
    ScenarioError,
    available_scenarios,
    load_config_for,
    load_scenario,
    staffing_note,
)
from scripts.cli_support import CommandError, positive_int, writable_dir, writable_file
from scripts.progress import Reporter

if TYPE_CHECKING:
    from local_connect.rehearsal import Progress

DEFAULT_OUT = Path("out")
say = partial(print, flush=True)  # each table as soon as it is ready

DESCRIPTION = """\
Plays a day of traffic through the contact center on this machine: every variant of a
scenario goes through the real entry flows and their Lambdas, an ACD with the scenario's agents,
and the real analytics function, as Connect and AWS would run them. No AWS account, no network.

Reads a scenario (a shipped one, or your YAML file) and the config stage it names.
Writes the supervisor's KPI table per channel and queue for each variant (the table `ccaas
report` prints) and a comparison of the variants to stdout, a chart of the day (queue length,
abandonment, service level, ASA) to --chart, and with --records-out each variant's contact
records as JSON lines, which `ccaas report --records` reads. Progress goes to stderr.

Examples:
  ccaas rehearse --variant voice_only --chart out/voice.png
  ccaas rehearse --scenario path/to/day.yaml --stage prod --records-out out/records
"""


def register(subparsers: Any) -> None:
    parser = subparsers.add_parser(
        "rehearse",
        help="play a day of traffic through flows, queues, agents and analytics, offline",
        description=DESCRIPTION,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument(
        "--scenario",
        default="dmv",
        help=f"a shipped scenario ({', '.join(available_scenarios())}) or a YAML file "
        "(default: dmv)",
    )
    parser.add_argument(
        "--stage",
        default=None,
        help="reads config/<stage>.yaml (default: the stage the scenario names)",
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
        metavar="FILE",
        help=f"PNG to draw the day into (default: {DEFAULT_OUT}/rehearsal-<scenario>.png)",
    )
    parser.add_argument(
        "--records-out",
        type=Path,
        default=None,
        metavar="DIR",
        help="also write each variant's contact records as JSON lines into DIR",
    )
    parser.add_argument(
        "--workers",
        type=positive_int,
        default=min(os.cpu_count() or 1, 4),
        help="parallel processes (default: one per CPU, at most 4)",
    )
    parser.set_defaults(handler=run, offline=True)


def run(args: argparse.Namespace) -> int:
    started = time.perf_counter()
    reporter = Reporter("rehearse")
    scenario, config = _load(args.scenario, args.stage)
    unknown = [name for name in args.variant or [] if name not in scenario.variants]
    if unknown:
        raise CommandError(
            f"scenario {scenario.name} has no variant {', '.join(unknown)}",
            f"its variants: {', '.join(scenario.variants)}",
        )
    chart = writable_file(args.chart or DEFAULT_OUT / f"rehearsal-{scenario.name}.png", "--chart")
    if args.records_out is not None:
        writable_dir(args.records_out, "--records-out")
    # Not at `ccaas` start-up: the rehearsal loads the flow Lambdas and the analytics handler,
    # whose Powertools settings are fixed when they are imported (see `LocalLambda`).
    from local_connect.records.presentation import kpi_legend, kpi_table
    from local_connect.rehearsal import AnalyticsStage, comparison_table, draw_day, rehearse

    reporter.step(f"scenario {scenario.name} against config stage '{config.stage}'")
    rehearsal = rehearse(
        scenario,
        config,
        variants=args.variant,
        kpi_stage=AnalyticsStage(),
        workers=args.workers,
        progress=_progress(reporter),
    )
    say(f"Scenario {scenario.name}: {scenario.description}")
    say(
        f"Config stage '{config.stage}' ({config.organisation}), {scenario.date:%A %d %B %Y}, "
        f"seed {scenario.seed}"
    )
    note = staffing_note(scenario, config)
    if note is not None:
        say(note)
    for run_ in rehearsal.runs:
        say()
        say(f"== {run_.name}: {run_.description}")
        say(f"   channels: {', '.join(scenario.variants[run_.name].channels)}; {run_.routing}")
        say(f"   KPIs {run_.kpi_source}")
        say(kpi_table(run_.rows, threshold_seconds=rehearsal.service_level_seconds))
    say()
    say(kpi_legend(rehearsal.service_level_seconds))
    say()
    say("== comparison")
    say(comparison_table(rehearsal))
    reporter.step("drawing the chart")
    draw_day(rehearsal, chart)
    if args.records_out is not None:
        reporter.step("writing the contact records")
        for run_ in rehearsal.runs:
            path = args.records_out / f"{scenario.name}-{run_.name}.jsonl"
            with path.open("w", encoding="utf-8") as out:
                for record in run_.records:
                    out.write(json.dumps(record, separators=(",", ":")) + "\n")
            say(f"records: {path} ({len(run_.records):,})")
    elapsed = time.perf_counter() - started
    say()
    say(f"chart: {chart}")
    say(
        f"{rehearsal.contacts:,} contacts in {len(rehearsal.runs)} variant(s), "
        f"{elapsed:.1f} s wall ({rehearsal.contacts / elapsed:,.0f} contacts/s)"
    )
    return 0


def _load(scenario_name: str, stage: str | None) -> tuple[Scenario, ContactCenterConfig]:
    try:
        scenario = load_scenario(scenario_name)
        return scenario, load_config_for(scenario, stage)
    except ScenarioError as error:
        raise CommandError(
            f"invalid scenario {error.source}: {'; '.join(error.problems)}"
        ) from None


def _progress(reporter: Reporter) -> Progress:
    """The rehearsal's steps as the reporter's counted tasks."""

    @contextmanager
    def task(step: str, total: int) -> Iterator[Callable[[int], None]]:
        with reporter.task(step, total) as counted:
            yield counted.advance

    return task
