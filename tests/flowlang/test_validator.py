"""The validator accepts our flows, every real export and our own samples, and reports each kind
of defect with an exact message naming its level, the file and the action: an error for what
Connect refuses, a warning for this project's style."""

from __future__ import annotations

import copy
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from config import ContactCenterConfig
from flowlang.catalog import CATALOG
from flowlang.context import FlowContext, StageFlows
from flowlang.loader import load_flow, parse_flow
from flowlang.problems import WARNING, Problem, failures
from flowlang.validator import validate_files, validate_flow, validate_stage, validate_text
from infra.paths import CONTACT_FLOWS_DIR
from tests.flowlang.realworld import FLOW_FOLDERS, LEGACY_FOLDER, real_exports

FIXTURES = Path(__file__).parent / "fixtures"
FLOW_LAMBDAS = ("crm_lookup", "routing")
SRC = "flow.json"


def action(  # noqa: PLR0917 - reads like a row of the flow: id, type, parameters, branches
    identifier: str,
    type_: str,
    parameters: dict[str, Any] | None = None,
    next_action: str | None = None,
    errors: list[tuple[str, str]] | None = None,
    conditions: list[tuple[str, str, str]] | None = None,
) -> dict[str, Any]:
    transitions: dict[str, Any] = {}
    if next_action:
        transitions["NextAction"] = next_action
    if errors:
        transitions["Errors"] = [{"ErrorType": e, "NextAction": t} for e, t in errors]
    if conditions:
        transitions["Conditions"] = [
            {"NextAction": t, "Condition": {"Operator": op, "Operands": [value]}}
            for op, value, t in conditions
        ]
    return {
        "Identifier": identifier,
        "Type": type_,
        "Parameters": parameters or {},
        "Transitions": transitions,
    }


def base_flow() -> dict[str, Any]:
    """A small flow that passes every strict rule: log, greet, look up, queue, hang up."""
    return {
        "Version": "2019-10-30",
        "StartAction": "log",
        "Actions": [
            action("log", "UpdateFlowLoggingBehavior", {"FlowLoggingBehavior": "Enabled"}, "greet"),
            action(
                "greet",
                "MessageParticipant",
                {"Text": "Hello"},
                "lookup",
                [("NoMatchingError", "lookup")],
            ),
            action(
                "lookup",
                "InvokeLambdaFunction",
                {"LambdaFunctionARN": "${lambda:crm_lookup}", "InvocationTimeLimitSeconds": "3"},
                "set-queue",
                [("NoMatchingError", "set-queue")],
            ),
            action(
                "set-queue",
                "UpdateContactTargetQueue",
                {"QueueId": "${queue:billing}"},
                "transfer",
                [("NoMatchingError", "bye")],
            ),
            action(
                "transfer",
                "TransferContactToQueue",
                {},
                "bye",
                [("QueueAtCapacity", "bye"), ("NoMatchingError", "bye")],
            ),
            action("bye", "DisconnectParticipant"),
        ],
    }


def find(document: dict[str, Any], identifier: str) -> dict[str, Any]:
    return next(a for a in document["Actions"] if a["Identifier"] == identifier)


@pytest.fixture(scope="module")
def dev_stage(dev_config: ContactCenterConfig) -> StageFlows:
    return StageFlows(dev_config, FLOW_LAMBDAS, CONTACT_FLOWS_DIR)


def problems_of(
    document: dict[str, Any],
    *,
    context: FlowContext | None = None,
    stage: StageFlows | None = None,
) -> list[Problem]:
    return validate_text(document, SRC, context=context, stage=stage)


# --- what must pass ---------------------------------------------------------------------------


def test_base_flow_is_valid(dev_stage: StageFlows) -> None:
    assert problems_of(base_flow(), stage=dev_stage) == []


@pytest.mark.parametrize("stage_fixture", ["dev_config", "prod_config", "voice_only_config"])
def test_shipped_flows_pass_every_rule_in_each_stage(
    stage_fixture: str, request: pytest.FixtureRequest
) -> None:
    config: ContactCenterConfig = request.getfixturevalue(stage_fixture)
    stage = StageFlows(config, FLOW_LAMBDAS, CONTACT_FLOWS_DIR)

    assert validate_stage(stage) == []
    assert sorted(p.stem for p in CONTACT_FLOWS_DIR.glob("*.json")) == sorted(config.flows)


def test_every_flow_folder_is_checked(realworld_dir: Path) -> None:
    folders = {entry.name for entry in realworld_dir.iterdir() if entry.name.startswith("flows")}
    assert folders == {*FLOW_FOLDERS, LEGACY_FOLDER}


def test_no_real_world_export_has_an_error(realworld_dir: Path) -> None:
    results = validate_files(real_exports(realworld_dir))

    assert len(results) == sum(FLOW_FOLDERS.values())
    errors = {path.name: failures(found, strict=False) for path, found in results.items()}
    assert {name: found for name, found in errors.items() if found} == {}


