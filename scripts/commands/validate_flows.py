"""`ccaas validate-flows`: the flow validator (flowlang.validator) on files or a stage's flows.

With no PATH, every flow the config lists is checked with all rules; PATHs that are one of the
config's flows get the same rules, other files get Connect's rules and our house rules without
config. Problems are results (stdout, exit 1), not errors.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

from config import ContactCenterConfig, load_config, load_stage
from flowlang.context import StageFlows, discover_lambdas
from flowlang.problems import Problem
from flowlang.validator import validate_files, validate_stage
from infra.paths import CONTACT_FLOWS_DIR, LAMBDAS_DIR
from scripts.cli_support import EXIT_OK, EXIT_PROBLEMS, CommandError, read_text

DEFAULT_STAGE = "dev"
DESCRIPTION = """\
Checks contact flow files (Amazon Connect flow language JSON) like code, before any synth:
what Connect itself would refuse (shape, action types and parameters, transitions, limits such
as 250 actions and 256,000 characters of content), and our house rules (no unreachable action,
a branch for every error, no dead end, every ${queue:...}-style placeholder resolvable from the
stage's config).

Reads config/<stage>.yaml (or --config FILE) and contact_flows/; writes nothing. Each problem
is one line on stdout, `file: action 'id': reason`; exit code 1 when there are any.

Examples:
  ccaas validate-flows                            every flow of config/dev.yaml, all rules
  ccaas validate-flows --connect-only export.json a flow you import but do not own
"""


def register(subparsers: Any) -> None:
    parser = subparsers.add_parser(
        "validate-flows",
        help="validate contact flow files (all of the stage's flows by default)",
        description=DESCRIPTION,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument(
        "paths",
        nargs="*",
        type=Path,
        metavar="PATH",
        help="flow files or folders of *.json (default: every flow the config lists)",
    )
    add_config_arguments(parser)
    parser.add_argument(
        "--connect-only",
        action="store_true",
        help="only what Connect itself would reject (for flows you import but do not own)",
    )
    parser.add_argument("--flows-dir", type=Path, default=CONTACT_FLOWS_DIR, help=argparse.SUPPRESS)
    parser.add_argument("--lambdas-dir", type=Path, default=LAMBDAS_DIR, help=argparse.SUPPRESS)
    parser.set_defaults(handler=run)


def add_config_arguments(parser: argparse.ArgumentParser) -> None:
    """`--stage NAME` or `--config FILE`, the two ways to name a config (validate-flows, synth)."""
    which = parser.add_mutually_exclusive_group()
    # The default is applied in `chosen_config`: argparse cannot tell `--stage dev` from a
    # default of "dev" (the same interned string), and would then allow it with --config.
    which.add_argument("--stage", help="reads config/<stage>.yaml (default: dev)")
    which.add_argument(
        "--config", type=Path, metavar="FILE", help="reads this config file instead of a stage's"
    )


def chosen_config(args: argparse.Namespace) -> ContactCenterConfig:
    return load_config(args.config) if args.config is not None else load_stage(stage_name(args))


def stage_name(args: argparse.Namespace) -> str:
    return args.stage or DEFAULT_STAGE


def run(args: argparse.Namespace) -> int:
    config = chosen_config(args)
    stage = StageFlows(config, discover_lambdas(args.lambdas_dir), args.flows_dir)
    if args.paths:
        files = _expand(args.paths)
        if not files:
            raise CommandError("no .json files in the given paths", "name flow files or folders")
        readable = [path for path in files if _readable(path)]
        results = validate_files(
            readable, strict=not args.connect_only, stage=None if args.connect_only else stage
        )
        problems = [problem for found in results.values() for problem in found]
        checked, unreadable = len(files), len(files) - len(readable)
    else:
        problems = validate_stage(stage)
        checked, unreadable = len(config.flows), 0
    if report_problems(problems, checked, unreadable):
        return EXIT_PROBLEMS
    rules = "Connect's rules" if args.connect_only else f"all rules, stage '{config.stage}'"
    print(f"{checked} flow(s) valid ({rules})")
    return EXIT_OK


def report_problems(problems: list[Problem], checked: int, unreadable: int = 0) -> bool:
    """Prints each problem on stdout and their count (with files that could not be read at all)
    on stderr; True when there were any."""
    for problem in problems:
        print(problem, flush=True)
    count = len(problems) + unreadable
    if count:
        print(f"{count} problem(s) in {checked} flow(s)", file=sys.stderr, flush=True)
    return bool(count)


def _readable(path: Path) -> bool:
    """A file named on the command line that is not text at all (an image, a folder's stray
    binary) is named on stderr, like any unreadable input, and the others are still checked."""
    try:
        read_text(path, "flow file")
    except CommandError as error:
        print(f"ccaas validate-flows: {error}", file=sys.stderr, flush=True)
        return False
    return True


def _expand(paths: list[Path]) -> list[Path]:
    files: list[Path] = []
    for path in paths:
        if path.is_dir():
            files.extend(sorted(path.glob("*.json")))
        else:
            files.append(path)
    return files
