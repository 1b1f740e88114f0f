"""The interpreter on small flows written from AWS's action reference (`fixtures/`), so a plain
clone covers what the real-world corpus shows: Wait on every channel with its timer, queue and
hold flows, modules, tasks, and flows of another instance (foreign queues, hours, flows and
Lambdas); and the actions the engine simulates, which must be exactly the catalog's list."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
import yaml

from config import ContactCenterConfig
from flowlang.catalog import CATALOG, SIMULATED
from local_connect.flows import (
    INTERPRETED_ACTIONS,
    SIMULATED_ACTIONS,
    SUPPORTED_ACTIONS,
    Contact,
    FlowInterpreter,
    FlowLibrary,
    FlowOutcome,
    ForeignResources,
    LambdaRegistry,
    ScriptedCustomer,
)
from local_connect.flows.foreign import parse_hours, parse_queue_map

FIXTURES = Path(__file__).parent / "fixtures"
# Tuesday 24 November 2026, 10:00 in New York (the fixture hours: weekdays 09:00-17:00).
TUESDAY_MORNING = datetime(2026, 11, 24, 15, 0, tzinfo=UTC)
TUESDAY_NIGHT = datetime(2026, 11, 25, 2, 0, tzinfo=UTC)
THANKSGIVING_MORNING = datetime(2026, 11, 26, 15, 0, tzinfo=UTC)
SALES_ARN = (
    "arn:aws:connect:us-west-2:111122223333:instance/4a9b7a1e-0000-4000-8000-000000000001/"
    "queue/5c1f0d2e-0000-4000-8000-000000000010"
)


def fixture_hours() -> Any:
    return parse_hours(yaml.safe_load((FIXTURES / "hours.yaml").read_text(encoding="utf-8")))


def fixture_queue_map() -> dict[str, str]:
    return parse_queue_map(yaml.safe_load((FIXTURES / "queue_map.yaml").read_text("utf-8")))


class ThirdParty:
    """Runs fixture flows as `ccaas run-flow` does without a stage: no functions, foreign
    resources standing in for the other instance's."""

    def __init__(self, foreign: ForeignResources | None = None) -> None:
        self.library = FlowLibrary(lambdas=[])
        for path in FIXTURES.glob("*.json"):
            self.library.add_file(path.stem, path)
        self.engine = FlowInterpreter(
            self.library,
            lambdas=LambdaRegistry(discover=False),
            foreign=foreign or ForeignResources(),
            trace=True,
        )

    def add(self, name: str, path: Path) -> None:
        self.library.add_file(name, path)

    def run(
        self,
        flow: str,
        *answers: str | None,
        channel: str = "VOICE",
        at: datetime = TUESDAY_MORNING,
        **contact: Any,
    ) -> FlowOutcome:
        customer = ScriptedCustomer(answers)
        outcome = self.engine.run(
            flow, Contact(channel=channel, **contact), customer=customer, at=at
        )
        outcome.contact.attributes.setdefault("_prompts", str(len(customer.prompts)))
        return outcome


def said(outcome: FlowOutcome) -> list[str]:
    return outcome.said()


def prompts(outcome: FlowOutcome) -> int:
    return int(outcome.contact.attributes["_prompts"])


# -- Wait, channel by channel ----------------------------------------------------------------------


def test_a_chat_customer_who_writes_back_ends_the_wait_as_customer_returned() -> None:
    outcome = ThirdParty().run("wait_for_customer", "I'm back", channel="CHAT")
    assert said(outcome)[-1] == "Welcome back."
    assert outcome.seconds_in_flow == 0  # the message came before the timer ran out
    assert [step.result for step in outcome.steps if step.action == "wait"] == ["CustomerReturned"]


def test_a_silent_chat_waits_the_whole_timer_then_times_out() -> None:
    outcome = ThirdParty().run("wait_for_customer", None, channel="CHAT")
    assert said(outcome)[-1] == "Nobody came back: closing."
    assert outcome.seconds_in_flow == 600  # TimeLimitSeconds, not a default


def test_an_email_customer_who_replies_returns_too() -> None:
    outcome = ThirdParty().run("wait_for_customer", "Re: your case", channel="EMAIL")
    assert said(outcome)[-1] == "Welcome back."


def test_a_task_never_returns_its_wait_runs_out_and_takes_no_input() -> None:
    outcome = ThirdParty().run("wait_for_customer", "a stray input", channel="TASK")
    assert said(outcome)[-1] == "Nobody came back: closing."
    assert outcome.seconds_in_flow == 600
    assert prompts(outcome) == 0  # nothing was asked of the task
    assert [turn.speaker for turn in outcome.transcript] == ["system", "system"]


