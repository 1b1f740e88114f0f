"""`ccaas chat`: be the customer in a web chat, in the terminal, against the local engine.

The pre-chat form goes through the real chat_start handler (as API Gateway would send it), which
calls StartChatContact on the local Connect emulation; the stage's chat flow then runs with the
real flow Lambdas (crm_lookup, routing) over moto's DynamoDB, and the contact reaches its queue,
where the customer queue flow talks to you. Offline: the CLI runs it in the local engine's AWS
environment. `chat_web` adds `--web` to this command.

Exit codes: 0 the chat ran (whatever its end); 1 the chat did not start (chat_start refused the
form); 2 bad arguments or a stage without chat.
"""

from __future__ import annotations

import argparse
import textwrap
from collections.abc import Callable, Iterable
from datetime import UTC, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from config import ContactCenterConfig, load_stage
from config.chat_settings import chat_topics
from scripts.cli_support import CommandError, non_negative_int

SEEDED_CUSTOMERS = 12  # enough for a few tiers and histories; seeding writes through moto
Read = Callable[[str], str]
Write = Callable[[str], None]
HELP = (
    "/agent  an agent accepts the chat      /say TEXT  the agent writes\n"
    "/end    the agent ends the chat         /quit      you leave the chat\n"
    "/state  queue, priority, attributes     /help      this list"
)
DESCRIPTION = f"""\
Be the customer in a chat with the stage's chat flow, all on this machine: the pre-chat form,
the flow's greeting and routing with the stage's own Lambdas, then the queue it puts you in.
Reads config/<stage>.yaml; writes nothing; needs no AWS account. With --web, the same chat runs
in the real chat widget in your browser, served on 127.0.0.1 only.

While you wait in the terminal, play the agent with these commands:
{textwrap.indent(HELP, "  ")}

examples:
  ccaas chat --known --topic billing               # as a customer the CRM recognises
  ccaas chat --at 2026-11-26T10:00 --topic outage  # Thanksgiving morning, the center's time
  ccaas chat --waiting 5                           # five customers already in every queue
  ccaas chat --web --port 9000                     # the widget at http://127.0.0.1:9000/
"""


