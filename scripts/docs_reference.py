"""Writes the reference pages of the docs from the code, so they cannot drift from it.

    python scripts/docs_reference.py          # rewrite the pages
    python scripts/docs_reference.py --check  # exit 1 when a page is out of date

- docs/reference/config.md: from the config model's JSON schema (`config/model.py`), every
  field with its type, default, limits and description, section by section as in the YAML;
- docs/reference/commands/<command>.md: each `ccaas` command's `--help`, as a terminal 100
  columns wide prints it.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

from config import ContactCenterConfig

REFERENCE = Path(__file__).resolve().parent.parent / "docs" / "reference"
HELP_WIDTH = "100"
LIMITS = {
    "minimum": ">= {}",
    "maximum": "<= {}",
    "exclusiveMinimum": "> {}",
    "exclusiveMaximum": "< {}",
    "minLength": "at least {} characters",
    "maxLength": "at most {} characters",
    "minItems": "at least {} entries",
    "maxItems": "at most {} entries",
    "pattern": "matches `{}`",
}
INTRO = """# Configuration reference

One YAML file per stage in `config/` (`config/<stage>.yaml`), validated by one pydantic model
(`config/model.py`) before anything is built. An error names the field path and the reason;
unknown keys are refused, since they are usually typos. Check a file with
`ccaas validate-config config/<stage>.yaml`.

This page is generated from the model (`python scripts/docs_reference.py`); a test fails when
it is out of date. `<name>` in a path is a key you choose (a queue's name, an hours' name).
"""


def pages() -> dict[Path, str]:
    """Every generated page and its text."""
    generated = {REFERENCE / "config.md": config_page()}
    for name, text in command_helps().items():
        generated[REFERENCE / "commands" / f"{name}.md"] = (
            f"# ccaas {name}\n\n```text\n{text.rstrip()}\n```\n"
        )
    return generated


def command_helps() -> dict[str, str]:
    """`ccaas <command> --help` for every command, at a fixed width whatever the terminal."""
    from scripts.cli import build_parser, subcommands

    commands = subcommands(build_parser())
    width = os.environ.get("COLUMNS")
    os.environ["COLUMNS"] = HELP_WIDTH  # argparse sizes its help from the terminal
    try:
        return {name: _with_actions(command) for name, command in commands.items()}
    finally:
        if width is None:
            del os.environ["COLUMNS"]
        else:
            os.environ["COLUMNS"] = width


def _with_actions(command: argparse.ArgumentParser) -> str:
    """A command's help, then each of its actions' (`ccaas people import`), if it has any."""
    from scripts.cli import subcommands

    text = command.format_help()
    if any(isinstance(action, argparse._SubParsersAction) for action in command._actions):
        for action in subcommands(command).values():
            text += f"\n{action.format_help()}"
    return text


def config_page() -> str:
    schema = ContactCenterConfig.model_json_schema()
    definitions = schema.get("$defs", {})
    sections = [INTRO]
    for title, model, path in _models(schema, definitions, ""):
        rows = [
            _row(f"{path}{name}", field, definitions, name in model.get("required", []))
            for name, field in model.get("properties", {}).items()
        ]
        description = model.get("description", "").strip()
        sections.append(
            "\n".join(
                [
                    f"## `{title}`{_variant(model)}" if title else "## Top level",
                    "",
                    *([" ".join(description.split()), ""] if description else []),
                    "| field | type | default | limits | description |",
                    "|---|---|---|---|---|",
                    *rows,
                ]
            )
            + "\n"
        )
    return "\n".join(sections)


def _variant(model: Mapping[str, Any]) -> str:
    """Which member of a tagged union a section is (a quick connect of `type: queue`)."""
    tag = model.get("properties", {}).get("type", {}).get("const")
    return f" (type: {tag})" if tag else ""


def _models(
    model: Mapping[str, Any],
    definitions: Mapping[str, Any],
    path: str,
    outer: tuple[int, ...] = (),
) -> Iterator[tuple[str, Mapping[str, Any], str]]:
    """The model at `path`, then every model nested in it, depth first, once each. A model
    that holds itself (a hierarchy group's groups) is shown once, where it first appears."""
    yield path.rstrip("."), model, path
    for name, field in model.get("properties", {}).items():
        for nested, suffix in _nested(field, definitions):
            if id(nested) not in (*outer, id(model)):
                yield from _models(
                    nested, definitions, f"{path}{name}{suffix}.", (*outer, id(model))
                )


def _nested(field: Mapping[str, Any], definitions: Mapping[str, Any]) -> Iterator[tuple[Any, str]]:
    if "$ref" in field:
        target = _resolve(field["$ref"], definitions)
        if "enum" not in target:  # an enum is a type, shown in its field's row, not a section
            yield target, ""
    for option in [*field.get("anyOf", []), *field.get("oneOf", [])]:
        yield from _nested(option, definitions)
    if isinstance(field.get("items"), dict):
        for nested, suffix in _nested(field["items"], definitions):
            yield nested, f"[]{suffix}"
    if isinstance(field.get("additionalProperties"), dict):
        for nested, suffix in _nested(field["additionalProperties"], definitions):
            yield nested, f".<name>{suffix}"


def _resolve(reference: str, definitions: Mapping[str, Any]) -> Any:
    return definitions[reference.rsplit("/", 1)[1]]


def _row(
    path: str, field: Mapping[str, Any], definitions: Mapping[str, Any], required: bool
) -> str:
    default = "required" if required else _code(field.get("default"))
    description = " ".join(str(field.get("description", "")).split())
    cells = [f"`{path}`", _type(field, definitions), default, _limits(field), description]
    return "| " + " | ".join(cell.replace("|", "\\|") for cell in cells) + " |"


def _type(field: Mapping[str, Any], definitions: Mapping[str, Any]) -> str:
    if "$ref" in field:
        target = _resolve(field["$ref"], definitions)
        if "enum" in target:
            return " or ".join(f"`{value}`" for value in target["enum"])
        return "section"
    if "const" in field:
        return f"`{field['const']}`"
    if "oneOf" in field:
        return "section"
    if "anyOf" in field:
        options = [_type(option, definitions) for option in field["anyOf"]]
        return " or ".join(option for option in options if option != "null") + ", optional"
    if "enum" in field:
        return " or ".join(f"`{value}`" for value in field["enum"])
    kind = field.get("type", "any")
    if kind == "array":
        return f"list of {_type(field.get('items', {}), definitions)}"
    if kind == "object":
        values = field.get("additionalProperties")
        return f"map of {_type(values, definitions)}" if isinstance(values, dict) else "map"
    return str(kind)


def _limits(field: Mapping[str, Any]) -> str:
    found = [template.format(field[key]) for key, template in LIMITS.items() if key in field]
    for option in field.get("anyOf", []):
        found.append(_limits(option))
    return "; ".join(limit for limit in found if limit)


def _code(value: Any) -> str:
    """A scalar default as YAML would hold it; a section's defaults are in its own table."""
    return "" if value is None or isinstance(value, dict) else f"`{json.dumps(value)}`"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Write (or --check) the docs' reference pages.")
    parser.add_argument("--check", action="store_true", help="exit 1 if a page is out of date")
    args = parser.parse_args(argv)
    generated = pages()
    if args.check:
        stale = [
            path
            for path, text in generated.items()
            if not path.is_file() or path.read_text(encoding="utf-8") != text
        ]
        for path in stale:
            print(f"{path} is out of date: run python scripts/docs_reference.py", file=sys.stderr)
        return 1 if stale else 0
    for path, text in generated.items():
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    print(f"wrote {len(generated)} pages under {REFERENCE}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
