"""Runs contact flows the way Amazon Connect does, one action at a time.

Each action does its work, then leaves through `Transitions`: a condition that matches its
result, an error branch (`NoMatchingCondition`, `InputTimeLimitExceeded`, `QueueAtCapacity`,
`NoMatchingError`...), or `NextAction`. Semantics follow the flow language reference
(https://docs.aws.amazon.com/connect/latest/APIReference/flow-language-actions.html), action by
action below. A few action types need services the local engine does not have (Cases,
Customer Profiles, Voice ID, Amazon Q, outbound campaigns): those are stood in for
(`SIMULATED_ACTIONS`, the reviewed list, equal to `flowlang.catalog.SIMULATED`) and named in
`outcome.simulated`. Any other type raises `UnsupportedActionError`, naming it, the flow and the
action. An error the flow has no branch for ends the contact (`ended_by` "error"), as Connect
drops a contact whose flow cannot go on.

A flow from another instance runs with `ForeignResources` (`local_connect.flows.foreign`): its
queues, hours and flows that do not exist here are mapped or stood in for, each time with a
warning on the outcome.

A run is a generator that yields a `Prompt` whenever the flow waits for the customer, so a
terminal chat can pause between messages; `FlowInterpreter.run` drives it with a `Customer`
for batch use (tests, the rehearsal).
"""

from __future__ import annotations

import random
import re
from collections.abc import Callable, Generator, Iterator, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any, Literal, Protocol

from botocore.exceptions import ClientError

from config.model import HoursConfig
from flowlang.loader import Action, Flow
from local_connect.flows import references
from local_connect.flows.foreign import ForeignResources
from local_connect.flows.hours import is_open
from local_connect.flows.lambdas import DEFAULT_TIME_LIMIT_SECONDS, LambdaRegistry
from local_connect.flows.library import FlowLibrary, Named
from local_connect.flows.model import (
    HANG_UP,
    CallbackRequest,
    Contact,
    Customer,
    EndReason,
    ErrorTaken,
    FlowError,
    FlowLoopError,
    FlowOutcome,
    Prompt,
    ScriptedCustomer,
    Step,
    Turn,
    UnsupportedActionError,
)

E164 = re.compile(r"^\+[1-9]\d{1,14}$")
ATTRIBUTES_MAX_BYTES = 32 * 1024
# Text-to-speech reads about 150 words a minute; a chat message costs the customer no time.
SPOKEN_WORDS_PER_SECOND = 2.5
# CheckMetricData metric types -> where GetMetricData's namespace keeps them.
METRIC_TYPES = {
    "NumberOfAgentsAvailable": ("Agents", "Available", "Count"),
    "NumberOfAgentsStaffed": ("Agents", "Staffed", "Count"),
    "NumberOfAgentsOnline": ("Agents", "Online", "Count"),
    "NumberOfContactsInQueue": ("Queue", "Size"),
    "OldestContactInQueueAgeSeconds": ("Queue", "OldestContactAge"),
}


class LexRuntime(Protocol):
    """What ConnectParticipantWithLexBot asks of Lex V2: a boto3 `lexv2-runtime` client (the
    local engine's is answered by `local_connect.emulation`'s Lex from the bot file)."""

    def recognize_text(self, **request: Any) -> Any: ...


class QueueMonitor(Protocol):
    """Live queue state for GetMetricData/CheckMetricData and queue capacity."""

    def metrics(self, queue: Named, channel: str) -> dict[str, Any]:
        """`{"Queue": {"Size", "OldestContactAge"}, "Agents": {"Online": {"Count"}, ...}}`."""
        ...

    def at_capacity(self, queue: Named) -> bool: ...


@dataclass
class StaticQueues:
    """Queue state that does not move: sizes and agent counts per queue name."""

    sizes: dict[str, int] = field(default_factory=dict)
    capacity: dict[str, int] = field(default_factory=dict)
    agents_available: int = 1
    agents_staffed: int = 1
    oldest_seconds: float = 0.0

    def metrics(self, queue: Named, channel: str) -> dict[str, Any]:
        return {
            "Queue": {
                "Name": queue.name,
                "ARN": queue.arn,
                "Size": self.sizes.get(queue.name, 0),
                "OldestContactAge": self.oldest_seconds,
            },
            "Agents": {
                "Online": {"Count": self.agents_staffed},
                "Staffed": {"Count": self.agents_staffed},
                "Available": {"Count": self.agents_available},
            },
        }

    def at_capacity(self, queue: Named) -> bool:
        limit = self.capacity.get(queue.name)
        return limit is not None and self.sizes.get(queue.name, 0) >= limit


@dataclass(frozen=True)
class _Step:
    """Where the run goes next; `ask`: the action is not done, it waits on the customer again
    (a bot's next question)."""

    next_action: str | None = None
    end: EndReason | None = None
    ask: Prompt | None = None


class _Namespace(Mapping[str, Any]):
    """The contact's attributes as JSONPath references see them, computed on demand."""

    def __init__(self, run: _Run) -> None:
        self.run = run

    def __getitem__(self, key: str) -> Any:
        getter = _NAMESPACE.get(key)
        value = getter(self.run) if getter else None
        if value is None:
            raise KeyError(key)
        return value

    def __iter__(self) -> Iterator[str]:
        return iter(_NAMESPACE)

    def __len__(self) -> int:
        return len(_NAMESPACE)


def _queue_namespace(run: _Run) -> dict[str, Any] | None:
    queue = run.contact.queue
    if queue is None:
        return None
    return {"Name": queue.name, "ARN": queue.arn}


_NAMESPACE: dict[str, Callable[[_Run], Any]] = {
    "Attributes": lambda r: r.contact.attributes,
    "External": lambda r: r.outcome.external,
    "FlowAttributes": lambda r: r.flow_attributes,
    "Metrics": lambda r: r.metrics,
    "Lex": lambda r: r.lex,
    "Channel": lambda r: r.contact.channel,
    "ContactId": lambda r: r.contact.contact_id,
    "InitialContactId": lambda r: r.contact.initial_contact_id,
    "PreviousContactId": lambda r: r.contact.previous_contact_id,
    "RelatedContactId": lambda r: r.contact.related_contact_id,
    "InstanceARN": lambda r: r.library.instance_arn,
    "AwsRegion": lambda r: r.library.region,
    "InitiationMethod": lambda r: r.contact.initiation_method,
    "Name": lambda r: r.contact.name,
    "Description": lambda r: r.contact.description,
    "CustomerId": lambda r: r.contact.customer_id,
    "LanguageCode": lambda r: r.contact.language_code,
    "TextToSpeechVoiceId": lambda r: r.contact.text_to_speech_voice,
    "CustomerEndpoint": lambda r: r.contact.customer_endpoint,
    "SystemEndpoint": lambda r: r.contact.system_endpoint,
    "CustomerCallbackNumber": lambda r: r.contact.callback_number,
    "StoredCustomerInput": lambda r: r.stored_input,
    "Queue": _queue_namespace,
    "References": lambda r: r.contact.references,
    "Tags": lambda r: r.contact.tags,
    "SegmentAttributes": lambda r: (
        {"connect:Subtype": {"ValueString": r.contact.subtype}} if r.contact.subtype else None
    ),
}


