"""The messaging construct: SMS and email only when switched on, and wired the way the code expects."""

from __future__ import annotations

import importlib
import json
from collections.abc import Callable
from typing import Any

import pytest
from aws_cdk.assertions import Match, Template

from config import ContactCenterConfig
from tests.conftest import config_with
from tests.infra.cfn_lint import lint_findings, stage_templates
from tests.infra.sdk_calls import sdk_calls

Synth = Callable[[ContactCenterConfig], Any]
MESSAGING_TYPES = (
    "AWS::SMSVOICE::PhoneNumber",
    "AWS::SMSVOICE::OptOutList",
    "AWS::SMSVOICE::ConfigurationSet",
    "AWS::SES::EmailIdentity",
    "AWS::SES::ConfigurationSet",
    "AWS::SES::ReceiptRuleSet",
    "AWS::Connect::EmailAddress",
    "AWS::SQS::Queue",
    "AWS::SNS::Topic",
    "AWS::Lambda::Function",
)
# Every stage has the flow functions (infra/constructs/functions.py), whatever its channels.
# Functions a voice-only stage has too: the flows' own and the self-service bot's fulfillment.
FLOW_FUNCTION_HANDLERS = {
    "lambdas.crm_lookup.handler.handler",
    "lambdas.routing.handler.handler",
    "lambdas.self_service.handler.handler",
}


def contact_center(synthesis: Any) -> Template:
    (name,) = [n for n in synthesis.templates if n.endswith("-ContactCenter")]
    return Template.from_json(synthesis.templates[name])


# Every stage also has the flows, analytics and observability constructs (a queue, a topic,
# alarms, functions, the flow-association custom resource's provider), and chat stages the chat
# construct (a bucket, a function, the widget's deployment): these tests are about what Messaging
# adds.
OTHER_CONSTRUCTS = (
    "Analytics",
    "Observability",
    "Flows",
    "Chat",
    "AWS679f53fac002430cb0da5b7982bd2287",  # AwsCustomResource's singleton provider
    "CustomCDKBucketDeployment",  # BucketDeployment's singleton provider
)


def resources(template: Template, type_: str) -> dict[str, Any]:
    return {
        logical_id: resource
        for logical_id, resource in template.find_resources(type_).items()
        if not logical_id.startswith(OTHER_CONSTRUCTS)
    }


def function_env(template: Template, handler: str) -> dict[str, Any]:
    (function,) = [
        f
        for f in resources(template, "AWS::Lambda::Function").values()
        if f["Properties"]["Handler"] == handler
    ]
    return function["Properties"]["Environment"]["Variables"]


@pytest.mark.parametrize("stage", ["voice_only", "prod"])
def test_channels_off_add_nothing(stage: str, synth: Synth, request: pytest.FixtureRequest) -> None:
    config: ContactCenterConfig = request.getfixturevalue(f"{stage}_config")
    template = contact_center(synth(config))
    for type_ in MESSAGING_TYPES:
        found = {
            logical_id: resource
            for logical_id, resource in resources(template, type_).items()
            if resource["Properties"].get("Handler") not in FLOW_FUNCTION_HANDLERS
        }
        assert found == {}, type_
    template.resource_count_is("AWS::Connect::PhoneNumber", len(config.phone_numbers))
    assert not template.find_resources(
        "AWS::Connect::InstanceStorageConfig",
        {"Properties": {"ResourceType": "EMAIL_MESSAGES"}},
    )


@pytest.mark.long
def test_switching_sms_and_email_on_in_prod_passes_cfn_lint_and_cdk_nag(
    synth: Synth, prod_messaging_config: ContactCenterConfig
) -> None:
    synthesis = synth(prod_messaging_config, in_account=True)
    assert lint_findings(stage_templates(synthesis.outdir)) == []
    (nag,) = [p for p in synthesis.report["pluginReports"] if p["pluginName"] == "AwsSolutions"]
    assert nag["conclusion"] == "success" and nag["violations"] == []


