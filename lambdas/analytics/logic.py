"""Contact records -> KPI contributions per (15-minute interval, queue, channel). Pure: no boto3.

Exactly once, and how this module makes it cheap
------------------------------------------------
Connect delivers each contact record at least once and sends it again whenever the contact
changes (after-contact work ends, attributes are updated), so the same ContactId arrives several
times, in any order, and a batch may be replayed after a partial failure. A contact must count
once, from its newest version. Counting is therefore "replace this contact's contribution":

- `contribution(record)` turns one record into the counters it adds to one aggregate key;
- `version_of(record)` orders the versions of a contact (LastUpdateTimestamp, then a digest of
  the content, so two different records stamped in the same second still order the same way on
  every replay, and an exact duplicate is equal, never newer);
- `plan_change` compares a record with the contact's stored state: not newer -> nothing to do
  (duplicate or stale); newer -> subtract the stored contribution, add the new one;
- `net_deltas` folds a batch's changes into one counter delta per aggregate key, so DynamoDB
  sees one update per (interval, queue, channel) touched, however many records hit it;
- `chunk_changes` packs changes and their aggregate deltas into transactions of at most 100
  items (DynamoDB's TransactWriteItems limit), contacts sorted by key so each transaction
  touches few aggregate items.

The repository writes each chunk in one TransactWriteItems: the contact-state items (with their
new version and contribution, each conditioned on the version read) and the aggregate ADDs.
Either all of it happens or none, so totals and states never disagree, and a replay finds every
state already at its version and writes nothing.

Definitions (Connect's own where it has one; the README fragment lists where ours differ)
------------------------------------------------------------------------------------------
Each contact counts in the interval it entered the queue (EnqueueTimestamp), or, if it never
queued, the interval it started (InitiationTimestamp), under its queue's name (or, never queued,
the `queueName` attribute our flows set before transferring to a queue, else "").

- queued: the record has a Queue section. answered: queued and connected to an agent.
  handled: connected to an agent (queued or not, e.g. outbound).
- abandoned: queued, never connected, disconnected by the customer, not moved on to a next
  contact (a queued callback or a transfer; Connect does not count callbacks as abandoned).
- callbacks_requested: queued, never connected, and left the queue into a next contact.
- queue_full: never queued although the flow had chosen a queue (`queueName` set): the shipped
  flows' QueueAtCapacity branch, or a caller who hung up between that choice and the queue.
- answered_within_Xs / dequeued_within_Xs: answered (ours) / removed from the queue by an
  agent, the customer or a callback (Connect's service level) within X seconds of enqueue.
- queue_wait_handled, queue_wait_abandoned: seconds in queue of answered / abandoned contacts.
- talk, hold, acw: AgentInteractionDuration, CustomerHoldDuration, AfterContactWorkDuration;
  handle_time is their sum.
- inbound: started by the customer (INBOUND, WebRTC, or API on a non-voice channel: our chat,
  email and task starts), as opposed to transfers, callbacks and outbound calls.
- self_service: inbound and ended in the flow without reaching a queue or an agent.
- identified / repeat: inbound contacts of a known customer / those of them with an earlier
  contact by the same customer on any channel within the repeat window (48 h by default).
- bot_contacts: handed to the self-service bot (the entry flows set `self_service_outcome` to
  `in_bot` before the bot and copy the bot's outcome over it after). Of them: bot_contained,
  the bot fulfilled the request and the contact never queued; bot_abandoned, the contact ended
  while still in the bot (the outcome is still `in_bot`); bot_escalated, every other one (the
  customer asked for an agent, the bot could not match or fulfil, or queued after all). Each
  also counts under `<counter>:<intent>` (`self_service_intent`, "" when the bot learnt none),
  so the KPIs exist per intent as well as per channel and queue.
"""

from __future__ import annotations

import hashlib
from collections import defaultdict
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Generic, TypeVar

from lambdas.common.contact_records import ContactRecord

INTERVAL = timedelta(minutes=15)
TRANSACTION_ITEM_LIMIT = 100
NO_QUEUE = ""
QUEUE_NAME_ATTRIBUTE = "queueName"
CUSTOMER_ID_ATTRIBUTE = "customerId"

