"""moto's TransactWriteItems at item-level cost, same all-or-nothing result.

moto 5 backs up a whole table (`copy.deepcopy`) once per item of every transaction, so a
transaction of 100 items on a table of 15,000 copies 1.5 million items. The analytics function
writes each batch as such transactions, and a rehearsed day grows its tables to tens of
thousands of items: the copies, not the code under test, took minutes per day.

`item_level_rollback()` keeps moto's own transaction code and replaces only the backup: before
the transaction it saves the items the transaction names (their previous versions, or their
absence), and on a cancelled or refused transaction it puts exactly those back. Other tables and
items are untouched by a transaction anyway, so the result is the one moto's full copy gives.
"""

from __future__ import annotations

import copy
from contextlib import AbstractContextManager
from types import SimpleNamespace
from typing import Any

from moto.dynamodb import models as dynamodb_models
from moto.dynamodb.exceptions import (
    MockValidationException,
    MultipleTransactionsException,
    TransactionCanceledException,
)
from moto.dynamodb.models import DynamoDBBackend
from moto.dynamodb.models.table import Table

from local_connect.runtime.shared_patch import SharedPatch


def _copy_except_tables(value: Any, memo: dict[int, Any] | None = None) -> Any:
    """moto's `copy.deepcopy`, except that a whole table is not copied (the backup it takes
    before a transaction); `item_level_rollback` keeps the items that matter instead."""
    if isinstance(value, Table):
        return value
    return copy.deepcopy(value, memo)


def _item_key(table: Table, operation: dict[str, Any]) -> dict[str, Any]:
    if "Key" in operation:
        return dict(operation["Key"])
    item = operation["Item"]
    names = [table.hash_key_attr, table.range_key_attr]
    return {name: item[name] for name in names if name is not None}


def _transact_write_items(self: DynamoDBBackend, transact_items: list[dict[str, Any]]) -> None:
    saved: list[tuple[str, dict[str, Any], dict[str, Any] | None]] = []
    for entry in transact_items:
        operation: dict[str, Any] = next(iter(entry.values()), {})
        table_name = operation.get("TableName")
        table = self.tables.get(table_name) if isinstance(table_name, str) else None
        if table is None or not isinstance(table_name, str):
            continue
        try:
            key = _item_key(table, operation)
            current = self.get_item(table_name, key)
        except (KeyError, MockValidationException):
            continue  # moto refuses the transaction itself, before writing anything
        saved.append((table_name, key, current.to_json()["Attributes"] if current else None))
    try:
        _ORIGINAL(self, transact_items)
    except (TransactionCanceledException, MultipleTransactionsException, MockValidationException):
        for table_name, key, previous in reversed(saved):
            table = self.get_table(table_name)
            hash_value, range_value = self.get_keys_value(table, key)
            table.delete_item(hash_value, range_value)
            if previous is not None:
                table.put_item(previous)
        raise


_ORIGINAL = DynamoDBBackend.transact_write_items


# Patching moto is assigning where mypy expects no assignment (a module moto imported, a method).
_ROLLBACK = SharedPatch.replacing(
    (dynamodb_models, "copy", SimpleNamespace(deepcopy=_copy_except_tables)),
    (DynamoDBBackend, "transact_write_items", _transact_write_items),
)


def item_level_rollback() -> AbstractContextManager[None]:
    """For the block, moto's transactions back up items instead of whole tables."""
    return _ROLLBACK.applied()