def test_real_world_exports_use_only_action_types_the_catalog_knows(realworld_dir: Path) -> None:
    used = {
        action.type
        for path in real_exports(realworld_dir)
        for action in load_flow(path).actions.values()
    }
    assert len(used) >= 30
    assert used <= set(CATALOG)
    # The catalog knows more than the exports use: the rest of the reference.
    assert len(CATALOG) >= len(used) + 20


def test_real_world_exports_use_only_parameters_the_catalog_knows(realworld_dir: Path) -> None:
    unknown = [
        str(problem)
        for found in validate_files(real_exports(realworld_dir)).values()
        for problem in found
        if "is not in the action reference" in problem.reason
    ]
    assert unknown == []


def test_house_rules_flag_what_samples_leave_out_as_warnings(realworld_dir: Path) -> None:
    path = realworld_dir / "flows" / "experience-builder__contact-flow-dtmf1.content.json"
    (problems,) = validate_files([path]).values()

    unreachable = [p for p in problems if p.reason == "is unreachable from StartAction"]
    assert len(unreachable) == 2
    assert {p.level for p in problems} == {WARNING}


def _transitions(document: dict[str, Any]) -> list[tuple[int, str, int | None]]:
    """(action index, "NextAction" / "Errors" / "Conditions", branch index) of every transition."""
    found: list[tuple[int, str, int | None]] = []
    for index, raw in enumerate(document["Actions"]):
        transitions = raw.get("Transitions") or {}
        if transitions.get("NextAction"):
            found.append((index, "NextAction", None))
        for kind in ("Errors", "Conditions"):
            for branch_index, branch in enumerate(transitions.get(kind) or []):
                if branch.get("NextAction"):
                    found.append((index, kind, branch_index))
    return found


@pytest.mark.long
def test_one_dangling_transition_in_any_real_export_is_exactly_one_error(
    realworld_dir: Path,
) -> None:
    # Every transition of every export in turn goes to an action that does not exist: the one
    # error names that action, and nothing it made unreachable is reported on top.
    wrong: list[str] = []
    mutations = 0
    for path in real_exports(realworld_dir):
        flow = load_flow(path)
        context = FlowContext(flow_type=flow.flow_type)
        before = set(validate_flow(flow, context=context))
        for index, kind, branch in _transitions(flow.document):
            document = copy.deepcopy(flow.document)
            transitions = document["Actions"][index]["Transitions"]
            target = transitions if branch is None else transitions[kind][branch]
            target["NextAction"] = "no-such-action"
            mutated = parse_flow(document, source=flow.source)
            found = validate_flow(mutated, context=context)
            errors = failures(found, strict=False)
            identifier = document["Actions"][index]["Identifier"]
            new_warnings = set(found) - before - set(errors)
            mutations += 1
            if [e.action for e in errors] != [identifier] or new_warnings:
                wrong.append(f"{path.name} {identifier} {kind}: {errors} {new_warnings}")
    assert mutations > 1_000
    assert wrong == []


@pytest.mark.parametrize("path", sorted(FIXTURES.glob("*.json")), ids=lambda p: p.stem)
def test_valid_flows_using_actions_we_do_not_ship_pass_strictly(path: Path) -> None:
    flow = load_flow(path)
    assert validate_flow(flow) == []


# What Connect accepts, each in a small flow written from the action reference (fixtures/), so a
# clone without the corpus checks it too. Each entry says which construct the file must keep.
CONSTRUCTS: dict[str, Callable[[dict[str, Any]], bool]] = {
    "wait_time_limit_number": lambda actions: isinstance(
        actions["Wait for reply"].parameters["TimeLimitSeconds"], int
    ),
    "wait_time_limit_reference": lambda actions: (
        [
            actions[name].parameters["TimeLimitSeconds"][:12]
            for name in ("Wait on attribute", "Wait on answer")
        ]
        == ["$.Attributes", "$.External.w"]
    ),
    "input_timeout_300": lambda actions: (
        actions["Menu"].parameters["InputTimeLimitSeconds"] == "300"
    ),
    "queue_flow_loop": lambda actions: actions["Music"].transitions.next_action is None,
    "hold_flow_loop": lambda actions: actions["Hold music"].transitions.next_action is None,
    "start_media_streaming": lambda actions: actions["Stream"].type == "StartMediaStreaming",
}


@pytest.mark.parametrize("name", sorted(CONSTRUCTS))
def test_each_construct_connect_accepts_has_a_sample_that_passes_strictly(name: str) -> None:
    flow = load_flow(FIXTURES / f"{name}.json")

    assert CONSTRUCTS[name](flow.actions)
    assert validate_flow(flow) == []