CONTACTS = "contacts"
INBOUND = "inbound"
QUEUED = "queued"
ANSWERED = "answered"
HANDLED = "handled"
ABANDONED = "abandoned"
CALLBACKS_REQUESTED = "callbacks_requested"
QUEUE_FULL = "queue_full"
SELF_SERVICE = "self_service"
QUEUE_WAIT_HANDLED = "queue_wait_handled"
QUEUE_WAIT_ABANDONED = "queue_wait_abandoned"
TALK = "talk"
HOLD = "hold"
ACW = "acw"
IDENTIFIED = "identified"
REPEAT = "repeat"
BOT_CONTACTS = "bot_contacts"
BOT_CONTAINED = "bot_contained"
BOT_ESCALATED = "bot_escalated"
BOT_ABANDONED = "bot_abandoned"
BOT_COUNTERS = (BOT_CONTACTS, BOT_CONTAINED, BOT_ESCALATED, BOT_ABANDONED)

# The contract between the flows and the fulfillment function (docs/self-service.md): the
# function sets these session attributes, the flows copy them into contact attributes.
BOT_OUTCOME_ATTRIBUTE = "self_service_outcome"
BOT_INTENT_ATTRIBUTE = "self_service_intent"
BOT_FULFILLED = "fulfilled"
IN_BOT = "in_bot"  # set by the flows before the bot: still there when the contact ended in it

# Started by someone other than the customer, or a continuation of an earlier contact.
_NOT_CUSTOMER_STARTED = frozenset(
    {
        "OUTBOUND",
        "TRANSFER",
        "QUEUE_TRANSFER",
        "CALLBACK",
        "DISCONNECT",
        "MONITOR",
        "EXTERNAL_OUTBOUND",
        "AGENT_REPLY",
        "FLOW",
        "CAMPAIGN_PREVIEW",
    }
)


def answered_within(threshold_seconds: int) -> str:
    """Counter name carrying its threshold, so changing the threshold starts a new counter
    instead of mixing two definitions in one sum."""
    return f"answered_within_{threshold_seconds}s"


def dequeued_within(threshold_seconds: int) -> str:
    return f"dequeued_within_{threshold_seconds}s"


def per_intent(counter: str, intent: str) -> str:
    """A bot counter of one intent: `bot_contained:CheckAppointment` (Lex intent names have no
    colon, so the name splits back unambiguously)."""
    return f"{counter}:{intent}"


class MalformedRecordError(ValueError):
    """A record that parses but cannot be attributed (no timestamp at all)."""


@dataclass(frozen=True, order=True)
class AggregateKey:
    """One row of the supervisor's table: a 15-minute interval (UTC start), channel and queue."""

    interval_start: datetime
    channel: str
    queue: str


@dataclass(frozen=True)
class Contribution:
    key: AggregateKey
    counters: Mapping[str, int]


@dataclass(frozen=True)
class ContactState:
    """What was counted for a contact: its version and contribution (stored per ContactId)."""

    contact_id: str
    version: str
    contribution: Contribution
    customer_id: str | None = None
    repeat: bool | None = None


@dataclass(frozen=True)
class CustomerFacts:
    """Who the contact's customer is and whether this contact repeats an earlier one.

    `customer_id` None: nobody identifiable (a web chat without a customer id, a withheld
    number), or not an inbound contact; `repeat` None: not part of the repeat-contact population.
    """

    customer_id: str | None = None
    repeat: bool | None = None


SourceT = TypeVar("SourceT")


@dataclass
class LatestVersion(Generic[SourceT]):
    """The newest version of one contact in a batch, and every batch item that carried it."""

    record: ContactRecord
    version: str
    sources: list[SourceT] = field(default_factory=list)


@dataclass(frozen=True)
class Change:
    """A contact whose counted contribution moves from `old` (None: first count) to `new`."""

    contact_id: str
    version: str
    expected_version: str | None
    old: Contribution | None
    new: Contribution
    customer: CustomerFacts

    @property
    def keys(self) -> set[AggregateKey]:
        return {self.new.key} | ({self.old.key} if self.old else set())

    def state(self) -> ContactState:
        return ContactState(
            contact_id=self.contact_id,
            version=self.version,
            contribution=self.new,
            customer_id=self.customer.customer_id,
            repeat=self.customer.repeat,
        )


# -- one record ---------------------------------------------------------------------------------


def interval_start(moment: datetime) -> datetime:
    """The start of the 15-minute interval holding `moment`, in UTC (Connect's report grid)."""
    moment = moment.astimezone(UTC)
    return moment.replace(minute=moment.minute - moment.minute % 15, second=0, microsecond=0)


