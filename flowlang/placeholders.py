"""Deploy-time values in our flow files: `${kind:NAME}`, resolved by infra at synth.

Kinds, each naming an entry of the stage's config (never an ARN or an account id):
- `${queue:billing}`       -> the queue's ARN (config `queues`)
- `${hours:business}`      -> the hours of operation's ARN (config `hours`)
- `${lambda:crm_lookup}`   -> the flow Lambda's ARN (functions under `lambdas/<name>/`)
- `${flow:customer_queue}` -> another flow's ARN (config `flows`)
- `${setting:callbacks.offer_after_seconds}` -> a config value as a string (booleans as
  "true"/"false"), so one flow file serves every stage.
- `${bot:self_service}`    -> the self-service bot's alias ARN (config `self_service`), or ""
  in a stage that turns the bot off (flows keep it in a flow attribute and branch on
  `self_service.enabled`, so the empty value is never used).

Other `${...}` and `{{...}}` forms found in real exports (`${AWS::Region}`, `${Q:sales:Q}`,
`{{phoneNumber}}`) belong to other tools and are left exactly as they are.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from typing import Any, Literal, cast

from flowlang.loader import Flow

PlaceholderKind = Literal["queue", "hours", "lambda", "flow", "setting", "bot"]
KINDS: tuple[PlaceholderKind, ...] = ("queue", "hours", "lambda", "flow", "setting", "bot")
PLACEHOLDER = re.compile(r"\$\{(queue|hours|lambda|flow|setting|bot):([A-Za-z0-9_.\-]+)\}")

Resolver = Callable[[PlaceholderKind, str], str]


@dataclass(frozen=True)
class PlaceholderRef:
    """One occurrence: where it is (action and JSON path inside it) and what it names."""

    kind: PlaceholderKind
    name: str
    action: str | None
    path: str

    @property
    def text(self) -> str:
        return placeholder(self.kind, self.name)


def placeholder(kind: PlaceholderKind, name: str) -> str:
    return f"${{{kind}:{name}}}"


def find_placeholders(flow: Flow | Mapping[str, Any]) -> list[PlaceholderRef]:
    """Every placeholder in the flow's actions (in file order), with its action and path."""
    document = flow.document if isinstance(flow, Flow) else flow
    found: list[PlaceholderRef] = []
    for index, action in enumerate(document.get("Actions") or []):
        if not isinstance(action, dict):
            continue
        identifier = action.get("Identifier")
        for path, text in _strings(action, ""):
            for match in PLACEHOLDER.finditer(text):
                found.append(
                    PlaceholderRef(
                        kind=cast(PlaceholderKind, match.group(1)),
                        name=match.group(2),
                        action=identifier if isinstance(identifier, str) else f"Actions[{index}]",
                        path=path.lstrip("."),
                    )
                )
    return found


def resolve(flow_dict: Mapping[str, Any], resolver: Resolver) -> dict[str, Any]:
    """A copy of the document with each of our placeholders replaced by `resolver(kind, name)`.

    Replacement happens inside strings, so `"Thanks for calling ${setting:organisation}"` works
    as well as a value that is only a placeholder. The resolver's answer may be a CDK token
    string; the caller then serialises with `Stack.to_json_string` so the token survives.
    """

    def replace(text: str) -> str:
        return PLACEHOLDER.sub(
            lambda match: resolver(cast(PlaceholderKind, match.group(1)), match.group(2)), text
        )

    return cast(dict[str, Any], _map_strings(dict(flow_dict), replace))


def substitute(document: Mapping[str, Any], replacements: Mapping[str, str]) -> dict[str, Any]:
    """Replace literal substrings (longest first) in every string value: ARNs -> placeholders."""
    if not replacements:
        return cast(dict[str, Any], _map_strings(dict(document), lambda text: text))
    pattern = re.compile(
        "|".join(re.escape(old) for old in sorted(replacements, key=len, reverse=True))
    )
    return cast(
        dict[str, Any],
        _map_strings(
            dict(document), lambda text: pattern.sub(lambda m: replacements[m.group(0)], text)
        ),
    )


def _strings(value: Any, path: str) -> Iterator[tuple[str, str]]:
    if isinstance(value, str):
        yield path, value
    elif isinstance(value, dict):
        for key, item in value.items():
            yield from _strings(item, f"{path}.{key}")
    elif isinstance(value, list):
        for index, item in enumerate(value):
            yield from _strings(item, f"{path}[{index}]")


def _map_strings(value: Any, change: Callable[[str], str]) -> Any:
    if isinstance(value, str):
        return change(value)
    if isinstance(value, dict):
        return {key: _map_strings(item, change) for key, item in value.items()}
    if isinstance(value, list):
        return [_map_strings(item, change) for item in value]
    return value
