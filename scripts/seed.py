"""Synthetic customers: realistic enough to exercise routing and the screen-pop, and fictional.

`generate_customers(count, seed=..., now=..., spec=...)` is deterministic for a seed and a `now`,
and depends on neither the local engine nor AWS, so the rehearsal, benchmarks and demos can
share one population; `write_customers` stores them through the profile store's own repository,
so the layout (identity snapshots, history with TTL) is the one the Lambdas read.

Fiction by construction: phone numbers are +1 NPA-555-01XX, the range the North American
Numbering Plan reserves for fiction (100 per area code), and email domains are example.com/.org/
.net (RFC 2606). The mix (tiers, languages, open issues, how many contacted us in the last 48 h)
follows the config when one is given (`SeedSpec.from_config`).
"""

from __future__ import annotations

import random
import unicodedata
import uuid
from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING

from lambdas.common.identity import IdentifierKind
from lambdas.common.profiles import ContactSummary, CustomerProfile, Identifier, ProfileRepository

if TYPE_CHECKING:
    from config import ContactCenterConfig

# Chicago-area codes first (the sample utility's region), then others across the US.
AREA_CODES = [
    "312",
    "773",
    "872",
    "630",
    "331",
    "847",
    "224",
    "708",
    "464",
    "815",
    "779",
    "217",
    "309",
    "618",
    "219",
    "262",
    "414",
    "608",
    "920",
    "319",
    "563",
    "515",
    "314",
    "636",
    "417",
    "816",
    "913",
    "402",
    "612",
    "651",
    "952",
    "763",
    "507",
    "218",
    "313",
    "248",
    "586",
    "734",
    "616",
    "317",
    "502",
    "615",
    "901",
    "205",
    "404",
    "214",
    "512",
    "713",
    "303",
    "602",
]
EMAIL_DOMAINS = ("example.com", "example.org", "example.net")
FIRST_NAMES = {
    "en": "James Mary Robert Patricia John Jennifer Michael Linda David Elizabeth William Barbara "
    "Richard Susan Joseph Jessica Thomas Sarah Charles Karen Aisha Wei Priya Darnell Keisha "
    "Tyrone Mei Omar Fatima Grace Noah Olivia Liam Emma Ava Ethan Sophia Mason Chloe",
    "es": "José María Juan Guadalupe Luis Carmen Carlos Rosa Jorge Ana Miguel Lucía Pedro Sofía "
    "Alejandro Isabel Francisco Teresa Javier Verónica",
}
LAST_NAMES = [
    "Smith",
    "Johnson",
    "Williams",
    "Brown",
    "Jones",
    "Miller",
    "Davis",
    "Wilson",
    "Anderson",
    "Taylor",
    "Thomas",
    "Moore",
    "Jackson",
    "Martin",
    "Lee",
    "Thompson",
    "White",
    "Harris",
    "Clark",
    "Lewis",
    "Robinson",
    "Walker",
    "Young",
    "Allen",
    "King",
    "Wright",
    "Scott",
    "Nguyen",
    "Kim",
    "Patel",
    "Chen",
    "Kowalski",
    "Novak",
    "Okafor",
    "Adeyemi",
    "O'Brien",
    "Murphy",
    "García",
    "Rodríguez",
    "Martínez",
    "Hernández",
    "López",
    "González",
    "Pérez",
    "Sánchez",
    "Ramírez",
    "Torres",
    "Flores",
    "Rivera",
    "Gómez",
    "Díaz",
]
OPEN_ISSUES = (
    "Disputed bill for {month}",
    "Payment plan: next installment due on the 15th",
    "Meter read estimated three months running",
    "Refund for a double payment pending",
    "High usage alert: asked for a home energy check",
    "Service start at a new address scheduled",
    "Outage ticket open: flickering power on the street",
    "Damaged meter seal reported, inspection booked",
    "Autopay enrolment failed: card expired",
    "Asked for a copy of {month}'s bill by mail",
)
OUTCOMES = {"resolved": 0.68, "callback_booked": 0.1, "escalated": 0.1, "abandoned": 0.12}
SUMMARIES = {
    "resolved": ("Explained the charges", "Took a payment", "Updated the mailing address"),
    "callback_booked": ("Needs a supervisor; callback booked", "Waiting for a field report"),
    "escalated": ("Escalated to billing disputes", "Field crew dispatched"),
    "abandoned": ("Hung up in queue", "Left the chat before an agent joined"),
}
CHANNEL_MIX = {"VOICE": 0.55, "CHAT": 0.25, "EMAIL": 0.15, "TASK": 0.05}
# Share of customers whose latest contact falls in the last 48 h: repeat-contact rates of 10-20%
# are typical for utilities, so a population seeded "now" has enough repeat callers to route.
RECENT_SHARE = 0.12


