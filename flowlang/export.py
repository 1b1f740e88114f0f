"""Turn a flow published on an instance back into our placeholder form (the reverse of synth).

Two sources tell an ARN's name:
1. The instance itself: queues, hours of operation and flows carry our config names (infra
   creates them with `Name=<config name>`), so their ARNs map to `${queue:...}` and friends.
2. The file already in git: where the deployed text matches what the file's placeholders would
   resolve to in this stage (a `${setting:...}` value, a Lambda ARN, a dotted
   `${queue:routing.default_queue}`), the file's text is kept as it was.
Anything still instance-specific afterwards (an ARN of something config does not know: a new
queue made in the console, a prompt, a Lambda the flow never called) is reported, never hidden.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any

from flowlang.context import StageFlows, UnresolvablePlaceholderError
from flowlang.placeholders import PLACEHOLDER, PlaceholderKind, placeholder, substitute

ARN = re.compile(r"arn:aws[a-z-]*:[a-z0-9-]+:[a-z0-9-]*:\d{12}:[^\s\"]+")
_ANY_ARN = r"arn:aws[a-z-]*:[a-z0-9-]+:[a-z0-9-]*:\d{12}:[^\s\"]+"


@dataclass
class ExportResult:
    """The document to write, and what is still instance-specific in it (action, path, ARN)."""

    document: dict[str, Any]
    leftovers: list[tuple[str | None, str, str]] = field(default_factory=list)


def instance_placeholders(
    stage: StageFlows,
    *,
    queues: Mapping[str, str],
    hours: Mapping[str, str],
    flows: Mapping[str, str],
) -> dict[str, str]:
    """ARN -> placeholder for the instance's resources whose names are config names."""
    known: dict[str, str] = {}
    for kind, arns, names in (
        ("queue", queues, stage.config.queues),
        ("hours", hours, stage.config.hours),
        ("flow", flows, stage.config.flows),
    ):
        for name, arn in arns.items():
            if name in names:
                known[arn] = placeholder(kind, name)  # type: ignore[arg-type]
    return known


def to_placeholders(
    exported: Mapping[str, Any],
    *,
    known: Mapping[str, str],
    local: Mapping[str, Any] | None,
    stage: StageFlows,
) -> ExportResult:
    """The exported flow with ARNs and stage values written back as placeholders."""
    document = substitute(exported, known)
    if local is not None:
        templates = dict(_action_strings(local))
        learned: dict[str, str] = {}
        _restore(document, templates, stage, learned)
        if learned:
            document = substitute(document, learned)
    ordered = {
        key: document[key] for key in ("Version", "StartAction", "Actions") if key in document
    }
    ordered.update({key: value for key, value in document.items() if key not in ordered})
    leftovers = [
        (identifier, path, match.group(0))
        for (identifier, path), text in _all_strings(ordered)
        for match in ARN.finditer(text)
    ]
    return ExportResult(ordered, leftovers)


def _restore(
    document: dict[str, Any],
    templates: Mapping[tuple[str, str], str],
    stage: StageFlows,
    learned: dict[str, str],
) -> None:
    """Puts the local file's text back wherever the deployed text is what it resolves to."""
    for action in document.get("Actions") or []:
        identifier = action.get("Identifier")
        for path, parent, key in _leaves(action, ""):
            template = templates.get((identifier, path))
            deployed = parent[key]
            if template is None or template == deployed or not PLACEHOLDER.search(template):
                continue
            pattern = _pattern(template, stage)
            if pattern is None:
                continue
            match = pattern.fullmatch(deployed)
            if match is None:
                continue
            parent[key] = template
            for group, value in match.groupdict().items():
                if group.startswith("lambda_") and value:
                    learned[value] = placeholder("lambda", group.removeprefix("lambda_"))


def _pattern(template: str, stage: StageFlows) -> re.Pattern[str] | None:
    """A regex for what `template` looks like once deployed in this stage."""
    parts: list[str] = []
    position = 0
    seen: set[str] = set()
    for match in PLACEHOLDER.finditer(template):
        parts.append(re.escape(template[position : match.start()]))
        kind: PlaceholderKind = match.group(1)  # type: ignore[assignment]
        name = match.group(2)
        try:
            if kind == "setting":
                parts.append(re.escape(stage.setting(name)))
            elif kind == "bot":  # the stage's bot alias ARN, or nothing where the bot is off
                parts.append(f"(?:{_ANY_ARN})?")
            elif kind == "lambda":
                group = f"lambda_{name}"
                parts.append(f"(?P={group})" if group in seen else f"(?P<{group}>{_ANY_ARN})")
                seen.add(group)
            else:
                # The instance listing already turned these ARNs into their placeholder; a
                # dotted name (`${queue:routing.default_queue}`) became the plain config name.
                target = stage.config_name(kind, name)
                parts.append(re.escape(placeholder(kind, target)))
        except UnresolvablePlaceholderError:
            return None
        position = match.end()
    parts.append(re.escape(template[position:]))
    return re.compile("".join(parts))


def _action_strings(document: Mapping[str, Any]) -> Iterator[tuple[tuple[str, str], str]]:
    for action in document.get("Actions") or []:
        identifier = action.get("Identifier")
        for path, parent, key in _leaves(action, ""):
            yield (identifier, path), parent[key]


def _all_strings(document: Mapping[str, Any]) -> Iterator[tuple[tuple[str | None, str], str]]:
    for action in document.get("Actions") or []:
        identifier = action.get("Identifier")
        for path, parent, key in _leaves(action, ""):
            yield (identifier, path), parent[key]
    for path, parent, key in _leaves({k: v for k, v in document.items() if k != "Actions"}, ""):
        yield (None, path), parent[key]


def _leaves(value: Any, path: str) -> Iterator[tuple[str, Any, Any]]:
    """(path, container, key) of every string inside `value`, so callers can replace it."""
    if isinstance(value, dict):
        for key, item in value.items():
            child = f"{path}.{key}" if path else str(key)
            if isinstance(item, str):
                yield child, value, key
            else:
                yield from _leaves(item, child)
    elif isinstance(value, list):
        for index, item in enumerate(value):
            child = f"{path}[{index}]"
            if isinstance(item, str):
                yield child, value, index
            else:
                yield from _leaves(item, child)
