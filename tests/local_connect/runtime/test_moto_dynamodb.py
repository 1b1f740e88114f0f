"""What takes the DynamoDB fast path, and when moto's own dispatch answers instead.
(test_moto_dynamodb_equivalence.py checks that both answer the same.)"""

from __future__ import annotations

from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path
from typing import Any
from unittest import mock

import boto3
import pytest
from moto import mock_aws
from moto.core.botocore_stubber import BotocoreStubber

from local_connect.runtime.moto_dynamodb import SeedingTable, fast_dynamodb
from tests.local_connect.runtime.tables import TABLE, create_table


@pytest.fixture()
def moto_calls() -> Iterator[mock.Mock]:
    """moto's own request processing, counted (it still answers what it is given)."""
    original = BotocoreStubber.process_request
    with mock.patch.object(
        BotocoreStubber, "process_request", autospec=True, side_effect=original
    ) as calls:
        yield calls


def test_item_operations_skip_motos_dispatch_and_the_rest_reach_it(moto_calls: mock.Mock) -> None:
    with mock_aws(), fast_dynamodb():
        client = boto3.client("dynamodb", region_name="us-east-1")
        create_table(client, sort_key_type="N")  # control plane: moto's dispatch
        assert moto_calls.call_count == 1
        client.put_item(TableName=TABLE, Item={"pk": {"S": "a"}, "sk": {"N": "1"}})
        table = boto3.resource("dynamodb", region_name="us-east-1").Table(TABLE)
        assert table.get_item(Key={"pk": "a", "sk": 1})["Item"] == {"pk": "a", "sk": Decimal(1)}
        assert moto_calls.call_count == 1
        client.describe_table(TableName=TABLE)
        assert moto_calls.call_count == 2


def test_after_the_block_every_request_takes_motos_path_again(moto_calls: mock.Mock) -> None:
    with mock_aws():
        client = boto3.client("dynamodb", region_name="us-east-1")
        create_table(client, sort_key_type="N")
        with fast_dynamodb(), fast_dynamodb():  # nested blocks share the one switch
            client.get_item(TableName=TABLE, Key={"pk": {"S": "a"}, "sk": {"N": "1"}})
        assert moto_calls.call_count == 1
        client.get_item(TableName=TABLE, Key={"pk": {"S": "a"}, "sk": {"N": "1"}})
        assert moto_calls.call_count == 2


def test_motos_request_recorder_sees_every_request(
    moto_calls: mock.Mock, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from moto.moto_api import recorder

    # The recorder writes to ./moto_recording unless told otherwise: keep the clone clean.
    monkeypatch.setattr(recorder, "_location", str(tmp_path / "moto_recording"))
    with mock_aws(), fast_dynamodb():
        client = boto3.client("dynamodb", region_name="us-east-1")
        create_table(client, sort_key_type="N")
        recorder.start_recording()
        try:
            client.get_item(TableName=TABLE, Key={"pk": {"S": "a"}, "sk": {"N": "1"}})
        finally:
            recorder.stop_recording()
            recorder.reset_recording()
    assert moto_calls.call_count == 2


def test_a_seeding_table_stores_the_items_a_table_resource_would() -> None:
    items = [
        {"pk": "a", "sk": 1, "name": "Ada", "tags": {"x", "y"}, "score": Decimal("1.5")},
        {"pk": "b", "sk": 2, "nested": {"list": [1, "two", None, True]}, "raw": b"\x00"},
    ]
    stored = []
    for table_of in (
        lambda: SeedingTable(TABLE, region="us-east-1"),
        lambda: boto3.resource("dynamodb", region_name="us-east-1").Table(TABLE),
    ):
        with mock_aws():
            client = boto3.client("dynamodb", region_name="us-east-1")
            create_table(client, sort_key_type="N")
            with table_of().batch_writer() as batch:
                for item in items:
                    batch.put_item(Item=item)
            stored.append(client.scan(TableName=TABLE)["Items"])
    assert unordered_sets(stored[0]) == unordered_sets(stored[1])


def unordered_sets(value: Any) -> Any:
    """DynamoDB sets have no order: a Python set's iteration order (hash-seeded per process) may
    write them either way, so compare them as sets."""
    if isinstance(value, dict):
        return {
            key: frozenset(inner) if key in ("SS", "NS", "BS") else unordered_sets(inner)
            for key, inner in value.items()
        }
    if isinstance(value, list):
        return [unordered_sets(inner) for inner in value]
    return value
