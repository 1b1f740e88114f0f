"""`ccaas rehearse`: a tiny day offline, whatever the user's AWS settings, with its progress;
every bad input or output path refused in one line before any rehearsal work."""

from __future__ import annotations

import copy
import json
import os
from pathlib import Path
from typing import Any

import pytest
import yaml

from local_connect.rehearsal.analytics import records_only
from scripts.cli import main
from tests.local_connect.rehearsal.test_rehearsal import SMALL

# One variant of sixty contacts: the whole chain (flows, ACD, analytics, chart) in seconds.
TINY: dict[str, Any] = copy.deepcopy(SMALL)
TINY["name"] = "tiny"
TINY["demand"]["contacts"] = 60
TINY["customers"]["population"] = 50
TINY["variants"] = {"phone": SMALL["variants"]["phone"]}


@pytest.fixture()
def tiny(tmp_path: Path) -> Path:
    path = tmp_path / "tiny.yaml"
    path.write_text(yaml.safe_dump(TINY), encoding="utf-8")
    return path


@pytest.fixture()
def no_rehearsal(monkeypatch: pytest.MonkeyPatch) -> None:
    """Any rehearsal work fails the test: the command must refuse before starting it."""

    def refuse(*args: object, **kwargs: object) -> None:
        raise AssertionError("the rehearsal started before the inputs and outputs were checked")

    monkeypatch.setattr("local_connect.rehearsal.rehearse", refuse)


def one_line(err: str) -> str:
    assert "Traceback" not in err
    lines = err.splitlines()
    assert len(lines) == 1, err
    return lines[0]


