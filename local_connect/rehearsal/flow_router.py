"""The rehearsal's entry flows for real: each contact runs the stage's entry flow for its
channel in the flow interpreter, with the real crm_lookup and routing handlers over a moto
customers table seeded with the known customers among the day's callers.

The caller answers the voice menu with the digit of its intent (`routing.menu`); a web chat
arrives with the `intent` and, for a known customer, the `customerId` chat_start would have set;
an SMS arrives from the customer's number. Where the flow leaves the contact (the queue it
transferred to, with the priority and attributes it set, or the end of the flow: closed, error,
a callback booked after hours) is the outcome the ACD plays on.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from contextlib import ExitStack
from datetime import datetime
from typing import Any

from config import ContactCenterConfig
from config.bot import load_stage_bot
from lambdas.common.identity import IdentifierKind
from lambdas.common.profiles import CustomerProfile, Identifier, ProfileRepository
from local_connect.emulation.faults import FakeClock
from local_connect.flows import Contact, FlowInterpreter, FlowLibrary, LambdaRegistry
from local_connect.flows import FlowOutcome as InterpretedOutcome
from local_connect.flows.environment import flow_lambda_environment
from local_connect.flows.model import ScriptedCustomer
from local_connect.rehearsal.bot_model import ModelledBot, customer_in_bot
from local_connect.rehearsal.routing import DEFAULT_PRIORITY, LAMBDA_ERRORS, FlowOutcome
from local_connect.runtime.local_aws import LOCAL_REGION
from local_connect.runtime.resources import CUSTOMERS_TABLE, create_customers_table
from local_connect.scenarios.traffic import ArrivingContact, Customer


def profile_id(customer: Customer) -> str:
    return f"rehearsal-{customer.index:06d}"


class FlowRouter:
    """An `EntryRouter` (local_connect.rehearsal.routing) that interprets the stage's flows.

    Use as a context manager: it holds a moto account with the customers table for as long as
    the day is routed; the flow Lambdas run in the local Lambda runtime with the environment
    infra gives them.
    """

    def __init__(self, config: ContactCenterConfig, population: Sequence[Customer]) -> None:
        self.config = config
        self.population = population
        self.library = FlowLibrary.for_stage(config, region=LOCAL_REGION)
        # The functions' clock stands still: a rehearsed day depends on its scenario and seed,
        # never on how busy the machine is (a loaded laptop must not time a function out, nor
        # make self-service skip a write for lack of time, where Lambda would have had plenty).
        self.lambdas = LambdaRegistry(
            environment=flow_lambda_environment(
                config, self.library, customers_table=CUSTOMERS_TABLE
            ),
            timer=FakeClock(),
        )
        # With the stage's bot on (a variant with `bot: true`), the flows hand each customer to
        # the modelled bot, which ends the conversation as the scenario drew it (bot_model).
        self.bot = ModelledBot(load_stage_bot(config)) if config.self_service.enabled else None
        self.interpreter = FlowInterpreter(self.library, lambdas=self.lambdas, lex=self.bot)
        self.digits = {entry.intent: entry.digit for entry in config.routing.menu}
        self.flows = entry_flows(config)
        self.outcomes: Counter[str] = Counter()
        self.lambda_errors = 0
        self._stack = ExitStack()

    # -- lifecycle ---------------------------------------------------------------------------
    def __enter__(self) -> FlowRouter:
        # moto takes about a second to import: loaded when a day is routed, not with the package.
        from moto import mock_aws

        from local_connect.runtime.moto_dynamodb import SeedingTable, fast_dynamodb
        from local_connect.runtime.moto_once import moto_once

        self._stack.enter_context(mock_aws())
        self._stack.enter_context(fast_dynamodb())
        self._stack.enter_context(moto_once())
        create_customers_table(LOCAL_REGION, CUSTOMERS_TABLE)
        # The repository's own items, loaded without a request each (seconds of a day).
        table = SeedingTable(CUSTOMERS_TABLE, region=LOCAL_REGION)
        ProfileRepository(table).save_all(known_profiles(self.population))
        # Each function starts cold on its first call; afterwards none keeps clients of this moto.
        self._stack.callback(self.lambdas.cold_start)
        return self

    def __exit__(self, *_: object) -> None:
        self._stack.close()

    # -- routing -----------------------------------------------------------------------------
    def route(self, contact: ArrivingContact, at: datetime) -> FlowOutcome:
        flow = self.flows.get(contact.channel)
        if flow is None:
            raise ValueError(f"no entry flow for channel '{contact.channel}' in this config")
        entering, customer = self._arrival(contact)
        if self.bot is not None:
            self.bot.visit = contact.bot
            if contact.bot is not None:
                customer = customer_in_bot(contact.bot)
        ran = self.interpreter.run(flow, entering, customer=customer, at=at)
        self.lambda_errors += sum(1 for call in ran.lambda_calls if call.error)
        return self._outcome(ran)

    def tally(self) -> Counter[str]:
        """How contacts left the entry flows, and the Lambda errors met on the way."""
        counts = Counter(self.outcomes)
        if self.lambda_errors:
            counts[LAMBDA_ERRORS] = self.lambda_errors
        return counts

    def _arrival(self, contact: ArrivingContact) -> tuple[Contact, ScriptedCustomer]:
        person = contact.customer
        if contact.channel == "voice":
            digit = self.digits.get(contact.routes_as) or self.digits.get("other")
            entering = Contact(channel="VOICE", customer_endpoint=Contact.phone(person.phone))
            return entering, ScriptedCustomer([digit] if digit else [])
        if contact.channel == "chat":
            attributes = {"intent": contact.routes_as, "newCustomer": str(not person.known).lower()}
            if person.known:
                attributes["customerId"] = profile_id(person)
            return Contact(channel="CHAT", attributes=attributes), ScriptedCustomer([])
        if contact.channel == "sms":
            entering = Contact(
                channel="CHAT",
                subtype="connect:SMS",
                customer_endpoint=Contact.phone(person.phone),
            )
            return entering, ScriptedCustomer([contact.routes_as])
        return (
            Contact(channel=contact.connect_channel, attributes={"intent": contact.routes_as}),
            ScriptedCustomer([]),
        )

    def _outcome(self, ran: InterpretedOutcome) -> FlowOutcome:
        attributes = dict(ran.attributes)
        if ran.reached_queue and ran.queue is not None:
            self.outcomes[f"to {ran.queue}"] += 1
            return FlowOutcome(
                queue=ran.queue,
                priority=ran.priority or DEFAULT_PRIORITY,
                attributes=attributes,
                recorded=bool(ran.contact.recorded_participants),
            )
        ended = "callback booked" if ran.callback is not None else "ended in the flow"
        self.outcomes[ended] += 1
        if ran.ended_by == "customer_left":
            return FlowOutcome(
                queue=None, attributes=attributes, disconnect_reason="CUSTOMER_DISCONNECT"
            )
        return FlowOutcome(queue=None, attributes=attributes)


def entry_flows(config: ContactCenterConfig) -> dict[str, str]:
    """Scenario channel -> the flow Connect starts for it in this config."""
    flows: dict[str, str] = {}
    if config.phone_numbers:
        flows["voice"] = config.phone_numbers[0].flow
    if config.channels.chat and config.chat is not None:
        flows["chat"] = config.chat.flow
    if config.channels.sms and config.sms is not None:
        flows["sms"] = config.sms.flow
    if config.channels.email and config.email is not None:
        flows["email"] = config.email.flow
    if config.channels.tasks and config.tasks is not None:
        flows["tasks"] = config.tasks.flow
    return flows


def known_profiles(population: Sequence[Customer]) -> list[CustomerProfile]:
    """The profiles the customers table holds before the day starts."""
    profiles = []
    for person in population:
        if not person.known:
            continue
        identifiers = [
            Identifier.parse(IdentifierKind.PHONE, person.phone),
            Identifier.parse(IdentifierKind.EMAIL, person.email),
            Identifier.parse(IdentifierKind.CHAT, person.chat_id),
        ]
        profiles.append(
            CustomerProfile(
                customer_id=profile_id(person),
                first_name=person.first_name,
                tier=person.tier,
                identifiers=[identifier for identifier in identifiers if identifier],
            )
        )
    return profiles


def flow_router(config: ContactCenterConfig, population: Sequence[Customer]) -> Any:
    """`RouterFactory` for `rehearse(router_factory=...)` (module-level, so it pickles)."""
    return FlowRouter(config, population)
