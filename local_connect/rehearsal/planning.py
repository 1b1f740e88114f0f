"""A variant's day before its flows run: its config, reminders, callbacks and contacts."""

from __future__ import annotations

import time
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime
from datetime import time as clock
from pathlib import Path
from zoneinfo import ZoneInfo

from config import ContactCenterConfig
from config.model import FlowType
from flowlang.loader import load_flow
from local_connect.acd import CallbackPolicy
from local_connect.rehearsal.reminders import ReminderTraffic, send_reminders
from local_connect.scenarios import Scenario, planned_staffing
from local_connect.scenarios.traffic import ArrivingContact, Customer, generate

FLOWS_DIR = Path(__file__).resolve().parents[2] / "contact_flows"


def variant_config(
    config: ContactCenterConfig, channels: Iterable[str], *, bot: bool = False
) -> ContactCenterConfig:
    """The config with only the variant's channels switched on, and the self-service bot only
    when the variant has it (the flows keep their menus otherwise), re-validated like a YAML
    edit."""
    raw = config.model_dump(mode="json")
    wanted = set(channels)
    raw["channels"] = {name: name in wanted for name in raw["channels"]}
    raw["self_service"]["enabled"] = bot and config.self_service.enabled
    return ContactCenterConfig.model_validate(raw)


def local_zone(config: ContactCenterConfig) -> ZoneInfo:
    """The time zone of the default queue's hours: the contact center's own clock."""
    default_queue = config.queues[config.routing.default_queue]
    return ZoneInfo(config.hours[default_queue.hours].time_zone)


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
    config = variant_config(base_config, variant.channels, bot=variant.bot)
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
        staffing=planned_staffing(scenario, name, base_config, local_zone(config)),
        callbacks=policy,
        day_start=datetime.combine(scenario.date, clock(0), tzinfo=local_zone(config)),
        reminders=reminders,
        timings=timings,
    )
