"""Contact flows as CloudFormation: one `AWS::Connect::ContactFlow` per config flow.

Each file in `contact_flows/` is validated first (the synth fails with every problem listed), then
its placeholders become references to the resources of this deployment:
`${queue:billing}` -> the queue's `Fn::GetAtt QueueArn`, `${hours:...}` -> the hours' ARN,
`${flow:...}` -> the other flow's ARN (so it is created first), `${lambda:...}` -> the function's
ARN, `${setting:...}` -> the config value. No ARN or account id is ever written in a flow file.

Connect refuses to save a flow that invokes a Lambda the instance does not know, so every Lambda
a flow calls gets a `CfnIntegrationAssociation` and the flow depends on it.

CloudFormation has no resource that points a claimed phone number at a flow (the Connect
console does it, the API is `AssociatePhoneNumberContactFlow`), so each number gets an
`AwsCustomResource` that calls that API on create and update, and the disassociation on delete.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

from aws_cdk import Fn, Stack
from aws_cdk import aws_connect as connect
from aws_cdk import aws_lambda as lambda_
from aws_cdk import custom_resources as cr
from constructs import Construct

from config import ContactCenterConfig
from flowlang.context import StageFlows
from flowlang.loader import Flow, load_flow
from flowlang.placeholders import PlaceholderKind, find_placeholders, resolve
from flowlang.problems import FlowValidationError, Problem
from flowlang.validator import validate_stage
from infra.constructs.connect_core import ConnectCore, pascal
from infra.constructs.deploy_calls import deploy_call
from infra.paths import CONTACT_FLOWS_DIR


class ContactFlows(Construct):
    """Exposes `flows` (CfnContactFlow by config name), `lambda_associations` and `flow_id()`.

    `lambda_functions` maps the names used in `${lambda:NAME}` to functions (or aliases): the
    flows invoke exactly the ARN given here.
    """

    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        config: ContactCenterConfig,
        connect_core: ConnectCore,
        lambda_functions: Mapping[str, lambda_.IFunction],
        flows_dir: Path = CONTACT_FLOWS_DIR,
        bot_alias_arn: str | None = None,
    ) -> None:
        super().__init__(scope, construct_id)
        self.config = config
        # The self-service bot's alias (`${bot:self_service}`); None when the stage has no bot.
        self.bot_alias_arn = bot_alias_arn
        self.connect_core = connect_core
        self.lambda_functions = dict(lambda_functions)
        self.stage = StageFlows(config, self.lambda_functions, flows_dir)
        problems = validate_stage(self.stage)
        if problems:
            raise FlowValidationError(problems)

        loaded = {name: load_flow(self.stage.flow_file(name)) for name in config.flows}
        self.lambda_associations = {
            name: connect.CfnIntegrationAssociation(
                self,
                f"Lambda{pascal(name)}Association",
                instance_id=connect_core.instance_arn,
                integration_type="LAMBDA_FUNCTION",
                integration_arn=self.lambda_functions[name].function_arn,
            )
            for name in sorted({ref for flow in loaded.values() for ref in _refs(flow, "lambda")})
        }
        self.flows: dict[str, connect.CfnContactFlow] = {}
        for name in _creation_order(loaded, self.stage):
            self.flows[name] = self._flow(name, loaded[name])
        self._associate_phone_numbers()

    # --- flows ------------------------------------------------------------------------------
    def _flow(self, name: str, flow: Flow) -> connect.CfnContactFlow:
        settings = self.config.flows[name]
        content = resolve(flow.document, self._resolver)
        resource = connect.CfnContactFlow(
            self,
            f"Flow{pascal(name)}",
            instance_arn=self.connect_core.instance_arn,
            name=name,
            type=settings.type.value,
            description=settings.description or name,
            state="ACTIVE",
            # to_json_string keeps the CDK tokens (GetAtt/Ref) as references in the template.
            content=Stack.of(self).to_json_string(content),
        )
        for lambda_name in sorted(set(_refs(flow, "lambda"))):
            resource.node.add_dependency(self.lambda_associations[lambda_name])
        return resource

    def _resolver(self, kind: PlaceholderKind, name: str) -> str:
        if kind == "setting":
            return self.stage.setting(name)
        target = self.stage.config_name(kind, name)
        if kind == "queue":
            return self.connect_core.queues[target].attr_queue_arn
        if kind == "hours":
            return self.connect_core.hours[target].attr_hours_of_operation_arn
        if kind == "flow":
            return self.flows[target].attr_contact_flow_arn
        if kind == "bot":  # "" with the bot off: the flows branch on self_service.enabled first
            return self.bot_alias_arn or ""
        return self.lambda_functions[target].function_arn

    def flow_arn(self, name: str) -> str:
        return self.flows[name].attr_contact_flow_arn

    def flow_id(self, name: str) -> str:
        """The flow's id (what StartChatContact and AssociateFlow take): the ARN's last part.

        arn:aws:connect:REGION:ACCOUNT:instance/INSTANCE_ID/contact-flow/FLOW_ID
        """
        return Fn.select(3, Fn.split("/", self.flow_arn(name)))

    # --- entry points -----------------------------------------------------------------------
    def _associate_phone_numbers(self) -> None:
        core = self.connect_core
        for number in self.config.phone_numbers:
            phone = core.phone_numbers[number.name]
            flow = self.flows[number.flow]
            parameters = {
                "PhoneNumberId": phone.attr_phone_number_arn,
                "InstanceId": core.instance.attr_id,
            }
            self.sdk_call(
                f"{pascal(number.name)}Number",
                create=cr.AwsSdkCall(
                    service="Connect",
                    action="associatePhoneNumberContactFlow",
                    parameters={**parameters, "ContactFlowId": self.flow_id(number.flow)},
                    # Stable per number: a new id would make CloudFormation "replace" the
                    # association and its cleanup would then disassociate the number.
                    physical_resource_id=cr.PhysicalResourceId.of(f"phone-number-{number.name}"),
                ),
                delete=cr.AwsSdkCall(
                    service="Connect",
                    action="disassociatePhoneNumberContactFlow",
                    parameters=parameters,
                ),
                actions=[
                    "connect:AssociatePhoneNumberContactFlow",
                    "connect:DisassociatePhoneNumberContactFlow",
                ],
                resources=[phone.attr_phone_number_arn, flow.attr_contact_flow_arn],
            )

    def associate_flow(
        self, construct_id: str, *, resource_arn: str, resource_type: str, flow_name: str
    ) -> cr.AwsCustomResource:
        """Points a messaging entry point at a flow through Connect's `AssociateFlow` API.

        For entry points other constructs create: an SMS number imported into the instance
        (`SMS_PHONE_NUMBER`) or an email address (`INBOUND_EMAIL`). CloudFormation has no
        property for either association. `resource_arn` is what the API takes for the type
        (https://docs.aws.amazon.com/connect/latest/APIReference/API_AssociateFlow.html): for an
        SMS number the End User Messaging SMS number's ARN, not Connect's phone-number ARN.
        """
        flow = self.flows[flow_name]
        parameters = {
            "InstanceId": self.connect_core.instance.attr_id,
            "ResourceId": resource_arn,
            "ResourceType": resource_type,
        }
        return self.sdk_call(
            construct_id,
            create=cr.AwsSdkCall(
                service="Connect",
                action="associateFlow",
                parameters={**parameters, "FlowId": self.flow_id(flow_name)},
                physical_resource_id=cr.PhysicalResourceId.of(construct_id),
            ),
            delete=cr.AwsSdkCall(
                service="Connect", action="disassociateFlow", parameters=parameters
            ),
            actions=["connect:AssociateFlow", "connect:DisassociateFlow"],
            resources=[resource_arn, flow.attr_contact_flow_arn],
        )

    def sdk_call(
        self,
        construct_id: str,
        *,
        create: cr.AwsSdkCall,
        delete: cr.AwsSdkCall | None,
        actions: list[str],
        resources: list[str],
        resource_type: str = "Custom::ConnectFlowAssociation",
    ) -> cr.AwsCustomResource:
        """An AWS API call CloudFormation has no property for, made at deploy time, under this
        construct (infra/constructs/deploy_calls.py)."""
        return deploy_call(
            self,
            construct_id,
            create=create,
            delete=delete,
            actions=actions,
            resources=resources,
            log_days=self.config.retention.log_days,
            resource_type=resource_type,
        )


def _refs(flow: Flow, kind: PlaceholderKind) -> list[str]:
    return [ref.name for ref in find_placeholders(flow) if ref.kind == kind]


def _creation_order(flows: Mapping[str, Flow], stage: StageFlows) -> list[str]:
    """Flows that others reference come first; a cycle cannot be deployed and is reported."""
    needs = {
        name: {stage.config_name("flow", ref) for ref in _refs(flow, "flow")}
        for name, flow in flows.items()
    }
    order: list[str] = []
    visiting: list[str] = []

    def visit(name: str) -> None:
        if name in order:
            return
        if name in visiting:
            cycle = [*visiting[visiting.index(name) :], name]
            raise FlowValidationError(
                [
                    Problem(
                        str(stage.flow_file(name)),
                        None,
                        "flows reference each other in a cycle, which cannot be deployed: "
                        + " -> ".join(cycle),
                    )
                ]
            )
        visiting.append(name)
        for other in sorted(needs[name]):
            visit(other)
        visiting.pop()
        order.append(name)

    for name in flows:
        visit(name)
    return order
