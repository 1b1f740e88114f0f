"""The local rehearsal: a scenario's day played through the flows, the ACD and the analytics.

For each variant of a scenario:
1. the traffic generator draws the day's contacts (`local_connect.scenarios.traffic`);
2. each contact's entry flow decides its queue, priority and attributes (`EntryRouter`);
3. the ACD simulator plays queues, agents, patience and callbacks (`local_connect.acd`);
4. every contact becomes a contact record in Connect's format (`local_connect.ctr`);
5. the records go through the contact-record stream to the analytics Lambda, whose metrics
   become the supervisor's KPI table (`AnalyticsStage`), or, when no analytics handler exists,
   the KPIs are computed straight from the records and the table says so;
then the variants are compared and a chart of the day is drawn.
"""

from __future__ import annotations

import contextlib
import io
import math
import multiprocessing
import os
import time
from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from concurrent.futures import ProcessPoolExecutor, as_completed
from contextlib import AbstractContextManager, nullcontext
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from datetime import time as clock
from functools import partial
from pathlib import Path
from typing import Any, Protocol
from unittest.mock import patch
from zoneinfo import ZoneInfo

from config import ContactCenterConfig
from config.model import FlowType
from flowlang.loader import load_flow
from lambdas.analytics.logic import summarize
from local_connect.acd import (
    CallbackPolicy,
    ContactRequest,
    ContactResult,
    Outcome,
    SimulationResult,
    Simulator,
    StaffingStep,
    profiles_from_config,
)
from local_connect.ctr import (
    Contact,
    ContactRecordStream,
    Instance,
    Kpi,
    contact_record,
    kpis_from_records,
)
from local_connect.reminders import ReminderTraffic, send_reminders
from local_connect.scenarios import Scenario
from local_connect.scenarios.traffic import ArrivingContact, Customer, customers, generate

FLOWS_DIR = Path(__file__).resolve().parents[1] / "contact_flows"
# Fictional numbers (555-01xx) shown as the SystemEndpoint the customer dialled or texted.
SYSTEM_NUMBERS = {"voice": "+18005550199", "sms": "+18335550142"}
DEFAULT_PRIORITY = 5  # Connect's default queue priority when a flow sets none
INTERVAL_SECONDS = 900  # Connect's historical metrics interval, and ours
# A rate from a handful of contacts is noise a supervisor would read as an incident (the two
# calls that reach the queue just after closing make "100% abandoned at 18:00"): the chart
# leaves such intervals blank, at the floor the dashboard's rate alarms use
# (infra/constructs/observability.py MIN_QUEUED_FOR_RATES). The KPI tables count every contact.
MIN_CHARTED_QUEUED = 10


# -- entry flows ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class FlowOutcome:
    """Where a contact's entry flow left it: a queue (with priority) or the end of the flow."""

    queue: str | None
    priority: int = DEFAULT_PRIORITY
    attributes: Mapping[str, str] = field(default_factory=dict)
    disconnect_reason: str = "CONTACT_FLOW_DISCONNECT"


LAMBDA_ERRORS = "Lambda errors"


class EntryRouter(Protocol):
    """Runs a contact's entry flow; `tally` counts how contacts left the flows, for the report
    (where each ended, and `LAMBDA_ERRORS`), so the tallies of a day's parts add up."""

    def route(self, contact: ArrivingContact, at: datetime) -> FlowOutcome: ...

    def tally(self) -> Counter[str]: ...


def routing_summary(tally: Mapping[str, int]) -> str:
    outcomes = Counter({what: n for what, n in tally.items() if what != LAMBDA_ERRORS})
    parts = ", ".join(f"{count:,} {what}" for what, count in outcomes.most_common())
    errors = tally.get(LAMBDA_ERRORS, 0)
    return f"entry flows run with their Lambdas: {parts}" + (
        f"; {errors:,} {LAMBDA_ERRORS}" if errors else ""
    )


# -- the AWS side, under moto ---------------------------------------------------------------------