@dataclass
class _Run:
    interpreter: FlowInterpreter
    contact: Contact
    outcome: FlowOutcome
    flow_name: str
    flow: Flow
    now: datetime
    queue_wait: float | None
    flow_attributes: dict[str, str] = field(default_factory=dict)
    metrics: dict[str, Any] = field(default_factory=dict)
    lex: dict[str, Any] = field(default_factory=dict)
    lex_conversation: str | None = None  # the bot action whose conversation is under way
    stored_input: str | None = None
    loops: dict[tuple[str, str], int] = field(default_factory=dict)
    modules: list[tuple[str, Flow, str | None, dict[str, str]]] = field(default_factory=list)
    held_seconds: float = 0.0

    @property
    def library(self) -> FlowLibrary:
        return self.interpreter.library

    @property
    def namespace(self) -> _Namespace:
        return _Namespace(self)

    def value(self, raw: Any) -> Any:
        return references.resolve(self.namespace, raw)

    def text(self, raw: Any) -> str:
        value = self.value(raw)
        return "" if value is None else references.as_text(value)

    @property
    def step(self) -> Step | None:
        """The action being run, when the interpreter keeps a trace."""
        return self.outcome.steps[-1] if self.interpreter.trace and self.outcome.steps else None

    def say(self, text: str, action: Action) -> None:
        self.outcome.transcript.append(Turn("system", text, self.flow_name, action.identifier))
        if self.step is not None:
            self.step.said.append(text)
        if self.contact.channel == "VOICE":
            self.outcome.seconds_in_flow += len(text.split()) / SPOKEN_WORDS_PER_SECOND

    @property
    def clock(self) -> datetime:
        return self.now + timedelta(seconds=self.outcome.seconds_in_flow)


ActionHandler = Callable[["FlowInterpreter", _Run, Action], _Step]
AskingHandler = Callable[["FlowInterpreter", _Run, Action, str | None], _Step]


class FlowRun:
    """One flow run in progress: `prompt` is set while the flow waits for the customer, and
    `outcome` grows as the flow goes (its transcript is readable between prompts)."""

    def __init__(
        self, generator: Generator[Prompt, str | None, FlowOutcome], outcome: FlowOutcome
    ) -> None:
        self._generator = generator
        self.outcome = outcome
        self.prompt: Prompt | None = None
        self.finished = False
        self._advance(None, first=True)

    def answer(self, text: str | None) -> Prompt | None:
        """The customer's answer to `prompt` (None: silence); returns the next prompt."""
        if self.finished:
            raise FlowError("the flow has ended; nothing is waiting for an answer")
        self._advance(text, first=False)
        return self.prompt

    def hang_up(self) -> FlowOutcome:
        """The customer leaves while the flow waits for them."""
        if not self.finished:
            self._advance(HANG_UP, first=False)
        return self.outcome

    def _advance(self, text: str | None, *, first: bool) -> None:
        try:
            self.prompt = next(self._generator) if first else self._generator.send(text)
        except StopIteration as done:
            self.prompt = None
            self.outcome = done.value
            self.finished = True


