"""The archived contact record: its columns, defined once.

The archive is Connect's contact record (https://docs.aws.amazon.com/connect/latest/adminguide/
ctr-data-model.html) as Kinesis Data Firehose writes it to Parquet through a Glue table: the
OpenX JSON SerDe matches JSON keys to columns without regard to case, and Glue and Athena
lower-case every name, so a column is Connect's field name in lower case (`initiationtimestamp`,
`queue.enqueuetimestamp`), the convention AWS's own Athena examples over contact records use.

Firehose writes only the columns the table names: whatever this schema leaves out never reaches
the archive. That is how personal data stays out of a store kept for years
(`CustomerEndpoint.Address`, the caller's number or email, is not a column; contact attributes
are a struct of the attributes below, not a map, so an attribute nobody classified is dropped).
The customer is followed across channels by `attributes.customerid`, our own opaque profile id.

The Glue columns (infra) and the Parquet schema (the local archive) are both generated from
`COLUMNS`; the Athena SQL in `history/sql/` reads them.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

# Partition column: the day (UTC) Firehose delivered the record, from its default arrival-time
# prefix. A contact's versions can land in different days' partitions: queries scan the days
# after their range too and keep each contact's newest version (docs/history.md).
PARTITION_COLUMN = "dt"
PARTITION_FORMAT = "yyyy-MM-dd"  # Java date format, as Firehose's prefix and Glue projection take


@dataclass(frozen=True)
class Struct:
    fields: Sequence[Column]


@dataclass(frozen=True)
class MapOf:
    """A map from string keys; `value` is a primitive type name or a Struct."""

    value: str | Struct


@dataclass(frozen=True)
class Column:
    """One field: `name` as Connect spells it (the JSON key); `kind` a Hive primitive
    (string, int, bigint, timestamp, boolean), a Struct or a MapOf."""

    name: str
    kind: str | Struct | MapOf

    @property
    def column_name(self) -> str:
        return self.name.lower()


def _strings(*names: str) -> list[Column]:
    return [Column(name, "string") for name in names]


# Contact attributes our flows and functions set that are kept. Attributes that describe the
# person (firstName), free text the customer typed or said (openIssue, self_service_detail,
# self_service_slots) or a second copy of history (lastContactAt, lastContactQueue) are left out;
# a test holds every attribute the flows set to one of these two lists.
KEPT_ATTRIBUTES = (
    "customerId",
    "customerFound",
    "isRepeatContact",
    "intent",
    "language",
    "tier",
    "priority",
    "queueName",
    "routingReason",
    "lastContactChannel",
    "self_service_intent",
    "self_service_outcome",
    "followUpRequested",
    "surveyLinkSent",
    "surveyScore",
    # Set by the functions that start chat and email contacts (chat_start, inbound_email):
    # emailAddress is OUR address the customer wrote to, not theirs.
    "newCustomer",
    "topic",
    "entryPoint",
    "identityVerified",
    "emailAddress",
)
PERSONAL_ATTRIBUTES = (
    "firstName",
    "openIssue",
    "self_service_detail",
    "self_service_slots",
    "lastContactAt",
    "lastContactQueue",
    "customerName",  # the name typed into the pre-chat form
)

_ENDPOINT = Struct(_strings("Type", "Address"))

COLUMNS: tuple[Column, ...] = (
    *_strings(
        "ContactId",
        "InitialContactId",
        "PreviousContactId",
        "NextContactId",
        "RelatedContactId",
        "Channel",
        "InitiationMethod",
        "DisconnectReason",
        "AWSContactTraceRecordFormatVersion",
        "InstanceARN",
    ),
    Column("InitiationTimestamp", "timestamp"),
    Column("ConnectedToSystemTimestamp", "timestamp"),
    Column("DisconnectTimestamp", "timestamp"),
    Column("LastUpdateTimestamp", "timestamp"),
    Column("TransferCompletedTimestamp", "timestamp"),
    # The customer's endpoint keeps its type only (TELEPHONE_NUMBER, EMAIL_ADDRESS, ...).
    Column("CustomerEndpoint", Struct(_strings("Type"))),
    Column("SystemEndpoint", _ENDPOINT),
    Column("TransferredToEndpoint", _ENDPOINT),
    Column("Attributes", Struct(_strings(*KEPT_ATTRIBUTES))),
    Column("SegmentAttributes", MapOf(Struct(_strings("ValueString")))),
    Column(
        "Queue",
        Struct(
            [
                *_strings("ARN", "Name"),
                Column("EnqueueTimestamp", "timestamp"),
                Column("DequeueTimestamp", "timestamp"),
                Column("Duration", "int"),
            ]
        ),
    ),
    Column(
        "Agent",
        Struct(
            [
                *_strings("ARN", "Username"),
                Column("RoutingProfile", Struct(_strings("ARN", "Name"))),
                Column("ConnectedToAgentTimestamp", "timestamp"),
                Column("AgentInteractionDuration", "int"),
                Column("CustomerHoldDuration", "int"),
                Column("AfterContactWorkDuration", "int"),
                Column("AfterContactWorkStartTimestamp", "timestamp"),
                Column("AfterContactWorkEndTimestamp", "timestamp"),
                Column("NumberOfHolds", "int"),
                Column("LongestHoldDuration", "int"),
            ]
        ),
    ),
    Column("AgentConnectionAttempts", "int"),
)


def hive_type(kind: str | Struct | MapOf) -> str:
    """The Glue/Hive type string of a column kind: `struct<name:string,...>`, `map<string,...>`."""
    if isinstance(kind, Struct):
        inner = ",".join(f"{field.column_name}:{hive_type(field.kind)}" for field in kind.fields)
        return f"struct<{inner}>"
    if isinstance(kind, MapOf):
        return f"map<string,{hive_type(kind.value)}>"
    return kind


def glue_columns() -> list[tuple[str, str]]:
    """(name, type) of every Glue table column, in order, partition column excluded."""
    return [(column.column_name, hive_type(column.kind)) for column in COLUMNS]
