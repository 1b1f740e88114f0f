"""`ccaas synth`: input and --outdir checked before the CDK starts (an --outdir under /proc used to
hang forever), and every reason the deploy would fail (a flow, cdk-nag, CloudFormation's template
size limit) reported as problems with exit code 1."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from config import ContactCenterConfig
from flowlang.problems import FlowValidationError, Problem
from scripts.cli import main

ROOT = Path(__file__).resolve().parents[2]
needs_proc = pytest.mark.skipif(not Path("/proc").is_dir(), reason="no /proc on this system")


def _without_progress(capsys: pytest.CaptureFixture[str]) -> tuple[str, list[str]]:
    """(stdout, stderr's lines that are not progress steps)."""
    captured = capsys.readouterr()
    assert "Traceback" not in captured.err
    steps = tuple(f"ccaas synth: {step}" for step in ("read", "building", "synth", "checking"))
    return captured.out, [line for line in captured.err.splitlines() if not line.startswith(steps)]


# --- bad input: exit 2 before the CDK starts --------------------------------------------------


@needs_proc
def test_an_outdir_under_proc_fails_fast_instead_of_hanging() -> None:
    started = time.perf_counter()
    result = subprocess.run(
        [sys.executable, "-m", "scripts.cli", "synth", "--outdir", "/proc/x"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )

    assert result.returncode == 2
    assert result.stderr.splitlines() == [
        "ccaas synth: --outdir /proc/x cannot be written: No such file or directory "
        "(choose another path)"
    ]
    assert result.stdout == ""
    assert time.perf_counter() - started < 30  # the CDK is never loaded


@needs_proc
def test_synthesize_refuses_an_outdir_under_proc_instead_of_hanging() -> None:
    # Node's recursive mkdir loops forever on /proc/x; synthesize creates the folder itself.
    script = (
        "from pathlib import Path\n"
        "from config import load_stage\n"
        "from infra.synth import synthesize\n"
        "try:\n"
        "    synthesize(load_stage('dev'), Path('/proc/x'))\n"
        "except FileNotFoundError as error:\n"
        "    print('refused', error.filename)\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", script],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )

    assert result.stdout == "refused /proc/x\n"


def test_an_outdir_that_is_a_file_is_refused(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    taken = tmp_path / "cdk.out"
    taken.write_text("")

    assert main(["synth", "--outdir", str(taken)]) == 2

    assert capsys.readouterr().err.splitlines() == [
        f"ccaas synth: --outdir {taken} is a file (name a folder)"
    ]


def test_a_binary_config_is_one_line_exit_2(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    config = tmp_path / "dev.yaml"
    config.write_bytes(b"\xff\xfe\x00binary")

    assert main(["synth", "--config", str(config), "--outdir", str(tmp_path / "out")]) == 2

    assert capsys.readouterr().err.splitlines() == [
        f"ccaas synth: invalid config {config}: not a UTF-8 text file (byte 0)"
    ]


def test_stage_and_config_together_are_refused(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exited:
        main(["synth", "--stage", "prod", "--config", "config/prod.yaml"])

    assert exited.value.code == 2
    (line,) = capsys.readouterr().err.splitlines()
    assert "argument --config: not allowed with argument --stage" in line


def test_help_shows_the_outdir_default_and_examples(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit):
        main(["synth", "--help"])

    text = " ".join(capsys.readouterr().out.split())
    assert "(default: cdk.out)" in text
    assert "ccaas synth --stage prod --outdir" in text


# --- checks that fail: exit 1, one line per problem on stdout ----------------------------------


def test_an_invalid_flow_fails_the_synth_with_its_problems(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    too_long = Problem("contact_flows/agent_whisper.json", None, "content is 300,000 characters")

    def build_app(app: Any, config: ContactCenterConfig, env: Any = None) -> list[Any]:
        raise FlowValidationError([too_long])

    monkeypatch.setattr("infra.synth.build_app", build_app)

    assert main(["synth", "--outdir", str(tmp_path / "out")]) == 1

    out, errors = _without_progress(capsys)
    assert out == f"{too_long}\n"
    assert errors == [
        "ccaas synth: stage 'dev' cannot be deployed: 1 problem(s) (each is listed above)"
    ]


def test_a_cdk_nag_finding_fails_the_synth_naming_construct_and_rule(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    from aws_cdk import Stack
    from aws_cdk import aws_sqs as sqs

    from infra.nag import add_checks

    def build_app(app: Any, config: ContactCenterConfig, env: Any = None) -> list[Any]:
        stack = Stack(app, "Probe")
        sqs.Queue(stack, "NoDlqNoTls")
        add_checks(app)
        return [stack]

    monkeypatch.setattr("infra.synth.build_app", build_app)

    assert main(["synth", "--outdir", str(tmp_path / "out")]) == 1

    out, errors = _without_progress(capsys)
    assert out.splitlines() == [
        "Probe/NoDlqNoTls/Resource: AwsSolutions-SQS3: The SQS queue is not used as a "
        "dead-letter queue (DLQ) and does not have a DLQ enabled.",
        "Probe/NoDlqNoTls/Resource: AwsSolutions-SQS4: The SQS queue does not require "
        "requests to use SSL.",
    ]
    assert errors == [
        "ccaas synth: stage 'dev' cannot be deployed: 2 problem(s) (each is listed above)"
    ]


@dataclass(frozen=True)
class FakeStack:
    stack_name: str
    template_full_path: str


def test_a_template_over_cloudformations_limit_is_named_with_its_size(tmp_path: Path) -> None:
    from infra.synth import oversized_templates

    at_limit = tmp_path / "Data.template.json"
    at_limit.write_bytes(b" " * 1_048_576)
    over = tmp_path / "ContactCenter.template.json"
    over.write_bytes(b" " * 1_048_577)

    assert oversized_templates(
        [
            FakeStack("ContactCenter-dev-Data", str(at_limit)),
            FakeStack("ContactCenter-dev-ContactCenter", str(over)),
        ]
    ) == [
        "stack ContactCenter-dev-ContactCenter: template is 1,048,577 bytes; CloudFormation "
        "accepts at most 1,048,576 (move resources into another stack)"
    ]


# --- app.py, what `cdk synth -c stage=...` and `cdk deploy` run ------------------------------


def test_app_py_refuses_a_bad_stage_in_one_line() -> None:
    # A subprocess: the CDK reads context in its Node process, started once per Python process.
    result = subprocess.run(
        [sys.executable, "app.py"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
        env={**os.environ, "CDK_CONTEXT_JSON": '{"stage": "nope"}'},  # how `cdk -c` passes it
    )

    assert result.returncode == 2
    (line,) = result.stderr.splitlines()
    assert line.startswith(
        f"app.py: invalid config {ROOT / 'config' / 'nope.yaml'}: stage 'nope' has no config file"
    )
