"""`ccaas fuzz`: the on-demand fuzz profile, many generated inputs per function (issue 19).

The targets, strategies and checks are the fuzz suite's (tests/fuzz/): the default test suite
runs them with a few dozen cases per function (the CI profile), this command with `--cases`
per function, one function at a time in its own pytest run, so a long run shows where it is
and each function's count is printed as soon as it is known.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

from scripts.cli_support import EXIT_OK, EXIT_PROBLEMS, positive_int
from scripts.progress import Reporter

ROOT = Path(__file__).resolve().parents[2]
LAMBDAS_DIR = ROOT / "lambdas"
FUZZ_TEST = "tests/fuzz/test_fuzz.py::test_every_input_keeps_the_contract_and_logs_no_personal_data"
# How the command tells the fuzz suite its case count (tests/fuzz/test_fuzz.py reads it).
CASES_VARIABLE = "CCAAS_FUZZ_CASES"
DEFAULT_CASES = 10_000
# Quiet, in file order, without the warnings moto and Powertools print for every case.
PYTEST_OPTIONS = ("-q", "-p", "no:randomly", "-W", "ignore")

DESCRIPTION = """\
Runs the fuzz suite's on-demand profile: for each function (or the one --function names),
--cases generated inputs of its event source (Connect flow events, Lex events, Kinesis batches
of contact records, SNS, SES and SQS events, chat API requests; valid, damaged and hostile,
carrying phone numbers, emails and names) through its real handler in the local Lambda
runtime. Each case checks the function's contract (flow Lambdas answer a flat string map,
batch Lambdas a partial batch response, the chat API a 4xx for bad input, nothing raises where
it must not) and that no personal data appears unmasked in what it logged. Prints the cases
tried and the failures found per function; a failure shows its smallest failing input.
10,000 cases take minutes per function; the default test suite runs a few dozen.

Reads the project (lambdas/, tests/fuzz/, config/dev.yaml); writes nothing (offline, in moto).
Exit codes: 0 no failure found, 1 a function broke its contract or leaked personal data,
2 bad arguments.

Examples:
  ccaas fuzz                                  10,000 cases for every function
  ccaas fuzz --function crm_lookup --cases 500
"""


def function_names() -> list[str]:
    return sorted(path.parent.name for path in LAMBDAS_DIR.glob("*/handler.py"))


def register(subparsers: Any) -> None:
    parser = subparsers.add_parser(
        "fuzz",
        help="fuzz every Lambda with generated inputs and count the cases",
        description=DESCRIPTION,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument(
        "--cases",
        type=positive_int,
        default=DEFAULT_CASES,
        help=f"generated inputs per function (default: {DEFAULT_CASES})",
    )
    parser.add_argument(
        "--function",
        choices=function_names(),
        metavar="NAME",
        help=f"only this function: {', '.join(function_names())}",
    )
    parser.set_defaults(handler=run, offline=True)


def run(args: argparse.Namespace) -> int:
    reporter = Reporter("fuzz")
    names = [args.function] if args.function else function_names()
    failed = []
    for name in names:
        reporter.step(f"{name}: {args.cases} cases")
        completed = subprocess.run(
            [sys.executable, "-m", "pytest", f"{FUZZ_TEST}[{name}]", *PYTEST_OPTIONS],
            cwd=ROOT,
            env={**os.environ, CASES_VARIABLE: str(args.cases)},
            check=False,
        )
        if completed.returncode != 0:
            failed.append(name)
    if failed:
        reporter.line(f"failures found in {', '.join(failed)}")
        return EXIT_PROBLEMS
    return EXIT_OK
