"""A variant's day after planning: its contacts through the entry flows (`route_day`), then the
ACD, the contact records and the KPI stage (`finish_variant`)."""

from __future__ import annotations

import time
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from contextlib import AbstractContextManager, nullcontext
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from config import ContactCenterConfig
from local_connect.acd import (
    ContactRequest,
    ContactResult,
    Simulator,
    StaffingStep,
    profiles_from_config,
)
from local_connect.records import Contact, Instance, contact_record
from local_connect.rehearsal.analytics import KpiStage
from local_connect.rehearsal.planning import PlannedDay
from local_connect.rehearsal.results import VariantRun
from local_connect.rehearsal.routing import (
    EntryRouter,
    FlowOutcome,
    RouterFactory,
    routing_summary,
)
from local_connect.scenarios.traffic import ArrivingContact, Customer

# Fictional numbers (555-01xx) shown as the SystemEndpoint the customer dialled or texted.
SYSTEM_NUMBERS = {"voice": "+18005550199", "sms": "+18335550142"}


def staffing_steps(plan: Mapping[str, Mapping[int, int]]) -> list[StaffingStep]:
    """Head counts by local hour -> the simulator's steps (a change at each listed hour)."""
    steps = []
    for profile, hours in plan.items():
        for hour in sorted(hours):
            steps.append(StaffingStep(start=hour * 3600.0, profile=profile, agents=hours[hour]))
    return steps


@dataclass
class RoutedContacts:
    """Where the entry flows left a run of contacts: ACD requests for the queued, the rest ended."""

    requests: list[ContactRequest]
    ended_in_flow: dict[str, tuple[ArrivingContact, FlowOutcome]]
    routed: dict[str, tuple[ArrivingContact, FlowOutcome]]
    tally: Counter[str]
    seconds: float

    @classmethod
    def joined(cls, parts: Sequence[RoutedContacts]) -> RoutedContacts:
        """Consecutive parts of one day, in order: the same as routing the day in one go."""
        return cls(
            requests=[request for part in parts for request in part.requests],
            ended_in_flow={k: v for part in parts for k, v in part.ended_in_flow.items()},
            routed={k: v for part in parts for k, v in part.routed.items()},
            tally=sum((part.tally for part in parts), Counter()),
            seconds=sum(part.seconds for part in parts),
        )


def route_day(
    router_factory: RouterFactory,
    config: ContactCenterConfig,
    contacts: Sequence[ArrivingContact],
    day_start: datetime,
) -> RoutedContacts:
    """A run of contacts through the entry flows, with a router of its own.

    Contacts are independent here (the flows only read the customers table), so a day can be
    routed in consecutive parts, in parallel, and joined (`RoutedContacts.joined`).
    """
    started = time.perf_counter()
    # The entry flows look up only these callers: seeding the rest of the population
    # (two-thirds of the known customers in dmv, 20 s of moto writes) would change no answer.
    router = router_factory(config, day_customers(contacts))
    with router if isinstance(router, AbstractContextManager) else nullcontext():
        requests, ended_in_flow, routed = route_contacts(router, contacts, day_start)
    return RoutedContacts(
        requests, ended_in_flow, routed, router.tally(), time.perf_counter() - started
    )


def finish_variant(
    planned: PlannedDay,
    routing: RoutedContacts,
    *,
    kpi_stage: KpiStage,
    service_level_seconds: int,
) -> VariantRun:
    """The routed day through the ACD, into contact records and through the analytics."""
    config = planned.config
    timings = {**planned.timings, "flows": routing.seconds}
    started = time.perf_counter()
    simulator = Simulator(
        profiles_from_config(config),
        staffing_steps(planned.staffing),
        callbacks=planned.callbacks,
        capacity={q: cfg.max_contacts for q, cfg in config.queues.items() if cfg.max_contacts},
        # The entry flows' QueueAtCapacity branch books callbacks in ${queue:routing.default_queue}.
        overflow_queue=config.routing.default_queue,
    )
    simulation = simulator.run(routing.requests)
    timings["acd"] = time.perf_counter() - started

    started = time.perf_counter()
    instance = Instance(day_start=planned.day_start, phone_numbers=SYSTEM_NUMBERS)
    records = build_records(
        instance, routing.ended_in_flow.values(), routing.routed, simulation.contacts
    )
    timings["records"] = time.perf_counter() - started

    started = time.perf_counter()
    rows, source = kpi_stage(config, records, service_level_seconds)
    timings["analytics"] = time.perf_counter() - started
    return VariantRun(
        name=planned.name,
        description=planned.description,
        config=config,
        contacts=planned.contacts,
        simulation=simulation,
        records=records,
        rows=rows,
        kpi_source=source,
        service_level_seconds=service_level_seconds,
        day_start=planned.day_start,
        routing=routing_summary(routing.tally),
        timings=timings,
        reminders=planned.reminders,
    )