class FlowInterpreter:
    """Interprets a library's flows; one interpreter serves any number of contacts."""

    def __init__(
        self,
        library: FlowLibrary,
        *,
        lambdas: LambdaRegistry | None = None,
        queues: QueueMonitor | None = None,
        clock: Callable[[], datetime] | None = None,
        rng: random.Random | None = None,
        max_steps: int = 1000,
        max_hold_seconds: float = 1800.0,
        foreign: ForeignResources | None = None,
        trace: bool = False,
        lex: LexRuntime | None = None,
    ) -> None:
        self.library = library
        # Lex V2 for ConnectParticipantWithLexBot; None: the customer's words are the intent.
        self.lex = lex
        self.lambdas = lambdas or LambdaRegistry()
        self.queues: QueueMonitor = queues or StaticQueues()
        self.clock = clock or (lambda: datetime.now(UTC))
        self.rng = rng or random.Random(0)
        self.max_steps = max_steps
        # How long a customer queue flow holds a contact whose wait nobody told us.
        self.max_hold_seconds = max_hold_seconds
        # A flow from another instance: what stands in for its queues, hours and flows.
        self.foreign = foreign
        self.trace = trace  # keep `outcome.steps`, for a reader of one run

    # -- entry points --------------------------------------------------------------------------
    def run(
        self,
        flow: str,
        contact: Contact,
        *,
        customer: Customer | None = None,
        at: datetime | None = None,
        queue_wait: float | None = None,
    ) -> FlowOutcome:
        """Runs `flow` for `contact` to its end; `customer` answers prompts (default: silence).

        `queue_wait` is how long the contact will wait for an agent, for customer queue flows:
        their iterative messages are interrupted only while the wait lasts (unknown: at most
        `max_hold_seconds`).
        """
        customer = customer or ScriptedCustomer()
        generator = self.steps(flow, contact, at=at, queue_wait=queue_wait)
        try:
            prompt = next(generator)
            while True:
                prompt = generator.send(customer.respond(prompt))
        except StopIteration as done:
            outcome: FlowOutcome = done.value
            return outcome

    def start(
        self,
        flow: str,
        contact: Contact,
        *,
        at: datetime | None = None,
        queue_wait: float | None = None,
    ) -> FlowRun:
        """Starts `flow`; the caller answers `run.prompt` with `run.answer(text)`."""
        outcome = FlowOutcome(contact=contact, flow=flow)
        return FlowRun(
            self.steps(flow, contact, at=at, queue_wait=queue_wait, outcome=outcome), outcome
        )

    def steps(
        self,
        flow_name: str,
        contact: Contact,
        *,
        at: datetime | None = None,
        queue_wait: float | None = None,
        outcome: FlowOutcome | None = None,
    ) -> Generator[Prompt, str | None, FlowOutcome]:
        flow = self.library.flow(flow_name)
        outcome = outcome or FlowOutcome(contact=contact, flow=flow_name)
        run = _Run(
            self,
            contact,
            outcome,
            flow_name,
            flow,
            now=at or self.clock(),
            queue_wait=queue_wait,
        )
        action_id: str | None = flow.start_action
        for _ in range(self.max_steps):
            if action_id is None:
                # An action with nowhere to go ends the flow (the designer's unconnected branch).
                return self._finish(run, "disconnect")
            action = run.flow.actions.get(action_id)
            if action is None:
                raise FlowError(
                    f"flow '{run.flow_name}': action '{action_id}' does not exist "
                    "(a transition points at it)"
                )
            outcome.path.append((run.flow_name, action.identifier))
            if self.trace:
                outcome.steps.append(Step(run.flow_name, action.identifier, action.type))
            asking = _ASKING.get(action.type)
            if asking is not None and _asks(self, run, action):
                prompt: Prompt | None = self._prompt(run, action)
                step = _Step()
                while prompt is not None:
                    answer = yield from self._ask(run, action, prompt)
                    if answer == HANG_UP:
                        return self._finish(run, "customer_left")
                    step = asking(self, run, action, answer)
                    prompt = step.ask
            else:
                handler = _HANDLERS.get(action.type)
                if handler is None:
                    raise UnsupportedActionError(action.type, run.flow_name, action.identifier)
                step = handler(self, run, action)
            if step.end is not None:
                if step.end == "end" and run.modules:
                    # EndFlowExecution inside a module ends the module only.
                    action_id = self._return_from_module(run)
                    continue
                return self._finish(run, step.end)
            action_id = step.next_action
        raise FlowLoopError(
            f"flow '{run.flow_name}' ran {self.max_steps} actions without ending "
            f"(last: '{action_id}'): a loop no Loop block bounds"
        )

    def _ask(
        self, run: _Run, action: Action, prompt: Prompt
    ) -> Generator[Prompt, str | None, str | None]:
        """Says the prompt, waits for the customer, and notes the answer (or the silence)."""
        outcome = run.outcome
        if prompt.text:  # a Wait says nothing: no empty line in the transcript
            outcome.transcript.append(Turn("system", prompt.text, run.flow_name, action.identifier))
            if run.step is not None:
                run.step.said.append(prompt.text)
        answer = yield prompt
        if answer == HANG_UP:
            return answer
        if answer is not None:
            outcome.transcript.append(Turn("customer", answer, run.flow_name, action.identifier))
            if run.step is not None:
                run.step.answer = answer
        else:
            outcome.seconds_in_flow += prompt.timeout_seconds
        return answer

    def _finish(self, run: _Run, reason: EndReason) -> FlowOutcome:
        run.outcome.ended_by = reason
        run.outcome.ended_in = run.flow_name
        run.outcome.flow_attributes = dict(run.flow_attributes)
        return run.outcome

    # -- transitions ---------------------------------------------------------------------------
    @staticmethod
    def _next(action: Action) -> _Step:
        return _Step(action.transitions.next_action)

    @staticmethod
    def _error(run: _Run, action: Action, error_type: str) -> _Step:
        """The branch for `error_type` (or NoMatchingError, the catch-all); none ends the flow."""
        target = action.transitions.error_target(error_type)
        if target is None and error_type != "NoMatchingError":
            target = action.transitions.error_target("NoMatchingError")
        handled = target is not None
        run.outcome.errors.append(
            ErrorTaken(run.flow_name, action.identifier, action.type, error_type, handled)
        )
        if run.step is not None:
            run.step.result = error_type if handled else f"{error_type} (no branch)"
        if not handled:
            return _Step(end="error")
        return _Step(target)

    def _branch(self, run: _Run, action: Action, result: Any) -> _Step:
        """The first condition `result` meets; otherwise NoMatchingCondition (or NextAction)."""
        for condition in action.transitions.conditions:
            if _condition_holds(condition.operator, condition.operands, result):
                if run.step is not None:
                    run.step.result = references.as_text(result)
                return _Step(condition.next_action)
        if action.transitions.error_target("NoMatchingCondition") is not None:
            return self._error(run, action, "NoMatchingCondition")
        return self._next(action)

    def _return_from_module(self, run: _Run) -> str | None:
        name, flow, return_to, flow_attributes = run.modules.pop()
        run.flow_name, run.flow, run.flow_attributes = name, flow, flow_attributes
        return return_to

    # -- resources another instance names ------------------------------------------------------
    def _queue(self, run: _Run, action: Action, reference: str) -> Named | None:
        """The queue a flow names: one of the stage's; for a foreign flow, the mapped or the
        default queue. None (the block's error branch) when nothing is named at all."""
        found = self.library.find("queue", reference)
        if found is not None or self.foreign is None:
            return found
        names = _metadata_names(run.flow, action, "queue")
        if not reference.strip() and not names:
            return None  # an empty reference, or an attribute nobody set: Connect errors too
        local, key = self.foreign.queue_name(reference, names)
        shown = reference.strip() or f"'{names[0]}' (no ARN in the export)"
        if names and reference.strip() and names[0] != reference.strip():
            shown += f" ('{names[0]}')"
        run.outcome.foreign_queues[shown] = (local, key is not None)
        return self.library.named("queue", local)

    def _hours(self, run: _Run, reference: str) -> HoursConfig | None:
        """The hours to check: the named hours, else the contact's queue's, from the stage's
        config; for a foreign flow, else the hours file's. None: none known."""
        config = self.library.config
        hours: HoursConfig | None = None
        if config is not None:
            if reference:
                found = self.library.find("hours", reference)
                hours = config.hours.get(found.name) if found else None
            elif run.contact.queue is not None:
                queue = config.queues.get(run.contact.queue.name)
                hours = config.hours.get(queue.hours) if queue else None
        if hours is None and self.foreign is not None:
            hours = self.foreign.hours
        return hours

    def _foreign_flow(self, run: _Run, action: Action, reference: str) -> str:
        """How to name a flow that is not loaded, in a warning: its reference and its name."""
        names = _metadata_names(run.flow, action, "ContactFlow", "contactFlow", "flowModule")
        shown = reference or "(empty)"
        return f"{shown} ('{names[0]}')" if names and names[0] != reference else shown

    # -- prompts -------------------------------------------------------------------------------
    def _prompt(self, run: _Run, action: Action) -> Prompt:
        params = action.parameters
        if action.type == "GetParticipantInput":
            kind: Literal["digits", "text"] = "digits" if run.contact.channel == "VOICE" else "text"
            timeout = _number(run.value(params.get("InputTimeLimitSeconds")), 5.0)
            text = self._message_text(run, params)
            store = str(params.get("StoreInput", "False")).lower() == "true"
            return Prompt(run.flow_name, action.identifier, action.type, text, kind, timeout, store)
        if action.type == "ConnectParticipantWithLexBot":
            return Prompt(
                run.flow_name,
                action.identifier,
                action.type,
                self._message_text(run, params),
                "bot",
                _number(params.get("LexSessionAttributes", {}).get("x-amz-lex:timeout"), 5.0),
            )
        if action.type == "ShowView":
            title = run.value(params.get("ViewData", {})).get("Heading") or "view"
            return Prompt(
                run.flow_name,
                action.identifier,
                action.type,
                f"[view {title}]",
                "view",
                _number(run.value(params.get("InvocationTimeLimitSeconds")), 300.0),
            )
        # Wait (asked only when the customer can end it: see `_asks`)
        return Prompt(
            run.flow_name,
            action.identifier,
            action.type,
            "",
            "wait",
            _wait_seconds(run, action) or 0.0,
        )

    def _message_text(self, run: _Run, params: Mapping[str, Any]) -> str:
        if params.get("Text"):
            return run.text(params["Text"])
        if params.get("SSML"):
            return re.sub(r"<[^>]+>", "", run.text(params["SSML"])).strip()
        if params.get("PromptId"):
            return f"[prompt {run.text(params['PromptId']).rsplit('/', 1)[-1]}]"
        if params.get("Media"):
            return "[media]"
        return ""

    # -- Lambda ------------------------------------------------------------------------------------
    def flow_event(self, run: _Run, parameters: Mapping[str, Any]) -> dict[str, Any]:
        """Connect's ContactFlowEvent for this contact, as the function receives it."""
        contact = run.contact
        queue = None
        if contact.queue is not None:
            queue = {"ARN": contact.queue.arn, "Name": contact.queue.name}
        data: dict[str, Any] = {
            "Attributes": dict(contact.attributes),
            "AwsRegion": self.library.region,
            "Channel": contact.channel,
            "ContactId": contact.contact_id,
            "CustomerEndpoint": contact.customer_endpoint,
            "CustomerId": contact.customer_id,
            "Description": contact.description,
            "InitialContactId": contact.initial_contact_id,
            "InitiationMethod": contact.initiation_method,
            "InstanceARN": self.library.instance_arn,
            "LanguageCode": contact.language_code,
            "MediaStreams": {
                "Customer": {
                    "Audio": {
                        "StartFragmentNumber": None,
                        "StartTimestamp": None,
                        "StreamARN": None,
                    }
                }
            },
            "Name": contact.name,
            "PreviousContactId": contact.previous_contact_id or contact.contact_id,
            "Queue": queue,
            "References": dict(contact.references),
            "RelatedContactId": contact.related_contact_id,
            "SegmentAttributes": (
                {"connect:Subtype": {"ValueString": contact.subtype}} if contact.subtype else {}
            ),
            "SystemEndpoint": contact.system_endpoint,
            "Tags": dict(contact.tags),
        }
        flat = {
            key: "" if value is None else references.as_text(value)
            for key, value in parameters.items()
            if not isinstance(value, dict | list)
        }
        return {"Name": "ContactFlowEvent", "Details": {"ContactData": data, "Parameters": flat}}


