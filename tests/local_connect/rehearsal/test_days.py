"""Consecutive days of a scenario: the first is the scenario as written, later ones move on."""

from __future__ import annotations

from datetime import date

from local_connect.rehearsal.days import day_scenario
from local_connect.scenarios import parse_scenario
from local_connect.scenarios.traffic import generate
from tests.local_connect.rehearsal.test_rehearsal import SMALL


def test_the_first_day_is_the_scenario_as_written() -> None:
    scenario = parse_scenario(SMALL)
    assert day_scenario(scenario, 0) is scenario


def test_a_later_day_has_its_date_and_draws_of_its_own() -> None:
    scenario = parse_scenario(SMALL)
    third = day_scenario(scenario, 2)
    assert third.date == date(2026, 12, 3)
    assert third.seed not in {scenario.seed, day_scenario(scenario, 1).seed}
    assert day_scenario(scenario, 2) == third  # the same day again is the same day
    first_ids = {c.contact_id for c in generate(scenario, "phone")}
    assert first_ids.isdisjoint(c.contact_id for c in generate(third, "phone"))
