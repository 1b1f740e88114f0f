"""The DynamoDB fast path answers exactly what moto's full path answers.

Every generated sequence of item operations (puts, gets, updates, deletes, queries, scans,
batches and transactions, conditions that fail, tables that do not exist) is replayed twice,
each against a new table: once through moto's own dispatch and once inside `fast_dynamodb()`.
The parsed answers (errors with their codes, messages and cancellation reasons) and the final
table must be identical.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import nullcontext
from typing import Any

import boto3
import pytest
from botocore.exceptions import ClientError
from hypothesis import given, settings
from hypothesis import strategies as st
from moto import mock_aws

from local_connect.runtime.moto_dynamodb import fast_dynamodb
from tests.local_connect.runtime.tables import TABLE, create_table, nested

Operation = tuple[str, dict[str, Any]]


# -- generated requests ---------------------------------------------------------------------------

texts = st.text(alphabet="abcé€ 1", max_size=6)
numbers = st.decimals(min_value=-1000, max_value=1000, places=2, allow_nan=False).map(
    lambda value: str(value.normalize()) if value != 0 else "0"
)
scalars = st.one_of(
    st.builds(lambda value: {"S": value}, texts),
    st.builds(lambda value: {"N": value}, numbers),
    st.builds(lambda value: {"B": value}, st.binary(max_size=6)),
    st.builds(lambda value: {"BOOL": value}, st.booleans()),
    st.just({"NULL": True}),
    st.builds(lambda values: {"SS": sorted(values)}, st.sets(texts, min_size=1, max_size=3)),
    st.builds(lambda values: {"NS": sorted(values)}, st.sets(numbers, min_size=1, max_size=3)),
    st.builds(
        lambda values: {"BS": sorted(values)},
        st.sets(st.binary(min_size=1, max_size=4), min_size=1, max_size=3),
    ),
)
attribute_values = nested(scalars, ["x", "y", "z"], max_leaves=6)
keys = st.builds(
    lambda pk, sk: {"pk": {"S": pk}, "sk": {"N": str(sk)}},
    st.sampled_from(["a", "b", "c"]),
    st.integers(0, 3),
)
attributes = st.dictionaries(st.sampled_from(["name", "n", "tags"]), attribute_values, max_size=3)
table_names = st.sampled_from([TABLE, TABLE, TABLE, "missing"])
return_values = st.sampled_from(["NONE", "ALL_OLD", "UPDATED_OLD", "ALL_NEW", "UPDATED_NEW"])


def _put(table: str, key: dict[str, Any], extra: dict[str, Any], old: bool, new: bool) -> Operation:
    params: dict[str, Any] = {"TableName": table, "Item": {**extra, **key}}
    if old:
        params["ReturnValues"] = "ALL_OLD"
    if new:
        params["ConditionExpression"] = "attribute_not_exists(pk)"
        params["ReturnValuesOnConditionCheckFailure"] = "ALL_OLD"
    return "put_item", params


def _get(table: str, key: dict[str, Any], projected: bool, consistent: bool) -> Operation:
    params: dict[str, Any] = {"TableName": table, "Key": key, "ConsistentRead": consistent}
    if projected:
        params["ProjectionExpression"] = "#n, pk, tags"
        params["ExpressionAttributeNames"] = {"#n": "name"}
    return "get_item", params


def _update(  # noqa: PLR0917 - hypothesis' builds() passes the generated values by position
    table: str, key: dict[str, Any], value: dict[str, Any], amount: int, returns: str, exists: bool
) -> Operation:
    params: dict[str, Any] = {
        "TableName": table,
        "Key": key,
        "UpdateExpression": "SET #name = :value ADD #n :amount",
        "ExpressionAttributeNames": {"#name": "name", "#n": "n"},
        "ExpressionAttributeValues": {":value": value, ":amount": {"N": str(amount)}},
        "ReturnValues": returns,
    }
    if exists:
        params["ConditionExpression"] = "attribute_exists(pk)"
    return "update_item", params


def _delete(table: str, key: dict[str, Any], old: bool) -> Operation:
    params: dict[str, Any] = {"TableName": table, "Key": key}
    if old:
        params["ReturnValues"] = "ALL_OLD"
    return "delete_item", params


def _query(  # noqa: PLR0917 - hypothesis' builds() passes the generated values by position
    table: str, pk: str, above: int | None, forward: bool, limit: int | None, count: bool
) -> Operation:
    params: dict[str, Any] = {
        "TableName": table,
        "KeyConditionExpression": "pk = :pk" + (" AND sk > :above" if above is not None else ""),
        "ExpressionAttributeValues": {":pk": {"S": pk}},
        "ScanIndexForward": forward,
        "ReturnConsumedCapacity": "TOTAL",
    }
    if above is not None:
        params["ExpressionAttributeValues"][":above"] = {"N": str(above)}
    if limit is not None:
        params["Limit"] = limit
    if count:
        params["Select"] = "COUNT"
    return "query", params


def _scan(table: str, limit: int | None, filtered: bool) -> Operation:
    params: dict[str, Any] = {"TableName": table}
    if limit is not None:
        params["Limit"] = limit
    if filtered:
        params["FilterExpression"] = "attribute_exists(#n)"
        params["ExpressionAttributeNames"] = {"#n": "name"}
    return "scan", params


def _batch_get(table: str, wanted: list[dict[str, Any]]) -> Operation:
    return "batch_get_item", {"RequestItems": {table: {"Keys": wanted, "ConsistentRead": True}}}


def _batch_write(
    table: str, puts: list[dict[str, Any]], deletes: list[dict[str, Any]]
) -> Operation:
    requests = [{"PutRequest": {"Item": {**key, "name": {"S": "batch"}}}} for key in puts]
    requests += [{"DeleteRequest": {"Key": key}} for key in deletes]
    return "batch_write_item", {"RequestItems": {table: requests}}


def _transact_write(
    table: str, put: dict[str, Any], update: dict[str, Any], check: dict[str, Any]
) -> Operation:
    return "transact_write_items", {
        "TransactItems": [
            {
                "Put": {
                    "TableName": table,
                    "Item": {**put, "name": {"S": "transaction"}},
                    "ConditionExpression": "attribute_not_exists(pk)",
                    "ReturnValuesOnConditionCheckFailure": "ALL_OLD",
                }
            },
            {
                "Update": {
                    "TableName": table,
                    "Key": update,
                    "UpdateExpression": "ADD #n :one",
                    "ExpressionAttributeNames": {"#n": "n"},
                    "ExpressionAttributeValues": {":one": {"N": "1"}},
                }
            },
            {
                "ConditionCheck": {
                    "TableName": table,
                    "Key": check,
                    "ConditionExpression": "attribute_exists(pk)",
                }
            },
        ]
    }


def _transact_get(table: str, wanted: list[dict[str, Any]]) -> Operation:
    return "transact_get_items", {
        "TransactItems": [{"Get": {"TableName": table, "Key": key}} for key in wanted]
    }


optional_limits = st.one_of(st.none(), st.integers(1, 3))
distinct_keys = st.lists(keys, min_size=1, max_size=3, unique_by=str)
operations = st.one_of(
    st.builds(_put, table_names, keys, attributes, st.booleans(), st.booleans()),
    st.builds(_get, table_names, keys, st.booleans(), st.booleans()),
    st.builds(
        _update,
        table_names,
        keys,
        attribute_values,
        st.integers(-3, 3),
        return_values,
        st.booleans(),
    ),
    st.builds(_delete, table_names, keys, st.booleans()),
    st.builds(
        _query,
        table_names,
        st.sampled_from(["a", "b"]),
        st.one_of(st.none(), st.integers(0, 2)),
        st.booleans(),
        optional_limits,
        st.booleans(),
    ),
    st.builds(_scan, table_names, optional_limits, st.booleans()),
    st.builds(_batch_get, table_names, distinct_keys),
    st.builds(
        _batch_write,
        table_names,
        st.lists(keys, min_size=1, max_size=2, unique_by=str),
        st.lists(keys, max_size=2, unique_by=str),
    ),
    st.builds(_transact_write, table_names, keys, keys, keys),
    st.builds(_transact_get, table_names, distinct_keys),
)


# -- replaying ------------------------------------------------------------------------------------


def outcome(client: Any, name: str, params: dict[str, Any]) -> Any:
    try:
        answer = getattr(client, name)(**params)
    except ClientError as error:
        response = dict(error.response)
        response.pop("ResponseMetadata", None)
        return ("error", response)
    answer.pop("ResponseMetadata", None)
    return ("ok", answer)


@pytest.fixture(scope="module")
def shared_client() -> Iterator[Any]:
    """One moto for every example: starting one costs more than an example's requests. (A moto
    started inside it would share its state, so this module holds no other test.)"""
    with mock_aws():
        yield boto3.client("dynamodb", region_name="us-east-1")


def replay(client: Any, sequence: list[Operation], *, fast: bool) -> list[Any]:
    """The sequence against a new table, and the table's items at the end."""
    create_table(client, sort_key_type="N")
    try:
        with fast_dynamodb() if fast else nullcontext():
            outcomes = [outcome(client, name, params) for name, params in sequence]
        outcomes.append(client.scan(TableName=TABLE)["Items"])
    finally:
        client.delete_table(TableName=TABLE)
    return outcomes


@settings(max_examples=30, deadline=None)
@given(sequence=st.lists(operations, min_size=1, max_size=8))
def test_any_sequence_of_item_operations_answers_as_moto_alone_answers(
    shared_client: Any, sequence: list[Operation]
) -> None:
    fast = replay(shared_client, sequence, fast=True)
    assert fast == replay(shared_client, sequence, fast=False)
