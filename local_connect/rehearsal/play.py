"""`rehearse`: every variant of a scenario played, its steps spread over a pool of processes."""

from __future__ import annotations

import contextlib
import math
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import AbstractContextManager
from datetime import datetime
from functools import partial

from config import ContactCenterConfig
from local_connect.rehearsal.analytics import KpiStage, records_only
from local_connect.rehearsal.day import RoutedContacts, finish_variant, route_day
from local_connect.rehearsal.flow_router import flow_router
from local_connect.rehearsal.planning import PlannedDay, plan_variant
from local_connect.rehearsal.pool import parallel_map
from local_connect.rehearsal.results import Rehearsal, VariantRun
from local_connect.rehearsal.routing import RouterFactory
from local_connect.scenarios import Scenario
from local_connect.scenarios.traffic import ArrivingContact, Customer, customers


def rehearse(
    scenario: Scenario,
    config: ContactCenterConfig,
    *,
    variants: Sequence[str] | None = None,
    router_factory: RouterFactory | None = None,
    kpi_stage: KpiStage = records_only,
    workers: int = 1,
    progress: Progress | None = None,
    population: list[Customer] | None = None,
) -> Rehearsal:
    """Plays every variant (or those named) of the scenario against `config`.

    Variants are independent days (own seed, own moto accounts), and a day's entry flows can
    run in consecutive parts, so with `workers` > 1 the variants' plans, their flows (in parts)
    and their ACD and analytics run in parallel processes; the results are the same either
    way. `router_factory` and `kpi_stage` must then be picklable (module-level functions or
    simple objects). By default the stage's entry flows are interpreted with the real flow
    Lambdas (local_connect.rehearsal.flow_router). `progress` hears of each step and of each job
    done, in this process, as the jobs finish. `population` is the scenario's customers unless
    given (`days.rehearse_days` keeps the first day's for every day).
    """
    if router_factory is None:
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
    if population is None:
        population = customers(scenario)
    step = progress or _no_progress
    with step("planning the variants' days", len(names)) as advance:
        plans = parallel_map(
            workers,
            partial(plan_variant, scenario, config, population=population),
            names,
            lambda _: advance(1),
        )
    # Each day in parts, every part its own job: the flows are most of a day's work, and
    # parts keep all workers busy even when there are fewer variants than workers.
    parts = [day_parts(plan.contacts, workers) for plan in plans]
    jobs = [
        (plan.config, plan.day_start, part)
        for plan, day in zip(plans, parts, strict=True)
        for part in day
    ]
    contacts = sum(len(plan.contacts) for plan in plans)
    with step("routing contacts through the entry flows", contacts) as advance:
        routed = iter(
            parallel_map(
                workers,
                partial(route_part, router_factory),
                jobs,
                lambda job: advance(len(job[2])),
            )
        )
    routings = [RoutedContacts.joined([next(routed) for _ in day]) for day in parts]
    with step("ACD, contact records and analytics per variant", len(plans)) as advance:
        runs = parallel_map(
            workers,
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


def day_parts(contacts: list[ArrivingContact], workers: int) -> list[list[ArrivingContact]]:
    """Consecutive parts of a day: two per worker, so a slow part does not hold the others."""
    size = max(1, math.ceil(len(contacts) / (2 * workers if workers > 1 else 1)))
    return [contacts[i : i + size] for i in range(0, len(contacts), size)] or [[]]


def route_part(
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
