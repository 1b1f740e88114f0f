"""Update expressions parsed and checked once give exactly what moto's own path gives.

Generated items are updated by generated requests (SET with values, paths, `if_not_exists`,
`list_append` and arithmetic, ADD, REMOVE, DELETE, repeated clauses, names that map onto key
attributes or onto each other, values and names missing, conditions), alone and in transactions.
A few expression texts repeat with different names and values, which is what the caches key on.
Each sequence is replayed twice, each time against a new table: through moto's own path and inside
`cached_update_expressions()`. The answers (errors with their codes and messages) and the final
table must be identical.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import nullcontext
from typing import Any

import pytest
from botocore.exceptions import ClientError
from hypothesis import given, settings
from hypothesis import strategies as st
from moto import mock_aws

# moto marks these two modules `# type: ignore` as a whole, so mypy sees none of their names.
from moto.dynamodb.parsing.ast_nodes import DepthFirstTraverser  # type: ignore[attr-defined]
from moto.dynamodb.parsing.expressions import UpdateExpressionParser  # type: ignore[attr-defined]

from local_connect.runtime.moto_updates import cached_update_expressions
from tests.local_connect.runtime import tables
from tests.local_connect.runtime.tables import TABLE, replay, table_client

ATTRIBUTES = [
    "a",
    "b",
    "c",
    "d",
    "e",
    "f",
    "g",
    "pk",
]  # pk and sk are the key: updating them is an error
PLAIN_PATHS = ["a", "b", "m.x", "l[0]", "sk"]
NAME_SLOTS = 3  # #p0 #p1 #p2
VALUE_SLOTS = 3  # :v0 :v1 :v2


# -- generated items and requests -----------------------------------------------------------------

numbers = st.integers(min_value=-50, max_value=50).map(str)
numbers_only = st.builds(lambda value: {"N": value}, numbers)
scalars = st.one_of(
    numbers_only,
    numbers_only,
    numbers_only,
    st.builds(lambda value: {"S": value}, st.text(alphabet="xyz", max_size=3)),
    st.builds(lambda values: {"NS": sorted(values)}, st.sets(numbers, min_size=1, max_size=3)),
    st.builds(
        lambda values: {"SS": sorted(values)},
        st.sets(st.text(alphabet="xyz", min_size=1, max_size=2), min_size=1, max_size=3),
    ),
    st.builds(lambda values: {"L": values}, st.lists(st.just({"N": "1"}), max_size=2)),
)
items = tables.items(scalars, ["k1", "k2"])

# Mostly requests moto accepts, so that the writes are compared as well as the refusals.
paths = st.one_of(
    st.sampled_from(["a", "b", "c", "d", "e", "f", "g"]),
    st.integers(min_value=0, max_value=NAME_SLOTS - 1).map(lambda slot: f"#p{slot}"),
    st.sampled_from(PLAIN_PATHS),
)
value_slots = st.integers(min_value=0, max_value=VALUE_SLOTS - 1).map(lambda slot: f":v{slot}")
operands = st.one_of(
    value_slots,
    value_slots,
    paths,
    st.builds(lambda path, value: f"if_not_exists({path}, {value})", paths, value_slots),
    st.builds(lambda path, value: f"list_append({path}, {value})", paths, value_slots),
    st.builds(lambda path, value: f"{path} + {value}", paths, value_slots),
    st.builds(lambda value, path: f"{value} - {path}", value_slots, paths),
)
actions: dict[str, Callable[[str], st.SearchStrategy[str]]] = {
    "SET": lambda target: operands.map(lambda operand: f"{target} = {operand}"),
    "ADD": lambda target: value_slots.map(lambda value: f"{target} {value}"),
    "DELETE": lambda target: value_slots.map(lambda value: f"{target} {value}"),
    "REMOVE": st.just,
}


@st.composite
def expressions(draw: st.DrawFn) -> str:
    """Actions on distinct paths (names may still map two onto one attribute), grouped into a
    clause per kind; one text in ten repeats a clause's keyword (an error: one SET, one ADD)."""
    clauses: dict[str, list[str]] = {}
    for target in draw(st.lists(paths, min_size=1, max_size=4, unique=True)):
        kind = draw(st.sampled_from(sorted(actions)))
        clauses.setdefault(kind, []).append(draw(actions[kind](target)))
    texts = [f"{kind} {', '.join(listed)}" for kind, listed in clauses.items()]
    if len(texts[0].split(", ")) > 1 and draw(st.integers(0, 9)) == 0:
        first, rest = texts[0].split(", ", 1)
        texts[0] = f"{first} {texts[0].split()[0]} {rest}"
    return " ".join(texts)


