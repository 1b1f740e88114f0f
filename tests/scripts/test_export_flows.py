"""`ccaas export-flows` against a stubbed Connect API (botocore Stubber checks every request
against the service model): deployed flows come back as the placeholder files they came from."""

from __future__ import annotations

import argparse
import json
import shutil
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import boto3
import pytest
from botocore.stub import Stubber

from config import ContactCenterConfig
from flowlang.context import StageFlows
from flowlang.placeholders import resolve
from infra.paths import CONTACT_FLOWS_DIR
from scripts.cli import main
from scripts.cli_support import CommandError, ProblemsFound
from scripts.commands import export_flows
from scripts.commands.export_flows import run
from tests.scripts.cli_checks import one_error_line, only_aws_settings

ACCOUNT = "111122223333"
INSTANCE_ID = "8a2b7c4d-0000-4000-8000-00000000c0de"
INSTANCE_ARN = f"arn:aws:connect:us-east-1:{ACCOUNT}:instance/{INSTANCE_ID}"
FLOW_LAMBDAS = ("crm_lookup", "routing")


def resource_id(kind: str, name: str) -> str:
    return str(uuid.uuid5(uuid.NAMESPACE_URL, f"{kind}/{name}"))


def arn(kind: str, name: str) -> str:
    segment = {"queue": "queue", "hours": "operating-hours", "flow": "contact-flow"}[kind]
    return f"{INSTANCE_ARN}/{segment}/{resource_id(kind, name)}"


def lambda_arn(name: str) -> str:
    return f"arn:aws:lambda:us-east-1:{ACCOUNT}:function:ContactCenter-dev-{name}-Xy12Ab"


def deployed(stage: StageFlows, name: str) -> dict[str, Any]:
    """What Connect holds after `cdk deploy`: every placeholder resolved for the instance."""
    document = json.loads(stage.flow_file(name).read_text())

    def resolver(kind: Any, placeholder_name: str) -> str:
        if kind == "setting":
            return stage.setting(placeholder_name)
        if kind == "bot":
            return f"arn:aws:lex:us-east-1:{ACCOUNT}:bot-alias/ABCDEFGHIJ/KLMNOPQRST"
        target = stage.config_name(kind, placeholder_name)
        return lambda_arn(target) if kind == "lambda" else arn(kind, target)

    return resolve(document, resolver)


@pytest.fixture()
def out(tmp_path: Path) -> Path:
    """A checkout's contact_flows/ (export reads the files in git from where it writes)."""
    target = tmp_path / "contact_flows"
    shutil.copytree(CONTACT_FLOWS_DIR, target)
    return target


@pytest.fixture()
def lambdas_dir(tmp_path: Path) -> Path:
    root = tmp_path / "lambdas"
    for name in FLOW_LAMBDAS:
        (root / name).mkdir(parents=True)
        (root / name / "handler.py").write_text("def handler(event, context):\n    return {}\n")
    return root


@pytest.fixture()
def connect() -> Iterator[tuple[Any, Stubber]]:
    client = boto3.client("connect", region_name="us-east-1")
    with Stubber(client) as stubber:
        yield client, stubber
        stubber.assert_no_pending_responses()


def stub_listings(
    stubber: Stubber, config: ContactCenterConfig, extra_queues: dict[str, str]
) -> None:
    flows = [
        {
            "Id": resource_id("flow", name),
            "Arn": arn("flow", name),
            "Name": name,
            "ContactFlowType": flow.type.value,
        }
        for name, flow in config.flows.items()
    ]
    flows.append(
        {"Id": "default", "Arn": f"{INSTANCE_ARN}/contact-flow/default", "Name": "Default queue"}
    )
    stubber.add_response(
        "list_contact_flows", {"ContactFlowSummaryList": flows}, {"InstanceId": INSTANCE_ID}
    )
    queues = [
        {"Id": resource_id("queue", n), "Arn": arn("queue", n), "Name": n} for n in config.queues
    ]
    queues += [{"Id": n, "Arn": a, "Name": n} for n, a in extra_queues.items()]
    # Two pages: the export must follow NextToken.
    stubber.add_response(
        "list_queues",
        {"QueueSummaryList": queues[:2], "NextToken": "page-2"},
        {"InstanceId": INSTANCE_ID, "QueueTypes": ["STANDARD"]},
    )
    stubber.add_response(
        "list_queues",
        {"QueueSummaryList": queues[2:]},
        {"InstanceId": INSTANCE_ID, "QueueTypes": ["STANDARD"], "NextToken": "page-2"},
    )
    stubber.add_response(
        "list_hours_of_operations",
        {
            "HoursOfOperationSummaryList": [
                {"Id": resource_id("hours", n), "Arn": arn("hours", n), "Name": n}
                for n in config.hours
            ]
        },
        {"InstanceId": INSTANCE_ID},
    )


