"""The one moto table the runtime's moto tests write to: `pk` (string) and `sk`."""

from __future__ import annotations

from typing import Any

import boto3

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