def test_looping_prompts_are_samples_of_queue_and_hold_flows() -> None:
    assert load_flow(FIXTURES / "queue_flow_loop.json").flow_type == "CUSTOMER_QUEUE"
    assert load_flow(FIXTURES / "hold_flow_loop.json").flow_type == "CUSTOMER_HOLD"


def test_an_unknown_parameter_is_a_warning_naming_it() -> None:
    path = FIXTURES / "with_warnings" / "unknown_parameter.json"

    assert validate_flow(load_flow(path)) == [
        Problem(
            str(path),
            "Greet",
            "MessageParticipant parameter 'VoiceStyle' is not in the action reference (Connect "
            "may ignore or refuse it)",
            WARNING,
        )
    ]


def _wait(parameters: dict[str, Any]) -> dict[str, Any]:
    document = base_flow()
    _append(
        action(
            "wait",
            "Wait",
            parameters,
            "bye",
            [("NoMatchingError", "bye")],
            [("Equals", "WaitCompleted", "bye")],
        )
    )(document)
    find(document, "greet")["Transitions"]["NextAction"] = "wait"
    return document


@pytest.mark.parametrize(
    ("parameters", "reason"),
    [
        ({}, "Wait needs parameter 'TimeoutSeconds' (or 'TimeLimitSeconds')"),
        (
            {"TimeLimitSeconds": "604801"},
            "TimeLimitSeconds is 604801; Connect allows 1 to 604800",
        ),
        ({"TimeoutSeconds": 0}, "TimeoutSeconds is 0; Connect allows 1 to 604800"),
        (
            {"TimeLimitSeconds": "five minutes"},
            "TimeLimitSeconds must be a whole number or a single JSONPath reference "
            "($.Attributes...), found 'five minutes'",
        ),
    ],
)
def test_wait_timeouts_outside_what_the_reference_allows_are_errors(
    parameters: dict[str, Any], reason: str
) -> None:
    assert problems_of(_wait(parameters)) == [Problem(SRC, "wait", reason)]


@pytest.mark.parametrize(
    "parameters",
    [
        {"TimeoutSeconds": "604800"},
        {"TimeLimitSeconds": 1},
        {"TimeoutSeconds": "$.Attributes.wait"},
        {"TimeLimitSeconds": "$.External.waitSeconds"},
    ],
)
def test_wait_takes_either_spelling_a_number_or_a_reference(parameters: dict[str, Any]) -> None:
    assert problems_of(_wait(parameters)) == []


@pytest.mark.parametrize(
    ("invocation", "seconds", "reason"),
    [
        ({"InvocationType": "ASYNCHRONOUS"}, "60", None),
        (
            {"InvocationType": "ASYNCHRONOUS"},
            "61",
            "InvocationTimeLimitSeconds is 61; Connect allows 1 to 60",
        ),
        ({"InvocationType": "SYNCHRONOUS"}, "8", None),
        ({}, "9", "InvocationTimeLimitSeconds is 9; Connect allows 1 to 8"),
    ],
)
def test_lambda_timeouts_follow_the_invocation_type(
    invocation: dict[str, str], seconds: str, reason: str | None
) -> None:
    document = base_flow()
    find(document, "lookup")["Parameters"].update(invocation, InvocationTimeLimitSeconds=seconds)

    expected = [Problem(SRC, "lookup", reason)] if reason else []
    assert problems_of(document) == expected


@pytest.mark.parametrize(
    ("name", "value", "reason"),
    [
        ("InputTimeLimitSeconds", "0", "InputTimeLimitSeconds is 0; Connect allows 1 or more"),
        ("InputTimeoutSeconds", "3600", None),
        (
            "InputTimeLimitSeconds",
            "$.Attributes.timeout",
            "InputTimeLimitSeconds must be a whole number written in the flow (static), found "
            "'$.Attributes.timeout'",
        ),
    ],
)
def test_input_timeouts_have_no_upper_limit_but_must_be_static(
    name: str, value: str, reason: str | None
) -> None:
    document = base_flow()
    _append(
        action(
            "menu",
            "GetParticipantInput",
            {"Text": "Press 1", "StoreInput": "False", name: value},
            "bye",
            [
                ("InputTimeLimitExceeded", "bye"),
                ("NoMatchingCondition", "bye"),
                ("NoMatchingError", "bye"),
            ],
            [("Equals", "1", "bye")],
        )
    )(document)
    find(document, "greet")["Transitions"]["NextAction"] = "menu"

    expected = [Problem(SRC, "menu", reason)] if reason else []
    assert problems_of(document) == expected


def test_loop_counts_above_100_are_errors_and_references_are_read_at_run_time() -> None:
    def loop(count: str) -> list[Problem]:
        document = base_flow()
        _append(
            action(
                "retry",
                "Loop",
                {"LoopCount": count},
                None,
                None,
                [("Equals", "ContinueLooping", "greet"), ("Equals", "DoneLooping", "bye")],
            )
        )(document)
        find(document, "transfer")["Transitions"]["NextAction"] = "retry"
        return problems_of(document)

    assert loop("100") == []
    assert loop("$.Attributes.retries") == []
    assert loop("101") == [Problem(SRC, "retry", "LoopCount is 101; Connect allows 0 to 100")]


