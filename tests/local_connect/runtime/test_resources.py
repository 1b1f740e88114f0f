"""The local tables and stream: shaped like the Data stack's, in the one local region."""

from __future__ import annotations

from typing import Any

import boto3

from local_connect.runtime.local_aws import LOCAL_REGION
from local_connect.runtime.resources import (
    LOCAL_STREAM_SHARDS,
    LocalResources,
    create_customers_table,
    create_resources,
)


def _key_schema(description: dict[str, Any]) -> list[tuple[str, str]]:
    return [(key["AttributeName"], key["KeyType"]) for key in description["KeySchema"]]


def test_local_tables_use_the_key_schema_and_ttl_the_data_stack_deploys(
    aws: None, table_definitions: dict[str, dict[str, Any]]
) -> None:
    names = LocalResources()
    create_resources(names)
    dynamodb = boto3.client("dynamodb", region_name=LOCAL_REGION)
    for table, deployed in (
        (names.customers_table, table_definitions["customers"]),
        (names.metrics_table, table_definitions["metrics"]),
        (names.idempotency_table, table_definitions["idempotency"]),
    ):
        local = dynamodb.describe_table(TableName=table)["Table"]
        assert _key_schema(local) == _key_schema(deployed), table
        ttl = dynamodb.describe_time_to_live(TableName=table)["TimeToLiveDescription"]
        assert ttl["AttributeName"] == deployed["TimeToLiveSpecification"]["AttributeName"], table


def test_the_contact_record_stream_spreads_a_day_over_a_few_shards(aws: None) -> None:
    names = LocalResources()
    create_resources(names)
    stream = boto3.client("kinesis", region_name=LOCAL_REGION).describe_stream_summary(
        StreamName=names.contact_record_stream
    )["StreamDescriptionSummary"]
    assert stream["OpenShardCount"] == LOCAL_STREAM_SHARDS


def test_the_customers_table_alone_has_the_deployed_keys(
    aws: None, table_definitions: dict[str, dict[str, Any]]
) -> None:
    create_customers_table(name="chat-customers")
    local = boto3.client("dynamodb", region_name=LOCAL_REGION).describe_table(
        TableName="chat-customers"
    )["Table"]
    assert _key_schema(local) == _key_schema(table_definitions["customers"])
