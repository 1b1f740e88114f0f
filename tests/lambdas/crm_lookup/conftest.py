"""crm_lookup against a moto customers table reached through the flow call budget's client."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

import boto3
import pytest
from aws_lambda_powertools.utilities.typing import LambdaContext
from moto import mock_aws

from lambdas.common import aws as aws_clients
from lambdas.common.profiles import ProfileRepository
from lambdas.crm_lookup import handler as crm_handler
from tests.lambdas.connect_events import DynamoDbCalls
from tests.lambdas.customers import NOW, create_customers_table, seed


@pytest.fixture(scope="module")
def seeded_customers(table_definitions: dict[str, dict[str, Any]]) -> Iterator[None]:
    """One moto customers table per module, seeded once: crm_lookup never writes."""
    with mock_aws():
        create_customers_table(table_definitions)
        seed(ProfileRepository(boto3.resource("dynamodb").Table("customers")))
        yield


@pytest.fixture()
def repository(seeded_customers: None) -> Iterator[ProfileRepository]:
    """The table as the function builds it (`dynamodb_table`, FLOW_CALL_CONFIG); a new client
    per test, so hooks and stubs a test adds die with it."""
    aws_clients.dynamodb_table.cache_clear()
    yield ProfileRepository(aws_clients.dynamodb_table("customers"))
    aws_clients.dynamodb_table.cache_clear()


@dataclass
class Crm:
    invoke: Callable[[Any], dict[str, str]]
    dynamodb: DynamoDbCalls


@pytest.fixture()
def crm(
    repository: ProfileRepository, monkeypatch: pytest.MonkeyPatch, lambda_context: LambdaContext
) -> Crm:
    current = crm_handler.Runtime(
        profiles=repository, repeat_window=timedelta(hours=48), clock=lambda: NOW
    )
    monkeypatch.setattr(crm_handler, "runtime", lambda: current)
    calls = DynamoDbCalls(repository.table.meta.client)
    return Crm(
        invoke=lambda event: crm_handler.handler(event, lambda_context),
        dynamodb=calls,
    )