def test_sms_number_answers_keywords_itself_and_feeds_the_opt_out_list(
    synth: Synth, dev_config: ContactCenterConfig
) -> None:
    template = contact_center(synth(dev_config))
    template.has_resource_properties(
        "AWS::SMSVOICE::OptOutList", {"OptOutListName": "riverside-dev"}
    )
    (opt_out_id,) = resources(template, "AWS::SMSVOICE::OptOutList")
    template.has_resource_properties(
        "AWS::SMSVOICE::PhoneNumber",
        {
            "NumberType": "SIMULATOR",
            "IsoCountryCode": "US",
            "NumberCapabilities": ["SMS"],
            "OptOutListName": {"Ref": opt_out_id},
            # STOP opts out and HELP answers only while End User Messaging manages opt-outs.
            "SelfManagedOptOutsEnabled": False,
            "MandatoryKeywords": {
                "HELP": {
                    "Message": Match.string_like_regexp(r"^Riverside Public Utilities: .*STOP")
                },
                "STOP": {"Message": Match.string_like_regexp("unsubscribed.*START")},
            },
            "OptionalKeywords": Match.array_with(
                [Match.object_like({"Keyword": "START", "Action": "OPT_IN"})]
            ),
        },
    )
    (number,) = resources(template, "AWS::SMSVOICE::PhoneNumber").values()
    # A simulator number cannot receive texts from phones: no two-way, no import into Connect.
    assert "TwoWay" not in number["Properties"]
    template.resource_count_is("AWS::Connect::PhoneNumber", len(dev_config.phone_numbers))


def test_real_sms_number_is_imported_into_connect_with_replies_to_the_instance(
    synth: Synth, prod_messaging_config: ContactCenterConfig
) -> None:
    template = contact_center(synth(prod_messaging_config, in_account=True))
    (instance_id,) = resources(template, "AWS::Connect::Instance")
    (number_id, number), *_ = resources(template, "AWS::SMSVOICE::PhoneNumber").items()
    # Connect as the two-way destination is not an ARN, which the property's schema requires.
    assert "TwoWay" not in number["Properties"]
    assert number["Properties"]["DeletionProtectionEnabled"] is True
    # Toll-free: carriers own START/STOP; only the Spanish help keyword is ours.
    assert [k["Keyword"] for k in number["Properties"]["OptionalKeywords"]] == ["AYUDA"]
    template.has_resource_properties(
        "AWS::Connect::PhoneNumber",
        {
            "TargetArn": {"Fn::GetAtt": [instance_id, "Arn"]},
            "SourcePhoneNumberArn": {"Fn::GetAtt": [number_id, "Arn"]},
        },
    )
    template.resource_count_is(
        "AWS::Connect::PhoneNumber", len(prod_messaging_config.phone_numbers) + 1
    )


def test_replies_go_to_connect_as_end_user_messaging_documents_it(
    synth: Synth, prod_messaging_config: ContactCenterConfig
) -> None:
    template = contact_center(synth(prod_messaging_config, in_account=True)).to_json()
    (number_id,) = resources(Template.from_json(template), "AWS::SMSVOICE::PhoneNumber")
    (import_id,) = [
        logical
        for logical, r in template["Resources"].items()
        if r["Type"] == "AWS::Connect::PhoneNumber" and "SourcePhoneNumberArn" in r["Properties"]
    ]
    calls = [c for c in sdk_calls(template) if c.resource_type == "Custom::SmsTwoWayChannel"]
    assert [c.phase for c in calls] == ["Create", "Update"]
    two_way = calls[0]
    # https://docs.aws.amazon.com/sms-voice/latest/userguide/two-way-sms-phone-number.html
    assert (two_way.service, two_way.operation) == ("pinpoint-sms-voice-v2", "UpdatePhoneNumber")
    assert two_way.parameters == {
        "PhoneNumberId": f"@GetAtt:{number_id}.Arn",
        "TwoWayEnabled": True,
        "TwoWayChannelArn": "connect.@Ref:AWS::Region.amazonaws.com",
    }
    # Destination first, then the import into the instance.
    assert two_way.logical_id in template["Resources"][import_id]["DependsOn"]
    (policy,) = [
        r
        for logical, r in template["Resources"].items()
        if r["Type"] == "AWS::IAM::Policy" and logical.startswith("FlowsSmsTwoWayToConnect")
    ]
    (statement,) = policy["Properties"]["PolicyDocument"]["Statement"]
    assert statement["Action"] == "sms-voice:UpdatePhoneNumber"
    assert statement["Resource"] == {"Fn::GetAtt": [number_id, "Arn"]}


