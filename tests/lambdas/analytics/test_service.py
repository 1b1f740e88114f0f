"""Failures inside a batch: only the affected contacts fail, and their retry counts them once."""

from __future__ import annotations

from typing import Any

import pytest
from botocore.exceptions import ClientError

from lambdas.analytics.handler import build_counter
from lambdas.analytics.logic import AggregateKey
from lambdas.analytics.repository import MetricsRepository
from lambdas.analytics.service import ContactRecordCounter
from lambdas.analytics.settings import AnalyticsSettings
from lambdas.common.contact_records import ContactRecord
from lambdas.common.identity import IdentifierKind
from lambdas.common.profiles import Identifier, ProfileRepository
from tests.conftest import Tables
from tests.lambdas.analytics import ctr
from tests.lambdas.analytics.conftest import label, nonzero

SETTINGS = AnalyticsSettings(metrics_table="metrics", customers_table="customers")


def throttled(operation: str) -> ClientError:
    return ClientError(
        {"Error": {"Code": "ProvisionedThroughputExceededException", "Message": "slow down"}},
        operation,
    )


def parsed(*records: dict[str, Any]) -> list[tuple[int, ContactRecord]]:
    return [(index, ContactRecord.model_validate(r)) for index, r in enumerate(records)]


def rows(tables: Tables) -> dict[tuple[str, str, str], dict[str, int]]:
    repository = MetricsRepository(tables.metrics, retention_days=400)
    return {
        label(key): nonzero(counters)
        for key, counters in repository.read_intervals(ctr.DAY, ctr.DAY.replace(day=3))
        if nonzero(counters)
    }


@pytest.fixture()
def counter(tables: Tables) -> ContactRecordCounter:
    return build_counter(SETTINGS, metrics_table=tables.metrics, customers_table=tables.customers)


def test_a_profile_failure_fails_that_contact_only(
    counter: ContactRecordCounter, tables: Tables, monkeypatch: pytest.MonkeyPatch
) -> None:
    assert counter.continuity is not None
    profiles = counter.continuity.profiles
    original = profiles.find_or_create

    def find_or_create(identifier: Identifier, *contact: Any, **defaults: Any) -> Any:
        if identifier.value == ctr.SECOND_CALLER:
            raise throttled("GetItem")
        return original(identifier, *contact, **defaults)

    monkeypatch.setattr(profiles, "find_or_create", find_or_create)
    abandoned = ctr.voice_abandoned()  # the second caller
    outcome = counter.count(parsed(ctr.voice_handled(), abandoned, abandoned))

    assert sorted(index for index, _ in outcome.failed) == [1, 2]  # both copies of that contact
    assert outcome.counted == 1
    assert rows(tables)[("10:00", "VOICE", "support")]["contacts"] == 1

    monkeypatch.setattr(profiles, "find_or_create", original)
    retry = counter.count(parsed(ctr.voice_handled(), abandoned))  # Lambda redelivers from there
    assert retry.failed == [] and retry.counted == 1 and retry.skipped == 1
    assert rows(tables)[("10:00", "VOICE", "support")]["contacts"] == 2


def test_a_write_failure_after_the_history_was_written_is_retried_without_self_repeat(
    counter: ContactRecordCounter, tables: Tables, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The history append happens before the counting transaction; if the transaction fails,
    the replay finds the contact already in the history and must not call it its own repeat."""
    first_call = ctr.ctr("k-1", started=ctr.at(9, 0), queue="support", wait=5, talk=60)
    counter.count(parsed(first_call))
    second_call = ctr.ctr("k-2", started=ctr.at(15, 0), queue="support", wait=5, talk=60)
    new_caller = ctr.ctr(
        "k-3", started=ctr.at(15, 5), caller="+19995550123", queue="support", wait=5, talk=60
    )

    original_commit = MetricsRepository.commit

    def failing_commit(self: MetricsRepository, *args: Any, **kwargs: Any) -> Any:
        raise throttled("TransactWriteItems")

    monkeypatch.setattr(MetricsRepository, "commit", failing_commit)
    outcome = counter.count(parsed(second_call, new_caller))
    assert sorted(index for index, _ in outcome.failed) == [0, 1]
    assert ("15:00", "VOICE", "support") not in rows(tables)

    monkeypatch.setattr(MetricsRepository, "commit", original_commit)
    retry = counter.count(parsed(second_call, new_caller))
    assert retry.failed == [] and retry.counted == 2
    row = rows(tables)[("15:00", "VOICE", "support")]
    assert row["identified"] == 2
    assert row["repeat"] == 1  # k-2 repeats k-1; k-3 is not its own predecessor

    profiles = ProfileRepository(tables.customers)
    caller = profiles.find(Identifier(kind=IdentifierKind.PHONE, value=ctr.CALLER))
    assert caller is not None
    assert [h.contact_id for h in profiles.history(caller.customer_id)] == ["k-2", "k-1"]


def test_a_state_that_moved_under_a_transaction_is_replanned_not_double_counted(
    counter: ContactRecordCounter, tables: Tables, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Another invocation counts the same contact between our read and our write: our
    transaction is cancelled on that state's condition and the contact is replanned from it."""
    record = ctr.voice_handled()
    other = build_counter(SETTINGS, metrics_table=tables.metrics, customers_table=None)
    original_load = MetricsRepository.load_states

    def load_then_race(self: MetricsRepository, contact_ids: Any) -> Any:
        states = original_load(self, contact_ids)
        monkeypatch.setattr(MetricsRepository, "load_states", original_load)
        other.count(parsed(record))  # lands first
        return states

    monkeypatch.setattr(MetricsRepository, "load_states", load_then_race)
    outcome = counter.count(parsed(record, ctr.self_service()))

    assert outcome.failed == []
    assert outcome.skipped == 1  # found counted at this version once replanned
    assert outcome.counted == 1  # the self-service call, re-sent in a new transaction
    table = rows(tables)
    assert table[("10:00", "VOICE", "support")]["contacts"] == 1
    assert table[("10:30", "VOICE", "")]["self_service"] == 1


def test_transaction_conflicts_are_retried(tables: Tables, monkeypatch: pytest.MonkeyPatch) -> None:
    repository = MetricsRepository(tables.metrics, retention_days=400)
    counter = ContactRecordCounter(repository, None, threshold_seconds=20)
    real = repository.client.transact_write_items
    calls = {"n": 0}

    def conflicting(**kwargs: Any) -> Any:
        calls["n"] += 1
        if calls["n"] == 1:
            raise ClientError(
                {
                    "Error": {"Code": "TransactionCanceledException", "Message": "conflict"},
                    "CancellationReasons": [{"Code": "TransactionConflict"}]
                    + [{"Code": "None"}] * (len(kwargs["TransactItems"]) - 1),
                },
                "TransactWriteItems",
            )
        return real(**kwargs)

    monkeypatch.setattr(repository.client, "transact_write_items", conflicting)
    monkeypatch.setattr("lambdas.analytics.repository._backoff", lambda attempt: None)
    outcome = counter.count(parsed(ctr.voice_handled()))
    assert outcome.counted == 1 and calls["n"] == 2
    key = next(iter(outcome.deltas))
    assert isinstance(key, AggregateKey) and outcome.deltas[key]["contacts"] == 1
