"""Calibration: one scenario parameter fitted so a variant reproduces a KPI someone observed.

A what-if is only as good as its baseline: before comparing variants, make the baseline day
show the abandonment (or service level...) the contact center really has, by moving the
least-known input (`Parameter`: a number in the scenario file, or `staffing`, a factor on the
variant's head counts) until the KPI (`Target`) is within one point of the observation.

The search (`fit`) brackets the target, then narrows it by regula falsi (the Illinois variant),
a few rehearsals in all. Each rehearsal is cheap after the first: the traffic of every trial is
drawn from the same seed, so a parameter that leaves arrivals alone (patience, handle times,
head counts) gives the same contacts, and the entry flows' decision for a contact already
routed is replayed (`Calibration.route`) instead of interpreted again; the ACD, the contact
records and the analytics' counting run each time. A parameter that changes the arrivals
(demand.contacts) routes again the contacts that changed.
"""

from __future__ import annotations

import copy
import itertools
import math
import re
from collections import Counter
from collections.abc import Callable, Hashable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from functools import partial
from typing import Any

from config import ContactCenterConfig
from lambdas.analytics.logic import Kpis
from local_connect.rehearsal.analytics import records_only
from local_connect.rehearsal.day import RoutedContacts, finish_variant, route_contacts
from local_connect.rehearsal.flow_router import flow_router
from local_connect.rehearsal.planning import PlannedDay, plan_variant
from local_connect.rehearsal.play import day_parts, route_part
from local_connect.rehearsal.pool import parallel_map
from local_connect.rehearsal.routing import FlowOutcome, RouterFactory
from local_connect.scenarios import ScenarioError, parse_scenario
from local_connect.scenarios.traffic import ArrivingContact, customers

TOLERANCE = 0.01  # "within one point": rates are fractions, one percentage point
MAX_REHEARSALS = 14
STAFFING = "staffing"

RATE_KPIS: dict[str, Callable[[Kpis], float | None]] = {
    "abandonment": lambda kpis: kpis.abandonment_rate,
    "service_level": lambda kpis: kpis.service_level,
    "self_service": lambda kpis: kpis.self_service_rate,
    "containment": lambda kpis: kpis.containment_rate,
    "bot_abandonment": lambda kpis: kpis.bot_abandonment_rate,
}
BOT_KPIS = frozenset({"containment", "bot_abandonment"})  # measured only where there is a bot
KPI_CHANNELS = {"voice": "VOICE", "chat": "CHAT", "email": "EMAIL", "task": "TASK"}


class CalibrationError(Exception):
    """A calibration that cannot be asked for or cannot succeed; the message is one line."""


@dataclass(frozen=True)
class Target:
    """An observed KPI: `[channel.]name=value`, e.g. `voice.abandonment=35%`."""

    kpi: str
    channel: str | None  # Connect's channel (VOICE); None: every channel of the day
    value: float

    @property
    def label(self) -> str:
        name = self.kpi.replace("_", " ")
        return f"{self.channel.lower()} {name}" if self.channel else name

    def measure(self, kpis: Kpis) -> float | None:
        return RATE_KPIS[self.kpi](kpis)


def parse_target(text: str) -> Target:
    """`abandonment=35%`, `voice.abandonment=0.35`: a rate as a percentage or a fraction."""
    name, equals, value = text.partition("=")
    channel, dot, kpi = name.strip().rpartition(".")
    known = ", ".join(RATE_KPIS)
    if not equals or kpi not in RATE_KPIS:
        raise CalibrationError(
            f"--calibrate {text!r}: expected KPI=VALUE with KPI one of {known}, optionally "
            f"after a channel ({', '.join(KPI_CHANNELS)}.), e.g. voice.abandonment=35%"
        )
    if dot and channel not in KPI_CHANNELS:
        raise CalibrationError(
            f"--calibrate {text!r}: unknown channel '{channel}' (known: {', '.join(KPI_CHANNELS)})"
        )
    found = re.fullmatch(r"\s*(\d+(?:\.\d+)?)\s*(%?)\s*", value)
    number = float(found.group(1)) / (100 if found and found.group(2) else 1) if found else -1.0
    if not 0 <= number <= 1:
        raise CalibrationError(
            f"--calibrate {text!r}: the value must be a percentage (35%) or a fraction (0.35)"
        )
    return Target(kpi, KPI_CHANNELS[channel] if dot else None, number)