def test_a_transfer_to_a_voice_connector_needs_no_phone_number() -> None:
    document = base_flow()
    _append(
        action(
            "external",
            "TransferParticipantToThirdParty",
            {"ThirdPartyConnectionTimeoutSeconds": "30", "ContinueFlowExecution": "True"},
            "bye",
            [("NoMatchingError", "bye")],
        )
    )(document)
    find(document, "transfer")["Transitions"]["NextAction"] = "external"

    assert problems_of(document) == []


def test_an_entry_flow_that_never_logs_is_a_warning() -> None:
    document = base_flow()
    _set("log", parameters={"FlowLoggingBehavior": "Disabled"})(document)

    problems = problems_of(document, context=FlowContext("CONTACT_FLOW", frozenset({"VOICE"})))
    assert problems == [
        Problem(
            SRC,
            None,
            "an entry flow that never turns on flow logging (UpdateFlowLoggingBehavior "
            "Enabled): its contacts leave no flow logs",
            WARNING,
        )
    ]
    # A flow that is not an entry point (a queue, whisper or disconnect flow) inherits logging.
    assert problems_of(document, context=FlowContext("CONTACT_FLOW")) == []


def test_our_samples_cover_action_types_our_flows_do_not_use() -> None:
    shipped = {
        a.type for p in CONTACT_FLOWS_DIR.glob("*.json") for a in load_flow(p).actions.values()
    }
    samples = {a.type for p in FIXTURES.glob("*.json") for a in load_flow(p).actions.values()}
    assert len(samples - shipped) >= 15


def test_legacy_format_reported_per_file(realworld_dir: Path) -> None:
    paths = sorted((realworld_dir / LEGACY_FOLDER).glob("*.json"))
    for path, problems in validate_files(paths).items():
        assert problems == [
            Problem(
                str(path),
                None,
                "this is the legacy pre-2019 flow format (a 'modules' list from the old Connect "
                "designer), not the flow language 2019-10-30: open it in the Connect flow "
                "designer, save it, and export it again",
            )
        ]


# --- each defect, with its exact message -------------------------------------------------------

Mutation = Callable[[dict[str, Any]], None]


def _set(identifier: str, **changes: Any) -> Mutation:
    def mutate(document: dict[str, Any]) -> None:
        target = find(document, identifier)
        for key, value in changes.items():
            if key == "parameters":
                target["Parameters"] = value
            elif key == "transitions":
                target["Transitions"] = value
            else:
                target[key] = value

    return mutate


def _param(identifier: str, name: str, value: Any) -> Mutation:
    def mutate(document: dict[str, Any]) -> None:
        find(document, identifier)["Parameters"][name] = value

    return mutate


def _append(*actions: dict[str, Any]) -> Mutation:
    def mutate(document: dict[str, Any]) -> None:
        document["Actions"].extend(actions)

    return mutate


def _drop_error(identifier: str, error_type: str) -> Mutation:
    def mutate(document: dict[str, Any]) -> None:
        transitions = find(document, identifier)["Transitions"]
        transitions["Errors"] = [e for e in transitions["Errors"] if e["ErrorType"] != error_type]

    return mutate


def _rename(old: str, new: str) -> Mutation:
    def mutate(document: dict[str, Any]) -> None:
        text = json.dumps(document).replace(f'"{old}"', f'"{new}"')
        document.clear()
        document.update(json.loads(text))

    return mutate