def counted_at(record: ContactRecord) -> datetime:
    """When the contact counts: entering the queue, else starting. Raises if the record has no
    timestamp at all (it cannot be placed in any interval)."""
    queued_at = record.queue.enqueue_timestamp if record.queue else None
    moment = queued_at or record.started_at
    if moment is None:
        raise MalformedRecordError(f"contact {record.contact_id} has no timestamp")
    return moment


def queue_name(record: ContactRecord) -> str:
    if record.queue is not None and record.queue.name:
        return record.queue.name
    return record.attributes.get(QUEUE_NAME_ATTRIBUTE) or NO_QUEUE


def is_inbound(record: ContactRecord) -> bool:
    """Started by the customer: a call or email in, a chat or task our backends start for them.

    API-initiated voice is an outbound call (StartOutboundVoiceContact), so it is not.
    """
    method = record.initiation_method or "INBOUND"
    if method in _NOT_CUSTOMER_STARTED:
        return False
    if method == "API":
        return record.channel != "VOICE"
    return True


def is_abandoned(record: ContactRecord) -> bool:
    return (
        record.was_queued
        and not record.reached_agent
        and record.disconnect_reason == "CUSTOMER_DISCONNECT"
        and not record.next_contact_id
        and record.transfer_completed_timestamp is None
    )


def outcome(record: ContactRecord) -> str:
    """One word for the contact history the next agent sees."""
    if record.reached_agent:
        return "handled"
    if record.was_queued:
        if record.next_contact_id:
            return "callback"
        return "abandoned" if is_abandoned(record) else "unanswered"
    if record.attributes.get(QUEUE_NAME_ATTRIBUTE):
        return "queue_full"
    return "self_service" if is_inbound(record) else "ended_in_flow"


def bot_counter(record: ContactRecord) -> str | None:
    """Which of contained / escalated / abandoned a bot contact is; None: it met no bot."""
    outcome = record.attributes.get(BOT_OUTCOME_ATTRIBUTE)
    if not outcome:
        return None
    if outcome == IN_BOT:
        return BOT_ABANDONED
    if outcome == BOT_FULFILLED and not record.was_queued and not record.reached_agent:
        return BOT_CONTAINED
    return BOT_ESCALATED


def contribution(
    record: ContactRecord, *, threshold_seconds: int, customer: CustomerFacts
) -> Contribution:
    """The counters this contact adds to its aggregate key (zeros left out)."""
    counters: dict[str, int] = {CONTACTS: 1}
    inbound = is_inbound(record)
    if inbound:
        counters[INBOUND] = 1
        if customer.repeat is not None:
            counters[IDENTIFIED] = 1
            counters[REPEAT] = int(customer.repeat)
    queue = record.queue
    if record.was_queued and queue is not None:
        counters[QUEUED] = 1
        wait = queue.wait_seconds
        within = wait <= threshold_seconds
        if record.reached_agent:
            counters[ANSWERED] = 1
            counters[QUEUE_WAIT_HANDLED] = wait
            counters[answered_within(threshold_seconds)] = int(within)
            counters[dequeued_within(threshold_seconds)] = int(within)
        elif record.next_contact_id:
            counters[CALLBACKS_REQUESTED] = 1
            counters[dequeued_within(threshold_seconds)] = int(within)
        elif is_abandoned(record):
            counters[ABANDONED] = 1
            counters[QUEUE_WAIT_ABANDONED] = wait
            counters[dequeued_within(threshold_seconds)] = int(within)
    elif record.attributes.get(QUEUE_NAME_ATTRIBUTE):
        counters[QUEUE_FULL] = 1
    elif inbound and not record.reached_agent:
        counters[SELF_SERVICE] = 1
    bot = bot_counter(record)
    if bot is not None:
        intent = record.attributes.get(BOT_INTENT_ATTRIBUTE) or ""
        for name in (BOT_CONTACTS, bot):
            counters[name] = 1
            counters[per_intent(name, intent)] = 1
    agent = record.agent
    if record.reached_agent and agent is not None:
        counters[HANDLED] = 1
        counters[TALK] = agent.agent_interaction_duration or 0
        counters[HOLD] = agent.customer_hold_duration or 0
        counters[ACW] = agent.after_contact_work_duration or 0
    key = AggregateKey(interval_start(counted_at(record)), record.channel, queue_name(record))
    return Contribution(key=key, counters={k: v for k, v in counters.items() if v})


