"""The supervisor's KPIs computed straight from contact records: the reference the analytics
Lambda's figures are tested against, and the rehearsal's KPIs when the Lambda is not run."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any


@dataclass
class Kpi:
    """Counters for one (channel, queue) or a total; ratios are derived, never stored."""

    contacts: int = 0
    queued: int = 0
    handled: int = 0
    abandoned: int = 0
    callbacks_requested: int = 0
    answered_in_threshold: int = 0
    self_service: int = 0
    queue_full: int = 0  # routed to this queue, refused at capacity (never queued)
    queue_wait_handled: int = 0  # seconds
    handle_time: int = 0  # seconds: talk + hold + after-contact work

    def add(self, other: Kpi) -> None:
        for name in self.__dataclass_fields__:
            setattr(self, name, getattr(self, name) + getattr(other, name))

    @property
    def abandonment_rate(self) -> float | None:
        return self.abandoned / self.queued if self.queued else None

    @property
    def average_speed_of_answer(self) -> float | None:
        return self.queue_wait_handled / self.handled if self.handled else None

    @property
    def average_handle_time(self) -> float | None:
        return self.handle_time / self.handled if self.handled else None

    @property
    def service_level(self) -> float | None:
        return self.answered_in_threshold / self.queued if self.queued else None

    @property
    def self_service_rate(self) -> float | None:
        return self.self_service / self.contacts if self.contacts else None


def latest_versions(records: Iterable[Mapping[str, Any]]) -> list[Mapping[str, Any]]:
    """One record per ContactId, the one with the newest LastUpdateTimestamp (at-least-once)."""
    newest: dict[str, Mapping[str, Any]] = {}
    for record in records:
        contact_id = str(record["ContactId"])
        seen = newest.get(contact_id)
        if seen is None or str(record.get("LastUpdateTimestamp") or "") >= str(
            seen.get("LastUpdateTimestamp") or ""
        ):
            newest[contact_id] = record
    return list(newest.values())


def kpis_from_records(
    records: Iterable[Mapping[str, Any]], *, service_level_seconds: int
) -> dict[tuple[str, str], Kpi]:
    """KPIs per (Channel, queue name), defined as below; "" = never queued.

    queued: reached a queue. handled: connected to an agent. abandoned: the customer left the
    queue before an agent connected (DisconnectReason CUSTOMER_DISCONNECT, no agent); a caller
    who took a callback is not abandoned, the callback contact carries the demand on.
    self-service: an inbound contact that ended in the flow without reaching a queue. A contact
    the flow routed (its `queueName` attribute is set) but that never got into the queue was
    refused at capacity: it is counted as queue full against that queue, not as served.
    """
    table: dict[tuple[str, str], Kpi] = {}
    for record in latest_versions(records):
        queue = record.get("Queue") or None
        agent = record.get("Agent") or None
        routed_to = (record.get("Attributes") or {}).get("queueName")
        name = queue["Name"] if queue else routed_to or ""
        kpi = table.setdefault((str(record["Channel"]), str(name)), Kpi())
        kpi.contacts += 1
        if queue is None:
            if routed_to:
                kpi.queue_full += 1
            elif _customer_started(record):
                kpi.self_service += 1
            continue
        kpi.queued += 1
        wait = int(queue.get("Duration") or 0)
        if agent and agent.get("ConnectedToAgentTimestamp"):
            kpi.handled += 1
            kpi.queue_wait_handled += wait
            kpi.handle_time += (
                int(agent.get("AgentInteractionDuration") or 0)
                + int(agent.get("CustomerHoldDuration") or 0)
                + int(agent.get("AfterContactWorkDuration") or 0)
            )
            if wait <= service_level_seconds:
                kpi.answered_in_threshold += 1
        elif record.get("NextContactId"):
            kpi.callbacks_requested += 1
        elif record.get("DisconnectReason") == "CUSTOMER_DISCONNECT":
            kpi.abandoned += 1
    return table


def _customer_started(record: Mapping[str, Any]) -> bool:
    """Started by the customer: a call or message in, or (not voice) our own Start*Contact API."""
    method = record.get("InitiationMethod")
    return method == "INBOUND" or (method == "API" and record.get("Channel") != "VOICE")