def test_sms_number_is_pointed_at_the_chat_flow_by_its_end_user_messaging_arn(
    synth: Synth, prod_messaging_config: ContactCenterConfig
) -> None:
    template = contact_center(synth(prod_messaging_config, in_account=True)).to_json()
    (number_id,) = resources(Template.from_json(template), "AWS::SMSVOICE::PhoneNumber")
    (import_id,) = [
        logical
        for logical, r in template["Resources"].items()
        if r["Type"] == "AWS::Connect::PhoneNumber" and "SourcePhoneNumberArn" in r["Properties"]
    ]
    sms_calls = [
        c for c in sdk_calls(template) if c.parameters.get("ResourceType") == "SMS_PHONE_NUMBER"
    ]
    assert {c.operation for c in sms_calls} == {"AssociateFlow", "DisassociateFlow"}
    # AssociateFlow takes the End User Messaging number's ARN for SMS_PHONE_NUMBER, not
    # Connect's phone-number ARN: https://docs.aws.amazon.com/connect/latest/APIReference/API_AssociateFlow.html
    for call in sms_calls:
        assert call.parameters["ResourceId"] == f"@GetAtt:{number_id}.Arn"
    (association_id,) = {c.logical_id for c in sms_calls}
    assert import_id in template["Resources"][association_id]["DependsOn"]
    (policy,) = [
        r
        for logical, r in template["Resources"].items()
        if r["Type"] == "AWS::IAM::Policy" and logical.startswith("FlowsSmsNumberFlow")
    ]
    (statement,) = policy["Properties"]["PolicyDocument"]["Statement"]
    assert statement["Action"] == ["connect:AssociateFlow", "connect:DisassociateFlow"]
    assert statement["Resource"][0] == {"Fn::GetAtt": [number_id, "Arn"]}
    assert import_id not in json.dumps(statement)


def test_every_text_event_goes_to_the_delivery_events_function(
    synth: Synth, dev_config: ContactCenterConfig
) -> None:
    template = contact_center(synth(dev_config))
    (topic_id,) = resources(template, "AWS::SNS::Topic")
    template.has_resource_properties(
        "AWS::SMSVOICE::ConfigurationSet",
        {
            "ConfigurationSetName": "riverside-utilities-dev-sms",
            "EventDestinations": [
                {
                    "EventDestinationName": "delivery-events",
                    "Enabled": True,
                    "MatchingEventTypes": ["TEXT_ALL"],
                    "SnsDestination": {"TopicArn": {"Ref": topic_id}},
                }
            ],
        },
    )
    template.has_resource_properties(
        "AWS::SNS::Subscription",
        {"Protocol": "lambda", "TopicArn": {"Ref": topic_id}, "RedrivePolicy": Match.any_value()},
    )
    template.has_resource_properties(
        "AWS::SNS::TopicPolicy",
        {
            "PolicyDocument": {
                "Statement": Match.array_with(
                    [
                        Match.object_like(
                            {
                                "Principal": {"Service": "sms-voice.amazonaws.com"},
                                "Action": "sns:Publish",
                                "Condition": {
                                    "StringEquals": {"aws:SourceAccount": {"Ref": "AWS::AccountId"}}
                                },
                            }
                        )
                    ]
                )
            }
        },
    )


def test_email_identity_signs_with_dkim_and_suppresses_bounces_and_complaints(
    synth: Synth, dev_config: ContactCenterConfig
) -> None:
    template = contact_center(synth(dev_config))
    template.has_resource_properties(
        "AWS::SES::EmailIdentity",
        {
            "EmailIdentity": "dev.support.riverside-utilities.example",
            "DkimAttributes": {"SigningEnabled": True},
            "ConfigurationSetAttributes": Match.any_value(),
        },
    )
    template.has_resource_properties(
        "AWS::SES::ConfigurationSet",
        {
            "SuppressionOptions": {"SuppressedReasons": ["BOUNCE", "COMPLAINT"]},
            "DeliveryOptions": {"TlsPolicy": "REQUIRE"},
        },
    )
    template.has_resource_properties(
        "AWS::SES::ConfigurationSetEventDestination",
        {
            "EventDestination": Match.object_like(
                {
                    "MatchingEventTypes": Match.array_with(["bounce", "complaint"]),
                    "SnsDestination": Match.any_value(),
                }
            )
        },
    )


