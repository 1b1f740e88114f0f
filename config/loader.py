"""Reads a stage's YAML into the model and turns validation failures into one readable error."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import yaml
from pydantic import ValidationError

from config.model import ContactCenterConfig

CONFIG_DIR = Path(__file__).resolve().parent
PEOPLE_SUFFIX = ".people.yaml"


class ConfigError(Exception):
    """A config file that cannot become a deployment; each line names a field path and a reason."""

    def __init__(self, source: str, problems: list[str]) -> None:
        self.source = source
        self.problems = problems
        listing = "\n".join(f"  - {problem}" for problem in problems)
        super().__init__(f"invalid config {source}:\n{listing}")


def load_stage(stage: str) -> ContactCenterConfig:
    path = CONFIG_DIR / f"{stage}.yaml"
    if not path.is_file():
        known = ", ".join(sorted(p.stem for p in stage_files(CONFIG_DIR)))
        raise ConfigError(
            str(path), [f"stage '{stage}' has no config file (known stages: {known})"]
        )
    config = load_config(path)
    if config.stage != stage:
        # A copied file still names the stage it was copied from: deploying it would replace
        # that stage's stacks.
        raise ConfigError(
            str(path),
            [
                f"stage: '{config.stage}' in a file for stage '{stage}' "
                f"(set stage: {stage} in {path.name}, or use --stage {config.stage})"
            ],
        )
    return config


def stage_files(directory: Path) -> list[Path]:
    """The stage configs in `directory`: every YAML file except the people files beside them."""
    return sorted(
        path for path in directory.glob("*.yaml") if not path.name.endswith(PEOPLE_SUFFIX)
    )


def people_file(stage_file: Path) -> Path:
    """Where a stage's people may live apart from its config (a team can keep it out of git)."""
    return stage_file.with_name(f"{stage_file.stem}{PEOPLE_SUFFIX}")


def load_config(path: Path) -> ContactCenterConfig:
    """The config in `path`, checked alone and against the other stages beside it."""
    config = _read(path)
    problems = shared_identity_problems(config, path)
    if problems:
        raise ConfigError(str(path), problems)
    return config


def shared_identity_problems(config: ContactCenterConfig, path: Path) -> list[str]:
    """An SES identity exists once per account and Region: two stages that both create it
    cannot deploy to one account (the second fails: the identity exists). The stage files beside
    this one are the stages we know of; one that cannot be read is left to its own load."""
    email = config.email
    if not (config.channels.email and email is not None and email.create_identity):
        return []
    problems = []
    for other_path in stage_files(path.parent):
        if other_path.resolve() == path.resolve():
            continue
        try:
            other = _read(other_path)
        except ConfigError:
            continue
        theirs = other.email
        if (
            other.channels.email
            and theirs is not None
            and theirs.create_identity
            and theirs.domain == email.domain
        ):
            problems.append(
                f"email.create_identity: stage '{other.stage}' ({other_path.name}) also creates "
                f"the SES identity {email.domain}, and one account holds it once: give each "
                f"stage its own domain (e.g. {config.stage}.{email.domain}), or set "
                "create_identity: false in one of them to share the other's identity"
            )
    return problems


def _read(path: Path) -> ContactCenterConfig:
    raw = read_yaml(path)
    people_path = people_file(path)
    if not people_path.is_file():
        return parse_config(raw, source=str(path))
    source = f"{path} with {people_path.name}"
    people = read_people(people_path)
    if isinstance(raw, dict) and "people" in raw:
        raise ConfigError(
            source,
            [f"people: is set in both {path.name} and {people_path.name}; keep it in one of them"],
        )
    if isinstance(raw, dict):
        raw = {**raw, "people": people}
    return parse_config(raw, source=source)


def read_people(people_path: Path) -> Any:
    """The `people:` section a people file holds (it must hold nothing else)."""
    document = read_yaml(people_path)
    if not isinstance(document, dict) or set(document) != {"people"}:
        raise ConfigError(
            str(people_path), ["the file must hold one top-level key, people:, and nothing else"]
        )
    return document["people"]


def read_yaml(path: Path) -> Any:
    """The YAML document in `path`; an unreadable file is a ConfigError naming it."""
    try:
        return yaml.safe_load(path.read_text(encoding="utf-8"))
    except OSError as error:
        raise ConfigError(str(path), [f"cannot read: {error.strerror}"]) from None
    except UnicodeDecodeError as error:
        raise ConfigError(str(path), [f"not a UTF-8 text file (byte {error.start})"]) from None
    except yaml.YAMLError as error:
        raise ConfigError(str(path), [f"not valid YAML: {error}"]) from None


def parse_config(raw: Any, source: str = "<config>") -> ContactCenterConfig:
    if not isinstance(raw, dict):
        raise ConfigError(source, ["the file must hold a mapping of settings at its top level"])
    try:
        return ContactCenterConfig.model_validate(raw)
    except ValidationError as error:
        raise ConfigError(source, describe_problems(error)) from None


def describe_problems(
    error: ValidationError, *, not_a_key: Callable[[list[str], int], bool] | None = None
) -> list[str]:
    """One line per problem, 'field.path: reason', the way a person edits the YAML.

    `not_a_key(parts, index)` drops location parts pydantic adds that are not YAML keys (a
    discriminated union's tag); the scenario files need it, the config does not.
    """
    problems = []
    for detail in error.errors(include_url=False):
        parts = [str(part) for part in detail["loc"]]
        path = ".".join(
            part
            for index, part in enumerate(parts)
            if not_a_key is None or not not_a_key(parts, index)
        )
        message = detail["msg"].removeprefix("Value error, ")
        if detail["type"] == "missing":
            message = "is required (there is no default)"
        if not path:
            # Cross-reference checks already name their own paths ("a.b: reason; c.d: reason").
            problems.extend(message.split("; "))
        else:
            problems.append(f"{path}: {message}")
    return problems
