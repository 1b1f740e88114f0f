"""Items built with their size summed once are exactly moto's items, and refused as moto refuses.

Generated attributes (strings, numbers, binaries, sets, nested lists and maps) of sizes that put
some items far under or over moto's limit and some within a byte or two of it are built into an
item twice: by moto's
own constructor and inside `summed_item_sizes()`. The items (their attributes, in order, and
whether later sets are still checked) or the errors must be identical.
"""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from moto.dynamodb.exceptions import ItemSizeTooLarge
from moto.dynamodb.models.dynamo_type import DynamoType, Item

from local_connect.runtime.moto_items import MOTO_ITEM_SIZE_LIMIT, summed_item_sizes
from tests.local_connect.runtime.tables import nested

# A few attributes of these lengths make items on both sides of the limit.
LENGTHS = [0, 3, MOTO_ITEM_SIZE_LIMIT // 4, MOTO_ITEM_SIZE_LIMIT // 3, MOTO_ITEM_SIZE_LIMIT // 2]

strings = st.sampled_from(LENGTHS).flatmap(
    lambda length: st.sampled_from(["x", "é"]).map(lambda char: char * length)
)
scalars = st.one_of(
    st.builds(lambda value: {"S": value}, strings),
    st.builds(lambda value: {"N": str(value)}, st.integers(-(10**6), 10**6)),
    st.builds(lambda value: {"B": value}, st.binary(max_size=4)),
    st.builds(lambda value: {"BOOL": value}, st.booleans()),
    st.builds(lambda values: {"SS": sorted(values)}, st.sets(strings, min_size=1, max_size=2)),
    st.builds(
        lambda values: {"NS": sorted(values)},
        st.sets(st.integers(0, 99).map(str), min_size=1, max_size=3),
    ),
)
values = nested(scalars, ["x", "yy", "ü"], max_leaves=5)
attributes = st.dictionaries(st.text(alphabet="abé", min_size=1, max_size=3), values, max_size=8)


@st.composite
def near_the_limit(draw: st.DrawFn) -> dict[str, Any]:
    """Attributes and a padding string, anywhere among them, that bring the item's size to
    within two bytes of moto's limit, either side (where a byte miscounted shows)."""
    attrs = draw(attributes.filter(lambda attrs: built(attrs)[0] is not ItemSizeTooLarge))
    rest = Item(DynamoType({"S": "k"}), None, attrs).size()
    padding = MOTO_ITEM_SIZE_LIMIT - rest - len("pad") + draw(st.integers(-2, 2))
    listed = list(attrs.items())
    listed.insert(draw(st.integers(0, len(listed))), ("pad", {"S": "x" * max(padding, 0)}))
    return dict(listed)


def built(attrs: dict[str, Any]) -> Any:
    """The item's attributes and the class of its attribute map, or the error."""
    try:
        item = Item(DynamoType({"S": "k"}), None, attrs)
    except ItemSizeTooLarge as error:
        return type(error), error.message
    return item.to_json(), type(item.attrs)


@settings(max_examples=40, deadline=None)
@given(st.one_of(attributes, near_the_limit()))
def test_summed_item_sizes_build_and_refuse_exactly_what_moto_does(attrs: dict[str, Any]) -> None:
    with summed_item_sizes():
        summed = built(attrs)
    assert summed == built(attrs)


def test_an_item_just_over_the_limit_is_refused_and_one_at_it_is_built() -> None:
    # Given attributes whose sizes add up to moto's limit: the key "a" (1 byte) and a string
    at_limit = {"a": {"S": "x" * (MOTO_ITEM_SIZE_LIMIT - 1)}}
    over = {"a": {"S": "x" * MOTO_ITEM_SIZE_LIMIT}}
    with summed_item_sizes():
        # When they are built, the one at the limit is an item
        assert built(at_limit)[0]["Attributes"]["a"]["S"] == at_limit["a"]["S"]
        # Then one byte more is refused, as moto refuses it
        with pytest.raises(ItemSizeTooLarge):
            Item(DynamoType({"S": "k"}), None, over)


def test_moto_builds_items_as_before_after_the_block() -> None:
    original = Item.__init__
    with summed_item_sizes():
        assert Item.__init__ is not original
    assert Item.__init__ is original
