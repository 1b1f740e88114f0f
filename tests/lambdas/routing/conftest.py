"""routing with the dev stage's rules (built by infra's own function) and a moto customers table."""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

import boto3
import pytest
from aws_lambda_powertools.utilities.typing import LambdaContext
from moto import mock_aws

from config import ContactCenterConfig
from lambdas.common import aws as aws_clients
from lambdas.common.profiles import ProfileRepository
from lambdas.common.routing_rules import RoutingRules
from lambdas.routing import handler as routing_handler
from tests.lambdas.connect_events import INSTANCE_ARN, DynamoDbCalls
from tests.lambdas.customers import NOW, create_customers_table, seed


def queue_arn(name: str) -> str:
    return f"{INSTANCE_ARN}/queue/{uuid.uuid5(uuid.NAMESPACE_URL, name)}"


def rules_for(config: ContactCenterConfig) -> RoutingRules:
    """What the deployed function reads from ROUTING_RULES, with made-up queue ARNs."""
    from infra.constructs.functions import routing_rules_document

    document = routing_rules_document(config, {name: queue_arn(name) for name in config.queues})
    return RoutingRules.model_validate(document)


@pytest.fixture(scope="session")
def dev_rules(dev_config: ContactCenterConfig) -> RoutingRules:
    return rules_for(dev_config)


@pytest.fixture(scope="module")
def seeded_customers(table_definitions: dict[str, dict[str, Any]]) -> Iterator[None]:
    with mock_aws():
        create_customers_table(table_definitions)
        seed(ProfileRepository(boto3.resource("dynamodb").Table("customers")))
        yield


@pytest.fixture()
def repository(seeded_customers: None) -> Iterator[ProfileRepository]:
    aws_clients.dynamodb_table.cache_clear()
    yield ProfileRepository(aws_clients.dynamodb_table("customers"))
    aws_clients.dynamodb_table.cache_clear()


@dataclass
class Routing:
    invoke: Callable[[Any], dict[str, str]]
    dynamodb: DynamoDbCalls
    rules: RoutingRules


@pytest.fixture()
def routing(
    repository: ProfileRepository,
    dev_rules: RoutingRules,
    monkeypatch: pytest.MonkeyPatch,
    lambda_context: LambdaContext,
) -> Routing:
    current = routing_handler.Runtime(rules=dev_rules, profiles=repository, clock=lambda: NOW)
    monkeypatch.setattr(routing_handler, "runtime", lambda: current)
    return Routing(
        invoke=lambda event: routing_handler.handler(event, lambda_context),
        dynamodb=DynamoDbCalls(repository.table.meta.client),
        rules=dev_rules,
    )