def test_a_caller_in_an_inbound_flow_holds_for_the_timer() -> None:
    outcome = ThirdParty().run("wait_for_customer", "1")
    assert said(outcome)[-1] == "Nobody came back: closing."
    assert prompts(outcome) == 0  # a caller cannot "return" by pressing keys
    assert outcome.seconds_in_flow >= 600


def test_a_caller_waiting_in_a_customer_queue_flow_takes_the_error_branch(tmp_path: Path) -> None:
    document = json.loads((FIXTURES / "wait_for_customer.json").read_text(encoding="utf-8"))
    document["Type"] = "CUSTOMER_QUEUE"
    path = tmp_path / "wait_in_queue.json"
    path.write_text(json.dumps(document), encoding="utf-8")
    runner = ThirdParty()
    runner.add("wait_in_queue", path)

    assert said(runner.run("wait_in_queue"))[-1] == "This contact cannot wait here."
    assert said(runner.run("wait_in_queue", "hi", channel="CHAT"))[-1] == "Welcome back."


def test_a_wait_adds_no_empty_line_to_the_transcript() -> None:
    for channel in ("VOICE", "CHAT", "TASK", "EMAIL"):
        outcome = ThirdParty().run("wait_for_customer", channel=channel)
        assert all(turn.text for turn in outcome.transcript), channel


def wait_flow(tmp_path: Path, parameters: dict[str, Any]) -> ThirdParty:
    document = json.loads((FIXTURES / "wait_for_customer.json").read_text(encoding="utf-8"))
    wait = next(a for a in document["Content"]["Actions"] if a["Identifier"] == "wait")
    wait["Parameters"] = parameters
    path = tmp_path / "wait_variant.json"
    path.write_text(json.dumps(document), encoding="utf-8")
    runner = ThirdParty()
    runner.add("wait_variant", path)
    return runner


def test_a_timer_from_a_reference_is_honoured_and_a_missing_one_is_an_error(
    tmp_path: Path,
) -> None:
    runner = wait_flow(tmp_path, {"TimeoutSeconds": "$.Attributes.patience"})
    outcome = runner.run("wait_variant", channel="CHAT", attributes={"patience": "90"})
    assert (said(outcome)[-1], outcome.seconds_in_flow) == ("Nobody came back: closing.", 90)
    unset = runner.run("wait_variant", channel="CHAT")
    assert said(unset)[-1] == "This contact cannot wait here."
    assert unset.errors[-1].error_type == "NoMatchingError"


def test_without_the_customer_returned_event_a_message_does_not_interrupt(tmp_path: Path) -> None:
    runner = wait_flow(tmp_path, {"TimeoutSeconds": 120})
    outcome = runner.run("wait_variant", "hello?", channel="CHAT")
    assert (said(outcome)[-1], outcome.seconds_in_flow) == ("Nobody came back: closing.", 120)
    assert prompts(outcome) == 0


def test_waiting_for_a_bot_participant_that_never_joined_is_participant_not_found(
    tmp_path: Path,
) -> None:
    runner = wait_flow(tmp_path, {"TimeoutSeconds": 60, "Events": ["BotParticipantDisconnected"]})
    chat = runner.run("wait_variant", channel="CHAT")
    assert chat.errors[-1].error_type == "ParticipantNotFound"  # falls to NoMatchingError's branch
    assert said(chat)[-1] == "This contact cannot wait here."
    # "Task: always branches to Time Expired or Error. It never branches to ... Participant not
    # found."
    task = runner.run("wait_variant", channel="TASK")
    assert said(task)[-1] == "Nobody came back: closing."


def test_a_task_is_routed_after_its_wait_and_never_takes_the_returned_branch() -> None:
    outcome = ThirdParty().run(
        "task_routing",
        channel="TASK",
        attributes={"delaySeconds": "3600", "queueArn": SALES_ARN},
    )
    assert outcome.reached_queue and outcome.queue == "BasicQueue"
    assert outcome.seconds_in_flow == 3600
    assert "impossible" not in outcome.attributes


# -- queue, hold and module flows --------------------------------------------------------------


def queued_contact() -> dict[str, Any]:
    library = FlowLibrary(lambdas=[])
    return {
        "queue": library.named("queue", "BasicQueue"),
        "customer_endpoint": Contact.phone("+15555550143"),
    }


def test_a_short_wait_in_the_queue_flow_is_just_hold_messages() -> None:
    runner = ThirdParty()
    outcome = runner.engine.run(
        "customer_queue", Contact(**queued_contact()), at=TUESDAY_MORNING, queue_wait=45
    )
    assert outcome.ended_by == "holding"
    assert outcome.said() == ["All our agents are busy.", "[prompt music]"]


