"""Scenario files: the shipped ones validate, mistakes are named by field path, traffic is repeatable."""

from __future__ import annotations

import copy
import math
from typing import Any

import pytest
import yaml

from config import ContactCenterConfig
from local_connect.scenarios import (
    SCENARIO_DIR,
    ScenarioError,
    available_scenarios,
    config_problems,
    load_config_for,
    load_scenario,
    parse_scenario,
)
from local_connect.scenarios.traffic import expected_arrivals, fictional_phone, generate


@pytest.fixture(scope="module")
def dmv_raw() -> dict[str, Any]:
    return yaml.safe_load((SCENARIO_DIR / "dmv.yaml").read_text(encoding="utf-8"))


def problems_of(raw: dict[str, Any]) -> list[str]:
    with pytest.raises(ScenarioError) as caught:
        parse_scenario(raw, source="test.yaml")
    return caught.value.problems


def test_shipped_scenarios_validate_against_their_config() -> None:
    assert "dmv" in available_scenarios()
    for name in available_scenarios():
        scenario = load_scenario(name)
        config = load_config_for(scenario)
        assert config.stage == scenario.config


def test_dmv_is_fifteen_thousand_contacts_and_says_where_its_numbers_come_from() -> None:
    scenario = load_scenario("dmv")
    assert scenario.demand.contacts == 15_000
    assert set(scenario.variants) == {"voice_only", "reminders", "digital", "self_service"}
    assert scenario.variants["voice_only"].channels == ["voice"]
    assert {"chat", "sms"} <= set(scenario.variants["digital"].channels)
    text = (SCENARIO_DIR / "dmv.yaml").read_text(encoding="utf-8")
    for statement in ("ASSUMED", "CALIBRATED", "published case", "Source"):
        assert statement.lower() in text.lower()


def test_shares_that_do_not_add_up_are_named(dmv_raw: dict[str, Any]) -> None:
    raw = copy.deepcopy(dmv_raw)
    raw["demand"]["intents"]["fees_payments"]["share"] = 0.5
    raw["variants"]["digital"]["channel_mix"]["fees_payments"] = {"voice": 0.7, "chat": 0.2}
    problems = problems_of(raw)
    assert any(p.startswith("demand.intents: intent shares add up to 1.38") for p in problems)
    assert any(
        p.startswith("variants.digital.channel_mix: fees_payments: channel shares add up to 0.9")
        for p in problems
    )


def test_distribution_mistakes_point_at_the_yaml_key(dmv_raw: dict[str, Any]) -> None:
    raw = copy.deepcopy(dmv_raw)
    raw["channels"]["voice"]["talk"] = {"kind": "lognormal", "mean": 360, "sd": -1}
    raw["channels"]["chat"]["patience"] = {"kind": "gaussian", "mean": 10}
    problems = problems_of(raw)
    assert any(
        p.startswith("channels.voice.talk.sd: Input should be greater than 0") for p in problems
    )
    assert any(p.startswith("channels.chat.patience: Input tag 'gaussian'") for p in problems)


def test_unknown_names_and_switched_off_channels_are_rejected(dmv_raw: dict[str, Any]) -> None:
    raw = copy.deepcopy(dmv_raw)
    raw["variants"]["voice_only"]["channel_mix"] = {"fees_payments": {"voice": 0.5, "chat": 0.5}}
    raw["staffing"]["frontline"][25] = 3
    raw["surprise"] = True
    problems = problems_of(raw)
    assert problems == [
        "staffing: frontline: hour 25 is not between 0 and 23",
        "variants.voice_only: channel_mix.fees_payments.chat: channel 'chat' is not in this "
        "variant's channels ['voice']",
        "surprise: Extra inputs are not permitted",
    ]


def test_cross_references_are_checked_after_fields(dmv_raw: dict[str, Any]) -> None:
    raw = copy.deepcopy(dmv_raw)
    raw["variants"]["digital"]["demand_factor"] = {"where_is_my_licence": 0.5}
    raw["variants"]["reminders"]["reminders"] = {
        **raw["variants"]["reminders"]["reminders"],
        "intent": "lost_plates",
    }
    problems = problems_of(raw)
    known = (
        "appointment_booking, appointment_status, case_follow_up, fees_payments, "
        "licence_registration"
    )
    assert problems == [
        f"variants.reminders.reminders.intent: unknown intent 'lost_plates' (known: {known})",
        f"variants.digital.demand_factor.where_is_my_licence: unknown intent (known: {known})",
    ]


def test_names_the_config_does_not_define_are_reported(
    dmv_raw: dict[str, Any], voice_only_config: ContactCenterConfig
) -> None:
    raw = copy.deepcopy(dmv_raw)
    raw["staffing"]["night_shift"] = {8: 3}
    raw["demand"]["intents"]["fees_payments"]["routes_as"] = "payments"
    scenario = parse_scenario(raw)
    problems = config_problems(scenario, voice_only_config)
    assert (
        "demand.intents.fees_payments.routes_as: 'payments' is not a routing intent of the "
        "config (known: appointment, billing, other, outage)"
    ) in problems
    assert any(p.startswith("staffing.night_shift: not a routing profile") for p in problems)
    # The voice-only stage has no chat or sms section for the digital variant to switch on.
    assert any(
        p.startswith("variants.digital.channels: 'chat' needs the config's") for p in problems
    )


