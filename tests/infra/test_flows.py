"""Flows in the template: every placeholder resolved to a reference to the right resource, Lambda
integrations, phone numbers pointed at their flow, and a synth that refuses an invalid flow.

The stack here is built for these tests (data, Connect core, two stand-in functions, the flows)
and synthesized once per module with cdk-nag on, so the construct is checked on its own.
"""

from __future__ import annotations

import json
import shutil
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from aws_cdk import Stack
from aws_cdk import aws_connect as connect
from aws_cdk import aws_lambda as lambda_

from config import ContactCenterConfig
from flowlang.placeholders import PLACEHOLDER
from flowlang.problems import FlowValidationError, Problem
from infra.constructs.connect_core import ConnectCore
from infra.constructs.data import DataStore
from infra.constructs.flows import ContactFlows
from infra.nag import acknowledge, add_checks
from infra.paths import CONTACT_FLOWS_DIR
from infra.stacks import new_app
from tests.infra.cfn_lint import lint_findings

FLOW_LAMBDAS = ("crm_lookup", "routing")


@dataclass
class Built:
    template: dict[str, Any]
    report: dict[str, Any]
    outdir: Path

    @property
    def resources(self) -> dict[str, Any]:
        return self.template["Resources"]

    def of_type(self, type_: str) -> dict[str, Any]:
        return {k: v for k, v in self.resources.items() if v["Type"] == type_}

    def logical_id(self, type_: str, **properties: Any) -> str:
        (found,) = [
            k
            for k, v in self.of_type(type_).items()
            if all(v["Properties"].get(key) == value for key, value in properties.items())
        ]
        return found

    def function(self, name: str) -> str:
        (found,) = [
            k
            for k, v in self.of_type("AWS::Lambda::Function").items()
            if v["Properties"].get("Description") == f"stand-in for {name}"
        ]
        return found


def stand_in_functions(stack: Stack) -> dict[str, lambda_.IFunction]:
    functions: dict[str, lambda_.IFunction] = {}
    for name in FLOW_LAMBDAS:
        function = lambda_.Function(
            stack,
            f"StandIn{name.title().replace('_', '')}",
            runtime=lambda_.Runtime.PYTHON_3_14,
            handler="index.handler",
            description=f"stand-in for {name}",
            code=lambda_.Code.from_inline("def handler(event, context):\n    return {}\n"),
        )
        acknowledge(
            function,
            "AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/"
            "AWSLambdaBasicExecutionRole]",
            "test stand-in for the flow Lambda built by infra/constructs/functions.py",
        )
        cfn = function.node.default_child
        assert cfn is not None
        cfn.add_metadata("cfn-lint", {"config": {"ignore_checks": ["W3005"]}})  # type: ignore[attr-defined]
        functions[name] = function
    return functions


def build(
    config: ContactCenterConfig, outdir: Path, flows_dir: Path = CONTACT_FLOWS_DIR
) -> tuple[Any, ContactFlows]:
    app = new_app(outdir=str(outdir))
    stack = Stack(app, "FlowsUnderTest")
    data = DataStore(stack, "Data", config=config)
    core = ConnectCore(stack, "Connect", config=config, data=data)
    flows = ContactFlows(
        stack,
        "Flows",
        config=config,
        connect_core=core,
        lambda_functions=stand_in_functions(stack),
        flows_dir=flows_dir,
    )
    return app, flows


@pytest.fixture(scope="module")
def built(dev_config: ContactCenterConfig, tmp_path_factory: pytest.TempPathFactory) -> Built:
    outdir = tmp_path_factory.mktemp("flows-cdk")
    app, flows = build(dev_config, outdir)
    email = connect.CfnEmailAddress(
        flows,
        "HelpAddress",
        instance_arn=flows.connect_core.instance_arn,
        email_address="help@support.riverside-utilities.example",
        display_name="Help",
    )
    flows.associate_flow(
        "HelpAddressFlow",
        resource_arn=email.attr_email_address_arn,
        resource_type="INBOUND_EMAIL",
        flow_name="inbound_email",
    )
    add_checks(app)
    app.synth()
    template = json.loads((outdir / "FlowsUnderTest.template.json").read_text())
    report_file = outdir / "validation-report.json"
    report = json.loads(report_file.read_text()) if report_file.exists() else {}
    return Built(template, report, outdir)


