"""Check flows like code: what Connect refuses (errors) and this project's style (warnings).

Errors, each from AWS's flow language reference or API reference (cited next to the rule):
the top-level shape, at most 250 actions, a StartAction that exists, content within 256,000
characters as deployed, Identifier length, characters and reserved words, transitions to actions
that exist, the parameters a page requires (in any spelling Connect accepts), parameters a page
says may not be given together, the numbers a page bounds, condition operators and the
conditions a page demands, actions in flow types their page excludes, and (given a stage)
placeholders the stage cannot resolve.

Warnings, this project's rules, which a stage's own flows must also pass (`strict`): a branch
for every way an action can fail, no dead end, no unreachable action, no action that loops to
itself, no empty required parameter, entry flows that turn on flow logging, action types,
parameters and error types the catalog does not know (Connect may still accept them: real
exports use actions the reference does not list), actions on a channel that takes their error
branch.

Only root causes are reported: an action unreachable because a transition names an action that
does not exist is not reported again (the dangling transition is), and of a chain of unreachable
actions only the first is named, with the ones after it.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from flowlang import lex
from flowlang.catalog import (
    ASYNCHRONOUS_LAMBDA_LIMIT,
    CATALOG,
    KNOWN_ERROR_TYPES,
    OPERATORS,
    ActionSpec,
    Limit,
)
from flowlang.context import FlowContext, StageFlows, UnresolvablePlaceholderError
from flowlang.loader import Action, Flow, load_flow, parse_flow
from flowlang.placeholders import PLACEHOLDER, find_placeholders, resolve
from flowlang.problems import ERROR, WARNING, FlowFormatError, Level, Problem

# "A single Flow may have no more than 250 Actions defined":
# https://docs.aws.amazon.com/connect/latest/APIReference/flow-language-example.html
MAX_ACTIONS = 250
# CreateContactFlow and UpdateContactFlowContent refuse a `Content` longer than this many
# characters: https://docs.aws.amazon.com/connect/latest/APIReference/API_CreateContactFlow.html
MAX_CONTENT_CHARACTERS = 256_000
# Our placeholders other than `${setting:...}` become ARNs at deploy. The longest we create, a
# Connect resource in the longest partition and region
# (arn:aws-us-gov:connect:us-gov-west-1:<account>:instance/<uuid>/hours-of-operation/<uuid>), is
# 151 characters: counting each as 160 keeps the check on the safe side of what Connect receives.
RESOLVED_ARN_CHARACTERS = 160
# Identifier: "up to 50 characters long", these characters and strings "are not allowed":
# https://docs.aws.amazon.com/connect/latest/APIReference/flow-language-actions.html
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
# GetParticipantInput: "The values being compared must be static and be a single character -
# 0-9 numeric, *, or #".
# https://docs.aws.amazon.com/connect/latest/APIReference/participant-actions-getparticipantinput.html
_GET_INPUT_DIGIT = re.compile(r"^[0-9*#]$")
# "a single valid JSONPath identifier" (the whole value, e.g. $.Attributes.timeout):
# https://docs.aws.amazon.com/connect/latest/APIReference/flow-language-actions-parameter-restrictions.html
_JSONPATH = re.compile(r"^\$\.[^\s$]+$")
_MAX_FOLLOWERS_NAMED = 5


def validate_flow(
    flow: Flow, *, context: FlowContext | None = None, stage: StageFlows | None = None
) -> list[Problem]:
    """Every finding in one flow, errors and warnings; an empty list means clean.

    `context` gives the flow's type and channels (from config, or from an export's wrapper);
    `stage` makes unresolvable placeholders errors and checks settings' values in place.
    """
    context = context or FlowContext(flow_type=flow.flow_type)
    return _Checker(flow, context, stage).run()


def validate_text(
    text_or_dict: str | dict[str, Any],
    source: str,
    *,
    context: FlowContext | None = None,
    stage: StageFlows | None = None,
) -> list[Problem]:
    """Load and validate; a document that is not a flow yields its format problems (errors)."""
    try:
        flow = parse_flow(text_or_dict, source=source)
    except FlowFormatError as error:
        return error.problems
    return validate_flow(flow, context=context, stage=stage)


def validate_files(
    paths: Iterable[Path], *, stage: StageFlows | None = None
) -> dict[Path, list[Problem]]:
    """Findings per file. With a stage, a file its config names (that very file) is judged as
    the stage deploys it: type and channels from config, placeholders resolved. Any other file
    is judged on its own, with the type its export's wrapper gives."""
    results: dict[Path, list[Problem]] = {}
    for path in paths:
        try:
            flow = load_flow(path)
        except FlowFormatError as error:
            results[path] = error.problems
            continue
        name = stage.flow_name_for(path) if stage is not None else None
        if stage is None or name is None:
            results[path] = validate_flow(flow)
        else:
            results[path] = validate_flow(flow, context=stage.flow_context(name), stage=stage)
    return results


