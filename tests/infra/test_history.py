"""The contact-history archive as synthesized: Firehose from the contact-record stream to Parquet
through the Glue table, the projected partitions, the Athena workgroup and its limits, the
lifecycle from config, the alarms; and a stage with `history.enabled: false` deploys none of it.

The dev and prod assemblies are the session's (tests/conftest.py); the few cases that need
another config build the Data stack alone, which synthesizes in a moment (no Lambda assets).
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import pytest
from aws_cdk.assertions import Match, Template

from config import ContactCenterConfig
from config.history import BYTES_PER_MB
from history import catalog
from history.names import TABLE_NAME, database_name, workgroup_name
from history.schema import PARTITION_COLUMN, glue_columns
from infra.constructs.history import (
    DATA_OUTPUT_PREFIX,
    ERROR_OUTPUT_PREFIX,
    delivery_stream_name,
)
from tests.conftest import config_with

Synth = Callable[[ContactCenterConfig], Any]
HISTORY_TYPES = (
    "AWS::KinesisFirehose::DeliveryStream",
    "AWS::Glue::Database",
    "AWS::Glue::Table",
    "AWS::Athena::WorkGroup",
    "AWS::Athena::NamedQuery",
)


def stack_template(synthesis: Any, suffix: str) -> Template:
    (name,) = [n for n in synthesis.templates if n.endswith(suffix)]
    return Template.from_json(synthesis.templates[name])


def data_stack_alone(config: ContactCenterConfig) -> Template:
    from infra.stacks import DataStack, new_app

    return Template.from_stack(DataStack(new_app(), "Probe", config=config))


def only(template: Template, resource_type: str) -> tuple[str, dict[str, Any]]:
    ((logical_id, resource),) = template.find_resources(resource_type).items()
    return logical_id, resource


@pytest.fixture(scope="module")
def dev_data(synth: Synth, dev_config: ContactCenterConfig) -> Template:
    return stack_template(synth(dev_config), "-Data")


def test_firehose_reads_the_contact_record_stream_and_writes_parquet_through_the_table(
    dev_data: Template,
) -> None:
    stream_id, _ = only(dev_data, "AWS::Kinesis::Stream")
    key_id, _ = only(dev_data, "AWS::KMS::Key")
    table_id, _ = only(dev_data, "AWS::Glue::Table")
    _, delivery = only(dev_data, "AWS::KinesisFirehose::DeliveryStream")
    props = delivery["Properties"]
    assert props["DeliveryStreamType"] == "KinesisStreamAsSource"
    assert props["DeliveryStreamName"] == delivery_stream_name("dev")
    assert props["KinesisStreamSourceConfiguration"]["KinesisStreamARN"] == {
        "Fn::GetAtt": [stream_id, "Arn"]
    }
    s3 = props["ExtendedS3DestinationConfiguration"]
    assert s3["Prefix"] == "records/dt=!{timestamp:yyyy-MM-dd}/" == DATA_OUTPUT_PREFIX
    assert s3["ErrorOutputPrefix"] == ERROR_OUTPUT_PREFIX
    assert ERROR_OUTPUT_PREFIX.startswith("errors/!{firehose:error-output-type}/")
    assert s3["BufferingHints"]["SizeInMBs"] >= 64  # format conversion's minimum
    assert s3["EncryptionConfiguration"]["KMSEncryptionConfig"]["AWSKMSKeyARN"] == {
        "Fn::GetAtt": [key_id, "Arn"]
    }
    assert s3["CloudWatchLoggingOptions"]["Enabled"] is True
    conversion = s3["DataFormatConversionConfiguration"]
    assert conversion["Enabled"] is True
    assert "OpenXJsonSerDe" in conversion["InputFormatConfiguration"]["Deserializer"]
    assert "ParquetSerDe" in conversion["OutputFormatConfiguration"]["Serializer"]
    schema = conversion["SchemaConfiguration"]
    assert (schema["DatabaseName"], schema["TableName"]) == (database_name("dev"), TABLE_NAME)
    assert table_id in delivery["DependsOn"]


def test_the_glue_table_is_the_schema_with_projected_day_partitions(dev_data: Template) -> None:
    _, table = only(dev_data, "AWS::Glue::Table")
    table_input = table["Properties"]["TableInput"]
    assert table["Properties"]["DatabaseName"] == database_name("dev")
    assert table_input["Name"] == TABLE_NAME
    columns = table_input["StorageDescriptor"]["Columns"]
    assert [(c["Name"], c["Type"]) for c in columns] == glue_columns()
    assert table_input["PartitionKeys"] == [{"Name": PARTITION_COLUMN, "Type": "string"}]
    assert (
        "ParquetHiveSerDe"
        in (table_input["StorageDescriptor"]["SerdeInfo"]["SerializationLibrary"])
    )
    parameters = table_input["Parameters"]
    assert parameters["projection.enabled"] == "true"
    assert parameters["projection.dt.type"] == "date"
    assert parameters["projection.dt.format"] == "yyyy-MM-dd"
    assert parameters["projection.dt.range"].endswith(",NOW")
    # Athena looks for a day's files where Firehose put them.
    template = parameters["storage.location.template"]["Fn::Join"][1]
    assert template[-1] == "/records/dt=${dt}/"
    assert not dev_data.find_resources("AWS::Glue::Crawler")


def test_the_workgroup_enforces_its_scan_limit_and_encrypts_results_with_the_stage_key(
    dev_data: Template, dev_config: ContactCenterConfig
) -> None:
    key_id, _ = only(dev_data, "AWS::KMS::Key")
    _, workgroup = only(dev_data, "AWS::Athena::WorkGroup")
    assert workgroup["Properties"]["Name"] == workgroup_name("dev")
    configuration = workgroup["Properties"]["WorkGroupConfiguration"]
    assert configuration["EnforceWorkGroupConfiguration"] is True
    assert configuration["PublishCloudWatchMetricsEnabled"] is True
    limit = dev_config.history.bytes_scanned_limit_mb * BYTES_PER_MB
    assert configuration["BytesScannedCutoffPerQuery"] == limit
    encryption = configuration["ResultConfiguration"]["EncryptionConfiguration"]
    assert encryption == {"EncryptionOption": "SSE_KMS", "KmsKey": {"Fn::GetAtt": [key_id, "Arn"]}}
    results = dev_data.find_resources(
        "AWS::S3::Bucket",
        {
            "Properties": {
                "LifecycleConfiguration": {
                    "Rules": [
                        Match.object_like({"ExpirationInDays": dev_config.history.results_days})
                    ]
                }
            }
        },
    )
    assert len(results) == 1


def test_every_catalog_query_is_a_named_query_of_the_workgroup(
    dev_data: Template, dev_config: ContactCenterConfig, monkeypatch: pytest.MonkeyPatch
) -> None:
    shipped = {
        q["Properties"]["Name"]: q["Properties"]
        for q in dev_data.find_resources("AWS::Athena::NamedQuery").values()
    }
    assert set(shipped) == {query.name for query in catalog.queries()}
    # A query file added tomorrow is deployed the same way (built without the shipped ones).
    probe = catalog.parse_query(
        "probe",
        "-- Contacts of one day.\n-- parameters: day\nSELECT 1 FROM contact_records WHERE dt = ?",
    )
    monkeypatch.setattr("infra.constructs.history.queries", lambda: (probe,))
    _, named = only(data_stack_alone(dev_config), "AWS::Athena::NamedQuery")
    assert named["Properties"] == {
        "Name": "probe",
        "Description": "Contacts of one day.",
        "QueryString": probe.sql,
        "Database": database_name("dev"),
        "WorkGroup": workgroup_name("dev"),
    }


def lifecycle(template: Template) -> dict[str, dict[str, Any]]:
    (archive,) = [
        resource
        for logical_id, resource in template.find_resources("AWS::S3::Bucket").items()
        if "HistoryArchive" in logical_id
    ]
    return {rule["Id"]: rule for rule in archive["Properties"]["LifecycleConfiguration"]["Rules"]}


def test_the_archive_lifecycle_follows_the_config_and_error_records_live_briefly(
    dev_data: Template, dev_config: ContactCenterConfig
) -> None:
    history = dev_config.history
    rules = lifecycle(dev_data)
    assert rules["records"]["Prefix"] == "records/"
    assert rules["records"]["Transitions"] == [
        {"StorageClass": "STANDARD_IA", "TransitionInDays": history.infrequent_access_after_days}
    ]
    assert rules["records"]["ExpirationInDays"] == history.expire_after_days
    assert rules["errors"] == {
        "Id": "errors",
        "Prefix": "errors/",
        "ExpirationInDays": history.error_records_days,
        "Status": "Enabled",
    }
    kept = config_with(
        dev_config, history={"expire_after_days": None, "infrequent_access_after_days": 60}
    )
    rules = lifecycle(data_stack_alone(kept))
    assert "ExpirationInDays" not in rules["records"]
    assert rules["records"]["Transitions"][0]["TransitionInDays"] == 60
    assert rules["errors"]["ExpirationInDays"] == history.error_records_days


def test_prod_keeps_the_archive_when_its_stack_is_deleted(
    synth: Synth, prod_config: ContactCenterConfig
) -> None:
    prod = stack_template(synth(prod_config), "-Data")
    (archive,) = [
        resource
        for logical_id, resource in prod.find_resources("AWS::S3::Bucket").items()
        if "HistoryArchive" in logical_id
    ]
    assert archive["DeletionPolicy"] == "Retain"


def test_firehose_may_write_only_under_its_two_prefixes(dev_data: Template) -> None:
    (role_id,) = [
        logical_id
        for logical_id in dev_data.find_resources("AWS::IAM::Role")
        if "HistoryDeliveryRole" in logical_id
    ]
    (policy,) = [
        p
        for p in dev_data.find_resources("AWS::IAM::Policy").values()
        if p["Properties"]["Roles"] == [{"Ref": role_id}]
    ]
    actions = {
        action
        for statement in policy["Properties"]["PolicyDocument"]["Statement"]
        for action in (
            statement["Action"] if isinstance(statement["Action"], list) else [statement["Action"]]
        )
    }
    assert not any(action.startswith("s3:Delete") for action in actions)
    assert {"s3:PutObject", "glue:GetTableVersions", "kinesis:GetRecords"} <= actions
    (writes,) = [
        s
        for s in policy["Properties"]["PolicyDocument"]["Statement"]
        if "s3:PutObject" in s["Action"]
    ]
    assert [r["Fn::Join"][1][-1] for r in writes["Resource"]] == ["/records/*", "/errors/*"]


def test_conversion_failures_and_stale_delivery_alarm_the_supervisors_topic(
    synth: Synth, dev_config: ContactCenterConfig
) -> None:
    center = stack_template(synth(dev_config), "-ContactCenter")
    for metric in ("FailedConversion.Records", "DeliveryToS3.DataFreshness"):
        (alarm,) = center.find_resources(
            "AWS::CloudWatch::Alarm", {"Properties": {"MetricName": metric}}
        ).values()
        props = alarm["Properties"]
        assert props["Namespace"] == "AWS/Firehose"
        assert props["Dimensions"] == [
            {"Name": "DeliveryStreamName", "Value": delivery_stream_name("dev")}
        ]
        assert props["AlarmActions"] and props["OKActions"]


def test_a_stage_without_history_deploys_none_of_it(dev_config: ContactCenterConfig) -> None:
    data = data_stack_alone(config_with(dev_config, history={"enabled": False}))
    for resource_type in HISTORY_TYPES:
        assert not data.find_resources(resource_type), resource_type
    assert not [b for b in data.find_resources("AWS::S3::Bucket") if "History" in b]


def test_a_stage_without_history_has_no_archive_alarms_or_dashboard_widgets(
    synth: Synth, voice_only_custom_config: ContactCenterConfig
) -> None:
    assert not voice_only_custom_config.history.enabled
    center = stack_template(synth(voice_only_custom_config), "-ContactCenter")
    assert not center.find_resources(
        "AWS::CloudWatch::Alarm", {"Properties": {"Namespace": "AWS/Firehose"}}
    )
    (dashboard,) = center.find_resources("AWS::CloudWatch::Dashboard").values()
    body = json.dumps(dashboard["Properties"]["DashboardBody"])
    assert "History archive" not in body and "AWS/Firehose" not in body
