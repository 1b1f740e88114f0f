"""Lex V2's runtime emulated for boto3: the bot file's intents, slots, confirmation and code hook."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

import boto3
import pytest
from botocore.exceptions import ClientError

from config.bot import BOTS_DIR, load_bot
from local_connect.emulation import AwsWorld, emulate_aws
from local_connect.emulation.lex import EmulatedBot, connect_lex_client
from local_connect.emulation.lex_matching import match_intent, normalize
from tests.local_connect.lex_fakes import FakeFulfillment

NOW = datetime(2026, 12, 2, 15, 0, tzinfo=UTC)  # a Wednesday
BOT = load_bot(BOTS_DIR / "self_service.yaml")


@pytest.fixture()
def hook() -> FakeFulfillment:
    return FakeFulfillment()


@pytest.fixture()
def world(hook: FakeFulfillment) -> Iterator[AwsWorld]:
    world = AwsWorld(clock=lambda: NOW)
    world.lex.add_bot(BOT, locales=("en_US", "es_US"), code_hook=hook)
    with emulate_aws(world):
        yield world


@pytest.fixture()
def bot(world: AwsWorld) -> EmulatedBot:
    return next(iter(world.lex.bots.values()))


def say(
    bot: EmulatedBot, text: str, *, session: str = "s-1", locale: str = "en_US", **kw: Any
) -> dict[str, Any]:
    lex = boto3.client("lexv2-runtime", region_name="us-east-1")
    answer: dict[str, Any] = lex.recognize_text(
        botId=bot.bot_id,
        botAliasId=bot.alias_id,
        localeId=locale,
        sessionId=session,
        text=text,
        **kw,
    )
    return answer


def test_a_sample_utterance_is_fulfilled_by_the_code_hook_with_session_attributes(
    bot: EmulatedBot, hook: FakeFulfillment
) -> None:
    answer = say(
        bot,
        "When is my appointment?",
        sessionState={"sessionAttributes": {"customer_id": "c-1"}},
    )

    assert answer["sessionState"]["dialogAction"]["type"] == "Close"
    assert answer["sessionState"]["intent"]["name"] == "CheckAppointment"
    assert answer["sessionState"]["intent"]["state"] == "Fulfilled"
    assert answer["sessionState"]["sessionAttributes"]["self_service_outcome"] == "fulfilled"
    assert [m["content"] for m in answer["messages"]] == ["ok"]
    sources = [event["invocationSource"] for event in hook.events]
    assert sources == ["DialogCodeHook", "FulfillmentCodeHook"]
    assert hook.events[0]["sessionState"]["sessionAttributes"] == {"customer_id": "c-1"}
    assert hook.events[0]["bot"]["localeId"] == "en_US"


def test_a_missing_slot_is_asked_for_with_its_prompt_then_confirmed(bot: EmulatedBot) -> None:
    first = say(bot, "reschedule my appointment")
    assert first["sessionState"]["dialogAction"] == {
        "type": "ElicitSlot",
        "slotToElicit": "new_date",
    }
    assert first["messages"][0]["content"] == "Which day would suit you?"

    assert say(bot, "someday")["sessionState"]["dialogAction"]["slotToElicit"] == "new_date"
    assert say(bot, "tomorrow")["sessionState"]["dialogAction"]["slotToElicit"] == "new_time"
    confirm = say(bot, "3:30 pm")
    assert confirm["sessionState"]["dialogAction"]["type"] == "ConfirmIntent"
    assert confirm["messages"][0]["content"] == (
        "Shall I move your appointment to 2026-12-03 at 15:30?"
    )

    done = say(bot, "yes")
    assert done["sessionState"]["intent"]["state"] == "Fulfilled"
    assert done["sessionState"]["intent"]["confirmationState"] == "Confirmed"


def test_a_declined_confirmation_closes_with_the_declined_sentence(bot: EmulatedBot) -> None:
    say(bot, "cancel my appointment")
    answer = say(bot, "no")

    assert answer["sessionState"]["intent"]["state"] == "Failed"
    assert answer["messages"][0]["content"] == "All right, your appointment stays booked."


def test_slot_values_in_the_utterance_fill_the_slot(
    bot: EmulatedBot, hook: FakeFulfillment
) -> None:
    say(bot, "is there an outage in 60601")

    slot = hook.events[-1]["sessionState"]["intent"]["slots"]["postal_code"]
    assert slot["value"]["interpretedValue"] == "60601"


def test_unmatched_text_is_the_fallback_intent_and_spanish_matches_without_accents(
    bot: EmulatedBot,
) -> None:
    fallback = say(bot, "purple elephants")
    assert fallback["sessionState"]["intent"]["name"] == "FallbackIntent"
    assert fallback["messages"][0]["content"] == "Sorry, I didn't catch that."

    spanish = say(bot, "cuando es mi cita", session="s-2", locale="es_US")
    assert spanish["sessionState"]["intent"]["name"] == "CheckAppointment"


def test_a_session_is_read_and_deleted_by_its_own_operations(bot: EmulatedBot) -> None:
    say(bot, "agent")
    lex = boto3.client("lexv2-runtime", region_name="us-east-1")
    ids = {"botId": bot.bot_id, "botAliasId": bot.alias_id, "localeId": "en_US"}

    session = lex.get_session(**ids, sessionId="s-1")
    assert session["sessionState"]["sessionAttributes"]["self_service_outcome"] == "escalate"
    lex.delete_session(**ids, sessionId="s-1")
    with pytest.raises(ClientError) as gone:
        lex.get_session(**ids, sessionId="s-1")
    assert gone.value.response["Error"]["Code"] == "ResourceNotFoundException"


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"botId": "NOSUCHBOT0"}, "Bot NOSUCHBOT0 not found"),
        ({"botAliasId": "TSTALIASID"}, "Bot alias TSTALIASID"),
    ],
)
def test_unknown_bots_and_aliases_answer_resource_not_found(
    bot: EmulatedBot, change: dict[str, str], message: str
) -> None:
    lex = boto3.client("lexv2-runtime", region_name="us-east-1")
    params = {
        "botId": bot.bot_id,
        "botAliasId": bot.alias_id,
        "localeId": "en_US",
        "sessionId": "s-1",
        "text": "agent",
        **change,
    }
    with pytest.raises(ClientError) as refused:
        lex.recognize_text(**params)
    assert refused.value.response["Error"]["Code"] == "ResourceNotFoundException"
    assert message in refused.value.response["Error"]["Message"]


@pytest.mark.parametrize(
    ("locale", "message"),
    [("fr_FR", "has no locale fr_FR (it has en_US, es_US)"), ("es_US", "is not enabled for alias")],
)
def test_a_locale_the_bot_lacks_or_the_alias_does_not_enable_is_a_bad_request(
    world: AwsWorld, locale: str, message: str
) -> None:
    # Lex V2 answers HTTP 400 ("BadRequestException"; ValidationException in the V2 model)
    english_only = world.lex.add_bot(
        BOT, locales=("en_US",), code_hook=FakeFulfillment(), alias_name="en"
    )
    with pytest.raises(ClientError) as refused:
        say(english_only, "agent", locale=locale)
    assert refused.value.response["Error"]["Code"] == "ValidationException"
    assert refused.value.response["ResponseMetadata"]["HTTPStatusCode"] == 400
    assert message in refused.value.response["Error"]["Message"]


def test_connect_converses_only_with_an_alias_associated_with_its_instance(
    world: AwsWorld, bot: EmulatedBot
) -> None:
    ours, theirs = (
        "arn:aws:connect:us-east-1:123456789012:instance/ours",
        "arn:aws:connect:us-east-1:123456789012:instance/theirs",
    )
    bot.connect_instances.add(ours)
    request = {
        "botId": bot.bot_id,
        "botAliasId": bot.alias_id,
        "localeId": "en_US",
        "text": "agent",
    }
    answered = connect_lex_client("us-east-1", ours).recognize_text(sessionId="s-1", **request)
    assert answered["sessionState"]["dialogAction"]["type"] == "Close"
    with pytest.raises(ClientError) as refused:
        connect_lex_client("us-east-1", theirs).recognize_text(sessionId="s-2", **request)
    error = refused.value.response
    assert error["Error"]["Code"] == "AccessDeniedException"
    assert error["ResponseMetadata"]["HTTPStatusCode"] == 403
    assert "not associated with this Amazon Connect instance" in error["Error"]["Message"]


def test_a_failing_code_hook_is_a_dependency_failure(world: AwsWorld) -> None:
    failing = world.lex.add_bot(
        BOT, locales=("en_US",), code_hook=FakeFulfillment(raise_on="OpeningHours"), alias_name="x"
    )
    with pytest.raises(ClientError) as failed:
        say(failing, "when are you open")
    assert failed.value.response["Error"]["Code"] == "DependencyFailedException"


def test_matching_is_deterministic_and_documented_as_word_overlap() -> None:
    assert normalize("¿Cuándo ABREN?") == "cuando abren"
    assert match_intent(BOT, "en_US", "I want an agent").intent == "TalkToAgent"
    assert match_intent(BOT, "en_US", "I want an agent").confidence == 0.5
