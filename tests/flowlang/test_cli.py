"""`ccaas validate-flows`: exit codes, and the finding lines and counts a user reads."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from config import CONFIG_DIR, load_stage
from infra.paths import CONTACT_FLOWS_DIR
from scripts.cli import main
from tests.flowlang.realworld import FLOW_FOLDERS, LEGACY_FOLDER, real_exports

DEV_FLOWS = len(load_stage("dev").flows)

FIXTURES = Path(__file__).parent / "fixtures"


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
    assert capsys.readouterr().out == f"{DEV_FLOWS} flow(s) valid (all rules, stage 'dev')\n"


def test_a_missing_lambda_makes_placeholders_unresolvable(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    empty = tmp_path / "no-lambdas"
    empty.mkdir()
    code = main(["validate-flows", "--lambdas-dir", str(empty)])

    out = capsys.readouterr().out
    assert code == 1
    assert (
        f"error: {CONTACT_FLOWS_DIR / 'inbound_voice.json'}: action 'lookup-customer': "
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

    # An unknown type is a warning (Connect may know it); the stage's own flows fail on one.
    captured = capsys.readouterr()
    assert code == 1
    assert captured.out.splitlines() == [
        f"warning: {whisper}: action 'check-customer-found': unknown action type "
        "'CheckCustomer' (not in the flow language reference nor in the real exports the catalog "
        "knows; check its spelling: Connect may refuse it)"
    ]
    assert captured.err == (
        f"0 error(s), 1 warning(s) in {DEV_FLOWS} flow(s); warnings fail (strict)\n"
    )


@pytest.mark.long
def test_every_real_export_passes_validate_flows_file(
    realworld_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    failed = []
    for path in real_exports(realworld_dir):
        code = main(["validate-flows", str(path)])
        out = capsys.readouterr().out.splitlines()
        if code != 0 or out[-1] != "1 flow(s) valid (errors fail, warnings shown)":
            failed.append(path.name)
        # What it prints before that line: warnings, never an error.
        assert all(line.startswith(f"warning: {path}: ") for line in out[:-1]), path.name
    assert len(real_exports(realworld_dir)) == sum(FLOW_FOLDERS.values())
    assert failed == []


def test_a_folder_of_exports_passes_and_its_warnings_are_counted_on_stderr(
    realworld_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code = main(["validate-flows", str(realworld_dir / "flows_more")])

    captured = capsys.readouterr()
    assert code == 0
    assert captured.out.splitlines()[-1] == "19 flow(s) valid (errors fail, warnings shown)"
    (summary,) = captured.err.splitlines()
    assert summary.startswith("0 error(s), ") and summary.endswith(" warning(s) in 19 flow(s)")


def test_strict_makes_warnings_fail(capsys: pytest.CaptureFixture[str]) -> None:
    sample = FIXTURES / "with_warnings" / "unknown_parameter.json"
    warning = (
        f"warning: {sample}: action 'Greet': MessageParticipant parameter 'VoiceStyle' is not "
        "in the action reference (Connect may ignore or refuse it)"
    )

    assert main(["validate-flows", str(sample)]) == 0
    captured = capsys.readouterr()
    assert captured.out.splitlines() == [warning, "1 flow(s) valid (errors fail, warnings shown)"]
    assert captured.err == "0 error(s), 1 warning(s) in 1 flow(s)\n"

    assert main(["validate-flows", "--strict", str(sample)]) == 1
    captured = capsys.readouterr()
    assert captured.out.splitlines() == [warning]
    assert captured.err == "0 error(s), 1 warning(s) in 1 flow(s); warnings fail (strict)\n"


def test_connect_only_is_an_alias_of_the_default_for_one_release(
    capsys: pytest.CaptureFixture[str],
) -> None:
    sample = FIXTURES / "with_warnings" / "unknown_parameter.json"
    assert main(["validate-flows", str(sample)]) == 0
    default = capsys.readouterr()

    assert main(["validate-flows", "--connect-only", str(sample)]) == 0
    alias = capsys.readouterr()
    assert alias.out == default.out
    assert alias.err.splitlines() == [
        "ccaas validate-flows: --connect-only is the default now and goes away in the next "
        "release (drop it; --strict makes warnings fail)",
        *default.err.splitlines(),
    ]


def test_a_sample_of_every_construct_connect_accepts_passes_strictly(
    capsys: pytest.CaptureFixture[str],
) -> None:
    samples = sorted(FIXTURES.glob("*.json"))

    assert main(["validate-flows", "--strict", str(FIXTURES)]) == 0
    assert capsys.readouterr().out == f"{len(samples)} flow(s) valid (all rules)\n"


def test_a_stage_flow_named_as_a_path_is_held_to_every_rule(
    tmp_path: Path, lambdas_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    flows = tmp_path / "contact_flows"
    shutil.copytree(CONTACT_FLOWS_DIR, flows)
    whisper = flows / "agent_whisper.json"
    document = json.loads(whisper.read_text())
    document["Actions"].append({"Identifier": "orphan", "Type": "DisconnectParticipant"})
    whisper.write_text(json.dumps(document))
    copy = tmp_path / "elsewhere" / "agent_whisper.json"
    copy.parent.mkdir()
    shutil.copy(whisper, copy)
    common = ["--flows-dir", str(flows), "--lambdas-dir", str(lambdas_dir)]

    # The file config names: a warning fails. A copy elsewhere is just a file: it does not.
    assert main(["validate-flows", *common, str(whisper)]) == 1
    assert capsys.readouterr().out.splitlines() == [
        f"warning: {whisper}: action 'orphan': is unreachable from StartAction"
    ]
    assert main(["validate-flows", *common, str(copy)]) == 0


def test_legacy_export_is_refused(realworld_dir: Path, capsys: pytest.CaptureFixture[str]) -> None:
    legacy = realworld_dir / LEGACY_FOLDER / "snippets__ContextRouting_Queue.json"
    code = main(["validate-flows", str(legacy)])

    assert code == 1
    (line,) = capsys.readouterr().out.splitlines()
    assert line.startswith(f"error: {legacy}: flow: this is the legacy pre-2019 flow format")


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
    assert (
        capsys.readouterr().out
        == f"{len(load_stage('prod').flows)} flow(s) valid (all rules, stage 'prod')\n"
    )


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
        "1 error(s), 0 warning(s) in 2 flow(s)",
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
    assert line.startswith(f"error: {padded}: flow: content is 2")
    assert "characters as deployed; Connect accepts at most 256,000" in line
