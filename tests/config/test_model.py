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


# -- holidays ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("holiday", "expected"),
    [
        # The same date every year.
        ({"date": "2026-12-25", "recurs": "yearly"}, ["2026-12-25", "2027-12-25", "2028-12-25"]),
        # The 4th Thursday of November (US Thanksgiving).
        (
            {"date": "2026-11-26", "recurs": "yearly_nth_weekday"},
            ["2026-11-26", "2027-11-25", "2028-11-23", "2029-11-22"],
        ),
        # The last Monday of May (US Memorial Day): May 2027 has five Mondays.
        (
            {"date": "2026-05-25", "recurs": "yearly_last_weekday"},
            ["2026-05-25", "2027-05-31", "2028-05-29"],
        ),
        ({"date": "2026-07-03"}, ["2026-07-03"]),
    ],
)
def test_a_recurring_holiday_falls_on_its_dates_for_ten_years(
    holiday: dict[str, Any], expected: list[str]
) -> None:
    from datetime import date

    from config.model import Holiday

    parsed = Holiday.model_validate({"name": "Holiday", **holiday})
    dates = [day.isoformat() for day in parsed.dates()]
    assert dates[: len(expected)] == expected
    assert len(dates) == (10 if "recurs" in holiday else 1)
    assert parsed.last_date == parsed.dates()[-1]
    assert all(parsed.occurs_on(date.fromisoformat(day)) for day in expected)
    assert not parsed.occurs_on(date.fromisoformat(expected[0]).replace(year=2025))


@pytest.mark.parametrize(
    ("holiday", "reason"),
    [
        ({"date": "2028-02-29", "recurs": "yearly"}, "cannot start on 29 February"),
        ({"date": "2026-10-29", "recurs": "yearly_nth_weekday"}, "use yearly_last_weekday"),
        ({"date": "2026-05-18", "recurs": "yearly_last_weekday"}, "is not the last Monday of May"),
        ({"date": "2026-12-25", "recurs": "weekly"}, "Input should be"),
    ],
)
def test_a_recurrence_the_date_cannot_have_is_refused(
    raw: dict[str, Any], holiday: dict[str, Any], reason: str
) -> None:
    raw["hours"]["business"]["holidays"] = [{"name": "Holiday", **holiday}]
    (problem,) = problems_for(raw)
    assert problem.startswith("hours.business.holidays.0")
    assert reason in problem


def test_two_holidays_on_the_same_day_in_any_year_are_refused(raw: dict[str, Any]) -> None:
    raw["hours"]["business"]["holidays"] = [
        {"name": "Christmas Day", "date": "2026-12-25", "recurs": "yearly"},
        {"name": "Staff party", "date": "2029-12-25"},
    ]
    assert problems_for(raw) == [
        "hours.business: holiday date 2029-12-25 is listed twice (Christmas Day, Staff party)"
    ]


def test_more_holidays_than_connects_fifty_overrides_are_refused(raw: dict[str, Any]) -> None:
    raw["hours"]["business"]["holidays"] = [
        {"name": f"Day {n}", "date": f"2027-03-{n:02d}"} for n in range(1, 31)
    ] + [{"name": f"Day {n}", "date": f"2027-04-{n:02d}"} for n in range(1, 22)]
    (problem,) = problems_for(raw)
    assert problem.startswith("hours.business.holidays: List should have at most 50 items")


def test_holidays_already_past_are_warnings_naming_the_field(raw: dict[str, Any]) -> None:
    from datetime import date

    raw["hours"]["business"]["holidays"] = [
        {"name": "Thanksgiving", "date": "2026-11-26"},
        {"name": "Christmas Day", "date": "2026-12-25"},
        {"name": "New Year's Day", "date": "2015-01-01", "recurs": "yearly"},
        {"name": "Independence Day", "date": "2020-07-04", "recurs": "yearly"},
    ]
    config = parse_config(raw)

    holidays = [w for w in config.warnings(today=date(2026, 12, 2)) if w[0].startswith("hours.")]
    assert holidays == [
        (
            "hours.business.holidays.0",
            "Thanksgiving (2026-11-26) is in the past and changes nothing: remove it, give "
            "this year's date, or set recurs",
        ),
        (
            "hours.business.holidays.2",
            "New Year's Day (2024-01-01) is in the past and changes nothing: remove it, give "
            "this year's date, or set recurs",
        ),
    ]
    # The shipped stages' holidays recur: nothing of theirs is past.
    for stage in ("dev", "prod"):
        warned = load_stage(stage).warnings(today=date(2026, 12, 2))
        assert not [w for w in warned if w[0].startswith("hours.")]


def test_a_protected_stage_needs_someone_to_hear_its_alarms() -> None:
    raw = yaml.safe_load((CONFIG_DIR / "prod.yaml").read_text())
    del raw["alarms"]["notify_email"]
    assert problems_for(raw) == [
        "alarms.notify_email: is required when protect_data is true (production): the alarms "
        "need someone subscribed to their topic"
    ]


# -- email -----------------------------------------------------------------------------------------


def test_an_email_section_without_a_domain_names_the_field(raw: dict[str, Any]) -> None:
    del raw["email"]["domain"]
    assert problems_for(raw) == ["email.domain: is required (there is no default)"]


def test_a_reserved_example_domain_is_a_warning_while_email_is_on(raw: dict[str, Any]) -> None:
    from datetime import date

    config = parse_config(raw)
    assert config.warnings(date(2026, 12, 2)) == [
        (
            "email.domain",
            "dev.support.riverside-utilities.example is a reserved example domain: SES can never "
            "verify it, so no email is sent or received; set a domain you own before deploying",
        )
    ]
    raw["email"]["domain"] = "support.riverside.gov"
    assert parse_config(raw).warnings(date(2026, 12, 2)) == []
    raw["email"]["domain"] = "help.example.com"
    raw["channels"]["email"] = False
    assert parse_config(raw).warnings(date(2026, 12, 2)) == []


def _stage_files(folder: Any, **emails: dict[str, Any]) -> dict[str, Any]:
    """dev.yaml and prod.yaml in `folder`, each with email on and these email settings."""
    paths = {}
    for stage, email in emails.items():
        raw = yaml.safe_load((CONFIG_DIR / f"{stage}.yaml").read_text())
        raw["channels"]["email"] = True
        raw["email"].update(email)
        paths[stage] = folder / f"{stage}.yaml"
        paths[stage].write_text(yaml.safe_dump(raw))
    return paths


def test_two_stages_creating_one_ses_identity_are_refused(tmp_path: Any) -> None:
    shared = {"domain": "support.riverside.gov"}
    paths = _stage_files(tmp_path, dev=shared, prod=shared)

    with pytest.raises(ConfigError) as caught:
        load_config(paths["dev"])

    assert caught.value.problems == [
        "email.create_identity: stage 'prod' (prod.yaml) also creates the SES identity "
        "support.riverside.gov, and one account holds it once: give each stage its own domain "
        "(e.g. dev.support.riverside.gov), or set create_identity: false in one of them to share "
        "the other's identity"
    ]


@pytest.mark.parametrize(
    "dev_email",
    [
        {"domain": "support.riverside.gov", "create_identity": False},  # shared on purpose
        {"domain": "dev.support.riverside.gov"},  # a domain of its own
    ],
)
def test_stages_share_an_identity_only_when_one_says_so(
    tmp_path: Any, dev_email: dict[str, Any]
) -> None:
    paths = _stage_files(tmp_path, dev=dev_email, prod={"domain": "support.riverside.gov"})
    assert load_config(paths["dev"]).email is not None
    assert load_config(paths["prod"]).email is not None
