"""Condition expressions parsed once give exactly what moto's own path gives.

Generated items are written by generated requests (PutItem, UpdateItem, DeleteItem, Scan with a
filter, TransactWriteItems with each kind of action) with generated conditions: the functions,
comparisons, BETWEEN, IN, size, AND/OR/NOT and parentheses over plain paths, nested paths and
`#names`, with `:values`; a few texts moto refuses (syntax, a reserved word, redundant
parentheses, a function given the wrong operand). A few texts repeat with different names and
values, which is what the cache keys on; names and values are sometimes missing or unused, and
failed conditions sometimes ask for the old item. Each sequence is replayed twice, each time against
a new table: through moto's own path and inside `cached_condition_expressions()`. The answers
(errors with their codes, messages, items and cancellation reasons) and the final table must be
identical.
"""

from __future__ import annotations

from contextlib import nullcontext
from typing import Any

import pytest
from botocore.exceptions import ClientError
from hypothesis import given, settings
from hypothesis import strategies as st
from moto import mock_aws
from moto.dynamodb.comparisons import ConditionExpressionParser

from local_connect.runtime.moto_conditions import cached_condition_expressions
from tests.local_connect.runtime import tables
from tests.local_connect.runtime.tables import TABLE, replay, table_client

NAME_SLOTS = 2  # #p0 #p1
VALUE_SLOTS = 3  # :v0 :v1 :v2
KEYS = ["k1", "k2", "k3"]

# -- generated items and conditions ---------------------------------------------------------------

numbers = st.integers(min_value=-5, max_value=5).map(str)
strings = st.text(alphabet="xy", max_size=2)
scalars = st.one_of(
    st.builds(lambda value: {"N": value}, numbers),
    st.builds(lambda value: {"S": value}, strings),
    st.builds(lambda value: {"SS": sorted(value)}, st.sets(strings, min_size=1, max_size=2)),
    st.builds(lambda value: {"L": value}, st.lists(st.just({"N": "1"}), max_size=2)),
    st.builds(lambda value: {"BOOL": value}, st.booleans()),
    st.just({"NULL": True}),
)
items = tables.items(scalars, KEYS)

paths = st.one_of(
    st.sampled_from(["a", "b", "pk", "m.x", "l[0]"]),
    st.integers(min_value=0, max_value=NAME_SLOTS - 1).map(lambda slot: f"#p{slot}"),
    st.just("#p0.x"),
)
value_slots = st.integers(min_value=0, max_value=VALUE_SLOTS - 1).map(lambda slot: f":v{slot}")
operands = st.one_of(value_slots, value_slots, paths, paths.map(lambda path: f"size({path})"))
comparators = st.sampled_from(["=", "<>", "<", "<=", ">", ">="])
# Texts moto refuses: a syntax error, a reserved word as a plain name, redundant parentheses,
# a function given a value where it wants a path, a value inside a path.
refused = st.sampled_from(
    [
        "a = = :v0",
        "name = :v0",
        "((a = :v0))",
        "attribute_exists(:v0)",
        "a.:v0 = :v1",
        "a BETWEEN :v0",
    ]
)


def conditions() -> st.SearchStrategy[str]:
    simple = st.one_of(
        st.builds(lambda path: f"attribute_exists({path})", paths),
        st.builds(lambda path: f"attribute_not_exists({path})", paths),
        st.builds(lambda path, value: f"begins_with({path}, {value})", paths, value_slots),
        st.builds(lambda path, value: f"contains({path}, {value})", paths, value_slots),
        st.builds(lambda path, value: f"attribute_type({path}, {value})", paths, value_slots),
        st.builds(lambda lhs, op, rhs: f"{lhs} {op} {rhs}", operands, comparators, operands),
        st.builds(
            lambda lhs, low, high: f"{lhs} BETWEEN {low} AND {high}", operands, operands, operands
        ),
        st.builds(
            lambda lhs, listed: f"{lhs} IN ({', '.join(listed)})",
            operands,
            st.lists(operands, min_size=1, max_size=3),
        ),
    )
    return st.recursive(
        simple,
        lambda inner: st.one_of(
            st.builds(lambda lhs, rhs: f"{lhs} AND {rhs}", inner, inner),
            st.builds(lambda lhs, rhs: f"{lhs} OR {rhs}", inner, inner),
            st.builds(lambda condition: f"NOT {condition}", inner),
            st.builds(lambda condition: f"({condition})", inner),
        ),
        max_leaves=4,
    )


mostly = st.sampled_from([True] * 19 + [False])  # True 19 times in 20
texts = st.sampled_from([True] * 9 + [False]).flatmap(
    lambda accepted: conditions() if accepted else refused
)


@st.composite
def arguments(draw: st.DrawFn, text: str, values_used: str = "") -> dict[str, Any]:
    """A condition with names and values drawn for this use: now and then one missing or one
    unused (moto refuses both)."""
    names = {
        f"#p{slot}": draw(st.sampled_from(["a", "b", "m", "pk"]))
        for slot in range(NAME_SLOTS)
        if f"#p{slot}" in text and draw(mostly)
    }
    values = {
        f":v{slot}": draw(scalars)
        for slot in range(VALUE_SLOTS)
        if f":v{slot}" in text + values_used and draw(mostly)
    }
    if not draw(mostly):
        names["#unused"] = "a"
    if not draw(mostly):
        values[":unused"] = {"N": "1"}
    request: dict[str, Any] = {"ConditionExpression": text}
    if names:
        request["ExpressionAttributeNames"] = names
    if values:
        request["ExpressionAttributeValues"] = values
    if draw(st.booleans()):
        request["ReturnValuesOnConditionCheckFailure"] = "ALL_OLD"
    return request


