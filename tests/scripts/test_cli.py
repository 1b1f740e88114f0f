"""Every `ccaas` command meets hostile input with one line and the right exit code, never a
traceback: no region, an unknown profile, no credentials, a binary file, an unwritable output,
a number out of range, a line that is not a contact record.

The cases are keyed by subcommand and the subcommands are read from the parser, so a new
command without hostile-input cases fails `test_every_command_has_hostile_input_cases`.
"""

from __future__ import annotations

import argparse
import re
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from scripts.cli import build_parser, main, subcommands
from tests.scripts.cli_checks import only_aws_settings

UNWRITABLE = "/proc/ccaas-nowhere/out"  # /proc refuses new entries, even to root
FLOW = Path(__file__).parents[1] / "local_connect" / "flows" / "fixtures" / "wait_for_customer.json"


@dataclass(frozen=True)
class Hostile:
    """One hostile invocation: argv (with {binary}, {not_records}, {records} filled from files
    made per test), the AWS environment it runs in, and what the one error line must say."""

    argv: str
    says: str
    exit_code: int = 2
    environment: dict[str, str] = field(default_factory=dict)


NO_REGION: dict[str, str] = {}  # the AWS variables are removed for every case; none put back
UNKNOWN_PROFILE = {"AWS_PROFILE": "no-such-profile", "AWS_DEFAULT_REGION": "eu-west-2"}
REGION_NO_CREDENTIALS = {"AWS_REGION": "eu-west-2"}
USER_AWS = {"AWS_PROFILE": "no-such-profile", "AWS_DEFAULT_REGION": "eu-west-2"}

