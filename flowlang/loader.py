"""Read a flow-language document into plain, typed objects.

The shape (https://docs.aws.amazon.com/connect/latest/APIReference/flow-language.html):
`{"Version": "2019-10-30", "StartAction": id, "Metadata": {...}, "Actions": [...]}`, each action
`{"Identifier", "Type", "Parameters", "Transitions": {"NextAction", "Errors", "Conditions"}}`.

Real exports wrap that document in other ways, and the loader accepts each of them:
- `DescribeContactFlow`'s answer: `{"ContactFlow": {"Name", "Type", "Content": "<JSON string>"}}`
  (`DescribeContactFlowModule`: `{"ContactFlowModule": {...}}`);
- CI tools' files: `{"Name", "Type" | "ContactFlowType", "Content": "<JSON string>"}`;
- null where a list or object is expected (`"Errors": null`, `"Parameters": null`).
The designer's export from before 2019 (`{"modules": [...]}`) is a different language and is
rejected with a message that says so.

The objects are deliberately simple (dataclasses and named tuples over plain dicts) because
three consumers read them: the validator, the deployment construct and the local engine
(`local_connect/`), which walks `start_action` -> `actions[id].transitions`.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, NamedTuple

from flowlang.problems import FlowFormatError, Problem

FLOW_LANGUAGE_VERSION = "2019-10-30"
# Wrappers put the flow's own document under one of these keys, as an object or a JSON string.
_ENVELOPES = ("ContactFlow", "ContactFlowModule")


class ErrorBranch(NamedTuple):
    """`Transitions.Errors[]`: where the contact goes when the action fails with `error_type`."""

    error_type: str
    next_action: str | None


class ConditionBranch(NamedTuple):
    """`Transitions.Conditions[]`: `operator` applied to the action's result and `operands`.

    Operands are usually strings (`["1"]`); the language also allows nested condition objects,
    which stay as the dicts they were in the file.
    """

    operator: str
    operands: tuple[Any, ...]
    next_action: str | None


@dataclass(frozen=True)
class Transitions:
    next_action: str | None = None
    errors: tuple[ErrorBranch, ...] = ()
    conditions: tuple[ConditionBranch, ...] = ()

    def targets(self) -> list[str]:
        """Every action this one can lead to, in file order, without repeats."""
        ordered = [self.next_action]
        ordered += [branch.next_action for branch in self.conditions]
        ordered += [branch.next_action for branch in self.errors]
        return list(dict.fromkeys(target for target in ordered if target))

    def error_target(self, error_type: str) -> str | None:
        for branch in self.errors:
            if branch.error_type == error_type:
                return branch.next_action
        return None


@dataclass(frozen=True)
class Action:
    identifier: str
    type: str
    parameters: dict[str, Any]
    transitions: Transitions

    @property
    def error_types(self) -> set[str]:
        return {branch.error_type for branch in self.transitions.errors}


@dataclass(frozen=True)
class Flow:
    """One flow. `actions` keeps file order; `document` is the flow-language JSON as read.

    `envelope` holds what a wrapper said about the flow (`Name`, `Type`, `Description`...), empty
    for a bare document; `flow_type` is the wrapper's type when it gave one (e.g. AGENT_WHISPER).
    """

    source: str
    version: str
    start_action: str
    actions: dict[str, Action]
    metadata: dict[str, Any] = field(default_factory=dict)
    document: dict[str, Any] = field(default_factory=dict)
    envelope: dict[str, Any] = field(default_factory=dict)
    wrapped_as: tuple[str, ...] = ()

    @property
    def flow_type(self) -> str | None:
        value = self.envelope.get("Type") or self.envelope.get("ContactFlowType")
        return value if isinstance(value, str) else None

    @property
    def is_module(self) -> bool:
        """Flow modules (`CreateContactFlowModule`) end with EndFlowModuleExecution, not a disconnect."""
        return "ContactFlowModule" in self.wrapped_as or "Settings" in self.document


def load_flow(path: Path) -> Flow:
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as error:
        raise FlowFormatError(
            [Problem(str(path), None, f"cannot read: {error.strerror}")]
        ) from None
    except UnicodeDecodeError as error:
        raise FlowFormatError(
            [Problem(str(path), None, f"not a UTF-8 text file (byte {error.start})")]
        ) from None
    return parse_flow(text, source=str(path))


def parse_flow(text_or_dict: str | bytes | Mapping[str, Any], source: str) -> Flow:
    """Raises FlowFormatError (with every problem found) when the document is not a flow."""
    if isinstance(text_or_dict, str | bytes):
        try:
            raw: Any = json.loads(text_or_dict)
        except json.JSONDecodeError as error:
            raise FlowFormatError(
                [
                    Problem(
                        source,
                        None,
                        f"not valid JSON: {error.msg} at line {error.lineno} column {error.colno}",
                    )
                ]
            ) from None
    else:
        raw = text_or_dict
    document, envelope, wrapped_as = _unwrap(raw, source)
    return _parse_document(document, envelope, wrapped_as, source)


def _fail(source: str, reason: str, action: str | None = None) -> FlowFormatError:
    return FlowFormatError([Problem(source, action, reason)])


def _unwrap(raw: Any, source: str) -> tuple[dict[str, Any], dict[str, Any], tuple[str, ...]]:
    """(flow document, what the wrapper said about it, the wrapper keys passed through)."""
    if not isinstance(raw, dict):
        raise _fail(source, f"a flow is a JSON object, found {_kind(raw)}")
    if _is_legacy(raw):
        raise _legacy(source)
    envelope: dict[str, Any] = {}
    wrapped_as: list[str] = []
    current: dict[str, Any] = raw
    # At most two levels: {"ContactFlow": {"Content": "..."}}.
    for _ in range(2):
        key = next((k for k in _ENVELOPES if isinstance(current.get(k), dict)), None)
        if key is not None:
            wrapped_as.append(key)
            current = current[key]
            continue
        if "Content" in current and "Actions" not in current:
            envelope.update({k: v for k, v in current.items() if k != "Content"})
            content = current["Content"]
            if isinstance(content, str):
                try:
                    content = json.loads(content)
                except json.JSONDecodeError as error:
                    raise _fail(
                        source, f"'Content' is not a JSON flow document: {error.msg}"
                    ) from None
            if not isinstance(content, dict):
                raise _fail(source, f"'Content' holds {_kind(content)}, not a flow document")
            if _is_legacy(content):
                raise _legacy(source)
            wrapped_as.append("Content")
            current = content
        break
    return current, envelope, tuple(wrapped_as)


def _legacy(source: str) -> FlowFormatError:
    return _fail(
        source,
        "this is the legacy pre-2019 flow format (a 'modules' list from the old Connect "
        "designer), not the flow language 2019-10-30: open it in the Connect flow designer, "
        "save it, and export it again",
    )


def _is_legacy(raw: Mapping[str, Any]) -> bool:
    return isinstance(raw.get("modules"), list) and "Actions" not in raw


def _parse_document(
    document: dict[str, Any], envelope: dict[str, Any], wrapped_as: tuple[str, ...], source: str
) -> Flow:
    problems: list[Problem] = []
    version = document.get("Version")
    if version != FLOW_LANGUAGE_VERSION:
        problems.append(
            Problem(
                source,
                None,
                f"'Version' must be \"{FLOW_LANGUAGE_VERSION}\", found {json.dumps(version)}",
            )
        )
    start = document.get("StartAction")
    if not isinstance(start, str) or not start:
        problems.append(Problem(source, None, "'StartAction' must name the first action"))
    raw_actions = document.get("Actions")
    if not isinstance(raw_actions, list):
        problems.append(
            Problem(source, None, f"'Actions' must be a list, found {_kind(raw_actions)}")
        )
        raw_actions = []
    metadata = document.get("Metadata") or {}
    if not isinstance(metadata, dict):
        problems.append(Problem(source, None, "'Metadata' must be an object when present"))
        metadata = {}

    actions: dict[str, Action] = {}
    for index, raw_action in enumerate(raw_actions):
        action = _parse_action(raw_action, index, source, problems)
        if action is None:
            continue
        if action.identifier in actions:
            problems.append(
                Problem(source, action.identifier, "Identifier is used by more than one action")
            )
            continue
        actions[action.identifier] = action
    if problems:
        raise FlowFormatError(problems)
    return Flow(
        source=source,
        version=str(version),
        start_action=str(start),
        actions=actions,
        metadata=metadata,
        document=document,
        envelope=envelope,
        wrapped_as=wrapped_as,
    )


def _parse_action(raw: Any, index: int, source: str, problems: list[Problem]) -> Action | None:
    if not isinstance(raw, dict):
        problems.append(Problem(source, None, f"Actions[{index}] is {_kind(raw)}, not an object"))
        return None
    identifier = raw.get("Identifier")
    if not isinstance(identifier, str) or not identifier:
        problems.append(Problem(source, None, f"Actions[{index}] has no 'Identifier'"))
        return None
    action_type = raw.get("Type")
    if not isinstance(action_type, str) or not action_type:
        problems.append(Problem(source, identifier, "has no 'Type'"))
        return None
    parameters = raw.get("Parameters") or {}
    if not isinstance(parameters, dict):
        problems.append(Problem(source, identifier, "'Parameters' must be an object"))
        return None
    transitions = _parse_transitions(raw.get("Transitions"), identifier, source, problems)
    if transitions is None:
        return None
    return Action(identifier, action_type, parameters, transitions)


def _parse_transitions(
    raw: Any, identifier: str, source: str, problems: list[Problem]
) -> Transitions | None:
    if raw is None:
        return Transitions()
    if not isinstance(raw, dict):
        problems.append(Problem(source, identifier, "'Transitions' must be an object"))
        return None
    before = len(problems)
    next_action = _target(raw.get("NextAction"), "NextAction", identifier, source, problems)
    errors: list[ErrorBranch] = []
    for position, branch in enumerate(raw.get("Errors") or []):
        where = f"Transitions.Errors[{position}]"
        if not isinstance(branch, dict) or not isinstance(branch.get("ErrorType"), str):
            problems.append(Problem(source, identifier, f"{where} needs an 'ErrorType' string"))
            continue
        target = _target(branch.get("NextAction"), where, identifier, source, problems)
        errors.append(ErrorBranch(branch["ErrorType"], target))
    conditions: list[ConditionBranch] = []
    for position, branch in enumerate(raw.get("Conditions") or []):
        where = f"Transitions.Conditions[{position}]"
        condition = branch.get("Condition") if isinstance(branch, dict) else None
        if not isinstance(condition, dict) or not isinstance(condition.get("Operator"), str):
            problems.append(
                Problem(source, identifier, f"{where} needs a 'Condition' with an 'Operator'")
            )
            continue
        operands = condition.get("Operands") or []
        if not isinstance(operands, list):
            problems.append(Problem(source, identifier, f"{where}: 'Operands' must be a list"))
            continue
        target = _target(branch.get("NextAction"), where, identifier, source, problems)
        conditions.append(ConditionBranch(condition["Operator"], tuple(operands), target))
    if len(problems) > before:
        return None
    return Transitions(next_action, tuple(errors), tuple(conditions))


def _target(
    value: Any, where: str, identifier: str, source: str, problems: list[Problem]
) -> str | None:
    if value is None or value == "":
        return None
    if not isinstance(value, str):
        problems.append(Problem(source, identifier, f"{where}: NextAction must be a string"))
        return None
    return value


def _kind(value: Any) -> str:
    if value is None:
        return "null"
    return {
        dict: "an object",
        list: "a list",
        str: "a string",
        bool: "a boolean",
        int: "a number",
        float: "a number",
    }.get(type(value), type(value).__name__)