# -- conditions ------------------------------------------------------------------------------------


def _condition_holds(operator: str, operands: tuple[Any, ...], result: Any) -> bool:
    if result is None or not operands:
        return False
    operand = operands[0]
    if isinstance(operand, dict):
        return False  # nested condition objects: not produced by the designer for these blocks
    value = references.as_text(result)
    target = references.as_text(operand)
    if operator == "Equals":
        return value == target
    if operator == "TextStartsWith":
        return value.startswith(target)
    if operator == "TextEndsWith":
        return value.endswith(target)
    if operator == "TextContains":
        return target in value
    left, right = _as_float(value), _as_float(target)
    if left is None or right is None:
        return False
    return {
        "NumberGreaterThan": left > right,
        "NumberGreaterOrEqualTo": left >= right,
        "NumberLessThan": left < right,
        "NumberLessOrEqualTo": left <= right,
    }.get(operator, False)


def _as_float(text: str) -> float | None:
    try:
        return float(text)
    except ValueError:
        return None


def _number(value: Any, default: float) -> float:
    if value is None or value == "":
        return default
    parsed = _as_float(references.as_text(value))
    return default if parsed is None else parsed


def _truthy(value: Any) -> bool:
    return str(value).strip().lower() == "true"


def _metadata_names(flow: Flow, action: Action, *keys: str) -> list[str]:
    """What the export's designer metadata calls the resource an action names (`"queue":
    {"text": "BasicQueue"}`): exports of other instances carry names where ARNs mean nothing."""
    per_action = flow.metadata.get("ActionMetadata")
    entry = per_action.get(action.identifier) if isinstance(per_action, dict) else None
    names: list[str] = []
    for key in keys:
        value = entry.get(key) if isinstance(entry, dict) else None
        if isinstance(value, dict):
            value = value.get("text")
        if isinstance(value, str) and value.strip() and not value.startswith("$"):
            names.append(value.strip())
    return names


def _bot_name(run: _Run, action: Action) -> str:
    params = action.parameters
    v2 = params.get("LexV2Bot")
    if isinstance(v2, dict) and v2.get("AliasArn"):
        return f"'{run.text(v2['AliasArn']) or v2['AliasArn']}'"
    v1 = params.get("LexBot")
    if isinstance(v1, dict) and v1.get("Name"):
        return f"'{run.text(v1['Name'])}'"
    return "(unnamed)"


# -- actions ---------------------------------------------------------------------------------------


def _message_participant(engine: FlowInterpreter, run: _Run, action: Action) -> _Step:
    run.say(engine._message_text(run, action.parameters), action)
    return engine._next(action)


def _message_participant_iteratively(engine: FlowInterpreter, run: _Run, action: Action) -> _Step:
    """Hold messages in a queue flow: played while the customer waits, interrupted every
    InterruptFrequencySeconds (the MessagesInterrupted result) while the wait lasts."""
    for message in action.parameters.get("Messages") or []:
        run.say(engine._message_text(run, message), action)
    interval = _number(run.value(action.parameters.get("InterruptFrequencySeconds")), 0.0)
    wait = engine.max_hold_seconds if run.queue_wait is None else run.queue_wait
    if interval > 0 and run.held_seconds + interval < wait:
        run.held_seconds += interval
        run.outcome.seconds_in_flow += interval
        return engine._branch(run, action, "MessagesInterrupted")
    # No interruption before an agent answers: the contact holds here until then.
    return _Step(end="holding")