def decoded_content(resource: dict[str, Any]) -> dict[str, Any]:
    """The flow JSON with each CloudFormation reference written as `@GetAtt:Logical.Attr`."""
    content = resource["Properties"]["Content"]
    if isinstance(content, str):
        return json.loads(content)
    parts = content["Fn::Join"][1]
    text = ""
    for part in parts:
        if isinstance(part, str):
            text += part
        elif "Fn::GetAtt" in part:
            logical, attribute = part["Fn::GetAtt"]
            text += f"@GetAtt:{logical}.{attribute}"
        elif "Ref" in part:
            text += f"@Ref:{part['Ref']}"
        else:
            text += f"@Unexpected:{sorted(part)}"
    return json.loads(text)


def flow_resource(built: Built, name: str) -> dict[str, Any]:
    return built.resources[built.logical_id("AWS::Connect::ContactFlow", Name=name)]


def parameters(built: Built, flow: str, action: str) -> dict[str, Any]:
    document = decoded_content(flow_resource(built, flow))
    (found,) = [a for a in document["Actions"] if a["Identifier"] == action]
    return found["Parameters"]


def test_one_contact_flow_per_config_flow_with_its_type(
    built: Built, dev_config: ContactCenterConfig
) -> None:
    flows = built.of_type("AWS::Connect::ContactFlow")
    assert sorted(f["Properties"]["Name"] for f in flows.values()) == sorted(dev_config.flows)
    for resource in flows.values():
        properties = resource["Properties"]
        assert properties["Type"] == dev_config.flows[properties["Name"]].type.value
        assert properties["State"] == "ACTIVE"
        assert properties["InstanceArn"] == {
            "Fn::GetAtt": [built.logical_id("AWS::Connect::Instance"), "Arn"]
        }


def test_no_placeholder_text_survives(built: Built) -> None:
    for resource in built.of_type("AWS::Connect::ContactFlow").values():
        text = json.dumps(decoded_content(resource))
        assert PLACEHOLDER.search(text) is None, resource["Properties"]["Name"]
        assert "${" not in text
        assert "@Unexpected" not in text


def test_each_arn_is_a_reference_to_the_right_resource(built: Built) -> None:
    queue = built.logical_id("AWS::Connect::Queue", Name="general")
    hours = built.logical_id("AWS::Connect::HoursOfOperation", Name="business")
    customer_queue = built.logical_id("AWS::Connect::ContactFlow", Name="customer_queue")
    whisper = built.logical_id("AWS::Connect::ContactFlow", Name="agent_whisper")
    post_contact = built.logical_id("AWS::Connect::ContactFlow", Name="post_contact")

    assert parameters(built, "inbound_voice", "set-default-queue") == {
        "QueueId": f"@GetAtt:{queue}.QueueArn"
    }
    assert parameters(built, "inbound_voice", "create-callback")["QueueId"] == (
        f"@GetAtt:{queue}.QueueArn"
    )
    assert parameters(built, "inbound_voice", "check-hours") == {
        "HoursOfOperationId": f"@GetAtt:{hours}.HoursOfOperationArn"
    }
    assert parameters(built, "inbound_chat", "lookup-customer")["LambdaFunctionARN"] == (
        f"@GetAtt:{built.function('crm_lookup')}.Arn"
    )
    assert parameters(built, "inbound_email", "route")["LambdaFunctionARN"] == (
        f"@GetAtt:{built.function('routing')}.Arn"
    )
    hooks = {
        action: parameters(built, "inbound_voice", action)["EventHooks"]
        for action in ("set-queue-flow", "set-whisper-flow", "set-disconnect-flow")
    }
    assert hooks == {
        "set-queue-flow": {"CustomerQueue": f"@GetAtt:{customer_queue}.ContactFlowArn"},
        "set-whisper-flow": {"AgentWhisper": f"@GetAtt:{whisper}.ContactFlowArn"},
        "set-disconnect-flow": {"CustomerRemaining": f"@GetAtt:{post_contact}.ContactFlowArn"},
    }