def test_the_deploy_outputs_every_dns_record_email_needs(
    synth: Synth, dev_config: ContactCenterConfig
) -> None:
    outputs = contact_center(synth(dev_config)).to_json()["Outputs"]
    domain = "dev.support.riverside-utilities.example"

    def value(name: str) -> str:
        (found,) = [o["Value"] for key, o in outputs.items() if key.startswith(f"Messaging{name}")]
        if isinstance(found, str):
            return found
        return "".join(
            p if isinstance(p, str) else "<" + json.dumps(p) + ">" for p in found["Fn::Join"][1]
        )

    assert all(" CNAME " in value(f"DkimRecord{i}") for i in (1, 2, 3))
    region = '<{"Ref": "AWS::Region"}>'
    assert value("MailFromMxRecord") == f"mail.{domain} MX 10 feedback-smtp.{region}.amazonses.com"
    assert value("MailFromSpfRecord") == f'mail.{domain} TXT "v=spf1 include:amazonses.com ~all"'
    assert value("InboundMxRecord") == f"{domain} MX 10 inbound-smtp.{region}.amazonaws.com"


def test_a_stage_sharing_another_stages_identity_creates_none_and_uses_it(
    synth: Synth, dev_config: ContactCenterConfig
) -> None:
    email = {**dev_config.model_dump(mode="json")["email"], "create_identity": False}
    template = contact_center(synth(config_with(dev_config, email=email)))
    assert resources(template, "AWS::SES::EmailIdentity") == {}
    identity_arn = (
        '{"Fn::Join": ["", ["arn:", {"Ref": "AWS::Partition"}, ":ses:", {"Ref": "AWS::Region"}, '
        '":", {"Ref": "AWS::AccountId"}, ":identity/dev.support.riverside-utilities.example"]]}'
    )
    (association,) = [
        association
        for association in resources(template, "AWS::Connect::IntegrationAssociation").values()
        if association["Properties"]["IntegrationType"] == "SES_IDENTITY"
    ]
    assert json.dumps(association["Properties"]["IntegrationArn"]) == identity_arn
    outputs = template.to_json()["Outputs"]
    assert not [key for key in outputs if "Dkim" in key or "MailFrom" in key]
    assert [key for key in outputs if "InboundMx" in key]


def test_connect_email_channel_addresses_storage_and_ses_integration(
    synth: Synth, dev_config: ContactCenterConfig
) -> None:
    template = contact_center(synth(dev_config))
    (identity_id,) = resources(template, "AWS::SES::EmailIdentity")
    template.has_resource_properties(
        "AWS::Connect::IntegrationAssociation",
        {"IntegrationType": "SES_IDENTITY", "IntegrationArn": Match.any_value()},
    )
    addresses = {
        a["Properties"]["EmailAddress"]: a
        for a in resources(template, "AWS::Connect::EmailAddress").values()
    }
    assert set(addresses) == {
        "help@dev.support.riverside-utilities.example",
        "billing@dev.support.riverside-utilities.example",
    }
    assert (
        addresses["billing@dev.support.riverside-utilities.example"]["Properties"]["DisplayName"]
        == "Riverside Utilities Billing"
    )
    for resource_type in ("EMAIL_MESSAGES", "ATTACHMENTS"):
        template.has_resource_properties(
            "AWS::Connect::InstanceStorageConfig",
            {
                "ResourceType": resource_type,
                "StorageType": "S3",
                "S3Config": Match.object_like(
                    {"EncryptionConfig": Match.object_like({"EncryptionType": "KMS"})}
                ),
            },
        )
    assert identity_id


def test_inbound_mail_is_stored_encrypted_then_handed_to_the_function(
    synth: Synth, dev_config: ContactCenterConfig
) -> None:
    template = contact_center(synth(dev_config))
    (bucket_id,) = resources(template, "AWS::S3::Bucket")
    inbound = function_env(template, "lambdas.inbound_email.handler.handler")
    (rule,) = resources(template, "AWS::SES::ReceiptRule").values()
    actions = rule["Properties"]["Rule"]["Actions"]
    assert [next(iter(action)) for action in actions] == ["S3Action", "LambdaAction"]
    assert actions[0]["S3Action"] == {
        "BucketName": {"Ref": bucket_id},
        "ObjectKeyPrefix": "inbound/",
    }
    assert actions[1]["LambdaAction"]["InvocationType"] == "Event"
    assert rule["Properties"]["Rule"]["ScanEnabled"] is True
    assert rule["Properties"]["Rule"]["Recipients"] == ["dev.support.riverside-utilities.example"]
    template.has_resource_properties(
        "AWS::S3::Bucket",
        {
            "BucketEncryption": {
                "ServerSideEncryptionConfiguration": [
                    Match.object_like(
                        {
                            "ServerSideEncryptionByDefault": Match.object_like(
                                {"SSEAlgorithm": "aws:kms"}
                            )
                        }
                    )
                ]
            },
            "LifecycleConfiguration": {
                "Rules": [
                    Match.object_like({"ExpirationInDays": dev_config.retention.recordings_days})
                ]
            },
        },
    )
    assert inbound["INBOUND_BUCKET"] == {"Ref": bucket_id}
    assert inbound["INBOUND_PREFIX"] == "inbound/"
    template.has_resource_properties(
        "AWS::Lambda::EventInvokeConfig",
        {"MaximumRetryAttempts": 2, "DestinationConfig": {"OnFailure": Match.any_value()}},
    )


