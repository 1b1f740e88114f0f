"""The metrics table: aggregate rows per (interval, channel, queue) and one state item per contact.

Layout (partition key `pk`, sort key `sk`, TTL attribute `expires_at`; infra/constructs/data.py):

| item          | pk                      | sk                         | holds                             |
|---------------|-------------------------|----------------------------|-----------------------------------|
| aggregate     | `KPI#<UTC date>`        | `<HH:MM>#<channel>#<queue>`| counters (sums and counts only)   |
| contact state | `CONTACT#<ContactId>`   | `STATE`                    | counted version, key, counters    |

One partition per UTC day lets `ccaas report` read a day with one Query (paginated) and the
sort key orders it by interval. A contact center writes a few aggregate updates per second at
most, far below a partition's 1,000 WCU/s, so the daily partition is not a hot spot.

Both kinds of item expire `metrics_days` after their interval (config.retention), so a contact
state lives exactly as long as the totals it protects from double counting.

Writes: `commit` sends one TransactWriteItems per chunk (logic.chunk_changes): a Put of each
contact state, conditioned on the version read (`attribute_not_exists(pk)` for a first count),
and one `ADD` update per aggregate key with the chunk's net delta. A state that moved since it
was read (another invocation got there first) cancels the transaction; the cancellation carries
that state (`ReturnValuesOnConditionCheckFailure`), so the caller replans from it without
another read. botocore fills `ClientRequestToken`, so its own retries of a transaction that
did commit are answered as success, not applied twice.
"""

from __future__ import annotations

import random
import time
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from typing import Any

from boto3.dynamodb.types import TypeDeserializer
from botocore.exceptions import ClientError

from lambdas.analytics.logic import AggregateKey, Change, ContactState, Contribution

KPI_PREFIX = "KPI#"
CONTACT_PREFIX = "CONTACT#"
STATE_SK = "STATE"
TTL_ATTRIBUTE = "expires_at"
BATCH_GET_LIMIT = 100
_RETRYABLE_CANCELLATIONS = frozenset({"TransactionConflict", "ThrottlingError"})
_deserializer = TypeDeserializer()


@dataclass(frozen=True)
class CommitResult:
    """`stale`: contacts whose state moved since it was read, with the state now stored."""

    committed: bool
    stale: dict[str, ContactState | None]


