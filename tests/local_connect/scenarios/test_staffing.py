"""Rehearsal staffing and the stage's people: head counts bounded by the roster unless the
scenario is a hiring what-if, and a scenario without staffing staffed by the people themselves."""

from __future__ import annotations

import copy
from datetime import date
from typing import Any
from zoneinfo import ZoneInfo

from config import ContactCenterConfig
from local_connect.acd import Outcome
from local_connect.rehearsal import rehearse
from local_connect.scenarios import config_problems, parse_scenario, staffing_note
from local_connect.scenarios.staffing import roster_staffing
from tests.conftest import config_with

CHICAGO = ZoneInfo("America/Chicago")
TUESDAY = date(2026, 12, 1)
# A few dozen calls on a Tuesday morning, from customers who wait as long as it takes.
TINY: dict[str, Any] = {
    "name": "tiny",
    "description": "A quiet Tuesday morning",
    "config": "dev",
    "date": TUESDAY.isoformat(),
    "seed": 7,
    "demand": {
        "contacts": 36,
        "hourly": {9: 0.5, 10: 0.5},
        "intents": {
            "pay": {"share": 0.5, "routes_as": "billing"},
            "ask": {"share": 0.5, "routes_as": "other"},
        },
    },
    "customers": {"population": 50, "known_share": 0.5},
    "channels": {
        "voice": {
            "flow_seconds": {"kind": "fixed", "value": 20},
            "talk": {"kind": "fixed", "value": 180},
        }
    },
    "variants": {"phone": {"channels": ["voice"]}},
}


def tiny(**changes: Any) -> dict[str, Any]:
    raw = copy.deepcopy(TINY)
    raw.update(changes)
    return raw


def test_staffing_beyond_the_people_names_both_numbers_the_profile_and_the_hour(
    dev_config: ContactCenterConfig,
) -> None:
    # Given dev's people: 4 on frontline, 2 on bilingual
    scenario = parse_scenario(
        tiny(
            staffing={"frontline": {9: 104, 10: 4}},
            variants={"phone": {"channels": ["voice"], "staffing": {"bilingual": {11: 3}}}},
        )
    )
    # Then each head count above them is named, with the way out
    assert config_problems(scenario, dev_config) == [
        "staffing.frontline.9: 104 agents but config dev has 4 people on routing profile "
        "frontline (set staffing_beyond_people: true for a hiring what-if)",
        "variants.phone.staffing.bilingual.11: 3 agents but config dev has 2 people on routing "
        "profile bilingual (set staffing_beyond_people: true for a hiring what-if)",
    ]


def test_a_hiring_what_if_may_staff_beyond_the_people_and_says_so(
    dev_config: ContactCenterConfig,
) -> None:
    scenario = parse_scenario(tiny(staffing={"frontline": {9: 104}}, staffing_beyond_people=True))
    assert config_problems(scenario, dev_config) == []
    assert staffing_note(scenario, dev_config) == (
        "Staffing: synthetic agents beyond the 8 people of config dev "
        "(staffing_beyond_people: a hiring what-if)"
    )


def test_a_stage_without_people_bounds_nothing_but_needs_a_staffing(
    dev_config: ContactCenterConfig,
) -> None:
    no_people = config_with(dev_config, people=None)
    assert config_problems(parse_scenario(tiny(staffing={"frontline": {9: 104}})), no_people) == []
    assert config_problems(parse_scenario(tiny()), no_people) == [
        "staffing: is required: config dev has no people: section to staff the day from"
    ]


def test_without_staffing_the_people_are_logged_in_while_their_queues_are_open(
    dev_config: ContactCenterConfig,
) -> None:
    plan = roster_staffing(dev_config, TUESDAY, CHICAGO)
    business = {hour: 4 if 8 <= hour < 18 else 0 for hour in range(24)}
    assert plan["frontline"] == business
    # bilingual serves spanish and billing, both on business hours
    assert plan["bilingual"] == {hour: count // 2 for hour, count in business.items()}
    # field_support serves the around-the-clock outage queue
    assert plan["field_support"] == dict.fromkeys(range(24), 2)
    assert staffing_note(parse_scenario(tiny()), dev_config) == (
        "Staffing: the people of config dev, logged in while their queues are open"
    )


def test_on_a_holiday_only_the_queues_still_open_are_staffed(
    dev_config: ContactCenterConfig,
) -> None:
    christmas_eve = roster_staffing(dev_config, date(2026, 12, 24), CHICAGO)
    assert [hour for hour, people in christmas_eve["frontline"].items() if people] == [
        8,
        9,
        10,
        11,
    ]
    christmas = roster_staffing(dev_config, date(2026, 12, 25), CHICAGO)
    assert set(christmas["frontline"].values()) == {0}
    assert set(christmas["field_support"].values()) == {2}


def test_a_day_staffed_by_the_people_answers_every_patient_caller(
    dev_config: ContactCenterConfig,
) -> None:
    (run,) = rehearse(parse_scenario(tiny()), dev_config).runs
    outcomes = {result.outcome for result in run.simulation.contacts}
    assert outcomes == {Outcome.HANDLED}
    assert len(run.simulation.contacts) == len(run.contacts) > 20
