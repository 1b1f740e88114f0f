"""The bot file's model: every problem named by its field path, the way a person edits the YAML."""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

import pytest
import yaml

from config import ConfigError, ContactCenterConfig
from config.bot import (
    BOTS_DIR,
    fulfillment_problems,
    load_bot,
    load_stage_bot,
    parse_bot,
)
from lambdas.self_service.logic import FAILED_MESSAGE, FULFILLMENT_MESSAGES
from scripts import render_bots
from tests.conftest import config_with

SHIPPED = BOTS_DIR / "self_service.yaml"


@pytest.fixture(scope="module")
def shipped() -> dict[str, Any]:
    return yaml.safe_load(SHIPPED.read_text(encoding="utf-8"))


def problems_of(raw: dict[str, Any]) -> list[str]:
    with pytest.raises(ConfigError) as error:
        parse_bot(raw)
    return error.value.problems


def test_the_shipped_bot_is_valid_and_says_everything_its_fulfillments_may_say() -> None:
    bot = load_bot(SHIPPED)
    assert list(bot.locales) == ["en_US", "es_US"]
    assert fulfillment_problems(bot, FULFILLMENT_MESSAGES, frozenset({FAILED_MESSAGE})) == []
    assert [name for name, intent in bot.intents.items() if intent.sensitive_slots()] == [
        "CheckBalance"
    ]


def test_the_rendered_texts_the_function_reads_are_current() -> None:
    assert render_bots.main(["--check"]) == 0


def test_a_locale_lex_does_not_have_is_named(shipped: dict[str, Any]) -> None:
    raw = copy.deepcopy(shipped)
    raw["locales"]["en_XX"] = {"voice": "Joanna"}
    assert problems_of(raw) == ["locales: en_XX: not a Lex V2 locale id (like en_US, es_US)"]


def test_a_text_missing_in_one_locale_is_named_by_its_path(shipped: dict[str, Any]) -> None:
    raw = copy.deepcopy(shipped)
    del raw["intents"]["OutageStatus"]["slots"]["postal_code"]["prompt"]["es_US"]
    del raw["messages"]["failed"]["en_US"]
    assert problems_of(raw) == [
        "messages.failed: missing the bot's locale en_US",
        "intents.OutageStatus.slots.postal_code.prompt: missing the bot's locale es_US",
    ]


def test_locales_must_name_the_same_placeholders(shipped: dict[str, Any]) -> None:
    raw = copy.deepcopy(shipped)
    raw["intents"]["CheckBalance"]["messages"]["balance"]["es_US"] = "Su saldo es de {importe}."
    (problem,) = problems_of(raw)
    assert problem.startswith(
        "intents.CheckBalance.messages.balance: the locales name different placeholders"
    )


def test_a_prompt_may_only_name_the_intents_slots(shipped: dict[str, Any]) -> None:
    raw = copy.deepcopy(shipped)
    raw["intents"]["CancelAppointment"]["confirmation"]["en_US"] = "Cancel on {new_date}?"
    raw["intents"]["CancelAppointment"]["confirmation"]["es_US"] = "¿Cancelar el {new_date}?"
    assert problems_of(raw) == [
        "intents.CancelAppointment.confirmation.en_US: names {new_date}, which is not a slot "
        "of the intent",
        "intents.CancelAppointment.confirmation.es_US: names {new_date}, which is not a slot "
        "of the intent",
    ]


def test_slot_types_must_exist_and_work_in_every_locale(shipped: dict[str, Any]) -> None:
    raw = copy.deepcopy(shipped)
    raw["intents"]["OutageStatus"]["slots"]["postal_code"]["type"] = "AMAZON.ZipCode"
    raw["intents"]["CheckBalance"]["slots"]["account_last4"]["type"] = "AMAZON.Confirmation"
    assert problems_of(raw) == [
        "intents.OutageStatus.slots.postal_code.type: unknown slot type 'AMAZON.ZipCode' "
        "(known: AMAZON.*)",
        "intents.CheckBalance.slots.account_last4.type: AMAZON.Confirmation is not available "
        "in es_US",
    ]


def test_a_custom_slot_type_is_known_and_its_synonyms_name_bot_locales(
    shipped: dict[str, Any],
) -> None:
    raw = copy.deepcopy(shipped)
    raw["slot_types"] = {
        "TimeOfDay": {
            "values": [{"value": "morning", "synonyms": {"en_US": ["am"], "fr_FR": ["matin"]}}]
        }
    }
    raw["intents"]["OutageStatus"]["slots"]["postal_code"]["type"] = "TimeOfDay"
    assert problems_of(raw) == [
        "slot_types.TimeOfDay.values.0.synonyms: locale fr_FR is not one of the bot's"
    ]


