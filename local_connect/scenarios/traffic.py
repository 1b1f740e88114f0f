"""Turns a scenario variant into the day's contacts: who, when, why, on which channel, and every
random draw the ACD needs (patience, handle times, callback answers).

Arrivals are a Poisson process whose rate is constant within each hour. A contact's random draws
come from one `random.Random` seeded with the scenario's seed and the variant's name, so a
variant is repeatable on its own and adding a variant never changes another one's day.
"""

from __future__ import annotations

import bisect
import math
import random
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Literal

from local_connect.scenarios.model import BotBehaviour, Scenario

SECONDS_PER_HOUR = 3600.0
# End User Messaging SMS and web chat both reach Connect as CHAT; the subtype tells them apart.
CONNECT_CHANNEL = {
    "voice": "VOICE",
    "chat": "CHAT",
    "sms": "CHAT",
    "email": "EMAIL",
    "tasks": "TASK",
}
# The channels whose entry flows hand every customer to the self-service bot (the voice flow and
# the chat flow, which also serves SMS).
BOT_CHANNELS = frozenset({"voice", "chat", "sms"})
BotOutcome = Literal["contained", "escalated", "abandoned", "asked_for_agent"]


@dataclass(frozen=True, slots=True)
class BotVisit:
    """What a customer does in the self-service bot: the conversation's end, drawn from the
    scenario's `self_service` section; the rehearsal's bot (`rehearsal.bot_model`) plays it."""

    outcome: BotOutcome
    bot_intent: str | None  # what the bot recognises; None: FallbackIntent, no match
    seconds: float


@dataclass(frozen=True, slots=True)
class Customer:
    index: int
    phone: str  # E.164, from the 555-01xx range the North American plan reserves for fiction
    chat_id: str
    known: bool  # has a profile in the customers table before the day starts
    tier: str
    first_name: str

    @property
    def email(self) -> str:
        return f"customer{self.index}@example.com"


@dataclass(frozen=True, slots=True)
class ArrivingContact:
    """One contact of the day, before the flow and the ACD decide what happens to it."""

    contact_id: str
    channel: str  # scenario channel: voice, chat, sms, email, tasks
    intent: str  # scenario intent
    routes_as: str  # config routing intent
    initiated: float  # seconds after local midnight
    customer: Customer
    flow_seconds: float
    self_service: bool
    talk: float
    hold: float
    after_contact_work: float
    patience: float
    accepts_callback: bool
    callback_contact_id: str | None
    callback_answers: tuple[bool, ...]
    bot: BotVisit | None = None  # None: the variant has no bot, or the channel's flow no bot

    @property
    def connect_channel(self) -> str:
        return CONNECT_CHANNEL[self.channel]

    @property
    def seconds_in_flow(self) -> float:
        """From the start of the entry flow to leaving it (for a queue or for good)."""
        return self.flow_seconds + (self.bot.seconds if self.bot else 0.0)


FIRST_NAMES = ("Alex", "Sam", "Maria", "Jordan", "Priya", "Chen", "Fatima", "Luis", "Grace", "Omar")


def customers(scenario: Scenario) -> list[Customer]:
    """The population, identical in every variant (seeded by the scenario's seed alone)."""
    rng = random.Random(f"{scenario.seed}/customers")
    tiers = list(scenario.customers.tiers)
    weights = list(scenario.customers.tiers.values())
    population = []
    for index in range(scenario.customers.population):
        known = rng.random() < scenario.customers.known_share
        population.append(
            Customer(
                index=index,
                phone=fictional_phone(index),
                chat_id=f"web-{index:06d}",
                known=known,
                tier=rng.choices(tiers, weights)[0] if known else "standard",
                first_name=FIRST_NAMES[index % len(FIRST_NAMES)],
            )
        )
    return population


def fictional_phone(index: int) -> str:
    """+1 NPA 555 01XX: 100 fictional numbers per area code, area codes from 201 upwards."""
    area = 201 + index // 100
    if area > 999:
        raise ValueError("populations above 79,900 customers need another numbering scheme")
    return f"+1{area}5550{100 + index % 100}"


def expected_arrivals(scenario: Scenario, variant: str) -> dict[tuple[int, str, str], float]:
    """Mean contacts per (hour, intent, channel) for a variant."""
    chosen = scenario.variants[variant]
    demand = scenario.demand
    expected = {}
    for hour, hour_share in demand.hourly.items():
        for intent_name, intent in demand.intents.items():
            factor = chosen.demand_factor.get(intent_name, 1.0)
            for channel, channel_share in chosen.mix_for(intent_name).items():
                mean = demand.contacts * hour_share * intent.share * factor * channel_share
                if mean > 0:
                    expected[(hour, intent_name, channel)] = mean
    return expected