def _get_participant_input(
    engine: FlowInterpreter, run: _Run, action: Action, answer: str | None
) -> _Step:
    params = action.parameters
    if answer is None or answer.strip() == "":
        return engine._error(run, action, "InputTimeLimitExceeded")
    entered = answer.strip()
    store = _truthy(params.get("StoreInput", "False"))
    if not store:
        if run.contact.channel == "VOICE":
            entered = entered[0]  # without "Store customer input" the block takes one digit
        return engine._branch(run, action, entered)
    validation = params.get("InputValidation") or {}
    phone = validation.get("PhoneNumberValidation")
    if phone is not None:
        number = _phone_number(entered, phone)
        if number is None:
            return engine._error(run, action, "InvalidPhoneNumber")
        entered = number
    custom = validation.get("CustomValidation") or {}
    maximum = _number(custom.get("MaximumLength"), 0)
    if maximum and len(entered) > maximum:
        entered = entered[: int(maximum)]
    run.stored_input = entered
    return engine._next(action)


def _phone_number(entered: str, rule: Mapping[str, Any]) -> str | None:
    """E.164 from the customer's digits. "Local" numbers are national numbers of CountryCode
    (North America: ten digits, or eleven starting with 1); "International" ones carry their
    country code."""
    digits = re.sub(r"\D", "", entered)
    if str(rule.get("NumberFormat", "Local")) != "Local" or entered.strip().startswith("+"):
        number = "+" + digits
    elif str(rule.get("CountryCode", "US")) in ("US", "CA"):
        if len(digits) == 11 and digits.startswith("1"):
            digits = digits[1:]
        if len(digits) != 10:
            return None
        number = "+1" + digits
    else:
        prefix = {"GB": "44", "AU": "61", "DE": "49", "FR": "33", "MX": "52"}.get(
            str(rule.get("CountryCode"))
        )
        if prefix is None or len(digits) < 6:
            return None
        number = "+" + prefix + digits.lstrip("0")
    return number if E164.match(number) and len(number) >= 9 else None


def _connect_with_lex(
    engine: FlowInterpreter, run: _Run, action: Action, answer: str | None
) -> _Step:
    """The customer talks with the bot until it closes the intent, then the flow branches on
    the intent's name, with `$.Lex` (IntentName, Slots, SessionAttributes) set.

    Without a Lex runtime, or for a bot that is not an alias ARN (Lex V1, an export's author
    placeholder), the customer's answer is taken as the intent name the bot recognised.
    """
    alias = _alias_ids(run, action)
    if engine.lex is None or alias is None:
        return _intent_from_answer(engine, run, action, answer)
    if answer is None or not answer.strip():
        run.lex_conversation = None
        return engine._error(run, action, "InputTimeLimitExceeded")
    request: dict[str, Any] = {
        "botId": alias[0],
        "botAliasId": alias[1],
        "localeId": run.contact.language_code.replace("-", "_"),
        "sessionId": run.contact.contact_id,
        "text": answer.strip(),
    }
    if run.lex_conversation != action.identifier:  # Connect passes its attributes at the start
        run.lex_conversation = action.identifier
        attributes = action.parameters.get("LexSessionAttributes") or {}
        request["sessionState"] = {
            "sessionAttributes": {name: run.text(value) for name, value in attributes.items()}
        }
    try:
        said = engine.lex.recognize_text(**request)
    except ClientError as error:  # the bot cannot be reached or failed: the block's error
        run.lex_conversation = None
        run.outcome.warn(f"Lex: {error.response['Error']['Code']} from {_bot_name(run, action)}")
        return engine._error(run, action, "NoMatchingError")
    state = said.get("sessionState") or {}
    messages = " ".join(m.get("content", "") for m in said.get("messages") or [])
    if (state.get("dialogAction") or {}).get("type") != "Close":
        timeout = _number(
            run.value((action.parameters.get("LexTimeoutSeconds") or {}).get("Text")), 5.0
        )
        prompt = Prompt(run.flow_name, action.identifier, action.type, messages, "bot", timeout)
        return _Step(ask=prompt)
    run.lex_conversation = None
    if messages:
        run.say(messages, action)
    intent = state.get("intent") or {}
    run.lex = {
        "IntentName": intent.get("name", ""),
        "Slots": {
            name: ((slot or {}).get("value") or {}).get("interpretedValue", "")
            for name, slot in (intent.get("slots") or {}).items()
        },
        "SessionAttributes": dict(state.get("sessionAttributes") or {}),
        "InputTranscript": answer.strip(),
    }
    return engine._branch(run, action, run.lex["IntentName"])


def _alias_ids(run: _Run, action: Action) -> tuple[str, str] | None:
    """(bot id, alias id) from LexV2Bot's AliasArn (arn:...:bot-alias/BOT_ID/ALIAS_ID)."""
    v2 = action.parameters.get("LexV2Bot")
    arn = run.text(v2.get("AliasArn")) if isinstance(v2, dict) else ""
    found = re.fullmatch(r"arn:aws[a-z-]*:lex:[^:]+:\d{12}:bot-alias/([^/]+)/([^/]+)", arn)
    return (found.group(1), found.group(2)) if found else None


def _intent_from_answer(
    engine: FlowInterpreter, run: _Run, action: Action, answer: str | None
) -> _Step:
    """No Lex here: the customer's answer is taken as the intent name the bot recognised."""
    run.outcome.warn(
        f"Lex bot {_bot_name(run, action)} is not this project's (it has none): "
        "the customer's input is taken as the intent name"
    )
    if answer is None or not answer.strip():
        return engine._error(run, action, "NoMatchingError")
    intent = answer.strip()
    run.lex = {"IntentName": intent, "InputTranscript": intent, "Slots": {}}
    for condition in action.transitions.conditions:
        operand = condition.operands[0] if condition.operands else None
        if isinstance(operand, str) and operand.lower() == intent.lower():
            if run.step is not None:
                run.step.result = operand
            return _Step(condition.next_action)
    return engine._error(run, action, "NoMatchingCondition")


def _show_view(engine: FlowInterpreter, run: _Run, action: Action, answer: str | None) -> _Step:
    if answer is None:
        return engine._error(run, action, "TimeLimitExceeded")
    return engine._branch(run, action, answer.strip())


