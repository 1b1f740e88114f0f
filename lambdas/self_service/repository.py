"""Where the self-service answers come from: small ports, and DynamoDB as the reference.

A team with its own system of record (a scheduling product, a billing API) implements the
`Appointments` or `Balances` protocol over it and hands it to `SelfService`
(lambdas/self_service/service.py); nothing else changes. The reference implementations keep
every answer to one read, since a caller listens to silence meanwhile:

| table        | pk                     | sk                  | holds                                  |
|--------------|------------------------|---------------------|----------------------------------------|
| appointments | `CUST#<customer id>`   | `APPT#<appointment>`| `starts_at` (ISO UTC), `status`        |
| outages      | `POSTAL#<postal code>` | `OUTAGE`            | `details` per locale, `until`, TTL     |
| customers    | `CUST#<customer id>`   | `ACCOUNT`           | `balance_cents`, `currency`, `due_date`, `account_last4` |

One Query on the customer's partition lists their appointments; one GetItem answers an outage
or a balance. The balance lives in the customer's own item collection of the customers table
(beside `PROFILE`, lambdas/common/profiles.py), so the customer id crm_lookup found is its key.
"""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from typing import Any, Literal, Protocol

from boto3.dynamodb.conditions import Attr, Key
from botocore.exceptions import ClientError
from pydantic import BaseModel, ConfigDict, Field

CUSTOMER_PREFIX = "CUST#"
APPOINTMENT_PREFIX = "APPT#"
POSTAL_PREFIX = "POSTAL#"
OUTAGE_SK = "OUTAGE"
ACCOUNT_SK = "ACCOUNT"
TTL_ATTRIBUTE = "expires_at"
# An outage item outlives its `until` by this much, then DynamoDB's TTL deletes it (TTL deletes
# within days, not at the second: `current` also compares `until` with the clock).
OUTAGE_GRACE = timedelta(days=1)
# What the bot reads for a default locale when the operator wrote one text for every locale.
ANY_LOCALE = "*"

AppointmentStatus = Literal["booked", "cancelled"]


class AppointmentNotBookableError(Exception):
    """The appointment changed (cancelled, or moved elsewhere) between the read and the write."""


class _Record(BaseModel):
    model_config = ConfigDict(extra="ignore", frozen=True)


class Appointment(_Record):
    customer_id: str
    appointment_id: str
    starts_at: datetime
    status: AppointmentStatus = "booked"


class Outage(_Record):
    postal_code: str
    details: dict[str, str] = Field(description="Text per locale; '*' for every other locale.")
    until: datetime | None = None
    updated_at: datetime

    def details_in(self, locale: str) -> str:
        return self.details.get(locale) or self.details.get(ANY_LOCALE) or ""

    def is_current(self, now: datetime) -> bool:
        return self.until is None or self.until > now


class Balance(_Record):
    customer_id: str
    balance_cents: int
    currency: str = "USD"
    due_date: date | None = None
    account_last4: str = Field(min_length=4, max_length=4)


class Appointments(Protocol):
    def upcoming(self, customer_id: str, now: datetime) -> Appointment | None: ...

    def reschedule(self, appointment: Appointment, starts_at: datetime) -> Appointment: ...

    def cancel(self, appointment: Appointment) -> Appointment: ...


class Outages(Protocol):
    def current(self, postal_code: str, now: datetime) -> Outage | None: ...


class Balances(Protocol):
    def balance(self, customer_id: str) -> Balance | None: ...


def normalize_postal_code(raw: str) -> str:
    """`60601`, `60601-1234`, `606011234` and ` 60601 ` are one area: letters and digits only,
    upper case, and a ZIP+4 reduced to its ZIP (outages are posted per ZIP)."""
    compact = re.sub(r"[^0-9A-Za-z]", "", raw).upper()
    if re.fullmatch(r"\d{9}", compact):
        return compact[:5]
    return compact


