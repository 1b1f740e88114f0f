"""The synthesized stages: what they hold, that they lint clean, and that cdk-nag passes."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from aws_cdk.assertions import Match, Template

from config import ContactCenterConfig
from tests.conftest import DEPLOY_ACCOUNT, DEPLOY_REGION
from tests.infra.cfn_lint import lint_findings, stage_templates

Synth = Callable[[ContactCenterConfig], Any]


def template(synthesis: Any, suffix: str) -> Template:
    (name,) = [n for n in synthesis.templates if n.endswith(suffix)]
    return Template.from_json(synthesis.templates[name])


@pytest.fixture(scope="module", params=["dev", "prod", "voice_only"])
def any_stage(request: pytest.FixtureRequest, synth: Synth) -> Any:
    return synth(request.getfixturevalue(f"{request.param}_config"))


@pytest.mark.long
def test_every_template_passes_cfn_lint(any_stage: Any) -> None:
    assert lint_findings(stage_templates(any_stage.outdir)) == []


SITE_BUCKET = "ChatSite"
IDLE_COMPUTE = (
    "AWS::EC2::NatGateway",
    "AWS::EC2::Instance",
    "AWS::RDS::DBInstance",
    "AWS::RDS::DBCluster",
    "AWS::ECS::Service",
    "AWS::ElastiCache::CacheCluster",
    "AWS::OpenSearchService::Domain",
    # Contact history bills per GB moved and scanned; these would bill by the hour or by the run.
    "AWS::Athena::CapacityReservation",
    "AWS::Glue::Crawler",
    "AWS::Glue::Job",
    "AWS::Glue::DevEndpoint",
)


def test_nothing_bills_while_idle_except_what_the_readme_lists(any_stage: Any) -> None:
    resources = [
        (logical_id, resource)
        for body in any_stage.templates.values()
        for logical_id, resource in body["Resources"].items()
    ]
    for logical_id, resource in resources:
        kind, props = resource["Type"], resource.get("Properties", {})
        assert kind not in IDLE_COMPUTE, logical_id
        if kind == "AWS::Logs::LogGroup":
            assert props.get("RetentionInDays"), logical_id
        if kind == "AWS::Lambda::Function":
            # Without a log group of ours, Lambda makes /aws/lambda/<name> that never expires.
            assert props.get("LoggingConfig", {}).get("LogGroup"), logical_id
            assert "ProvisionedConcurrencyConfig" not in props, logical_id
        if kind == "AWS::S3::Bucket":
            rules = props.get("LifecycleConfiguration", {}).get("Rules", [])
            assert rules, logical_id
            # The widget's site holds exactly what each deploy puts there (BucketDeployment
            # prunes the rest): it must not expire; every other bucket's objects do.
            if not logical_id.startswith(SITE_BUCKET):
                assert any("ExpirationInDays" in rule for rule in rules), logical_id
        if kind == "AWS::DynamoDB::Table":
            assert props["BillingMode"] == "PAY_PER_REQUEST", logical_id
        if kind == "AWS::KinesisFirehose::DeliveryStream":
            # Firehose bills per GB it reads from the stream; nothing runs between records.
            assert props["DeliveryStreamType"] == "KinesisStreamAsSource", logical_id
        if kind == "AWS::Athena::WorkGroup":
            # Per query, never beyond the cutoff; no provisioned capacity behind it.
            config = props["WorkGroupConfiguration"]
            assert config["BytesScannedCutoffPerQuery"] and config["EnforceWorkGroupConfiguration"]


def test_every_cfn_lint_suppression_carries_its_reason(any_stage: Any) -> None:
    suppressed = [
        (logical_id, resource["Metadata"]["cfn-lint"])
        for body in any_stage.templates.values()
        for logical_id, resource in body["Resources"].items()
        if "cfn-lint" in resource.get("Metadata", {})
    ]
    assert suppressed  # every stage has functions, and CDK's DependsOn on their roles (W3005)
    for logical_id, lint in suppressed:
        assert lint["config"]["ignore_checks"], logical_id
        assert len(lint.get("reason", "")) > 20, logical_id


def test_cdk_nag_passes_and_every_acknowledgement_has_a_reason(any_stage: Any) -> None:
    plugins = {p["pluginName"]: p for p in any_stage.report["pluginReports"]}
    assert plugins["AwsSolutions"]["conclusion"] == "success"
    assert plugins["AwsSolutions"]["violations"] == []
    for acknowledged in any_stage.acknowledgements():
        assert len(acknowledged["reason"]) > 20, acknowledged


# Reasons that once contradicted AWS's documentation, and where the docs say otherwise.
FALSE_CLAIMS = (
    # Connect streams contact records with aws/kinesis too (admin guide, data streaming).
    "the AWS-managed key is not accepted",
    # AWSLambdaBasicExecutionRole and AmazonAPIGatewayPushToCloudWatchLogs act on '*'
    # (AWS managed policy reference).
    "only lets the function write its own log streams",
    "only writes API Gateway's own log groups",
    # CreateInvalidation/GetInvalidation take a distribution ARN (service authorization reference).
    "invalidations have no resource-level permissions",
)


def test_acknowledgement_reasons_say_what_the_aws_docs_say(synth: Synth, dev_config: Any) -> None:
    reasons = [a["reason"] for a in synth(dev_config).acknowledgements()]
    for claim in FALSE_CLAIMS:
        assert not [r for r in reasons if claim in r], claim
    (kds3,) = {
        a["reason"]
        for a in synth(dev_config).acknowledgements()
        if a["ruleName"] == "AwsSolutions-KDS3"
    }
    assert "aws/kinesis" in kds3


def test_cdk_nag_passes_where_cdk_deploy_synthesizes_with_account_and_region(
    synth: Synth, prod_messaging_config: ContactCenterConfig
) -> None:
    # The CDK CLI resolves account and region before it synthesizes: ARNs that are tokens in an
    # environment-agnostic synth (CDK's asset bucket) become literals, and an acknowledgement
    # naming the token form no longer matches (`cdk deploy` failed on IAM5 while tests passed).
    # Production with every channel on, the stage with the most to acknowledge.
    synthesis = synth(prod_messaging_config, in_account=True)

    (plugin,) = [p for p in synthesis.report["pluginReports"] if p["pluginName"] == "AwsSolutions"]
    assert plugin["violations"] == []
    asset_objects = (
        f"arn:<AWS::Partition>:s3:::cdk-hnb659fds-assets-{DEPLOY_ACCOUNT}-{DEPLOY_REGION}/*"
    )
    assert any(asset_objects in str(a) for a in synthesis.acknowledgements())


def test_cdk_nag_fails_the_synth_on_an_unacknowledged_finding(tmp_path: Any) -> None:
    from aws_cdk import Stack
    from aws_cdk import aws_sqs as sqs

    from infra.nag import add_checks
    from infra.stacks import new_app

    app = new_app(outdir=str(tmp_path))
    sqs.Queue(Stack(app, "Probe"), "NoDlqNoTls")
    add_checks(app)
    with pytest.raises(RuntimeError, match="ValidationFailed"):
        app.synth()


def test_data_tables_are_on_demand_encrypted_with_our_key_and_recoverable(
    synth: Synth, dev_config: ContactCenterConfig
) -> None:
    data = template(synth(dev_config), "-Data")
    data.resource_count_is("AWS::DynamoDB::Table", 5)  # 3 + the bot's appointments, outages
    data.all_resources_properties(
        "AWS::DynamoDB::Table",
        {
            "BillingMode": "PAY_PER_REQUEST",
            "SSESpecification": {
                "SSEEnabled": True,
                "SSEType": "KMS",
                "KMSMasterKeyId": Match.any_value(),
            },
            "PointInTimeRecoverySpecification": {"PointInTimeRecoveryEnabled": True},
            "TimeToLiveSpecification": {"AttributeName": Match.any_value(), "Enabled": True},
        },
    )
    data.has_resource_properties("AWS::KMS::Key", {"EnableKeyRotation": True})


def test_prod_protects_data_and_dev_does_not(
    synth: Synth, dev_config: ContactCenterConfig, prod_config: ContactCenterConfig
) -> None:
    prod = template(synth(prod_config), "-Data")
    prod.has_resource(
        "AWS::DynamoDB::Table",
        {
            "DeletionPolicy": "Retain",
            "Properties": Match.object_like({"DeletionProtectionEnabled": True}),
        },
    )
    prod.has_resource("AWS::KMS::Key", {"DeletionPolicy": "Retain"})
    dev = template(synth(dev_config), "-Data")
    assert not dev.find_resources(
        "AWS::DynamoDB::Table", {"Properties": {"DeletionProtectionEnabled": True}}
    )


def _buckets_and_emptiers(synthesis: Any) -> tuple[dict[str, Any], set[str]]:
    buckets, emptied = {}, set()
    for body in synthesis.templates.values():
        for logical_id, resource in body["Resources"].items():
            if resource["Type"] == "AWS::S3::Bucket":
                buckets[logical_id] = resource
            if resource["Type"] == "Custom::S3AutoDeleteObjects":
                emptied.add(resource["Properties"]["BucketName"]["Ref"])
    return buckets, emptied


def test_dev_buckets_empty_themselves_on_delete_and_prod_keeps_them(
    synth: Synth, dev_config: ContactCenterConfig, prod_config: ContactCenterConfig
) -> None:
    # CloudFormation cannot delete a bucket holding objects: `cdk destroy` of dev needs them
    # emptied first; prod keeps every bucket and what is in it.
    dev_buckets, emptied = _buckets_and_emptiers(synth(dev_config))
    # access logs, recordings, widget site, CDN logs, inbound mail, history archive, query results
    assert len(dev_buckets) == 7
    assert emptied == set(dev_buckets)
    assert {b["DeletionPolicy"] for b in dev_buckets.values()} == {"Delete"}
    prod_buckets, emptied = _buckets_and_emptiers(synth(prod_config))
    assert prod_buckets and not emptied
    assert {b["DeletionPolicy"] for b in prod_buckets.values()} == {"Retain"}


def test_api_gateways_account_cloudwatch_role_outlives_any_one_stage(
    synth: Synth, dev_config: ContactCenterConfig, prod_config: ContactCenterConfig
) -> None:
    # One setting per account and Region for every stage's API: deleting a stage keeps it.
    for config in (dev_config, prod_config):
        core = template(synth(config), "-ContactCenter")
        (account,) = core.find_resources("AWS::ApiGateway::Account").values()
        assert account["DeletionPolicy"] == "Retain"
        role_id = account["Properties"]["CloudWatchRoleArn"]["Fn::GetAtt"][0]
        assert core.to_json()["Resources"][role_id]["DeletionPolicy"] == "Retain"


def test_connects_flow_log_group_is_kept_with_prods_data(
    synth: Synth, prod_config: ContactCenterConfig
) -> None:
    core = template(synth(prod_config), "-ContactCenter")
    core.has_resource(
        "AWS::Logs::LogGroup",
        {
            "DeletionPolicy": "Retain",
            "Properties": {
                "LogGroupName": f"/aws/connect/{prod_config.instance.alias}",
                "RetentionInDays": prod_config.retention.log_days,
            },
        },
    )


def test_recordings_bucket_is_kms_encrypted_private_tls_only_with_lifecycle(
    synth: Synth, dev_config: ContactCenterConfig
) -> None:
    data = template(synth(dev_config), "-Data")
    data.has_resource_properties(
        "AWS::S3::Bucket",
        {
            "BucketEncryption": {
                "ServerSideEncryptionConfiguration": [
                    Match.object_like(
                        {
                            "ServerSideEncryptionByDefault": {
                                "SSEAlgorithm": "aws:kms",
                                "KMSMasterKeyID": Match.any_value(),
                            }
                        }
                    )
                ]
            },
            "PublicAccessBlockConfiguration": {
                "BlockPublicAcls": True,
                "BlockPublicPolicy": True,
                "IgnorePublicAcls": True,
                "RestrictPublicBuckets": True,
            },
            "VersioningConfiguration": {"Status": "Enabled"},
            "LifecycleConfiguration": {
                "Rules": [
                    Match.object_like({"ExpirationInDays": dev_config.retention.recordings_days})
                ]
            },
            "LoggingConfiguration": Match.object_like({"LogFilePrefix": "recordings/"}),
        },
    )
    # Every bucket expires its objects: nothing is kept forever by accident.
    for bucket in data.find_resources("AWS::S3::Bucket").values():
        assert bucket["Properties"]["LifecycleConfiguration"]["Rules"][0]["ExpirationInDays"] > 0
    data.has_resource_properties(
        "AWS::S3::BucketPolicy",
        {
            "PolicyDocument": {
                "Statement": Match.array_with(
                    [
                        Match.object_like(
                            {
                                "Effect": "Deny",
                                "Condition": {"Bool": {"aws:SecureTransport": "false"}},
                            }
                        )
                    ]
                )
            }
        },
    )


def test_contact_record_stream_uses_the_customer_managed_key(
    synth: Synth, dev_config: ContactCenterConfig
) -> None:
    data = template(synth(dev_config), "-Data")
    data.has_resource_properties(
        "AWS::Kinesis::Stream",
        {
            "StreamEncryption": {
                "EncryptionType": "KMS",
                "KeyId": Match.object_like({"Fn::GetAtt": Match.any_value()}),
            },
            "StreamModeDetails": {"StreamMode": "PROVISIONED"},
            "ShardCount": 1,
        },
    )


def test_connect_instance_hours_queues_profiles_and_numbers(
    synth: Synth, dev_config: ContactCenterConfig
) -> None:
    core = template(synth(dev_config), "-ContactCenter")
    core.has_resource_properties(
        "AWS::Connect::Instance",
        {
            "InstanceAlias": "riverside-utilities-dev",
            "IdentityManagementType": "CONNECT_MANAGED",
            "Attributes": Match.object_like(
                {"ContactflowLogs": True, "InboundCalls": True, "OutboundCalls": True}
            ),
        },
    )
    core.resource_count_is("AWS::Connect::Queue", len(dev_config.queues))
    core.resource_count_is("AWS::Connect::RoutingProfile", len(dev_config.routing_profiles))
    core.resource_count_is("AWS::Connect::PhoneNumber", len(dev_config.phone_numbers))
    core.resource_count_is("AWS::Connect::SecurityProfile", 0)  # in the People stack
    core.has_resource_properties(
        "AWS::Connect::PhoneNumber",
        {"CountryCode": "US", "Type": "DID", "Prefix": "+1312", "TargetArn": Match.any_value()},
    )
    core.has_resource_properties(
        "AWS::Connect::HoursOfOperation",
        {
            "Name": "business",
            "TimeZone": "America/Chicago",
            "Config": Match.array_with(
                [
                    {
                        "Day": "FRIDAY",
                        "StartTime": {"Hours": 8, "Minutes": 0},
                        "EndTime": {"Hours": 17, "Minutes": 0},
                    }
                ]
            ),
        },
    )
    core.has_resource_properties(
        "AWS::Connect::RoutingProfile",
        {
            "Name": "frontline",
            "MediaConcurrencies": [
                {"Channel": "VOICE", "Concurrency": 1},
                {"Channel": "CHAT", "Concurrency": 3},
                {"Channel": "TASK", "Concurrency": 2},
                {"Channel": "EMAIL", "Concurrency": 2},
            ],
            "QueueConfigs": Match.array_with(
                [
                    Match.object_like(
                        {
                            "Priority": 3,
                            "Delay": 30,
                            "QueueReference": Match.object_like({"Channel": "CHAT"}),
                        }
                    )
                ]
            ),
        },
    )
    core.has_resource_properties(
        "AWS::Connect::Queue",
        {
            "Name": "billing",
            "MaxContacts": 200,
            "OutboundCallerConfig": {
                "OutboundCallerIdName": "Riverside Utilities",
                "OutboundCallerIdNumberArn": Match.any_value(),
            },
        },
    )


def test_holidays_are_closed_or_reduced_overrides_recurring_the_way_connect_defines_them(
    synth: Synth, dev_config: ContactCenterConfig
) -> None:
    # https://docs.aws.amazon.com/connect/latest/APIReference/API_CreateHoursOfOperationOverride.html
    core = template(synth(dev_config), "-ContactCenter")
    (business,) = [
        r["Properties"]
        for r in core.find_resources("AWS::Connect::HoursOfOperation").values()
        if r["Properties"]["Name"] == "business"
    ]
    overrides = {o["OverrideName"]: o for o in business["HoursOfOperationOverrides"]}
    whole_day = {"StartTime": {"Hours": 0, "Minutes": 0}, "EndTime": {"Hours": 23, "Minutes": 59}}
    every_day = ["MONDAY", "TUESDAY", "WEDNESDAY", "THURSDAY", "FRIDAY", "SATURDAY", "SUNDAY"]

    # Closed all day: a CLOSED override, not a 00:00-00:00 STANDARD one (which reads as open).
    assert overrides["Thanksgiving"] == {
        "OverrideName": "Thanksgiving",
        "OverrideType": "CLOSED",
        "EffectiveFrom": "2026-11-26",
        "EffectiveTill": "2035-11-22",
        # The 4th Thursday of November, every year.
        "RecurrenceConfig": {
            "RecurrencePattern": {
                "Frequency": "YEARLY",
                "Interval": 1,
                "ByMonth": [11],
                "ByWeekdayOccurrence": [4],
            }
        },
        "OverrideConfig": [{"Day": "THURSDAY", **whole_day}],
    }
    christmas = overrides["Christmas Day"]
    assert christmas["OverrideType"] == "CLOSED"
    assert christmas["RecurrenceConfig"]["RecurrencePattern"] == {
        "Frequency": "YEARLY",
        "Interval": 1,
        "ByMonth": [12],
        "ByMonthDay": [25],
    }
    # A fixed date moves across weekdays: the override holds whichever it falls on.
    assert christmas["OverrideConfig"] == [{"Day": day, **whole_day} for day in every_day]
    # Reduced hours replace the day's hours: a STANDARD override with the open range.
    eve = overrides["Christmas Eve"]
    assert eve["OverrideType"] == "STANDARD"
    assert eve["OverrideConfig"] == [
        {
            "Day": day,
            "StartTime": {"Hours": 8, "Minutes": 0},
            "EndTime": {"Hours": 12, "Minutes": 0},
        }
        for day in every_day
    ]


def test_a_one_off_closed_day_is_a_closed_override_of_that_day_only(
    synth: Synth, voice_only_custom_config: ContactCenterConfig
) -> None:
    # The config closes the business hours on 2027-02-16 ("Storm closure").
    core = template(synth(voice_only_custom_config), "-ContactCenter")
    core.has_resource_properties(
        "AWS::Connect::HoursOfOperation",
        {
            "Name": "business",
            "HoursOfOperationOverrides": [
                {
                    "OverrideName": "Storm closure",
                    "OverrideType": "CLOSED",
                    "EffectiveFrom": "2027-02-16",
                    "EffectiveTill": "2027-02-16",
                    "OverrideConfig": [
                        {
                            "Day": "TUESDAY",
                            "StartTime": {"Hours": 0, "Minutes": 0},
                            "EndTime": {"Hours": 23, "Minutes": 59},
                        }
                    ],
                }
            ],
        },
    )


def test_instance_streams_contact_records_and_stores_recordings(
    synth: Synth, dev_config: ContactCenterConfig, voice_only_config: ContactCenterConfig
) -> None:
    core = template(synth(dev_config), "-ContactCenter")
    core.has_resource_properties(
        "AWS::Connect::InstanceStorageConfig",
        {"ResourceType": "CONTACT_TRACE_RECORDS", "StorageType": "KINESIS_STREAM"},
    )
    core.has_resource_properties(
        "AWS::Connect::InstanceStorageConfig",
        {
            "ResourceType": "CALL_RECORDINGS",
            "StorageType": "S3",
            "S3Config": Match.object_like(
                {"EncryptionConfig": {"EncryptionType": "KMS", "KeyId": Match.any_value()}}
            ),
        },
    )
    core.has_resource_properties(
        "AWS::Connect::InstanceStorageConfig", {"ResourceType": "CHAT_TRANSCRIPTS"}
    )
    voice = template(synth(voice_only_config), "-ContactCenter")
    assert not voice.find_resources(
        "AWS::Connect::InstanceStorageConfig", {"Properties": {"ResourceType": "CHAT_TRANSCRIPTS"}}
    )


VOICE_RESOURCE_TYPES = (
    "AWS::Connect::Instance",
    "AWS::Connect::HoursOfOperation",
    "AWS::Connect::Queue",
    "AWS::Connect::PhoneNumber",
    "AWS::Connect::SecurityProfile",
    "AWS::DynamoDB::Table",
    "AWS::KMS::Key",
    "AWS::Kinesis::Stream",
    "AWS::S3::Bucket",
)


def _by_type(synthesis: Any, types: tuple[str, ...]) -> dict[str, dict[str, Any]]:
    return {
        f"{stack.rsplit('-', 1)[-1]}/{logical_id}": resource
        for stack, body in synthesis.templates.items()
        for logical_id, resource in body["Resources"].items()
        if resource["Type"] in types
    }


def test_switching_channels_on_keeps_voice_resources_identical(
    synth: Synth, dev_config: ContactCenterConfig, voice_only_config: ContactCenterConfig
) -> None:
    voice_only = _by_type(synth(voice_only_config), VOICE_RESOURCE_TYPES)
    omnichannel = _by_type(synth(dev_config), VOICE_RESOURCE_TYPES)
    assert voice_only, "no voice resources found"
    for logical_id, resource in voice_only.items():
        assert omnichannel.get(logical_id) == resource, (
            f"{logical_id} changed when channels were switched on"
        )
    # Shared resources that gain channels keep their logical IDs, so CloudFormation updates them in place.
    shared = ("AWS::Connect::RoutingProfile", "AWS::Connect::InstanceStorageConfig")
    assert set(_by_type(synth(voice_only_config), shared)) <= set(
        _by_type(synth(dev_config), shared)
    )


def test_voice_only_routing_profiles_carry_no_other_channel(
    synth: Synth, voice_only_config: ContactCenterConfig
) -> None:
    core = template(synth(voice_only_config), "-ContactCenter")
    for profile in core.find_resources("AWS::Connect::RoutingProfile").values():
        properties = profile["Properties"]
        assert [m["Channel"] for m in properties["MediaConcurrencies"]] == ["VOICE"]
        assert {q["QueueReference"]["Channel"] for q in properties["QueueConfigs"]} == {"VOICE"}