def version_of(record: ContactRecord) -> str:
    """Sortable version: LastUpdateTimestamp (fixed-width UTC), then a digest of the content.

    Connect says to keep the copy with the newest LastUpdateTimestamp; its timestamps have whole
    seconds, so two updates in one second tie and the digest breaks the tie the same way on
    every replay. An exact duplicate has the same version, which is never "newer".
    """
    stamp = record.last_update_timestamp or record.disconnect_timestamp or record.started_at
    prefix = stamp.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ") if stamp else ""
    digest = hashlib.sha256(record.model_dump_json(by_alias=True).encode("utf-8")).hexdigest()
    return f"{prefix}#{digest[:16]}"


# -- a batch ------------------------------------------------------------------------------------


def latest_versions(
    records: Iterable[tuple[SourceT, ContactRecord]],
) -> dict[str, LatestVersion[SourceT]]:
    """One entry per ContactId: its newest version, with every batch item of that contact."""
    latest: dict[str, LatestVersion[SourceT]] = {}
    for source, record in records:
        version = version_of(record)
        entry = latest.get(record.contact_id)
        if entry is None:
            latest[record.contact_id] = LatestVersion(record, version, [source])
            continue
        entry.sources.append(source)
        if version > entry.version:
            entry.record, entry.version = record, version
    return latest


def needs_counting(version: str, state: ContactState | None) -> bool:
    """True for a contact never counted, or counted from an older version."""
    return state is None or version > state.version


def plan_change(
    record: ContactRecord,
    version: str,
    state: ContactState | None,
    *,
    threshold_seconds: int,
    customer: CustomerFacts,
) -> Change | None:
    """None when the stored state is this version or newer (a duplicate, a replay, a stale copy)."""
    if not needs_counting(version, state):
        return None
    new = contribution(record, threshold_seconds=threshold_seconds, customer=customer)
    return Change(
        contact_id=record.contact_id,
        version=version,
        expected_version=state.version if state else None,
        old=state.contribution if state else None,
        new=new,
        customer=customer,
    )