DEFECTS: dict[str, tuple[Mutation, Problem]] = {
    "unknown action type": (
        _set("greet", Type="PlayPrompt"),
        Problem(
            SRC,
            "greet",
            "unknown action type 'PlayPrompt' (not in the flow language reference nor in the "
            "real exports the catalog knows; check its spelling: Connect may refuse it)",
            WARNING,
        ),
    ),
    "missing required parameter": (
        _set("lookup", parameters={"InvocationTimeLimitSeconds": "3"}),
        Problem(SRC, "lookup", "InvokeLambdaFunction needs parameter 'LambdaFunctionARN'"),
    ),
    "transition to a missing action": (
        _set("greet", transitions={"NextAction": "lookups", "Errors": []}),
        Problem(SRC, "greet", "NextAction goes to 'lookups', which does not exist"),
    ),
    "error branch to a missing action": (
        _set(
            "set-queue",
            transitions={
                "NextAction": "transfer",
                "Errors": [{"ErrorType": "NoMatchingError", "NextAction": "goodbye"}],
            },
        ),
        Problem(SRC, "set-queue", "error NoMatchingError goes to 'goodbye', which does not exist"),
    ),
    "unreachable action": (
        _append(action("orphan", "DisconnectParticipant")),
        Problem(SRC, "orphan", "is unreachable from StartAction", WARNING),
    ),
    "missing error branch": (
        _drop_error("lookup", "NoMatchingError"),
        Problem(
            SRC,
            "lookup",
            "InvokeLambdaFunction can fail with NoMatchingError but has no branch for it",
            WARNING,
        ),
    ),
    "queue at capacity not handled": (
        _drop_error("transfer", "QueueAtCapacity"),
        Problem(
            SRC,
            "transfer",
            "TransferContactToQueue can fail with QueueAtCapacity but has no branch for it",
            WARNING,
        ),
    ),
    "lambda timeout above 8 s": (
        _param("lookup", "InvocationTimeLimitSeconds", "9"),
        Problem(SRC, "lookup", "InvocationTimeLimitSeconds is 9; Connect allows 1 to 8"),
    ),
    "lambda timeout not static": (
        _param("lookup", "InvocationTimeLimitSeconds", "$.Attributes.timeout"),
        Problem(
            SRC,
            "lookup",
            "InvocationTimeLimitSeconds must be a whole number written in the flow (static), "
            "found '$.Attributes.timeout'",
        ),
    ),
    "identifier too long": (
        _rename("greet", "g" * 51),
        Problem(SRC, "g" * 51, "Identifier is 51 characters; at most 50"),
    ),
    "identifier with forbidden characters": (
        _rename("greet", "greet(caller)"),
        Problem(SRC, "greet(caller)", "Identifier contains ( ), which Connect forbids"),
    ),
    "start action missing": (
        lambda document: document.update(StartAction="hello"),
        Problem(SRC, None, "StartAction 'hello' is not an action of this flow"),
    ),
    "dead end": (
        _set(
            "greet",
            transitions={"Errors": [{"ErrorType": "NoMatchingError", "NextAction": "lookup"}]},
        ),
        Problem(
            SRC,
            "greet",
            "MessageParticipant has no NextAction: the contact would stop here without a "
            "disconnect, transfer or end of flow",
            WARNING,
        ),
    ),
    "unknown error type": (
        _set(
            "greet",
            transitions={
                "NextAction": "lookup",
                "Errors": [
                    {"ErrorType": "NoMatchingError", "NextAction": "lookup"},
                    {"ErrorType": "NoMatchingErorr", "NextAction": "lookup"},
                ],
            },
        ),
        Problem(
            SRC,
            "greet",
            "unknown error type 'NoMatchingErorr' (no action page names it: its branch is never "
            "taken)",
            WARNING,
        ),
    ),
    "two prompts at once": (
        _param("greet", "SSML", "<speak>Hello</speak>"),
        Problem(
            SRC,
            "greet",
            "MessageParticipant takes only one of PromptId, Text, SSML; found Text and SSML",
        ),
    ),
    "conditions on an action without a result": (
        _set(
            "greet",
            transitions={
                "NextAction": "lookup",
                "Errors": [{"ErrorType": "NoMatchingError", "NextAction": "lookup"}],
                "Conditions": [
                    {"NextAction": "bye", "Condition": {"Operator": "Equals", "Operands": ["x"]}}
                ],
            },
        ),
        Problem(SRC, "greet", "MessageParticipant has no result to put conditions on"),
    ),
    "hours check without a False branch": (
        _append(
            action(
                "hours",
                "CheckHoursOfOperation",
                {},
                "bye",
                [("NoMatchingError", "bye")],
                [("Equals", "True", "bye")],
            )
        ),
        Problem(
            SRC,
            "hours",
            "CheckHoursOfOperation needs exactly one Equals condition for each of True, False; "
            "found True",
        ),
    ),
    "unknown operator": (
        _append(
            action(
                "compare",
                "Compare",
                {"ComparisonValue": "$.Attributes.tier"},
                "bye",
                [("NoMatchingCondition", "bye")],
                [("IsOneOf", "vip", "bye")],
            )
        ),
        Problem(
            SRC,
            "compare",
            "unknown condition operator 'IsOneOf' (known: Equals, NumberGreaterOrEqualTo, "
            "NumberGreaterThan, NumberLessOrEqualTo, NumberLessThan, TextContains, TextEndsWith, "
            "TextStartsWith)",
        ),
    ),
    "menu compares a word": (
        _append(
            action(
                "menu",
                "GetParticipantInput",
                {"Text": "Press 1", "StoreInput": "False", "InputTimeLimitSeconds": "5"},
                "bye",
                [
                    ("InputTimeLimitExceeded", "bye"),
                    ("NoMatchingCondition", "bye"),
                    ("NoMatchingError", "bye"),
                ],
                [("Equals", "12", "bye")],
            )
        ),
        Problem(SRC, "menu", "GetParticipantInput compares one key (0-9, * or #), found '12'"),
    ),
    "more than 250 actions": (
        lambda document: document["Actions"].extend(
            action(
                f"say-{n}", "MessageParticipant", {"Text": "x"}, "bye", [("NoMatchingError", "bye")]
            )
            for n in range(245)
        ),
        Problem(SRC, None, "has 251 actions; a flow holds at most 250"),
    ),
}


