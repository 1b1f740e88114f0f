"""`ccaas bench`: every benchmark in one run, one table of ratios (issue 17's figures).

Each figure comes from the benchmark script that owns it (`measure(quick)` in
scripts/bench_lambdas.py, bench_analytics.py and bench_rehearsal.py); this command only runs
them in turn, times a synth, and prints or writes what they return. Ratios are measured against
a baseline in the same run, so they compare across machines; the seconds and megabytes do not.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import platform
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from scripts.cli_support import EXIT_OK, writable_file
from scripts.progress import Reporter

ROOT = Path(__file__).resolve().parents[2]

DESCRIPTION = """\
Runs every benchmark (flow Lambda cold start and warm call, one rehearsed dmv day, report
--records, analytics writes, a synth) and prints one table of ratios, each against a baseline
measured in the same run (`import boto3`, a bare moto GetItem), with the goal it is held to.
Takes about 10 minutes; --quick runs a reduced version (fewer runs, a 150-contact day) in
about a minute (its day is too small for the rehearsal and report ratios to mean much: their
fixed start-up dominates). Run it on a quiet machine: other load skews it.

Reads the project (config/dev.yaml, the dmv scenario, lambdas/); writes only temporary files,
and --json FILE. The JSON holds cold_import_vs_boto3, handler_vs_getitem,
rehearsal_day_vs_getitems, report_record_vs_getitem, analytics_write_calls_vs_naive,
rehearsal_peak_mb, synth_seconds and cpu_count, to compare between commits.

Examples:
  ccaas bench                          the full run, table on stdout
  ccaas bench --quick --json bench.json
"""


@dataclass(frozen=True)
class Figure:
    key: str
    meaning: str
    goal: float | None  # the figure must stay at or below it; None: reported, no budget
    unit: str = "x"


FIGURES = (
    Figure("cold_import_vs_boto3", "flow Lambda module import / import boto3", 1.3),
    Figure("handler_vs_getitem", "warm crm_lookup call / bare GetItem", 1.2),
    Figure("rehearsal_day_vs_getitems", "dmv day wall / (contacts x bare GetItem)", 1.0),
    Figure("report_record_vs_getitem", "report --records per record / bare GetItem", 2.0),
    Figure("analytics_write_calls_vs_naive", "analytics write calls / one per record", None),
    Figure("rehearsal_peak_mb", "dmv day peak memory, all processes", 500, " MB"),
    Figure("synth_seconds", "ccaas synth of the dev stage, wall", None, " s"),
    Figure("cpu_count", "CPUs of this machine (os.cpu_count)", None, ""),
)


def register(subparsers: Any) -> None:
    parser = subparsers.add_parser(
        "bench",
        help="run every benchmark and print one table of ratios",
        description=DESCRIPTION,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument(
        "--quick", action="store_true", help="a reduced run: fewer samples, a smaller day"
    )
    parser.add_argument("--json", type=Path, metavar="FILE", help="also write the figures here")
    parser.set_defaults(handler=run, offline=True)


def run(args: argparse.Namespace) -> int:
    if args.json is not None:
        writable_file(args.json, "--json")
    figures = measure_all(args.quick, Reporter("bench"))
    print(table(figures, quick=args.quick))
    if args.json is not None:
        args.json.write_text(json.dumps(figures, indent=2) + "\n", encoding="utf-8")
    return EXIT_OK


def measure_all(quick: bool, reporter: Reporter) -> dict[str, float]:
    """Every figure of `FIGURES`, one benchmark after another (never in parallel: they would
    skew each other)."""
    from scripts import bench_analytics, bench_lambdas, bench_rehearsal

    parts: list[tuple[str, Callable[[bool], dict[str, float]]]] = [
        ("flow Lambdas: cold start and warm calls", bench_lambdas.measure),
        ("analytics: write calls against one per record", bench_analytics.measure),
        ("rehearsal: one dmv day and report --records", bench_rehearsal.measure),
        ("synth of the dev stage", lambda _quick: {"synth_seconds": synth_seconds()}),
    ]
    figures: dict[str, float] = {"cpu_count": float(os.cpu_count() or 1)}
    for name, part in parts:
        reporter.step(name)
        started = time.perf_counter()
        figures.update(part(quick))
        reporter.step(f"{name}: {time.perf_counter() - started:.0f} s")
    return {figure.key: figures[figure.key] for figure in FIGURES}


def synth_seconds() -> float:
    """Wall seconds of `ccaas synth` in a fresh interpreter, as a user runs it (CDK import and
    Node included)."""
    with tempfile.TemporaryDirectory(prefix="bench-synth-") as scratch:
        started = time.perf_counter()
        subprocess.run(
            [sys.executable, "-m", "scripts.cli", "synth", "--outdir", str(Path(scratch, "out"))],
            cwd=ROOT,
            check=True,
            capture_output=True,
        )
        return time.perf_counter() - started


def table(figures: dict[str, float], *, quick: bool) -> str:
    run = "quick run" if quick else "full run"
    lines = [
        f"ccaas bench ({run}): {platform.python_implementation()} {platform.python_version()}, "
        f"{os.cpu_count()} CPU(s), {platform.machine()}",
        f"  {'figure':32} {'value':>10}  {'goal':>8}  {'':4} meaning",
    ]
    for figure in FIGURES:
        value = figures[figure.key]
        shown = f"{value:.0f}" if figure.unit in (" MB", "") else f"{value:.2f}"
        goal = f"<= {figure.goal:g}" if figure.goal is not None else ""
        verdict = "" if figure.goal is None else ("ok" if value <= figure.goal else "over")
        lines.append(
            f"  {figure.key:32} {shown + figure.unit:>10}  {goal:>8}  {verdict:4} {figure.meaning}"
        )
    if not all(math.isfinite(value) for value in figures.values()):
        lines.append("  (a figure is not a finite number: a benchmark failed to measure it)")
    return "\n".join(lines)