@dataclass(frozen=True)
class SeedSpec:
    """What the population looks like; `from_config` takes tiers, languages, queues from config."""

    tiers: Mapping[str, float] = field(
        default_factory=lambda: {"standard": 0.86, "business": 0.07, "vip": 0.04, "medical": 0.03}
    )
    languages: Mapping[str, float] = field(default_factory=lambda: {"en": 0.82, "es": 0.18})
    queues: tuple[str, ...] = ("general",)
    channels: Mapping[str, float] = field(default_factory=lambda: dict(CHANNEL_MIX))
    time_zone: str = "America/Chicago"

    @classmethod
    def from_config(cls, config: ContactCenterConfig) -> SeedSpec:
        routing = config.routing
        special = {"vip": 0.04, "business": 0.07}
        tiers = {tier: special.get(tier, 0.03) for tier in routing.tier_priority}
        tiers["standard"] = max(0.5, 1 - sum(tiers.values()))
        languages = {language: 0.18 / len(routing.languages) for language in routing.languages}
        languages.setdefault("en", 1 - sum(languages.values()))
        connect_channels = {channel.value for channel in config.connect_channels()}
        default_hours = config.queues[routing.default_queue].hours
        return cls(
            tiers=tiers,
            languages=languages,
            queues=tuple(config.queues),
            channels={c: w for c, w in CHANNEL_MIX.items() if c in connect_channels},
            time_zone=config.hours[default_hours].time_zone,
        )


@dataclass(frozen=True)
class SeedCustomer:
    profile: CustomerProfile
    history: tuple[ContactSummary, ...] = ()


@dataclass(frozen=True)
class SeedSummary:
    customers: int
    identifiers: Counter[str]
    tiers: Counter[str]
    languages: Counter[str]
    contacts: int
    recent: int  # customers whose last contact is within 48 h of `now`: repeat callers


def max_customers() -> int:
    return 100 * len(AREA_CODES)


def generate_customers(
    count: int, *, seed: int = 7, now: datetime | None = None, spec: SeedSpec | None = None
) -> list[SeedCustomer]:
    """`count` fictional customers, the same ones for the same seed and `now`."""
    if not 0 <= count <= max_customers():
        raise ValueError(f"count must be between 0 and {max_customers()} (fictional numbers)")
    spec = spec or SeedSpec()
    now = (now or datetime.now(UTC)).astimezone(UTC)
    rng = random.Random(seed)
    numbers = rng.sample(range(max_customers()), count)
    emails: set[str] = set()
    return [_customer(rng, spec, now, number, emails) for number in numbers]


def write_customers(
    repository: ProfileRepository, customers: Iterable[SeedCustomer], *, now: datetime | None = None
) -> SeedSummary:
    """Stores the profiles (with their identity items) in batches, then each history, oldest
    contact first, through `record_contact` so the snapshots move exactly as in production."""
    now = now or datetime.now(UTC)
    identifiers: Counter[str] = Counter()
    tiers: Counter[str] = Counter()
    languages: Counter[str] = Counter()
    written = contacts = recent = 0
    customers = list(customers)
    repository.save_all(customer.profile for customer in customers)
    for customer in customers:
        for contact in sorted(customer.history, key=lambda c: c.at):
            repository.record_contact(customer.profile.customer_id, contact)
            contacts += 1
        written += 1
        identifiers.update(i.kind.value for i in customer.profile.identifiers)
        tiers[customer.profile.tier] += 1
        languages[customer.profile.language] += 1
        if customer.history and now - max(c.at for c in customer.history) <= timedelta(hours=48):
            recent += 1
    return SeedSummary(written, identifiers, tiers, languages, contacts, recent)


