"""Check flows like code: what Connect would reject, and what our own flows promise on top.

Two levels:
- Connect's rules (always): top-level shape, known action types with their required
  parameters, Identifier syntax, at most 250 actions, transition targets that exist, condition
  operators and the conditions some actions demand (CheckHoursOfOperation True+False, Loop
  ContinueLooping+DoneLooping), static integers in range (InvokeLambdaFunction 1..8 s), actions
  used in a flow type the reference allows, chat-only/voice-only actions on the wrong channel,
  and the content's length as it would be deployed (placeholders resolved).
  Every real export from AWS samples passes these, so a valid flow is never refused for using
  an action we do not ship.
- Our house rules (`strict=True`, the default for `contact_flows/`): no unreachable action,
  every action that can fail has a branch for each way it fails, no dead ends, and (given a
  stage) every placeholder resolves from config.

Each problem names the file, the action's Identifier and the reason.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from flowlang.catalog import CATALOG, KNOWN_ERROR_TYPES, OPERATORS, ActionSpec
from flowlang.context import FlowContext, StageFlows, UnresolvablePlaceholderError
from flowlang.loader import Action, Flow, load_flow, parse_flow
from flowlang.placeholders import PLACEHOLDER, find_placeholders, resolve
from flowlang.problems import FlowFormatError, Problem

MAX_ACTIONS = 250
# CreateContactFlow and UpdateContactFlowContent refuse a `Content` longer than this many
# characters: https://docs.aws.amazon.com/connect/latest/APIReference/API_CreateContactFlow.html
MAX_CONTENT_CHARACTERS = 256_000
# Our placeholders other than `${setting:...}` become ARNs at deploy. The longest we create, a
# Connect resource in the longest partition and region
# (arn:aws-us-gov:connect:us-gov-west-1:<account>:instance/<uuid>/hours-of-operation/<uuid>), is
# 151 characters: counting each as 160 keeps the check on the safe side of what Connect receives.
RESOLVED_ARN_CHARACTERS = 160
MAX_IDENTIFIER_LENGTH = 50
FORBIDDEN_IDENTIFIER_CHARACTERS = set("%:()\\/=$,;[]{}")
FORBIDDEN_IDENTIFIERS = frozenset(
    {
        "__proto__",
        "constructor",
        "__defineGetter__",
        "__defineSetter__",
        "toString",
        "hasOwnProperty",
        "isPrototypeOf",
        "propertyIsEnumerable",
        "toLocaleString",
        "valueOf",
    }
)
_GET_INPUT_DIGIT = re.compile(r"^[0-9*#]$")


def validate_flow(
    flow: Flow,
    *,
    strict: bool = True,
    context: FlowContext | None = None,
    stage: StageFlows | None = None,
) -> list[Problem]:
    """All problems in one flow; an empty list means valid.

    `context` gives the flow's type and channels (from config, or from an export's wrapper);
    `stage` makes unresolvable placeholders problems and checks settings' values in place.
    """
    context = context or FlowContext(flow_type=flow.flow_type)
    checker = _Checker(flow, context, strict, stage)
    return checker.run()


def validate_text(
    text_or_dict: str | dict[str, Any],
    source: str,
    *,
    strict: bool = True,
    context: FlowContext | None = None,
    stage: StageFlows | None = None,
) -> list[Problem]:
    """Load and validate; a document that is not a flow yields its format problems."""
    try:
        flow = parse_flow(text_or_dict, source=source)
    except FlowFormatError as error:
        return error.problems
    return validate_flow(flow, strict=strict, context=context, stage=stage)


def validate_files(
    paths: Iterable[Path], *, strict: bool = True, stage: StageFlows | None = None
) -> dict[Path, list[Problem]]:
    """Problems per file. With a stage, each file's type and channels come from config."""
    results: dict[Path, list[Problem]] = {}
    for path in paths:
        try:
            flow = load_flow(path)
        except FlowFormatError as error:
            results[path] = error.problems
            continue
        context = None
        if stage is not None:
            name = stage.flow_name_for(path)
            if name is not None:
                context = stage.flow_context(name)
        results[path] = validate_flow(flow, strict=strict, context=context, stage=stage)
    return results


