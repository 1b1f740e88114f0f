"""The self-service function over moto tables shaped like the synthesized Data stack's, seeded
with one customer's appointments and balance and one posted outage."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any

import boto3
import pytest
from aws_lambda_powertools.utilities.typing import LambdaContext
from moto import mock_aws

from config import ContactCenterConfig
from config.bot import opening_hours_document
from lambdas.common import aws as aws_clients
from lambdas.self_service import handler as self_service_handler
from lambdas.self_service.messages import load_bot_texts
from lambdas.self_service.opening_hours import Schedule
from lambdas.self_service.repository import (
    Appointment,
    Balance,
    DynamoAppointments,
    DynamoBalances,
    DynamoOutages,
    Outage,
)
from lambdas.self_service.service import SelfService
from tests.conftest import create_moto_table

# A Sunday: 09:00 in Chicago, where the dev stage's business hours are kept (closed on Sundays).
NOW = datetime(2026, 11, 22, 15, 0, tzinfo=UTC)
NEXT_APPOINTMENT = datetime(2026, 11, 24, 16, 0, tzinfo=UTC)  # Tuesday 10:00 in Chicago
JANE_LAST4 = "0143"
OUTAGE_CODE = "60601"
OUTAGE_UNTIL = datetime(2026, 11, 22, 23, 0, tzinfo=UTC)  # 17:00 in Chicago
SELF_SERVICE_TABLES = ("customers", "appointments", "outages")


@dataclass
class Repositories:
    appointments: DynamoAppointments
    outages: DynamoOutages
    balances: DynamoBalances


@pytest.fixture()
def repositories(table_definitions: dict[str, dict[str, Any]]) -> Iterator[Repositories]:
    with mock_aws():
        dynamodb = boto3.resource("dynamodb")
        for name in SELF_SERVICE_TABLES:
            create_moto_table(dynamodb, name, table_definitions[name])
        aws_clients.dynamodb_table.cache_clear()
        found = Repositories(
            appointments=DynamoAppointments(aws_clients.dynamodb_table("appointments")),
            outages=DynamoOutages(aws_clients.dynamodb_table("outages")),
            balances=DynamoBalances(aws_clients.dynamodb_table("customers")),
        )
        seed(found)
        yield found
        aws_clients.dynamodb_table.cache_clear()


def seed(repositories: Repositories) -> None:
    """Jane: a past appointment, a cancelled one, her next one (Tuesday), a later one, and a
    balance; Luis: a balance of nothing; an outage in 60601 until this evening."""
    for appointment_id, starts_at, status in (
        ("a-past", datetime(2026, 11, 2, 15, 0, tzinfo=UTC), "booked"),
        ("a-cancelled", datetime(2026, 11, 23, 15, 0, tzinfo=UTC), "cancelled"),
        ("a-next", NEXT_APPOINTMENT, "booked"),
        ("a-later", datetime(2026, 12, 15, 15, 0, tzinfo=UTC), "booked"),
    ):
        repositories.appointments.save(
            Appointment(
                customer_id="c-jane",
                appointment_id=appointment_id,
                starts_at=starts_at,
                status=status,  # type: ignore[arg-type]
            )
        )
    repositories.balances.save(
        Balance(
            customer_id="c-jane",
            balance_cents=4250,
            due_date=date(2026, 12, 5),
            account_last4=JANE_LAST4,
        )
    )
    repositories.balances.save(Balance(customer_id="c-luis", balance_cents=0, account_last4="7788"))
    repositories.outages.put(
        Outage(
            postal_code=OUTAGE_CODE,
            details={"*": "Crews are repairing a line.", "es_US": "Estamos reparando una línea."},
            until=OUTAGE_UNTIL,
            updated_at=NOW,
        )
    )


@pytest.fixture(scope="session")
def schedule(dev_config: ContactCenterConfig) -> Schedule:
    """The hours as infra hands them to the function (OPENING_HOURS)."""
    return Schedule.model_validate(opening_hours_document(dev_config))


@pytest.fixture()
def service(repositories: Repositories, schedule: Schedule) -> SelfService:
    return SelfService(
        texts=load_bot_texts("self_service"),
        appointments=repositories.appointments,
        outages=repositories.outages,
        balances=repositories.balances,
        schedule=schedule,
        clock=lambda: NOW,
    )


@pytest.fixture()
def invoke(
    service: SelfService, monkeypatch: pytest.MonkeyPatch, lambda_context: LambdaContext
) -> Callable[[Any], dict[str, Any]]:
    """The deployed handler, with this test's service as its container's runtime."""
    current = self_service_handler.Runtime(service=service)
    monkeypatch.setattr(self_service_handler, "runtime", lambda: current)
    return lambda event: self_service_handler.handler(event, lambda_context)