LOCAL_STREAM_SHARDS = 8
DATA_CONSTRUCT = Path(__file__).resolve().parents[1] / "infra" / "constructs" / "data.py"


@dataclass(frozen=True)
class LocalResources:
    """Names of the moto resources one variant's day runs against."""

    customers_table: str = "customers"
    metrics_table: str = "metrics"
    idempotency_table: str = "idempotency"
    contact_record_stream: str = "contact-records"


def data_constants(path: Path = DATA_CONSTRUCT) -> dict[str, str]:
    """Key and TTL attribute names from the data construct, read without importing aws_cdk.

    The tables the Lambdas use are defined once, in `infra/constructs/data.py`; importing it
    would load the CDK (seconds), so its module-level string constants are read from the
    source. A test checks them against the synthesized template.
    """
    import ast

    constants: dict[str, str] = {}
    for node in ast.parse(path.read_text(encoding="utf-8")).body:
        if (
            isinstance(node, ast.Assign)
            and len(node.targets) == 1
            and isinstance(node.targets[0], ast.Name)
            and isinstance(node.value, ast.Constant)
            and isinstance(node.value.value, str)
        ):
            constants[node.targets[0].id] = node.value.value
    return constants


def create_resources(names: LocalResources, *, region: str) -> None:
    """The Data stack's tables and contact-record stream, in whatever moto mock is active."""
    import boto3

    keys = data_constants()
    dynamodb = boto3.client("dynamodb", region_name=region)
    tables = {
        names.customers_table: ([keys["PARTITION_KEY"], keys["SORT_KEY"]], keys["TTL_ATTRIBUTE"]),
        names.metrics_table: ([keys["PARTITION_KEY"], keys["SORT_KEY"]], keys["TTL_ATTRIBUTE"]),
        names.idempotency_table: ([keys["IDEMPOTENCY_KEY"]], keys["IDEMPOTENCY_TTL"]),
    }
    for table, (key_names, ttl) in tables.items():
        dynamodb.create_table(
            TableName=table,
            KeySchema=[
                {"AttributeName": name, "KeyType": "HASH" if index == 0 else "RANGE"}
                for index, name in enumerate(key_names)
            ],
            AttributeDefinitions=[
                {"AttributeName": name, "AttributeType": "S"} for name in key_names
            ],
            BillingMode="PAY_PER_REQUEST",
        )
        dynamodb.update_time_to_live(
            TableName=table, TimeToLiveSpecification={"Enabled": True, "AttributeName": ttl}
        )
    # The Data stack provisions one shard. moto appends to a shard in time linear in the
    # records already there (quadratic over a day), so the local stream spreads the day over
    # a few shards; ordering still holds per ContactId (the partition key), as in Kinesis.
    boto3.client("kinesis", region_name=region).create_stream(
        StreamName=names.contact_record_stream, ShardCount=LOCAL_STREAM_SHARDS
    )


