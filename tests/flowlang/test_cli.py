"""`ccaas validate-flows`: exit codes and the problem lines a user reads."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from config import CONFIG_DIR
from infra.paths import CONTACT_FLOWS_DIR
from scripts.cli import main


@pytest.fixture()
def lambdas_dir(tmp_path: Path) -> Path:
    """A tree with the two flow Lambdas, as lambdas/<name>/handler.py."""
    root = tmp_path / "lambdas"
    for name in ("crm_lookup", "routing"):
        (root / name).mkdir(parents=True)
        (root / name / "handler.py").write_text("def handler(event, context):\n    return {}\n")
    return root


def test_default_checks_every_flow_of_the_stage(
    lambdas_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code = main(["validate-flows", "--lambdas-dir", str(lambdas_dir)])

    assert code == 0
    assert capsys.readouterr().out == "7 flow(s) valid (all rules, stage 'dev')\n"


def test_a_missing_lambda_makes_placeholders_unresolvable(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    empty = tmp_path / "no-lambdas"
    empty.mkdir()
    code = main(["validate-flows", "--lambdas-dir", str(empty)])

    out = capsys.readouterr().out
    assert code == 1
    assert (
        f"{CONTACT_FLOWS_DIR / 'inbound_voice.json'}: action 'lookup-customer': "
        "Parameters.LambdaFunctionARN: ${lambda:crm_lookup} no lambda 'crm_lookup' in the flow "
        "Lambdas (lambdas/<name>/handler.py) (known: none)"
    ) in out.splitlines()


def test_a_broken_copy_is_reported_with_file_action_and_reason(
    tmp_path: Path, lambdas_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    flows = tmp_path / "contact_flows"
    shutil.copytree(CONTACT_FLOWS_DIR, flows)
    whisper = flows / "agent_whisper.json"
    document = json.loads(whisper.read_text())
    document["Actions"][0]["Type"] = "CheckCustomer"
    whisper.write_text(json.dumps(document))

    code = main(["validate-flows", "--flows-dir", str(flows), "--lambdas-dir", str(lambdas_dir)])

    captured = capsys.readouterr()
    assert code == 1
    assert captured.out.splitlines() == [
        f"{whisper}: action 'check-customer-found': unknown action type 'CheckCustomer' "
        "(not in the flow language reference)"
    ]
    assert captured.err == "1 problem(s) in 7 flow(s)\n"


def test_imported_exports_with_connect_only(
    realworld_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code = main(["validate-flows", "--connect-only", str(realworld_dir / "flows")])

    assert code == 0
    assert capsys.readouterr().out == "48 flow(s) valid (Connect's rules)\n"


def test_legacy_export_is_refused(realworld_dir: Path, capsys: pytest.CaptureFixture[str]) -> None:
    legacy = realworld_dir / "flows_legacy_format" / "snippets__ContextRouting_Queue.json"
    code = main(["validate-flows", "--connect-only", str(legacy)])

    assert code == 1
    assert "legacy pre-2019 flow format" in capsys.readouterr().out


def test_unknown_stage_is_a_usage_error(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["validate-flows", "--stage", "nope"]) == 2
    assert "stage 'nope' has no config file" in capsys.readouterr().err


def test_config_file_instead_of_a_stage(
    tmp_path: Path, lambdas_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    config = tmp_path / "mine.yaml"
    config.write_text((CONFIG_DIR / "prod.yaml").read_text())

    code = main(["validate-flows", "--config", str(config), "--lambdas-dir", str(lambdas_dir)])

    assert code == 0
    assert capsys.readouterr().out == "7 flow(s) valid (all rules, stage 'prod')\n"


def test_stage_and_config_together_are_refused_in_one_line(
    capsys: pytest.CaptureFixture[str],
) -> None:
    with pytest.raises(SystemExit) as exited:
        main(["validate-flows", "--stage", "dev", "--config", "config/dev.yaml"])

    assert exited.value.code == 2
    (line,) = capsys.readouterr().err.splitlines()
    assert "argument --config: not allowed with argument --stage" in line


def test_a_binary_flow_file_is_named_and_the_others_are_still_checked(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    binary = tmp_path / "logo.json"
    binary.write_bytes(b"\x89PNG\r\n\x1a\n\x00\xff")
    shutil.copy(CONTACT_FLOWS_DIR / "agent_whisper.json", tmp_path)

    code = main(["validate-flows", str(tmp_path)])

    captured = capsys.readouterr()
    assert code == 1
    assert captured.out == ""
    assert captured.err.splitlines() == [
        f"ccaas validate-flows: {binary} is not a UTF-8 text file (byte 0) (expected a flow file)",
        "1 problem(s) in 2 flow(s)",
    ]


def test_a_flow_over_connects_content_limit_fails_naming_the_file_and_its_length(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    document = json.loads((CONTACT_FLOWS_DIR / "agent_whisper.json").read_text())
    document["Actions"][2]["Parameters"]["Text"] = "x" * 256_000
    padded = tmp_path / "agent_whisper.json"
    padded.write_text(json.dumps(document))

    code = main(["validate-flows", str(padded)])

    assert code == 1
    (line,) = capsys.readouterr().out.splitlines()
    assert line.startswith(f"{padded}: flow: content is 2")
    assert "characters as deployed; Connect accepts at most 256,000" in line