def stub_describe(stubber: Stubber, name: str, document: dict[str, Any]) -> None:
    stubber.add_response(
        "describe_contact_flow",
        {
            "ContactFlow": {
                "Arn": arn("flow", name),
                "Id": resource_id("flow", name),
                "Name": name,
                "Type": "CONTACT_FLOW",
                "State": "ACTIVE",
                "Status": "PUBLISHED",
                "Content": json.dumps(document),
            }
        },
        {"InstanceId": INSTANCE_ID, "ContactFlowId": resource_id("flow", name)},
    )


def arguments(out: Path, lambdas_dir: Path, flows: list[str] | None = None) -> argparse.Namespace:
    return argparse.Namespace(
        instance_id=INSTANCE_ID,
        stage="dev",
        flows=flows,
        outdir=out,
        region="us-east-1",
        profile=None,
        lambdas_dir=lambdas_dir,
    )


def test_unchanged_deployment_exports_to_the_same_files(
    dev_config: ContactCenterConfig,
    out: Path,
    lambdas_dir: Path,
    connect: tuple[Any, Stubber],
    capsys: pytest.CaptureFixture[str],
) -> None:
    client, stubber = connect
    stage = StageFlows(dev_config, FLOW_LAMBDAS, out)
    stub_listings(stubber, dev_config, {})
    for name in dev_config.flows:
        stub_describe(stubber, name, deployed(stage, name))

    code = run(arguments(out, lambdas_dir), client=client)

    assert code == 0
    for path in sorted(CONTACT_FLOWS_DIR.glob("*.json")):
        assert (out / path.name).read_text() == path.read_text(), path.name
    lines = capsys.readouterr().out.splitlines()
    assert lines == [f"{out / (name + '.json')}: unchanged" for name in dev_config.flows]


def test_a_console_edit_comes_back_with_placeholders_kept(
    dev_config: ContactCenterConfig,
    out: Path,
    lambdas_dir: Path,
    connect: tuple[Any, Stubber],
    capsys: pytest.CaptureFixture[str],
) -> None:
    client, stubber = connect
    stage = StageFlows(dev_config, FLOW_LAMBDAS, out)
    document = deployed(stage, "inbound_voice")
    for action in document["Actions"]:
        if action["Identifier"] == "welcome-back":
            action["Parameters"]["Text"] = "Good to hear from you again, $.Attributes.firstName."
    document["Metadata"]["ActionMetadata"]["welcome-back"]["position"] = {"x": 999, "y": 111}
    stub_listings(stubber, dev_config, {})
    stub_describe(stubber, "inbound_voice", document)

    code = run(arguments(out, lambdas_dir, ["inbound_voice"]), client=client)

    assert code == 0
    written = json.loads((out / "inbound_voice.json").read_text())
    original = json.loads((CONTACT_FLOWS_DIR / "inbound_voice.json").read_text())
    changed = {
        a["Identifier"]
        for a, b in zip(written["Actions"], original["Actions"], strict=True)
        if a != b
    }
    assert changed == {"welcome-back"}
    actions = {a["Identifier"]: a for a in written["Actions"]}
    assert (
        actions["greet"]["Parameters"]["Text"] == "Thank you for calling ${setting:organisation}."
    )
    assert actions["lookup-customer"]["Parameters"]["LambdaFunctionARN"] == "${lambda:crm_lookup}"
    assert actions["set-default-queue"]["Parameters"]["QueueId"] == (
        "${queue:routing.default_queue}"
    )
    assert actions["check-hours"]["Parameters"]["HoursOfOperationId"] == "${hours:business}"
    assert written["Metadata"]["ActionMetadata"]["welcome-back"]["position"] == {"x": 999, "y": 111}
    assert capsys.readouterr().out == f"{out / 'inbound_voice.json'}: updated\n"


def test_an_arn_config_does_not_know_is_reported(
    dev_config: ContactCenterConfig,
    out: Path,
    lambdas_dir: Path,
    connect: tuple[Any, Stubber],
    capsys: pytest.CaptureFixture[str],
) -> None:
    client, stubber = connect
    stage = StageFlows(dev_config, FLOW_LAMBDAS, out)
    lounge = f"{INSTANCE_ARN}/queue/vip-lounge"
    document = deployed(stage, "inbound_chat")
    for action in document["Actions"]:
        if action["Identifier"] == "set-default-queue":
            action["Parameters"]["QueueId"] = lounge
    stub_listings(stubber, dev_config, {"vip_lounge": lounge})
    stub_describe(stubber, "inbound_chat", document)

    code = run(arguments(out, lambdas_dir, ["inbound_chat"]), client=client)

    assert code == 1
    assert capsys.readouterr().out.splitlines() == [
        f"{out / 'inbound_chat.json'}: updated",
        f"  action 'set-default-queue': Parameters.QueueId is still instance-specific: {lounge} "
        "(add it to config or replace it with a placeholder)",
    ]