class AnalyticsStage:
    """The KPI stage the deployed contact center has: the records go through the moto
    contact-record stream, come back as Lambda's Kinesis events, and the real analytics handler
    counts them into the metrics table; the KPIs are read back from that table.

    Each variant gets a fresh moto account, so variants never see each other's data. The
    customer history is off (`CUSTOMER_HISTORY=false`): over moto it costs about four requests a
    contact, minutes a day, and only repeat-contact rates depend on it.
    """

    def __init__(self, region: str = "us-east-1", batch_size: int = 500) -> None:
        self.region = region
        self.batch_size = batch_size

    def __call__(
        self, config: ContactCenterConfig, records: list[dict[str, Any]], service_level_seconds: int
    ) -> tuple[dict[tuple[str, str], Kpi], str]:
        import boto3
        from moto import mock_aws

        from lambdas.analytics import handler
        from lambdas.analytics.repository import MetricsRepository
        from local_connect.moto_transactions import item_level_rollback

        names = LocalResources()
        settings = {
            "AWS_DEFAULT_REGION": self.region,
            "METRICS_TABLE": names.metrics_table,
            "CUSTOMERS_TABLE": names.customers_table,
            "CUSTOMER_HISTORY": "false",
            "SERVICE_LEVEL_THRESHOLD_SECONDS": str(service_level_seconds),
            "METRICS_RETENTION_DAYS": str(config.retention.metrics_days),
            "POWERTOOLS_TRACE_DISABLED": "true",
            "POWERTOOLS_LOG_LEVEL": "WARNING",
        }
        # Powertools reads the namespace once, when the handler module is imported.
        namespace = handler.metrics.provider.namespace or "ContactCenterLocal"
        batches = 0
        with (
            mock_aws(),
            item_level_rollback(),
            patch.dict(os.environ, settings),
            patch.object(handler.metrics.provider, "namespace", namespace),
            contextlib.redirect_stdout(io.StringIO()),  # the handler's EMF metrics
        ):
            create_resources(names, region=self.region)
            stream = ContactRecordStream(
                boto3.client("kinesis", region_name=self.region), names.contact_record_stream
            )
            stream.put(records)
            handler.settings.cache_clear()
            handler.counter.cache_clear()
            # The Logger keeps the level and the stream it had at import: quiet it for the day.
            level = handler.logger.log_level
            handler.logger.setLevel("WARNING")
            try:
                for event in stream.lambda_events(self.batch_size):
                    response = handler.handler(event, _LambdaContext())  # type: ignore[arg-type]
                    batches += 1
                    if response.get("batchItemFailures"):
                        failed = len(response["batchItemFailures"])
                        raise RuntimeError(f"analytics failed {failed} contact record(s)")
                table = boto3.resource("dynamodb", region_name=self.region).Table(
                    names.metrics_table
                )
                start, end = _records_window(records)
                rows = MetricsRepository(table, retention_days=1).read_intervals(start, end)
            finally:
                handler.logger.setLevel(level)
                handler.settings.cache_clear()
                handler.counter.cache_clear()
        kpis: dict[tuple[str, str], Kpi] = {}
        for group, counted in summarize(rows, threshold_seconds=service_level_seconds).items():
            kpis[group] = Kpi(
                contacts=counted.contacts,
                queued=counted.queued,
                handled=counted.handled,
                abandoned=counted.abandoned,
                callbacks_requested=counted.callbacks_requested,
                answered_in_threshold=counted.answered_in_threshold,
                self_service=counted.self_service,
                queue_full=counted.queue_full,
                queue_wait_handled=counted.queue_wait_handled,
                handle_time=counted.handle_time,
            )
        return (
            kpis,
            f"counted by the analytics handler from {len(records):,} records in {batches} "
            "Kinesis batches read back from the contact-record stream",
        )


def _records_window(records: Sequence[Mapping[str, Any]]) -> tuple[datetime, datetime]:
    """Whole UTC days around every record: callbacks can spill past midnight."""
    starts = [
        datetime.fromisoformat(str(record["InitiationTimestamp"]).replace("Z", "+00:00"))
        for record in records
    ]
    first = datetime.combine(min(starts).date(), clock(0), tzinfo=UTC)
    return first, datetime.combine(max(starts).date(), clock(0), tzinfo=UTC) + timedelta(days=2)


class _LambdaContext:
    function_name = "analytics-local"
    memory_limit_in_mb = 1024
    invoked_function_arn = "arn:aws:lambda:us-east-1:000000000000:function:analytics-local"
    aws_request_id = "local"


# -- one variant -----------------------------------------------------------------------------------


