"""`ccaas people import|export`: a stage's people from and to Amazon Connect's bulk user CSV.

The CSV mapping lives in `config.people_csv`; this module reads and writes the files. An import
replaces `people.users` and keeps the rest of the stage's people section (hierarchy, agent
statuses, quick connects): those have no column in Connect's CSV, so the CSV cannot speak for
them. Nothing is written unless every row is good and the stage validates with the new users;
the file is then replaced in one rename, so a reader never sees half of it.
"""

from __future__ import annotations

import argparse
import os
import re
import sys
import tempfile
from collections import Counter
from pathlib import Path
from typing import Any

import yaml
from pydantic import ValidationError

from config import ConfigError, load_stage, loader
from config.people import HierarchyConfig, PersonConfig
from config.people_csv import Roster, RosterError, read_roster, write_roster
from scripts.cli_support import CommandError, ProblemsFound, read_text, writable_file

DESCRIPTION = """\
Keeps a stage's agents and supervisors in step with Amazon Connect's bulk user CSV: the
template the Connect admin website offers under Users, User management, Add new users.

import FILE.csv --stage S reads the CSV and writes people.users into config/<S>.people.yaml
(or --out FILE). The hierarchy, agent statuses and quick connects already in the stage's people
section are kept: the CSV has no columns for them. Security profiles map to the stage's two:
Agent becomes agent; CallCenterManager, Admin and QualityAnalyst become supervisor. Routing
profiles and hierarchy groups must exist in the stage. The password column is ignored (the
deploy generates first passwords) and said so on stderr. Every bad row is reported as
FILE: line N: column: reason on stderr (exit 1) and nothing is written; an existing file is
replaced only with --force.

export --stage S writes the stage's people as that CSV (password column empty) to stdout, or
to --out FILE.csv; importing it gives back the same people.

Examples:
  ccaas people export --stage dev --out dev-users.csv
  ccaas people import dev-users.csv --stage dev --force
"""
IMPORT_DESCRIPTION = """\
Reads Connect's bulk user CSV and writes the stage's people.users (see `ccaas people --help`).

Examples:
  ccaas people import staff.csv --stage dev --force
  ccaas people import staff.csv --stage prod --out ~/private/prod.people.yaml
"""
USER_PROBLEM = re.compile(r"^people\.users\.(?P<index>\d+)(?:\.(?P<field>[^:]+))?: (?P<reason>.*)$")
EXPORT_DESCRIPTION = """\
Writes the stage's people as Connect's bulk user CSV (see `ccaas people --help`).

Examples:
  ccaas people export --stage dev
  ccaas people export --stage prod --out prod-users.csv
"""