def test_a_long_wait_offers_a_callback_every_minute_and_books_it() -> None:
    runner = ThirdParty()
    outcome = runner.engine.run(
        "customer_queue",
        Contact(**queued_contact()),
        customer=ScriptedCustomer([None, "1"]),
        at=TUESDAY_MORNING,
        queue_wait=600,
    )
    assert outcome.said().count("Press 1 to be called back.") == 2
    assert outcome.callback is not None and outcome.callback.queue is not None
    assert (outcome.callback.number, outcome.callback.queue.name) == ("+15555550143", "BasicQueue")
    assert outcome.ended_by == "disconnect"


def test_a_hold_flow_plays_until_the_agent_resumes() -> None:
    outcome = ThirdParty().run("customer_hold")
    assert outcome.ended_by == "holding"
    assert outcome.said() == ["Thank you for holding."]


def test_a_loaded_module_runs_and_returns(tmp_path: Path) -> None:
    runner = ThirdParty()
    document = json.loads((FIXTURES / "uses_modules.json").read_text(encoding="utf-8"))
    module = document["Content"]["Actions"][0]
    module["Parameters"]["FlowModuleId"] = runner.library.arn("flow", "greeting_module")
    path = tmp_path / "uses_loaded_module.json"
    path.write_text(json.dumps(document), encoding="utf-8")
    runner.add("uses_loaded_module", path)

    outcome = runner.run("uses_loaded_module")
    assert outcome.said()[:2] == ["Hello from the module.", "Back in the main flow."]
    assert [step.flow for step in outcome.steps][:3] == [
        "uses_loaded_module",
        "greeting_module",
        "greeting_module",
    ]


def test_a_module_of_another_instance_returns_at_once_with_a_warning() -> None:
    outcome = ThirdParty().run("uses_modules")
    assert outcome.said() == ["Back in the main flow."]
    assert any("'Authenticate caller'" in w and "not loaded" in w for w in outcome.warnings)


def test_a_transfer_to_a_flow_of_another_instance_ends_the_run_there() -> None:
    outcome = ThirdParty().run("uses_modules")
    assert outcome.ended_by == "other_flow"
    assert outcome.transferred_to is not None and "('Main menu')" in outcome.transferred_to


# -- another instance's hours, queues and functions ---------------------------------------------


def test_without_hours_every_check_is_open_with_a_warning() -> None:
    outcome = ThirdParty().run("foreign_inbound", "2", at=TUESDAY_NIGHT)
    assert outcome.reached_queue
    assert outcome.warnings[0] == "no hours of operation given: every hours check is open"


@pytest.mark.parametrize(
    ("at", "open_"),
    [(TUESDAY_MORNING, True), (TUESDAY_NIGHT, False), (THANKSGIVING_MORNING, False)],
)
def test_hours_from_a_file_decide_in_their_own_time_zone(at: datetime, open_: bool) -> None:
    outcome = ThirdParty(ForeignResources(hours=fixture_hours())).run("foreign_inbound", "2", at=at)
    assert outcome.reached_queue is open_
    assert not any("hours" in warning for warning in outcome.warnings)


def test_foreign_queues_go_to_the_default_queue_and_are_listed() -> None:
    outcome = ThirdParty().run("foreign_inbound", "1")
    assert (outcome.queue, outcome.reached_queue) == ("BasicQueue", True)
    ((reference, (local, by_map)),) = outcome.foreign_queues.items()
    assert reference == f"{SALES_ARN} ('Sales')" and (local, by_map) == ("BasicQueue", False)


def test_a_queue_map_names_the_local_queue_by_the_exports_queue_name() -> None:
    runner = ThirdParty(ForeignResources(queue_map=fixture_queue_map()))
    sales = runner.run("foreign_inbound", "1")
    assert sales.queue == "billing"
    assert list(sales.foreign_queues.values()) == [("billing", True)]
    support = runner.run("foreign_inbound", "2")  # not in the map
    assert support.queue == "BasicQueue"


@pytest.mark.parametrize("key", [SALES_ARN, SALES_ARN.rsplit("/", 1)[-1], "Sales"])
def test_a_queue_map_key_is_an_arn_an_id_or_a_name(key: str) -> None:
    foreign = ForeignResources(queue_map={key: "sales_team"}, default_queue="everyone")
    assert foreign.queue_name(SALES_ARN, ["Sales"]) == ("sales_team", key)
    assert foreign.queue_name("arn:aws:connect:x:1:instance/i/queue/other") == ("everyone", None)


def test_an_empty_queue_reference_is_still_the_error_branch() -> None:
    outcome = ThirdParty().run("task_routing", channel="TASK", attributes={"delaySeconds": "5"})
    assert not outcome.reached_queue  # $.Attributes.queueArn is unset: Connect errors too
    assert outcome.errors[-1].action == "queue"


def test_a_function_of_another_instance_takes_the_error_branch_with_a_warning() -> None:
    outcome = ThirdParty().run("foreign_inbound", "2")
    assert [e.action for e in outcome.errors] == ["lookup"]
    assert any("crm-lookup" in w and "Error branch" in w for w in outcome.warnings)