def register(subparsers: Any) -> None:
    parser = subparsers.add_parser(
        "chat",
        help="chat as a customer through the stage's chat flow, Lambdas and queue (offline)",
        description=DESCRIPTION,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--stage", default="dev", help="config/<stage>.yaml (default: dev)")
    parser.add_argument(
        "--at",
        type=datetime.fromisoformat,
        help="pretend it is this local time of the contact center (ISO, e.g. 2026-11-26T10:00)",
    )
    parser.add_argument("--name", help="your name (asked if missing)")
    parser.add_argument("--email", help="your email (optional; known emails are recognised)")
    parser.add_argument("--topic", help="the topic's intent (e.g. billing; asked if missing)")
    parser.add_argument(
        "--known", action="store_true", help="seed customer profiles and chat as one of them"
    )
    parser.add_argument(
        "--waiting",
        type=non_negative_int,
        default=0,
        help="customers already waiting in each queue (default: 0)",
    )
    parser.set_defaults(handler=run, offline=True)


def run(args: argparse.Namespace) -> int:
    config = load_stage(args.stage)
    require_chat(config, args.stage)
    at = _local_time(config, args.at) if args.at else None
    return chat(config, args, at=at, read=input, write=_say)


def require_chat(config: ContactCenterConfig, stage: str) -> None:
    """Both ways of chatting need the stage's chat channel."""
    if not config.channels.chat or config.chat is None:
        raise CommandError(
            f"channels.chat is off in config/{stage}.yaml", "choose a stage with chat on"
        )


def _say(text: str) -> None:
    print(text, flush=True)


def chat(
    config: ContactCenterConfig,
    args: argparse.Namespace,
    *,
    at: datetime | None,
    read: Read,
    write: Write,
) -> int:
    from local_connect.chat.session import ChatEndedError, ChatRefusedError, ChatSession

    waiting = {queue: args.waiting for queue in config.queues} if args.waiting else None
    with ChatSession(config, at=at, waiting=waiting) as session:
        name, email = args.name, args.email
        if args.known:
            name, email = _seed_known_customer(session, config, at)
            write(f"(seeded customer profiles; you are {name} <{email}>)")
        write(
            f"{config.organisation} chat, stage '{config.stage}', flow "
            f"'{config.chat.flow if config.chat else ''}': all local, no AWS account."
        )
        try:
            name = name or _ask(read, "Your name: ")
            topic = args.topic or _choose_topic(config, read, write)
            messages = session.start(name, email=email or None, topic=topic)
        except ChatRefusedError as refused:
            write(f"The chat did not start: {refused}")
            return 1
        except EOFError:
            return 0
        _show(messages, config, write)
        _status(session, write)
        return _converse(session, config, read, write, ChatEndedError)


def _converse(
    session: Any, config: ContactCenterConfig, read: Read, write: Write, ended: type[Exception]
) -> int:
    write("(type a message, or /help)")
    while session.state.phase != "ended":
        try:
            line = read("you> ").strip()
        except (EOFError, KeyboardInterrupt):
            session.leave()
            break
        if not line:
            continue
        command, _, rest = line.partition(" ")
        try:
            if command == "/help":
                write(HELP)
                continue
            if command == "/state":
                _state(session, write)
                continue
            if command == "/quit":
                session.leave()
                write("(you left the chat)")
                break
            if command == "/agent":
                messages = session.agent_joins()
                write(
                    "(an agent accepts; the whisper told them: "
                    + " ".join(session.state.whisper)
                    + ")"
                )
            elif command == "/say":
                messages = session.agent_says(rest or "How can I help?")
            elif command == "/end":
                messages = session.agent_ends()
            elif command.startswith("/"):
                write(f"unknown command {command}; /help lists them")
                continue
            else:
                messages = session.send(line)
        except ended as error:
            write(f"({error})")
            continue
        _show(messages, config, write)
        _status(session, write)
    return 0


def _show(messages: Iterable[Any], config: ContactCenterConfig, write: Write) -> None:
    for message in messages:
        if message.role == "SYSTEM":
            write(f"{config.organisation}: {message.text}")
        elif message.role == "AGENT":
            write(f"Agent: {message.text}")
        elif message.text == "participant.joined":
            write("(an agent joined the chat)")
        elif message.text == "chat.ended":
            write("(the chat has ended)")


def _status(session: Any, write: Write) -> None:
    state = session.state
    if state.phase == "queued":
        priority = f", priority {state.priority}" if state.priority else ""
        write(f"(waiting in queue '{state.queue}', position {state.position}{priority})")


def _state(session: Any, write: Write) -> None:
    state = session.state
    write(
        f"contact {state.contact_id}: {state.phase}, queue {state.queue}, priority {state.priority}"
    )
    for key, value in sorted(state.attributes.items()):
        write(f"  {key} = {value}")


def _ask(read: Read, prompt: str) -> str:
    while True:
        answer = read(prompt).strip()
        if answer:
            return answer


def _choose_topic(config: ContactCenterConfig, read: Read, write: Write) -> str:
    topics = chat_topics(config)
    for index, topic in enumerate(topics, start=1):
        write(f"  [{index}] {topic['label']}")
    while True:
        answer = read("Topic (number): ").strip()
        if answer.isdigit() and 1 <= int(answer) <= len(topics):
            return topics[int(answer) - 1]["intent"]
        write(f"choose 1 to {len(topics)}")


def _seed_known_customer(
    session: Any, config: ContactCenterConfig, at: datetime | None
) -> tuple[str, str]:
    """Fictional customers in the local table; returns the name and email of one of them."""
    from lambdas.common.identity import IdentifierKind
    from scripts.seed import SeedSpec, generate_customers, write_customers

    customers = generate_customers(SEEDED_CUSTOMERS, now=at, spec=SeedSpec.from_config(config))
    write_customers(session.profiles, customers, now=at)
    for customer in customers:
        profile = customer.profile
        emails = [i.value for i in profile.identifiers if i.kind is IdentifierKind.EMAIL]
        if emails and profile.first_name:
            if config.self_service.enabled:  # something for the bot to find
                _book_appointment(session, config, profile.customer_id, at)
            return f"{profile.first_name} {profile.last_name or ''}".strip(), emails[0]
    raise RuntimeError("no seeded customer has an email")


def _book_appointment(
    session: Any, config: ContactCenterConfig, customer_id: str, at: datetime | None
) -> None:
    """The known customer's next appointment: two days on, at 10:00 in the center's time."""
    from lambdas.self_service.repository import Appointment

    now = (at or datetime.now(UTC)).astimezone(_center_zone(config))
    starts = (now + timedelta(days=2)).replace(hour=10, minute=0, second=0, microsecond=0)
    session.appointments.save(
        Appointment(customer_id=customer_id, appointment_id="local-1", starts_at=starts)
    )


def _local_time(config: ContactCenterConfig, moment: datetime) -> datetime:
    """`--at` in the contact center's zone (the default queue's hours) unless it names one."""
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=_center_zone(config))
    return moment


def _center_zone(config: ContactCenterConfig) -> ZoneInfo:
    """The contact center's time zone: the default queue's hours'."""
    return ZoneInfo(config.hours[config.queues[config.routing.default_queue].hours].time_zone)