def test_settings_are_written_as_the_stages_values(built: Built) -> None:
    hold = parameters(built, "customer_queue", "hold-then-offer-callback")
    assert hold["InterruptFrequencySeconds"] == "120"
    greeting = parameters(built, "inbound_voice", "greet")["Text"]
    assert greeting == "Thank you for calling Riverside Public Utilities."
    flags = parameters(built, "inbound_voice", "set-flags")["FlowAttributes"]
    assert {name: flags[name] for name in ("callbacksEnabled", "smsEnabled", "selfService")} == {
        "callbacksEnabled": {"Value": "true"},
        "smsEnabled": {"Value": "true"},
        "selfService": {"Value": "true"},
    }
    assert "botAlias" in flags  # ${bot:self_service}: the alias ARN given to ContactFlows


def test_one_integration_per_lambda_and_flows_that_call_it_wait_for_it(built: Built) -> None:
    associations = built.of_type("AWS::Connect::IntegrationAssociation")
    by_function = {
        a["Properties"]["IntegrationArn"]["Fn::GetAtt"][0]: logical
        for logical, a in associations.items()
    }
    assert sorted(by_function) == sorted(built.function(n) for n in FLOW_LAMBDAS)
    for association in associations.values():
        assert association["Properties"]["IntegrationType"] == "LAMBDA_FUNCTION"
    for name in ("inbound_voice", "inbound_chat", "inbound_email", "inbound_task"):
        assert sorted(flow_resource(built, name)["DependsOn"]) == sorted(by_function.values())
    assert "DependsOn" not in flow_resource(built, "agent_whisper")


def custom_call(resource: dict[str, Any], phase: str) -> dict[str, Any]:
    return decoded_content({"Properties": {"Content": resource["Properties"][phase]}})


def test_each_phone_number_is_pointed_at_its_flow(
    built: Built, dev_config: ContactCenterConfig
) -> None:
    instance = built.logical_id("AWS::Connect::Instance")
    voice_flow = built.logical_id("AWS::Connect::ContactFlow", Name="inbound_voice")
    associations = {
        logical: r
        for logical, r in built.of_type("Custom::ConnectFlowAssociation").items()
        if custom_call(r, "Create")["action"] == "associatePhoneNumberContactFlow"
    }
    assert len(associations) == len(dev_config.phone_numbers)
    numbers = {
        built.logical_id("AWS::Connect::PhoneNumber", Description=f"{n.name} -> {n.flow}"): n.name
        for n in dev_config.phone_numbers
    }
    seen = set()
    for resource in associations.values():
        create = custom_call(resource, "Create")
        assert custom_call(resource, "Update") == create
        number_ref = create["parameters"]["PhoneNumberId"]
        number = number_ref.removeprefix("@GetAtt:").removesuffix(".PhoneNumberArn")
        seen.add(numbers[number])
        assert create["parameters"]["InstanceId"] == f"@GetAtt:{instance}.Id"
        assert create["physicalResourceId"] == {"id": f"phone-number-{numbers[number]}"}
        # The flow id is cut from the flow's ARN: Fn::Select 3 of Fn::Split "/".
        flow_id = resource["Properties"]["Create"]["Fn::Join"][1][5]
        assert flow_id == {
            "Fn::Select": [3, {"Fn::Split": ["/", {"Fn::GetAtt": [voice_flow, "ContactFlowArn"]}]}]
        }
        delete = custom_call(resource, "Delete")
        assert delete["action"] == "disassociatePhoneNumberContactFlow"
    assert seen == {n.name for n in dev_config.phone_numbers}


def test_connects_flow_log_group_is_ours_with_the_stages_retention_before_the_instance(
    built: Built, dev_config: ContactCenterConfig
) -> None:
    instance = built.logical_id("AWS::Connect::Instance")
    group = built.logical_id(
        "AWS::Logs::LogGroup", LogGroupName=f"/aws/connect/{dev_config.instance.alias}"
    )
    assert built.resources[group]["Properties"]["RetentionInDays"] == dev_config.retention.log_days
    assert built.resources[group]["DeletionPolicy"] == "Delete"
    # The group exists before Connect could create its own (which would never expire) ...
    assert group in built.resources[instance]["DependsOn"]
    # ... so the custom resource that tried to set the retention afterwards is gone.
    assert not built.of_type("Custom::ConnectFlowLogRetention")
    assert not [p for name, p in built.of_type("AWS::IAM::Policy").items() if "Retention" in name]