def _iso(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


class DynamoAppointments:
    """Appointments in the appointments table, one partition per customer."""

    def __init__(self, table: Any) -> None:
        self.table = table

    def upcoming(self, customer_id: str, now: datetime) -> Appointment | None:
        found = self.table.query(
            KeyConditionExpression=Key("pk").eq(f"{CUSTOMER_PREFIX}{customer_id}")
            & Key("sk").begins_with(APPOINTMENT_PREFIX),
        )["Items"]
        booked = [
            appointment
            for appointment in (self._appointment(customer_id, item) for item in found)
            if appointment.status == "booked" and appointment.starts_at >= now
        ]
        return min(booked, key=lambda a: a.starts_at, default=None)

    def reschedule(self, appointment: Appointment, starts_at: datetime) -> Appointment:
        self._update(appointment, "SET starts_at = :starts", {":starts": _iso(starts_at)})
        return appointment.model_copy(update={"starts_at": starts_at})

    def cancel(self, appointment: Appointment) -> Appointment:
        self._update(appointment, "SET #status = :cancelled", {":cancelled": "cancelled"})
        return appointment.model_copy(update={"status": "cancelled"})

    def save(self, appointment: Appointment) -> None:
        """For seeding and for teams importing from their scheduler."""
        self.table.put_item(
            Item={
                "pk": f"{CUSTOMER_PREFIX}{appointment.customer_id}",
                "sk": f"{APPOINTMENT_PREFIX}{appointment.appointment_id}",
                "starts_at": _iso(appointment.starts_at),
                "status": appointment.status,
            }
        )

    def _update(self, appointment: Appointment, expression: str, values: dict[str, str]) -> None:
        # Only a booked appointment still at the time we read changes: a concurrent cancel or
        # move by an agent wins, and the caller hears it could not be done.
        request: dict[str, Any] = {
            "Key": {
                "pk": f"{CUSTOMER_PREFIX}{appointment.customer_id}",
                "sk": f"{APPOINTMENT_PREFIX}{appointment.appointment_id}",
            },
            "UpdateExpression": expression,
            "ConditionExpression": Attr("status").eq("booked")
            & Attr("starts_at").eq(_iso(appointment.starts_at)),
            "ExpressionAttributeValues": values,
        }
        if "#status" in expression:  # `status` is a DynamoDB reserved word
            request["ExpressionAttributeNames"] = {"#status": "status"}
        try:
            self.table.update_item(**request)
        except ClientError as error:
            if error.response.get("Error", {}).get("Code") == "ConditionalCheckFailedException":
                raise AppointmentNotBookableError(appointment.appointment_id) from None
            raise

    @staticmethod
    def _appointment(customer_id: str, item: dict[str, Any]) -> Appointment:
        return Appointment(
            customer_id=customer_id,
            appointment_id=str(item["sk"]).removeprefix(APPOINTMENT_PREFIX),
            starts_at=item["starts_at"],
            status=item.get("status", "booked"),
        )


class DynamoOutages:
    """Outages per postal code, as `ccaas outage` writes them."""

    def __init__(self, table: Any) -> None:
        self.table = table

    def current(self, postal_code: str, now: datetime) -> Outage | None:
        outage = self.find(postal_code)
        return outage if outage is not None and outage.is_current(now) else None

    def find(self, postal_code: str) -> Outage | None:
        code = normalize_postal_code(postal_code)
        item = self.table.get_item(Key={"pk": f"{POSTAL_PREFIX}{code}", "sk": OUTAGE_SK}).get(
            "Item"
        )
        return self._outage(item) if item else None

    def put(self, outage: Outage) -> None:
        item: dict[str, Any] = {
            "pk": f"{POSTAL_PREFIX}{normalize_postal_code(outage.postal_code)}",
            "sk": OUTAGE_SK,
            "postal_code": normalize_postal_code(outage.postal_code),
            "details": dict(outage.details),
            "updated_at": _iso(outage.updated_at),
        }
        if outage.until is not None:
            item["until"] = _iso(outage.until)
            item[TTL_ATTRIBUTE] = int((outage.until + OUTAGE_GRACE).timestamp())
        self.table.put_item(Item=item)

    def clear(self, postal_code: str) -> bool:
        """Removes the outage; False when there was none."""
        code = normalize_postal_code(postal_code)
        answer = self.table.delete_item(
            Key={"pk": f"{POSTAL_PREFIX}{code}", "sk": OUTAGE_SK}, ReturnValues="ALL_OLD"
        )
        return "Attributes" in answer

    def all(self) -> list[Outage]:
        """Every posted outage (an operator's listing: a Scan over a table of a few items)."""
        items: list[dict[str, Any]] = []
        scan: dict[str, Any] = {"FilterExpression": Attr("sk").eq(OUTAGE_SK)}
        while True:
            page = self.table.scan(**scan)
            items.extend(page["Items"])
            if "LastEvaluatedKey" not in page:
                break
            scan["ExclusiveStartKey"] = page["LastEvaluatedKey"]
        return sorted((self._outage(item) for item in items), key=lambda o: o.postal_code)

    @staticmethod
    def _outage(item: dict[str, Any]) -> Outage:
        return Outage(
            postal_code=item["postal_code"],
            details={str(k): str(v) for k, v in dict(item.get("details") or {}).items()},
            until=item.get("until"),
            updated_at=item["updated_at"],
        )


class DynamoBalances:
    """The customer's account item in the customers table (see the module docstring)."""

    def __init__(self, table: Any) -> None:
        self.table = table

    def balance(self, customer_id: str) -> Balance | None:
        item = self.table.get_item(
            Key={"pk": f"{CUSTOMER_PREFIX}{customer_id}", "sk": ACCOUNT_SK}
        ).get("Item")
        if not item:
            return None
        return Balance(
            customer_id=customer_id,
            balance_cents=int(Decimal(item["balance_cents"])),
            currency=item.get("currency", "USD"),
            due_date=item.get("due_date"),
            account_last4=item["account_last4"],
        )

    def save(self, balance: Balance) -> None:
        item: dict[str, Any] = {
            "pk": f"{CUSTOMER_PREFIX}{balance.customer_id}",
            "sk": ACCOUNT_SK,
            "balance_cents": balance.balance_cents,
            "currency": balance.currency,
            "account_last4": balance.account_last4,
        }
        if balance.due_date is not None:
            item["due_date"] = balance.due_date.isoformat()
        self.table.put_item(Item=item)
