"""The Data stack's tables and contact-record stream, created in whatever moto mock is active.

One factory for every local run (the rehearsal, the chat engines, `ccaas report`, the
benchmarks): key and TTL attribute names come from `config.data_schema`, which the Data
construct (`infra/constructs/data.py`) builds the deployed tables from.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import boto3

from config.data_schema import (
    IDEMPOTENCY_KEY,
    IDEMPOTENCY_TTL,
    PARTITION_KEY,
    SORT_KEY,
    TTL_ATTRIBUTE,
)
from local_connect.runtime.local_aws import LOCAL_REGION

CUSTOMERS_TABLE = "customers"
# The self-service bot's tables (the Data stack has them when `self_service.enabled`).
APPOINTMENTS_TABLE = "appointments"
OUTAGES_TABLE = "outages"
# The Data stack provisions one shard. moto appends to a shard in time linear in the records
# already there (quadratic over a day), so the local stream spreads the day over a few shards;
# ordering still holds per ContactId (the partition key), as in Kinesis.
LOCAL_STREAM_SHARDS = 8


@dataclass(frozen=True)
class LocalResources:
    """Names of the moto resources one local run works against."""

    customers_table: str = CUSTOMERS_TABLE
    metrics_table: str = "metrics"
    idempotency_table: str = "idempotency"
    contact_record_stream: str = "contact-records"


def create_resources(names: LocalResources, *, region: str = LOCAL_REGION) -> None:
    """The Data stack's tables and contact-record stream, in whatever moto mock is active."""
    dynamodb = boto3.client("dynamodb", region_name=region)
    tables = {
        names.customers_table: ([PARTITION_KEY, SORT_KEY], TTL_ATTRIBUTE),
        names.metrics_table: ([PARTITION_KEY, SORT_KEY], TTL_ATTRIBUTE),
        names.idempotency_table: ([IDEMPOTENCY_KEY], IDEMPOTENCY_TTL),
    }
    for table, (key_names, ttl) in tables.items():
        _create_table(dynamodb, table, key_names)
        dynamodb.update_time_to_live(
            TableName=table, TimeToLiveSpecification={"Enabled": True, "AttributeName": ttl}
        )
    boto3.client("kinesis", region_name=region).create_stream(
        StreamName=names.contact_record_stream, ShardCount=LOCAL_STREAM_SHARDS
    )


def create_customers_table(region: str = LOCAL_REGION, name: str = CUSTOMERS_TABLE) -> None:
    """The Data stack's customers table alone, in the active moto mock: the only table a chat,
    the entry flows or the reminders need."""
    _create_table(boto3.client("dynamodb", region_name=region), name, [PARTITION_KEY, SORT_KEY])


def create_self_service_tables(region: str = LOCAL_REGION) -> None:
    """The appointments and outages tables the self-service fulfillment reads, in the active moto
    mock (keyed like the Data stack's: a partition per customer, an item per postal code)."""
    dynamodb = boto3.client("dynamodb", region_name=region)
    for name in (APPOINTMENTS_TABLE, OUTAGES_TABLE):
        _create_table(dynamodb, name, [PARTITION_KEY, SORT_KEY])


def _create_table(dynamodb: Any, name: str, key_names: Sequence[str]) -> None:
    """Hash key first, then the range key if there is one; string keys, on-demand billing."""
    dynamodb.create_table(
        TableName=name,
        KeySchema=[
            {"AttributeName": key, "KeyType": "HASH" if index == 0 else "RANGE"}
            for index, key in enumerate(key_names)
        ],
        AttributeDefinitions=[{"AttributeName": key, "AttributeType": "S"} for key in key_names],
        BillingMode="PAY_PER_REQUEST",
    )
