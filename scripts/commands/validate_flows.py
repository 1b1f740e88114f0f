"""`ccaas validate-flows`: the flow validator (flowlang.validator) on files or a stage's flows.

Findings have a level: errors (Connect would refuse the flow, or it cannot run) always fail;
warnings (this project's style) fail only under `--strict`. The stage's own flows (no PATH, or a
PATH that is one of the files its config names) are always strict. Findings are results
(stdout, exit 1 when one fails), not errors.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

from config import ContactCenterConfig, load_config, load_stage
from flowlang.context import StageFlows, discover_lambdas
from flowlang.problems import Problem, count, failures
from flowlang.validator import validate_files, validate_stage
from infra.paths import CONTACT_FLOWS_DIR, LAMBDAS_DIR
from scripts.cli_support import EXIT_OK, EXIT_PROBLEMS, CommandError, read_text

DEFAULT_STAGE = "dev"
DESCRIPTION = """\
Checks contact flow files (Amazon Connect flow language JSON) like code, before any synth.

Errors are what Connect itself would refuse, or what cannot run: the shape, required
parameters, transitions to actions that do not exist, the limits AWS's flow language reference
states (250 actions, 256,000 characters of content, timeouts...), placeholders the stage cannot
resolve. Warnings are this project's style: a branch for every error, no dead end, no
unreachable action, entry flows that log, action types and parameters the catalog does not know.

The stage's own flows (no PATH, or a file its config names) are held to both: any finding fails.
Other files fail only on errors, their warnings printed, unless --strict.

Reads config/<stage>.yaml (or --config FILE) and contact_flows/; writes nothing. Each finding
is one line on stdout, `error: file: action 'id': reason` or `warning: ...`; the counts are on
stderr. Exit code 1 when a finding fails.

Examples:
  ccaas validate-flows                          every flow of config/dev.yaml, all rules
  ccaas validate-flows export.json              a flow you import: errors fail, warnings shown
  ccaas validate-flows --strict my_flows/       hold other files to the stage's rules
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
    mode = parser.add_mutually_exclusive_group()
    mode.add_argument(
        "--strict",
        action="store_true",
        help="warnings fail too, as for the stage's own flows",
    )
    mode.add_argument(
        "--connect-only",
        action="store_true",
        help="deprecated: the default now (only errors fail); kept as an alias for one release",
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
    if args.connect_only:
        print(
            "ccaas validate-flows: --connect-only is the default now and goes away in the next "
            "release (drop it; --strict makes warnings fail)",
            file=sys.stderr,
            flush=True,
        )
    config = chosen_config(args)
    stage = StageFlows(config, discover_lambdas(args.lambdas_dir), args.flows_dir)
    if not args.paths:
        problems = validate_stage(stage)
        if report_problems(problems, len(config.flows), strict=True):
            return EXIT_PROBLEMS
        print(f"{len(config.flows)} flow(s) valid (all rules, stage '{config.stage}')")
        return EXIT_OK

    files = _expand(args.paths)
    if not files:
        raise CommandError("no .json files in the given paths", "name flow files or folders")
    readable = [path for path in files if _readable(path)]
    shown: list[Problem] = []
    failing: list[Problem] = []
    for path, found in validate_files(readable, stage=stage).items():
        own = stage.flow_name_for(path) is not None
        shown.extend(found)
        failing.extend(failures(found, strict=args.strict or own))
    unreadable = len(files) - len(readable)
    if report_problems(shown, len(files), unreadable, strict=args.strict, failing=failing):
        return EXIT_PROBLEMS
    rules = "all rules" if args.strict else "errors fail, warnings shown"
    print(f"{len(files)} flow(s) valid ({rules})")
    return EXIT_OK


def report_problems(
    problems: list[Problem],
    checked: int,
    unreadable: int = 0,
    *,
    strict: bool,
    failing: list[Problem] | None = None,
) -> bool:
    """Prints each finding on stdout and the counts (files that could not be read at all count
    as errors) on stderr; True when any fails: an error, or a warning when `strict` (or when it
    is in `failing`, which callers give when files are held to different rules)."""
    for problem in problems:
        print(problem, flush=True)
    if failing is None:
        failing = failures(problems, strict=strict)
    errors, warnings = count(problems)
    errors += unreadable
    if errors or warnings:
        strict_note = "; warnings fail (strict)" if any(not p.is_error for p in failing) else ""
        print(
            f"{errors} error(s), {warnings} warning(s) in {checked} flow(s){strict_note}",
            file=sys.stderr,
            flush=True,
        )
    return bool(failing) or unreadable > 0


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
