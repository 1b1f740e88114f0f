"""`ccaas preflight` end to end: the checks in order on the session's synthesized dev stage,
against a baseline on disk or a stubbed account, and the command's output and exit codes."""

from __future__ import annotations

import argparse
import copy
import json
from datetime import date
from pathlib import Path
from typing import Any

import boto3
import pytest
from botocore.stub import Stubber

from config import ContactCenterConfig
from scripts.cli import main
from scripts.commands.preflight import target_of
from scripts.preflight.account import AccountClients
from scripts.preflight.checklist import Account, Offline, run_checks
from scripts.preflight.replacement import replacement_checks
from scripts.preflight.report import Check, Status, passed
from scripts.progress import Reporter
from tests.scripts.cli_checks import only_aws_settings

TODAY = date(2026, 12, 2)


@pytest.fixture(scope="module")
def dev_synthesis(synth: Any, dev_config: ContactCenterConfig) -> Any:
    return synth(dev_config)


def with_renamed_table(templates: dict[str, Any]) -> dict[str, Any]:
    """The templates as if a table's logical id had changed since: the baseline has the old id."""
    baseline = copy.deepcopy(templates)
    data = next(name for name in baseline if name.endswith("-Data"))
    resources = baseline[data]["Resources"]
    table_id = next(k for k, r in resources.items() if r["Type"] == "AWS::DynamoDB::Table")
    resources[f"{table_id}Old"] = resources.pop(table_id)
    return baseline


def by_name(checks: list[Check]) -> dict[str, list[Check]]:
    named: dict[str, list[Check]] = {}
    for check in checks:
        named.setdefault(check.name, []).append(check)
    return named


def test_offline_the_guard_compares_with_the_last_synthesis(
    dev_config: ContactCenterConfig, dev_synthesis: Any
) -> None:
    outcome = run_checks(
        dev_config,
        "config/dev.yaml",
        today=TODAY,
        synthesize=lambda: (passed("synth + cdk-nag", "ok"), dev_synthesis),
        target=Offline("no credentials", with_renamed_table(dev_synthesis.templates)),
    )

    named = by_name(outcome.checks)
    assert [c.status for c in named["flows"]] == [Status.PASS]
    assert named["template sizes"][0].status is Status.PASS
    assert named["account"][0].detail == "no credentials, account checks skipped"
    (replaced,) = named["REPLACEMENT"]
    assert "AWS::DynamoDB::Table" in replaced.detail and "DELETES" in replaced.detail
    assert outcome.replacements == 1


def test_offline_without_a_baseline_the_guard_says_it_compared_nothing(
    dev_config: ContactCenterConfig, dev_synthesis: Any
) -> None:
    outcome = run_checks(
        dev_config,
        "config/dev.yaml",
        today=TODAY,
        synthesize=lambda: (passed("synth + cdk-nag", "ok"), dev_synthesis),
        target=Offline("--offline"),
    )

    (guard,) = by_name(outcome.checks)["replacement guard"]
    assert guard.status is Status.WARN and "nothing to compare with" in guard.detail