@dataclass
class VariantRun:
    name: str
    description: str
    config: ContactCenterConfig
    contacts: list[ArrivingContact]
    simulation: SimulationResult
    records: list[dict[str, Any]]
    kpis: dict[tuple[str, str], Kpi]
    kpi_source: str
    routing: str
    timings: dict[str, float]
    reminders: ReminderTraffic | None = None

    def total(self, channel: str | None = None) -> Kpi:
        total = Kpi()
        for (record_channel, _queue), kpi in self.kpis.items():
            if channel is None or record_channel == channel:
                total.add(kpi)
        return total

    def outcomes(self, outcome: Outcome, channel: str | None = None) -> int:
        return sum(
            1
            for c in self.simulation.contacts
            if c.outcome is outcome and (channel is None or c.channel == channel)
        )

    def callbacks(self) -> int:
        """Callback contacts booked: from the queue's offer and from the queue-full branch."""
        return sum(1 for c in self.simulation.contacts if c.initiation_method == "CALLBACK")

    def inbound(self, channel: str | None = None) -> int:
        """Contacts customers started (callbacks excluded), including those ended in the flow."""
        return sum(
            1 for contact in self.contacts if channel is None or contact.connect_channel == channel
        )


@dataclass
class Rehearsal:
    scenario: Scenario
    service_level_seconds: int
    runs: list[VariantRun]
    wall_seconds: float

    @property
    def contacts(self) -> int:
        return sum(len(run.contacts) for run in self.runs)


RouterFactory = Callable[[ContactCenterConfig, Sequence[Customer]], EntryRouter]
KpiStage = Callable[
    [ContactCenterConfig, list[dict[str, Any]], int], tuple[dict[tuple[str, str], Kpi], str]
]


def records_only(
    config: ContactCenterConfig, records: list[dict[str, Any]], service_level_seconds: int
) -> tuple[dict[tuple[str, str], Kpi], str]:
    """KPIs computed from the records themselves, without the analytics Lambda."""
    return (
        kpis_from_records(records, service_level_seconds=service_level_seconds),
        "computed from the contact records (analytics Lambda not run)",
    )


def variant_config(config: ContactCenterConfig, channels: Iterable[str]) -> ContactCenterConfig:
    """The config with only the variant's channels switched on, re-validated like a YAML edit."""
    raw = config.model_dump(mode="json")
    wanted = set(channels)
    raw["channels"] = {name: name in wanted for name in raw["channels"]}
    return ContactCenterConfig.model_validate(raw)


def local_zone(config: ContactCenterConfig) -> ZoneInfo:
    """The time zone of the default queue's hours: the contact center's own clock."""
    default_queue = config.queues[config.routing.default_queue]
    return ZoneInfo(config.hours[default_queue.hours].time_zone)


def staffing_steps(plan: Mapping[str, Mapping[int, int]]) -> list[StaffingStep]:
    """Head counts by local hour -> the simulator's steps (a change at each listed hour)."""
    steps = []
    for profile, hours in plan.items():
        for hour in sorted(hours):
            steps.append(StaffingStep(start=hour * 3600.0, profile=profile, agents=hours[hour]))
    return steps


def callback_policy(config: ContactCenterConfig, scenario: Scenario) -> CallbackPolicy | None:
    """Queued callbacks as the config enables them and the customer queue flow books them.

    `MaximumConnectionAttempts` and `RetryDelaySeconds` are read from the CreateCallbackContact
    action of the config's CUSTOMER_QUEUE flow, so the rehearsal retries the way the flow does.
    """
    if not config.callbacks.enabled or scenario.callbacks is None:
        return None
    attempts, retry_delay = 1, 600.0
    for name, flow in config.flows.items():
        if flow.type is not FlowType.CUSTOMER_QUEUE:
            continue
        document = load_flow(FLOWS_DIR / flow.file_name(name))
        for action in document.actions.values():
            if action.type == "CreateCallbackContact":
                attempts = int(action.parameters.get("MaximumConnectionAttempts", attempts))
                retry_delay = float(action.parameters.get("RetryDelaySeconds", retry_delay))
    return CallbackPolicy(
        offer_after=float(config.callbacks.offer_after_seconds),
        ring_seconds=scenario.callbacks.ring_seconds,
        retry_delay=retry_delay,
        max_attempts=attempts,
    )


