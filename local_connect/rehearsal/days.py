"""Consecutive days of one scenario, the same customers coming back day after day.

Repeat contacts within 7 or 30 days (a customer who emails on Monday and calls on Wednesday)
need more than one day of history. Day 0 is the scenario as written, so a one-day rehearsal is
the day it always was; each later day is the scenario moved to its own date (its weekday picks
the opening hours and the roster) with draws of its own, played by the same population: the
same phones, emails and profile ids. The entry flows only read the customers table and the
rehearsal's analytics keeps no customer history, so seeding the same known profiles every day
is the table as it would stand after the day before.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from datetime import timedelta
from typing import Any

from config import ContactCenterConfig
from local_connect.rehearsal.play import rehearse
from local_connect.rehearsal.results import Rehearsal
from local_connect.scenarios import Scenario
from local_connect.scenarios.traffic import customers


def day_scenario(scenario: Scenario, offset: int) -> Scenario:
    """The scenario `offset` days after its date, with a seed of its own for that day's draws.

    The seed is a hash of the scenario's seed and the offset, so day 3 of one seed is never day
    0 of another; the population is drawn from the first day's seed (see `rehearse_days`).
    """
    if offset == 0:
        return scenario
    digest = hashlib.sha256(f"{scenario.seed}/day/{offset}".encode()).digest()
    return scenario.model_copy(
        update={
            "date": scenario.date + timedelta(days=offset),
            "seed": int.from_bytes(digest[:8], "big"),
        }
    )


def rehearse_days(
    scenario: Scenario, config: ContactCenterConfig, days: int, **options: Any
) -> Iterator[Rehearsal]:
    """Each of `days` consecutive days rehearsed in turn (`options` go to `rehearse`), yielded
    as it is done so a caller can write it out and let it go: a month of dmv days would not fit
    in memory at once. Every variant's analytics counts the days in order."""
    if days < 1:
        raise ValueError(f"days must be at least 1, not {days}")
    population = customers(scenario)
    for offset in range(days):
        yield rehearse(day_scenario(scenario, offset), config, population=population, **options)
