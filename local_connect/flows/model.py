"""What the interpreter works on and answers: the contact, the customer, the outcome."""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any, Literal, Protocol

from local_connect.flows.lambdas import LambdaCall
from local_connect.flows.library import Named

EndReason = Literal[
    "queue",  # transferred to a queue (TransferContactToQueue, DequeueContactAndTransferToQueue)
    "disconnect",  # DisconnectParticipant
    "end",  # EndFlowExecution (whisper, queue and disconnect flows end this way)
    "agent",  # TransferContactToAgent
    "third_party",  # TransferParticipantToThirdParty without ContinueFlowExecution
    "holding",  # waiting for an agent in a customer queue flow (MessageParticipantIteratively)
    "error",  # an action failed and the flow had no branch for it: Connect drops the contact
    "customer_left",  # the customer hung up or closed the chat while the flow waited for them
    "other_flow",  # TransferToFlow to a flow that is not loaded (a third-party flow's sibling)
]

# What a customer answers to hang up (or close the chat) instead of answering a prompt.
HANG_UP = "\x00hang-up"


class FlowError(Exception):
    """The flow cannot be interpreted; the message names the flow and the action."""


class UnsupportedActionError(FlowError):
    """An action type the local engine does not interpret (Connect may well support it)."""

    def __init__(self, action_type: str, flow: str, action: str) -> None:
        self.action_type = action_type
        self.flow = flow
        self.action = action
        super().__init__(
            f"action type '{action_type}' (flow '{flow}', action '{action}') is not interpreted "
            "by the local engine"
        )


class FlowLoopError(FlowError):
    """More steps than `max_steps`: a loop no Loop block bounds."""


@dataclass
class Contact:
    """The contact as flows and Lambdas see it. Mutable: flows change attributes and queue."""

    channel: str = "VOICE"  # VOICE | CHAT | TASK | EMAIL
    contact_id: str = field(default_factory=lambda: str(uuid.uuid4()))
    initiation_method: str = "INBOUND"
    customer_endpoint: dict[str, str] | None = None  # {"Address": ..., "Type": ...}
    system_endpoint: dict[str, str] | None = None
    attributes: dict[str, str] = field(default_factory=dict)
    initial_contact_id: str | None = None
    previous_contact_id: str | None = None
    related_contact_id: str | None = None
    subtype: str | None = None  # segment attribute connect:Subtype: connect:Chat, connect:SMS...
    name: str | None = None
    description: str | None = None
    customer_id: str | None = None
    language_code: str = "en-US"
    references: dict[str, dict[str, str]] = field(default_factory=dict)
    # Set by flows:
    queue: Named | None = None
    queue_priority: int | None = None
    queue_time_adjustment_seconds: int | None = None
    agent_id: str | None = None
    callback_number: str | None = None
    event_hooks: dict[str, str] = field(default_factory=dict)  # hook -> flow name (or ARN)
    text_to_speech_voice: str = "Joanna"
    tags: dict[str, str] = field(default_factory=dict)
    settings: dict[str, Any] = field(default_factory=dict)  # recording, logging, streaming...

    def __post_init__(self) -> None:
        self.initial_contact_id = self.initial_contact_id or self.contact_id

    @property
    def recorded_participants(self) -> tuple[str, ...]:
        """Whom a call recording covers ("Agent", "Customer"), as UpdateContactRecordingBehavior
        set it; empty when no flow turned recording on."""
        behavior = (self.settings.get("recording") or {}).get("RecordingBehavior")
        participants = behavior.get("RecordedParticipants") if isinstance(behavior, dict) else None
        return tuple(map(str, participants)) if isinstance(participants, list) else ()

    @staticmethod
    def phone(number: str) -> dict[str, str]:
        return {"Address": number, "Type": "TELEPHONE_NUMBER"}

    @staticmethod
    def email(address: str) -> dict[str, str]:
        return {"Address": address, "Type": "EMAIL_ADDRESS"}


@dataclass(frozen=True)
class Prompt:
    """The flow waits for the customer: digits on voice, a message on chat, a bot or a view."""

    flow: str
    action: str
    action_type: str
    text: str
    kind: Literal["digits", "text", "bot", "view", "wait"]
    timeout_seconds: float
    store: bool = False


