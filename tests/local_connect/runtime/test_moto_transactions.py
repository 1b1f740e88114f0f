"""Item-level rollback gives exactly what moto's whole-table backup gives."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import nullcontext
from typing import Any

import pytest
from botocore.exceptions import ClientError
from hypothesis import given, settings
from hypothesis import strategies as st
from moto import mock_aws

from local_connect.runtime.moto_transactions import item_level_rollback
from tests.local_connect.runtime.tables import TABLE, table_client


def contents(client: Any) -> list[dict[str, Any]]:
    items = client.scan(TableName=TABLE)["Items"]
    return sorted(items, key=lambda item: (item["pk"]["S"], item["sk"]["S"]))


def key(name: str) -> dict[str, Any]:
    return {"pk": {"S": name}, "sk": {"S": "x"}}


def add(name: str, amount: int, *, only_if_below: int | None = None) -> dict[str, Any]:
    update: dict[str, Any] = {
        "TableName": TABLE,
        "Key": key(name),
        "UpdateExpression": "ADD n :a",
        "ExpressionAttributeValues": {":a": {"N": str(amount)}},
    }
    if only_if_below is not None:
        update["ConditionExpression"] = "attribute_not_exists(n) OR n < :limit"
        update["ExpressionAttributeValues"][":limit"] = {"N": str(only_if_below)}
    return {"Update": update}


def put_new(name: str) -> dict[str, Any]:
    return {
        "Put": {
            "TableName": TABLE,
            "Item": {**key(name), "n": {"N": "0"}},
            "ConditionExpression": "attribute_not_exists(pk)",
        }
    }


@pytest.fixture()
def client() -> Iterator[Any]:
    with mock_aws(), item_level_rollback():
        yield table_client()


def test_a_cancelled_transaction_leaves_every_item_as_it_was(client: Any) -> None:
    client.transact_write_items(TransactItems=[add("a", 5), add("b", 1)])
    before = contents(client)

    with pytest.raises(ClientError, match="TransactionCanceled"):
        client.transact_write_items(
            TransactItems=[add("a", 3), put_new("c"), add("b", 1, only_if_below=1)]
        )

    assert contents(client) == before  # a is 5 again, c does not exist


def test_a_committed_transaction_writes_every_item(client: Any) -> None:
    client.transact_write_items(TransactItems=[add("a", 5), put_new("c")])
    assert [(item["pk"]["S"], item["n"]["N"]) for item in contents(client)] == [
        ("a", "5"),
        ("c", "0"),
    ]


def test_the_patch_is_removed_after_the_block() -> None:
    from moto.dynamodb import models

    with item_level_rollback():
        assert models.copy.deepcopy is not __import__("copy").deepcopy
    assert models.copy is __import__("copy")


operations = st.lists(
    st.one_of(
        st.builds(add, st.sampled_from("abcd"), st.integers(1, 3)),
        st.builds(
            lambda n, a, limit: add(n, a, only_if_below=limit),
            st.sampled_from("abcd"),
            st.integers(1, 3),
            st.integers(1, 8),
        ),
        st.builds(put_new, st.sampled_from("abcd")),
    ),
    min_size=1,
    max_size=4,
)


def replay(transactions: list[list[dict[str, Any]]], *, patched: bool) -> list[Any]:
    outcomes: list[Any] = []
    with mock_aws(), item_level_rollback() if patched else nullcontext():
        client = table_client()
        for transaction in transactions:
            try:
                client.transact_write_items(TransactItems=transaction)
                outcomes.append("ok")
            except ClientError as error:
                outcomes.append(error.response["Error"]["Code"])
        outcomes.append(contents(client))
    return outcomes


@settings(max_examples=25, deadline=None)
@given(st.lists(operations, min_size=1, max_size=6))
def test_any_sequence_of_transactions_ends_as_moto_alone_ends_it(
    transactions: list[list[dict[str, Any]]],
) -> None:
    assert replay(transactions, patched=True) == replay(transactions, patched=False)
