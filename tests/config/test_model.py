"""Config validation: every bad input fails before any construct exists, naming the field."""

from __future__ import annotations

import copy
from typing import Any

import pytest
import yaml

from config import CONFIG_DIR, ConfigError, load_stage
from config.loader import load_config, parse_config


@pytest.fixture()
def raw() -> dict[str, Any]:
    return yaml.safe_load((CONFIG_DIR / "dev.yaml").read_text())


def problems_for(raw: dict[str, Any]) -> list[str]:
    with pytest.raises(ConfigError) as caught:
        parse_config(raw)
    return caught.value.problems


def test_shipped_stages_are_valid() -> None:
    dev, prod = load_stage("dev"), load_stage("prod")
    assert dev.channels.enabled() == ["voice", "chat", "sms", "email", "tasks"]
    assert prod.protect_data is True
    assert prod.channels.sms is False


def test_unknown_stage_lists_the_known_ones() -> None:
    with pytest.raises(
        ConfigError, match=r"stage 'qa' has no config file \(known stages: dev, prod\)"
    ):
        load_stage("qa")


def test_unknown_queue_in_routing_profile_names_the_path(raw: dict[str, Any]) -> None:
    raw["routing_profiles"]["frontline"]["queues"][1]["queue"] = "billings"
    assert problems_for(raw) == [
        "routing_profiles.frontline.queues.1.queue: unknown queue 'billings' "
        "(known: appointments, billing, general, spanish, support)"
    ]


def test_overlapping_hours_are_rejected(raw: dict[str, Any]) -> None:
    raw["hours"]["business"]["weekly"]["MONDAY"] = [
        {"start": "08:00", "end": "12:00"},
        {"start": "11:30", "end": "18:00"},
    ]
    assert problems_for(raw) == [
        "hours.business.weekly: MONDAY: hours 08:00-12:00 and 11:30-18:00 overlap"
    ]


def test_hours_ending_before_they_start_are_rejected(raw: dict[str, Any]) -> None:
    raw["hours"]["business"]["weekly"]["FRIDAY"] = [{"start": "17:00", "end": "08:00"}]
    assert problems_for(raw) == [
        "hours.business.weekly.FRIDAY.0: end 08:00 must be after start 17:00"
    ]


def test_invalid_e164_prefix_is_rejected(raw: dict[str, Any]) -> None:
    raw["phone_numbers"][1]["prefix"] = "1312"
    assert problems_for(raw) == [
        "phone_numbers.1.prefix: '1312' is not an E.164 prefix (a '+', the country code, then digits)"
    ]


def test_phone_number_pointing_to_missing_flow(raw: dict[str, Any]) -> None:
    raw["phone_numbers"][0]["flow"] = "main_menu"
    (problem,) = problems_for(raw)
    assert problem.startswith(
        "phone_numbers.0.flow: unknown flow 'main_menu' (known: agent_whisper"
    )


def test_channel_enabled_without_its_settings(raw: dict[str, Any]) -> None:
    del raw["sms"]
    assert problems_for(raw) == ["channels.sms: is enabled but the 'sms' section is missing"]


def test_voice_without_phone_numbers(raw: dict[str, Any]) -> None:
    raw["phone_numbers"] = []
    raw["queues"]["billing"].pop("outbound_caller_number")
    raw["queues"]["support"].pop("outbound_caller_number")
    assert problems_for(raw) == ["phone_numbers: voice is enabled but no phone number is claimed"]


def test_caller_id_must_be_a_claimed_number(raw: dict[str, Any]) -> None:
    raw["queues"]["billing"]["outbound_caller_number"] = "fax_line"
    assert problems_for(raw) == [
        "queues.billing.outbound_caller_number: unknown phone number 'fax_line' "
        "(known: main_line, outage_line)"
    ]


def test_unknown_time_zone(raw: dict[str, Any]) -> None:
    raw["hours"]["outages"]["time_zone"] = "America/Springfield"
    assert problems_for(raw) == [
        "hours.outages.time_zone: 'America/Springfield' is not an IANA time zone (like America/Chicago)"
    ]


def test_typo_in_a_key_is_not_silently_ignored(raw: dict[str, Any]) -> None:
    raw["queues"]["billing"]["max_contact"] = 5
    assert problems_for(raw) == ["queues.billing.max_contact: Extra inputs are not permitted"]


def test_menu_intent_without_queue_mapping(raw: dict[str, Any]) -> None:
    raw["routing"]["menu"].append({"digit": "9", "intent": "water", "label": "Water quality"})
    assert problems_for(raw) == [
        "routing.menu.4.intent: intent 'water' has no entry in routing.intents"
    ]


def test_duplicate_menu_digits(raw: dict[str, Any]) -> None:
    raw["routing"]["menu"][1]["digit"] = "1"
    assert problems_for(raw) == ["routing.menu: digits ['1'] are used more than once"]


def test_log_retention_must_be_a_cloudwatch_value(raw: dict[str, Any]) -> None:
    raw["retention"]["log_days"] = 45
    (problem,) = problems_for(raw)
    assert problem.startswith("retention.log_days: 45 is not a CloudWatch Logs retention")


def test_several_problems_are_reported_together(raw: dict[str, Any]) -> None:
    broken = copy.deepcopy(raw)
    broken["routing"]["default_queue"] = "nowhere"
    broken["routing"]["languages"]["fr"] = "french"
    problems = problems_for(broken)
    assert (
        "routing.default_queue: unknown queue 'nowhere' (known: appointments, billing, general, spanish, support)"
        in problems
    )
    assert any(p.startswith("routing.languages.fr: unknown queue 'french'") for p in problems)


def test_chat_origin_must_be_https(raw: dict[str, Any]) -> None:
    raw["chat"]["widget_origins"] = ["http://www.example.gov"]
    (problem,) = problems_for(raw)
    assert problem.startswith(
        "chat.widget_origins: 'http://www.example.gov' is not an https origin"
    )


def test_unreadable_yaml_names_the_file(tmp_path: Any) -> None:
    broken = tmp_path / "broken.yaml"
    broken.write_text("stage: [dev\n")
    with pytest.raises(ConfigError) as caught:
        load_config(broken)
    assert str(broken) in str(caught.value)
    assert caught.value.problems[0].startswith("not valid YAML")
