"""A rehearsal scenario: a day of demand, customer behaviour and staffing, as a validated model.

Scenarios are YAML files next to this module; `local_connect.scenarios.load_scenario` reads one.
Every number a result depends on lives in the file, so a reader can see (and challenge) each
assumption, and the seed makes a run repeatable contact for contact.
"""

from __future__ import annotations

import datetime as dt
import math
import random
from typing import Annotated, Literal, Self

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

ScenarioChannel = Literal["voice", "chat", "sms", "email", "tasks"]
Staffing = dict[str, dict[int, int]]  # routing profile -> local hour -> agents logged in
SHARE_TOLERANCE = 1e-6


class _Strict(BaseModel):
    """Unknown keys in a hand-written scenario are typos: reject them."""

    model_config = ConfigDict(extra="forbid", frozen=True)


class Fixed(_Strict):
    kind: Literal["fixed"]
    value: float = Field(ge=0)

    def sample(self, rng: random.Random) -> float:
        return self.value

    @property
    def mean(self) -> float:
        return self.value


class Exponential(_Strict):
    kind: Literal["exponential"]
    mean: float = Field(gt=0)

    def sample(self, rng: random.Random) -> float:
        return rng.expovariate(1.0 / self.mean)


class LogNormal(_Strict):
    """Handle times are right-skewed: most calls short, a few very long."""

    kind: Literal["lognormal"]
    mean: float = Field(gt=0)
    sd: float = Field(gt=0)

    def sample(self, rng: random.Random) -> float:
        sigma2 = math.log(1.0 + (self.sd / self.mean) ** 2)
        return rng.lognormvariate(math.log(self.mean) - sigma2 / 2.0, math.sqrt(sigma2))


class Uniform(_Strict):
    kind: Literal["uniform"]
    low: float = Field(ge=0)
    high: float = Field(gt=0)

    @model_validator(mode="after")
    def _ordered(self) -> Self:
        if self.high <= self.low:
            raise ValueError(f"high ({self.high}) must be greater than low ({self.low})")
        return self

    def sample(self, rng: random.Random) -> float:
        return rng.uniform(self.low, self.high)

    @property
    def mean(self) -> float:
        return (self.low + self.high) / 2.0


Distribution = Annotated[Fixed | Exponential | LogNormal | Uniform, Field(discriminator="kind")]


class Hold(_Strict):
    share: float = Field(default=0.0, ge=0, le=1, description="Contacts put on hold at least once.")
    duration: Distribution = Fixed(kind="fixed", value=0.0)


class ChannelBehaviour(_Strict):
    """How customers and agents behave on one channel."""

    flow_seconds: Distribution = Field(description="Time in the entry flow before the queue.")
    talk: Distribution = Field(description="Agent interaction time (talk, or chat handling).")
    hold: Hold = Hold()
    after_contact_work: Distribution = Fixed(kind="fixed", value=0.0)
    patience: Distribution | None = Field(
        default=None, description="Time a customer waits in queue before leaving; none = forever."
    )


class Intent(_Strict):
    share: float = Field(gt=0, le=1)
    routes_as: str = Field(description="The config routing intent (menu choice) it arrives as.")
    label: str = ""


class Demand(_Strict):
    contacts: int = Field(gt=0, description="Contacts on the day, all channels, before variants.")
    hourly: dict[int, float] = Field(description="Share of the day's contacts in each local hour.")
    intents: dict[str, Intent] = Field(min_length=1)

    @field_validator("hourly")
    @classmethod
    def _hours_and_shares(cls, hourly: dict[int, float]) -> dict[int, float]:
        for hour, share in hourly.items():
            if not 0 <= hour <= 23:
                raise ValueError(f"hour {hour} is not between 0 and 23")
            if share < 0:
                raise ValueError(f"hour {hour}: share {share} is negative")
        _shares_sum_to_one(hourly.values(), what="hourly shares")
        return hourly

    @field_validator("intents")
    @classmethod
    def _intent_shares(cls, intents: dict[str, Intent]) -> dict[str, Intent]:
        _shares_sum_to_one([intent.share for intent in intents.values()], what="intent shares")
        return intents


class Customers(_Strict):
    population: int = Field(gt=0, description="Distinct customers who may get in touch.")
    known_share: float = Field(ge=0, le=1, description="Share with a profile before the day.")
    tiers: dict[str, float] = Field(
        default_factory=lambda: {"standard": 1.0}, description="Tier mix of known customers."
    )

    @field_validator("tiers")
    @classmethod
    def _tier_shares(cls, tiers: dict[str, float]) -> dict[str, float]:
        _shares_sum_to_one(tiers.values(), what="tier shares")
        return tiers