# Wait, by channel (https://docs.aws.amazon.com/connect/latest/adminguide/wait.html and the flow
# language's https://docs.aws.amazon.com/connect/latest/APIReference/flow-control-actions-wait.html):
# - the timer is TimeoutSeconds (TimeLimitSeconds in flows created through the API), a number or
#   a reference, in seconds: when it runs out the result is WaitCompleted;
# - chat and email: a customer who writes back during the wait ends it as CustomerReturned, when
#   the action lists that event; otherwise the message does not interrupt the timer;
# - task: "always branches to Time Expired or Error", whatever its events;
# - voice: only in inbound flows (the caller holds for the timer); elsewhere the Error branch;
# - BotParticipantDisconnected waits for a custom bot participant, which never joins a local chat:
#   ParticipantNotFound.
def _wait_seconds(run: _Run, action: Action) -> float | None:
    params = action.parameters
    raw = params.get("TimeoutSeconds", params.get("TimeLimitSeconds"))
    seconds = _number(run.value(raw), 0.0)
    return seconds if seconds > 0 else None


def _wait_events(action: Action) -> set[str]:
    events = action.parameters.get("Events")
    return {str(event) for event in events} if isinstance(events, list) else set()


def _asks(engine: FlowInterpreter, run: _Run, action: Action) -> bool:
    """Whether the action waits on the customer (every asking action but some Waits)."""
    if action.type != "Wait":
        return True
    events = _wait_events(action)
    return (
        run.contact.channel in ("CHAT", "EMAIL")
        and "CustomerReturned" in events
        and "BotParticipantDisconnected" not in events
        and _wait_seconds(run, action) is not None
    )


def _wait(engine: FlowInterpreter, run: _Run, action: Action) -> _Step:
    """A Wait nothing the customer does can end: the timer runs out, or the block errors."""
    seconds = _wait_seconds(run, action)
    channel = run.contact.channel
    if seconds is None:
        return engine._error(run, action, "NoMatchingError")
    if channel == "VOICE" and engine.library.flow_type(run.flow_name) not in (None, "CONTACT_FLOW"):
        return engine._error(run, action, "NoMatchingError")
    if channel == "CHAT" and "BotParticipantDisconnected" in _wait_events(action):
        return engine._error(run, action, "ParticipantNotFound")
    run.outcome.seconds_in_flow += seconds
    return engine._branch(run, action, "WaitCompleted")


def _wait_answered(engine: FlowInterpreter, run: _Run, action: Action, answer: str | None) -> _Step:
    """A chat or email Wait that listens for the customer (the timer is already spent on
    silence)."""
    return engine._branch(run, action, "WaitCompleted" if answer is None else "CustomerReturned")


def _update_contact_attributes(engine: FlowInterpreter, run: _Run, action: Action) -> _Step:
    """Sets every attribute or none: a value referring to something absent (a key the Lambda
    did not return) fails the block, which leaves through its error branch."""
    raw = action.parameters.get("Attributes") or {}
    resolved: dict[str, str] = {}
    for key, value in raw.items():
        found = run.value(value)
        if found is None:
            return engine._error(run, action, "NoMatchingError")
        resolved[key] = references.as_text(found)
    merged = {**run.contact.attributes, **resolved}
    if sum(len(k.encode()) + len(v.encode()) for k, v in merged.items()) > ATTRIBUTES_MAX_BYTES:
        return engine._error(run, action, "NoMatchingError")
    run.contact.attributes = merged
    if run.step is not None:
        run.step.attributes.update(resolved)
    return engine._next(action)


def _update_flow_attributes(engine: FlowInterpreter, run: _Run, action: Action) -> _Step:
    for key, spec in (action.parameters.get("FlowAttributes") or {}).items():
        value = spec.get("Value") if isinstance(spec, dict) else spec
        found = run.value(value)
        if found is None:
            return engine._error(run, action, "NoMatchingError")
        run.flow_attributes[key] = references.as_text(found)
        if run.step is not None:
            run.step.flow_attributes[key] = run.flow_attributes[key]
    return engine._next(action)


def _compare(engine: FlowInterpreter, run: _Run, action: Action) -> _Step:
    return engine._branch(run, action, run.value(action.parameters.get("ComparisonValue")))


def _invoke_lambda(engine: FlowInterpreter, run: _Run, action: Action) -> _Step:
    params = action.parameters
    arn = run.text(params.get("LambdaFunctionARN"))
    function = engine.library.find("lambda", arn)
    limit = _number(run.value(params.get("InvocationTimeLimitSeconds")), DEFAULT_TIME_LIMIT_SECONDS)
    if str(params.get("InvocationType", "SYNCHRONOUS")).upper() == "SYNCHRONOUS":
        limit = min(max(limit, 1.0), 8.0)
    response_type = (params.get("ResponseValidation") or {}).get("ResponseType", "STRING_MAP")
    parameters = run.value(params.get("LambdaInvocationAttributes") or {})
    name = function.name if function else arn.rsplit(":", 1)[-1]
    if function is None and engine.foreign is not None:
        run.outcome.warn(
            f"Lambda {arn or '(empty)'} is not one of this project's functions: "
            "its block takes the Error branch"
        )
    answer, call = engine.lambdas.invoke(
        name,
        engine.flow_event(run, parameters),
        time_limit=limit,
        response_type=str(response_type),
        action=action.identifier,
        function_arn=arn,
    )
    run.outcome.lambda_calls.append(call)
    run.outcome.seconds_in_flow += call.seconds
    if answer is None:
        return engine._error(run, action, "NoMatchingError")
    run.outcome.external = answer
    return engine._next(action)


def _update_target_queue(engine: FlowInterpreter, run: _Run, action: Action) -> _Step:
    params = action.parameters
    if params.get("AgentId"):
        agent = run.text(params["AgentId"])
        if not agent:
            return engine._error(run, action, "NoMatchingError")
        run.contact.agent_id = agent
        return engine._next(action)
    queue = engine._queue(run, action, run.text(params.get("QueueId")))
    if queue is None:
        return engine._error(run, action, "NoMatchingError")
    run.contact.queue = queue
    return engine._next(action)


def _update_routing_behavior(engine: FlowInterpreter, run: _Run, action: Action) -> _Step:
    params = action.parameters
    if "QueuePriority" in params:
        priority = _number(run.value(params["QueuePriority"]), 0)
        if priority < 1:
            return engine._error(run, action, "NoMatchingError")
        run.contact.queue_priority = int(priority)
    if "QueueTimeAdjustmentSeconds" in params:
        adjustment = run.value(params["QueueTimeAdjustmentSeconds"])
        run.contact.queue_time_adjustment_seconds = int(_number(adjustment, 0))
    return engine._next(action)