@dataclass
class PlannedDay:
    """A variant's day before its flows run: the config it plays, its contacts, its reminders."""

    name: str
    description: str
    config: ContactCenterConfig
    contacts: list[ArrivingContact]
    staffing: Mapping[str, Mapping[int, int]]
    callbacks: CallbackPolicy | None
    day_start: datetime
    reminders: ReminderTraffic | None
    timings: dict[str, float]


def plan_variant(
    scenario: Scenario, base_config: ContactCenterConfig, name: str, *, population: list[Customer]
) -> PlannedDay:
    """Reminders sent the evening before (they change demand), then the day's contacts drawn."""
    timings: dict[str, float] = {}
    started = time.perf_counter()
    variant = scenario.variants[name]
    config = variant_config(base_config, variant.channels)
    policy = callback_policy(config, scenario)
    reminders = None
    if variant.reminders is not None:
        plan = variant.reminders
        reminders = send_reminders(
            base_config,
            plan,
            population,
            day=scenario.date,
            zone=local_zone(config),
            seed=scenario.seed,
        )
        factors = dict(variant.demand_factor)
        factors[plan.intent] = factors.get(plan.intent, 1.0) * reminders.demand_factor(plan)
        variant = variant.model_copy(update={"demand_factor": factors})
        scenario = scenario.model_copy(update={"variants": {**scenario.variants, name: variant}})
        timings["reminders"] = time.perf_counter() - started
    contacts = generate(
        scenario,
        name,
        population=population,
        callbacks_offered=policy is not None,
        callback_attempts=policy.max_attempts if policy else 1,
    )
    timings["traffic"] = time.perf_counter() - started
    return PlannedDay(
        name=name,
        description=variant.description,
        config=config,
        contacts=contacts,
        staffing=scenario.staffing_for(name),
        callbacks=policy,
        day_start=datetime.combine(scenario.date, clock(0), tzinfo=local_zone(config)),
        reminders=reminders,
        timings=timings,
    )


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
    kpis, source = kpi_stage(config, records, service_level_seconds)
    timings["analytics"] = time.perf_counter() - started
    return VariantRun(
        name=planned.name,
        description=planned.description,
        config=config,
        contacts=planned.contacts,
        simulation=simulation,
        records=records,
        kpis=kpis,
        kpi_source=source,
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
                arrival=contact.initiated + contact.flow_seconds,
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
                    contact, outcome, flow_ended=contact.initiated + contact.flow_seconds
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
    )


def rehearse(
    scenario: Scenario,
    config: ContactCenterConfig,
    *,
    variants: Sequence[str] | None = None,
    router_factory: RouterFactory | None = None,
    kpi_stage: KpiStage = records_only,
    workers: int = 1,
    progress: Progress | None = None,
) -> Rehearsal:
    """Plays every variant (or those named) of the scenario against `config`.

    Variants are independent days (own seed, own moto accounts), and a day's entry flows can
    run in consecutive parts, so with `workers` > 1 the variants' plans, their flows (in parts)
    and their ACD and analytics run in parallel processes; the results are the same either
    way. `router_factory` and `kpi_stage` must then be picklable (module-level functions or simple objects). By default
    the stage's entry flows are interpreted with the real flow Lambdas
    (local_connect.flow_router). `progress` hears of each step and of each job done, in this
    process, as the jobs finish.
    """
    if router_factory is None:
        from local_connect.flow_router import flow_router

        router_factory = flow_router
    started = time.perf_counter()
    names = list(variants) if variants else list(scenario.variants)
    unknown = [name for name in names if name not in scenario.variants]
    if unknown:
        raise KeyError(
            f"unknown variant(s) {', '.join(unknown)} (scenario {scenario.name} has "
            f"{', '.join(scenario.variants)})"
        )
    threshold = scenario.service_level_seconds or config.alarms.service_level_threshold_seconds
    population = customers(scenario)
    step = progress or _no_progress
    with _pool(workers) as run:
        with step("planning the variants' days", len(names)) as advance:
            plans = run(
                partial(plan_variant, scenario, config, population=population),
                names,
                lambda _: advance(1),
            )
        # Each day in parts, every part its own job: the flows are most of a day's work, and
        # parts keep all workers busy even when there are fewer variants than workers.
        parts = [_parts(plan.contacts, workers) for plan in plans]
        jobs = [
            (plan.config, plan.day_start, part)
            for plan, day in zip(plans, parts, strict=True)
            for part in day
        ]
        contacts = sum(len(plan.contacts) for plan in plans)
        with step("routing contacts through the entry flows", contacts) as advance:
            routed = iter(
                run(partial(_route_part, router_factory), jobs, lambda job: advance(len(job[2])))
            )
        routings = [RoutedContacts.joined([next(routed) for _ in day]) for day in parts]
        with step("ACD, contact records and analytics per variant", len(plans)) as advance:
            runs = run(
                partial(_finish, kpi_stage=kpi_stage, service_level_seconds=threshold),
                list(zip(plans, routings, strict=True)),
                lambda _: advance(1),
            )
    return Rehearsal(
        scenario=scenario,
        service_level_seconds=threshold,
        runs=runs,
        wall_seconds=time.perf_counter() - started,
    )