def validate_stage(stage: StageFlows) -> list[Problem]:
    """Every flow the stage's config lists, strictly, plus files that config names but lack."""
    if stage.flows_dir is None:
        raise ValueError("validate_stage needs StageFlows(flows_dir=...)")
    problems: list[Problem] = []
    paths = []
    for name in stage.config.flows:
        path = stage.flow_file(name)
        if not path.is_file():
            problems.append(
                Problem(str(path), None, f"config flow '{name}' has no file (expected {path})")
            )
            continue
        paths.append(path)
    for found in validate_files(paths, strict=True, stage=stage).values():
        problems.extend(found)
    return problems


class _Checker:
    def __init__(
        self, flow: Flow, context: FlowContext, strict: bool, stage: StageFlows | None
    ) -> None:
        self.flow = flow
        self.context = context
        self.strict = strict
        self.stage = stage
        self.problems: list[Problem] = []
        # Settings are static values: check ranges on what the stage will deploy, not on
        # `${setting:...}` text. Other placeholders stay as they are (they become ARNs).
        self.effective = self._with_settings(flow)

    def add(self, action: str | None, reason: str) -> None:
        self.problems.append(Problem(self.flow.source, action, reason))

    def run(self) -> list[Problem]:
        flow = self.flow
        if len(flow.actions) > MAX_ACTIONS:
            self.add(None, f"has {len(flow.actions)} actions; a flow holds at most {MAX_ACTIONS}")
        if flow.start_action not in flow.actions:
            self.add(None, f"StartAction '{flow.start_action}' is not an action of this flow")
        self._content_length()
        for action in self.effective.actions.values():
            self._identifier(action)
            self._targets(action)
            spec = CATALOG.get(action.type)
            if spec is None:
                self.add(
                    action.identifier,
                    f"unknown action type '{action.type}' (not in the flow language reference)",
                )
                continue
            self._parameters(action, spec)
            self._conditions(action, spec)
            self._error_types(action)
            self._placement(action, spec)
            if self.strict:
                self._error_branches(action, spec)
                self._dead_end(action, spec)
        if self.strict:
            self._reachability()
        if self.stage is not None:
            self._placeholders()
        return self.problems

    # --- Connect's rules ------------------------------------------------------------------
    def _content_length(self) -> None:
        length = _deployed_content_length(self.effective)
        if length > MAX_CONTENT_CHARACTERS:
            self.add(
                None,
                f"content is {length:,} characters as deployed; Connect accepts at most "
                f"{MAX_CONTENT_CHARACTERS:,} (shorten prompt texts, or split the flow into "
                "modules or flows it transfers to)",
            )

    def _identifier(self, action: Action) -> None:
        identifier = action.identifier
        if len(identifier) > MAX_IDENTIFIER_LENGTH:
            self.add(
                identifier,
                f"Identifier is {len(identifier)} characters; at most {MAX_IDENTIFIER_LENGTH}",
            )
        bad = sorted(set(identifier) & FORBIDDEN_IDENTIFIER_CHARACTERS)
        if bad:
            self.add(identifier, f"Identifier contains {' '.join(bad)}, which Connect forbids")
        if identifier in FORBIDDEN_IDENTIFIERS:
            self.add(identifier, f"Identifier '{identifier}' is a reserved word")

    def _targets(self, action: Action) -> None:
        transitions = action.transitions
        labelled = [("NextAction", transitions.next_action)]
        labelled += [(f"error {b.error_type}", b.next_action) for b in transitions.errors]
        labelled += [
            (f"condition {b.operator} {_operands(b.operands)}", b.next_action)
            for b in transitions.conditions
        ]
        for label, target in labelled:
            if target is not None and target not in self.flow.actions:
                self.add(action.identifier, f"{label} goes to '{target}', which does not exist")
            if target == action.identifier and action.type != "Loop":
                self.add(action.identifier, f"{label} goes back to the action itself")

    def _parameters(self, action: Action, spec: ActionSpec) -> None:
        parameters = action.parameters
        for name in spec.required:
            if parameters.get(name) is None:
                self.add(action.identifier, f"{action.type} needs parameter '{name}'")
            elif self.strict and _missing(parameters[name]):
                # Templates (e.g. AWS samples filled in by a deploy script) leave slots empty;
                # Connect-level checks accept them, our own flows must not ship one.
                self.add(action.identifier, f"{action.type} parameter '{name}' is empty")
        for group in spec.exclusive:
            present = [name for name in group if not _missing(parameters.get(name))]
            if len(present) > 1:
                self.add(
                    action.identifier,
                    f"{action.type} takes only one of {', '.join(group)}; found "
                    f"{' and '.join(present)}",
                )
        for group in spec.any_of:
            if all(parameters.get(name) is None for name in group):
                self.add(action.identifier, f"{action.type} needs one of {', '.join(group)}")
            elif self.strict and all(_missing(parameters.get(name)) for name in group):
                self.add(action.identifier, f"{action.type}: {' / '.join(group)} is empty")
        for name, (low, high) in spec.static_integers.items():
            if name in parameters:
                self._static_integer(action, name, parameters[name], low, high)
        if action.type == "GetParticipantInput":
            stores = str(parameters.get("StoreInput", "False")) == "True"
            if stores and _missing(parameters.get("InputValidation")):
                self.add(
                    action.identifier,
                    "GetParticipantInput with StoreInput True needs 'InputValidation'",
                )
            if not stores and "InputValidation" in parameters:
                self.add(
                    action.identifier,
                    "GetParticipantInput takes 'InputValidation' only when StoreInput is True",
                )
            self._static_integer(
                action,
                "InputTimeLimitSeconds",
                parameters.get("InputTimeLimitSeconds"),
                1,
                180,
                quiet_when_missing=True,
            )

    def _static_integer(
        self,
        action: Action,
        name: str,
        value: Any,
        low: int,
        high: int,
        *,
        quiet_when_missing: bool = False,
    ) -> None:
        if value is None and quiet_when_missing:
            return
        if self.stage is None and isinstance(value, str) and _is_setting(value):
            return  # a stage's value: checked when validating against that stage
        number = _as_int(value)
        if number is None:
            self.add(
                action.identifier,
                f"{name} must be a whole number written in the flow (static), found {_show(value)}",
            )
        elif not low <= number <= high:
            self.add(action.identifier, f"{name} is {number}; Connect allows {low} to {high}")

    def _conditions(self, action: Action, spec: ActionSpec) -> None:
        conditions = action.transitions.conditions
        if not conditions and not spec.required_conditions:
            return
        if spec.conditions == "none" and conditions:
            self.add(action.identifier, f"{action.type} has no result to put conditions on")
            return
        for branch in conditions:
            if branch.operator not in OPERATORS:
                self.add(
                    action.identifier,
                    f"unknown condition operator '{branch.operator}' (known: "
                    f"{', '.join(sorted(OPERATORS))})",
                )
            elif spec.conditions == "equals" and branch.operator != "Equals":
                self.add(
                    action.identifier,
                    f"{action.type} supports only Equals conditions, found {branch.operator}",
                )
        if spec.required_conditions:
            found = [
                str(branch.operands[0]) if branch.operands else ""
                for branch in conditions
                if branch.operator == "Equals"
            ]
            wanted = list(spec.required_conditions)
            if sorted(found) != sorted(wanted):
                self.add(
                    action.identifier,
                    f"{action.type} needs exactly one Equals condition for each of "
                    f"{', '.join(wanted)}; found {', '.join(found) or 'none'}",
                )
        if action.type == "GetParticipantInput":
            for branch in conditions:
                operand = str(branch.operands[0]) if branch.operands else ""
                if not _GET_INPUT_DIGIT.match(operand):
                    self.add(
                        action.identifier,
                        f"GetParticipantInput compares one key (0-9, * or #), found "
                        f"{_show(operand)}",
                    )
            if str(action.parameters.get("StoreInput", "False")) == "True" and conditions:
                self.add(
                    action.identifier,
                    "GetParticipantInput with StoreInput True has no conditions; compare "
                    "$.StoredCustomerInput in a Compare action",
                )

    def _error_types(self, action: Action) -> None:
        for branch in action.transitions.errors:
            if branch.error_type not in KNOWN_ERROR_TYPES:
                self.add(action.identifier, f"unknown error type '{branch.error_type}'")

    def _placement(self, action: Action, spec: ActionSpec) -> None:
        flow_type = self.context.flow_type
        if flow_type and spec.flow_types is not None and flow_type not in spec.flow_types:
            self.add(
                action.identifier,
                f"{action.type} is not allowed in a {flow_type} flow (allowed in: "
                f"{', '.join(sorted(spec.flow_types))})",
            )
        channels = self.context.channels
        if channels is None:
            return
        if spec.chat_only and "CHAT" not in channels:
            self.add(
                action.identifier,
                f"{action.type} works only on the chat channel; this flow serves "
                f"{', '.join(sorted(channels))}",
            )
        if spec.voice_only and "VOICE" not in channels:
            self.add(
                action.identifier,
                f"{action.type} works only on voice (other channels take its error branch); "
                f"this flow serves {', '.join(sorted(channels))}",
            )

    # --- house rules ------------------------------------------------------------------------
    def _error_branches(self, action: Action, spec: ActionSpec) -> None:
        needed = set(spec.errors)
        parameters = action.parameters
        if action.type == "GetParticipantInput":
            if str(parameters.get("StoreInput", "False")) == "True":
                validation = parameters.get("InputValidation") or {}
                if isinstance(validation, dict) and "PhoneNumberValidation" in validation:
                    needed.add("InvalidPhoneNumber")
            else:
                needed |= {"NoMatchingCondition", "InputTimeLimitExceeded"}
        if action.type == "Compare" and not action.transitions.conditions:
            needed.discard("NoMatchingCondition")
        if action.type == "CheckMetricData" and str(parameters.get("MetricType", "")).startswith(
            ("OldestContact", "NumberOfContacts")
        ):
            needed.add("NoMatchingCondition")
        missing = sorted(needed - action.error_types)
        for error_type in missing:
            self.add(
                action.identifier,
                f"{action.type} can fail with {error_type} but has no branch for it",
            )
        for branch in action.transitions.errors:
            if branch.next_action is None:
                self.add(action.identifier, f"error {branch.error_type} has no NextAction")

    def _dead_end(self, action: Action, spec: ActionSpec) -> None:
        if spec.terminal or spec.ends_flow_on_success:
            return
        if action.type == "MessageParticipantIteratively" and action.transitions.conditions:
            return  # it plays until interrupted; its condition is the way out
        if action.transitions.next_action is None:
            self.add(
                action.identifier,
                f"{action.type} has no NextAction: the contact would stop here without a "
                "disconnect, transfer or end of flow",
            )

    def _reachability(self) -> None:
        flow = self.flow
        if flow.start_action not in flow.actions:
            return
        seen: set[str] = set()
        pending = [flow.start_action]
        while pending:
            current = pending.pop()
            if current in seen or current not in flow.actions:
                continue
            seen.add(current)
            pending.extend(flow.actions[current].transitions.targets())
        for identifier in flow.actions:
            if identifier not in seen:
                self.add(identifier, "is unreachable from StartAction")

    def _placeholders(self) -> None:
        assert self.stage is not None
        for ref in find_placeholders(self.flow):
            try:
                self.stage.check(ref.kind, ref.name)
            except UnresolvablePlaceholderError as error:
                self.add(ref.action, f"{ref.path}: ${{{ref.kind}:{ref.name}}} {error.reason}")

    def _with_settings(self, flow: Flow) -> Flow:
        stage = self.stage
        if stage is None or not any(ref.kind == "setting" for ref in find_placeholders(flow)):
            return flow

        def settings_only(kind: Any, name: str) -> str:
            if kind == "setting":
                try:
                    return stage.setting(name)
                except UnresolvablePlaceholderError:
                    pass  # reported by _placeholders with its reason
            return f"${{{kind}:{name}}}"

        document = resolve(flow.document, settings_only)
        try:
            return parse_flow(document, source=flow.source)
        except FlowFormatError:  # pragma: no cover - settings never change the shape
            return flow