class Callbacks(_Strict):
    """Callers' answers to the queue flow's callback offer (config `callbacks`)."""

    accept_share: float = Field(ge=0, le=1, description="Callers who take the offer.")
    answer_share: float = Field(
        default=1.0, ge=0, le=1, description="Callback attempts the customer picks up."
    )
    ring_seconds: float = Field(default=25.0, ge=0)


class Reminders(_Strict):
    """SMS appointment reminders sent the evening before, through the real notify code.

    The effect is an assumption: a customer who received a reminder no longer makes
    `calls_avoided` of the contacts about `intent` they would have made. The rehearsal applies
    it only to the share of appointments whose reminder was actually sent (opted-out numbers,
    for instance, get none).
    """

    appointments: int = Field(ge=1, description="Appointments on the rehearsed day.")
    intent: str = Field(description="The demand reminders act on, e.g. appointment_status.")
    calls_avoided: float = Field(ge=0, le=1)
    opted_out_share: float = Field(
        default=0.0, ge=0, le=1, description="Appointment holders who texted STOP before."
    )
    sent_at: dt.time = Field(
        default=dt.time(18, 0), description="Local time the evening before the day."
    )


class BotBehaviour(_Strict):
    """How customers with one intent fare in the stage's self-service bot, in a variant with
    `bot: true`. A customer who does not try the bot asks it for an agent at once; one who tries
    spends `seconds` in it, then leaves (`abandon_share`), is served (`fulfil_share` of those who
    stay) or is handed to an agent with what the bot learnt."""

    try_share: float = Field(ge=0, le=1, description="Customers who tell the bot what they need.")
    fulfil_share: float = Field(
        ge=0, le=1, description="Of those who try and stay, the share the bot serves to the end."
    )
    abandon_share: float = Field(
        default=0.0, ge=0, le=1, description="Of those who try, the share who leave in the bot."
    )
    seconds: Distribution = Field(description="Time in the bot of a customer who tries it.")
    bot_intent: str | None = Field(
        default=None,
        description="The bot file's intent the request is recognised as; none: the bot has "
        "none (it answers FallbackIntent until the flow gives up and hands over).",
    )

    @model_validator(mode="after")
    def _fulfils_only_what_it_recognises(self) -> Self:
        if self.bot_intent is None and self.fulfil_share > 0:
            raise ValueError(
                f"fulfil_share {self.fulfil_share} without a bot_intent: the bot cannot serve a "
                "request it does not recognise"
            )
        return self


class Variant(_Strict):
    """One way of running the same day: which channels exist and how demand uses them."""

    description: str = ""
    channels: list[ScenarioChannel] = Field(min_length=1)
    demand_factor: dict[str, float] = Field(
        default_factory=dict, description="intent -> multiplier on its demand (1 = unchanged)."
    )
    channel_mix: dict[str, dict[ScenarioChannel, float]] = Field(
        default_factory=dict,
        description="intent -> channel -> share; intents not listed arrive by voice.",
    )
    self_service: dict[str, dict[ScenarioChannel, float]] = Field(
        default_factory=dict,
        description="intent -> channel -> share of contacts that end in the flow, served.",
    )
    staffing: Staffing | None = Field(
        default=None, description="Replaces the scenario's staffing for this variant."
    )
    reminders: Reminders | None = None
    bot: bool = Field(
        default=False,
        description="Customers meet the stage's self-service bot, behaving as the scenario's "
        "self_service section says (without it the day runs through the stage's menus).",
    )

    @field_validator("demand_factor")
    @classmethod
    def _factors(cls, factors: dict[str, float]) -> dict[str, float]:
        for intent, factor in factors.items():
            if factor < 0:
                raise ValueError(f"{intent}: factor {factor} is negative")
        return factors

    @field_validator("channel_mix")
    @classmethod
    def _mix(
        cls, mix: dict[str, dict[ScenarioChannel, float]]
    ) -> dict[str, dict[ScenarioChannel, float]]:
        for intent, shares in mix.items():
            if any(share < 0 for share in shares.values()):
                raise ValueError(f"{intent}: a channel share is negative")
            _shares_sum_to_one(shares.values(), what=f"{intent}: channel shares")
        return mix

    @field_validator("self_service")
    @classmethod
    def _self_service(
        cls, shares: dict[str, dict[ScenarioChannel, float]]
    ) -> dict[str, dict[ScenarioChannel, float]]:
        for intent, by_channel in shares.items():
            for channel, share in by_channel.items():
                if not 0 <= share <= 1:
                    raise ValueError(f"{intent}.{channel}: share {share} is not between 0 and 1")
        return shares

    @model_validator(mode="after")
    def _channels_used_exist(self) -> Self:
        for table_name in ("channel_mix", "self_service"):
            table: dict[str, dict[str, float]] = getattr(self, table_name)
            for intent, by_channel in table.items():
                for channel in by_channel:
                    if channel not in self.channels and by_channel[channel] > 0:
                        raise ValueError(
                            f"{table_name}.{intent}.{channel}: channel '{channel}' is not in "
                            f"this variant's channels {self.channels}"
                        )
        return self

    def mix_for(self, intent: str) -> dict[str, float]:
        return {
            str(channel): share
            for channel, share in self.channel_mix.get(intent, {"voice": 1.0}).items()
        }

    def self_service_share(self, intent: str, channel: str) -> float:
        shares = {str(name): share for name, share in self.self_service.get(intent, {}).items()}
        return shares.get(channel, 0.0)


