"""The loader reads every real export shape into the same objects and refuses what is not a flow."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from flowlang.loader import ConditionBranch, ErrorBranch, load_flow, parse_flow
from flowlang.problems import FlowFormatError, Problem
from tests.flowlang.realworld import FLOW_FOLDERS, LEGACY_FOLDER, real_exports

MINIMAL = {
    "Version": "2019-10-30",
    "StartAction": "hello",
    "Actions": [
        {
            "Identifier": "hello",
            "Type": "MessageParticipant",
            "Parameters": {"Text": "Hi"},
            "Transitions": {
                "NextAction": "bye",
                "Errors": [{"ErrorType": "NoMatchingError", "NextAction": "bye"}],
            },
        },
        {"Identifier": "bye", "Type": "DisconnectParticipant", "Parameters": {}},
    ],
}


def test_bare_document_becomes_actions_keyed_by_identifier_in_file_order() -> None:
    flow = parse_flow(json.dumps(MINIMAL), source="minimal.json")

    assert flow.source == "minimal.json"
    assert flow.version == "2019-10-30"
    assert flow.start_action == "hello"
    assert list(flow.actions) == ["hello", "bye"]
    hello = flow.actions["hello"]
    assert hello.type == "MessageParticipant"
    assert hello.parameters == {"Text": "Hi"}
    assert hello.transitions.next_action == "bye"
    assert hello.transitions.errors == (ErrorBranch("NoMatchingError", "bye"),)
    # A missing Transitions object means a terminal action, not an error.
    assert flow.actions["bye"].transitions.targets() == []


def test_conditions_keep_operator_operands_and_target() -> None:
    document = json.loads(json.dumps(MINIMAL))
    document["Actions"][0]["Transitions"]["Conditions"] = [
        {"NextAction": "bye", "Condition": {"Operator": "Equals", "Operands": ["1"]}}
    ]
    flow = parse_flow(document, source="dict")

    (condition,) = flow.actions["hello"].transitions.conditions
    assert condition == ConditionBranch("Equals", ("1",), "bye")
    assert condition.operator == "Equals"


def test_describe_contact_flow_answer_with_content_as_a_json_string() -> None:
    wrapped = {
        "ContactFlow": {
            "Name": "Whisper",
            "Type": "AGENT_WHISPER",
            "Content": json.dumps(MINIMAL),
            "Tags": {},
        }
    }
    flow = parse_flow(wrapped, source="wrapped.json")

    assert flow.flow_type == "AGENT_WHISPER"
    assert flow.envelope["Name"] == "Whisper"
    assert flow.wrapped_as == ("ContactFlow", "Content")
    assert list(flow.actions) == ["hello", "bye"]


def test_ci_tool_file_with_contact_flow_type_and_content_string() -> None:
    flow = parse_flow(
        {"Name": "Main", "ContactFlowType": "CONTACT_FLOW", "Content": json.dumps(MINIMAL)},
        source="ci.json",
    )
    assert flow.flow_type == "CONTACT_FLOW"


def test_null_fields_read_as_empty() -> None:
    document = json.loads(json.dumps(MINIMAL))
    document["Metadata"] = None
    document["Actions"][1]["Parameters"] = None
    document["Actions"][1]["Transitions"] = {"NextAction": None, "Errors": None, "Conditions": None}
    flow = parse_flow(document, source="nulls.json")

    assert flow.metadata == {}
    assert flow.actions["bye"].parameters == {}
    assert flow.actions["bye"].transitions.errors == ()


def test_legacy_format_is_rejected_naming_the_format(realworld_dir: Path) -> None:
    legacy = sorted((realworld_dir / LEGACY_FOLDER).glob("*.json"))
    assert len(legacy) == 2
    for path in legacy:
        with pytest.raises(FlowFormatError) as caught:
            load_flow(path)
        (problem,) = caught.value.problems
        assert problem.file == str(path)
        assert problem.action is None
        assert "legacy pre-2019 flow format" in problem.reason


def test_every_real_world_export_loads(realworld_dir: Path) -> None:
    for folder, expected in FLOW_FOLDERS.items():
        assert len(list((realworld_dir / folder).glob("*.json"))) == expected, folder
    for path in real_exports(realworld_dir):
        flow = load_flow(path)
        assert flow.start_action in flow.actions, path.name


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("{not json", "not valid JSON: Expecting property name enclosed in double quotes"),
        ("[]", "a flow is a JSON object, found a list"),
        ('{"Content": "nope"}', "'Content' is not a JSON flow document"),
    ],
)
def test_unreadable_documents_say_why(text: str, reason: str) -> None:
    with pytest.raises(FlowFormatError) as caught:
        parse_flow(text, source="bad.json")
    assert caught.value.problems[0].reason.startswith(reason)


def test_shape_problems_are_all_reported_with_the_action() -> None:
    document = {
        "Version": "2018-01-01",
        "StartAction": "a",
        "Actions": [
            {"Identifier": "a", "Type": "DisconnectParticipant"},
            {"Identifier": "a", "Type": "DisconnectParticipant"},
            {"Type": "MessageParticipant"},
            {"Identifier": "b", "Type": "Loop", "Transitions": {"Errors": [{"NextAction": "a"}]}},
        ],
    }
    with pytest.raises(FlowFormatError) as caught:
        parse_flow(document, source="shape.json")

    assert caught.value.problems == [
        Problem("shape.json", None, '\'Version\' must be "2019-10-30", found "2018-01-01"'),
        Problem("shape.json", "a", "Identifier is used by more than one action"),
        Problem("shape.json", None, "Actions[2] has no 'Identifier'"),
        Problem("shape.json", "b", "Transitions.Errors[0] needs an 'ErrorType' string"),
    ]


def test_a_binary_file_is_a_problem_naming_it(tmp_path: Path) -> None:
    binary = tmp_path / "logo.json"
    binary.write_bytes(b"\x89PNG\r\n\x1a\n\x00\xff")

    with pytest.raises(FlowFormatError) as raised:
        load_flow(binary)

    assert raised.value.problems == [Problem(str(binary), None, "not a UTF-8 text file (byte 0)")]
