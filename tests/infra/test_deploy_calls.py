"""The API calls the stacks' custom resources make at deploy time, replayed offline.

Each `AwsCustomResource` call of the synthesized ContactCenter template is evaluated with
plausible values for the resources it references (the emulated instance's ARNs, an End User
Messaging number's ARN...) and sent to the local Connect emulation, which checks what the API
takes (local_connect/emulation/connect.py). Calls to a service the emulation does not answer are
checked against botocore's service model. A wrong kind of ARN therefore fails here, not halfway
through a deploy.
"""

from __future__ import annotations

import copy
import json
import uuid
from collections.abc import Callable
from typing import Any

import boto3
import pytest
from botocore import xform_name
from botocore.exceptions import ClientError, ParamValidationError
from botocore.validate import validate_parameters

from config import ContactCenterConfig
from local_connect.emulation import AwsWorld, emulate_aws
from local_connect.emulation.wire import constraint_problems, service_model
from tests.infra.sdk_calls import SdkCall, evaluate, sdk_calls

Synth = Callable[[ContactCenterConfig], Any]
# What the local emulation answers; other services' calls are checked against botocore's model.
EMULATED = {"connect"}


def contact_center(synthesis: Any) -> dict[str, Any]:
    return stack_template(synthesis, "-ContactCenter")


def stack_template(synthesis: Any, suffix: str) -> dict[str, Any]:
    (name,) = [n for n in synthesis.templates if n.endswith(suffix)]
    return copy.deepcopy(synthesis.templates[name])


class PlausibleValues:
    """What each referenced attribute would be in an account, taken from the emulated world."""

    def __init__(
        self,
        template: dict[str, Any],
        world: AwsWorld,
        exporters: tuple[dict[str, Any], ...] = (),
    ) -> None:
        # Another stack's exports (`Fn::ImportValue`) are evaluated in the same world.
        self.resources = {
            k: r for body in (*exporters, template) for k, r in body["Resources"].items()
        }
        self.exports = {
            output["Export"]["Name"]: output["Value"]
            for body in exporters
            for output in body.get("Outputs", {}).values()
            if "Export" in output
        }
        self.world = world

    def attribute(self, logical_id: str, name: str) -> str:
        resource = self.resources[logical_id]
        kind, properties = resource["Type"], resource.get("Properties", {})
        instance = self.world.instance
        if kind == "AWS::Connect::Instance":
            return {"Arn": instance.arn, "Id": instance.id}[name]
        if kind == "AWS::Connect::ContactFlow" and name == "ContactFlowArn":
            return instance.flow(properties["Name"]).arn
        if kind == "AWS::Connect::PhoneNumber" and name == "PhoneNumberArn":
            # Claimed numbers are described "<name> -> <flow>"; the imported SMS number is the
            # world's "sms" number.
            wanted = (
                "sms"
                if "SourcePhoneNumberArn" in properties
                else properties["Description"].split(" -> ")[0]
            )
            (number,) = [n for n in instance.phone_numbers.values() if n.name == wanted]
            return number.arn
        if kind == "AWS::SMSVOICE::PhoneNumber" and name == "Arn":
            return self.world.sms_number.arn
        if kind == "AWS::Connect::Queue" and name == "QueueArn":
            return instance.queue(properties["Name"]).arn
        if kind == "AWS::Connect::QuickConnect" and name == "QuickConnectArn":
            quick_connect_id = uuid.uuid5(uuid.NAMESPACE_URL, properties["Name"])
            return f"{instance.arn}/transfer-destination/{quick_connect_id}"
        if kind == "AWS::Connect::EmailAddress" and name == "EmailAddressArn":
            address_id = uuid.uuid5(uuid.NAMESPACE_URL, properties["EmailAddress"])
            return f"{instance.arn}/email-address/{address_id}"
        raise KeyError(f"no plausible value for {kind} {logical_id}.{name}")

    def reference(self, name: str) -> str:
        pseudo = {
            "AWS::Region": self.world.region,
            "AWS::AccountId": self.world.account_id,
            "AWS::Partition": "aws",
            "AWS::URLSuffix": "amazonaws.com",
        }
        return pseudo[name]

    def imported(self, name: str) -> str:
        return str(evaluate(self.exports[name], self.attribute, self.reference, self.imported))


