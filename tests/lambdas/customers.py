"""Customers the flow Lambda tests find (or do not): one per routing situation."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import boto3

from lambdas.common.identity import IdentifierKind
from lambdas.common.profiles import ContactSummary, CustomerProfile, Identifier, ProfileRepository

NOW = datetime(2026, 11, 22, 15, 0, tzinfo=UTC)

JANE_PHONE = "+13125550143"
JANE_EMAIL = "jane.doe@example.com"
LUIS_PHONE = "+17735550188"
LUIS_CHAT = "web-luis-7f3a"
SAM_EMAIL = "sam.lee@example.org"
ADA_PHONE = "+16305550111"
UNKNOWN_PHONE = "+13125550199"


def phone(value: str) -> Identifier:
    return Identifier(kind=IdentifierKind.PHONE, value=value)


def email(value: str) -> Identifier:
    return Identifier(kind=IdentifierKind.EMAIL, value=value)


def seed(repository: ProfileRepository, now: datetime = NOW) -> None:
    """Jane: VIP who emailed billing 20 h ago (repeat); Luis: Spanish, chat id, 10 days quiet;
    Sam: business tier, called support 47 h ago (repeat, just); Ada: medical priority, new.

    "Ago" is from `now`: the handlers' own clock when a test runs them unpatched, so the history
    keeps its meaning whatever day the suite runs."""
    repository.save(
        CustomerProfile(
            customer_id="c-jane",
            first_name="Jane",
            last_name="Doe",
            tier="vip",
            language="en",
            open_issue="Disputed October bill",
            identifiers=[phone(JANE_PHONE), email(JANE_EMAIL)],
        )
    )
    repository.save(
        CustomerProfile(
            customer_id="c-luis",
            first_name="Luis",
            last_name="García",
            language="es",
            identifiers=[
                phone(LUIS_PHONE),
                Identifier(kind=IdentifierKind.CHAT, value=LUIS_CHAT),
            ],
        )
    )
    repository.save(
        CustomerProfile(
            customer_id="c-sam",
            first_name="Sam",
            tier="business",
            identifiers=[email(SAM_EMAIL)],
        )
    )
    repository.save(
        CustomerProfile(
            customer_id="c-ada",
            first_name="Ada",
            tier="medical_priority",
            identifiers=[phone(ADA_PHONE)],
        )
    )
    history = {
        "c-jane": ContactSummary(
            contact_id="k-jane-1", channel="EMAIL", at=now - timedelta(hours=20), queue="billing"
        ),
        "c-luis": ContactSummary(
            contact_id="k-luis-1", channel="CHAT", at=now - timedelta(days=10), queue="spanish"
        ),
        "c-sam": ContactSummary(
            contact_id="k-sam-1", channel="VOICE", at=now - timedelta(hours=47), queue="support"
        ),
    }
    for customer_id, contact in history.items():
        repository.record_contact(customer_id, contact)


def create_customers_table(table_definitions: dict[str, dict[str, Any]]) -> None:
    """The customers table, keyed as the synthesized Data stack keys it, in the active moto mock.

    The flow Lambdas only read, so their tests share one seeded table per module instead of
    paying moto's table creation (~0.1 s) per test.
    """
    properties = table_definitions["customers"]
    boto3.client("dynamodb").create_table(
        TableName="customers",
        KeySchema=properties["KeySchema"],
        AttributeDefinitions=properties["AttributeDefinitions"],
        BillingMode="PAY_PER_REQUEST",
    )