def test_a_flow_missing_on_the_instance_writes_nothing(
    out: Path, lambdas_dir: Path, connect: tuple[Any, Stubber]
) -> None:
    client, stubber = connect
    stubber.add_response(
        "list_contact_flows", {"ContactFlowSummaryList": []}, {"InstanceId": INSTANCE_ID}
    )
    before = {p.name: p.read_text() for p in out.glob("*.json")}

    with pytest.raises(CommandError, match="no flow named agent_whisper on instance") as refused:
        run(arguments(out, lambdas_dir, ["agent_whisper"]), client=client)

    assert refused.value.exit_code == 2
    assert {p.name: p.read_text() for p in out.glob("*.json")} == before


def test_access_denied_writes_nothing_and_is_exit_1(
    out: Path, lambdas_dir: Path, connect: tuple[Any, Stubber]
) -> None:
    client, stubber = connect
    stubber.add_client_error(
        "list_contact_flows",
        service_error_code="AccessDeniedException",
        service_message="not authorized to perform connect:ListContactFlows",
        http_status_code=403,
        expected_params={"InstanceId": INSTANCE_ID},
    )
    before = {p.name: p.read_text() for p in out.glob("*.json")}

    with pytest.raises(ProblemsFound) as refused:
        run(arguments(out, lambdas_dir), client=client)

    assert refused.value.exit_code == 1
    assert str(refused.value) == (
        "AWS refused: AccessDeniedException: not authorized to perform connect:ListContactFlows"
    )
    assert {p.name: p.read_text() for p in out.glob("*.json")} == before


def test_unknown_flow_name_is_refused_before_any_call(
    out: Path, lambdas_dir: Path, connect: tuple[Any, Stubber]
) -> None:
    client, _ = connect
    with pytest.raises(CommandError, match="ivr not in config flows") as refused:
        run(arguments(out, lambdas_dir, ["ivr"]), client=client)
    assert refused.value.exit_code == 2


# -- through `main`, as a user runs it ---------------------------------------------------------


def test_help_shows_the_outdir_and_its_default(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit):
        main(["export-flows", "--help"])
    usage = capsys.readouterr().out
    assert "--outdir OUTDIR" in usage and "contact_flows/)" in usage
    assert "--out " not in usage


def test_an_unwritable_outdir_is_refused_before_any_aws_call(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    only_aws_settings(monkeypatch)  # no region: any AWS step would fail with another message
    monkeypatch.setattr(export_flows, "aws_session", lambda *_: pytest.fail("AWS before outdir"))

    code = main(["export-flows", "--instance-id", INSTANCE_ID, "--outdir", "/proc/ccaas/flows"])

    assert code == 2
    assert one_error_line(capsys).startswith(
        "ccaas export-flows: --outdir /proc/ccaas/flows cannot be written"
    )


@pytest.mark.parametrize(
    ("setting", "says"),
    [
        (([], {}), "ccaas export-flows: no AWS region (pass --region, or set AWS_REGION"),
        (
            ([], {"AWS_PROFILE": "does-not-exist", "AWS_DEFAULT_REGION": "eu-west-2"}),
            "ccaas export-flows: AWS profile 'does-not-exist' not found",
        ),
        (
            (["--profile", "does-not-exist", "--region", "eu-west-2"], {}),
            "ccaas export-flows: AWS profile 'does-not-exist' not found",
        ),
        (([], {"AWS_REGION": "eu-west-2"}), "ccaas export-flows: no AWS credentials (run"),
    ],
    ids=["no-region", "unknown-AWS_PROFILE", "unknown-profile", "AWS_REGION-no-credentials"],
)
def test_aws_settings_problems_are_one_line_exit_2_and_write_nothing(
    setting: tuple[list[str], dict[str, str]],
    says: str,
    out: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    argv, variables = setting
    only_aws_settings(monkeypatch, **variables)
    before = {p.name: p.read_text() for p in out.glob("*.json")}

    code = main(["export-flows", "--instance-id", INSTANCE_ID, "--outdir", str(out), *argv])

    assert code == 2
    assert one_error_line(capsys).startswith(says)
    assert {p.name: p.read_text() for p in out.glob("*.json")} == before


def test_an_unknown_flow_through_main_is_one_line_exit_2(
    capsys: pytest.CaptureFixture[str],
) -> None:
    assert main(["export-flows", "--instance-id", INSTANCE_ID, "--flow", "ivr"]) == 2
    assert one_error_line(capsys).startswith("ccaas export-flows: ivr not in config flows (known: ")