def register(subparsers: Any) -> None:
    parser = subparsers.add_parser(
        "people",
        help="import or export a stage's people as Amazon Connect's bulk user CSV",
        description=DESCRIPTION,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    actions = parser.add_subparsers(dest="action", required=True, metavar="ACTION")
    importing = actions.add_parser(
        "import",
        help="CSV -> config/<stage>.people.yaml",
        description=IMPORT_DESCRIPTION,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    importing.add_argument("file", type=Path, metavar="FILE.csv", help="Connect's user CSV")
    importing.add_argument("--stage", required=True, help="the stage the people work in")
    importing.add_argument(
        "--out",
        type=Path,
        metavar="FILE",
        help="write the people file here (default: config/<stage>.people.yaml)",
    )
    importing.add_argument(
        "--force", action="store_true", help="replace the people file if it exists"
    )
    importing.set_defaults(handler=run_import)
    exporting = actions.add_parser(
        "export",
        help="the stage's people -> CSV",
        description=EXPORT_DESCRIPTION,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    exporting.add_argument("--stage", required=True, help="the stage whose people to write")
    exporting.add_argument(
        "--out", type=Path, metavar="FILE.csv", help="write here (default: stdout)"
    )
    exporting.set_defaults(handler=run_export)


def run_import(args: argparse.Namespace) -> int:
    stage_path = loader.CONFIG_DIR / f"{args.stage}.yaml"
    if not stage_path.is_file():
        known = ", ".join(path.stem for path in loader.stage_files(loader.CONFIG_DIR))
        raise CommandError(f"stage '{args.stage}' has no config file", f"known stages: {known}")
    people_path = loader.people_file(stage_path)
    target = writable_file(args.out or people_path, "--out")
    if target.exists() and not args.force:
        raise CommandError(
            f"{target} exists",
            "pass --force to replace its users; its hierarchy, agent statuses and quick "
            "connects are kept",
        )
    stage_raw = loader.read_yaml(stage_path)
    if not isinstance(stage_raw, dict):
        raise ConfigError(str(stage_path), ["the file must hold a mapping of settings"])
    base = _current_people(stage_raw, stage_path, people_path, target)
    text = read_text(args.file, "CSV file")
    try:
        roster = read_roster(
            text,
            routing_profiles=stage_raw.get("routing_profiles") or {},
            hierarchy=_hierarchy(base, people_path),
        )
    except RosterError as error:
        raise _bad_rows(args.file, error.problems) from None
    people = {key: value for key, value in base.items() if key != "users"}
    people["users"] = [user.model_dump(mode="json", exclude_defaults=True) for user in roster.users]
    merged = {key: value for key, value in stage_raw.items() if key != "people"}
    try:
        loader.parse_config({**merged, "people": people}, source=str(stage_path))
    except ConfigError as error:
        raise _bad_rows(args.file, [_by_line(p, roster) for p in error.problems]) from None
    for note in roster.notes:
        print(f"ccaas people import: note: {note}", file=sys.stderr)
    _replace(target, _people_yaml(args.stage, args.file, people))
    print(f"wrote {target}: {_summary(roster.users)}")
    return 0


def run_export(args: argparse.Namespace) -> int:
    config = load_stage(args.stage)
    if config.people is None:
        raise CommandError(
            f"stage '{args.stage}' has no people: section",
            f"add config/{args.stage}.people.yaml, or import a CSV with `ccaas people import`",
        )
    text = write_roster(config.people)
    if args.out is None:
        sys.stdout.write(text)
        return 0
    _replace(writable_file(args.out, "--out"), text)
    print(f"wrote {args.out}: {_summary(config.people.users)}")
    return 0


def _current_people(
    stage_raw: dict[str, Any], stage_path: Path, people_path: Path, target: Path
) -> dict[str, Any]:
    """The stage's people section as it is now (the people file's, or the stage file's)."""
    if people_path.is_file():
        people, source = loader.read_people(people_path), people_path
    else:
        people, source = stage_raw.get("people"), stage_path
        if people is not None and target.resolve() == people_path.resolve():
            raise CommandError(
                f"people: is in {stage_path.name}, so a {people_path.name} beside it would set "
                "it twice",
                f"move people: into {people_path.name} first, or write elsewhere with --out",
            )
    if people is None:
        return {}
    if not isinstance(people, dict):
        # Replacing its users would silently drop whatever the section holds instead.
        raise ConfigError(str(source), ["people: must be a mapping (users, hierarchy, ...)"])
    return dict(people)


def _hierarchy(people: dict[str, Any], source: Path) -> HierarchyConfig | None:
    if people.get("hierarchy") is None:
        return None
    try:
        return HierarchyConfig.model_validate(people["hierarchy"])
    except ValidationError as error:
        problems = loader.describe_problems(error)
        raise ConfigError(str(source), [f"people.hierarchy.{p}" for p in problems]) from None


def _by_line(problem: str, roster: Roster) -> str:
    """`people.users.3.email: ...` -> `line 5 (jchen): email: ...`: the row to fix."""
    found = USER_PROBLEM.match(problem)
    if found is None or int(found["index"]) >= len(roster.users):
        return problem
    index = int(found["index"])
    detail = f"{found['field']}: {found['reason']}" if found["field"] else found["reason"]
    return f"line {roster.line_of(index)} ({roster.users[index].login}): {detail}"


def _bad_rows(file: Path, problems: list[str]) -> ProblemsFound:
    for problem in problems:
        print(f"{file}: {problem}", file=sys.stderr)
    return ProblemsFound(f"{len(problems)} problem(s) in {file}; nothing written")


def _people_yaml(stage: str, source: Path, people: dict[str, Any]) -> str:
    header = (
        f"# The people of stage {stage}, written by `ccaas people import {source.name}`: the\n"
        "# users come from that CSV, the rest was kept from the stage's people section.\n"
        "# It holds staff names and emails: keep it out of a shared repository.\n"
        "# Reference: docs/reference/config.md, section people.\n"
    )
    body = yaml.safe_dump(
        {"people": people}, sort_keys=False, allow_unicode=True, default_flow_style=False
    )
    return header + body


def _replace(target: Path, text: str) -> None:
    """Writes beside `target` and renames over it: all of the new file or none of it."""
    with tempfile.NamedTemporaryFile(
        "w", encoding="utf-8", dir=target.parent, prefix=f".{target.name}.", delete=False
    ) as temporary:
        temporary.write(text)
    os.replace(temporary.name, target)


def _summary(users: list[PersonConfig]) -> str:
    counts = Counter(user.routing_profile for user in users)
    per_profile = ", ".join(f"{profile} {count}" for profile, count in sorted(counts.items()))
    supervisors = sum(user.is_supervisor for user in users)
    return f"{len(users)} people ({per_profile}), {supervisors} supervisor(s)"