def replay(
    config: ContactCenterConfig,
    template: dict[str, Any],
    exporters: tuple[dict[str, Any], ...] = (),
) -> tuple[list[SdkCall], list[str]]:
    """Every create call, then every delete call; one line per call the API would refuse.
    `exporters` are the templates whose exports `template` imports."""
    world = AwsWorld.from_config(config)
    values = PlausibleValues(template, world, exporters)
    calls = list(sdk_calls(template, values.attribute, values.reference, values.imported))
    ordered = [c for c in calls if c.phase == "Create"] + [c for c in calls if c.phase == "Delete"]
    refused = []
    with emulate_aws(world):
        for call in ordered:
            problem = _refusal(call, world)
            if problem:
                refused.append(f"{call.logical_id} {call.phase} {call.operation}: {problem}")
    return calls, refused


def _refusal(call: SdkCall, world: AwsWorld) -> str | None:
    operation = service_model(call.service).operation_model(call.operation)
    assert operation.input_shape is not None
    # What the emulation does not answer (e.g. the People stack's quick connect associations:
    # it keeps no quick connects) is checked against the service model.
    if call.service not in EMULATED or not world.backend(call.service).handles(call.operation):
        try:
            validate_parameters(call.parameters, operation.input_shape)
        except ParamValidationError as error:
            return str(error)
        return "; ".join(constraint_problems(operation.input_shape, call.parameters)) or None
    client = boto3.client("connect", region_name=world.region)
    method = getattr(client, xform_name(call.operation))
    try:
        method(**call.parameters)
    except ClientError as error:
        return f"{error.response['Error']['Code']}: {error.response['Error']['Message']}"
    return None


@pytest.mark.parametrize("stage", ["dev", "prod_messaging"])
def test_every_custom_resource_call_is_one_the_apis_accept(
    stage: str, synth: Synth, request: pytest.FixtureRequest
) -> None:
    config: ContactCenterConfig = request.getfixturevalue(f"{stage}_config")
    calls, refused = replay(config, contact_center(synth(config)))
    operations = {c.operation for c in calls}
    assert "AssociatePhoneNumberContactFlow" in operations
    assert "AssociateFlow" in operations  # email addresses (dev), SMS and email (prod)
    assert refused == []


def test_an_sms_association_naming_connects_phone_number_arn_is_refused_offline(
    synth: Synth, prod_messaging_config: ContactCenterConfig
) -> None:
    template = contact_center(synth(prod_messaging_config, in_account=True))
    resources = template["Resources"]
    (eum_number,) = [k for k, r in resources.items() if r["Type"] == "AWS::SMSVOICE::PhoneNumber"]
    (imported,) = [
        k
        for k, r in resources.items()
        if r["Type"] == "AWS::Connect::PhoneNumber" and "SourcePhoneNumberArn" in r["Properties"]
    ]
    (association,) = {
        c.logical_id
        for c in sdk_calls(template)
        if c.parameters.get("ResourceType") == "SMS_PHONE_NUMBER"
    }
    # The mistake this guards against: Connect's phone-number ARN where the API takes End User
    # Messaging's.
    wrong = json.dumps(resources[association]["Properties"]).replace(
        json.dumps({"Fn::GetAtt": [eum_number, "Arn"]}),
        json.dumps({"Fn::GetAtt": [imported, "PhoneNumberArn"]}),
    )
    resources[association]["Properties"] = json.loads(wrong)

    _, refused = replay(prod_messaging_config, template)

    assert refused and all(association in line for line in refused)
    assert "must be an End User Messaging SMS phone number ARN" in refused[0]


def test_the_people_stacks_quick_connect_associations_name_queue_and_quick_connect_ids(
    synth: Synth, dev_config: ContactCenterConfig
) -> None:
    synthesis = synth(dev_config)
    exporters = (stack_template(synthesis, "-ContactCenter"),)
    calls, refused = replay(dev_config, stack_template(synthesis, "-People"), exporters)
    assert {c.operation for c in calls} == {
        "AssociateQueueQuickConnects",
        "DisassociateQueueQuickConnects",
    }
    assert refused == []
    instance = AwsWorld.from_config(dev_config).instance
    queue_ids = {queue.id for queue in instance.queues.values()}
    for call in calls:
        assert call.parameters["InstanceId"] == instance.id
        assert call.parameters["QueueId"] in queue_ids  # the id, not the ARN
        (quick_connect_id,) = call.parameters["QuickConnectIds"]
        assert str(uuid.UUID(quick_connect_id)) == quick_connect_id