class Scenario(_Strict):
    name: str = Field(pattern=r"^[a-z][a-z0-9_-]{0,62}$")
    description: str = ""
    config: str = Field(default="dev", description="Config stage the day runs against.")
    date: dt.date = Field(description="The simulated day; its weekday picks the opening hours.")
    seed: int
    service_level_seconds: int | None = Field(
        default=None, ge=1, description="Defaults to the config's alarm threshold."
    )
    demand: Demand
    customers: Customers
    channels: dict[ScenarioChannel, ChannelBehaviour] = Field(min_length=1)
    callbacks: Callbacks | None = None
    staffing: Staffing | None = Field(
        default=None,
        min_length=1,
        description="routing profile -> local hour -> agents logged in; none: everyone in the "
        "stage's people: while their queues are open.",
    )
    staffing_beyond_people: bool = Field(
        default=False,
        description="hiring what-if: synthetic agents beyond the stage's people (without it, "
        "staffing per routing profile is at most the people on it).",
    )
    self_service: dict[str, BotBehaviour] = Field(
        default_factory=dict,
        description="scenario intent -> how its customers fare in the self-service bot, in "
        "variants with bot: true; an intent not listed asks the bot for an agent at once.",
    )
    variants: dict[str, Variant] = Field(min_length=1)

    @field_validator("staffing")
    @classmethod
    def _staffing_hours(cls, staffing: Staffing | None) -> Staffing | None:
        if staffing is not None:
            _check_staffing(staffing)
        return staffing

    @model_validator(mode="after")
    def _references_resolve(self) -> Self:
        problems: list[str] = []
        intents = self.demand.intents
        for intent in self.self_service:
            if intent not in intents:
                problems.append(
                    f"self_service.{intent}: unknown intent (known: {', '.join(sorted(intents))})"
                )
        for name, variant in self.variants.items():
            base = f"variants.{name}"
            if variant.reminders is not None and variant.reminders.intent not in intents:
                problems.append(
                    f"{base}.reminders.intent: unknown intent '{variant.reminders.intent}' "
                    f"(known: {', '.join(sorted(intents))})"
                )
            for table_name in ("demand_factor", "channel_mix", "self_service"):
                for intent in getattr(variant, table_name):
                    if intent not in intents:
                        problems.append(
                            f"{base}.{table_name}.{intent}: unknown intent "
                            f"(known: {', '.join(sorted(intents))})"
                        )
            if "voice" not in variant.channels:
                for intent in intents:
                    if intent not in variant.channel_mix:
                        problems.append(
                            f"{base}.channel_mix.{intent}: missing; without a mix an intent "
                            "arrives by voice, which this variant switches off"
                        )
            for channel in variant.channels:
                if channel not in self.channels:
                    problems.append(
                        f"{base}.channels: '{channel}' has no behaviour in the top-level "
                        "'channels' section"
                    )
            if variant.bot and not self.self_service:
                problems.append(
                    f"{base}.bot: the scenario has no self_service section saying how customers "
                    "fare in the bot"
                )
            if variant.staffing is not None:
                try:
                    _check_staffing(variant.staffing)
                except ValueError as error:
                    problems.append(f"{base}.staffing: {error}")
        if problems:
            raise ValueError("; ".join(problems))
        return self

    def staffing_for(self, variant: str) -> Staffing | None:
        """The variant's head counts, else the scenario's; None: staff from the stage's people."""
        return self.variants[variant].staffing or self.staffing


def _check_staffing(staffing: Staffing) -> None:
    for profile, hours in staffing.items():
        for hour, agents in hours.items():
            if not 0 <= hour <= 23:
                raise ValueError(f"{profile}: hour {hour} is not between 0 and 23")
            if agents < 0:
                raise ValueError(f"{profile}: {agents} agents at hour {hour} is negative")


def _shares_sum_to_one(shares: object, *, what: str) -> None:
    values = list(shares)  # type: ignore[call-overload]
    total = math.fsum(values)
    if abs(total - 1.0) > SHARE_TOLERANCE:
        raise ValueError(f"{what} add up to {total:.6g}, not 1")