CASES: dict[str, list[Hostile]] = {
    "bench": [
        Hostile(f"bench --json {UNWRITABLE}/bench.json", "cannot be written"),
        Hostile("bench --json /", "is a folder"),
        Hostile("bench --quick --json", "expected one argument"),
    ],
    "chat": [
        Hostile("chat --web --port 99999", "out of range"),
        Hostile("chat --waiting -100", "out of range"),
        Hostile("chat --stage nosuch", "no config file"),
    ],
    "fuzz": [
        Hostile("fuzz --cases 0", "out of range"),
        Hostile("fuzz --cases many", "not a whole number"),
        Hostile("fuzz --function nosuch", "invalid choice"),
    ],
    "export-flows": [
        Hostile("export-flows --instance-id i-1", "no AWS region", environment=NO_REGION),
        Hostile("export-flows --instance-id i-1", "no-such-profile", environment=UNKNOWN_PROFILE),
        Hostile(
            f"export-flows --instance-id i-1 --outdir {UNWRITABLE}",
            "cannot be written",
            environment=REGION_NO_CREDENTIALS,
        ),
    ],
    "history": [
        Hostile(
            "history --records {records} --from 2026-13-01", "--from '2026-13-01' is not a day"
        ),
        Hostile(
            "history --records {records} --from 2026-12-08 --to 2026-12-01", "before it starts"
        ),
        Hostile("history --query nosuch", "known: bot_containment, hour_of_week, kpis"),
        Hostile(
            "history --records {records} --columns queue,nosuch", "kpis has no column 'nosuch'"
        ),
        Hostile("history --columns queue,,channel", "is not a comma-separated list"),
        Hostile("history --by month", "invalid choice: 'month'"),
        Hostile("history --records {missing}", "no such file"),
        Hostile("history --records {folder}", "holds no *.jsonl files"),
        Hostile("history --records {binary}", "UTF-8", environment=USER_AWS),
        Hostile("history --records {not_records}", ":1", exit_code=1, environment=USER_AWS),
        Hostile("history --records {records} --stage nosuch", "no config file"),
        Hostile("history --stage prod", "no AWS region", environment=NO_REGION),
        Hostile("history --stage prod", "no-such-profile", environment=UNKNOWN_PROFILE),
    ],
    "outage": [
        Hostile("outage list --stage dev", "no AWS region", environment=NO_REGION),
        Hostile("outage list --stage dev", "no-such-profile", environment=UNKNOWN_PROFILE),
        Hostile("outage list --stage dev", "no AWS credentials", environment=REGION_NO_CREDENTIALS),
        Hostile("outage set 60601 --message x --until soon", "is not a date and time"),
        Hostile("outage set 60601 --message x --until 2001-01-01T09:00", "already past"),
        Hostile("outage set 60601 --message fr_CA=Panne", "does not speak fr_CA"),
        Hostile("outage set ++ --message x", "is not a postal code"),
        Hostile("outage set 60601", "arguments are required: --message"),
        Hostile("outage clear 60601 --stage nosuch", "no config file"),
        Hostile("outage fix 60601", "invalid choice: 'fix'"),
    ],
    "people": [
        Hostile("people import {binary} --stage dev --out {missing}", "UTF-8"),
        Hostile("people import {missing} --stage dev --out {missing}", "no such file"),
        Hostile(
            f"people import {{flow}} --stage dev --out {UNWRITABLE}/p.yaml", "cannot be written"
        ),
        Hostile("people import {flow} --stage nosuch", "no config file"),
        Hostile("people import {flow} --stage dev", "exists (pass --force"),
        Hostile("people import {not_records} --stage dev --out {missing}", "line 1", exit_code=1),
        Hostile("people export --stage nosuch", "no config file"),
        Hostile(f"people export --stage dev --out {UNWRITABLE}/u.csv", "cannot be written"),
        Hostile("people fire --stage dev", "invalid choice: 'fire'"),
    ],
    "preflight": [
        Hostile("preflight --stage nosuch", "no config file"),
        Hostile("preflight --config {binary}", "UTF-8"),
        Hostile("preflight --stage dev", "no-such-profile", environment=UNKNOWN_PROFILE),
        Hostile(f"preflight --stage dev --outdir {UNWRITABLE}", "cannot be written"),
        Hostile("preflight --stage dev --baseline {binary}", "is a file"),
    ],
    "rehearse": [
        Hostile("rehearse --scenario {binary}", "UTF-8", environment=USER_AWS),
        Hostile(f"rehearse --chart {UNWRITABLE}/day.png", "cannot be written"),
        Hostile(f"rehearse --records-out {UNWRITABLE}", "cannot be written"),
        Hostile("rehearse --workers 0", "out of range"),
        Hostile("rehearse --days 0", "out of range (1 to 90)"),
        Hostile("rehearse --days -3", "out of range (1 to 90)"),
        Hostile("rehearse --days 100000", "out of range (1 to 90)"),
        Hostile("rehearse --days two", "not a whole number"),
        Hostile("rehearse --days 2 --calibrate abandonment=35% --fit staffing", "one day"),
        Hostile("rehearse --calibrate abandonment=35%", "--calibrate and --fit go together"),
        Hostile("rehearse --calibrate speed=35% --fit staffing", "expected KPI=VALUE"),
        Hostile("rehearse --calibrate fax.abandonment=3% --fit staffing", "unknown channel"),
        Hostile("rehearse --calibrate abandonment=135% --fit staffing", "a percentage"),
        Hostile("rehearse --calibrate abandonment=35% --fit channels.voice.mood", "not a positive"),
        Hostile("rehearse --calibrate containment=35% --fit staffing", "has no bot"),
        Hostile(
            "rehearse --calibrate abandonment=35% --fit staffing --variant voice_only "
            "--variant digital",
            "fits one variant",
        ),
        Hostile(
            f"rehearse --calibrate abandonment=35% --fit staffing --calibrated-out {UNWRITABLE}/s",
            "cannot be written",
        ),
    ],
    "report": [
        Hostile("report --records {binary}", "UTF-8", environment=USER_AWS),
        Hostile("report --records {not_records}", ":1", exit_code=1, environment=USER_AWS),
        Hostile(f"report --records {{records}} --chart {UNWRITABLE}/c.png", "cannot be written"),
        Hostile("report --stage dev", "no AWS region", environment=NO_REGION),
        Hostile("report --stage dev", "no-such-profile", environment=UNKNOWN_PROFILE),
    ],
    "run-flow": [
        Hostile("run-flow {binary}", "UTF-8", environment=USER_AWS),
        Hostile("run-flow {missing}", "no such file"),
        Hostile("run-flow {flow} --attributes {{tier:gold}}", "--attributes is not JSON"),
        Hostile("run-flow {flow} --attributes [1]", "must be a JSON object"),
        Hostile("run-flow {flow} --channel fax", "invalid choice: 'fax'"),
        Hostile("run-flow {flow} --hours {binary}", "UTF-8"),
        Hostile("run-flow {flow} --hours {missing}", "no such file"),
        Hostile("run-flow {flow} --queue-map {records}", "expected a mapping"),
        Hostile("run-flow {flow} --stage nosuch", "no config file"),
    ],
    "seed-profiles": [
        Hostile("seed-profiles --count 0", "out of range"),
        Hostile(f"seed-profiles --json {UNWRITABLE}/c.json", "cannot be written"),
        Hostile("seed-profiles --table customers", "no AWS region", environment=NO_REGION),
        Hostile(
            "seed-profiles --table customers --profile no-such-profile",
            "no-such-profile",
            environment=NO_REGION,
        ),
    ],
    "smoke": [
        Hostile("smoke --stage prod", "no AWS region", environment=NO_REGION),
        Hostile("smoke --stage prod", "no-such-profile", environment=UNKNOWN_PROFILE),
        Hostile("smoke --stage prod --timeout 0", "out of range"),
    ],
    "sms-opt-out": [
        Hostile("sms-opt-out +13125550143 --status", "no AWS region", environment=NO_REGION),
        Hostile(
            "sms-opt-out +13125550143 --status", "no-such-profile", environment=UNKNOWN_PROFILE
        ),
        Hostile(
            "sms-opt-out +13125550143 --status",
            "no AWS credentials",
            environment=REGION_NO_CREDENTIALS,
        ),
    ],
    "synth": [
        Hostile(f"synth --outdir {UNWRITABLE}", "cannot be written"),
        Hostile("synth --config {binary}", "UTF-8"),
    ],
    "validate-config": [
        Hostile("validate-config {binary}", "UTF-8", environment=USER_AWS),
        Hostile("validate-config {missing}", "cannot read"),
    ],
    "validate-flows": [
        Hostile("validate-flows {binary}", "UTF-8", exit_code=1, environment=USER_AWS),
        Hostile("validate-flows --config {binary}", "UTF-8"),
    ],
}


