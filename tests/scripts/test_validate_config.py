"""`ccaas validate-config FILE`: the config model, then every flow the config names must exist and
pass all of validate-flows' rules; an unreadable config is one line, exit 2."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path
from typing import Any

import pytest
import yaml

from config import CONFIG_DIR, load_stage
from infra.paths import CONTACT_FLOWS_DIR
from scripts.cli import main

DEV_FLOWS = len(load_stage("dev").flows)


def dev_config_with_flows(folder: Path, **flows: dict[str, Any]) -> Path:
    """config/dev.yaml with some `flows` entries changed, written into `folder`."""
    raw = yaml.safe_load((CONFIG_DIR / "dev.yaml").read_text())
    for name, changes in flows.items():
        raw["flows"][name] = {**raw["flows"][name], **changes}
    path = folder / "dev.yaml"
    path.write_text(yaml.safe_dump(raw))
    return path


def oversized_whisper(folder: Path) -> Path:
    """The agent whisper with a greeting that takes it past Connect's 256,000 characters."""
    document = json.loads((CONTACT_FLOWS_DIR / "agent_whisper.json").read_text())
    whisper = next(a for a in document["Actions"] if a["Identifier"] == "whisper-new-customer")
    whisper["Parameters"]["Text"] = "New customer. " * 20_000
    path = folder / "agent_whisper.json"
    path.write_text(json.dumps(document, indent=2))
    return path


@pytest.fixture(autouse=True)
def today(monkeypatch: pytest.MonkeyPatch) -> date:
    """Holidays are compared with today: pinned, so the shipped config's dates stay valid."""
    pinned = date(2026, 12, 2)
    monkeypatch.setattr("scripts.commands.validate_config.today", lambda: pinned)
    return pinned


def test_the_shipped_config_and_its_flows_are_valid(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["validate-config", str(CONFIG_DIR / "dev.yaml")]) == 0

    captured = capsys.readouterr()
    # dev ships an example email domain for teams to replace: said once, the config is valid.
    warning, valid = captured.out.splitlines()
    assert warning.startswith(f"warning: {CONFIG_DIR / 'dev.yaml'}: email.domain: ")
    assert valid.startswith(f"{CONFIG_DIR / 'dev.yaml'}: valid. stage=dev")
    assert valid.endswith(
        "9 flows (all valid); self-service bot SelfService: 7 intents in en_US, es_US"
    )
    assert captured.err == ""


def test_a_flow_file_that_does_not_exist_is_a_problem(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    config = dev_config_with_flows(tmp_path, agent_whisper={"file": "whisper_v2.json"})

    assert main(["validate-config", str(config)]) == 1

    captured = capsys.readouterr()
    missing = CONTACT_FLOWS_DIR / "whisper_v2.json"
    assert captured.out.splitlines() == [
        f"error: {missing}: flow: config flow 'agent_whisper' has no file (expected {missing})"
    ]
    assert captured.err == f"1 error(s), 0 warning(s) in {DEV_FLOWS} flow(s)\n"


def test_a_flow_over_connects_size_limit_is_a_problem_naming_it_and_its_length(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    whisper = oversized_whisper(tmp_path)
    config = dev_config_with_flows(tmp_path, agent_whisper={"file": str(whisper)})

    assert main(["validate-config", str(config)]) == 1

    (line,) = capsys.readouterr().out.splitlines()
    assert line.startswith(f"error: {whisper}: flow: content is 28")
    assert "characters as deployed; Connect accepts at most 256,000" in line


def test_the_stages_flows_are_strict_a_warning_fails(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    document = json.loads((CONTACT_FLOWS_DIR / "agent_whisper.json").read_text())
    document["Actions"].append({"Identifier": "orphan", "Type": "DisconnectParticipant"})
    whisper = tmp_path / "agent_whisper.json"
    whisper.write_text(json.dumps(document, indent=2))
    config = dev_config_with_flows(tmp_path, agent_whisper={"file": str(whisper)})

    assert main(["validate-config", str(config)]) == 1

    captured = capsys.readouterr()
    assert captured.out.splitlines() == [
        f"warning: {whisper}: action 'orphan': is unreachable from StartAction"
    ]
    assert captured.err == (
        f"0 error(s), 1 warning(s) in {DEV_FLOWS} flow(s); warnings fail (strict)\n"
    )


@pytest.mark.parametrize(
    ("content", "reason"),
    [
        (b"\x89PNG\r\n\x1a\n\x00\xff", "not a UTF-8 text file (byte 0)"),
        (b"stage: [unclosed", "not valid YAML"),
    ],
)
def test_an_unreadable_config_is_one_line_exit_2(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], content: bytes, reason: str
) -> None:
    config = tmp_path / "broken.yaml"
    config.write_bytes(content)

    assert main(["validate-config", str(config)]) == 2

    captured = capsys.readouterr()
    assert captured.out == ""
    (line,) = captured.err.splitlines()
    assert line.startswith(f"ccaas validate-config: invalid config {config}: {reason}")
    assert "Traceback" not in captured.err


def test_a_missing_config_is_one_line_exit_2(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["validate-config", str(tmp_path / "nope.yaml")]) == 2

    (line,) = capsys.readouterr().err.splitlines()
    assert line == (
        f"ccaas validate-config: invalid config {tmp_path / 'nope.yaml'}: "
        "cannot read: No such file or directory"
    )


def test_help_describes_what_it_reads_with_examples(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit):
        main(["validate-config", "--help"])

    text = capsys.readouterr().out
    assert "contact_flows/" in text
    assert "ccaas validate-config config/prod.yaml" in text


def test_a_holiday_already_past_is_a_warning_line_and_the_config_stays_valid(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    raw = yaml.safe_load((CONFIG_DIR / "dev.yaml").read_text())
    raw["hours"]["business"]["holidays"].append({"name": "Labor Day", "date": "2026-09-07"})
    config = tmp_path / "dev.yaml"
    config.write_text(yaml.safe_dump(raw))

    assert main(["validate-config", str(config)]) == 0

    _, warning, valid = capsys.readouterr().out.splitlines()  # the email domain, then this
    assert warning == (
        f"warning: {config}: hours.business.holidays.4: Labor Day (2026-09-07) is in the past "
        "and changes nothing: remove it, give this year's date, or set recurs"
    )
    assert valid.startswith(f"{config}: valid. stage=dev")
