"""`ccaas rehearse`: a scenario's day played offline (local_connect.rehearsal), its tables
printed, its chart and records written. Offline: it runs in the local engine's AWS environment."""

from __future__ import annotations

import argparse
import json
import os
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import timedelta
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING, Any

import yaml

from config import ContactCenterConfig
from local_connect.scenarios import (
    Scenario,
    ScenarioError,
    available_scenarios,
    load_config_for,
    load_scenario,
    read_scenario,
    staffing_note,
)
from scripts.cli_support import (
    CommandError,
    int_between,
    positive_int,
    writable_dir,
    writable_file,
)
from scripts.progress import Reporter

if TYPE_CHECKING:
    from local_connect.rehearsal import Progress, Rehearsal, VariantRun
    from local_connect.rehearsal.calibration import Target

DEFAULT_OUT = Path("out")
# A quarter: the 30-day questions twice over. A dmv day takes minutes, so more would run
# for hours; rehearse further months as runs of their own (scenarios with later dates).
MAX_DAYS = 90
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

With --days N it plays N consecutive days from the scenario's date, the same customers coming
back (a customer who emails on Monday may call on Wednesday): each day's comparison of the
variants, then each variant's KPI table summed over the days; the chart is the first day's and
--records-out writes one file per variant and day (<scenario>-<variant>-<date>.jsonl), which
`ccaas report --records` and `ccaas history --records` read together.

With --calibrate KPI=VALUE --fit PARAMETER it calibrates instead: it rehearses the baseline
variant (the first, or the one --variant names) again and again, moving one scenario parameter
until the KPI is within one point of VALUE, prints each try and the fitted value, and writes the
scenario with that value to --calibrated-out (never over the scenario itself). KPI: [CHANNEL.]
abandonment, service_level, self_service, containment or bot_abandonment; PARAMETER: a dotted
path to a number in the scenario (channels.voice.patience.mean) or `staffing` (a factor on the
variant's head counts).

Examples:
  ccaas rehearse --variant voice_only --chart out/voice.png
  ccaas rehearse --scenario path/to/day.yaml --stage prod --records-out out/records
  ccaas rehearse --variant voice_only --days 30 --records-out out/month
  ccaas rehearse --variant voice_only --calibrate voice.abandonment=35% --fit staffing
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
        "--days",
        type=int_between(1, MAX_DAYS),
        default=1,
        help=f"consecutive days from the scenario's date, the same customers coming back "
        f"(1 to {MAX_DAYS}; default: 1)",
    )
    parser.add_argument(
        "--workers",
        type=positive_int,
        default=min(os.cpu_count() or 1, 4),
        help="parallel processes (default: one per CPU, at most 4)",
    )
    parser.add_argument(
        "--calibrate",
        default=None,
        metavar="KPI=VALUE",
        help="the observed KPI the baseline variant must reproduce, e.g. voice.abandonment=35%%",
    )
    parser.add_argument(
        "--fit",
        default=None,
        metavar="PARAMETER",
        help="the scenario parameter --calibrate moves: a dotted path to a number, or staffing",
    )
    parser.add_argument(
        "--calibrated-out",
        type=Path,
        default=None,
        metavar="FILE",
        help=f"where --calibrate writes the fitted scenario (default: "
        f"{DEFAULT_OUT}/<scenario>-calibrated.yaml)",
    )
    parser.set_defaults(handler=run, offline=True)