def test_every_command_has_hostile_input_cases() -> None:
    assert sorted(CASES) == list(subcommands(build_parser()))


@pytest.fixture
def files(tmp_path: Path) -> dict[str, str]:
    binary = tmp_path / "binary.yaml"
    binary.write_bytes(b"\x89PNG\r\n\x1a\n\x00\xff\xfe" + bytes(range(256)))
    not_records = tmp_path / "not-records.jsonl"
    not_records.write_text('{"hello": "world"}\n', encoding="utf-8")
    records = tmp_path / "records.jsonl"
    records.write_text("", encoding="utf-8")
    folder = tmp_path / "no-records"
    folder.mkdir()
    return {
        "binary": str(binary),
        "not_records": str(not_records),
        "records": str(records),
        "missing": str(tmp_path / "missing.yaml"),
        "folder": str(folder),
        "flow": str(FLOW),
    }


@pytest.mark.parametrize(
    "case",
    [
        pytest.param(case, id=case.argv.split(" ", 1)[0] + f"-{i}")
        for cases in CASES.values()
        for i, case in enumerate(cases)
    ],
)
def test_hostile_input_gets_one_line_and_a_meaningful_exit_code(
    case: Hostile,
    files: dict[str, str],
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    only_aws_settings(monkeypatch, **case.environment)
    argv = case.argv.format(**files).split()
    try:
        code = main(argv)
    except SystemExit as exit_:  # argparse's own refusal
        code = int(exit_.code or 0)
    out, err = capsys.readouterr()
    assert code == case.exit_code, (out, err)
    assert "Traceback" not in out + err
    lines = err.strip().splitlines()
    assert len(lines) >= 1 and case.says in err, err
    if case.exit_code == 2:
        assert len(lines) == 1, err
        assert lines[0].startswith(f"ccaas {argv[0]}"), lines[0]


def test_version_names_the_installed_package(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exit_:
        main(["--version"])
    assert exit_.value.code == 0
    assert capsys.readouterr().out.startswith("ccaas 0.")


def test_every_command_has_a_summary_a_description_and_two_examples() -> None:
    parser = build_parser()
    listing = parser.format_help()
    for name, command in subcommands(parser).items():
        summary = re.search(rf"^\s+{re.escape(name)}\s+(\S.*)$", listing, flags=re.MULTILINE)
        assert summary, f"{name}: no one-line summary in `ccaas --help`"
        text = command.format_help()
        assert text.count(f"ccaas {name}") >= 3, f"{name}: usage plus two examples\n{text}"
        assert "`" not in (command.description or "").split("\n", 1)[0], name


def test_an_unexpected_error_is_one_line_with_how_to_see_more(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    def broken(_: argparse.Namespace) -> int:
        raise ZeroDivisionError("division by zero")

    monkeypatch.setattr("scripts.commands.validate_config.run", broken)
    code = main(["validate-config", "config/dev.yaml"])
    err = capsys.readouterr().err
    assert code == 1
    assert err.count("\n") == 1 and "CCAAS_DEBUG=1" in err and "Traceback" not in err


def test_the_installed_command_prints_no_traceback(tmp_path: Path) -> None:
    """The console script, as a user runs it, in a fresh interpreter."""
    binary = tmp_path / "records.jsonl"
    binary.write_bytes(b"\x00\xff\xfe\xfd")
    result = subprocess.run(
        [sys.executable, "-m", "scripts.cli", "report", "--records", str(binary)],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 2
    assert "Traceback" not in result.stderr
    assert result.stderr.strip().count("\n") == 0 and "UTF-8" in result.stderr


def test_an_abbreviated_option_is_refused_not_guessed(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exit_:
        main(["rehearse", "--records", "out/records"])
    assert exit_.value.code == 2
    assert "unrecognized arguments: --records" in capsys.readouterr().err


# Libraries that cost a second or more, or tens of MB, to import. Every `ccaas` run builds the
# whole parser, so a command module importing one of these at module level makes every command
# (and every worker the rehearsal forks) pay for it.
HEAVY_LIBRARIES = (
    "aws_cdk",
    "cfnlint",
    "duckdb",
    "jsii",
    "matplotlib",
    "moto",
    "pyarrow",
    "sqlglot",
)


def test_building_the_parser_imports_no_heavy_library() -> None:
    probe = (
        "import sys\n"
        "from scripts.cli import build_parser\n"
        "build_parser()\n"
        f"print(' '.join(sorted(m for m in {HEAVY_LIBRARIES!r} if m in sys.modules)))\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, timeout=120, check=True
    )
    assert result.stdout.split() == []