conditions = st.sampled_from([None] * 6 + ["attribute_exists(a)", "attribute_not_exists(b)"])


@st.composite
def updates(draw: st.DrawFn, texts: list[str]) -> dict[str, Any]:
    """One Update: a text from the sequence's few, with names and values drawn for this use."""
    text = draw(st.sampled_from(texts))
    names = {
        f"#p{slot}": draw(st.sampled_from(ATTRIBUTES))
        for slot in range(NAME_SLOTS)
        if f"#p{slot}" in text and draw(st.integers(0, 19)) > 0  # sometimes one is missing
    }
    values = {
        f":v{slot}": draw(scalars)
        for slot in range(VALUE_SLOTS)
        if f":v{slot}" in text and draw(st.integers(0, 19)) > 0
    }
    update: dict[str, Any] = {
        "TableName": TABLE,
        "Key": {"pk": {"S": draw(st.sampled_from(["k1", "k2", "k3"]))}, "sk": {"S": "x"}},
        "UpdateExpression": text,
    }
    if names:
        update["ExpressionAttributeNames"] = names
    if values:
        update["ExpressionAttributeValues"] = values
    condition = draw(conditions)
    if condition is not None:
        update["ConditionExpression"] = condition
    return update


@st.composite
def sequences(draw: st.DrawFn) -> tuple[list[dict[str, Any]], list[tuple[str, Any]]]:
    texts = draw(st.lists(expressions(), min_size=1, max_size=3))
    requests = st.one_of(
        st.builds(lambda update: ("update_item", update), updates(texts)),
        st.builds(
            lambda listed: ("transact_write_items", [{"Update": update} for update in listed]),
            st.lists(updates(texts), min_size=1, max_size=2),
        ),
    )
    return draw(st.lists(items, max_size=2)), draw(st.lists(requests, min_size=1, max_size=6))


def send(client: Any, request: tuple[str, Any]) -> Any:
    operation, arguments = request
    if operation == "update_item":
        return client.update_item(**arguments, ReturnValues="ALL_NEW")
    return client.transact_write_items(TransactItems=arguments)


@settings(max_examples=25, deadline=None)
@given(sequences())
def test_cached_update_expressions_answer_and_write_exactly_what_moto_does(
    sequence: tuple[list[dict[str, Any]], list[tuple[str, Any]]],
) -> None:
    seeded, requests = sequence
    with mock_aws():
        cached = replay(seeded, requests, cached_update_expressions(), send)
        assert cached == replay(seeded, requests, nullcontext(), send)


# -- the cases the caches must not merge --------------------------------------------------------


@pytest.fixture()
def client() -> Iterator[Any]:
    with mock_aws(), cached_update_expressions():
        yield table_client()


def update(client: Any, text: str, names: dict[str, str]) -> Any:
    return client.update_item(
        TableName=TABLE,
        Key={"pk": {"S": "k1"}, "sk": {"S": "x"}},
        UpdateExpression=text,
        ExpressionAttributeNames=names,
        ExpressionAttributeValues={":v": {"N": "1"}},
        ReturnValues="ALL_NEW",
    )


def test_a_text_that_passed_its_checks_is_checked_again_with_other_names(client: Any) -> None:
    # Given a text whose names once pointed at two different attributes
    text = "SET #p0 = :v, #p1 = :v"
    update(client, text, {"#p0": "a", "#p1": "b"})

    # When the same text names one attribute twice, or the key, it is refused as moto refuses it
    with pytest.raises(ClientError, match="Two document paths overlap"):
        update(client, text, {"#p0": "a", "#p1": "a"})
    with pytest.raises(ClientError, match="Cannot update attribute pk"):
        update(client, text, {"#p0": "pk", "#p1": "b"})

    # Then the names that passed still pass
    assert update(client, text, {"#p0": "c", "#p1": "b"})["Attributes"]["c"] == {"N": "1"}


def test_a_text_moto_cannot_parse_is_refused_every_time(client: Any) -> None:
    for _ in range(2):
        with pytest.raises(ClientError, match="Invalid UpdateExpression: Syntax error"):
            update(client, "SET #p0 = = :v", {"#p0": "a"})


def test_moto_parses_and_walks_as_before_after_the_block() -> None:
    originals = (UpdateExpressionParser.make, DepthFirstTraverser.nodes_to_be_processed)
    with mock_aws(), cached_update_expressions():
        assert (UpdateExpressionParser.make, DepthFirstTraverser.nodes_to_be_processed) != originals
    assert (UpdateExpressionParser.make, DepthFirstTraverser.nodes_to_be_processed) == originals