def run(args: argparse.Namespace) -> int:
    started = time.perf_counter()
    reporter = Reporter("rehearse")
    target = _calibration_target(args)  # before the scenario loads: mistakes are found at once
    scenario, config = _load(args.scenario, args.stage)
    unknown = [name for name in args.variant or [] if name not in scenario.variants]
    if unknown:
        raise CommandError(
            f"scenario {scenario.name} has no variant {', '.join(unknown)}",
            f"its variants: {', '.join(scenario.variants)}",
        )
    if target is not None:
        if args.days != 1:
            raise CommandError("--calibrate rehearses one day", "leave out --days")
        return _calibrate(args, target, scenario, config)
    chart = writable_file(args.chart or DEFAULT_OUT / f"rehearsal-{scenario.name}.png", "--chart")
    if args.records_out is not None:
        writable_dir(args.records_out, "--records-out")
    # Not at `ccaas` start-up: the rehearsal loads the flow Lambdas and the analytics handler,
    # whose Powertools settings are fixed when they are imported (see `LocalLambda`).
    from local_connect.rehearsal import AnalyticsStage, rehearse

    reporter.step(f"scenario {scenario.name} against config stage '{config.stage}'")
    options: dict[str, Any] = {
        "variants": args.variant,
        "kpi_stage": AnalyticsStage(),
        "workers": args.workers,
        "progress": _progress(reporter),
    }
    if args.days > 1:
        contacts = _many_days(args, scenario, config, chart, options)
        variants = len(args.variant or scenario.variants)
        what = f"{variants} variant(s) over {args.days} days"
    else:
        rehearsal = rehearse(scenario, config, **options)
        _one_day(args, rehearsal, config, chart, reporter)
        contacts, what = rehearsal.contacts, f"{len(rehearsal.runs)} variant(s)"
    elapsed = time.perf_counter() - started
    say()
    say(f"chart: {chart}")
    say(
        f"{contacts:,} contacts in {what}, "
        f"{elapsed:.1f} s wall ({contacts / elapsed:,.0f} contacts/s)"
    )
    return 0


def _one_day(
    args: argparse.Namespace,
    rehearsal: Rehearsal,
    config: ContactCenterConfig,
    chart: Path,
    reporter: Reporter,
) -> None:
    """The day's KPI table per variant, the comparison, the chart and the records."""
    from local_connect.records.presentation import kpi_legend, kpi_table
    from local_connect.rehearsal import comparison_table, draw_day

    scenario = rehearsal.scenario
    say(f"Scenario {scenario.name}: {scenario.description}")
    say(
        f"Config stage '{config.stage}' ({config.organisation}), {scenario.date:%A %d %B %Y}, "
        f"seed {scenario.seed}"
    )
    _staffing_note(scenario, config)
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
            _write_records(run_, args.records_out / f"{scenario.name}-{run_.name}.jsonl")


def _many_days(
    args: argparse.Namespace,
    scenario: Scenario,
    config: ContactCenterConfig,
    chart: Path,
    options: dict[str, Any],
) -> int:
    """Each day's comparison and records as the day is done (a month does not fit in memory),
    then each variant's KPI table over all the days: their metric rows summed. Returns the
    contacts rehearsed."""
    from local_connect.records import MetricRow
    from local_connect.records.presentation import kpi_legend, kpi_table
    from local_connect.rehearsal import comparison_table, draw_day, rehearse_days

    last = scenario.date + timedelta(days=args.days - 1)
    say(f"Scenario {scenario.name}: {scenario.description}")
    say(
        f"Config stage '{config.stage}' ({config.organisation}), {args.days} days from "
        f"{scenario.date:%A %d %B %Y} to {last:%A %d %B %Y}, seed {scenario.seed}"
    )
    _staffing_note(scenario, config)
    rows: dict[str, list[MetricRow]] = {}
    contacts = 0
    threshold = 0
    for number, rehearsal in enumerate(
        rehearse_days(scenario, config, args.days, **options), start=1
    ):
        day = rehearsal.scenario.date
        threshold = rehearsal.service_level_seconds
        contacts += rehearsal.contacts
        say()
        say(f"== day {number}: {day:%A %d %B %Y}")
        say(comparison_table(rehearsal))
        for run_ in rehearsal.runs:
            rows.setdefault(run_.name, []).extend(run_.rows)
            say(f"   {run_.name}: KPIs {run_.kpi_source}")
            if args.records_out is not None:
                _write_records(
                    run_, args.records_out / f"{scenario.name}-{run_.name}-{day:%Y-%m-%d}.jsonl"
                )
        if number == 1:
            draw_day(rehearsal, chart)
    for name, variant_rows in rows.items():
        variant = scenario.variants[name]
        say()
        say(f"== {name}: {variant.description}")
        say(f"   channels: {', '.join(variant.channels)}")
        say(f"   KPIs of the {args.days} days: their metric rows summed")
        say(kpi_table(variant_rows, threshold_seconds=threshold))
    say()
    say(kpi_legend(threshold))
    return contacts