Progress = Callable[[str, int], AbstractContextManager[Callable[[int], object]]]
"""Opens a counted step (what, how many); inside it, call the function with each amount done."""


@contextlib.contextmanager
def _no_progress(step: str, total: int) -> Iterator[Callable[[int], object]]:
    yield lambda done: None


# (function, inputs, called with each input as its job finishes) -> results in input order
Mapper = Callable[[Callable[[Any], Any], Sequence[Any], Callable[[Any], object]], list[Any]]


@contextlib.contextmanager
def _pool(workers: int) -> Iterator[Mapper]:
    """`map` over a pool of forked processes (they inherit the imported modules), or in this
    process when there is one worker. Results keep the order of the inputs either way."""
    if workers <= 1:

        def in_process(
            function: Callable[[Any], Any], items: Sequence[Any], finished: Callable[[Any], object]
        ) -> list[Any]:
            results = []
            for item in items:
                results.append(function(item))
                finished(item)
            return results

        yield in_process
        return
    context = multiprocessing.get_context("fork")
    with ProcessPoolExecutor(max_workers=workers, mp_context=context) as pool:

        def in_pool(
            function: Callable[[Any], Any], items: Sequence[Any], finished: Callable[[Any], object]
        ) -> list[Any]:
            jobs = {pool.submit(function, item): item for item in items}
            for job in as_completed(jobs):
                job.result()  # a failed job fails the step at once
                finished(jobs[job])
            return [job.result() for job in jobs]

        yield in_pool


def _parts(contacts: list[ArrivingContact], workers: int) -> list[list[ArrivingContact]]:
    """Consecutive parts of a day: two per worker, so a slow part does not hold the others."""
    size = max(1, math.ceil(len(contacts) / (2 * workers if workers > 1 else 1)))
    return [contacts[i : i + size] for i in range(0, len(contacts), size)] or [[]]


def _route_part(
    router_factory: RouterFactory,
    job: tuple[ContactCenterConfig, datetime, list[ArrivingContact]],
) -> RoutedContacts:
    config, day_start, contacts = job  # not the whole plan: each part ships only its contacts
    return route_day(router_factory, config, contacts, day_start)


def _finish(
    job: tuple[PlannedDay, RoutedContacts],
    *,
    kpi_stage: KpiStage,
    service_level_seconds: int,
) -> VariantRun:
    plan, routing = job
    return finish_variant(
        plan, routing, kpi_stage=kpi_stage, service_level_seconds=service_level_seconds
    )


# -- the supervisor's tables -------------------------------------------------------------------------


def _percent(value: float | None) -> str:
    return "-" if value is None else f"{100 * value:.1f}%"


def _seconds(value: float | None) -> str:
    return "-" if value is None else f"{value:.0f} s"