def _customer(
    rng: random.Random, spec: SeedSpec, now: datetime, number: int, emails: set[str]
) -> SeedCustomer:
    language = _pick(rng, spec.languages)
    first = rng.choice(FIRST_NAMES.get(language, FIRST_NAMES["en"]).split())
    last = rng.choice(LAST_NAMES)
    phone = f"+1{AREA_CODES[number // 100]}55501{number % 100:02d}"
    has_phone, has_email = rng.random() < 0.9, rng.random() < 0.7
    identifiers = []
    if has_phone or not has_email:
        identifiers.append(Identifier(kind=IdentifierKind.PHONE, value=phone))
    if has_email:
        identifiers.append(
            Identifier(kind=IdentifierKind.EMAIL, value=_email(first, last, rng, emails))
        )
    if rng.random() < 0.3:
        identifiers.append(
            Identifier(kind=IdentifierKind.CHAT, value=f"web-{rng.getrandbits(32):08x}")
        )
    month = (now - timedelta(days=30)).strftime("%B")
    history = _history(rng, spec, now)
    latest = max(history, key=lambda contact: contact.at, default=None)
    profile = CustomerProfile(
        customer_id=uuid.UUID(int=rng.getrandbits(128), version=4).hex,
        first_name=first,
        last_name=last,
        tier=_pick(rng, spec.tiers),
        language=language,
        open_issue=rng.choice(OPEN_ISSUES).format(month=month) if rng.random() < 0.25 else None,
        time_zone=spec.time_zone,
        sms_opt_in=has_phone and rng.random() < 0.55,
        email_opt_in=has_email and rng.random() < 0.65,
        identifiers=identifiers,
        # The snapshot already names the latest contact, so writing again never rolls it back.
        last_contact_channel=latest.channel if latest else None,
        last_contact_at=latest.at if latest else None,
        last_contact_queue=latest.queue if latest else None,
        last_contact_id=latest.contact_id if latest else None,
    )
    return SeedCustomer(profile=profile, history=history)


def _history(rng: random.Random, spec: SeedSpec, now: datetime) -> tuple[ContactSummary, ...]:
    if not spec.channels:
        return ()
    count = rng.choices((0, 1, 2, 3), (0.5, 0.3, 0.15, 0.05))[0]
    if rng.random() < RECENT_SHARE:
        count = max(count, 1)
        latest = now - timedelta(minutes=rng.uniform(30, 47 * 60))
    else:
        latest = now - timedelta(hours=rng.uniform(49, 30 * 24))
    contacts = []
    at = latest
    for _ in range(count):
        outcome = _pick(rng, OUTCOMES)
        contacts.append(
            ContactSummary(
                contact_id=str(uuid.UUID(int=rng.getrandbits(128), version=4)),
                channel=_pick(rng, spec.channels),
                at=at.replace(microsecond=0),
                queue=rng.choice(spec.queues),
                outcome=outcome,
                summary=rng.choice(SUMMARIES[outcome]),
            )
        )
        at -= timedelta(hours=rng.uniform(50, 20 * 24))
    return tuple(contacts)


def _email(first: str, last: str, rng: random.Random, taken: set[str]) -> str:
    """first.last@example.org, accents folded (García -> garcia), numbered when taken."""
    folded = unicodedata.normalize("NFKD", f"{first}.{last}".lower())
    local = "".join(c for c in folded if c.isascii() and (c.isalnum() or c == "."))
    address = f"{local}@{rng.choice(EMAIL_DOMAINS)}"
    suffix = 1
    while address in taken:
        suffix += 1
        address = f"{local}{suffix}@{address.split('@')[1]}"
    taken.add(address)
    return address


def _pick(rng: random.Random, weights: Mapping[str, float]) -> str:
    return rng.choices(list(weights), list(weights.values()))[0]