@pytest.mark.parametrize("defect", sorted(DEFECTS))
def test_each_defect_is_reported_exactly(defect: str) -> None:
    mutate, expected = DEFECTS[defect]
    document = copy.deepcopy(base_flow())
    mutate(document)

    assert expected in problems_of(document)


def test_a_single_defect_yields_a_single_problem() -> None:
    document = base_flow()
    _param("lookup", "InvocationTimeLimitSeconds", "9")(document)
    assert problems_of(document) == [
        Problem(SRC, "lookup", "InvocationTimeLimitSeconds is 9; Connect allows 1 to 8")
    ]


def test_house_rules_are_warnings_that_fail_only_when_strict() -> None:
    document = base_flow()
    _drop_error("lookup", "NoMatchingError")(document)
    _append(action("orphan", "DisconnectParticipant"))(document)

    problems = problems_of(document)
    assert [p.level for p in problems] == [WARNING, WARNING]
    assert failures(problems, strict=False) == []
    assert failures(problems, strict=True) == problems


def test_a_dangling_transition_is_one_error_without_follow_on_unreachable_actions() -> None:
    # Everything after "greet" becomes unreachable; only the root cause is reported.
    document = base_flow()
    _set(
        "greet",
        transitions={
            "NextAction": "lookups",
            "Errors": [{"ErrorType": "NoMatchingError", "NextAction": "bye"}],
        },
    )(document)

    assert problems_of(document) == [
        Problem(SRC, "greet", "NextAction goes to 'lookups', which does not exist")
    ]


def test_a_chain_of_unreachable_actions_is_one_warning_naming_the_rest() -> None:
    document = base_flow()
    _append(
        action(
            "orphan", "MessageParticipant", {"Text": "x"}, "orphan-2", [("NoMatchingError", "bye")]
        ),
        action(
            "orphan-2", "MessageParticipant", {"Text": "y"}, "orphan", [("NoMatchingError", "bye")]
        ),
        action("orphan-3", "DisconnectParticipant"),
    )(document)
    _set(
        "orphan",
        transitions={
            "NextAction": "orphan-2",
            "Errors": [{"ErrorType": "NoMatchingError", "NextAction": "orphan-3"}],
        },
    )(document)

    # orphan <-> orphan-2 is a cycle: the first in file order stands for it.
    assert problems_of(document) == [
        Problem(
            SRC,
            "orphan",
            "is unreachable from StartAction (and so are the 2 action(s) after it: orphan-2, "
            "orphan-3)",
            WARNING,
        )
    ]


def test_invalid_json_and_top_level_shape() -> None:
    assert validate_text('{"Version": ', SRC) == [
        Problem(SRC, None, "not valid JSON: Expecting value at line 1 column 13")
    ]
    assert validate_text({"Version": "2019-10-30", "StartAction": "a"}, SRC) == [
        Problem(SRC, None, "'Actions' must be a list, found null")
    ]


# --- where an action may run ------------------------------------------------------------------


def test_target_queue_is_refused_in_a_whisper_flow() -> None:
    problems = problems_of(base_flow(), context=FlowContext(flow_type="AGENT_WHISPER"))
    assert (
        Problem(
            SRC,
            "set-queue",
            "UpdateContactTargetQueue is not allowed in a AGENT_WHISPER flow (allowed in: "
            "AGENT_TRANSFER, CONTACT_FLOW, QUEUE_TRANSFER)",
        )
        in problems
    )


def test_an_exports_own_type_is_used_when_config_gives_none() -> None:
    wrapped = {"Name": "w", "Type": "CUSTOMER_WHISPER", "Content": json.dumps(base_flow())}
    problems = validate_text(wrapped, SRC)
    assert any(p.action == "transfer" and "CUSTOMER_WHISPER" in p.reason for p in problems)


def test_wait_is_accepted_in_a_voice_flow() -> None:
    # The flow language page says chat only, but the Wait block's page lists voice (inbound
    # flows), chat, task and email: https://docs.aws.amazon.com/connect/latest/adminguide/wait.html
    document = base_flow()
    _append(
        action(
            "wait",
            "Wait",
            {"TimeoutSeconds": "60"},
            "bye",
            [("NoMatchingError", "bye")],
            [("Equals", "WaitCompleted", "bye")],
        )
    )(document)
    find(document, "greet")["Transitions"]["NextAction"] = "wait"

    assert problems_of(document, context=FlowContext("CONTACT_FLOW", frozenset({"VOICE"}))) == []


