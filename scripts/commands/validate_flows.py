"""`ccaas validate-flows [PATH...]`: check contact flows like code, before any synth.

With no PATH, every flow the stage's config lists (contact_flows/<name>.json) is checked with all
rules, placeholders included. PATHs (files or folders of *.json) are checked the same way when
they are one of the stage's flows; any other file (an export from another instance, a sample)
is checked against Connect's rules and our house rules, without config. `--connect-only` keeps
only Connect's rules: use it on flows you import but do not own.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

from config import ConfigError, load_stage
from flowlang.context import StageFlows, discover_lambdas
from flowlang.validator import validate_files, validate_stage
from infra.paths import CONTACT_FLOWS_DIR, LAMBDAS_DIR

EXIT_INVALID = 1
EXIT_USAGE = 2


def register(subparsers: Any) -> None:
    parser = subparsers.add_parser(
        "validate-flows", help="validate contact flow files (all of the stage's flows by default)"
    )
    parser.add_argument("paths", nargs="*", type=Path, metavar="PATH", help="files or folders")
    parser.add_argument("--stage", default="dev", help="config/<stage>.yaml (default: dev)")
    parser.add_argument(
        "--connect-only",
        action="store_true",
        help="only what Connect itself would reject (for flows you import but do not own)",
    )
    parser.add_argument("--flows-dir", type=Path, default=CONTACT_FLOWS_DIR, help=argparse.SUPPRESS)
    parser.add_argument("--lambdas-dir", type=Path, default=LAMBDAS_DIR, help=argparse.SUPPRESS)
    parser.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    try:
        config = load_stage(args.stage)
    except ConfigError as error:
        print(error, file=sys.stderr)
        return EXIT_USAGE
    stage = StageFlows(config, discover_lambdas(args.lambdas_dir), args.flows_dir)
    if args.paths:
        files = _expand(args.paths)
        if not files:
            print("validate-flows: no .json files in the given paths", file=sys.stderr)
            return EXIT_USAGE
        results = validate_files(
            files, strict=not args.connect_only, stage=None if args.connect_only else stage
        )
        problems = [problem for found in results.values() for problem in found]
        checked = len(files)
    else:
        problems = validate_stage(stage)
        checked = len(config.flows)
    for problem in problems:
        print(problem)
    if problems:
        print(f"{len(problems)} problem(s) in {checked} flow(s)", file=sys.stderr)
        return EXIT_INVALID
    rules = "Connect's rules" if args.connect_only else f"all rules, stage '{config.stage}'"
    print(f"{checked} flow(s) valid ({rules})")
    return 0


def _expand(paths: list[Path]) -> list[Path]:
    files: list[Path] = []
    for path in paths:
        if path.is_dir():
            files.extend(sorted(path.glob("*.json")))
        else:
            files.append(path)
    return files