def net_deltas(changes: Iterable[Change]) -> dict[AggregateKey, dict[str, int]]:
    """One counter delta per aggregate key: new contributions minus replaced ones, zeros dropped."""
    deltas: dict[AggregateKey, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    for change in changes:
        if change.old is not None:
            for name, value in change.old.counters.items():
                deltas[change.old.key][name] -= value
        for name, value in change.new.counters.items():
            deltas[change.new.key][name] += value
    result: dict[AggregateKey, dict[str, int]] = {}
    for key, counters in deltas.items():
        nonzero = {name: value for name, value in counters.items() if value}
        if nonzero:
            result[key] = nonzero
    return result


def chunk_changes(
    changes: Sequence[Change], limit: int = TRANSACTION_ITEM_LIMIT
) -> Iterator[list[Change]]:
    """Groups of changes whose state items plus distinct aggregate items fit one transaction.

    Sorted by aggregate key first, so the contacts of one interval, queue and channel travel
    together and a transaction of ~100 items carries ~95 contacts and a handful of aggregates.
    """
    if limit < 3:
        raise ValueError("a transaction must hold a contact and up to two aggregate items")
    ordered = sorted(changes, key=lambda c: (c.new.key, c.contact_id))
    chunk: list[Change] = []
    keys: set[AggregateKey] = set()
    for change in ordered:
        grown = keys | change.keys
        if chunk and len(chunk) + 1 + len(grown) > limit:
            yield chunk
            chunk, grown = [], set(change.keys)
        chunk.append(change)
        keys = grown
    if chunk:
        yield chunk


# -- repeat contacts ----------------------------------------------------------------------------


def is_repeat(
    started: datetime,
    previous: Iterable[tuple[str, datetime]],
    *,
    window: timedelta,
    exclude: Iterable[str] = (),
) -> bool:
    """Whether any earlier contact (id, start) falls in [started - window, started).

    `exclude` is the contact itself and the contacts it continues: a replayed contact already in
    the history is not its own predecessor.
    """
    excluded = set(exclude)
    return any(
        contact_id not in excluded and started - window <= at < started
        for contact_id, at in previous
    )


def contact_chain(record: ContactRecord) -> set[str]:
    ids = {
        record.contact_id,
        record.previous_contact_id,
        record.initial_contact_id,
        record.related_contact_id,
    }
    return {contact_id for contact_id in ids if contact_id}


def history_channel(record: ContactRecord) -> str:
    """The channel as the customer used it: SMS is a CHAT contact with subtype connect:SMS."""
    return "SMS" if record.is_sms else record.channel


# -- reading the aggregates back --------------------------------------------------------------


@dataclass
class Kpis:
    """Summed counters of one or more aggregate rows; every ratio is derived here, at read time.

    The one definition of every KPI: the dashboard's metric math divides the same counters,
    and `ccaas report` and `ccaas rehearse` print these properties (docs/kpis.md says what
    each one is). A ratio with nothing to divide by is None, never 0.
    """

    contacts: int = 0
    inbound: int = 0
    queued: int = 0
    answered: int = 0
    handled: int = 0
    abandoned: int = 0
    callbacks_requested: int = 0
    queue_full: int = 0
    self_service: int = 0
    answered_in_threshold: int = 0
    dequeued_in_threshold: int = 0
    queue_wait_handled: int = 0
    queue_wait_abandoned: int = 0
    talk: int = 0
    hold: int = 0
    acw: int = 0
    identified: int = 0
    repeat: int = 0
    bot_contacts: int = 0
    bot_contained: int = 0
    bot_escalated: int = 0
    bot_abandoned: int = 0

    @classmethod
    def from_counters(cls, counters: Mapping[str, int], *, threshold_seconds: int) -> Kpis:
        kpis = cls()
        for name in kpis.__dataclass_fields__:
            if name in counters:
                setattr(kpis, name, int(counters[name]))
        kpis.answered_in_threshold = int(counters.get(answered_within(threshold_seconds), 0))
        kpis.dequeued_in_threshold = int(counters.get(dequeued_within(threshold_seconds), 0))
        return kpis

    def add(self, other: Kpis) -> None:
        for name in self.__dataclass_fields__:
            setattr(self, name, getattr(self, name) + getattr(other, name))

    @property
    def handle_time(self) -> int:
        return self.talk + self.hold + self.acw

    @property
    def abandonment_rate(self) -> float | None:
        return self.abandoned / self.queued if self.queued else None

    @property
    def average_speed_of_answer(self) -> float | None:
        return self.queue_wait_handled / self.answered if self.answered else None

    @property
    def average_handle_time(self) -> float | None:
        return self.handle_time / self.handled if self.handled else None

    @property
    def service_level(self) -> float | None:
        """Ours: answered within the threshold / queued (Connect's is below)."""
        return self.answered_in_threshold / self.queued if self.queued else None

    @property
    def connect_service_level(self) -> float | None:
        """Connect's "Service level X seconds": removed from the queue within X / queued."""
        return self.dequeued_in_threshold / self.queued if self.queued else None

    @property
    def repeat_rate(self) -> float | None:
        return self.repeat / self.identified if self.identified else None

    @property
    def first_contact_resolution(self) -> float | None:
        rate = self.repeat_rate
        return None if rate is None else 1 - rate

    @property
    def self_service_rate(self) -> float | None:
        return self.self_service / self.inbound if self.inbound else None

    @property
    def containment_rate(self) -> float | None:
        """Bot contacts the bot fulfilled without a queue / bot contacts."""
        return self.bot_contained / self.bot_contacts if self.bot_contacts else None

    @property
    def bot_abandonment_rate(self) -> float | None:
        """Bot contacts that ended while still in the bot / bot contacts."""
        return self.bot_abandoned / self.bot_contacts if self.bot_contacts else None

    @property
    def escalation_rate(self) -> float | None:
        """Bot contacts that left the bot for an agent's queue / bot contacts."""
        return self.bot_escalated / self.bot_contacts if self.bot_contacts else None


def bot_intents(rows: Iterable[tuple[AggregateKey, Mapping[str, int]]]) -> dict[str, Kpis]:
    """The bot KPIs per intent over the given rows (intent "" : the bot learnt none)."""
    table: dict[str, Kpis] = {}
    for _, counters in rows:
        for name, value in counters.items():
            counter, separator, intent = name.partition(":")
            if separator and counter in BOT_COUNTERS:
                kpis = table.setdefault(intent, Kpis())
                setattr(kpis, counter, getattr(kpis, counter) + int(value))
    return dict(sorted(table.items()))


def summarize(
    rows: Iterable[tuple[AggregateKey, Mapping[str, int]]],
    *,
    threshold_seconds: int,
    by_queue: bool = True,
) -> dict[tuple[str, str], Kpis]:
    """KPIs per (channel, queue) (queue "" when `by_queue` is False) over the given rows."""
    table: dict[tuple[str, str], Kpis] = {}
    for key, counters in rows:
        group = (key.channel, key.queue if by_queue else "")
        table.setdefault(group, Kpis()).add(
            Kpis.from_counters(counters, threshold_seconds=threshold_seconds)
        )
    return table