@dataclass(frozen=True)
class Parameter:
    """What is fitted: a number at `path` in the scenario's YAML, or (`path` empty) a factor on
    every head count of the variant's staffing (`staffing`)."""

    name: str
    path: tuple[str | int, ...]
    start: float
    integer: bool
    upper: float
    staffing_key: tuple[str, ...] = ()  # where the head counts a `staffing` factor scales live

    def apply(self, raw: Mapping[str, Any], value: float) -> dict[str, Any]:
        """A copy of the scenario's YAML with the parameter at `value`."""
        edited = copy.deepcopy(dict(raw))
        if not self.path:
            plan = _walk(edited, self.staffing_key)
            for hours in plan.values():
                for hour, agents in hours.items():
                    hours[hour] = round(agents * value)
            return edited
        parent = _walk(edited, self.path[:-1])
        parent[self.path[-1]] = max(1, round(value)) if self.integer else value
        return edited

    def shown(self, value: float) -> str:
        if not self.path:
            return f"x{value:.3f}"
        return f"{round(value)}" if self.integer else f"{value:.4g}"


def parameter_of(raw: Mapping[str, Any], name: str, variant: str) -> Parameter:
    """`staffing`, or a dotted path to a number in the scenario, e.g. channels.voice.patience.mean
    (hour keys are numbers: staffing.frontline.9)."""
    if name == STAFFING:
        variant_plan = (raw.get("variants") or {}).get(variant) or {}
        key: tuple[str, ...] = (
            ("variants", variant, "staffing") if variant_plan.get("staffing") else ("staffing",)
        )
        if not isinstance(_walk(raw, key, missing=None), dict):
            raise CalibrationError(
                f"--fit staffing: variant {variant} has no head counts in the scenario to scale "
                "(it is staffed from the stage's people)"
            )
        return Parameter(name, (), 1.0, False, math.inf, staffing_key=key)
    path: list[str | int] = []
    node: Any = raw
    for part in name.split("."):
        if not isinstance(node, dict):
            node = None
            break
        chosen: str | int = part
        if part not in node and part.isdigit() and int(part) in node:
            chosen = int(part)
        path.append(chosen)
        node = node.get(chosen)
    if isinstance(node, bool) or not isinstance(node, int | float) or node <= 0:
        raise CalibrationError(
            f"--fit {name}: not a positive number in the scenario (a dotted path such as "
            "channels.voice.patience.mean or demand.contacts, or 'staffing')"
        )
    upper = 1.0 if str(path[-1]).endswith("share") else math.inf
    return Parameter(name, tuple(path), float(node), isinstance(node, int), upper)


def _walk(node: Any, path: tuple[str | int, ...], missing: Any = ...) -> Any:
    for part in path:
        if not isinstance(node, dict) or part not in node:
            if missing is ...:
                raise KeyError(part)
            return missing
        node = node[part]
    return node


@dataclass
class Fit:
    value: float
    measured: float
    trials: list[tuple[float, float]] = field(default_factory=list)


def fit(
    measure: Callable[[float], float],
    target: float,
    start: float,
    *,
    tolerance: float = TOLERANCE,
    upper: float = math.inf,
    integer: bool = False,
    max_runs: int = MAX_REHEARSALS,
    describe: Callable[[float], str] = str,
) -> Fit:
    """The value of a parameter at which `measure` is within `tolerance` of `target`.

    The KPI is assumed to move one way with the parameter (more patience, less abandonment);
    the search probes which way, brackets the target by doubling or halving, then narrows the
    bracket by regula falsi (Illinois). CalibrationError when the target is beyond what the
    parameter can reach, or no value within `max_runs` measures lands within the tolerance.
    """
    trials: list[tuple[float, float]] = []

    def at(x: float) -> tuple[float, float]:
        x = min(max(round(x), 1), upper) if integer else min(x, upper)
        for seen in trials:
            if seen[0] == x:
                return seen
        if len(trials) >= max_runs:
            closest = min(trials, key=lambda trial: abs(trial[1] - target))
            raise CalibrationError(
                f"no value within one point of {target:.1%} after {max_runs} rehearsals "
                f"(closest: {describe(closest[0])} gives {closest[1]:.1%})"
            )
        trials.append((x, measure(x)))
        return trials[-1]

    def close(point: tuple[float, float]) -> bool:
        return abs(point[1] - target) <= tolerance

    first = at(start)
    if close(first):
        return Fit(first[0], first[1], trials)
    probe = at(start * 1.25 if start * 1.25 <= upper else start * 0.8)
    if close(probe):
        return Fit(probe[0], probe[1], trials)
    if probe[1] == first[1]:
        raise CalibrationError(
            f"the KPI does not move between {describe(first[0])} and {describe(probe[0])} "
            f"({first[1]:.1%}): this parameter cannot reach {target:.1%}"
        )
    rising = (probe[1] - first[1]) / (probe[0] - first[0]) > 0
    outward = 2.0 if (target > first[1]) == rising else 0.5
    while (pair := _bracket(trials, target)) is None:
        edge = max(trials) if outward > 1 else min(trials)
        if edge[0] >= upper or edge[0] * 64 < start or (integer and edge[0] <= 1):
            spanned = sorted(trial[1] for trial in trials)
            raise CalibrationError(
                f"{target:.1%} is out of reach: from {describe(min(trials)[0])} to "
                f"{describe(max(trials)[0])} the KPI spans only {spanned[0]:.1%}-{spanned[-1]:.1%}"
            )
        point = at(edge[0] * outward)
        if close(point):
            return Fit(point[0], point[1], trials)
    (a, fa), (b, fb) = ((x, y - target) for x, y in pair)
    side = 0
    while True:
        x = (a * fb - b * fa) / (fb - fa)
        if at(x)[0] in (a, b):  # rounding (a whole parameter) landed on an end: bisect
            x = (a + b) / 2
            if at(x)[0] in (a, b):
                raise CalibrationError(
                    f"no whole value reaches {target:.1%} within one point: {describe(a)} gives "
                    f"{fa + target:.1%}, {describe(b)} gives {fb + target:.1%}"
                )
        point = at(x)
        if close(point):
            return Fit(point[0], point[1], trials)
        fc = point[1] - target
        if fc * fb > 0:
            b, fb = point[0], fc
            fa = fa / 2 if side == -1 else fa  # the same end kept twice: halve its weight
            side = -1
        else:
            a, fa = point[0], fc
            fb = fb / 2 if side == 1 else fb
            side = 1


