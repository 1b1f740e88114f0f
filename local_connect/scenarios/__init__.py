"""Rehearsal scenarios: YAML days of demand and staffing, validated, with their traffic generator."""

from local_connect.scenarios.loader import (
    SCENARIO_DIR,
    ScenarioError,
    available_scenarios,
    config_problems,
    load_config_for,
    load_scenario,
    parse_scenario,
    read_scenario,
)
from local_connect.scenarios.model import ChannelBehaviour, Scenario, Staffing, Variant
from local_connect.scenarios.staffing import planned_staffing, staffing_note

__all__ = [
    "SCENARIO_DIR",
    "ChannelBehaviour",
    "Scenario",
    "ScenarioError",
    "Staffing",
    "Variant",
    "available_scenarios",
    "config_problems",
    "load_config_for",
    "load_scenario",
    "parse_scenario",
    "planned_staffing",
    "read_scenario",
    "staffing_note",
]