def _transfer_to_queue(engine: FlowInterpreter, run: _Run, action: Action) -> _Step:
    queue = run.contact.queue
    if action.parameters.get("QueueId"):  # DequeueContactAndTransferToQueue names its queue
        queue = engine._queue(run, action, run.text(action.parameters["QueueId"]))
        if queue is None:
            return engine._error(run, action, "NoMatchingError")
        run.contact.queue = queue
    if queue is None:
        return engine._error(run, action, "NoMatchingError")
    if engine.queues.at_capacity(queue):
        return engine._error(run, action, "QueueAtCapacity")
    return _Step(end="queue")


def _check_hours(engine: FlowInterpreter, run: _Run, action: Action) -> _Step:
    """Without HoursOfOperationId, the hours of the contact's queue. Hours nobody knows are an
    error for a stage's flows; for a foreign flow without an hours file, always open."""
    hours = engine._hours(run, run.text(action.parameters.get("HoursOfOperationId")))
    if hours is None and engine.foreign is not None:
        run.outcome.warn("no hours of operation given: every hours check is open")
        return engine._branch(run, action, "True")
    if hours is None:
        return engine._error(run, action, "NoMatchingError")
    return engine._branch(run, action, "True" if is_open(hours, run.clock) else "False")


def _queue_for_metrics(engine: FlowInterpreter, run: _Run, action: Action) -> Named | None:
    reference = run.text(action.parameters.get("QueueId"))
    if reference:
        return engine._queue(run, action, reference)
    return run.contact.queue


def _get_metric_data(engine: FlowInterpreter, run: _Run, action: Action) -> _Step:
    queue = _queue_for_metrics(engine, run, action)
    if queue is None:
        return engine._error(run, action, "NoMatchingError")
    run.metrics = engine.queues.metrics(queue, run.contact.channel)
    return engine._next(action)


def _check_metric_data(engine: FlowInterpreter, run: _Run, action: Action) -> _Step:
    queue = _queue_for_metrics(engine, run, action)
    path = METRIC_TYPES.get(str(action.parameters.get("MetricType")))
    if queue is None or path is None:
        return engine._error(run, action, "NoMatchingError")
    value: Any = engine.queues.metrics(queue, run.contact.channel)
    for part in path:
        value = value.get(part) if isinstance(value, dict) else None
    return engine._branch(run, action, value)


def _loop(engine: FlowInterpreter, run: _Run, action: Action) -> _Step:
    key = (run.flow_name, action.identifier)
    count = int(_number(run.value(action.parameters.get("LoopCount")), 0))
    done = run.loops.get(key, 0)
    if done < count:
        run.loops[key] = done + 1
        return engine._branch(run, action, "ContinueLooping")
    run.loops[key] = 0  # a finished loop starts over the next time the flow comes back to it
    return engine._branch(run, action, "DoneLooping")


def _distribute_by_percentage(engine: FlowInterpreter, run: _Run, action: Action) -> _Step:
    return engine._branch(run, action, engine.rng.randint(1, 100))


def _event_hooks(engine: FlowInterpreter, run: _Run, action: Action) -> _Step:
    for hook, reference in (action.parameters.get("EventHooks") or {}).items():
        target = run.text(reference)
        found = engine.library.find("flow", target)
        run.contact.event_hooks[hook] = found.name if found else target
    return engine._next(action)


def _setting(name: str) -> ActionHandler:
    """Actions that change how Connect treats the contact (recording, logging, streaming):
    remembered in `contact.settings`, nothing to simulate."""

    def apply(engine: FlowInterpreter, run: _Run, action: Action) -> _Step:
        run.contact.settings[name] = run.value(action.parameters)
        return engine._next(action)

    return apply


def _text_to_speech_voice(engine: FlowInterpreter, run: _Run, action: Action) -> _Step:
    voice = run.text(action.parameters.get("TextToSpeechVoice"))
    if voice:
        run.contact.text_to_speech_voice = voice
    return engine._next(action)


def _update_contact_data(engine: FlowInterpreter, run: _Run, action: Action) -> _Step:
    params = run.value(action.parameters)
    contact = run.contact
    for key, attribute in (
        ("Name", "name"),
        ("Description", "description"),
        ("LanguageCode", "language_code"),
        ("CustomerId", "customer_id"),
    ):
        if params.get(key) is not None:
            setattr(contact, attribute, references.as_text(params[key]))
    if isinstance(params.get("References"), dict):
        contact.references.update(params["References"])
    return engine._next(action)


def _tag_contact(engine: FlowInterpreter, run: _Run, action: Action) -> _Step:
    tags = run.value(action.parameters.get("Tags") or {})
    run.contact.tags.update({k: references.as_text(v) for k, v in tags.items()})
    return engine._next(action)


def _untag_contact(engine: FlowInterpreter, run: _Run, action: Action) -> _Step:
    for key in action.parameters.get("TagKeys") or []:
        run.contact.tags.pop(key, None)
    return engine._next(action)


def _callback_number(engine: FlowInterpreter, run: _Run, action: Action) -> _Step:
    number = run.text(action.parameters.get("CallbackNumber"))
    if not E164.match(number):
        return engine._error(run, action, "InvalidCallbackNumber")
    run.contact.callback_number = number
    return engine._next(action)


def _create_callback(engine: FlowInterpreter, run: _Run, action: Action) -> _Step:
    params = action.parameters
    queue = run.contact.queue
    if params.get("QueueId"):
        queue = engine._queue(run, action, run.text(params["QueueId"]))
    number = run.contact.callback_number or (run.contact.customer_endpoint or {}).get("Address")
    if queue is None or not number:
        return engine._error(run, action, "NoMatchingError")
    run.outcome.callback = CallbackRequest(
        number=number,
        queue=queue,
        initial_delay_seconds=int(_number(run.value(params.get("InitialCallDelaySeconds")), 0)),
        max_attempts=int(_number(run.value(params.get("MaximumConnectionAttempts")), 1)),
        retry_delay_seconds=int(_number(run.value(params.get("RetryDelaySeconds")), 0)),
    )
    return engine._next(action)


def _transfer_to_flow(engine: FlowInterpreter, run: _Run, action: Action) -> _Step:
    reference = run.text(action.parameters.get("ContactFlowId"))
    found = engine.library.find("flow", reference)
    if found is None and engine.foreign is not None and reference:
        # Connect would go on in that flow; it is not loaded, so the run ends at the transfer.
        run.outcome.transferred_to = engine._foreign_flow(run, action, reference)
        return _Step(end="other_flow")
    if found is None:
        return engine._error(run, action, "NoMatchingError")
    run.flow_name, run.flow = found.name, engine.library.flow(found.name)
    run.flow_attributes = {}  # flow attributes belong to the flow that set them
    return _Step(run.flow.start_action)


