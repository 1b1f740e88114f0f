"""Analytics on one 10,000-record batch: DynamoDB write calls and CPU, against a naive baseline.

    python scripts/bench_analytics.py [--records 10000] [--seed 7] [--with-history]

`ccaas bench` reports `measure`'s ratio: ours / naive write calls (`--quick`: 100 records).

Both sides count the same records into a fresh moto metrics table, in the same run:
- naive: one UpdateItem (ADD) per record on its (interval, queue, channel) item. No state, so a
  duplicate or an updated record counts twice: it is the write pattern, not a correct design;
- ours: `ContactRecordCounter` (lambdas/analytics/service.py): newest version per contact, one
  BatchGetItem per 100 contact states, and one TransactWriteItems per ~100 items carrying the
  contact states and one net ADD per aggregate key.
Then the same batch is replayed on ours (Lambda redelivering after a partial failure): it must
write nothing. `--with-history` also runs the full handler path with the customer history
(continuity.py), whose per-contact profile calls are the same in any aggregation design.

CPU is the process's CPU time, so it includes moto's own (in-process) request handling (with
moto's whole-table transaction backups replaced by item-level ones, which give the same result):
it is a comparison of the two designs in one run, not a Lambda bill. 5% of the records are exact
duplicates and 10% are later versions (after-contact work ended), as Connect sends them.
"""

from __future__ import annotations

import argparse
import random
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

import boto3
from moto import mock_aws

from lambdas.analytics.handler import build_counter
from lambdas.analytics.logic import CustomerFacts, contribution, interval_start
from lambdas.analytics.repository import aggregate_item_key
from lambdas.analytics.settings import AnalyticsSettings
from lambdas.common.contact_records import ContactRecord
from local_connect.runtime.local_aws import LOCAL_REGION, offline_aws
from local_connect.runtime.moto_transactions import item_level_rollback
from local_connect.runtime.resources import create_customers_table

DAY = datetime(2026, 12, 1, 13, 0, tzinfo=UTC)  # 07:00 in Chicago
WRITE_OPERATIONS = {"PutItem", "UpdateItem", "DeleteItem", "BatchWriteItem", "TransactWriteItems"}


@dataclass(eq=False)  # botocore finds a handler to unregister by equality: identity here
class DynamoDbCalls:
    """Counts calls per operation, and items written, through botocore's event hooks
    (`before-parameter-build` carries the API parameters, not the serialized request)."""

    operations: Counter[str] = field(default_factory=Counter)
    items_written: int = 0
    transactional_items: int = 0

    def __call__(self, model: Any, params: dict[str, Any], **_: Any) -> None:
        self.operations[model.name] += 1
        if model.name == "TransactWriteItems":
            self.items_written += len(params["TransactItems"])
            self.transactional_items += len(params["TransactItems"])
        elif model.name == "BatchWriteItem":
            self.items_written += sum(len(v) for v in params["RequestItems"].values())
        elif model.name in WRITE_OPERATIONS:
            self.items_written += 1

    @property
    def write_calls(self) -> int:
        return sum(n for op, n in self.operations.items() if op in WRITE_OPERATIONS)

    @property
    def write_units(self) -> int:
        """On-demand write request units for items under 1 KB: a transaction bills two per item."""
        return self.items_written + self.transactional_items

    @property
    def calls(self) -> int:
        return sum(self.operations.values())


def synthetic_records(count: int, seed: int) -> list[dict[str, Any]]:
    """A busy morning: 3 queues x 2 channels, 07:00-15:00 local, handled/abandoned/self-served."""
    rng = random.Random(seed)
    records: list[dict[str, Any]] = []
    unique = int(count / 1.15)
    for index in range(unique):
        started = DAY + timedelta(seconds=rng.uniform(0, 8 * 3600))
        channel = "VOICE" if rng.random() < 0.75 else "CHAT"
        queue = rng.choice(["support", "billing", "appointments"])
        outcome = rng.random()
        record = _record(
            f"bench-{index:06d}", started, channel=channel, queue=queue, outcome=outcome, rng=rng
        )
        records.append(record)
    while len(records) < count:
        original = rng.choice(records[:unique])
        if rng.random() < 0.33:
            records.append(dict(original))  # an exact duplicate delivery
        elif original["Agent"]:
            update = {**original, "Agent": {**original["Agent"], "AfterContactWorkDuration": 45}}
            update["LastUpdateTimestamp"] = _stamp(
                datetime.fromisoformat(original["LastUpdateTimestamp"].replace("Z", "+00:00"))
                + timedelta(seconds=45)
            )
            records.append(update)
    rng.shuffle(records)
    return records[:count]