def stubbed_account(
    templates: dict[str, Any], *, deployed: dict[str, Any] | None, instances: list[str]
) -> tuple[AccountClients, list[Stubber]]:
    """Every call stubbed (and validated against its service model). `deployed`: the stacks
    GetTemplate answers with (others do not exist yet); None: GetTemplate is refused."""
    clients: dict[str, Any] = {
        "cloudformation": boto3.client("cloudformation"),
        "connect": boto3.client("connect"),
        "service_quotas": boto3.client("service-quotas"),
        "lambda_": boto3.client("lambda"),
        "ssm": boto3.client("ssm"),
        "sesv2": boto3.client("sesv2"),
        "sms": boto3.client("pinpoint-sms-voice-v2"),
    }
    stubs = {name: Stubber(client) for name, client in clients.items()}
    if deployed is None:
        stubs["cloudformation"].add_client_error("get_template", "AccessDenied", "not allowed")
    else:
        for stack in templates:
            if stack in deployed:
                stubs["cloudformation"].add_response(
                    "get_template",
                    {"TemplateBody": json.dumps(deployed[stack])},
                    {"StackName": stack, "TemplateStage": "Original"},
                )
            else:
                stubs["cloudformation"].add_client_error(
                    "get_template", "ValidationError", f"Stack with id {stack} does not exist"
                )
    summaries = [
        {"Id": f"i-{i}", "Arn": f"arn:aws:connect:us-east-1:123456789012:instance/i-{i}"}
        | {"InstanceAlias": alias}
        for i, alias in enumerate(instances)
    ]
    stubs["connect"].add_response("list_instances", {"InstanceSummaryList": summaries})
    quotas = [("Amazon Connect instances per account", 2), ("Phone numbers per instance", 5)]
    for quota, value in quotas[1:] if instances else quotas:
        stubs["service_quotas"].add_response(
            "list_service_quotas", {"Quotas": [{"QuotaName": quota, "Value": value}]}
        )
    stubs["lambda_"].add_response(
        "get_account_settings",
        {"AccountLimit": {"ConcurrentExecutions": 10, "UnreservedConcurrentExecutions": 10}},
    )
    for parameter in ssm_parameters(templates):
        stubs["ssm"].add_response(
            "get_parameter", {"Parameter": {"Name": parameter, "Value": "x"}}, {"Name": parameter}
        )
    stubs["sesv2"].add_response(
        "get_account", {"ProductionAccessEnabled": False, "SendingEnabled": True}
    )
    stubs["sesv2"].add_client_error("get_email_identity", "NotFoundException", "not found")
    stubs["sms"].add_response(
        "describe_account_attributes",
        {"AccountAttributes": [{"Name": "ACCOUNT_TIER", "Value": "PRODUCTION"}]},
    )
    stubs["sms"].add_response("describe_spend_limits", {"SpendLimits": []})
    stubs["sms"].add_response("describe_phone_numbers", {"PhoneNumbers": []})
    for stub in stubs.values():
        stub.activate()
    return AccountClients(**clients), list(stubs.values())


def ssm_parameters(templates: dict[str, Any]) -> list[str]:
    return sorted(
        {
            p["Default"]
            for t in templates.values()
            for p in t.get("Parameters", {}).values()
            if p["Type"].startswith("AWS::SSM::Parameter::Value<")
        }
    )


def test_with_an_account_it_reads_the_deployed_stacks_and_the_account(
    dev_config: ContactCenterConfig, dev_synthesis: Any
) -> None:
    """The Data stack is deployed with another table id; the other stacks are not deployed."""
    templates = dev_synthesis.templates
    data = {k: v for k, v in with_renamed_table(templates).items() if k.endswith("-Data")}
    clients, stubs = stubbed_account(templates, deployed=data, instances=[])

    outcome = run_checks(
        dev_config,
        "config/dev.yaml",
        today=TODAY,
        synthesize=lambda: (passed("synth + cdk-nag", "ok"), dev_synthesis),
        target=Account("123456789012", "us-east-1", clients),
    )

    for stub in stubs:
        stub.assert_no_pending_responses()
    named = by_name(outcome.checks)
    assert "account" not in named
    assert named["connect instance"][0].status is Status.PASS
    assert named["lambda concurrency"][0].status is Status.FAIL
    assert {c.status for c in named["ssm parameter"]} == {Status.PASS}
    assert any(p.startswith("/aws/service/powertools/") for p in ssm_parameters(templates))
    assert named["ses account"][0].status is Status.WARN
    assert named["email domain"][0].status is Status.PASS
    assert named["sms spend limit"][0].status is Status.WARN
    assert len(named["REPLACEMENT"]) == 1
    assert "123456789012/us-east-1" in outcome.baseline


def test_when_the_deployed_stacks_cannot_be_read_ownership_is_unknown_not_failed(
    dev_config: ContactCenterConfig, dev_synthesis: Any
) -> None:
    clients, stubs = stubbed_account(
        dev_synthesis.templates, deployed=None, instances=[dev_config.instance.alias]
    )

    outcome = run_checks(
        dev_config,
        "config/dev.yaml",
        today=TODAY,
        synthesize=lambda: (passed("synth + cdk-nag", "ok"), dev_synthesis),
        target=Account("123456789012", "us-east-1", clients),
    )

    for stub in stubs:
        stub.assert_no_pending_responses()
    named = by_name(outcome.checks)
    (instance,) = named["connect instance"]
    assert instance.status is Status.WARN and "unknown" in instance.detail
    (guard,) = named["replacement guard"]
    assert guard.status is Status.WARN and "AccessDenied" in guard.detail