def _invoke_flow_module(engine: FlowInterpreter, run: _Run, action: Action) -> _Step:
    reference = run.text(action.parameters.get("FlowModuleId"))
    found = engine.library.find("flow", reference)
    if found is None and engine.foreign is not None and reference:
        shown = engine._foreign_flow(run, action, reference)
        run.outcome.warn(f"flow module {shown} is not loaded: taken as returning at once")
        return engine._next(action)
    if found is None:
        return engine._error(run, action, "NoMatchingError")
    run.modules.append(
        (run.flow_name, run.flow, action.transitions.next_action, run.flow_attributes)
    )
    run.flow_name, run.flow = found.name, engine.library.flow(found.name)
    run.flow_attributes = {}
    return _Step(run.flow.start_action)


def _end_flow_module(engine: FlowInterpreter, run: _Run, action: Action) -> _Step:
    if not run.modules:
        return _Step(end="end")
    return _Step(engine._return_from_module(run))


def _transfer_to_third_party(engine: FlowInterpreter, run: _Run, action: Action) -> _Step:
    number = run.text(action.parameters.get("ThirdPartyPhoneNumber"))
    if not E164.match(number):
        return engine._error(run, action, "CallFailed")
    run.say(f"[transferring to {number}]", action)
    if _truthy(action.parameters.get("ContinueFlowExecution", "False")):
        return engine._next(action)
    return _Step(end="third_party")


def _transfer_to_agent(engine: FlowInterpreter, run: _Run, action: Action) -> _Step:
    if run.contact.agent_id is None:
        return engine._error(run, action, "NoMatchingError")
    return _Step(end="agent")


# Action types the local engine stands in for rather than interprets: they call services it does
# not have (Cases, Customer Profiles, Voice ID, Amazon Q in Connect, outbound campaigns, tasks).
# A stand-in does nothing and leaves as the action leaves on success: through the result named
# here when the flow branches on one (CheckOutboundCallStatus: the call was answered; CheckVoiceId:
# the caller is not enrolled, as every caller of a local run), else through NextAction. This is
# the reviewed list: a test asserts it equals `flowlang.catalog.SIMULATED`.
SIMULATED_ACTIONS: dict[str, str | None] = {
    "AssociateContactToCustomerProfile": None,
    "CheckOutboundCallStatus": "CallAnswered",
    "CheckVoiceId": "NotEnrolled",
    "CompleteOutboundCall": None,
    "CreateCase": None,
    "CreateCustomerProfile": None,
    "CreateTask": None,
    "CreateWisdomSession": None,
    "GetCalculatedAttributesForCustomerProfile": None,
    "GetCase": None,
    "GetCustomerProfile": None,
    "GetCustomerProfileObject": None,
    "ResumeContact": None,
    "StartOutboundChatContact": None,
    "StartVoiceIdStream": None,
    "UpdateCase": None,
    "UpdateCustomerProfile": None,
    "UpdatePreviousContactParticipantState": None,
}


def _simulated(engine: FlowInterpreter, run: _Run, action: Action) -> _Step:
    run.outcome.simulated.append(action.type)
    if run.step is not None:
        run.step.simulated = True
    result = SIMULATED_ACTIONS[action.type]
    if result is not None and action.transitions.conditions:
        return engine._branch(run, action, result)
    return engine._next(action)


def _end(reason: EndReason) -> ActionHandler:
    def end(engine: FlowInterpreter, run: _Run, action: Action) -> _Step:
        return _Step(end=reason)

    return end


_HANDLERS: dict[str, ActionHandler] = {
    "MessageParticipant": _message_participant,
    "MessageParticipantIteratively": _message_participant_iteratively,
    "UpdateContactAttributes": _update_contact_attributes,
    "UpdateFlowAttributes": _update_flow_attributes,
    "Compare": _compare,
    "InvokeLambdaFunction": _invoke_lambda,
    "UpdateContactTargetQueue": _update_target_queue,
    "UpdateContactRoutingBehavior": _update_routing_behavior,
    "TransferContactToQueue": _transfer_to_queue,
    "DequeueContactAndTransferToQueue": _transfer_to_queue,
    "CheckHoursOfOperation": _check_hours,
    "GetMetricData": _get_metric_data,
    "CheckMetricData": _check_metric_data,
    "Loop": _loop,
    "DistributeByPercentage": _distribute_by_percentage,
    "UpdateContactEventHooks": _event_hooks,
    "UpdateContactRecordingBehavior": _setting("recording"),
    "UpdateContactRecordingAndAnalyticsBehavior": _setting("recording_and_analytics"),
    "UpdateFlowLoggingBehavior": _setting("flow_logging"),
    "UpdateContactMediaStreamingBehavior": _setting("media_streaming"),
    # Not in the reference; the "Start media streaming" block's other form in a real export
    # (see flowlang/catalog.py), so the same setting.
    "StartMediaStreaming": _setting("media_streaming"),
    "UpdateContactMediaProcessing": _setting("media_processing"),
    "UpdateContactRoutingCriteria": _setting("routing_criteria"),
    "UpdateRoutingCriteria": _setting("routing_criteria"),
    "UpdateContactTextToSpeechVoice": _text_to_speech_voice,
    "UpdateContactData": _update_contact_data,
    "TagContact": _tag_contact,
    "UnTagContact": _untag_contact,
    "UpdateContactCallbackNumber": _callback_number,
    "CreateCallbackContact": _create_callback,
    "TransferToFlow": _transfer_to_flow,
    "InvokeFlowModule": _invoke_flow_module,
    "EndFlowModuleExecution": _end_flow_module,
    "TransferParticipantToThirdParty": _transfer_to_third_party,
    "TransferContactToAgent": _transfer_to_agent,
    "DisconnectParticipant": _end("disconnect"),
    "EndFlowExecution": _end("end"),
    "Wait": _wait,  # when no customer event can end it (see `_asks`)
    **dict.fromkeys(SIMULATED_ACTIONS, _simulated),
}

_ASKING: dict[str, AskingHandler] = {
    "GetParticipantInput": _get_participant_input,
    "ConnectParticipantWithLexBot": _connect_with_lex,
    "ShowView": _show_view,
    "Wait": _wait_answered,
}

# Every action type a run goes through: interpreted, or simulated (SIMULATED_ACTIONS).
SUPPORTED_ACTIONS = frozenset(_HANDLERS) | frozenset(_ASKING)
INTERPRETED_ACTIONS = SUPPORTED_ACTIONS - frozenset(SIMULATED_ACTIONS)
