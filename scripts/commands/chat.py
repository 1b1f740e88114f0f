"""`ccaas chat`: be the customer in a web chat, in the terminal, against the local engine.

    ccaas chat                                  # stage dev, now
    ccaas chat --known                          # as a seeded customer the CRM recognises
    ccaas chat --at 2026-11-26T10:00 --topic outage   # Thanksgiving morning, Chicago time
    ccaas chat --waiting 5                      # five customers already in every queue

The pre-chat form goes through the real chat_start handler (as API Gateway would send it), which
calls StartChatContact on the local Connect emulation; the stage's chat flow then runs with the
real flow Lambdas (crm_lookup, routing) over moto's DynamoDB, and the contact reaches its queue,
where the customer queue flow talks to you. No AWS account, no network.

While you wait, play the agent: /agent (an agent accepts: you see what the whisper told them),
/say TEXT (the agent writes), /end (the agent ends the chat: the disconnect flow runs, with its
survey), /quit (you leave), /state (queue, priority, attributes), /help.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable, Iterable
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from config import ConfigError, ContactCenterConfig, load_stage

SEEDED_CUSTOMERS = 12  # enough for a few tiers and histories; seeding writes through moto
Read = Callable[[str], str]
Write = Callable[[str], None]
HELP = (
    "/agent  an agent accepts the chat      /say TEXT  the agent writes\n"
    "/end    the agent ends the chat         /quit      you leave the chat\n"
    "/state  queue, priority, attributes     /help      this list"
)


def register(subparsers: Any) -> None:
    parser = subparsers.add_parser(
        "chat", help="chat as a customer through the stage's chat flow, Lambdas and queue"
    )
    parser.add_argument("--stage", default="dev", help="config/<stage>.yaml (default: dev)")
    parser.add_argument(
        "--at",
        help="pretend it is this local time of the contact center (ISO, e.g. 2026-11-26T10:00)",
    )
    parser.add_argument("--name", help="your name (asked if missing)")
    parser.add_argument("--email", help="your email (optional; known emails are recognised)")
    parser.add_argument("--topic", help="the topic's intent (e.g. billing; asked if missing)")
    parser.add_argument(
        "--known", action="store_true", help="seed customer profiles and chat as one of them"
    )
    parser.add_argument(
        "--waiting", type=int, default=0, help="customers already waiting in each queue"
    )
    parser.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    try:
        config = load_stage(args.stage)
    except ConfigError as error:
        print(error, file=sys.stderr)
        return 2
    if not config.channels.chat or config.chat is None:
        print(f"ccaas chat: channels.chat is off in config/{args.stage}.yaml", file=sys.stderr)
        return 2
    try:
        at = _local_time(config, args.at) if args.at else None
    except ValueError as error:
        print(f"ccaas chat: --at: {error}", file=sys.stderr)
        return 2
    return chat(config, args, at=at, read=input, write=print)


def chat(
    config: ContactCenterConfig,
    args: argparse.Namespace,
    *,
    at: datetime | None,
    read: Read,
    write: Write,
) -> int:
    from local_connect.flows.environment import QUIET_POWERTOOLS, environment

    # Before any handler is imported: Powertools reads its log level once, at import.
    with environment(QUIET_POWERTOOLS):
        from local_connect.chat_session import ChatEndedError, ChatRefusedError, ChatSession

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
    from infra.chat_settings import chat_topics

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
            return f"{profile.first_name} {profile.last_name or ''}".strip(), emails[0]
    raise RuntimeError("no seeded customer has an email")


def _local_time(config: ContactCenterConfig, text: str) -> datetime:
    """`--at` in the contact center's zone (the default queue's hours) unless it names one."""
    moment = datetime.fromisoformat(text)
    if moment.tzinfo is None:
        hours = config.hours[config.queues[config.routing.default_queue].hours]
        moment = moment.replace(tzinfo=ZoneInfo(hours.time_zone))
    return moment
