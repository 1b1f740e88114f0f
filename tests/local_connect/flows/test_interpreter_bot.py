"""The entry flows' self-service branches through the interpreter and the local Lex: a fulfilled
intent ends with a goodbye, "agent" reaches the intent's queue with the bot's attributes (and
the agent hears them in the whisper), a customer who leaves in the bot is abandoned in it."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import boto3
import pytest

from config import ContactCenterConfig
from config.bot import BOTS_DIR, load_bot
from local_connect.emulation import AwsWorld, emulate_aws
from local_connect.flows import Contact, FlowInterpreter, FlowLibrary, LambdaRegistry
from local_connect.flows.model import ScriptedCustomer
from tests.local_connect.flows.test_interpreter_flows import OPEN, StandIns, caller
from tests.local_connect.lex_fakes import FakeFulfillment


@pytest.fixture()
def bot_stage(dev_config: ContactCenterConfig) -> Iterator[tuple[FlowInterpreter, FakeFulfillment]]:
    assert dev_config.self_service.enabled
    library = FlowLibrary.for_stage(dev_config)
    stand_ins = StandIns(library)
    hook = FakeFulfillment()
    world = AwsWorld(clock=lambda: OPEN)
    bot = world.lex.add_bot(
        load_bot(BOTS_DIR / dev_config.self_service.bot_file),
        locales=tuple(dev_config.self_service.locales),
        code_hook=hook,
    )
    assert bot.alias_arn == library.bot_alias_arn  # the flows' ${bot:self_service}
    lambdas = LambdaRegistry(
        {"crm_lookup": stand_ins.crm_lookup, "routing": stand_ins.routing}, discover=False
    )
    with emulate_aws(world):
        lex = boto3.client("lexv2-runtime", region_name=world.region)
        yield FlowInterpreter(library, lambdas=lambdas, lex=lex), hook


@pytest.mark.parametrize("channel", ["VOICE", "CHAT"])
def test_a_fulfilled_intent_ends_with_a_goodbye_without_a_queue(
    bot_stage: Any, channel: str
) -> None:
    engine, hook = bot_stage
    outcome = engine.run(
        f"inbound_{channel.lower()}",
        caller(channel),
        customer=ScriptedCustomer(["when is my appointment"]),
        at=OPEN,
    )

    assert not outcome.reached_queue and outcome.ended_by == "disconnect"
    assert outcome.attributes["self_service_outcome"] == "fulfilled"
    assert outcome.attributes["self_service_intent"] == "CheckAppointment"
    assert outcome.said()[-2:] == ["ok", outcome.said()[-1]]
    assert "Goodbye" in outcome.said()[-1]
    # crm_lookup's customer id went to the bot as the session attribute `customer_id`
    assert hook.events[0]["sessionState"]["sessionAttributes"] == {"customer_id": "c-1"}


def test_asking_for_an_agent_reaches_a_queue_with_the_bot_attributes_the_agent_hears(
    bot_stage: Any,
) -> None:
    engine, _ = bot_stage
    outcome = engine.run(
        "inbound_voice",
        caller(),
        customer=ScriptedCustomer(["I want to talk to an agent"]),
        at=OPEN,
    )

    assert outcome.reached_queue and outcome.queue == "general"
    assert outcome.attributes["intent"] == "other"
    assert outcome.attributes["self_service_intent"] == "TalkToAgent"
    assert outcome.attributes["self_service_outcome"] == "escalate"

    whisper = engine.run(
        "agent_whisper",
        Contact(channel="VOICE", attributes=dict(outcome.attributes)),
        at=OPEN,
    )
    assert whisper.said()[-1] == "From the bot: TalkToAgent, requested."


def test_an_intent_the_bot_could_not_fulfil_routes_by_that_intent(bot_stage: Any) -> None:
    engine, _ = bot_stage
    outcome = engine.run(
        "inbound_voice",
        caller(),
        customer=ScriptedCustomer(["purple", "elephants", "agent"]),
        at=OPEN,
    )
    # two misunderstandings: the bot is tried again; the third time "agent" is understood
    assert outcome.said().count("Sorry, I didn't catch that.") == 2
    assert outcome.attributes["self_service_intent"] == "TalkToAgent"
    assert outcome.reached_queue


def test_three_misunderstandings_escalate_as_no_match(bot_stage: Any) -> None:
    engine, _ = bot_stage
    outcome = engine.run(
        "inbound_chat",
        caller("CHAT"),
        customer=ScriptedCustomer(["purple", "elephants", "dance"]),
        at=OPEN,
    )
    assert outcome.attributes["self_service_outcome"] == "escalate"
    assert outcome.attributes["self_service_detail"] == "no_match"
    # the chat had no topic from the form: the flow asks for one and routes as "other"
    assert outcome.reached_queue and outcome.attributes["intent"] == "other"


def test_a_customer_who_leaves_in_the_bot_is_abandoned_in_it(bot_stage: Any) -> None:
    engine, _ = bot_stage
    run = engine.start("inbound_voice", caller(), at=OPEN)
    assert run.prompt is not None and run.prompt.kind == "bot"
    run.answer("reschedule my appointment")
    assert run.prompt is not None and run.prompt.text == "Which day would suit you?"

    outcome = run.hang_up()

    assert outcome.ended_by == "customer_left" and not outcome.reached_queue
    assert outcome.attributes["self_service_outcome"] == "in_bot"