def _bracket(
    trials: list[tuple[float, float]], target: float
) -> tuple[tuple[float, float], tuple[float, float]] | None:
    """Two neighbouring trials (by value) on either side of the target, if any."""
    ordered = sorted(trials)
    for low, high in itertools.pairwise(ordered):
        if (low[1] - target) * (high[1] - target) < 0:
            return low, high
    return None


@dataclass
class Calibration:
    """Rehearses one variant of a scenario (its YAML, `raw`) with the parameter at a value and
    reads the target KPI; the entry flows' decisions are kept between rehearsals."""

    raw: Mapping[str, Any]
    source: str
    config: ContactCenterConfig
    variant: str
    target: Target
    parameter: Parameter
    workers: int = 1
    router_factory: RouterFactory | None = None  # None: the stage's real entry flows
    routed: dict[Hashable, FlowOutcome] = field(default_factory=dict)
    on_trial: Callable[[float, float], object] = lambda value, kpi: None

    def run(self) -> Fit:
        return fit(
            self.measure,
            self.target.value,
            self.parameter.start,
            upper=self.parameter.upper,
            integer=self.parameter.integer,
            describe=self.parameter.shown,
        )

    def measure(self, value: float) -> float:
        try:
            scenario = parse_scenario(self.parameter.apply(self.raw, value), source=self.source)
        except ScenarioError as error:
            raise CalibrationError(
                f"{self.parameter.name} = {self.parameter.shown(value)}: {'; '.join(error.problems)}"
            ) from None
        plan = plan_variant(scenario, self.config, self.variant, population=customers(scenario))
        threshold = (
            scenario.service_level_seconds or self.config.alarms.service_level_threshold_seconds
        )
        run = finish_variant(
            plan, self.route(plan), kpi_stage=records_only, service_level_seconds=threshold
        )
        kpis = run.total(self.target.channel)
        measured = self.target.measure(kpis)
        if measured is None:
            raise CalibrationError(
                f"variant {self.variant} has no {self.target.label} to measure "
                f"({self.parameter.name} = {self.parameter.shown(value)})"
            )
        self.on_trial(value, measured)
        return measured

    def route(self, plan: PlannedDay) -> RoutedContacts:
        """The day's contacts through the entry flows, interpreting only those not seen before."""
        unseen = [c for c in plan.contacts if _flow_input(c) not in self.routed]
        if unseen:
            router = self.router_factory or flow_router
            jobs = [(plan.config, plan.day_start, part) for part in day_parts(unseen, self.workers)]
            parts = parallel_map(self.workers, partial(route_part, router), jobs)
            by_id = {c.contact_id: c for c in unseen}
            for part in parts:
                for contact_id, (_, outcome) in {**part.ended_in_flow, **part.routed}.items():
                    self.routed[_flow_input(by_id[contact_id])] = outcome
        replay = _Replay(self.routed)
        requests, ended, routed = route_contacts(replay, plan.contacts, plan.day_start)
        return RoutedContacts(requests, ended, routed, Counter(), 0.0)


def _flow_input(contact: ArrivingContact) -> Hashable:
    """Everything of a contact the entry flows read: same input, same decision."""
    return (
        contact.contact_id,
        contact.channel,
        contact.routes_as,
        contact.customer,
        contact.initiated,
        contact.bot,
    )


@dataclass
class _Replay:
    """An EntryRouter answering each contact with the flows' decision made earlier."""

    routed: Mapping[Hashable, FlowOutcome]

    def route(self, contact: ArrivingContact, at: datetime) -> FlowOutcome:
        return self.routed[_flow_input(contact)]

    def tally(self) -> Counter[str]:
        return Counter()