def test_bot_behaviour_mistakes_are_named_by_field_path(
    dmv_raw: dict[str, Any], dev_config: ContactCenterConfig
) -> None:
    raw = copy.deepcopy(dmv_raw)
    raw["self_service"]["licence_registration"]["fulfil_share"] = 0.2  # no bot_intent
    raw["self_service"]["fees_payments"]["seconds"] = {"kind": "lognormal", "mean": -5, "sd": 1}
    raw["self_service"]["lost_plates"] = raw["self_service"]["fees_payments"]
    problems = problems_of(raw)
    assert problems[:2] == [
        "self_service.fees_payments.seconds.mean: Input should be greater than 0",
        "self_service.licence_registration: fulfil_share 0.2 without a bot_intent: "
        "the bot cannot serve a request it does not recognise",
    ]
    raw = copy.deepcopy(dmv_raw)
    raw["self_service"]["fees_payments"]["bot_intent"] = "PayMyFine"
    del raw["self_service"]["appointment_status"]
    problems = config_problems(parse_scenario(raw), dev_config)
    assert problems == [
        "self_service.fees_payments.bot_intent: 'PayMyFine' is not an intent of the bot "
        "SelfService (known: CancelAppointment, CheckAppointment, CheckBalance, OpeningHours, "
        "OutageStatus, RescheduleAppointment, TalkToAgent)"
    ]
    raw["self_service"] = {}
    assert problems_of(raw) == [
        "variants.self_service.bot: the scenario has no self_service "
        "section saying how customers fare in the bot"
    ]


def test_only_a_variant_with_the_bot_draws_bot_visits(dmv_raw: dict[str, Any]) -> None:
    raw = copy.deepcopy(dmv_raw)
    raw["demand"]["contacts"] = 1000
    raw["customers"]["population"] = 500
    scenario = parse_scenario(raw)
    digital = generate(scenario, "digital")
    with_bot = generate(scenario, "self_service")
    assert all(contact.bot is None for contact in digital)
    visits = [contact.bot for contact in with_bot if contact.bot is not None]
    assert len(visits) == len(with_bot)  # voice, chat and SMS flows all hand over to the bot
    by_outcome = {o: sum(1 for v in visits if v.outcome == o) for o in ("contained", "abandoned")}
    assert 0.15 < by_outcome["contained"] / len(visits) < 0.35
    assert all(v.bot_intent is None for v in visits if v.outcome == "asked_for_agent")


def test_a_missing_scenario_lists_the_shipped_ones() -> None:
    with pytest.raises(ScenarioError, match=r"shipped scenarios: .*dmv"):
        load_scenario("no-such-scenario")


def test_traffic_is_repeatable_and_follows_the_variant() -> None:
    scenario = load_scenario("dmv")
    first = generate(scenario, "digital")
    again = generate(scenario, "digital")
    assert [(c.contact_id, c.initiated, c.channel) for c in first] == [
        (c.contact_id, c.initiated, c.channel) for c in again
    ]
    voice_only = generate(scenario, "voice_only")
    assert {c.channel for c in voice_only} == {"voice"}
    assert {c.channel for c in first} == {"voice", "chat", "sms"}
    assert all(first[i].initiated <= first[i + 1].initiated for i in range(len(first) - 1))


def test_arrival_counts_match_the_demand_within_poisson_noise() -> None:
    # As the rehearsal runs it once the reminders are sent: all of them, say, so reminded
    # customers make 60% fewer of the 20% appointment-status contacts: 15,000 x (1 - 0.12).
    loaded = load_scenario("dmv")
    digital = loaded.variants["digital"].model_copy(
        update={"demand_factor": {"appointment_status": 0.4}}
    )
    scenario = loaded.model_copy(update={"variants": {**loaded.variants, "digital": digital}})
    expected = expected_arrivals(scenario, "digital")
    contacts = generate(scenario, "digital")
    total = sum(expected.values())
    assert total == pytest.approx(15_000 * 0.88)
    assert abs(len(contacts) - total) < 4 * math.sqrt(total)
    voice = sum(mean for (_, _, channel), mean in expected.items() if channel == "voice")
    counted = sum(1 for c in contacts if c.channel == "voice")
    assert abs(counted - voice) < 4 * math.sqrt(voice)
    nine_am = sum(mean for (hour, _, _), mean in expected.items() if hour == 9)
    assert nine_am == pytest.approx(total * 0.14)
    assert all(9 * 3600 <= c.initiated < 10 * 3600 for c in contacts if c.initiated // 3600 == 9)


def test_fictional_numbers_are_valid_e164_in_the_reserved_range() -> None:
    assert fictional_phone(0) == "+12015550100"
    assert fictional_phone(199) == "+12025550199"
    with pytest.raises(ValueError):
        fictional_phone(80_000)