def kpi_table(run: VariantRun, service_level_seconds: int) -> str:
    header = (
        f"{'channel':<7} {'queue':<13} {'contacts':>8} {'queued':>7} {'handled':>8} "
        f"{'abandoned':>9} {'aband.':>7} {'ASA':>7} {'AHT':>7} {f'SL {service_level_seconds}s':>7} "
        f"{'q. full':>7} {'self-svc':>8}"
    )
    lines = [header, "-" * len(header)]

    def row(channel: str, queue: str, kpi: Kpi) -> str:
        return (
            f"{channel:<7} {queue:<13} {kpi.contacts:>8,} {kpi.queued:>7,} {kpi.handled:>8,} "
            f"{kpi.abandoned:>9,} {_percent(kpi.abandonment_rate):>7} "
            f"{_seconds(kpi.average_speed_of_answer):>7} {_seconds(kpi.average_handle_time):>7} "
            f"{_percent(kpi.service_level):>7} {kpi.queue_full:>7,} "
            f"{_percent(kpi.self_service_rate):>8}"
        )

    channels = sorted({channel for channel, _ in run.kpis})
    for channel in channels:
        for (record_channel, queue), kpi in sorted(run.kpis.items()):
            if record_channel == channel:
                lines.append(row(channel, queue or "(no queue)", kpi))
        lines.append(row(channel, "all queues", run.total(channel)))
    lines.append(row("all", "all queues", run.total()))
    return "\n".join(lines)


def comparison_table(rehearsal: Rehearsal) -> str:
    runs = rehearsal.runs
    width = max(12, *(len(run.name) for run in runs))
    header = f"{'':<28}" + "".join(f"{run.name:>{width + 2}}" for run in runs)
    lines = [header, "-" * len(header)]

    def add(label: str, values: Iterable[str]) -> None:
        lines.append(f"{label:<28}" + "".join(f"{value:>{width + 2}}" for value in values))

    add("customer contacts", (f"{run.inbound():,}" for run in runs))
    for channel in ("VOICE", "CHAT"):
        if not any(run.total(channel).contacts for run in runs):
            continue
        name = channel.lower()
        add(f"{name} contacts", (f"{run.inbound(channel):,}" for run in runs))
        add(f"{name} queue full", (f"{run.total(channel).queue_full:,}" for run in runs))
        add(f"{name} abandonment", (_percent(run.total(channel).abandonment_rate) for run in runs))
        add(f"{name} ASA", (_seconds(run.total(channel).average_speed_of_answer) for run in runs))
        add(
            f"{name} service level {rehearsal.service_level_seconds}s",
            (_percent(run.total(channel).service_level) for run in runs),
        )
    if any(run.reminders for run in runs):
        for outcome, label in (("sent", "sent"), ("opted_out", "refused, opted out")):
            add(
                f"reminders {label}",
                (
                    f"{run.reminders.counts.get(outcome, 0):,}" if run.reminders else "-"
                    for run in runs
                ),
            )
    add("callbacks booked", (f"{run.callbacks():,}" for run in runs))
    add("callbacks still queued", (f"{run.outcomes(Outcome.UNSERVED):,}" for run in runs))
    add(
        "agent-hours staffed",
        (f"{sum(run.simulation.staffed_seconds.values()) / 3600:,.0f}" for run in runs),
    )
    add("agent occupancy", (_percent(run.simulation.occupancy()) for run in runs))
    if any(run.simulation.channel_busy_seconds.get("CHAT") for run in runs):
        add(
            "agent-hours on chat",
            (f"{run.simulation.channel_busy_seconds.get('CHAT', 0.0) / 3600:,.0f}" for run in runs),
        )
        add("chats held at once", (_ratio(run.simulation.concurrency_used("CHAT")) for run in runs))
    baseline = runs[0].inbound("VOICE")
    if baseline and len(runs) > 1:
        add(
            f"voice volume vs {runs[0].name}",
            (_change(run.inbound("VOICE"), baseline) for run in runs),
        )
    return "\n".join(lines)


def _ratio(value: float | None) -> str:
    return "-" if value is None else f"{value:.2f}"


