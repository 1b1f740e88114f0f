"""A customer's web chat through the local engine: pre-chat form, chat flow, Lambdas, queue.

Three layers, each usable on its own:

- `LocalChatEngine`: the stage's flows (`local_connect.flows`), the real flow Lambdas and the
  queues, over an `AwsWorld` that is already emulated (moto active, customers table created).
  `engine.peer_factory()` plugs it into the web chat server (`local_connect.chat.server`, whose
  `ChatPeer` protocol, in `local_connect.chat.participant`, the `FlowChatPeer` below follows).
- `ChatContact`: one chat contact's life in Connect. The entry flow runs as soon as the contact
  exists (pausing while it waits for the customer); reaching a queue runs the CustomerQueue hook
  flow; an agent accepting runs the AgentWhisper flow (what the agent hears, not the customer);
  the agent ending the chat runs the CustomerRemaining (disconnect) flow, where the survey lives.
  What the customer sees goes to `deliver` as `ChatMessage`s.
- `ChatSession`: everything in one process for a terminal (`ccaas chat`): moto, the Connect and
  SMS emulation, the Data stack's tables, the real `chat_start` handler behind an API Gateway
  event (so the pre-chat form is validated as in AWS), then a `ChatContact`.

Every handler runs in the local Lambda runtime (`local_connect.runtime.lambda_runtime`), with
its own environment for each invocation and its logs and metrics captured.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator, Mapping
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, Literal

import boto3

from config import ContactCenterConfig
from config.chat_settings import CHATS_PATH
from lambdas.common.profiles import ProfileRepository
from lambdas.self_service.repository import DynamoAppointments
from local_connect.chat.chat_start import chat_start_function
from local_connect.emulation import AwsWorld, EmulatedContact, emulate_aws
from local_connect.emulation.lex import connect_lex_client
from local_connect.flows import (
    Contact,
    FlowInterpreter,
    FlowLibrary,
    FlowOutcome,
    FlowRun,
    LambdaRegistry,
    StaticQueues,
)
from local_connect.flows.environment import flow_lambda_environment
from local_connect.runtime.lambda_runtime import LocalLambda, api_gateway_event, invocation_lock
from local_connect.runtime.resources import (
    APPOINTMENTS_TABLE,
    CUSTOMERS_TABLE,
    create_customers_table,
    create_self_service_tables,
)

Phase = Literal["flow", "queued", "with_agent", "ended"]
AGENT_NAME = "Agent (simulated)"


@dataclass(frozen=True)
class ChatMessage:
    """What the customer's chat window shows: a system (flow) message, an agent message, or an
    event (`participant.joined`, `chat.ended`, as Connect's content types name them)."""

    role: Literal["SYSTEM", "AGENT", "EVENT"]
    text: str


@dataclass(frozen=True)
class ChatState:
    contact_id: str
    phase: Phase
    queue: str | None
    priority: int | None
    position: int | None  # place in line when the contact joined the queue (1 = next)
    attributes: dict[str, str]
    whisper: tuple[str, ...] = ()  # what the agent heard before joining


class ChatEndedError(RuntimeError):
    """The chat is over: nothing more can be sent."""


class ChatRefusedError(RuntimeError):
    """The start-chat API refused the pre-chat form (what the widget would show)."""

    def __init__(self, status: int, body: Mapping[str, Any]) -> None:
        self.status = status
        self.body = dict(body)
        fields = "; ".join(f"{f['field']}: {f['problem']}" for f in body.get("fields") or [])
        super().__init__(f"{body.get('message', 'refused')}{' (' + fields + ')' if fields else ''}")


class LocalChatEngine:
    """Flows, flow Lambdas and queues for chat contacts of an emulated stage."""

    def __init__(
        self,
        config: ContactCenterConfig,
        world: AwsWorld,
        *,
        waiting: Mapping[str, int] | None = None,
        clock: Callable[[], datetime] | None = None,
        lambdas: LambdaRegistry | None = None,
    ) -> None:
        self.config = config
        self.world = world
        self.clock = clock or (lambda: datetime.now(UTC))
        self.library = FlowLibrary.for_stage(
            config,
            instance_arn=world.instance.arn,
            account_id=world.account_id,
            region=world.region,
        )
        # `waiting`: customers already in line per queue, so a lone tester sees a real position.
        self.queues = StaticQueues(
            sizes=dict(waiting or {}),
            capacity={n: q.max_contacts for n, q in config.queues.items() if q.max_contacts},
        )
        self.lambdas = lambdas or LambdaRegistry(environment=self.lambda_environment())
        # The self-service bot answers through the emulated Lex (`AwsWorld.from_config`).
        lex = (
            connect_lex_client(world.region, world.instance.arn)
            if config.self_service.enabled
            else None
        )
        self.interpreter = FlowInterpreter(
            self.library, lambdas=self.lambdas, queues=self.queues, clock=self.clock, lex=lex
        )
        # The web server calls from several threads. The flow Lambdas' invocations take the
        # runtime's lock, and chat_start's invocation starts the chat flow (StartChatContact
        # opens the conversation): one lock for both keeps a single order, so no deadlock.
        self.lock = invocation_lock

    def lambda_environment(self) -> dict[str, str]:
        return flow_lambda_environment(self.config, self.library, customers_table=CUSTOMERS_TABLE)

    @contextmanager
    def activated(self) -> Iterator[LocalChatEngine]:
        """The engine for the block; afterwards no flow Lambda keeps the clients it built."""
        try:
            yield self
        finally:
            self.lambdas.cold_start()

    def chat_contact(
        self, emulated: EmulatedContact, deliver: Callable[[ChatMessage], None]
    ) -> ChatContact:
        return ChatContact(self, emulated, deliver)

    def peer_factory(self) -> Callable[[AwsWorld, EmulatedContact], FlowChatPeer | None]:
        """For `LocalChatServer(peer_factory=...)`: each chat contact gets a FlowChatPeer."""

        def factory(world: AwsWorld, emulated: EmulatedContact) -> FlowChatPeer | None:
            if emulated.channel != "CHAT" or emulated.flow is None:
                return None
            return FlowChatPeer(self, emulated)

        return factory


class ChatContact:
    """One chat contact from StartChatContact to the end, as Connect runs it."""

    def __init__(
        self,
        engine: LocalChatEngine,
        emulated: EmulatedContact,
        deliver: Callable[[ChatMessage], None],
    ) -> None:
        if emulated.flow is None:
            raise ValueError(f"contact {emulated.id} was started without a flow")
        self.engine = engine
        self.emulated = emulated
        self.deliver = deliver
        self.contact = Contact(
            channel="CHAT",
            contact_id=emulated.id,
            initiation_method=emulated.initiation_method,
            attributes=dict(emulated.attributes),
            subtype="connect:Chat",
            related_contact_id=emulated.related_contact_id,
            name=emulated.name,
        )
        self.phase: Phase = "flow"
        self.position: int | None = None
        self.whisper: tuple[str, ...] = ()
        self.outcomes: list[FlowOutcome] = []
        self.customer_messages: list[str] = []
        self._run: FlowRun | None = None
        self._shown = 0

    # -- the customer's side -------------------------------------------------------------------
    def begin(self) -> None:
        """Connect runs the contact's flow as soon as StartChatContact answers."""
        assert self.emulated.flow is not None
        self._start_flow(self.emulated.flow.name)

    def customer_message(self, text: str) -> None:
        if self.phase == "ended":
            raise ChatEndedError("this chat has ended")
        self.customer_messages.append(text)
        if self._run is not None and self._run.prompt is not None:
            self._run.answer(text)
            self._after_step()

    def customer_left(self) -> None:
        """The customer closed the chat: whatever waits for them stops."""
        if self.phase == "ended":
            return
        if self._run is not None and not self._run.finished:
            self._run.hang_up()
        self._leave_queue()
        self._end("CUSTOMER_DISCONNECT", announce=False)

    # -- the agent's side ----------------------------------------------------------------------
    def agent_accepts(self) -> tuple[str, ...]:
        """An agent takes the contact from the queue: the whisper flow plays to the agent."""
        if self.phase != "queued":
            raise ChatEndedError(f"no contact waiting in a queue (the chat is {self.phase})")
        if self._run is not None and not self._run.finished:
            self._run.hang_up()  # the queue flow stops when an agent connects
        self._leave_queue()
        whisper_flow = self.contact.event_hooks.get("AgentWhisper")
        said: list[str] = []
        if whisper_flow in self.engine.library.names:
            outcome = self.engine.interpreter.run(
                whisper_flow, self.contact, at=self.engine.clock()
            )
            self.outcomes.append(outcome)
            said = outcome.said()
        self.whisper = tuple(said)
        self.phase = "with_agent"
        self.deliver(ChatMessage("EVENT", "participant.joined"))
        return self.whisper

    def agent_message(self, text: str) -> None:
        if self.phase != "with_agent":
            raise ChatEndedError("no agent is in this chat")
        self.deliver(ChatMessage("AGENT", text))

    def agent_ends(self) -> None:
        """The agent disconnects; the customer remains, so the disconnect flow runs."""
        if self.phase != "with_agent":
            raise ChatEndedError("no agent is in this chat")
        remaining = self.contact.event_hooks.get("CustomerRemaining")
        self.phase = "flow"
        if remaining in self.engine.library.names:
            self._start_flow(remaining)
        else:
            self._end("AGENT_DISCONNECT")

    # -- what is going on ----------------------------------------------------------------------
    @property
    def state(self) -> ChatState:
        return ChatState(
            contact_id=self.contact.contact_id,
            phase=self.phase,
            queue=self.contact.queue.name if self.contact.queue else None,
            priority=self.contact.queue_priority,
            position=self.position,
            attributes=dict(self.contact.attributes),
            whisper=self.whisper,
        )

    # -- plumbing ------------------------------------------------------------------------------
    def _start_flow(self, name: str) -> None:
        self._run = self.engine.interpreter.start(name, self.contact, at=self.engine.clock())
        self._shown = 0
        self._after_step()

    def _after_step(self) -> None:
        run = self._run
        assert run is not None
        turns = run.outcome.transcript
        for turn in turns[self._shown :]:
            if turn.speaker == "system" and turn.text:
                self.deliver(ChatMessage("SYSTEM", turn.text))
        self._shown = len(turns)
        self._sync()
        if not run.finished:
            return
        outcome = run.outcome
        self.outcomes.append(outcome)
        if self.phase == "queued":
            return  # the customer queue flow ended: the contact keeps waiting for an agent
        if outcome.ended_by == "queue" and outcome.queue is not None:
            self._join_queue(outcome.queue)
            return
        reason = (
            "CUSTOMER_DISCONNECT"
            if outcome.ended_by == "customer_left"
            else "CONTACT_FLOW_DISCONNECT"
        )
        self._end(reason)

    def _join_queue(self, queue: str) -> None:
        sizes = self.engine.queues.sizes
        sizes[queue] = sizes.get(queue, 0) + 1
        self.position = sizes[queue]
        self.phase = "queued"
        hook = self.contact.event_hooks.get("CustomerQueue")
        if hook in self.engine.library.names:
            self._start_flow(hook)

    def _leave_queue(self) -> None:
        if self.phase == "queued" and self.contact.queue is not None:
            sizes = self.engine.queues.sizes
            sizes[self.contact.queue.name] = max(0, sizes.get(self.contact.queue.name, 1) - 1)

    def _end(self, reason: str, *, announce: bool = True) -> None:
        self.phase = "ended"
        now = self.engine.clock()
        if self.emulated.active:
            self.emulated.disconnected_at = now
            self.emulated.disconnect_reason = reason
            self.emulated.updated_at = now
        if announce:
            self.deliver(ChatMessage("EVENT", "chat.ended"))

    def _sync(self) -> None:
        """What the flow set is what Connect's API reports (GetContactAttributes, Describe)."""
        self.emulated.attributes = dict(self.contact.attributes)
        self.emulated.queue_priority = self.contact.queue_priority
        if self.contact.queue is not None:
            self.emulated.queue = self.emulated.instance.find_queue(self.contact.queue.arn)


class FlowChatPeer:
    """The web chat server's `ChatPeer` (local_connect.chat.participant): the chat flow on
    the other side of a conversation.

    The server calls from its own threads, outside any session: each call takes the engine's
    lock for as long as the flow runs.
    """

    def __init__(self, engine: LocalChatEngine, emulated: EmulatedContact) -> None:
        self.engine = engine
        self.emulated = emulated
        self.chat: ChatContact | None = None

    def chat_started(self, conversation: Any) -> None:
        def deliver(message: ChatMessage) -> None:
            if message.role == "SYSTEM":
                conversation.system_message(message.text)
            elif message.role == "AGENT":
                conversation.agent_message(AGENT_NAME, message.text)
            else:
                conversation.event(message.text)

        with self.engine.lock:
            self.chat = self.engine.chat_contact(self.emulated, deliver)
            self.chat.begin()

    def customer_message(self, conversation: Any, text: str) -> None:
        if self.chat is not None:
            with self.engine.lock:
                self.chat.customer_message(text)

    def customer_left(self, conversation: Any) -> None:
        if self.chat is not None:
            with self.engine.lock:
                self.chat.customer_left()


class ChatSession:
    """A whole local stage for one chatting customer (the terminal's `ccaas chat`).

    Use as a context manager (or `open()`/`close()`); then `start(...)`, `send(text)`, and the
    agent's moves `agent_joins()`, `agent_says(text)`, `agent_ends()`, or `leave()`. Each returns
    the messages the customer sees as a result.
    """

    def __init__(
        self,
        config: ContactCenterConfig,
        *,
        at: datetime | None = None,
        waiting: Mapping[str, int] | None = None,
        origin: str | None = None,
    ) -> None:
        if config.chat is None or not config.channels.chat:
            raise ValueError(f"channels.chat is off in stage '{config.stage}'")
        self.config = config
        self.at = at  # pretend it is this moment (hours of operation, holidays)
        self.waiting = dict(waiting or {})
        self.origin = origin or config.chat.widget_origins[0]
        clock = (lambda: at) if at is not None else None
        self.world = AwsWorld.from_config(config, clock=clock)
        self.engine = LocalChatEngine(config, self.world, waiting=self.waiting, clock=clock)
        self.chat: ChatContact | None = None
        self.chat_start: LocalLambda | None = None  # made when the session opens
        self._stack = ExitStack()
        self._inbox: list[ChatMessage] = []

    def __enter__(self) -> ChatSession:
        return self.open()

    def __exit__(self, *_: object) -> None:
        self.close()

    def open(self) -> ChatSession:
        # moto takes about a second to import: loaded when a session opens, not with the module.
        from moto import mock_aws

        self._stack.enter_context(mock_aws())
        self._stack.enter_context(emulate_aws(self.world))
        create_customers_table(self.world.region)
        if self.config.self_service.enabled:
            create_self_service_tables(self.world.region)
        self._stack.enter_context(self.engine.activated())
        self.chat_start = chat_start_function(self.config, self.world, origin=self.origin)
        self._stack.callback(self.chat_start.cold_start)
        return self

    def close(self) -> None:
        self._stack.close()

    @property
    def profiles(self) -> Any:
        """The customers table's repository, to seed profiles before a chat starts."""
        return ProfileRepository(
            boto3.resource("dynamodb", region_name=self.world.region).Table(CUSTOMERS_TABLE)
        )

    @property
    def appointments(self) -> DynamoAppointments:
        """The self-service bot's appointments table (with `self_service.enabled`), to seed."""
        return DynamoAppointments(
            boto3.resource("dynamodb", region_name=self.world.region).Table(APPOINTMENTS_TABLE)
        )

    # -- the customer ----------------------------------------------------------------------------
    def start(
        self,
        name: str,
        *,
        email: str | None = None,
        phone: str | None = None,
        topic: str,
    ) -> list[ChatMessage]:
        """The pre-chat form, through the real chat_start handler; raises ChatRefusedError."""
        if self.chat_start is None:
            raise ChatEndedError("the session is not open: open() it first")
        form: dict[str, Any] = {"name": name, "topic": topic}
        for key, value in (("email", email), ("phone", phone)):
            if value:
                form[key] = value
        event = api_gateway_event(
            "POST",
            f"/{CHATS_PATH}",
            headers={"Origin": self.origin or "", "Content-Type": "application/json"},
            body=json.dumps(form),
        )
        # What it prints (EMF metrics) is CloudWatch's in AWS: kept on the invocation, not shown.
        answer = self.chat_start.invoke(event).result()
        body = json.loads(answer.get("body") or "{}")
        if answer["statusCode"] >= 300:
            raise ChatRefusedError(answer["statusCode"], body)
        emulated = self.world.connect.contacts[body["ContactId"]]
        self.chat = self.engine.chat_contact(emulated, self._inbox.append)
        self.chat.begin()
        return self._drain()

    def send(self, text: str) -> list[ChatMessage]:
        self._chat().customer_message(text)
        return self._drain()

    def leave(self) -> list[ChatMessage]:
        self._chat().customer_left()
        return self._drain()

    # -- the simulated agent -------------------------------------------------------------------
    def agent_joins(self) -> list[ChatMessage]:
        self._chat().agent_accepts()
        return self._drain()

    def agent_says(self, text: str) -> list[ChatMessage]:
        self._chat().agent_message(text)
        return self._drain()

    def agent_ends(self) -> list[ChatMessage]:
        self._chat().agent_ends()
        return self._drain()

    @property
    def state(self) -> ChatState:
        return self._chat().state

    # -- plumbing ------------------------------------------------------------------------------
    def _chat(self) -> ChatContact:
        if self.chat is None:
            raise ChatEndedError("no chat yet: start() one")
        return self.chat

    def _drain(self) -> list[ChatMessage]:
        messages, self._inbox[:] = list(self._inbox), []
        return messages