def day_customers(contacts: Sequence[ArrivingContact]) -> list[Customer]:
    """Each customer who gets in touch during the day, once, in order of first contact."""
    return list({contact.customer.index: contact.customer for contact in contacts}.values())


def route_contacts(
    router: EntryRouter, contacts: Sequence[ArrivingContact], day_start: datetime
) -> tuple[
    list[ContactRequest],
    dict[str, tuple[ArrivingContact, FlowOutcome]],
    dict[str, tuple[ArrivingContact, FlowOutcome]],
]:
    """Each contact through its entry flow: ACD requests for the queued, the rest ended."""
    requests: list[ContactRequest] = []
    ended_in_flow: dict[str, tuple[ArrivingContact, FlowOutcome]] = {}
    routed: dict[str, tuple[ArrivingContact, FlowOutcome]] = {}
    for contact in contacts:
        if contact.self_service:
            # The customer got what they needed from the flow and left before any queue.
            outcome = FlowOutcome(
                queue=None,
                attributes={"intent": contact.routes_as},
                disconnect_reason="CUSTOMER_DISCONNECT",
            )
            ended_in_flow[contact.contact_id] = (contact, outcome)
            continue
        outcome = router.route(contact, day_start + timedelta(seconds=contact.initiated))
        if outcome.queue is None:
            ended_in_flow[contact.contact_id] = (contact, outcome)
            continue
        routed[contact.contact_id] = (contact, outcome)
        requests.append(
            ContactRequest(
                contact_id=contact.contact_id,
                channel=contact.connect_channel,
                queue=outcome.queue,
                arrival=contact.initiated + contact.seconds_in_flow,
                talk=contact.talk,
                priority=outcome.priority,
                patience=contact.patience,
                hold=contact.hold,
                after_contact_work=contact.after_contact_work,
                accepts_callback=contact.accepts_callback,
                callback_contact_id=contact.callback_contact_id,
                callback_answers=contact.callback_answers,
            )
        )
    return requests, ended_in_flow, routed


def build_records(
    instance: Instance,
    ended_in_flow: Iterable[tuple[ArrivingContact, FlowOutcome]],
    routed: Mapping[str, tuple[ArrivingContact, FlowOutcome]],
    results: Iterable[ContactResult],
) -> list[dict[str, Any]]:
    records = []
    for contact, outcome in ended_in_flow:
        records.append(
            contact_record(
                instance,
                _record_contact(
                    contact, outcome, flow_ended=contact.initiated + contact.seconds_in_flow
                ),
                None,
            )
        )
    for result in results:
        # A callback contact carries the attributes and endpoint of the call that booked it.
        origin = result.previous_contact_id or result.contact_id
        contact, outcome = routed[origin]
        records.append(contact_record(instance, _record_contact(contact, outcome), result))
    return records


def _record_contact(
    contact: ArrivingContact, outcome: FlowOutcome, flow_ended: float | None = None
) -> Contact:
    return Contact(
        contact_id=contact.contact_id,
        channel=contact.channel,
        initiated=contact.initiated,
        customer_phone=contact.customer.phone,
        attributes={
            **outcome.attributes,
            "scenarioIntent": contact.intent,
            "scenarioChannel": contact.channel,
        },
        flow_ended=flow_ended,
        flow_disconnect_reason=outcome.disconnect_reason,
        recorded=outcome.recorded,
    )