class MetricsRepository:
    """Data access for the metrics table; `table` is a boto3 DynamoDB Table resource.

    Its `meta.client` (de)serializes attribute values like the resource does, so every request
    here is written with plain Python values.
    """

    def __init__(self, table: Any, *, retention_days: int, max_attempts: int = 4) -> None:
        self.table = table
        self.client = table.meta.client
        self.retention = timedelta(days=retention_days)
        self.max_attempts = max_attempts

    # -- contact states -------------------------------------------------------------------------

    def load_states(self, contact_ids: Iterable[str]) -> dict[str, ContactState]:
        """The stored state of each contact that has one, in one BatchGetItem per 100 ids."""
        ids = list(dict.fromkeys(contact_ids))
        states: dict[str, ContactState] = {}
        for start in range(0, len(ids), BATCH_GET_LIMIT):
            keys = [
                {"pk": f"{CONTACT_PREFIX}{contact_id}", "sk": STATE_SK}
                for contact_id in ids[start : start + BATCH_GET_LIMIT]
            ]
            request: dict[str, Any] = {self.table.name: {"Keys": keys, "ConsistentRead": True}}
            for attempt in range(self.max_attempts * 2):
                response = self.client.batch_get_item(RequestItems=request)
                for item in response.get("Responses", {}).get(self.table.name, []):
                    state = _state_from_item(item)
                    states[state.contact_id] = state
                request = response.get("UnprocessedKeys") or {}
                if not request:
                    break
                _backoff(attempt)
            else:
                raise RuntimeError("DynamoDB kept contact states unprocessed (throttling)")
        return states

    # -- writing a chunk ------------------------------------------------------------------------

    def commit(
        self, changes: Sequence[Change], deltas: Mapping[AggregateKey, Mapping[str, int]]
    ) -> CommitResult:
        """Writes the chunk's states and aggregate deltas in one transaction.

        Retries conflicts and throttling with backoff; returns the stale contacts when a state
        condition failed (nothing was written then).
        """
        items = [self._state_put(change) for change in changes]
        items += [self._aggregate_update(key, counters) for key, counters in deltas.items()]
        for attempt in range(self.max_attempts):
            try:
                self.client.transact_write_items(TransactItems=items)
                return CommitResult(committed=True, stale={})
            except ClientError as error:
                if error.response["Error"]["Code"] != "TransactionCanceledException":
                    raise
                reasons = error.response.get("CancellationReasons") or []
                stale = {
                    change.contact_id: _state_from_reason(reason)
                    for change, reason in zip(changes, reasons, strict=False)
                    if reason.get("Code") == "ConditionalCheckFailed"
                }
                if stale:
                    return CommitResult(committed=False, stale=stale)
                codes = {reason.get("Code") for reason in reasons} - {"None", None}
                if not codes <= _RETRYABLE_CANCELLATIONS or attempt == self.max_attempts - 1:
                    raise
                _backoff(attempt)
        raise AssertionError("unreachable")  # pragma: no cover

    def _state_put(self, change: Change) -> dict[str, Any]:
        state = change.state()
        key = state.contribution.key
        item: dict[str, Any] = {
            "pk": f"{CONTACT_PREFIX}{change.contact_id}",
            "sk": STATE_SK,
            "contact_id": change.contact_id,
            "version": change.version,
            "interval_start": _iso(key.interval_start),
            "channel": key.channel,
            "queue": key.queue,
            "counters": dict(state.contribution.counters),
            TTL_ATTRIBUTE: self._expires(key),
        }
        if state.customer_id:
            item["customer_id"] = state.customer_id
        if state.repeat is not None:
            item["repeat"] = state.repeat
        put: dict[str, Any] = {
            "TableName": self.table.name,
            "Item": item,
            "ReturnValuesOnConditionCheckFailure": "ALL_OLD",
        }
        if change.expected_version is None:
            put["ConditionExpression"] = "attribute_not_exists(pk)"
        else:
            put["ConditionExpression"] = "version = :expected"
            put["ExpressionAttributeValues"] = {":expected": change.expected_version}
        return {"Put": put}

    def _aggregate_update(self, key: AggregateKey, counters: Mapping[str, int]) -> dict[str, Any]:
        pk, sk = aggregate_item_key(key)
        names = {"#interval": "interval_start", "#channel": "channel", "#queue": "queue"}
        values: dict[str, Any] = {
            ":interval": _iso(key.interval_start),
            ":channel": key.channel,
            ":queue": key.queue,
            ":expires": self._expires(key),
        }
        additions = []
        for index, (name, value) in enumerate(sorted(counters.items())):
            names[f"#c{index}"] = name
            values[f":c{index}"] = value
            additions.append(f"#c{index} :c{index}")
        expression = (
            "SET #interval = :interval, #channel = :channel, #queue = :queue, "
            f"{TTL_ATTRIBUTE} = if_not_exists({TTL_ATTRIBUTE}, :expires) "
            f"ADD {', '.join(additions)}"
        )
        return {
            "Update": {
                "TableName": self.table.name,
                "Key": {"pk": pk, "sk": sk},
                "UpdateExpression": expression,
                "ExpressionAttributeNames": names,
                "ExpressionAttributeValues": values,
            }
        }

    def _expires(self, key: AggregateKey) -> int:
        return int((key.interval_start + self.retention).timestamp())

    # -- reading aggregates ---------------------------------------------------------------------

    def read_intervals(
        self, start: datetime, end: datetime
    ) -> list[tuple[AggregateKey, dict[str, int]]]:
        """Aggregate rows whose interval starts in [start, end), oldest first."""
        start, end = start.astimezone(UTC), end.astimezone(UTC)
        rows: list[tuple[AggregateKey, dict[str, int]]] = []
        day = start.date()
        while datetime.combine(day, datetime.min.time(), tzinfo=UTC) < end:
            for item in self._query_day(day):
                key = _aggregate_key(item)
                if start <= key.interval_start < end:
                    rows.append((key, _counters(item)))
            day += timedelta(days=1)
        rows.sort(key=lambda row: row[0])
        return rows

    def _query_day(self, day: date) -> Iterable[dict[str, Any]]:
        arguments: dict[str, Any] = {
            "KeyConditionExpression": "pk = :pk",
            "ExpressionAttributeValues": {":pk": f"{KPI_PREFIX}{day.isoformat()}"},
        }
        while True:
            response = self.table.query(**arguments)
            yield from response.get("Items", [])
            if "LastEvaluatedKey" not in response:
                return
            arguments["ExclusiveStartKey"] = response["LastEvaluatedKey"]


def aggregate_item_key(key: AggregateKey) -> tuple[str, str]:
    moment = key.interval_start.astimezone(UTC)
    return (f"{KPI_PREFIX}{moment.date().isoformat()}", f"{moment:%H:%M}#{key.channel}#{key.queue}")


_AGGREGATE_FIELDS = frozenset({"pk", "sk", "interval_start", "channel", "queue", TTL_ATTRIBUTE})


def _aggregate_key(item: Mapping[str, Any]) -> AggregateKey:
    return AggregateKey(
        interval_start=datetime.fromisoformat(str(item["interval_start"])),
        channel=str(item["channel"]),
        queue=str(item.get("queue", "")),
    )


def _counters(item: Mapping[str, Any]) -> dict[str, int]:
    return {
        name: int(value)
        for name, value in item.items()
        if name not in _AGGREGATE_FIELDS and isinstance(value, (int, Decimal))
    }


def _state_from_item(item: Mapping[str, Any]) -> ContactState:
    repeat = item.get("repeat")
    return ContactState(
        contact_id=str(item["contact_id"]),
        version=str(item["version"]),
        contribution=Contribution(
            key=_aggregate_key(item),
            counters={name: int(value) for name, value in item.get("counters", {}).items()},
        ),
        customer_id=str(item["customer_id"]) if item.get("customer_id") else None,
        repeat=bool(repeat) if repeat is not None else None,
    )


def _state_from_reason(reason: Mapping[str, Any]) -> ContactState | None:
    """The state a cancelled transaction found. boto3 deserializes responses, not errors, so
    this item is still in DynamoDB's typed form (`{"S": ...}`)."""
    item = reason.get("Item")
    if not item:
        return None
    return _state_from_item(
        {name: _deserializer.deserialize(value) for name, value in item.items()}
    )


def _iso(moment: datetime) -> str:
    return moment.astimezone(UTC).isoformat()


def _backoff(attempt: int) -> None:
    """Full jitter, capped: DynamoDB's guidance for throttling and transaction conflicts."""
    time.sleep(random.uniform(0, min(1.0, 0.05 * 2**attempt)))
