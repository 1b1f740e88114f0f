"""Flows from another Connect instance, run here: what stands in for that instance's resources.

A flow exported from a live instance, or taken from a sample repository, names resources this
machine does not have: queue, hours and flow ARNs of its instance, or its authors' placeholders
(`%QueueArn%`, `${support_queue_arn}`). `ForeignResources` tells the interpreter what to use:

- hours: one `HoursConfig`, the format of an entry of the config's `hours` section, used by every
  CheckHoursOfOperation whose hours are not the stage's (and for a queue that has none); without
  one, hours are always open;
- queues: `queue_map` from a queue ARN, a queue id (the ARN's last part) or a queue name (as the
  export's metadata names it, or the reference itself when it is a bare name) to a local queue;
  any other queue is `default_queue`.

The interpreter writes each such choice on the outcome as a warning, so a user sees where the run
guessed. Without `ForeignResources` (the rehearsal, the chat) an unknown queue or hours is the
block's error branch, as for a misconfigured stage.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from pydantic import ValidationError

from config.model import HoursConfig
from flowlang.placeholders import PLACEHOLDER

# Every Connect instance is created with a queue of this name; exports name it in their metadata.
DEFAULT_QUEUE = "BasicQueue"


@dataclass(frozen=True)
class ForeignResources:
    hours: HoursConfig | None = None
    queue_map: Mapping[str, str] = field(default_factory=dict)
    default_queue: str = DEFAULT_QUEUE

    def queue_name(self, reference: str, names: Iterable[str] = ()) -> tuple[str, str | None]:
        """(local queue name, the map key that chose it; None when it is the default queue).

        `names`: what the export's metadata calls the queue (`"BasicQueue"`), tried after the
        reference itself and its id."""
        for key in _keys(reference, names):
            if key in self.queue_map:
                return self.queue_map[key], key
        return self.default_queue, None


def _keys(reference: str, names: Iterable[str]) -> list[str]:
    reference = reference.strip()
    keys = [reference]
    if "/" in reference:
        keys.append(reference.rsplit("/", 1)[-1])  # arn:...:instance/<id>/queue/<queue id>
    placeholder = PLACEHOLDER.fullmatch(reference)
    if placeholder is not None:
        keys.append(placeholder.group(2))  # our own ${queue:billing} in a flow run stage-less
    keys.extend(name.strip() for name in names if name and name.strip())
    return [key for key in dict.fromkeys(keys) if key]


def parse_hours(document: Any) -> HoursConfig:
    """An hours file's content (parsed YAML or JSON); ValueError names each wrong field."""
    if not isinstance(document, dict):
        raise ValueError(
            "expected a mapping with time_zone and weekly (an entry of the config's hours)"
        )
    try:
        return HoursConfig.model_validate(document)
    except ValidationError as error:
        raise ValueError(_problems(error)) from None


def parse_queue_map(document: Any) -> dict[str, str]:
    """A queue-map file's content: queue ARN, id or name -> local queue name."""
    if not isinstance(document, dict) or not document:
        raise ValueError("expected a mapping of queue ARN, id or name to a local queue name")
    queue_map: dict[str, str] = {}
    for key, value in document.items():
        if not isinstance(key, str) or not isinstance(value, str) or not value.strip():
            raise ValueError(f"entry '{key}': the local queue must be a name (text)")
        queue_map[key.strip()] = value.strip()
    return queue_map


def _problems(error: ValidationError) -> str:
    """`weekly.MONDAY.0.end: ...` per problem; pydantic's own text would quote the input."""
    return "; ".join(
        f"{'.'.join(str(part) for part in problem['loc']) or '(top)'}: {problem['msg']}"
        for problem in error.errors()
    )