def validate_stage(stage: StageFlows) -> list[Problem]:
    """Every flow the stage's config lists, plus a problem for each file config names but lacks.

    These are the stage's own flows: callers hold them to warnings too (`strict`)."""
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
    for found in validate_files(paths, stage=stage).values():
        problems.extend(found)
    return problems


class _Checker:
    def __init__(self, flow: Flow, context: FlowContext, stage: StageFlows | None) -> None:
        self.flow = flow
        self.context = context
        self.stage = stage
        self.problems: list[Problem] = []
        self.dangling = False
        # Settings are static values: check ranges on what the stage will deploy, not on
        # `${setting:...}` text. Other placeholders stay as they are (they become ARNs).
        self.effective = self._with_settings(flow)

    def add(self, action: str | None, reason: str, level: Level = ERROR) -> None:
        self.problems.append(Problem(self.flow.source, action, reason, level))

    def warn(self, action: str | None, reason: str) -> None:
        self.add(action, reason, WARNING)

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
                self.warn(
                    action.identifier,
                    f"unknown action type '{action.type}' (not in the flow language reference "
                    "nor in the real exports the catalog knows; check its spelling: Connect may "
                    "refuse it)",
                )
                continue
            self._parameters(action, spec)
            if action.type == lex.ACTION_TYPE:
                for level, reason in lex.lex_findings(action):
                    self.add(action.identifier, reason, level)
            self._conditions(action, spec)
            self._error_types(action)
            self._placement(action, spec)
            self._error_branches(action, spec)
            self._dead_end(action, spec)
        self._logging()
        self._reachability()
        if self.stage is not None:
            self._placeholders()
        return self.problems

    # --- errors: what Connect refuses ------------------------------------------------------
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
                self.dangling = True
                self.add(action.identifier, f"{label} goes to '{target}', which does not exist")
            if target == action.identifier and action.type != "Loop":
                self.warn(action.identifier, f"{label} goes back to the action itself")

    def _parameters(self, action: Action, spec: ActionSpec) -> None:
        parameters = action.parameters
        for name in spec.required:
            given = [spelling for spelling in spec.names_of(name) if spelling in parameters]
            if all(parameters[spelling] is None for spelling in given):
                others = spec.names_of(name)[1:]
                also = f" (or {', '.join(repr(other) for other in others)})" if others else ""
                self.add(action.identifier, f"{action.type} needs parameter '{name}'{also}")
            elif all(_missing(parameters[spelling]) for spelling in given):
                # Templates (e.g. AWS samples filled in by a deploy script) leave slots empty;
                # Connect may take them, our own flows must not ship one.
                self.warn(action.identifier, f"{action.type} parameter '{name}' is empty")
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
            elif all(_missing(parameters.get(name)) for name in group):
                self.warn(action.identifier, f"{action.type}: {' / '.join(group)} is empty")
        for group in spec.expects_one_of:
            if all(_missing(parameters.get(name)) for name in group):
                self.warn(
                    action.identifier,
                    f"{action.type} sets none of {', '.join(group)} (each is optional for "
                    "Connect, but then the action changes nothing)",
                )
        for name, limit in spec.limits.items():
            for spelling in spec.names_of(name):
                if spelling in parameters:
                    self._number(action, spelling, parameters[spelling], self._limit(action, limit))
        known = spec.known_parameters
        if known is not None:
            for name in parameters:
                if name not in known:
                    self.warn(
                        action.identifier,
                        f"{action.type} parameter '{name}' is not in the action reference "
                        "(Connect may ignore or refuse it)",
                    )
        if action.type == "GetParticipantInput":
            # InputValidation is "required if and only if StoreInput is True":
            # https://docs.aws.amazon.com/connect/latest/APIReference/participant-actions-getparticipantinput.html
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

    @staticmethod
    def _limit(action: Action, limit: Limit) -> Limit:
        if (
            action.type == "InvokeLambdaFunction"
            and str(action.parameters.get("InvocationType", "")).upper() == "ASYNCHRONOUS"
        ):
            return ASYNCHRONOUS_LAMBDA_LIMIT
        return limit

    def _number(self, action: Action, name: str, value: Any, limit: Limit) -> None:
        if self.stage is None and isinstance(value, str) and _is_setting(value):
            return  # a stage's value: checked when validating against that stage
        if limit.dynamic and isinstance(value, str) and _JSONPATH.fullmatch(value.strip()):
            return  # read when the flow runs; Connect judges the value then
        number = _as_int(value)
        if number is None:
            written = (
                "a whole number or a single JSONPath reference ($.Attributes...)"
                if limit.dynamic
                else "a whole number written in the flow (static)"
            )
            self.add(
                action.identifier, f"{name} must be {written}, found {_show(value)}", limit.level
            )
        elif not limit.allows(number):
            if limit.level == ERROR:
                reason = f"{name} is {number}; Connect allows {limit.describe()}"
            else:
                reason = (
                    f"{name} is {number}; our flows use {limit.describe()} (the reference gives "
                    "no range)"
                )
            self.add(action.identifier, reason, limit.level)

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
            # "If the StoreInput option is True, there is no run result and conditions are not
            # supported."
            if str(action.parameters.get("StoreInput", "False")) == "True" and conditions:
                self.add(
                    action.identifier,
                    "GetParticipantInput with StoreInput True has no conditions; compare "
                    "$.StoredCustomerInput in a Compare action",
                )

    def _placement(self, action: Action, spec: ActionSpec) -> None:
        # Each page's "Restrictions" names the flow types the action may be used in.
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
        # On another channel Connect takes the action's error branch: the flow still runs.
        if spec.chat_only and "CHAT" not in channels:
            self.warn(
                action.identifier,
                f"{action.type} works only on the chat channel; this flow serves "
                f"{', '.join(sorted(channels))}",
            )
        if spec.voice_only and "VOICE" not in channels:
            self.warn(
                action.identifier,
                f"{action.type} works only on voice (other channels take its error branch); "
                f"this flow serves {', '.join(sorted(channels))}",
            )

    # --- warnings: this project's rules ------------------------------------------------------
    def _error_types(self, action: Action) -> None:
        for branch in action.transitions.errors:
            if branch.error_type not in KNOWN_ERROR_TYPES:
                self.warn(
                    action.identifier,
                    f"unknown error type '{branch.error_type}' (no action page names it: its "
                    "branch is never taken)",
                )

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
        if lex.needs_timeout_branch(action):
            needed.add("InputTimeLimitExceeded")
        if action.type == "Compare" and not action.transitions.conditions:
            needed.discard("NoMatchingCondition")
        if action.type == "CheckMetricData" and str(parameters.get("MetricType", "")).startswith(
            ("OldestContact", "NumberOfContacts")
        ):
            needed.add("NoMatchingCondition")
        missing = sorted(needed - action.error_types)
        for error_type in missing:
            self.warn(
                action.identifier,
                f"{action.type} can fail with {error_type} but has no branch for it",
            )
        for branch in action.transitions.errors:
            if branch.next_action is None:
                self.warn(action.identifier, f"error {branch.error_type} has no NextAction")

    def _dead_end(self, action: Action, spec: ActionSpec) -> None:
        if spec.terminal or spec.ends_flow_on_success or spec.loops:
            # A looping prompt (MessageParticipantIteratively, allowed only in queue and hold
            # flows) plays until the contact leaves the queue or the hold ends.
            return
        if spec.required_conditions and action.transitions.conditions:
            return  # every result has its condition (Loop, CheckHoursOfOperation)
        if action.transitions.next_action is None:
            self.warn(
                action.identifier,
                f"{action.type} has no NextAction: the contact would stop here without a "
                "disconnect, transfer or end of flow",
            )

    def _logging(self) -> None:
        # Flow logs are the only trace of what a contact did in a flow; logging stays on for the
        # contact once an entry flow turns it on, so only entry points (the flows config gives
        # channels to) are asked to.
        if self.context.channels is None or self.flow.is_module:
            return
        enables = any(
            action.type == "UpdateFlowLoggingBehavior"
            and str(action.parameters.get("FlowLoggingBehavior")) == "Enabled"
            for action in self.flow.actions.values()
        )
        if not enables:
            self.warn(
                None,
                "an entry flow that never turns on flow logging (UpdateFlowLoggingBehavior "
                "Enabled): its contacts leave no flow logs",
            )

    def _reachability(self) -> None:
        flow = self.flow
        if flow.start_action not in flow.actions or self.dangling:
            # A transition to a missing action usually meant one of the actions that now look
            # unreachable: that error is the root cause, reported once.
            return
        seen = self._reach(flow.start_action)
        unreachable = [identifier for identifier in flow.actions if identifier not in seen]
        if not unreachable:
            return
        led_to = {
            target
            for identifier in unreachable
            for target in flow.actions[identifier].transitions.targets()
            if target != identifier
        }
        roots = [identifier for identifier in unreachable if identifier not in led_to]
        covered: set[str] = set()
        # Roots first (nothing leads to them), then whatever cycles of orphans remain.
        for identifier in [*roots, *unreachable]:
            if identifier in covered:
                continue
            after = self._reach(identifier) - {identifier} - seen
            covered |= after | {identifier}
            followers = [other for other in unreachable if other in after]
            reason = "is unreachable from StartAction"
            if followers:
                named = ", ".join(followers[:_MAX_FOLLOWERS_NAMED])
                more = ", ..." if len(followers) > _MAX_FOLLOWERS_NAMED else ""
                reason += f" (and so are the {len(followers)} action(s) after it: {named}{more})"
            self.warn(identifier, reason)

    def _reach(self, start: str) -> set[str]:
        seen: set[str] = set()
        pending = [start]
        while pending:
            current = pending.pop()
            if current in seen or current not in self.flow.actions:
                continue
            seen.add(current)
            pending.extend(self.flow.actions[current].transitions.targets())
        return seen

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