def test_association_policies_name_exact_actions_and_arns(built: Built) -> None:
    voice_flow = built.logical_id("AWS::Connect::ContactFlow", Name="inbound_voice")
    policies = [
        p
        for logical, p in built.of_type("AWS::IAM::Policy").items()
        if logical.startswith("Flows") and "Number" in logical
    ]
    assert len(policies) == 2
    for policy in policies:
        (statement,) = policy["Properties"]["PolicyDocument"]["Statement"]
        assert statement["Action"] == [
            "connect:AssociatePhoneNumberContactFlow",
            "connect:DisassociatePhoneNumberContactFlow",
        ]
        resources = statement["Resource"]
        assert len(resources) == 2
        assert resources[0]["Fn::GetAtt"][1] == "PhoneNumberArn"
        assert resources[1] == {"Fn::GetAtt": [voice_flow, "ContactFlowArn"]}


def test_email_address_association_through_associate_flow(built: Built) -> None:
    (resource,) = [
        r
        for r in built.of_type("Custom::ConnectFlowAssociation").values()
        if custom_call(r, "Create")["action"] == "associateFlow"
    ]
    create = custom_call(resource, "Create")
    address = built.logical_id("AWS::Connect::EmailAddress")
    assert create["parameters"]["ResourceType"] == "INBOUND_EMAIL"
    assert create["parameters"]["ResourceId"] == f"@GetAtt:{address}.EmailAddressArn"
    assert custom_call(resource, "Delete")["action"] == "disassociateFlow"


def test_cdk_nag_passes_with_the_provider_acknowledged(built: Built) -> None:
    (plugin,) = [p for p in built.report["pluginReports"] if p["pluginName"] == "AwsSolutions"]
    assert plugin["conclusion"] == "success"
    reasons = [s["reason"] for s in plugin.get("suppressedViolations", [])]
    assert any("AwsCustomResource provider" in reason for reason in reasons)


def test_template_passes_cfn_lint(built: Built) -> None:
    assert lint_findings([built.outdir / "FlowsUnderTest.template.json"]) == []


@pytest.fixture()
def broken_flows(tmp_path: Path) -> Iterator[Path]:
    flows = tmp_path / "contact_flows"
    shutil.copytree(CONTACT_FLOWS_DIR, flows)
    yield flows


def test_synth_fails_on_an_invalid_flow(
    dev_config: ContactCenterConfig, broken_flows: Path, tmp_path: Path
) -> None:
    path = broken_flows / "inbound_chat.json"
    document = json.loads(path.read_text())
    for action in document["Actions"]:
        if action["Identifier"] == "route":
            action["Parameters"]["InvocationTimeLimitSeconds"] = "12"
    path.write_text(json.dumps(document))

    with pytest.raises(FlowValidationError) as caught:
        build(dev_config, tmp_path / "out", flows_dir=broken_flows)

    assert caught.value.problems == [
        Problem(str(path), "route", "InvocationTimeLimitSeconds is 12; Connect allows 1 to 8")
    ]
    assert "1 problem(s) in contact flows" in str(caught.value)


def test_flows_that_reference_each_other_in_a_cycle_are_refused(
    dev_config: ContactCenterConfig, broken_flows: Path, tmp_path: Path
) -> None:
    path = broken_flows / "customer_queue.json"
    document = json.loads(path.read_text())
    document["Actions"].insert(
        0,
        {
            "Identifier": "set-whisper",
            "Type": "UpdateContactEventHooks",
            "Parameters": {"EventHooks": {"CustomerWhisper": "${flow:inbound_voice}"}},
            "Transitions": {
                "NextAction": document["StartAction"],
                "Errors": [{"ErrorType": "NoMatchingError", "NextAction": document["StartAction"]}],
            },
        },
    )
    document["StartAction"] = "set-whisper"
    path.write_text(json.dumps(document))

    with pytest.raises(FlowValidationError) as caught:
        build(dev_config, tmp_path / "out", flows_dir=broken_flows)

    (problem,) = caught.value.problems
    assert problem.reason == (
        "flows reference each other in a cycle, which cannot be deployed: "
        "inbound_voice -> customer_queue -> inbound_voice"
    )
