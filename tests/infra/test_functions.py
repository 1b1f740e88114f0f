"""The flow Lambdas in the synthesized stages: runtime and budget, least privilege, Connect's
permission to invoke, and routing rules that the routing function can read."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import pytest

from config import ContactCenterConfig
from infra.constructs.connect_core import pascal
from infra.constructs.functions import (
    FLOW_LAMBDA_MEMORY_MB,
    FLOW_LAMBDA_TIMEOUT_SECONDS,
    _check_environment_fits,
    routing_rules_document,
)
from infra.paths import CONTACT_FLOWS_DIR
from lambdas.common.aws import FLOW_CALL_CONFIG, FLOW_CALL_WORST_CASE_SECONDS
from lambdas.common.routing_rules import RoutingRules
from tests.conftest import config_with

Synth = Callable[[ContactCenterConfig], Any]
HANDLERS = {
    "crm_lookup": "lambdas.crm_lookup.handler.handler",
    "routing": "lambdas.routing.handler.handler",
}


def contact_center(synthesis: Any) -> dict[str, Any]:
    (name,) = [n for n in synthesis.templates if n.endswith("-ContactCenter")]
    return synthesis.templates[name]["Resources"]


def function(resources: dict[str, Any], name: str) -> tuple[str, dict[str, Any]]:
    (found,) = [
        (logical_id, resource)
        for logical_id, resource in resources.items()
        if resource["Type"] == "AWS::Lambda::Function"
        and resource["Properties"]["Handler"] == HANDLERS[name]
    ]
    return found


def role_statements(resources: dict[str, Any], function_id: str) -> list[dict[str, Any]]:
    role = resources[function_id]["Properties"]["Role"]["Fn::GetAtt"][0]
    return [
        statement
        for resource in resources.values()
        if resource["Type"] == "AWS::IAM::Policy"
        and {"Ref": role} in resource["Properties"]["Roles"]
        for statement in resource["Properties"]["PolicyDocument"]["Statement"]
    ]


@pytest.fixture(scope="module")
def dev(synth: Synth, dev_config: ContactCenterConfig) -> dict[str, Any]:
    return contact_center(synth(dev_config))


@pytest.mark.parametrize("name", sorted(HANDLERS))
def test_flow_functions_exist_in_every_stage(
    synth: Synth,
    name: str,
    dev_config: ContactCenterConfig,
    prod_config: ContactCenterConfig,
    voice_only_config: ContactCenterConfig,
) -> None:
    for config in (dev_config, prod_config, voice_only_config):
        _, resource = function(contact_center(synth(config)), name)
        properties = resource["Properties"]
        assert properties["Runtime"] == "python3.14"
        assert properties["Architectures"] == ["arm64"]
        assert properties["MemorySize"] == FLOW_LAMBDA_MEMORY_MB
        assert properties["TracingConfig"] == {"Mode": "Active"}


def test_timeout_fits_every_flow_block_and_dynamodb_fits_the_timeout(
    dev: dict[str, Any],
) -> None:
    limits = []
    for path in sorted(CONTACT_FLOWS_DIR.glob("*.json")):
        for action in json.loads(path.read_text())["Actions"]:
            parameters = action.get("Parameters", {})
            if parameters.get("LambdaFunctionARN") in ("${lambda:crm_lookup}", "${lambda:routing}"):
                limits.append(int(parameters["InvocationTimeLimitSeconds"]))
    assert limits, "the shipped flows invoke crm_lookup and routing"
    for name in HANDLERS:
        _, resource = function(dev, name)
        assert resource["Properties"]["Timeout"] == FLOW_LAMBDA_TIMEOUT_SECONDS <= min(limits) <= 8
    # Worst case of one DynamoDB call: every attempt times out, plus the jittered backoff (<= 1 s).
    attempts = FLOW_CALL_CONFIG.retries["total_max_attempts"]
    worst = attempts * (FLOW_CALL_CONFIG.connect_timeout + FLOW_CALL_CONFIG.read_timeout) + 1.0
    assert worst == pytest.approx(FLOW_CALL_WORST_CASE_SECONDS)
    assert FLOW_CALL_WORST_CASE_SECONDS < FLOW_LAMBDA_TIMEOUT_SECONDS


@pytest.mark.parametrize("name", sorted(HANDLERS))
def test_functions_may_only_get_items_from_the_customers_table_and_decrypt_them(
    dev: dict[str, Any], name: str
) -> None:
    function_id, _ = function(dev, name)
    statements = role_statements(dev, function_id)
    actions = {
        action
        for statement in statements
        for action in (
            statement["Action"] if isinstance(statement["Action"], list) else [statement["Action"]]
        )
    }
    assert actions == {
        "dynamodb:GetItem",
        "dynamodb:BatchGetItem",
        "kms:Decrypt",
        "xray:PutTraceSegments",
        "xray:PutTelemetryRecords",
        # its own log group only (tests/infra/test_least_privilege.py)
        "logs:CreateLogStream",
        "logs:PutLogEvents",
    }
    assert not any("*" in action for action in actions)
    (table,) = [s for s in statements if "dynamodb:GetItem" in s["Action"]]
    (resource,) = table["Resource"]
    assert "DataCustomers" in resource["Fn::ImportValue"]
    (kms,) = [s for s in statements if s["Action"] == "kms:Decrypt"]
    assert "DataDataKey" in kms["Resource"]["Fn::ImportValue"]
    wildcard = [s for s in statements if s["Resource"] == "*"]
    assert {a for s in wildcard for a in s["Action"]} == {
        "xray:PutTraceSegments",
        "xray:PutTelemetryRecords",
    }


@pytest.mark.parametrize("name", sorted(HANDLERS))
def test_only_this_connect_instance_may_invoke(dev: dict[str, Any], name: str) -> None:
    function_id, _ = function(dev, name)
    (permission,) = [
        r["Properties"]
        for r in dev.values()
        if r["Type"] == "AWS::Lambda::Permission"
        and r["Properties"]["FunctionName"] == {"Fn::GetAtt": [function_id, "Arn"]}
    ]
    assert permission["Principal"] == "connect.amazonaws.com"
    assert permission["Action"] == "lambda:InvokeFunction"
    (instance,) = [k for k, r in dev.items() if r["Type"] == "AWS::Connect::Instance"]
    assert permission["SourceArn"] == {"Fn::GetAtt": [instance, "Arn"]}
    assert permission["SourceAccount"] == {"Ref": "AWS::AccountId"}


@pytest.mark.parametrize("name", sorted(HANDLERS))
def test_logs_are_kept_for_the_configured_retention(
    dev: dict[str, Any], dev_config: ContactCenterConfig, name: str
) -> None:
    _, resource = function(dev, name)
    log_group = resource["Properties"]["LoggingConfig"]["LogGroup"]["Ref"]
    assert dev[log_group]["Properties"]["RetentionInDays"] == dev_config.retention.log_days


def test_settings_reach_the_functions(dev: dict[str, Any], dev_config: ContactCenterConfig) -> None:
    for name in HANDLERS:
        _, resource = function(dev, name)
        variables = resource["Properties"]["Environment"]["Variables"]
        assert "DataCustomers" in variables["CUSTOMERS_TABLE"]["Fn::ImportValue"]
        assert variables["REPEAT_WINDOW_HOURS"] == str(
            dev_config.routing.repeat_contact.window_hours
        )
        assert variables["POWERTOOLS_SERVICE_NAME"] == name.replace("_", "-")
        assert variables["PYDANTIC_DISABLE_PLUGINS"] == "__all__"  # no plugin scan on cold start


def test_routing_rules_in_the_template_are_what_the_function_reads(
    dev: dict[str, Any], dev_config: ContactCenterConfig
) -> None:
    _, resource = function(dev, "routing")
    joined = resource["Properties"]["Environment"]["Variables"]["ROUTING_RULES"]["Fn::Join"][1]
    # Resolve each queue reference to a readable stand-in of what CloudFormation puts there.
    text = "".join(
        part if isinstance(part, str) else f"arn:{part['Fn::GetAtt'][0]}:{part['Fn::GetAtt'][1]}"
        for part in joined
    )
    rules = RoutingRules.model_validate_json(text)

    assert set(rules.queues) == set(dev_config.queues)
    for name, arn in rules.queues.items():
        assert arn.startswith(f"arn:ConnectQueue{pascal(name)}") and arn.endswith(":QueueArn")
    assert rules.intents == dev_config.routing.intents
    assert rules.tier_priority == dev_config.routing.tier_priority
    assert rules.languages == dev_config.routing.languages
    assert rules.default_queue == dev_config.routing.default_queue


def test_rules_too_big_for_lambdas_environment_fail_the_synth_with_advice(
    dev_config: ContactCenterConfig,
) -> None:
    queues = {
        **dev_config.model_dump(mode="json")["queues"],
        **{f"team_{n:02d}": {"hours": "business"} for n in range(40)},
    }
    big = config_with(dev_config, queues=queues)
    rules = routing_rules_document(big, {name: "arn" for name in big.queues})
    with pytest.raises(ValueError, match="SSM Parameter Store or AppConfig"):
        _check_environment_fits(big, rules)
    _check_environment_fits(dev_config, routing_rules_document(dev_config, {}))


def test_every_function_runs_the_powertools_release_the_tests_ran(
    synth: Synth, dev_config: ContactCenterConfig
) -> None:
    from importlib.metadata import version

    (name,) = [n for n in synth(dev_config).templates if n.endswith("-ContactCenter")]
    template = synth(dev_config).templates[name]
    functions = [
        resource["Properties"]
        for resource in template["Resources"].values()
        if resource["Type"] == "AWS::Lambda::Function"
        and resource["Properties"]["Handler"].startswith("lambdas.")  # ours, not CDK's providers
    ]
    assert len(functions) >= 8  # dev has every channel on
    for properties in functions:
        (layer,) = properties["Layers"]
        parameter = template["Parameters"][layer["Ref"]]
        assert parameter["Type"] == "AWS::SSM::Parameter::Value<String>"
        assert parameter["Default"] == (
            f"/aws/service/powertools/python/arm64/{properties['Runtime']}/"
            f"{version('aws-lambda-powertools')}"
        )