def test_two_intents_cannot_share_an_utterance(shipped: dict[str, Any]) -> None:
    raw = copy.deepcopy(shipped)
    raw["intents"]["OpeningHours"]["utterances"]["en_US"].append("Talk to an  agent")
    assert problems_of(raw) == [
        "intents.TalkToAgent.utterances.en_US: 'talk to an agent' is also an utterance of "
        "OpeningHours"
    ]


def test_lexs_own_fallback_intent_is_not_redefined(shipped: dict[str, Any]) -> None:
    raw = copy.deepcopy(shipped)
    raw["intents"]["FallbackIntent"] = copy.deepcopy(raw["intents"]["TalkToAgent"])
    raw["intents"]["FallbackIntent"]["utterances"] = {"en_US": ["huh"], "es_US": ["qué"]}
    assert problems_of(raw) == [
        "intents.FallbackIntent: is Lex's built-in: set its words in `fallback`"
    ]


def test_a_confirmation_needs_its_declined_answer(shipped: dict[str, Any]) -> None:
    raw = copy.deepcopy(shipped)
    del raw["intents"]["CancelAppointment"]["declined"]
    assert problems_of(raw) == [
        "intents.CancelAppointment: confirmation and declined go together: give both or neither"
    ]


def test_an_unknown_key_is_a_typo(shipped: dict[str, Any]) -> None:
    raw = copy.deepcopy(shipped)
    raw["intents"]["TalkToAgent"]["utterance"] = raw["intents"]["TalkToAgent"].pop("utterances")
    assert problems_of(raw) == [
        "intents.TalkToAgent.utterances: is required (there is no default)",
        "intents.TalkToAgent.utterance: Extra inputs are not permitted",
    ]


def test_fulfillments_the_function_lacks_or_sentences_it_cannot_find_are_named() -> None:
    bot = load_bot(SHIPPED)
    needs = {**FULFILLMENT_MESSAGES, "check_appointment": frozenset({"found", "rescheduled"})}
    del needs["talk_to_agent"]
    assert fulfillment_problems(bot, needs, frozenset({FAILED_MESSAGE})) == [
        "intents.CheckAppointment.messages: check_appointment may say rescheduled, which "
        "neither the intent nor the bot-wide messages define",
        "intents.TalkToAgent.fulfillment: unknown 'talk_to_agent' (known: answer, "
        "cancel_appointment, check_appointment, check_balance, opening_hours, outage_status, "
        "reschedule_appointment)",
    ]


def test_a_stage_locale_the_bot_file_lacks_is_refused(dev_config: ContactCenterConfig) -> None:
    stage = config_with(
        dev_config,
        self_service={**dev_config.self_service.model_dump(), "locales": ["en_US", "fr_CA"]},
    )
    with pytest.raises(ConfigError) as error:
        load_stage_bot(stage)
    assert error.value.problems == [
        "self_service.locales: fr_CA is not a locale of this bot file (it has en_US, es_US); "
        "add its texts or drop the locale"
    ]


@pytest.mark.parametrize(
    ("section", "says"),
    [
        ({"locales": ["en_US", "xx_YY"]}, "xx_YY: not a Lex V2 locale id"),
        ({"locales": ["en_US", "en_US"]}, "a locale is listed twice"),
        ({"hours": "nights"}, "self_service.hours: unknown hours 'nights'"),
        ({"bot_file": "../secrets.yaml"}, "self_service.bot_file: String should match"),
        ({"containment_min": 0}, "self_service.containment_min: Input should be greater than 0"),
    ],
)
def test_the_stage_section_is_checked(
    dev_config: ContactCenterConfig, section: dict[str, Any], says: str
) -> None:
    raw = dev_config.model_dump(mode="json")
    raw["self_service"] = {**raw["self_service"], **section}
    from config.loader import parse_config

    with pytest.raises(ConfigError) as error:
        parse_config(raw)
    assert says in "; ".join(error.value.problems)


def test_a_bot_file_that_is_not_yaml_is_one_line(tmp_path: Path) -> None:
    broken = tmp_path / "bot.yaml"
    broken.write_bytes(b"name: [\xff")
    with pytest.raises(ConfigError) as error:
        load_bot(broken)
    assert error.value.problems == ["not a UTF-8 text file (byte 7)"]