def _change(value: float, baseline: float) -> str:
    return f"{100 * (value - baseline) / baseline:+.0f}%"


# -- the chart -----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class IntervalPoint:
    start: float  # seconds after local midnight
    queued: int
    abandoned: int
    answered_in_threshold: int

    @property
    def abandonment_rate(self) -> float:
        return self.abandoned / self.queued if self.queued else math.nan

    @property
    def service_level(self) -> float:
        return self.answered_in_threshold / self.queued if self.queued else math.nan

    def charted(self, rate: float) -> float:
        """`rate` as a percentage for the chart, or NaN (a gap) when too few contacts queued."""
        return 100 * rate if self.queued >= MIN_CHARTED_QUEUED else math.nan


def intervals(run: VariantRun, channel: str, threshold: int) -> list[IntervalPoint]:
    """Abandonment and service level per 15-minute interval of queue entry, for one channel."""
    counts: dict[int, list[int]] = {}
    for result in run.simulation.contacts:
        if result.channel != channel:
            continue
        bucket = int(result.enqueued // INTERVAL_SECONDS)
        row = counts.setdefault(bucket, [0, 0, 0])
        row[0] += 1
        if result.outcome is Outcome.ABANDONED:
            row[1] += 1
        elif result.outcome is Outcome.HANDLED and result.queue_wait is not None:
            row[2] += result.queue_wait <= threshold
    return [IntervalPoint(bucket * INTERVAL_SECONDS, *counts[bucket]) for bucket in sorted(counts)]


def write_chart(rehearsal: Rehearsal, path: Path) -> Path:
    """Queue length, abandonment and service level over the day, one line per variant."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    threshold = rehearsal.service_level_seconds
    figure, axes = plt.subplots(3, 1, figsize=(11, 10), sharex=True)
    channels = [c for c in ("VOICE", "CHAT") if any(r.total(c).queued for r in rehearsal.runs)]
    styles = {"VOICE": "-", "CHAT": "--"}
    first, last = 24.0, 0.0
    for run in rehearsal.runs:
        for channel in channels:
            if not run.total(channel).queued:
                continue
            label = f"{run.name} {channel.lower()}"
            samples = run.simulation.samples
            axes[0].plot(
                [s.at / 3600 for s in samples],
                [sum(n for (_, ch), n in s.waiting.items() if ch == channel) for s in samples],
                styles[channel],
                label=label,
            )
            points = intervals(run, channel, threshold)
            hours = [(p.start + INTERVAL_SECONDS / 2) / 3600 for p in points]
            busy = [s.at / 3600 for s in samples if any(s.waiting.values())]
            first = min([first, *hours[:1]])
            last = max([last, *hours[-1:], *busy[-1:]])
            axes[1].plot(
                hours, [p.charted(p.abandonment_rate) for p in points], styles[channel], label=label
            )
            axes[2].plot(
                hours, [p.charted(p.service_level) for p in points], styles[channel], label=label
            )
    if first < last:
        axes[0].set_xlim(max(0.0, first - 0.5), min(24.0, last + 0.5))
    axes[0].set_ylabel("contacts waiting")
    axes[1].set_ylabel("abandonment %")
    axes[2].set_ylabel(f"answered in {threshold} s %")
    axes[2].set_xlabel(
        f"local hour (rates per 15 minutes of queue entry; blank where under "
        f"{MIN_CHARTED_QUEUED} contacts queued)"
    )
    for axis in axes:
        axis.grid(alpha=0.3)
    axes[0].legend(loc="upper right", fontsize="small")
    scenario = rehearsal.scenario
    figure.suptitle(f"{scenario.name}: {scenario.description} ({scenario.date:%A %d %B %Y})")
    figure.tight_layout()
    path.parent.mkdir(parents=True, exist_ok=True)
    figure.savefig(path, dpi=110)
    plt.close(figure)
    return path


def day_start(scenario_date: date, zone: ZoneInfo) -> datetime:
    return datetime.combine(scenario_date, clock(0), tzinfo=zone)
