"""Connect's JSONPath-like attribute references: `$.Attributes.tier`, `$.External.queueArn`...

A parameter can be a reference (`"ComparisonValue": "$.Attributes.priority"`) or text with
references inside it (`"Welcome back, $.Attributes.firstName!"`), as the flow designer writes
them. Both forms of a key are accepted: `$.Attributes.name`, `$.Attributes['name with
spaces']`, `$.Attributes.['name']` (the admin guide's own spelling) and `$['Channel']`.
A reference to nothing resolves to None; inside text it renders as an empty string.

https://docs.aws.amazon.com/connect/latest/adminguide/connect-attrib-list.html
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from functools import cache
from typing import Any

_KEY = r"(?:\.?\['[^']*'\]|\.[A-Za-z0-9_\-:]+)"
# `$` then at least one key; a trailing sentence dot is never part of the reference.
REFERENCE = re.compile(r"\$(?:\['[^']*'\]|\.[A-Za-z_][A-Za-z0-9_\-:]*)" + _KEY + "*")
_PART = re.compile(r"\.?\['([^']*)'\]|\.([A-Za-z0-9_\-:]+)")


@cache
def path_of(reference: str) -> tuple[str, ...]:
    """`$.Attributes['first name']` -> ("Attributes", "first name")."""
    return tuple(a or b for a, b in _PART.findall(reference[1:]))


def is_reference(value: Any) -> bool:
    return isinstance(value, str) and REFERENCE.fullmatch(value.strip()) is not None


def lookup(namespace: Mapping[str, Any], reference: str) -> Any:
    """The value at `reference` in the contact's namespace, or None when any part is missing."""
    value: Any = namespace
    for part in path_of(reference):
        if isinstance(value, Mapping) and part in value:
            value = value[part]
        elif isinstance(value, list) and part.isdigit() and int(part) < len(value):
            value = value[int(part)]
        else:
            return None
    return value


def resolve(namespace: Mapping[str, Any], value: Any) -> Any:
    """A whole-value reference becomes what it names; other strings get references rendered
    into them; containers are resolved member by member; anything else is returned as is."""
    if isinstance(value, str):
        if "$" not in value:
            return value
        stripped = value.strip()
        if REFERENCE.fullmatch(stripped):
            return lookup(namespace, stripped)
        return render(namespace, value)
    if isinstance(value, Mapping):
        return {key: resolve(namespace, item) for key, item in value.items()}
    if isinstance(value, list):
        return [resolve(namespace, item) for item in value]
    return value


def render(namespace: Mapping[str, Any], text: str) -> str:
    """Text with every reference replaced by its value as text (missing -> empty)."""
    if "$" not in text:
        return text

    def value_of(match: re.Match[str]) -> str:
        found = lookup(namespace, match.group(0))
        return "" if found is None else as_text(found)

    return REFERENCE.sub(value_of, text)


def as_text(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)