def test_keypad_menu_in_a_chat_only_flow_is_a_warning() -> None:
    document = base_flow()
    _append(
        action(
            "menu",
            "GetParticipantInput",
            {"Text": "Press 1", "StoreInput": "False", "InputTimeLimitSeconds": "5"},
            "bye",
            [
                ("InputTimeLimitExceeded", "bye"),
                ("NoMatchingCondition", "bye"),
                ("NoMatchingError", "bye"),
            ],
            [("Equals", "1", "bye")],
        )
    )(document)
    find(document, "greet")["Transitions"]["NextAction"] = "menu"

    problems = problems_of(document, context=FlowContext("CONTACT_FLOW", frozenset({"CHAT"})))
    assert problems == [
        Problem(
            SRC,
            "menu",
            "GetParticipantInput works only on voice (other channels take its error branch); "
            "this flow serves CHAT",
            WARNING,
        )
    ]


# --- placeholders against a stage's config ----------------------------------------------------


@pytest.mark.parametrize(
    ("identifier", "name", "value", "reason"),
    [
        (
            "set-queue",
            "QueueId",
            "${queue:refunds}",
            "Parameters.QueueId: ${queue:refunds} no queue 'refunds' in config `queues` "
            "(known: appointments, billing, general, spanish, support)",
        ),
        (
            "lookup",
            "LambdaFunctionARN",
            "${lambda:crm}",
            "Parameters.LambdaFunctionARN: ${lambda:crm} no lambda 'crm' in the flow Lambdas "
            "(lambdas/<name>/handler.py) (known: crm_lookup, routing)",
        ),
        (
            "greet",
            "Text",
            "Hi from ${setting:organization}",
            "Parameters.Text: ${setting:organization} config has no setting 'organization' "
            "(stopped at 'organization')",
        ),
        (
            "set-queue",
            "QueueId",
            "${queue:routing.fallback_queue}",
            "Parameters.QueueId: ${queue:routing.fallback_queue} config has no setting "
            "'routing.fallback_queue' (stopped at 'fallback_queue')",
        ),
    ],
)
def test_unresolvable_placeholders_name_the_missing_config_entry(
    dev_stage: StageFlows, identifier: str, name: str, value: str, reason: str
) -> None:
    document = base_flow()
    _param(identifier, name, value)(document)

    assert problems_of(document, stage=dev_stage) == [Problem(SRC, identifier, reason)]


def test_a_setting_of_a_switched_off_channel_does_not_resolve(
    voice_only_config: ContactCenterConfig,
) -> None:
    document = base_flow()
    _param("greet", "Text", "Text us at ${setting:sms.country_code}")(document)
    stage = StageFlows(voice_only_config, FLOW_LAMBDAS)

    assert problems_of(document, stage=stage) == [
        Problem(
            SRC,
            "greet",
            "Parameters.Text: ${setting:sms.country_code} channel 'sms' is off in stage 'dev'",
        )
    ]


def test_settings_are_range_checked_with_the_stages_value(dev_config: ContactCenterConfig) -> None:
    flow = load_flow(CONTACT_FLOWS_DIR / "customer_queue.json")
    raw = dev_config.model_dump(mode="json")
    raw["callbacks"]["offer_after_seconds"] = 0
    stage = StageFlows(ContactCenterConfig.model_validate(raw), FLOW_LAMBDAS)

    # Without a stage the value is unknown and not judged; with one, the deployed value is.
    assert validate_flow(flow) == []
    assert validate_flow(flow, stage=stage) == [
        Problem(
            flow.source,
            "hold-then-offer-callback",
            "InterruptFrequencySeconds is 0; our flows use 1 or more (the reference gives no "
            "range)",
            WARNING,
        )
    ]


# --- size -------------------------------------------------------------------------------------

# base_flow's two ARN placeholders each count as a 160-character ARN once deployed.
ARN_GROWTH = 2 * 160 - len("${lambda:crm_lookup}") - len("${queue:billing}")


def _padded(length: int, ending: str = "") -> dict[str, Any]:
    """base_flow with a greeting long enough for its compact JSON to be `length` characters."""
    document = base_flow()
    _param("greet", "Text", ending)(document)
    compact = json.dumps(document, separators=(",", ":"), ensure_ascii=False)
    _param("greet", "Text", "x" * (length - len(compact)) + ending)(document)
    return document


def test_a_flow_over_connects_content_limit_is_refused_with_its_length() -> None:
    assert problems_of(_padded(256_000 - ARN_GROWTH)) == []
    assert problems_of(_padded(256_001 - ARN_GROWTH)) == [
        Problem(
            SRC,
            None,
            "content is 256,001 characters as deployed; Connect accepts at most 256,000 "
            "(shorten prompt texts, or split the flow into modules or flows it transfers to)",
        )
    ]


