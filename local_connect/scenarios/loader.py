"""Reads a scenario's YAML, validates it, and checks it against the config stage it names.

Errors are one line per problem, `field.path: reason`, like the config's own errors, so a person
editing the YAML finds the line to fix.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml
from pydantic import ValidationError

from config import ConfigError, ContactCenterConfig, load_stage
from config.bot import load_stage_bot
from config.loader import describe_problems
from local_connect.scenarios.model import Scenario, Staffing
from local_connect.scenarios.staffing import staffing_problems

SCENARIO_DIR = Path(__file__).resolve().parent
DISTRIBUTION_KINDS = {"fixed", "exponential", "lognormal", "uniform"}
DISTRIBUTED = {"flow_seconds", "talk", "duration", "after_contact_work", "patience", "seconds"}


class ScenarioError(Exception):
    """A scenario that cannot be rehearsed; each problem names a field path and a reason."""

    def __init__(self, source: str, problems: list[str]) -> None:
        self.source = source
        self.problems = problems
        listing = "\n".join(f"  - {problem}" for problem in problems)
        super().__init__(f"invalid scenario {source}:\n{listing}")


def available_scenarios() -> list[str]:
    return sorted(path.stem for path in SCENARIO_DIR.glob("*.yaml"))


def scenario_path(name_or_path: str) -> Path:
    """A shipped scenario's name (`dmv`) or the path of a YAML file."""
    candidate = Path(name_or_path)
    if candidate.suffix in {".yaml", ".yml"} or candidate.parent != Path("."):
        return candidate
    return SCENARIO_DIR / f"{name_or_path}.yaml"


def load_scenario(name_or_path: str) -> Scenario:
    path, raw = read_scenario(name_or_path)
    return parse_scenario(raw, source=str(path))


def read_scenario(name_or_path: str) -> tuple[Path, Any]:
    """The scenario file's path and its YAML, parsed but not validated (calibration edits it)."""
    path = scenario_path(name_or_path)
    if not path.is_file():
        known = ", ".join(available_scenarios())
        raise ScenarioError(str(path), [f"no such scenario (shipped scenarios: {known})"])
    try:
        return path, yaml.safe_load(path.read_text(encoding="utf-8"))
    except yaml.YAMLError as error:
        raise ScenarioError(str(path), [f"not valid YAML: {error}"]) from None
    except UnicodeDecodeError:
        raise ScenarioError(str(path), ["not a UTF-8 text file"]) from None


def parse_scenario(raw: Any, source: str = "<scenario>") -> Scenario:
    if not isinstance(raw, dict):
        raise ScenarioError(source, ["the file must hold a mapping at its top level"])
    try:
        return Scenario.model_validate(raw)
    except ValidationError as error:
        raise ScenarioError(source, describe_problems(error, not_a_key=_distribution_tag)) from None


def load_config_for(scenario: Scenario, stage: str | None = None) -> ContactCenterConfig:
    """The config stage the scenario runs against (or `stage`), checked against the scenario."""
    name = stage or scenario.config
    try:
        config = load_stage(name)
    except ConfigError as error:
        raise ScenarioError(f"scenario {scenario.name}", [str(error)]) from None
    problems = config_problems(scenario, config)
    if problems:
        raise ScenarioError(f"scenario {scenario.name} against config '{name}'", problems)
    return config


def config_problems(scenario: Scenario, config: ContactCenterConfig) -> list[str]:
    """Names in the scenario that the config does not define."""
    problems = []
    known_intents = config.routing.intents
    for name, intent in scenario.demand.intents.items():
        if intent.routes_as not in known_intents:
            problems.append(
                f"demand.intents.{name}.routes_as: '{intent.routes_as}' is not a routing intent "
                f"of the config (known: {', '.join(sorted(known_intents))})"
            )
    plans: dict[str, Staffing] = {"staffing": scenario.staffing or {}}
    for variant_name, variant in scenario.variants.items():
        if variant.staffing is not None:
            plans[f"variants.{variant_name}.staffing"] = variant.staffing
        for channel in variant.channels:
            section_missing = channel != "voice" and getattr(config, channel, None) is None
            if section_missing:
                problems.append(
                    f"variants.{variant_name}.channels: '{channel}' needs the config's "
                    f"'{channel}' section, which stage '{config.stage}' does not have"
                )
        if "voice" in variant.channels and not config.phone_numbers:
            problems.append(
                f"variants.{variant_name}.channels: voice needs a phone number in the config"
            )
    problems += _bot_problems(scenario, config)
    for path, plan in plans.items():
        for profile in plan:
            if profile not in config.routing_profiles:
                problems.append(
                    f"{path}.{profile}: not a routing profile of the config "
                    f"(known: {', '.join(sorted(config.routing_profiles))})"
                )
    return problems + staffing_problems(scenario, config)


def _bot_problems(scenario: Scenario, config: ContactCenterConfig) -> list[str]:
    """A variant with the bot needs the stage's bot, and the intents named must be its own."""
    with_bot = [name for name, variant in scenario.variants.items() if variant.bot]
    if not with_bot:
        return []
    if not config.self_service.enabled:
        return [
            f"variants.{name}.bot: stage '{config.stage}' has self_service.enabled false"
            for name in with_bot
        ]
    try:
        bot = load_stage_bot(config)
    except ConfigError as error:
        return [f"self_service: the stage's bot file: {error}"]
    return [
        f"self_service.{intent}.bot_intent: '{behaviour.bot_intent}' is not an intent of the "
        f"bot {bot.name} (known: {', '.join(sorted(bot.intents))})"
        for intent, behaviour in scenario.self_service.items()
        if behaviour.bot_intent is not None and behaviour.bot_intent not in bot.intents
    ]


def _distribution_tag(parts: list[str], index: int) -> bool:
    """A discriminated union puts its tag ('lognormal') in the path; it is not a YAML key."""
    return bool(index) and parts[index] in DISTRIBUTION_KINDS and parts[index - 1] in DISTRIBUTED