def test_a_day_is_rehearsed_offline_whatever_the_users_aws_settings_with_progress(
    tiny: Path,
    tmp_path: Path,
    capfd: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # Given a user whose AWS settings name a profile this machine lacks and another region
    monkeypatch.setenv("AWS_PROFILE", "does-not-exist")
    monkeypatch.setenv("AWS_DEFAULT_REGION", "eu-west-2")
    chart = tmp_path / "charts" / "tiny.png"
    records = tmp_path / "records"
    # When the tiny day is rehearsed in two processes
    code = main(
        [
            "rehearse",
            "--scenario",
            str(tiny),
            "--stage",
            "dev",
            "--chart",
            str(chart),
            "--records-out",
            str(records),
            "--workers",
            "2",
        ]
    )
    # Then it runs offline, writes its chart and records, and says each step on stderr with
    # its count, heard from the worker processes as their jobs finish
    captured = capfd.readouterr()
    assert code == 0, captured.err
    assert "== phone:" in captured.out and "counted by the analytics handler" in captured.out
    assert chart.read_bytes()[:4] == b"\x89PNG"
    assert len((records / "tiny-phone.jsonl").read_text(encoding="utf-8").splitlines()) >= 60
    steps = captured.err.splitlines()
    assert "ccaas rehearse: planning the variants' days (1)" in steps
    assert "ccaas rehearse: routing contacts through the entry flows (60)" in steps
    assert "  60/60" in steps
    assert "ccaas rehearse: ACD, contact records and analytics per variant (1)" in steps
    assert "ccaas rehearse: drawing the chart" in steps
    assert "Traceback" not in captured.err
    assert os.environ["AWS_PROFILE"] == "does-not-exist"


@pytest.mark.parametrize(
    ("flag", "path"), [("--chart", "/proc/x/chart.png"), ("--records-out", "/proc/x")]
)
def test_an_unwritable_output_fails_before_any_rehearsal_work(
    flag: str, path: str, tiny: Path, no_rehearsal: None, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["rehearse", "--scenario", str(tiny), flag, path]) == 2
    assert f"{flag} {path} cannot be written" in one_line(capsys.readouterr().err)


def test_records_out_naming_a_file_is_refused(
    tiny: Path, no_rehearsal: None, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["rehearse", "--scenario", str(tiny), "--records-out", str(tiny)]) == 2
    assert f"--records-out {tiny} is a file" in one_line(capsys.readouterr().err)


def test_a_binary_scenario_is_one_line(
    tmp_path: Path, no_rehearsal: None, capsys: pytest.CaptureFixture[str]
) -> None:
    binary = tmp_path / "day.yaml"
    binary.write_bytes(b"\x89PNG\r\n\x1a\n\x00\xff\xfe")
    assert main(["rehearse", "--scenario", str(binary)]) == 2
    assert one_line(capsys.readouterr().err) == (
        f"ccaas rehearse: invalid scenario {binary}: not a UTF-8 text file"
    )


def test_an_unknown_variant_or_stage_is_refused_before_any_work(
    tiny: Path, no_rehearsal: None, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["rehearse", "--scenario", str(tiny), "--variant", "digital"]) == 2
    line = one_line(capsys.readouterr().err)
    assert "has no variant digital" in line and "phone" in line
    assert main(["rehearse", "--scenario", str(tiny), "--stage", "nosuch"]) == 2
    assert "nosuch" in one_line(capsys.readouterr().err)


@pytest.mark.parametrize(
    "arguments",
    [["--workers", "0"], ["--workers", "-3"], ["--config", "dev"]],
    ids=["no workers", "negative workers", "the old --config"],
)
def test_bad_flags_are_refused_by_argparse_in_one_line(
    arguments: list[str], capsys: pytest.CaptureFixture[str]
) -> None:
    with pytest.raises(SystemExit) as exit_:
        main(["rehearse", *arguments])
    assert exit_.value.code == 2
    line = one_line(capsys.readouterr().err)
    assert line.startswith("ccaas") and arguments[0] in line


def test_help_says_what_rehearse_reads_and_writes(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exit_:
        main(["rehearse", "--help"])
    assert exit_.value.code == 0
    text = capsys.readouterr().out
    assert "--records-out DIR" in text and "Examples:" in text
    examples = [line for line in text.splitlines() if line.startswith("  ccaas rehearse ")]
    assert len(examples) == 4
    assert any("--calibrate" in line and "--fit" in line for line in examples)
    assert any("--days 30" in line for line in examples)


def test_days_bring_the_same_customers_back_on_later_dates(
    tmp_path: Path, capfd: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    # The days are what is tested: the records are counted in memory, not through moto's
    # stream and the analytics handler (the one-day test above runs those, 3 s a day).
    monkeypatch.setattr("local_connect.rehearsal.AnalyticsStage", lambda: records_only)
    # Given a small office whose 30 customers all have a profile, 60 contacts a day
    scenario = copy.deepcopy(TINY)
    scenario["demand"]["contacts"] = 60
    scenario["customers"] = {"population": 30, "known_share": 1.0}
    path = tmp_path / "office.yaml"
    path.write_text(yaml.safe_dump(scenario), encoding="utf-8")
    records = tmp_path / "records"
    # When two days are rehearsed
    code = main(
        [
            "rehearse",
            "--scenario",
            str(path),
            "--days",
            "2",
            "--records-out",
            str(records),
            "--chart",
            str(tmp_path / "day.png"),
            "--workers",
            "1",
        ]
    )
    captured = capfd.readouterr()
    assert code == 0, captured.err
    # Then each day has its records file, every record dated on its own day
    days = {}
    for day in ("2026-12-01", "2026-12-02"):
        lines = (records / f"tiny-phone-{day}.jsonl").read_text(encoding="utf-8").splitlines()
        days[day] = [json.loads(line) for line in lines]
        assert {
            r["InitiationTimestamp"][:10] for r in days[day] if r["InitiationMethod"] == "INBOUND"
        } == {day}

    # and customers of the first day call again on the second, under the same profile id
    def callers(day: str) -> set[str]:
        return {r["Attributes"]["customerId"] for r in days[day] if "customerId" in r["Attributes"]}

    assert len(callers("2026-12-01") & callers("2026-12-02")) >= 10
    # and the second day is a day of its own, not the first one again
    assert {r["ContactId"] for r in days["2026-12-01"]}.isdisjoint(
        r["ContactId"] for r in days["2026-12-02"]
    )
    assert "== day 2: Wednesday 02 December 2026" in captured.out
    assert "KPIs of the 2 days: their metric rows summed" in captured.out
