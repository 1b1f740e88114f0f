"""Counting a batch of parsed contact records, exactly once, and saying which items failed.

Steps for one batch (logic.py explains the exactly-once scheme):
1. collapse the batch to the newest version of each contact;
2. read the contacts' stored states (one BatchGetItem per 100 contacts) and drop every contact
   already counted at this version or a newer one: duplicates and replays stop here, before any
   profile or metrics write;
3. for contacts counted for the first time, identify the customer, decide repeat contacts and
   append the history (continuity.py); contacts counted before keep their stored decision;
4. write the changes chunk by chunk, each chunk one transaction of contact states and net
   aggregate deltas; a chunk whose states moved meanwhile is re-planned from the states the
   cancellation returned.

A contact that fails in step 3 or 4 fails every batch item that carried it; the others are
unaffected. Powertools' partial response then asks Lambda to deliver the failed items again,
and the replay skips whatever was already counted.

Powertools' idempotency utility is not used: it keys on a payload (or part of it) and would
drop a newer version of a contact as a repeat of the first, or count both. The per-contact
version stored with the totals is the idempotency record, written atomically with them.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Generic, TypeVar

from lambdas.analytics.continuity import ContinuityRecorder
from lambdas.analytics.logic import (
    AggregateKey,
    Change,
    ContactState,
    CustomerFacts,
    LatestVersion,
    chunk_changes,
    latest_versions,
    needs_counting,
    net_deltas,
    plan_change,
)
from lambdas.analytics.repository import MetricsRepository
from lambdas.common.contact_records import ContactRecord

SourceT = TypeVar("SourceT")


class ReplanLimitError(RuntimeError):
    """A contact's state kept moving under us; its items are retried by Lambda instead."""


@dataclass
class BatchOutcome(Generic[SourceT]):
    """What happened to a batch: failed items (with why), counts, and the deltas written."""

    failed: list[tuple[SourceT, Exception]] = field(default_factory=list)
    contacts: int = 0
    counted: int = 0
    updated: int = 0
    skipped: int = 0
    transactions: int = 0
    deltas: dict[AggregateKey, dict[str, int]] = field(default_factory=dict)

    def deltas_by_channel(self) -> dict[str, dict[str, int]]:
        totals: dict[str, dict[str, int]] = defaultdict(lambda: defaultdict(int))
        for key, counters in self.deltas.items():
            for name, value in counters.items():
                totals[key.channel][name] += value
        return {channel: dict(counters) for channel, counters in totals.items()}


class ContactRecordCounter:
    """Counts batches of contact records into the metrics table (and the customer history)."""

    def __init__(
        self,
        metrics: MetricsRepository,
        continuity: ContinuityRecorder | None,
        *,
        threshold_seconds: int,
        max_replans: int = 3,
    ) -> None:
        self.metrics = metrics
        self.continuity = continuity
        self.threshold = threshold_seconds
        self.max_replans = max_replans

    def count(self, parsed: Sequence[tuple[SourceT, ContactRecord]]) -> BatchOutcome[SourceT]:
        outcome: BatchOutcome[SourceT] = BatchOutcome()
        latest = latest_versions(parsed)
        outcome.contacts = len(latest)
        if not latest:
            return outcome
        states = self.metrics.load_states(latest)
        pending = {
            contact_id: entry
            for contact_id, entry in latest.items()
            if needs_counting(entry.version, states.get(contact_id))
        }
        outcome.skipped = len(latest) - len(pending)

        facts, failures = self._customer_facts(pending, states)
        for contact_id, error in failures.items():
            self._fail(outcome, pending.pop(contact_id), error)

        changes = []
        for contact_id, entry in pending.items():
            change = plan_change(
                entry.record,
                entry.version,
                states.get(contact_id),
                threshold_seconds=self.threshold,
                customer=facts[contact_id],
            )
            if change is not None:
                changes.append(change)
        self._write(changes, pending, outcome)
        return outcome

    def _customer_facts(
        self,
        pending: dict[str, LatestVersion[SourceT]],
        states: dict[str, ContactState],
    ) -> tuple[dict[str, CustomerFacts], dict[str, Exception]]:
        """Stored decisions for contacts counted before; continuity for first counts."""
        facts: dict[str, CustomerFacts] = {}
        first_counts = []
        for contact_id, entry in pending.items():
            state = states.get(contact_id)
            if state is not None:
                facts[contact_id] = CustomerFacts(state.customer_id, state.repeat)
            else:
                first_counts.append(entry.record)
        if self.continuity is None:
            facts.update({record.contact_id: CustomerFacts() for record in first_counts})
            return facts, {}
        result = self.continuity.record(first_counts)
        facts.update(result.facts)
        return facts, result.failures

    def _write(
        self,
        changes: list[Change],
        pending: dict[str, LatestVersion[SourceT]],
        outcome: BatchOutcome[SourceT],
    ) -> None:
        written: list[dict[AggregateKey, dict[str, int]]] = []
        queue = [(chunk, 0) for chunk in chunk_changes(changes)]
        while queue:
            chunk, replans = queue.pop(0)
            deltas = net_deltas(chunk)
            try:
                result = self.metrics.commit(chunk, deltas)
                outcome.transactions += 1
            except Exception as error:  # throttling beyond retries, service errors
                for change in chunk:
                    self._fail(outcome, pending[change.contact_id], error)
                continue
            if result.committed:
                written.append(deltas)
                for change in chunk:
                    if change.old is None:
                        outcome.counted += 1
                    else:
                        outcome.updated += 1
                continue
            replanned = []
            for change in chunk:
                entry = pending[change.contact_id]
                if change.contact_id not in result.stale:
                    replanned.append(change)
                    continue
                if replans >= self.max_replans:
                    self._fail(outcome, entry, ReplanLimitError(change.contact_id))
                    continue
                stored = result.stale[change.contact_id]
                customer = (
                    CustomerFacts(stored.customer_id, stored.repeat) if stored else change.customer
                )
                again = plan_change(
                    entry.record,
                    entry.version,
                    stored,
                    threshold_seconds=self.threshold,
                    customer=customer,
                )
                if again is None:
                    outcome.skipped += 1  # counted meanwhile at this version or newer
                else:
                    replanned.append(again)
            queue.extend((again_chunk, replans + 1) for again_chunk in chunk_changes(replanned))
        outcome.deltas = _merge(written)

    @staticmethod
    def _fail(
        outcome: BatchOutcome[SourceT], entry: LatestVersion[SourceT], error: Exception
    ) -> None:
        outcome.failed.extend((source, error) for source in entry.sources)


def _merge(
    deltas: Sequence[dict[AggregateKey, dict[str, int]]],
) -> dict[AggregateKey, dict[str, int]]:
    merged: dict[AggregateKey, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    for chunk in deltas:
        for key, counters in chunk.items():
            for name, value in counters.items():
                merged[key][name] += value
    return {key: dict(counters) for key, counters in merged.items()}