def generate(
    scenario: Scenario,
    variant: str,
    *,
    population: list[Customer] | None = None,
    callbacks_offered: bool = True,
    callback_attempts: int = 1,
) -> list[ArrivingContact]:
    """The variant's contacts in arrival order."""
    rng = random.Random(f"{scenario.seed}/{variant}")
    people = population if population is not None else customers(scenario)
    chosen = scenario.variants[variant]
    by_hour: dict[int, list[tuple[str, str, float]]] = {}
    for (hour, intent, channel), mean in expected_arrivals(scenario, variant).items():
        by_hour.setdefault(hour, []).append((intent, channel, mean))
    contacts = []
    for hour in sorted(by_hour):
        streams = by_hour[hour]
        rate = sum(mean for _, _, mean in streams) / SECONDS_PER_HOUR
        cumulative = _cumulative([mean for _, _, mean in streams])
        for at in _poisson_times(rng, rate, hour * SECONDS_PER_HOUR):
            intent, channel, _ = streams[bisect.bisect_right(cumulative, rng.random())]
            contacts.append(
                _draw_contact(
                    scenario,
                    rng,
                    at=at,
                    intent=intent,
                    channel=channel,
                    customer=people[rng.randrange(len(people))],
                    self_service_share=chosen.self_service_share(intent, channel),
                    bot=_bot_behaviour(scenario, variant, intent, channel),
                    callbacks_offered=callbacks_offered,
                    callback_attempts=callback_attempts,
                )
            )
    return contacts


def _poisson_times(rng: random.Random, rate: float, start: float) -> Iterator[float]:
    at = start
    end = start + SECONDS_PER_HOUR
    while rate > 0:
        at += rng.expovariate(rate)
        if at >= end:
            return
        yield at


def _cumulative(weights: list[float]) -> list[float]:
    total = math.fsum(weights)
    running = 0.0
    cumulative = []
    for weight in weights:
        running += weight
        cumulative.append(running / total)
    cumulative[-1] = 1.0 + 1e-12  # bisect never runs past the end on float round-off
    return cumulative


def _draw_contact(
    scenario: Scenario,
    rng: random.Random,
    *,
    at: float,
    intent: str,
    channel: str,
    customer: Customer,
    self_service_share: float,
    bot: BotBehaviour | Literal["asks_for_agent"] | None,
    callbacks_offered: bool,
    callback_attempts: int,
) -> ArrivingContact:
    behaviour = scenario.channels[channel]  # type: ignore[index]
    contact_id = _uuid(rng)
    hold = 0.0
    if behaviour.hold.share and rng.random() < behaviour.hold.share:
        hold = behaviour.hold.duration.sample(rng)
    callbacks = scenario.callbacks
    accepts = (
        channel == "voice"
        and callbacks_offered
        and callbacks is not None
        and rng.random() < callbacks.accept_share
    )
    answers: tuple[bool, ...] = ()
    if accepts and callbacks is not None:
        answers = tuple(rng.random() < callbacks.answer_share for _ in range(callback_attempts))
    return ArrivingContact(
        contact_id=contact_id,
        channel=channel,
        intent=intent,
        routes_as=scenario.demand.intents[intent].routes_as,
        initiated=at,
        customer=customer,
        flow_seconds=behaviour.flow_seconds.sample(rng),
        self_service=self_service_share > 0 and rng.random() < self_service_share,
        talk=behaviour.talk.sample(rng),
        hold=hold,
        after_contact_work=behaviour.after_contact_work.sample(rng),
        patience=behaviour.patience.sample(rng) if behaviour.patience else math.inf,
        accepts_callback=accepts,
        callback_contact_id=_uuid(rng) if accepts else None,
        callback_answers=answers,
        # Drawn last, and only in a variant with the bot: the other variants' days stay as they
        # were before scenarios described the bot.
        bot=_bot_visit(rng, bot),
    )


def _bot_behaviour(
    scenario: Scenario, variant: str, intent: str, channel: str
) -> BotBehaviour | Literal["asks_for_agent"] | None:
    """How this contact meets the bot: None, not at all (no bot in the variant, or the channel's
    flow has none); "asks_for_agent", an intent the scenario says nothing about."""
    if not scenario.variants[variant].bot or channel not in BOT_CHANNELS:
        return None
    return scenario.self_service.get(intent, "asks_for_agent")


def _bot_visit(
    rng: random.Random, behaviour: BotBehaviour | Literal["asks_for_agent"] | None
) -> BotVisit | None:
    if behaviour is None:
        return None
    if behaviour == "asks_for_agent" or rng.random() >= behaviour.try_share:
        return BotVisit("asked_for_agent", None, 0.0)
    seconds = behaviour.seconds.sample(rng)
    outcome: BotOutcome
    if rng.random() < behaviour.abandon_share:
        outcome = "abandoned"
    elif rng.random() < behaviour.fulfil_share:
        outcome = "contained"
    else:
        outcome = "escalated"
    return BotVisit(outcome, behaviour.bot_intent, seconds)


def _uuid(rng: random.Random) -> str:
    """A version-4 UUID from the seeded generator: contact ids repeat run after run."""
    return str(uuid.UUID(int=rng.getrandbits(128), version=4))