def _staffing_note(scenario: Scenario, config: ContactCenterConfig) -> None:
    note = staffing_note(scenario, config)
    if note is not None:
        say(note)


def _write_records(run_: VariantRun, path: Path) -> None:
    """The variant's contact records as JSON lines, which `ccaas report --records` reads."""
    with path.open("w", encoding="utf-8") as out:
        for record in run_.records:
            out.write(json.dumps(record, separators=(",", ":")) + "\n")
    say(f"records: {path} ({len(run_.records):,})")


def _calibration_target(args: argparse.Namespace) -> Target | None:
    """The KPI --calibrate names, checked with --fit and --variant; None: no calibration."""
    from local_connect.rehearsal.calibration import CalibrationError, parse_target

    if args.calibrate is None and args.fit is None:
        return None
    if args.calibrate is None or args.fit is None:
        raise CommandError(
            "--calibrate and --fit go together", "say what to match and what to move"
        )
    if args.variant is not None and len(args.variant) > 1:
        raise CommandError("--calibrate fits one variant", "give --variant once, or not at all")
    try:
        return parse_target(args.calibrate)
    except CalibrationError as error:
        raise CommandError(str(error)) from None


def _calibrate(
    args: argparse.Namespace, target: Target, scenario: Scenario, config: ContactCenterConfig
) -> int:
    """--calibrate/--fit: the fitted parameter printed and written to a copy of the scenario."""
    from local_connect.rehearsal.calibration import (
        BOT_KPIS,
        Calibration,
        CalibrationError,
        parameter_of,
    )

    variant = args.variant[0] if args.variant else next(iter(scenario.variants))
    source, raw = read_scenario(args.scenario)
    out = writable_file(
        args.calibrated_out or DEFAULT_OUT / f"{scenario.name}-calibrated.yaml", "--calibrated-out"
    )
    if out.resolve() == source.resolve():
        raise CommandError(
            f"--calibrated-out {out} is the scenario itself", "calibration writes a copy"
        )
    try:
        if target.kpi in BOT_KPIS and not scenario.variants[variant].bot:
            raise CalibrationError(
                f"variant {variant} has no bot (bot: true), so no {target.label} to calibrate"
            )
        parameter = parameter_of(raw, args.fit, variant)
        say(
            f"Calibrating scenario {scenario.name}, variant {variant}: {args.fit} so that "
            f"{target.label} is {target.value:.1%} (within one point)"
        )
        calibration = Calibration(
            raw,
            str(source),
            config,
            variant,
            target,
            parameter,
            workers=args.workers,
            on_trial=lambda value, kpi: say(
                f"  {args.fit} = {parameter.shown(value)}: {target.label} {kpi:.1%}"
            ),
        )
        fitted = calibration.run()
    except CalibrationError as error:
        raise CommandError(str(error)) from None
    calibrated = parameter.apply(raw, fitted.value)
    calibrated["name"] = f"{scenario.name}-calibrated"[:63]
    header = (
        f"# {scenario.name} calibrated by ccaas rehearse: {args.fit} = "
        f"{parameter.shown(fitted.value)} makes {variant}'s {target.label} {fitted.measured:.1%} "
        f"(observed: {target.value:.1%}). Copied from {source}; its comments are there.\n"
    )
    out.write_text(
        header + yaml.safe_dump(calibrated, sort_keys=False, allow_unicode=True), encoding="utf-8"
    )
    say(
        f"fitted: {args.fit} = {parameter.shown(fitted.value)} ({target.label} "
        f"{fitted.measured:.1%}) after {len(fitted.trials)} rehearsals of {variant}"
    )
    say(f"scenario: {out}")
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