def test_content_length_counts_settings_as_the_stage_resolves_them(
    dev_stage: StageFlows, dev_config: ContactCenterConfig
) -> None:
    setting = "${setting:organisation}"
    growth = len(dev_config.organisation) - len(setting)
    document = _padded(256_001 - ARN_GROWTH - growth, ending=setting)

    # Within the limit as written; over it once the organisation's name replaces the placeholder.
    assert problems_of(document) == []
    (problem,) = problems_of(document, stage=dev_stage)
    assert problem.reason.startswith("content is 256,001 characters as deployed")


# --- ConnectParticipantWithLexBot ---------------------------------------------------------------

BOT_ALIAS = "arn:aws:lex:us-east-1:111122223333:bot-alias/ABCDEFGHIJ/TSTALIASID"


def _with_bot(parameters: dict[str, Any], conditions: list[tuple[str, str, str]]) -> dict[str, Any]:
    """The base flow with a bot between the greeting and the lookup."""
    document = base_flow()
    find(document, "greet")["Transitions"] = {
        "NextAction": "bot",
        "Errors": [{"ErrorType": "NoMatchingError", "NextAction": "bot"}],
    }
    document["Actions"].append(
        action(
            "bot",
            "ConnectParticipantWithLexBot",
            {"Text": "How can I help?", **parameters},
            "lookup",
            [("NoMatchingCondition", "lookup"), ("NoMatchingError", "lookup")],
            conditions,
        )
    )
    return document


def test_a_bot_by_alias_arn_reference_or_placeholder_passes_strictly() -> None:
    for alias in (BOT_ALIAS, "$.FlowAttributes.botAlias", "${setting:organisation}"):
        document = _with_bot(
            {"LexV2Bot": {"AliasArn": alias}, "LexSessionAttributes": {"customer_id": "$.x"}},
            [("Equals", "CheckBalance", "bye")],
        )
        assert problems_of(document) == [], alias


LEX_DEFECTS: dict[str, tuple[dict[str, Any], list[tuple[str, str, str]], Problem]] = {
    "alias not an object": (
        {"LexV2Bot": BOT_ALIAS},
        [],
        Problem(
            SRC,
            "bot",
            'LexV2Bot must be {"AliasArn": the bot alias ARN or a JSONPath reference}',
        ),
    ),
    "empty alias": (
        {"LexV2Bot": {"AliasArn": " "}},
        [],
        Problem(SRC, "bot", "LexV2Bot AliasArn is empty"),
    ),
    "alias that is no ARN": (
        {"LexV2Bot": {"AliasArn": "my-bot"}},
        [],
        Problem(
            SRC,
            "bot",
            "LexV2Bot AliasArn 'my-bot' is neither a bot alias ARN "
            "(arn:aws:lex:REGION:ACCOUNT:bot-alias/BOT_ID/ALIAS_ID) nor a JSONPath reference",
            WARNING,
        ),
    ),
    "Lex V1 bot": (
        {"LexBot": {"Name": "Old", "Region": "us-east-1", "Alias": "prod"}},
        [],
        Problem(
            SRC,
            "bot",
            "LexBot names an Amazon Lex V1 bot; Lex V1 support ended on 15 September 2025: "
            "use LexV2Bot with the bot alias ARN",
            WARNING,
        ),
    ),
    "session attribute not text": (
        {"LexV2Bot": {"AliasArn": BOT_ALIAS}, "LexSessionAttributes": {"tries": 2}},
        [],
        Problem(
            SRC,
            "bot",
            "LexSessionAttributes 'tries' must be text (a value or a JSONPath reference), "
            "found int",
        ),
    ),
    "chat timeout of the wrong shape": (
        {"LexV2Bot": {"AliasArn": BOT_ALIAS}, "LexTimeoutSeconds": "300"},
        [],
        Problem(SRC, "bot", 'LexTimeoutSeconds must be {"Text": seconds} (the chat timeout)'),
    ),
    "chat timeout without its branch": (
        {"LexV2Bot": {"AliasArn": BOT_ALIAS}, "LexTimeoutSeconds": {"Text": "300"}},
        [],
        Problem(
            SRC,
            "bot",
            "ConnectParticipantWithLexBot can fail with InputTimeLimitExceeded but has no "
            "branch for it",
            WARNING,
        ),
    ),
    "intent name with a space": (
        {"LexV2Bot": {"AliasArn": BOT_ALIAS}},
        [("Equals", " manifest", "bye")],
        Problem(
            SRC,
            "bot",
            "condition compares the intent name with ' manifest', which no Lex intent can be "
            "called (letters, digits, _ or -): its branch is never taken",
            WARNING,
        ),
    ),
}


@pytest.mark.parametrize("defect", sorted(LEX_DEFECTS))
def test_each_bot_defect_is_reported_exactly(defect: str) -> None:
    parameters, conditions, expected = LEX_DEFECTS[defect]

    assert problems_of(_with_bot(parameters, conditions)) == [expected]
