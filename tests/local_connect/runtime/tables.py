"""The one moto table the runtime's moto tests write to: `pk` (string) and `sk`."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from contextlib import AbstractContextManager
from typing import Any

import boto3
from botocore.exceptions import ClientError
from hypothesis import strategies as st

TABLE = "t"


def create_table(client: Any, *, sort_key_type: str = "S") -> None:
    client.create_table(
        TableName=TABLE,
        KeySchema=[
            {"AttributeName": "pk", "KeyType": "HASH"},
            {"AttributeName": "sk", "KeyType": "RANGE"},
        ],
        AttributeDefinitions=[
            {"AttributeName": "pk", "AttributeType": "S"},
            {"AttributeName": "sk", "AttributeType": sort_key_type},
        ],
        BillingMode="PAY_PER_REQUEST",
    )


def table_client() -> Any:
    """A client of the active moto, with the table (string sort key) created."""
    client = boto3.client("dynamodb", region_name="us-east-1")
    create_table(client)
    return client


Request = tuple[str, Any]
"""A request of a generated sequence: what kind it is, and its arguments."""


def replay(
    seeded: Sequence[dict[str, Any]],
    requests: Sequence[Request],
    block: AbstractContextManager[Any],
    send: Callable[[Any, Request], Any],
) -> tuple[list[Any], list[dict[str, Any]]]:
    """Each request's answer or error (`send` makes the call), then the table's items, with
    `block` around the calls: run once through moto's own path and once through a patch, the
    two must be equal. The table is new for each replay and deleted after it."""
    answers: list[Any] = []
    client = table_client()
    for item in seeded:
        client.put_item(TableName=TABLE, Item=item)
    with block:
        for request in requests:
            try:
                answer = send(client, request)
                answer.pop("ResponseMetadata")
                answers.append(answer)
            except ClientError as error:
                error.response.pop("ResponseMetadata")
                answers.append(error.response)
            except Exception as error:  # moto's own bugs (a KeyError for a missing name...)
                answers.append((type(error).__name__, str(error)))
    table = client.scan(TableName=TABLE)["Items"]
    client.delete_table(TableName=TABLE)
    return answers, sorted(table, key=lambda item: item["pk"]["S"])


# -- generated items ----------------------------------------------------------------------------


def items(
    scalars: st.SearchStrategy[dict[str, Any]], keys: Sequence[str]
) -> st.SearchStrategy[dict[str, Any]]:
    """Items of the table keyed by one of `keys`, with a few of `a`, `b` (scalars), `m.x` (in a
    map) and `l` (a list), the paths the generated expressions name."""
    return st.fixed_dictionaries(
        {"pk": st.sampled_from(list(keys)).map(lambda key: {"S": key}), "sk": st.just({"S": "x"})},
        optional={
            "a": scalars,
            "b": scalars,
            "m": st.builds(lambda value: {"M": {"x": value}}, scalars),
            "l": st.builds(lambda values: {"L": values}, st.lists(scalars, min_size=1, max_size=2)),
        },
    )


def nested(
    scalars: st.SearchStrategy[dict[str, Any]], map_keys: Sequence[str], *, max_leaves: int
) -> st.SearchStrategy[dict[str, Any]]:
    """Attribute values: `scalars`, and lists and maps (keyed by `map_keys`) of them, nested."""
    return st.recursive(
        scalars,
        lambda children: st.one_of(
            st.builds(lambda listed: {"L": listed}, st.lists(children, max_size=3)),
            st.builds(
                lambda mapped: {"M": mapped},
                st.dictionaries(st.sampled_from(list(map_keys)), children, max_size=3),
            ),
        ),
        max_leaves=max_leaves,
    )