class Customer(Protocol):
    """Answers prompts: the text or digits, or None for silence (the input times out)."""

    def respond(self, prompt: Prompt) -> str | None: ...


class ScriptedCustomer:
    """Answers prompts in order from a script; then stays silent for `patience` more prompts
    and hangs up, as a caller eventually does (a flow re-asking forever would never end)."""

    def __init__(self, answers: Iterable[str | None] = (), *, patience: int = 5) -> None:
        self._answers: Iterator[str | None] = iter(answers)
        self._patience = patience
        self.prompts: list[Prompt] = []

    def respond(self, prompt: Prompt) -> str | None:
        self.prompts.append(prompt)
        answer = next(self._answers, HANG_UP)
        if answer is HANG_UP:
            if self._patience <= 0:
                return HANG_UP
            self._patience -= 1
            return None
        return answer


@dataclass(frozen=True)
class Turn:
    """One line of the transcript: what the system said, or what the customer answered."""

    speaker: Literal["system", "customer"]
    text: str
    flow: str
    action: str


@dataclass
class Step:
    """One action a contact went through, as `ccaas run-flow` shows it (kept only when the
    interpreter runs with `trace=True`: a rehearsal of 15,000 contacts has no reader for it)."""

    flow: str
    action: str
    action_type: str
    said: list[str] = field(default_factory=list)
    answer: str | None = None  # what the customer entered; None: silence, or nothing asked
    attributes: dict[str, str] = field(default_factory=dict)  # contact attributes it set
    flow_attributes: dict[str, str] = field(default_factory=dict)  # flow attributes it set
    result: str | None = None  # the condition result or error type it left through
    simulated: bool = False


@dataclass(frozen=True)
class ErrorTaken:
    flow: str
    action: str
    action_type: str
    error_type: str
    handled: bool  # False when the flow had no branch for it


@dataclass(frozen=True)
class CallbackRequest:
    """A queued callback the flow booked (CreateCallbackContact)."""

    number: str | None
    queue: Named | None
    initial_delay_seconds: int
    max_attempts: int
    retry_delay_seconds: int


@dataclass
class FlowOutcome:
    """Where a run left the contact, and how it got there."""

    contact: Contact
    flow: str
    ended_by: EndReason | None = None
    ended_in: str | None = None  # the flow that ended it (after transfers and modules)
    transcript: list[Turn] = field(default_factory=list)
    path: list[tuple[str, str]] = field(default_factory=list)  # (flow, action) visited
    errors: list[ErrorTaken] = field(default_factory=list)
    lambda_calls: list[LambdaCall] = field(default_factory=list)
    callback: CallbackRequest | None = None
    external: dict[str, Any] = field(default_factory=dict)  # the last Lambda's answer
    flow_attributes: dict[str, str] = field(default_factory=dict)
    seconds_in_flow: float = 0.0  # prompts, input timeouts and holds as Connect would spend them
    steps: list[Step] = field(default_factory=list)  # with `trace=True` only
    simulated: list[str] = field(default_factory=list)  # action types stood in for, in order
    warnings: list[str] = field(default_factory=list)  # where the run guessed; no repeats
    transferred_to: str | None = None  # the flow reference, when ended_by is "other_flow"
    # A foreign flow's queues that are not this instance's: reference -> (the local queue that
    # stood in, whether a queue map chose it rather than the default).
    foreign_queues: dict[str, tuple[str, bool]] = field(default_factory=dict)

    def warn(self, message: str) -> None:
        if message not in self.warnings:
            self.warnings.append(message)

    @property
    def attributes(self) -> dict[str, str]:
        return self.contact.attributes

    @property
    def reached_queue(self) -> bool:
        return self.ended_by == "queue"

    @property
    def self_service(self) -> bool:
        """Ended in the flow without a queue or an agent (a deflection, if it was intended)."""
        return self.ended_by in ("disconnect", "end", "error", "customer_left")

    @property
    def queue(self) -> str | None:
        return self.contact.queue.name if self.contact.queue else None

    @property
    def priority(self) -> int | None:
        return self.contact.queue_priority

    def said(self) -> list[str]:
        """What the system said or showed, in order."""
        return [turn.text for turn in self.transcript if turn.speaker == "system"]
