"""`ccaas run-flow`: the path a contact takes through any flow file, with or without a stage,
and every real export of the corpus run to an end."""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path

import pytest

from scripts.cli import main
from tests.flowlang.realworld import FLOW_FOLDERS, real_exports
from tests.scripts.cli_checks import one_error_line

ROOT = Path(__file__).resolve().parents[2]
FIXTURES = ROOT / "tests" / "local_connect" / "flows" / "fixtures"
FOREIGN = str(FIXTURES / "foreign_inbound.json")
TUESDAY_10_AM = "2026-11-24T10:00"  # in the hours file's zone (New York): open


def run_flow(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, list[str]]:
    code = main(["run-flow", *argv])
    out, err = capsys.readouterr()
    assert "Traceback" not in out + err
    return code, out.splitlines()


def test_a_foreign_flow_shows_each_block_what_was_said_and_where_it_ended(
    capsys: pytest.CaptureFixture[str],
) -> None:
    code, lines = run_flow(
        capsys,
        FOREIGN,
        "--input",
        "1",
        "--hours",
        str(FIXTURES / "hours.yaml"),
        "--queue-map",
        str(FIXTURES / "queue_map.yaml"),
        "--at",
        TUESDAY_10_AM,
    )
    assert code == 0
    assert lines[0].startswith("flow 'foreign_inbound' (CONTACT_FLOW) from ")
    assert lines[0].endswith("a VOICE contact at 2026-11-24 15:00 UTC")
    assert "  2. CheckHoursOfOperation 'hours'" in lines
    assert "       says: Press 1 for sales, 2 for support." in lines
    assert "       customer: 1" in lines
    assert "ended: in queue 'billing' (flow 'foreign_inbound')" in lines
    assert any(
        line.startswith("queue map: arn:") and "('Sales') -> 'billing'" in line for line in lines
    )
    assert any("crm-lookup" in line for line in lines if line.startswith("warning: "))
    assert not any("hours" in line for line in lines if line.startswith("warning: "))


def test_without_hours_or_a_queue_map_the_guesses_are_warnings(
    capsys: pytest.CaptureFixture[str],
) -> None:
    code, lines = run_flow(capsys, FOREIGN, "--input", "2")
    warnings = [line for line in lines if line.startswith("warning: ")]
    assert code == 0
    assert "ended: in queue 'BasicQueue' (flow 'foreign_inbound')" in lines
    assert warnings[0].startswith("warning: 1 queue(s) not in this instance went to the default")
    assert "('Support')" in warnings[0]
    assert "warning: no hours of operation given: every hours check is open" in warnings


def test_chat_attributes_and_the_wait_timer(capsys: pytest.CaptureFixture[str]) -> None:
    code, lines = run_flow(
        capsys,
        str(FIXTURES / "wait_for_customer.json"),
        "--channel",
        "chat",
        "--input",
        "",
        "--attributes",
        '{"tier": "gold", "visits": 3}',
    )
    assert code == 0
    assert "        -> WaitCompleted" not in lines  # numbering is one digit wide here
    assert "       -> WaitCompleted" in lines
    assert "attributes: tier=gold, visits=3" in lines
    assert "time in the flow: about 600 s" in lines


def test_with_a_stage_its_own_flow_runs_with_the_real_lambdas(
    capsys: pytest.CaptureFixture[str],
) -> None:
    code, lines = run_flow(
        capsys,
        str(ROOT / "contact_flows" / "inbound_voice.json"),
        "--stage",
        "dev",
        "--input",
        "agent",
        "--at",
        TUESDAY_10_AM,
    )
    assert code == 0
    assert lines[0].startswith("flow 'inbound_voice' (CONTACT_FLOW)")
    # dev hands callers to its self-service bot (the real fulfillment, over the local Lex),
    # which escalates an "agent" to the default queue with what it learnt.
    assert "ended: in queue 'general' (flow 'inbound_voice')" in lines
    (attributes,) = [line for line in lines if line.startswith("attributes: ")]
    assert "self_service_intent=TalkToAgent" in attributes
    assert "self_service_outcome=escalate" in attributes
    assert not any(line.startswith("warning: ") for line in lines)


def test_a_queue_map_naming_a_queue_the_stage_lacks_is_refused(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    queue_map = tmp_path / "queues.yaml"
    queue_map.write_text("Sales: sales\n", encoding="utf-8")
    code = main(["run-flow", FOREIGN, "--stage", "dev", "--queue-map", str(queue_map)])
    assert code == 2
    line = one_error_line(capsys)
    assert "no queue sales in stage 'dev'" in line and "known: appointments" in line


def test_an_hours_file_with_a_mistake_names_the_field(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    hours = tmp_path / "hours.yaml"
    hours.write_text("time_zone: America/New_York\nweekly: {FUNDAY: []}\n", encoding="utf-8")
    assert main(["run-flow", FOREIGN, "--hours", str(hours)]) == 2
    assert "weekly.FUNDAY" in one_error_line(capsys)


def test_a_file_that_is_no_flow_is_bad_input(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "config.json"
    path.write_text('{"stage": "dev"}', encoding="utf-8")
    assert main(["run-flow", str(path)]) == 2
    assert "is not a contact flow" in one_error_line(capsys)


def test_an_action_type_nobody_knows_stops_the_run_with_the_path_so_far(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    document = {
        "Version": "2019-10-30",
        "StartAction": "hello",
        "Actions": [
            {
                "Identifier": "hello",
                "Type": "MessageParticipant",
                "Parameters": {"Text": "Hello"},
                "Transitions": {"NextAction": "fax"},
            },
            {"Identifier": "fax", "Type": "SendFax", "Parameters": {}, "Transitions": {}},
        ],
    }
    path = tmp_path / "fax.json"
    path.write_text(json.dumps(document), encoding="utf-8")
    code, lines = run_flow(capsys, str(path))
    assert code == 1
    assert lines[1:5] == [
        "  1. MessageParticipant 'hello'",
        "       says: Hello",
        "  2. SendFax 'fax'",
        "stopped: action type 'SendFax' (flow 'fax', action 'fax') is not interpreted by the "
        "local engine",
    ]


def test_every_real_export_runs_to_an_end(
    realworld_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """The done-when of issue 14: each export of every corpus folder, as a caller pressing 1
    and as a chat customer writing 1, reaches an end; nothing stops as unsupported."""
    paths = real_exports(realworld_dir)
    assert len(paths) == sum(FLOW_FOLDERS.values())
    ended: Counter[str] = Counter()
    simulated: Counter[str] = Counter()
    for path in paths:
        for channel in ("voice", "chat"):
            code, lines = run_flow(
                capsys, str(path), "--channel", channel, "--input", "1", "--at", TUESDAY_10_AM
            )
            assert code == 0, (path.name, lines[-3:])
            assert not any(line.startswith("stopped:") for line in lines), path.name
            ended[channel] += sum(line.startswith("ended: ") for line in lines)
            for line in lines:
                if line.startswith("simulated: ") and not line.startswith("  "):
                    simulated.update(line.removeprefix("simulated: ").split(", "))
    assert ended == {"voice": len(paths), "chat": len(paths)}
    # What the corpus needs simulated today (Amazon Q in Connect, outbound campaigns).
    assert set(simulated) == {"CreateWisdomSession", "CheckOutboundCallStatus"}