def test_stage_flows_without_foreign_resources_still_error_on_unknown_queues(
    dev_config: ContactCenterConfig,
) -> None:
    library = FlowLibrary.for_stage(dev_config, lambdas=[])
    library.add_file("foreign_inbound", FIXTURES / "foreign_inbound.json")
    engine = FlowInterpreter(library, lambdas=LambdaRegistry(discover=False))
    outcome = engine.run(
        "foreign_inbound",
        Contact(customer_endpoint=Contact.phone("+15555550143")),
        customer=ScriptedCustomer(["1"]),
        at=TUESDAY_MORNING,
    )
    assert not outcome.reached_queue  # the foreign hours are unknown: the error branch
    assert outcome.said()[-1].startswith("We are closed")
    assert outcome.warnings == []


def test_hours_and_queue_map_files_name_what_is_wrong() -> None:
    with pytest.raises(ValueError, match=r"weekly\.MONDAY\.0: .*end 08:00 must be after"):
        parse_hours(
            {"time_zone": "UTC", "weekly": {"MONDAY": [{"start": "09:00", "end": "08:00"}]}}
        )
    with pytest.raises(ValueError, match="time_zone"):
        parse_hours({"time_zone": "Mars/Olympus", "weekly": {}})
    with pytest.raises(ValueError, match="mapping"):
        parse_hours(["MONDAY"])
    with pytest.raises(ValueError, match="'Sales'"):
        parse_queue_map({"Sales": {"queue": "billing"}})


# -- Lex and the simulated actions --------------------------------------------------------------


def one_action_flow(tmp_path: Path, action: dict[str, Any]) -> ThirdParty:
    document = {
        "Version": "2019-10-30",
        "StartAction": action["Identifier"],
        "Actions": [
            action,
            {
                "Identifier": "yes",
                "Type": "MessageParticipant",
                "Parameters": {"Text": "yes"},
                "Transitions": {"NextAction": "end"},
            },
            {
                "Identifier": "no",
                "Type": "MessageParticipant",
                "Parameters": {"Text": "no"},
                "Transitions": {"NextAction": "end"},
            },
            {"Identifier": "end", "Type": "DisconnectParticipant", "Parameters": {}},
        ],
    }
    path = tmp_path / "one.json"
    path.write_text(json.dumps(document), encoding="utf-8")
    runner = ThirdParty()
    runner.add("one", path)
    return runner


def test_a_bot_that_is_not_the_projects_takes_the_input_as_the_intent_with_a_warning(
    tmp_path: Path,
) -> None:
    bot = {
        "Identifier": "bot",
        "Type": "ConnectParticipantWithLexBot",
        "Parameters": {
            "Text": "How can I help?",
            "LexV2Bot": {"AliasArn": "arn:aws:lex:us-west-2:111122223333:bot-alias/B/A"},
        },
        "Transitions": {
            "NextAction": "no",
            "Conditions": [
                {"NextAction": "yes", "Condition": {"Operator": "Equals", "Operands": ["Billing"]}}
            ],
            "Errors": [{"ErrorType": "NoMatchingCondition", "NextAction": "no"}],
        },
    }
    outcome = one_action_flow(tmp_path, bot).run("one", "billing", channel="CHAT")
    assert outcome.said()[-1] == "yes"
    assert "bot-alias/B/A" in outcome.warnings[0] and "intent" in outcome.warnings[0]


def test_a_simulated_action_takes_its_success_result_and_is_named(tmp_path: Path) -> None:
    check = {
        "Identifier": "status",
        "Type": "CheckOutboundCallStatus",
        "Parameters": {},
        "Transitions": {
            "NextAction": "no",
            "Conditions": [
                {
                    "NextAction": "yes",
                    "Condition": {"Operator": "Equals", "Operands": ["CallAnswered"]},
                },
                {
                    "NextAction": "no",
                    "Condition": {"Operator": "Equals", "Operands": ["VoicemailBeep"]},
                },
            ],
            "Errors": [{"ErrorType": "NoMatchingError", "NextAction": "no"}],
        },
    }
    outcome = one_action_flow(tmp_path, check).run("one")
    assert outcome.said() == ["yes"]
    assert outcome.simulated == ["CheckOutboundCallStatus"]
    assert outcome.steps[0].simulated and outcome.steps[0].result == "CallAnswered"


def test_the_simulated_actions_are_the_catalogs_reviewed_list() -> None:
    assert set(SIMULATED_ACTIONS) == SIMULATED


def test_every_action_type_of_the_catalog_is_interpreted_or_simulated() -> None:
    assert set(CATALOG) <= SUPPORTED_ACTIONS
    assert not INTERPRETED_ACTIONS & SIMULATED