def _stamp(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _record(
    contact_id: str,
    started: datetime,
    *,
    channel: str,
    queue: str,
    outcome: float,
    rng: random.Random,
) -> dict[str, Any]:
    flow = timedelta(seconds=rng.randint(15, 60))
    base: dict[str, Any] = {
        "ContactId": contact_id,
        "Channel": channel,
        "InitiationMethod": "INBOUND" if channel == "VOICE" else "API",
        "InitiationTimestamp": _stamp(started),
        "CustomerEndpoint": {
            "Address": f"+1312555{rng.randint(0, 9999):04d}",
            "Type": "TELEPHONE_NUMBER",
        }
        if channel == "VOICE"
        else None,
        "Attributes": {"queueName": queue} if outcome >= 0.08 else {},
        "Queue": None,
        "Agent": None,
    }
    if outcome < 0.08:  # ended in the flow
        end = started + flow
        return {
            **base,
            "DisconnectReason": "CUSTOMER_DISCONNECT",
            "LastUpdateTimestamp": _stamp(end),
        }
    enqueued = started + flow
    wait = int(rng.expovariate(1 / 40))
    dequeued = enqueued + timedelta(seconds=wait)
    base["Queue"] = {
        "Name": queue,
        "ARN": f"arn:aws:connect:us-east-1:123456789012:instance/x/queue/{queue}",
        "EnqueueTimestamp": _stamp(enqueued),
        "DequeueTimestamp": _stamp(dequeued),
        "Duration": wait,
    }
    if outcome < 0.2:  # abandoned
        return {
            **base,
            "DisconnectReason": "CUSTOMER_DISCONNECT",
            "LastUpdateTimestamp": _stamp(dequeued),
        }
    talk, hold = rng.randint(60, 600), rng.choice([0, 0, 30])
    end = dequeued + timedelta(seconds=talk + hold)
    base["Agent"] = {
        "ConnectedToAgentTimestamp": _stamp(dequeued),
        "AgentInteractionDuration": talk,
        "CustomerHoldDuration": hold,
        "AfterContactWorkDuration": 0,
    }
    return {**base, "DisconnectReason": "AGENT_DISCONNECT", "LastUpdateTimestamp": _stamp(end)}


def create_table(name: str) -> Any:
    """A table with the Data stack's key schema, in the active moto mock."""
    create_customers_table(LOCAL_REGION, name)
    return boto3.resource("dynamodb", region_name=LOCAL_REGION).Table(name)


def measured(table: Any, work: Callable[[], object]) -> tuple[DynamoDbCalls, float, float]:
    calls = DynamoDbCalls()
    events = table.meta.client.meta.events
    events.register("before-parameter-build.dynamodb", calls)
    cpu, wall = time.process_time(), time.perf_counter()
    work()
    cpu, wall = time.process_time() - cpu, time.perf_counter() - wall
    events.unregister("before-parameter-build.dynamodb", calls)
    return calls, cpu, wall


def naive(table: Any, parsed: list[ContactRecord], threshold: int) -> None:
    """One UpdateItem per record: ADD its counters to its aggregate item."""
    for record in parsed:
        part = contribution(record, threshold_seconds=threshold, customer=CustomerFacts())
        pk, sk = aggregate_item_key(part.key)
        names = {f"#c{i}": name for i, name in enumerate(part.counters)}
        values = {f":c{i}": value for i, value in enumerate(part.counters.values())}
        table.update_item(
            Key={"pk": pk, "sk": sk},
            UpdateExpression="ADD " + ", ".join(f"#c{i} :c{i}" for i in range(len(names))),
            ExpressionAttributeNames=names,
            ExpressionAttributeValues=values,
        )


FULL_RECORDS, QUICK_RECORDS = 10_000, 100
SEED = 7


@dataclass(frozen=True)
class Measured:
    calls: DynamoDbCalls
    cpu: float
    wall: float


@dataclass(frozen=True)
class Comparison:
    naive: Measured
    ours: Measured
    replay: Measured


def measure(quick: bool) -> dict[str, float]:
    """`analytics_write_calls_vs_naive`: our write calls over the naive design's, one batch."""
    with offline_aws():
        parsed = parsed_records(QUICK_RECORDS if quick else FULL_RECORDS, SEED)
        comparison = compare_designs(parsed, settings=analytics_settings())
    return {
        "analytics_write_calls_vs_naive": comparison.ours.calls.write_calls
        / comparison.naive.calls.write_calls
    }


def analytics_settings() -> AnalyticsSettings:
    return AnalyticsSettings(metrics_table="metrics", customers_table="customers")


def parsed_records(count: int, seed: int) -> list[ContactRecord]:
    return [ContactRecord.model_validate(r) for r in synthetic_records(count, seed)]


def compare_designs(parsed: list[ContactRecord], settings: AnalyticsSettings) -> Comparison:
    """The naive design and ours over the same records, then ours again (the replay)."""
    batch = list(enumerate(parsed))
    threshold = settings.service_level_threshold_seconds
    # Each design gets its own moto: moto copies every table it holds on each transaction, so
    # the naive table sitting beside ours would be billed to ours.
    with mock_aws():
        naive_table = create_table("naive")
        naive_run = Measured(*measured(naive_table, lambda: naive(naive_table, parsed, threshold)))
    # moto backs up a whole table per transaction item; item-level backups give the same
    # result without billing moto's copies to our design
    # (local_connect/runtime/moto_transactions.py).
    with mock_aws(), item_level_rollback():
        ours_table = create_table("metrics")
        counter = build_counter(settings, metrics_table=ours_table, customers_table=None)
        ours = Measured(*measured(ours_table, lambda: counter.count(batch)))
        replay = Measured(*measured(ours_table, lambda: counter.count(batch)))
    return Comparison(naive=naive_run, ours=ours, replay=replay)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--records", type=int, default=FULL_RECORDS)
    parser.add_argument("--seed", type=int, default=SEED)
    parser.add_argument("--with-history", action="store_true")
    args = parser.parse_args()
    with offline_aws():  # moto's region and dummy credentials, whatever the shell says
        compare(args)


def compare(args: argparse.Namespace) -> None:
    parsed = parsed_records(args.records, args.seed)
    batch = list(enumerate(parsed))
    contacts = len({r.contact_id for r in parsed})
    keys = {
        (interval_start(r.queue.enqueue_timestamp or r.started_at), r.channel, r.queue.name)  # type: ignore[arg-type]
        if r.queue
        else (interval_start(r.started_at), r.channel, "")  # type: ignore[arg-type]
        for r in parsed
    }
    settings = analytics_settings()
    print(
        f"{len(parsed):,} records, {contacts:,} contacts, {len(keys):,} aggregate keys "
        "(interval x channel x queue)\n"
    )
    comparison = compare_designs(parsed, settings)
    naive_run, ours, replay = comparison.naive, comparison.ours, comparison.replay
    print(
        f"{'':32}{'write calls':>12}{'items written':>15}{'WRU':>8}{'all calls':>11}"
        f"{'CPU s':>8}{'wall s':>8}"
    )
    for name, run, wall in (
        ("naive (UpdateItem per record)", naive_run, naive_run.wall),
        ("ours (exactly once)", ours, ours.wall),
        ("ours, same batch replayed", replay, float("nan")),
    ):
        calls = run.calls
        print(
            f"{name:32}{calls.write_calls:>12,}{calls.items_written:>15,}"
            f"{calls.write_units:>8,}{calls.calls:>11,}"
            f"{run.cpu:>8.2f}{wall:>8.2f}"
        )
    naive_calls, ours_calls = naive_run.calls, ours.calls
    print(f"\nours: {dict(ours_calls.operations)}; replay: {dict(replay.calls.operations)}")
    print(
        f"write calls, naive / ours: {naive_calls.write_calls / max(ours_calls.write_calls, 1):.0f}x fewer; "
        f"CPU, ours / naive: {ours.cpu / naive_run.cpu:.2f}x; "
        f"items written, ours / naive: {ours_calls.items_written / naive_calls.items_written:.2f}x "
        "(one state item per contact: the price of exactly once); "
        f"write units, ours / naive: {ours_calls.write_units / naive_calls.write_units:.2f}x "
        "(transactions bill two per item)"
    )

    if args.with_history:
        with mock_aws(), item_level_rollback():
            customers = create_table("customers")
            full_table = create_table("metrics-full")
            full = build_counter(settings, metrics_table=full_table, customers_table=customers)
            history_calls = DynamoDbCalls()
            customers.meta.client.meta.events.register(
                "before-parameter-build.dynamodb", history_calls
            )
            _, cpu, wall = measured(full_table, lambda: full.count(batch))
        print(
            f"\nwith the customer history: {cpu:.2f} CPU s, {wall:.2f} s wall; "
            f"{history_calls.calls:,} DynamoDB calls in all ({history_calls.calls / contacts:.1f} "
            f"per contact): {dict(history_calls.operations)}"
        )


if __name__ == "__main__":
    main()
