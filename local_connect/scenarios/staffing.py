"""Who is logged in during a rehearsed day: the scenario's head counts, bounded by the stage's
people, or, when the scenario gives none, everyone in `people:` during their queues' hours.

A head count above the stage's roster is a hiring what-if, not a rehearsal of the team the
stage deploys: a scenario says so with `staffing_beyond_people: true`, and `ccaas rehearse`
prints that its agents are synthetic.
"""

from __future__ import annotations

from datetime import date, datetime, time
from zoneinfo import ZoneInfo

from config import ContactCenterConfig
from config.model import HoursConfig
from local_connect.flows.hours import is_open
from local_connect.scenarios.model import Scenario, Staffing


def staffing_problems(scenario: Scenario, config: ContactCenterConfig) -> list[str]:
    """Head counts the stage's roster cannot field, and a day no one would staff."""
    if config.people is None:
        if scenario.staffing is None:
            return [
                f"staffing: is required: config {config.stage} has no people: section to staff "
                "the day from"
            ]
        return []
    if scenario.staffing_beyond_people:
        return []
    roster = config.people.agents_per_routing_profile()
    plans: dict[str, Staffing | None] = {"staffing": scenario.staffing}
    for name, variant in scenario.variants.items():
        plans[f"variants.{name}.staffing"] = variant.staffing
    problems = []
    for path, plan in plans.items():
        for profile, hours in (plan or {}).items():
            people = roster.get(profile, 0)
            for hour, agents in sorted(hours.items()):
                if agents > people:
                    problems.append(
                        f"{path}.{profile}.{hour}: {agents} agents but config {config.stage} has "
                        f"{people} people on routing profile {profile} (set "
                        "staffing_beyond_people: true for a hiring what-if)"
                    )
    return problems


def planned_staffing(
    scenario: Scenario, variant: str, config: ContactCenterConfig, zone: ZoneInfo
) -> Staffing:
    """The variant's head counts, or the stage's people during their queues' hours."""
    plan = scenario.staffing_for(variant)
    if plan is not None:
        return plan
    return roster_staffing(config, scenario.date, zone)


def roster_staffing(config: ContactCenterConfig, day: date, zone: ZoneInfo) -> Staffing:
    """Everyone on a routing profile, logged in each local hour (in `zone`) in which a queue
    that profile serves is open for at least a minute; nobody otherwise."""
    if config.people is None:
        raise ValueError(f"config {config.stage} has no people: section to staff the day from")
    plan: Staffing = {}
    for profile, people in config.people.agents_per_routing_profile().items():
        queues = {entry.queue for entry in config.routing_profiles[profile].queues}
        hours = [config.hours[config.queues[queue].hours] for queue in sorted(queues)]
        plan[profile] = {
            hour: people if _open_during(hours, day, hour, zone) else 0 for hour in range(24)
        }
    return plan


def staffing_note(scenario: Scenario, config: ContactCenterConfig) -> str | None:
    """One line for the rehearsal's output when the agents are not the stage's own head count."""
    if scenario.staffing_beyond_people and config.people is not None:
        return (
            f"Staffing: synthetic agents beyond the {len(config.people.users)} people of config "
            f"{config.stage} (staffing_beyond_people: a hiring what-if)"
        )
    if scenario.staffing is None:
        return (
            f"Staffing: the people of config {config.stage}, logged in while their queues are open"
        )
    return None


def _open_during(hours: list[HoursConfig], day: date, hour: int, zone: ZoneInfo) -> bool:
    """Open for at least a minute of the hour: at its start, or where a range opens inside it
    (`is_open` still decides, holidays first; these are only the moments worth asking about)."""
    start = datetime.combine(day, time(hour), tzinfo=zone)
    for queue_hours in hours:
        ranges = [*queue_hours.weekly.values(), *(h.open for h in queue_hours.holidays)]
        openings = {r.start for spans in ranges for r in spans if r.start.hour == hour}
        moments = [start, *(start.replace(minute=t.minute) for t in openings)]
        if any(is_open(queue_hours, moment) for moment in moments):
            return True
    return False
