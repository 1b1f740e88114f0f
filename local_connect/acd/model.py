"""What the ACD simulator takes in and gives back.

Times are float seconds from the start of the simulated day; every random draw (patience,
handle time, whether a caller takes a callback) is made by the caller and passed in, so the
simulator itself is deterministic: the same inputs give the same day, event for event.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from enum import StrEnum

from config import ContactCenterConfig

VOICE = "VOICE"
CHAT = "CHAT"
TASK = "TASK"
EMAIL = "EMAIL"


class Outcome(StrEnum):
    HANDLED = "HANDLED"  # an agent connected with the customer
    ABANDONED = "ABANDONED"  # the customer left the queue before an agent connected
    CALLBACK_REQUESTED = "CALLBACK_REQUESTED"  # left the line, a callback contact took its place
    CALLBACK_UNANSWERED = "CALLBACK_UNANSWERED"  # every callback attempt went unanswered
    QUEUE_FULL = "QUEUE_FULL"  # the queue was at capacity: the flow's QueueAtCapacity branch
    UNSERVED = "UNSERVED"  # still waiting when the simulation stopped (nobody staffed)


@dataclass(frozen=True, slots=True)
class ProfileQueue:
    """One line of a routing profile: Connect's queue priority and delay, per channel."""

    queue: str
    channel: str
    priority: int = 1
    delay: float = 0.0


@dataclass(frozen=True, slots=True)
class RoutingProfile:
    name: str
    queues: tuple[ProfileQueue, ...]
    concurrency: Mapping[str, int] = field(default_factory=lambda: {VOICE: 1, CHAT: 3})

    def channels(self) -> set[str]:
        return {entry.channel for entry in self.queues}


@dataclass(frozen=True, slots=True)
class StaffingStep:
    """From `start` seconds on, `agents` agents of `profile` are logged in."""

    start: float
    profile: str
    agents: int


@dataclass(frozen=True, slots=True)
class CallbackPolicy:
    """Queued callbacks (Connect's CreateCallbackContact in the customer queue flow)."""

    offer_after: float  # seconds in queue before the offer is played
    ring_seconds: float = 25.0  # an agent's dial attempt that nobody picks up
    retry_delay: float = 600.0
    max_attempts: int = 2


@dataclass(frozen=True, slots=True)
class ContactRequest:
    """A contact arriving in a queue, with every random quantity already drawn."""

    contact_id: str
    channel: str
    queue: str
    arrival: float  # when the flow put it in the queue
    talk: float  # agent interaction seconds
    priority: int = 5  # Connect's queue priority: 1 is served first
    patience: float = math.inf  # seconds the customer will wait in queue
    hold: float = 0.0
    after_contact_work: float = 0.0
    accepts_callback: bool = False  # takes the callback offer if still waiting when it is made
    callback_contact_id: str | None = None
    callback_answers: Sequence[bool] = ()  # per attempt: does the customer pick up?


@dataclass(slots=True)
class ContactResult:
    """What happened to one contact in the ACD; one contact record is built from each."""

    contact_id: str
    channel: str
    queue: str
    priority: int
    enqueued: float
    initiation_method: str = "INBOUND"
    previous_contact_id: str | None = None
    next_contact_id: str | None = None
    outcome: Outcome = Outcome.UNSERVED
    dequeued: float | None = None
    agent: str | None = None
    routing_profile: str | None = None
    connected: float | None = None
    talk: float = 0.0
    hold: float = 0.0
    after_contact_work: float = 0.0
    attempts: int = 0
    ended: float | None = None  # customer side disconnect
    released: float | None = None  # agent cleared the contact (end of after-contact work)

    @property
    def queue_wait(self) -> float | None:
        return None if self.dequeued is None else self.dequeued - self.enqueued


@dataclass(frozen=True, slots=True)
class QueueSample:
    """Contacts waiting per (queue, channel) at one instant, for the day's queue-length chart."""

    at: float
    waiting: Mapping[tuple[str, str], int]


@dataclass
class SimulationResult:
    contacts: list[ContactResult]
    samples: list[QueueSample]
    staffed_seconds: dict[str, float]  # per routing profile, agent-seconds logged in
    busy_seconds: dict[str, float]  # per routing profile, agent-seconds with >= 1 contact
    events: int
    # Per channel: agent-seconds holding at least one contact of it, and contact-seconds of
    # its slots. Their ratio is how many of the concurrency slots agents really used.
    channel_busy_seconds: dict[str, float] = field(default_factory=dict)
    channel_slot_seconds: dict[str, float] = field(default_factory=dict)

    def by_id(self) -> dict[str, ContactResult]:
        return {contact.contact_id: contact for contact in self.contacts}

    def concurrency_used(self, channel: str) -> float | None:
        """Average contacts an agent held while working this channel (1.0 for voice)."""
        busy = self.channel_busy_seconds.get(channel, 0.0)
        return self.channel_slot_seconds.get(channel, 0.0) / busy if busy else None

    def occupancy(self, profile: str | None = None) -> float:
        names = [profile] if profile else list(self.staffed_seconds)
        staffed = sum(self.staffed_seconds[name] for name in names)
        busy = sum(self.busy_seconds[name] for name in names)
        return busy / staffed if staffed else 0.0


def profiles_from_config(config: ContactCenterConfig) -> list[RoutingProfile]:
    """Routing profiles exactly as the config deploys them (priorities, delays, concurrency)."""
    profiles = []
    for name, profile in config.routing_profiles.items():
        entries = tuple(
            ProfileQueue(
                queue=entry.queue,
                channel=str(channel.value),
                priority=entry.priority,
                delay=float(entry.delay_seconds),
            )
            for entry in profile.queues
            for channel in entry.channels
        )
        concurrency = {
            VOICE: profile.concurrency.voice,
            CHAT: profile.concurrency.chat,
            TASK: profile.concurrency.task,
            EMAIL: profile.concurrency.email,
        }
        profiles.append(RoutingProfile(name=name, queues=entries, concurrency=concurrency))
    return profiles