def write_assembly(folder: Path, templates: dict[str, Any]) -> None:
    folder.mkdir()
    artifacts = {}
    for stack, body in templates.items():
        (folder / f"{stack}.template.json").write_text(json.dumps(body))
        artifacts[stack] = {
            "type": "aws:cloudformation:stack",
            "properties": {"templateFile": f"{stack}.template.json"},
        }
    (folder / "manifest.json").write_text(json.dumps({"artifacts": artifacts}))


@pytest.fixture
def synthesized(monkeypatch: pytest.MonkeyPatch, dev_synthesis: Any) -> None:
    """The command's synthesis is the session's (synthesizing again costs a minute)."""
    monkeypatch.setattr("infra.synth.synthesize", lambda *args, **kwargs: dev_synthesis)


def test_the_command_prints_json_and_skips_the_account_without_credentials(
    synthesized: None,
    dev_synthesis: Any,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    only_aws_settings(monkeypatch, AWS_REGION="eu-west-2")
    write_assembly(tmp_path / "last", with_renamed_table(dev_synthesis.templates))

    code = main(["preflight", "--stage", "dev", "--json", "--baseline", str(tmp_path / "last")])

    document = json.loads(capsys.readouterr().out)
    assert code == 0
    checks = {check["check"]: check for check in document["checks"]}
    assert checks["account"]["detail"] == "no credentials, account checks skipped"
    assert checks["REPLACEMENT"]["status"] == "warn"
    assert document["baseline"] == f"the last synthesis in {tmp_path / 'last'}"


def test_a_failed_check_exits_1_with_the_check_and_its_fix_on_stdout(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    from infra.synth import SynthesisFailedError

    def refuse(*args: Any, **kwargs: Any) -> Any:
        raise SynthesisFailedError(["Stack/Bucket: AwsSolutions-S1: no access logs"])

    monkeypatch.setattr("infra.synth.synthesize", refuse)

    code = main(["preflight", "--stage", "dev", "--offline"])

    out, err = capsys.readouterr()
    assert code == 1
    assert "fail  synth + cdk-nag" in out
    assert "      Stack/Bucket: AwsSolutions-S1: no access logs" in out
    assert "      fix: fix each" in out
    assert err.strip().splitlines()[-1].startswith("ccaas preflight: stage 'dev' is not ready")


def test_credentials_that_work_reach_the_account(aws: None) -> None:
    args = argparse.Namespace(offline=False, profile=None, region="eu-west-2", baseline=Path("x"))

    target = target_of(args, Reporter.quiet())

    assert isinstance(target, Account)
    assert (target.account_id, target.region) == ("123456789012", "eu-west-2")


def test_the_docs_example_shows_what_the_guard_prints_for_the_dev_stage(
    dev_synthesis: Any,
) -> None:
    """docs/preflight.md's example: a baseline where the customers table had another logical
    id and the instance used SAML. Its REPLACEMENT lines are what the guard prints today."""
    page = (Path(__file__).parents[2] / "docs" / "preflight.md").read_text(encoding="utf-8")
    shown = page.split("warn  REPLACEMENT", 1)[1].split("\n\n", 1)[0]
    baseline = copy.deepcopy(dev_synthesis.templates)
    for template in baseline.values():
        resources = template["Resources"]
        for logical_id in list(resources):
            resource = resources[logical_id]
            if resource["Type"] == "AWS::Connect::Instance":
                resource["Properties"]["IdentityManagementType"] = "SAML"
            if resource["Type"] == "AWS::DynamoDB::Table" and logical_id.startswith(
                "DataCustomers"
            ):
                resources["DataCustomersTableB3A0E2F4"] = resources.pop(logical_id)

    checks = replacement_checks(dev_synthesis.templates, baseline, "cdk.out")

    printed = "\n".join(line for check in checks for line in check.lines())
    assert "warn  REPLACEMENT" + shown == printed
