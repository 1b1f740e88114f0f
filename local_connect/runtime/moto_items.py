"""moto's items built with their size summed once, not once per attribute.

moto enforces DynamoDB's item size limit in `LimitedSizeDict.__setitem__`: each attribute set
sums the sizes of every attribute already in the item (`DynamoType.size()` walks each value, and
wraps every member of a map in a new `DynamoType` to size it), so building an item of n
attributes sizes about n²/2 values. The analytics function's interval rows carry 20 to 40
attributes, and every PutItem, transaction Put and projection builds one: about a tenth of
`ccaas report --records`.

While `Item.__init__` builds an item nothing else reaches its attributes, so the sum moto
recomputes before the i-th attribute is the previous sum plus the previous attribute.
`summed_item_sizes()` builds the item as moto does (same `DynamoType`s, same order) and keeps
that running sum. An item whose sum passes moto's limit is handed to moto's own constructor,
which raises its own error. Sets after construction (update expressions) keep moto's check: they
change values in place, so a remembered sum could be stale. `tests/local_connect/runtime/
test_moto_items.py` checks the items and errors against moto's own constructor.
"""

from __future__ import annotations

from contextlib import AbstractContextManager
from typing import Any

from moto.dynamodb.models.dynamo_type import DynamoType, Item, LimitedSizeDict
from moto.dynamodb.models.utilities import bytesize

from local_connect.runtime.shared_patch import SharedPatch

# The bound in moto 5.2.5's `LimitedSizeDict.__setitem__` (DynamoDB's 400 KB and some margin).
MOTO_ITEM_SIZE_LIMIT = 405_000


def _init(
    self: Item, hash_key: DynamoType, range_key: DynamoType | None, attrs: dict[str, Any]
) -> None:
    """`Item.__init__`, summing the attributes' sizes once."""
    self.hash_key = hash_key
    self.range_key = range_key
    self.attrs = LimitedSizeDict()
    before = 0  # what moto's check sums over the attributes already set
    for key, value in attrs.items():
        attribute = DynamoType(value)
        size = attribute.size()
        # moto sizes the new key as given and the keys already set as `str(key)`
        if before + bytesize(key) + size > MOTO_ITEM_SIZE_LIMIT:
            _ORIGINAL_INIT(self, hash_key, range_key, attrs)  # moto raises its own error
            return
        dict.__setitem__(self.attrs, key, attribute)
        before += bytesize(str(key)) + size


_ORIGINAL_INIT = Item.__init__


_SUMMED = SharedPatch.replacing((Item, "__init__", _init))


def summed_item_sizes() -> AbstractContextManager[None]:
    """For the block, moto sums each new item's size once (see the module)."""
    return _SUMMED.applied()