@st.composite
def actions(draw: st.DrawFn, texts: list[str]) -> tuple[str, dict[str, Any]]:
    """One write (or a scan) of a sequence's few texts, as its own request or in a transaction."""
    text = draw(st.sampled_from(texts))
    key = {"pk": {"S": draw(st.sampled_from(KEYS))}, "sk": {"S": "x"}}
    kind = draw(st.sampled_from(["Put", "Update", "Delete", "ConditionCheck", "Scan"]))
    if kind == "Update":
        action = draw(arguments(text, values_used=":v0"))
        action |= {"Key": key, "UpdateExpression": "SET c = :v0"}
    elif kind == "Put":
        action = draw(arguments(text)) | {"Item": key | {"c": draw(scalars)}}
    elif kind == "Scan":
        action = draw(arguments(text))
        action.pop("ReturnValuesOnConditionCheckFailure", None)
        action["FilterExpression"] = action.pop("ConditionExpression")
    else:
        action = draw(arguments(text)) | {"Key": key}
    return kind, action | {"TableName": TABLE}


@st.composite
def sequences(draw: st.DrawFn) -> tuple[list[dict[str, Any]], list[tuple[str, Any]]]:
    few = draw(st.lists(texts, min_size=1, max_size=3))
    requests = st.one_of(
        actions(few).map(lambda action: (action[0], [action[1]])),
        st.lists(
            actions(few).filter(lambda action: action[0] != "Scan"),
            min_size=1,
            max_size=2,
        ).map(lambda listed: ("Transact", [{kind: action} for kind, action in listed])),
    )
    return draw(st.lists(items, max_size=3)), draw(st.lists(requests, min_size=1, max_size=6))


OPERATIONS = {"Put": "put_item", "Update": "update_item", "Delete": "delete_item", "Scan": "scan"}


def send(client: Any, request: tuple[str, Any]) -> Any:
    kind, listed = request
    if kind == "Transact":
        return client.transact_write_items(TransactItems=listed)
    if kind == "ConditionCheck":  # on its own only inside a transaction
        return client.transact_write_items(TransactItems=[{kind: listed[0]}])
    return getattr(client, OPERATIONS[kind])(**listed[0])


@settings(max_examples=20, deadline=None)
@given(sequences())
def test_cached_condition_expressions_answer_and_write_exactly_what_moto_does(
    sequence: tuple[list[dict[str, Any]], list[tuple[str, Any]]],
) -> None:
    seeded, requests = sequence
    with mock_aws():
        cached = replay(seeded, requests, cached_condition_expressions(), send)
        assert cached == replay(seeded, requests, nullcontext(), send)


# -- what the cache must not merge ----------------------------------------------------------------


def put(client: Any, condition: str, values: dict[str, Any]) -> Any:
    return client.put_item(
        TableName=TABLE,
        Item={"pk": {"S": "k1"}, "sk": {"S": "x"}, "t": {"S": "10"}},
        ConditionExpression=condition,
        ExpressionAttributeValues=values,
        ReturnValuesOnConditionCheckFailure="ALL_OLD",
    )


def test_one_text_is_evaluated_with_each_requests_values() -> None:
    condition = "attribute_not_exists(pk) OR t < :t"
    with mock_aws(), cached_condition_expressions():
        # Given an item written under a condition
        client = table_client()
        put(client, condition, {":t": {"S": "50"}})

        # When the same text comes with an earlier value, it fails and returns the old item
        with pytest.raises(ClientError) as refused:
            put(client, condition, {":t": {"S": "05"}})
        assert refused.value.response["Item"]["t"] == {"S": "10"}

        # Then a later value passes again
        put(client, condition, {":t": {"S": "11"}})


def test_a_text_moto_cannot_parse_is_refused_every_time() -> None:
    with mock_aws(), cached_condition_expressions():
        client = table_client()
        for _ in range(2):
            with pytest.raises(ValueError, match="Bad comparison pk = ="):  # moto's own refusal
                put(client, "pk = = :t", {":t": {"S": "1"}})


def test_of_two_missing_the_one_moto_looks_up_first_is_named() -> None:
    # moto's own bug: the KeyError of a missing name or value reaches the caller as it is
    cases = [({"#p1": "b"}, "#p0"), ({"#p0": "a", "#p1": "b"}, ":v0")]
    with mock_aws(), cached_condition_expressions():
        client = table_client()
        for names, missing in cases:
            with pytest.raises(KeyError, match=missing):
                client.delete_item(
                    TableName=TABLE,
                    Key={"pk": {"S": "k1"}, "sk": {"S": "x"}},
                    ConditionExpression="#p0 = :v0 OR :v1 = #p1",
                    ExpressionAttributeNames=names,
                    ExpressionAttributeValues={":v1": {"N": "1"}},
                )


def test_moto_parses_as_before_after_the_block() -> None:
    original = ConditionExpressionParser.parse
    with cached_condition_expressions():
        assert ConditionExpressionParser.parse is not original
    assert ConditionExpressionParser.parse is original