def test_notify_reads_a_kms_queue_with_a_dead_letter_queue_and_partial_failures(
    synth: Synth, dev_config: ContactCenterConfig
) -> None:
    template = contact_center(synth(dev_config))
    template.has_resource_properties(
        "AWS::SQS::Queue",
        {
            "KmsMasterKeyId": Match.any_value(),
            "VisibilityTimeout": 180,
            "RedrivePolicy": {"deadLetterTargetArn": Match.any_value(), "maxReceiveCount": 8},
        },
    )
    for queue in resources(template, "AWS::SQS::Queue").values():
        assert "KmsMasterKeyId" in queue["Properties"]
    template.has_resource_properties(
        "AWS::Lambda::EventSourceMapping",
        {
            "FunctionResponseTypes": ["ReportBatchItemFailures"],
            "BatchSize": 10,
            "ScalingConfig": {"MaximumConcurrency": 2},
        },
    )


def test_notify_environment_says_what_the_config_says(
    synth: Synth, dev_config: ContactCenterConfig
) -> None:
    env = function_env(contact_center(synth(dev_config)), "lambdas.notify.handler.handler")
    assert env["SMS_SENDING_WINDOW"] == "08:00-21:00"
    assert env["DEFAULT_TIME_ZONE"] == "America/Chicago"
    assert env["SMS_OPT_OUT_LIST"] == "riverside-dev"
    assert env["SMS_REMINDERS"] == "true"
    assert env["EMAIL_FROM"] == "no-reply@dev.support.riverside-utilities.example"
    assert env["SURVEY_LINK"] == "https://survey.riverside-utilities.example/s"
    assert env["ORGANISATION"] == "Riverside Public Utilities"


@pytest.mark.parametrize(
    ("handler", "environment_model"),
    [
        ("lambdas.notify.handler.handler", "lambdas.notify.handler:Environment"),
        ("lambdas.inbound_email.handler.handler", "lambdas.inbound_email.handler:Environment"),
    ],
)
def test_functions_get_every_variable_their_code_requires(
    synth: Synth, dev_config: ContactCenterConfig, handler: str, environment_model: str
) -> None:
    env = function_env(contact_center(synth(dev_config)), handler)
    module_name, _, function_name = handler.rpartition(".")
    assert callable(getattr(importlib.import_module(module_name), function_name))
    module, _, model_name = environment_model.partition(":")
    model = getattr(importlib.import_module(module), model_name)
    required = {
        field.alias for field in model.model_fields.values() if field.is_required() and field.alias
    }
    assert required <= set(env), required - set(env)


def test_inbound_addresses_carry_the_intent_of_their_queue(
    synth: Synth, dev_config: ContactCenterConfig
) -> None:
    import json

    env = function_env(contact_center(synth(dev_config)), "lambdas.inbound_email.handler.handler")
    assert json.loads(env["INBOUND_ADDRESSES"]) == [
        {"address": "help@dev.support.riverside-utilities.example", "intent": "other"},
        {"address": "billing@dev.support.riverside-utilities.example", "intent": "billing"},
    ]


def test_permissions_name_their_resources_and_no_action_is_a_wildcard(
    synth: Synth, prod_messaging_config: ContactCenterConfig
) -> None:
    template = contact_center(synth(prod_messaging_config, in_account=True))
    statements = [
        statement
        for policy in resources(template, "AWS::IAM::Policy").values()
        for statement in policy["Properties"]["PolicyDocument"]["Statement"]
    ]
    for statement in statements:
        actions = (
            statement["Action"] if isinstance(statement["Action"], list) else [statement["Action"]]
        )
        assert all(a != "*" and not a.endswith(":*") for a in actions), statement
    (send_text,) = [s for s in statements if s["Action"] == "sms-voice:SendTextMessage"]
    (number_id,) = resources(template, "AWS::SMSVOICE::PhoneNumber")
    (config_set_id,) = resources(template, "AWS::SMSVOICE::ConfigurationSet")
    assert send_text["Resource"] == [
        {"Fn::GetAtt": [number_id, "Arn"]},
        {"Fn::GetAtt": [config_set_id, "Arn"]},
    ]
    (start_email,) = [s for s in statements if s["Action"] == "connect:StartEmailContact"]
    assert len(start_email["Resource"]) == 2 + len(prod_messaging_config.email.addresses)  # type: ignore[union-attr]