def _deployed_content_length(flow: Flow) -> int:
    """The length of the `Content` string the deployment sends for this flow: its document as
    compact JSON (as CDK's `to_json_string` writes it), each ARN placeholder counted at its
    longest resolved length. Settings count as written: resolve them first for a stage."""
    text = json.dumps(flow.document, separators=(",", ":"), ensure_ascii=False)
    arn_placeholders = [
        match.group(0) for match in PLACEHOLDER.finditer(text) if match.group(1) != "setting"
    ]
    return len(text) + sum(RESOLVED_ARN_CHARACTERS - len(found) for found in arn_placeholders)


def _is_setting(value: str) -> bool:
    match = PLACEHOLDER.fullmatch(value.strip())
    return match is not None and match.group(1) == "setting"


def _missing(value: Any) -> bool:
    return value is None or value in ("", {}, [])


def _as_int(value: Any) -> int | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, str) and re.fullmatch(r"\d+", value.strip()):
        return int(value)
    return None


def _show(value: Any) -> str:
    if isinstance(value, str):
        return f"'{value}'" if not PLACEHOLDER.search(value) else f"'{value}' (a placeholder)"
    return "nothing" if value is None else repr(value)


def _operands(operands: tuple[Any, ...]) -> str:
    return ",".join(str(operand) for operand in operands)