def test_sms_number_and_email_addresses_are_pointed_at_their_flows(
    prod_messaging_config: ContactCenterConfig,
) -> None:
    from aws_cdk import Stack
    from aws_cdk import aws_lambda as lambda_

    from infra.constructs.connect_core import ConnectCore
    from infra.constructs.data import DataStore
    from infra.constructs.flows import ContactFlows
    from infra.constructs.messaging import Messaging
    from infra.stacks import new_app

    stack = Stack(new_app(), "MessagingFlows")
    data = DataStore(stack, "Data", config=prod_messaging_config)
    core = ConnectCore(stack, "Connect", config=prod_messaging_config, data=data)
    messaging = Messaging(
        stack, "Messaging", config=prod_messaging_config, connect_core=core, data=data
    )
    stand_ins = {
        name: lambda_.Function(
            stack,
            f"StandIn{name.title().replace('_', '')}",
            runtime=lambda_.Runtime.PYTHON_3_14,
            handler="index.handler",
            code=lambda_.Code.from_inline("def handler(event, context):\n    return {}\n"),
        )
        for name in ("crm_lookup", "routing")
    }
    flows = ContactFlows(
        stack, "Flows", config=prod_messaging_config, connect_core=core, lambda_functions=stand_ins
    )

    messaging.associate_flows(flows)

    template = Template.from_stack(stack)
    associations = [
        resource["Properties"]
        for resource in template.find_resources("Custom::ConnectFlowAssociation").values()
        if "associateFlow" in str(resource["Properties"].get("Create"))
    ]
    # One per email address and one for the SMS number, each naming its resource type.
    rendered = [str(properties["Create"]) for properties in associations]
    assert sum("SMS_PHONE_NUMBER" in create for create in rendered) == 1
    assert sum("INBOUND_EMAIL" in create for create in rendered) == len(
        prod_messaging_config.email.addresses  # type: ignore[union-attr]
    )


def test_failure_queues_and_sms_spend_raise_alarms(
    synth: Synth, dev_config: ContactCenterConfig
) -> None:
    template = contact_center(synth(dev_config))
    alarms = resources(template, "AWS::CloudWatch::Alarm").values()
    queue_alarms = [
        a for a in alarms if a["Properties"]["MetricName"] == "ApproximateNumberOfMessagesVisible"
    ]
    assert len(queue_alarms) == 2
    (spend,) = [a for a in alarms if a["Properties"]["MetricName"] == "SmsSpendUsd"]
    assert spend["Properties"]["Threshold"] == dev_config.sms.monthly_spend_limit_usd / 4  # type: ignore[union-attr]
    assert spend["Properties"]["Dimensions"] == [{"Name": "service", "Value": "delivery-events"}]


def test_follow_ups_read_only_the_contact_records_that_ask_for_one(
    synth: Synth, dev_config: ContactCenterConfig, prod_config: ContactCenterConfig
) -> None:
    template = contact_center(synth(dev_config))
    env = function_env(template, "lambdas.follow_up.handler.handler")
    assert set(env) >= {"NOTIFY_QUEUE_URL"}
    (mapping,) = [
        m
        for m in template.find_resources("AWS::Lambda::EventSourceMapping").values()
        if "FilterCriteria" in m["Properties"]
    ]
    props = mapping["Properties"]
    (criterion,) = props["FilterCriteria"]["Filters"]
    assert json.loads(criterion["Pattern"]) == {
        "data": {"Attributes": {"followUpRequested": ["callback", "sms"]}}
    }
    assert props["FunctionResponseTypes"] == ["ReportBatchItemFailures"]
    assert props["BisectBatchOnFunctionError"] is True
    assert "OnFailure" in props["DestinationConfig"]
    # prod has no SMS channel: nobody to text, no function.
    prod = contact_center(synth(prod_config))
    assert not [
        f
        for f in prod.find_resources("AWS::Lambda::Function").values()
        if f["Properties"].get("Handler") == "lambdas.follow_up.handler.handler"
    ]
