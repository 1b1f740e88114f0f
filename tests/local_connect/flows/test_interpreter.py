"""The flow interpreter, action by action, on small flows written for each behaviour."""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from config import ContactCenterConfig
from local_connect.flows import (
    Contact,
    FlowInterpreter,
    FlowLibrary,
    FlowLoopError,
    LambdaRegistry,
    ScriptedCustomer,
    StaticQueues,
    UnsupportedActionError,
)

# Tuesday 24 November 2026, 10:00 in Chicago (business hours are 08:00-18:00).
OPEN = datetime(2026, 11, 24, 16, 0, tzinfo=UTC)
CALLER = "+13125550143"


def act(
    identifier: str,
    action_type: str,
    parameters: dict[str, Any] | None = None,
    *,
    next_action: str | None = None,
    errors: dict[str, str] | None = None,
    conditions: list[tuple[str, str, str]] | None = None,
) -> dict[str, Any]:
    """One flow-language action: conditions are (operator, operand, target)."""
    transitions: dict[str, Any] = {}
    if next_action:
        transitions["NextAction"] = next_action
    if errors:
        transitions["Errors"] = [{"ErrorType": e, "NextAction": t} for e, t in errors.items()]
    if conditions:
        transitions["Conditions"] = [
            {"NextAction": target, "Condition": {"Operator": op, "Operands": [operand]}}
            for op, operand, target in conditions
        ]
    return {
        "Identifier": identifier,
        "Type": action_type,
        "Parameters": parameters or {},
        "Transitions": transitions,
    }


def say(identifier: str, text: str, next_action: str = "end") -> dict[str, Any]:
    return act(
        identifier,
        "MessageParticipant",
        {"Text": text},
        next_action=next_action,
        errors={"NoMatchingError": next_action},
    )


END = act("end", "DisconnectParticipant")


class Harness:
    """Writes test flows next to the stage's own and runs them."""

    def __init__(self, tmp_path: Path, config: ContactCenterConfig) -> None:
        self.tmp_path = tmp_path
        self.lambdas = LambdaRegistry(discover=False)
        self.queues = StaticQueues()
        self.library = FlowLibrary.for_stage(
            config, lambdas=["crm_lookup", "routing", "echo", "slow", "broken", "nested"]
        )
        self.engine = FlowInterpreter(self.library, lambdas=self.lambdas, queues=self.queues)

    def flow(self, name: str, *actions: dict[str, Any]) -> str:
        document = {"Version": "2019-10-30", "StartAction": actions[0]["Identifier"]}
        document["Actions"] = (
            [*actions, END] if all(a["Identifier"] != "end" for a in actions) else list(actions)
        )
        path = self.tmp_path / f"{name}.json"
        path.write_text(json.dumps(document), encoding="utf-8")
        self.library.add_file(name, path)
        return name

    def run(self, name: str, *answers: str | None, **kwargs: Any) -> Any:
        contact = kwargs.pop("contact", None) or Contact(
            channel=kwargs.pop("channel", "VOICE"), customer_endpoint=Contact.phone(CALLER)
        )
        return self.engine.run(
            name, contact, customer=ScriptedCustomer(answers), at=kwargs.pop("at", OPEN), **kwargs
        )


@pytest.fixture()
def h(tmp_path: Path, dev_config: ContactCenterConfig) -> Harness:
    return Harness(tmp_path, dev_config)


# -- participant actions ---------------------------------------------------------------------------


def test_message_participant_renders_references_and_leaves_missing_ones_empty(h: Harness) -> None:
    h.flow("f", say("hi", "Hello $.Attributes.firstName, on $.Channel. Code: $.Attributes.none."))
    outcome = h.run("f", contact=Contact(channel="CHAT", attributes={"firstName": "Ana"}))
    assert outcome.said() == ["Hello Ana, on CHAT. Code: ."]
    assert outcome.ended_by == "disconnect" and outcome.self_service


def test_dtmf_input_branches_on_the_first_digit_times_out_and_refuses_others(h: Harness) -> None:
    menu = act(
        "menu",
        "GetParticipantInput",
        {"Text": "Press 1 or 2", "StoreInput": "False", "InputTimeLimitSeconds": "5"},
        errors={
            "InputTimeLimitExceeded": "timeout",
            "NoMatchingCondition": "invalid",
            "NoMatchingError": "end",
        },
        conditions=[("Equals", "1", "one"), ("Equals", "2", "two")],
    )
    h.flow(
        "menu",
        menu,
        say("one", "one"),
        say("two", "two"),
        say("timeout", "timeout"),
        say("invalid", "invalid"),
    )

    assert h.run("menu", "12").said()[-1] == "one"  # one digit only without StoreInput
    assert h.run("menu", "2").said()[-1] == "two"
    silent = h.run("menu")
    assert silent.said()[-1] == "timeout" and silent.seconds_in_flow >= 5
    wrong = h.run("menu", "7")
    assert wrong.said()[-1] == "invalid"
    assert [e.error_type for e in wrong.errors] == ["NoMatchingCondition"]


def test_chat_input_compares_the_whole_message(h: Harness) -> None:
    ask = act(
        "ask",
        "GetParticipantInput",
        {"Text": "Type billing or other", "InputTimeLimitSeconds": "60"},
        errors={"NoMatchingCondition": "end", "InputTimeLimitExceeded": "end"},
        conditions=[("Equals", "billing", "billing")],
    )
    h.flow("chat", ask, say("billing", "to billing"))
    outcome = h.run("chat", "billing", channel="CHAT")
    assert outcome.said() == ["Type billing or other", "to billing"]
    assert [t.speaker for t in outcome.transcript] == ["system", "customer", "system"]


def test_stored_input_is_validated_as_a_phone_number_and_readable_afterwards(h: Harness) -> None:
    ask = act(
        "ask",
        "GetParticipantInput",
        {
            "Text": "Your number?",
            "StoreInput": "True",
            "InputTimeLimitSeconds": "5",
            "InputValidation": {
                "PhoneNumberValidation": {"NumberFormat": "Local", "CountryCode": "US"}
            },
        },
        next_action="save",
        errors={"InvalidPhoneNumber": "bad", "NoMatchingError": "end"},
    )
    save = act(
        "save",
        "UpdateContactAttributes",
        {"Attributes": {"callbackTo": "$.StoredCustomerInput"}},
        next_action="end",
        errors={"NoMatchingError": "end"},
    )
    h.flow("number", ask, save, say("bad", "bad number"))
    assert h.run("number", "(312) 555-0143").attributes == {"callbackTo": "+13125550143"}
    assert h.run("number", "12").said()[-1] == "bad number"


# -- contact attributes and comparisons ------------------------------------------------------------


@pytest.mark.parametrize(
    ("operator", "operand", "value", "matches"),
    [
        ("Equals", "vip", "vip", True),
        ("Equals", "vip", "VIP", False),
        ("TextStartsWith", "out", "outage", True),
        ("TextEndsWith", "age", "outage", True),
        ("TextContains", "tag", "outage", True),
        ("NumberGreaterThan", "2", "3", True),
        ("NumberGreaterThan", "3", "3", False),
        ("NumberGreaterOrEqualTo", "3", "3", True),
        ("NumberLessThan", "10", "9.5", True),
        ("NumberLessOrEqualTo", "2", "two", False),
    ],
)
def test_compare_operators(
    h: Harness, operator: str, operand: str, value: str, matches: bool
) -> None:
    compare = act(
        "compare",
        "Compare",
        {"ComparisonValue": "$.Attributes.value"},
        errors={"NoMatchingCondition": "no"},
        conditions=[(operator, operand, "yes")],
    )
    h.flow("compare", compare, say("yes", "yes"), say("no", "no"))
    outcome = h.run("compare", contact=Contact(attributes={"value": value}))
    assert outcome.said() == ["yes" if matches else "no"]


def test_an_attribute_referring_to_nothing_fails_the_block_and_sets_nothing(h: Harness) -> None:
    update = act(
        "set",
        "UpdateContactAttributes",
        {"Attributes": {"a": "static", "b": "$.External.missing"}},
        next_action="end",
        errors={"NoMatchingError": "failed"},
    )
    h.flow("attrs", update, say("failed", "failed"))
    outcome = h.run("attrs")
    assert outcome.attributes == {}
    assert outcome.said() == ["failed"]


def test_flow_attributes_belong_to_the_flow_and_read_as_flow_attributes(h: Harness) -> None:
    flags = act(
        "flags",
        "UpdateFlowAttributes",
        {"FlowAttributes": {"callbacks": {"Value": "${setting:callbacks.enabled}"}}},
        next_action="show",
    )
    h.flow("flags", flags, say("show", "callbacks=$.FlowAttributes.callbacks"))
    outcome = h.run("flags")
    assert outcome.said() == ["callbacks=true"]
    assert outcome.flow_attributes == {"callbacks": "true"}
    assert outcome.attributes == {}  # not contact attributes: never in the contact record


# -- Lambda ----------------------------------------------------------------------------------------


def lambda_flow(h: Harness, function: str, **parameters: Any) -> str:
    invoke = act(
        "invoke",
        "InvokeLambdaFunction",
        {
            "LambdaFunctionARN": f"${{lambda:{function}}}",
            "InvocationTimeLimitSeconds": "3",
            "LambdaInvocationAttributes": {"intent": "$.Attributes.intent"},
            **parameters,
        },
        next_action="show",
        errors={"NoMatchingError": "failed"},
    )
    return h.flow(
        f"call_{function}", invoke, say("show", "got $.External.answer"), say("failed", "failed")
    )


def test_a_lambda_gets_connects_event_and_its_answer_is_external(h: Harness) -> None:
    received: list[dict[str, Any]] = []

    def echo(event: dict[str, Any], context: Any) -> dict[str, str]:
        received.append(event)
        assert context.get_remaining_time_in_millis() > 2000
        return {"answer": event["Details"]["Parameters"]["intent"]}

    h.lambdas.register("echo", echo)
    contact = Contact(
        channel="VOICE",
        customer_endpoint=Contact.phone(CALLER),
        system_endpoint=Contact.phone("+18005550100"),
        attributes={"intent": "billing"},
    )
    outcome = h.run(lambda_flow(h, "echo"), contact=contact)

    assert outcome.said() == ["got billing"]
    assert outcome.external == {"answer": "billing"}
    event = received[0]
    assert event["Name"] == "ContactFlowEvent"
    data = event["Details"]["ContactData"]
    assert data["ContactId"] == contact.contact_id == data["InitialContactId"]
    assert data["Channel"] == "VOICE" and data["InitiationMethod"] == "INBOUND"
    assert data["CustomerEndpoint"] == {"Address": CALLER, "Type": "TELEPHONE_NUMBER"}
    assert data["Attributes"] == {"intent": "billing"}
    assert data["InstanceARN"] == h.library.instance_arn
    assert event["Details"]["Parameters"] == {"intent": "billing"}


def test_the_event_carries_every_field_of_a_real_connect_event(
    h: Harness, realworld_dir: Path
) -> None:
    received: list[dict[str, Any]] = []

    def echo(event: dict[str, Any], context: Any) -> dict[str, str]:
        received.append(event)
        return {"answer": "x"}

    h.lambdas.register("echo", echo)
    h.run(lambda_flow(h, "echo"))
    sample = json.loads(
        (realworld_dir / "lambda_events" / "powertools_connectContactFlowEventAll.json").read_text()
    )
    assert set(sample) <= set(received[0])
    assert set(sample["Details"]["ContactData"]) <= set(received[0]["Details"]["ContactData"])


@pytest.mark.parametrize(
    ("handler", "problem"),
    [
        (lambda event, context: 1 / 0, "raised ZeroDivisionError"),
        (lambda event, context: {"answer": {"nested": "x"}}, "invalid answer"),
        (lambda event, context: ["not", "a", "map"], "invalid answer"),
        (lambda event, context: {"answer": "x" * 40_000}, "over Connect's 32 KB"),
    ],
)
def test_a_failing_lambda_takes_the_error_branch(
    h: Harness, handler: Callable[[Any, Any], Any], problem: str
) -> None:
    h.lambdas.register("broken", handler)
    outcome = h.run(lambda_flow(h, "broken"))
    assert outcome.said() == ["failed"]
    assert problem in (outcome.lambda_calls[0].error or "")
    assert outcome.errors[0].error_type == "NoMatchingError"


def test_a_lambda_slower_than_the_block_limit_takes_the_error_branch(
    tmp_path: Path, dev_config: ContactCenterConfig
) -> None:
    now = [0.0]
    h = Harness(tmp_path, dev_config)
    h.lambdas = LambdaRegistry(discover=False, timer=lambda: now[0])
    h.engine = FlowInterpreter(h.library, lambdas=h.lambdas)

    def slow(event: dict[str, Any], context: Any) -> dict[str, str]:
        now[0] += 3.5  # the block allows 3 s
        return {"answer": "late"}

    h.lambdas.register("slow", slow)
    outcome = h.run(lambda_flow(h, "slow"))
    assert outcome.said() == ["failed"]
    assert outcome.lambda_calls[0].error == "timed out after 3 s"


def test_json_response_validation_keeps_nested_answers(h: Harness) -> None:
    h.lambdas.register("nested", lambda event, _: {"answer": {"deep": "value"}})
    name = lambda_flow(h, "nested", ResponseValidation={"ResponseType": "JSON"})
    h.library.add_file(name, h.tmp_path / f"{name}.json")
    outcome = h.run(name)
    assert outcome.external == {"answer": {"deep": "value"}}


def test_a_function_that_does_not_exist_takes_the_error_branch(h: Harness) -> None:
    invoke = act(
        "invoke",
        "InvokeLambdaFunction",
        {
            "LambdaFunctionARN": "arn:aws:lambda:us-east-1:1:function:gone",
            "InvocationTimeLimitSeconds": "3",
        },
        next_action="end",
        errors={"NoMatchingError": "failed"},
    )
    h.flow("gone", invoke, say("failed", "failed"))
    outcome = h.run("gone")
    assert outcome.said() == ["failed"] and outcome.lambda_calls[0].error == "no such function"


# -- queues and routing ----------------------------------------------------------------------------


def queue_flow(h: Harness, queue_ref: str) -> str:
    return h.flow(
        "to_queue",
        act(
            "set-queue",
            "UpdateContactTargetQueue",
            {"QueueId": queue_ref},
            next_action="priority",
            errors={"NoMatchingError": "no-queue"},
        ),
        act(
            "priority",
            "UpdateContactRoutingBehavior",
            {"QueuePriority": "2"},
            next_action="transfer",
        ),
        act(
            "transfer",
            "TransferContactToQueue",
            {},
            next_action="end",
            errors={"QueueAtCapacity": "full", "NoMatchingError": "end"},
        ),
        say("no-queue", "no queue"),
        say("full", "queue full"),
    )


def test_a_contact_reaches_the_queue_the_flow_set_with_its_priority(h: Harness) -> None:
    outcome = h.run(queue_flow(h, "${queue:billing}"))
    assert outcome.reached_queue and not outcome.self_service
    assert (outcome.queue, outcome.priority) == ("billing", 2)


def test_a_queue_arn_a_lambda_returns_resolves_to_the_same_queue(h: Harness) -> None:
    arn = h.library.arn("queue", "support")
    outcome = h.run(
        queue_flow(h, "$.Attributes.queueArn"), contact=Contact(attributes={"queueArn": arn})
    )
    assert outcome.queue == "support"


def test_unknown_queue_and_full_queue_take_their_branches(h: Harness) -> None:
    assert h.run(queue_flow(h, "arn:aws:connect:us-east-1:1:instance/x/queue/y")).said() == [
        "no queue"
    ]
    h.queues.sizes["billing"] = 200
    h.queues.capacity["billing"] = 200
    full = h.run(queue_flow(h, "${queue:billing}"))
    assert full.said() == ["queue full"]
    assert full.errors[0].error_type == "QueueAtCapacity"


def test_transfer_without_a_target_queue_is_an_error(h: Harness) -> None:
    h.flow(
        "no_target",
        act("transfer", "TransferContactToQueue", {}, errors={"NoMatchingError": "oops"}),
        say("oops", "no target"),
    )
    assert h.run("no_target").said() == ["no target"]


@pytest.mark.parametrize(
    ("moment", "is_open"),
    [
        (datetime(2026, 11, 24, 16, 0, tzinfo=UTC), True),  # Tue 10:00 Chicago
        (datetime(2026, 11, 24, 13, 59, tzinfo=UTC), False),  # Tue 07:59 Chicago
        (datetime(2026, 11, 25, 0, 0, tzinfo=UTC), False),  # Tue 18:00 Chicago: end excluded
        (datetime(2026, 11, 26, 16, 0, tzinfo=UTC), False),  # Thanksgiving, closed all day
        (datetime(2026, 12, 24, 17, 0, tzinfo=UTC), True),  # Christmas Eve 11:00, reduced hours
        (datetime(2026, 12, 24, 19, 0, tzinfo=UTC), False),  # Christmas Eve 13:00
        (datetime(2026, 11, 29, 16, 0, tzinfo=UTC), False),  # Sunday
        (datetime(2026, 7, 6, 13, 30, tzinfo=UTC), True),  # Mon 08:30 in summer time (UTC-5)
    ],
)
def test_hours_of_operation_in_the_hours_time_zone_with_holidays(
    h: Harness, moment: datetime, is_open: bool
) -> None:
    check = act(
        "hours",
        "CheckHoursOfOperation",
        {"HoursOfOperationId": "${hours:business}"},
        errors={"NoMatchingError": "end"},
        conditions=[("Equals", "True", "open"), ("Equals", "False", "closed")],
    )
    h.flow("hours", check, say("open", "open"), say("closed", "closed"))
    assert h.run("hours", at=moment).said() == ["open" if is_open else "closed"]


def test_hours_default_to_the_target_queues_hours(h: Harness) -> None:
    h.flow(
        "queue_hours",
        act("q", "UpdateContactTargetQueue", {"QueueId": "${queue:support}"}, next_action="hours"),
        act(
            "hours",
            "CheckHoursOfOperation",
            {},
            errors={"NoMatchingError": "end"},
            conditions=[("Equals", "True", "open"), ("Equals", "False", "closed")],
        ),
        say("open", "open"),
        say("closed", "closed"),
    )
    # Sunday 03:00 Chicago: business hours are closed, the outage line is not.
    assert h.run("queue_hours", at=datetime(2026, 11, 29, 9, 0, tzinfo=UTC)).said() == ["open"]


def test_queue_metrics_are_readable_and_checkable(h: Harness) -> None:
    h.queues.sizes["billing"] = 7
    h.queues.agents_available = 0
    h.flow(
        "metrics",
        act("q", "UpdateContactTargetQueue", {"QueueId": "${queue:billing}"}, next_action="get"),
        act("get", "GetMetricData", {}, next_action="say", errors={"NoMatchingError": "end"}),
        say("say", "$.Metrics.Queue.Size waiting", next_action="check"),
        act(
            "check",
            "CheckMetricData",
            {"MetricType": "NumberOfAgentsAvailable"},
            errors={"NoMatchingCondition": "none", "NoMatchingError": "end"},
            conditions=[("NumberGreaterThan", "0", "some")],
        ),
        say("some", "agents free"),
        say("none", "no agent free"),
    )
    assert h.run("metrics").said() == ["7 waiting", "no agent free"]


def test_event_hooks_name_the_flows_they_point_at(h: Harness) -> None:
    h.flow(
        "hooks",
        act(
            "hooks",
            "UpdateContactEventHooks",
            {"EventHooks": {"CustomerQueue": "${flow:customer_queue}"}},
            next_action="end",
        ),
    )
    assert h.run("hooks").contact.event_hooks == {"CustomerQueue": "customer_queue"}


# -- flow control ----------------------------------------------------------------------------------


def test_loop_continues_count_times_then_is_done_and_starts_over(h: Harness) -> None:
    h.flow(
        "loop",
        act(
            "loop",
            "Loop",
            {"LoopCount": "2"},
            conditions=[("Equals", "ContinueLooping", "again"), ("Equals", "DoneLooping", "done")],
        ),
        say("again", "again", next_action="loop"),
        say("done", "done"),
    )
    assert h.run("loop").said() == ["again", "again", "done"]


def test_an_unbounded_loop_is_stopped_with_a_clear_error(h: Harness) -> None:
    h.flow("forever", say("a", "a", next_action="b"), say("b", "b", next_action="a"))
    with pytest.raises(FlowLoopError, match="forever"):
        h.run("forever")


def test_transfer_to_flow_continues_there_and_modules_return(h: Harness) -> None:
    h.flow(
        "module", say("m", "in module", next_action="done"), act("done", "EndFlowModuleExecution")
    )
    h.flow("second", say("s", "in second"))
    h.flow(
        "first",
        act(
            "module",
            "InvokeFlowModule",
            {"FlowModuleId": h.library.arn("flow", "module")},
            next_action="after",
            errors={"NoMatchingError": "end"},
        ),
        say("after", "back in first", next_action="go"),
        act(
            "go",
            "TransferToFlow",
            {"ContactFlowId": h.library.arn("flow", "second")},
            errors={"NoMatchingError": "end"},
        ),
    )
    outcome = h.run("first")
    assert outcome.said() == ["in module", "back in first", "in second"]
    assert outcome.ended_in == "second"


def test_distribution_by_percentage_is_seeded(h: Harness) -> None:
    h.flow(
        "split",
        act(
            "split",
            "DistributeByPercentage",
            {},
            errors={"NoMatchingCondition": "b"},
            conditions=[("NumberLessThan", "31", "a")],
        ),
        say("a", "a"),
        say("b", "b"),
    )
    said = [h.run("split").said()[0] for _ in range(400)]
    assert 0.22 < said.count("a") / len(said) < 0.38


def test_hold_messages_are_interrupted_only_while_the_wait_lasts(h: Harness) -> None:
    h.flow(
        "queue",
        act(
            "hold",
            "MessageParticipantIteratively",
            {"Messages": [{"Text": "please hold"}], "InterruptFrequencySeconds": "60"},
            errors={"NoMatchingError": "end"},
            conditions=[("Equals", "MessagesInterrupted", "offer")],
        ),
        say("offer", "still here?", next_action="hold"),
    )
    long_wait = h.run("queue", queue_wait=150)
    assert long_wait.said() == [
        "please hold",
        "still here?",
        "please hold",
        "still here?",
        "please hold",
    ]
    assert long_wait.ended_by == "holding"
    assert h.run("queue", queue_wait=30).said() == ["please hold"]


def test_callbacks_are_booked_to_a_valid_number(h: Harness) -> None:
    h.flow(
        "callback",
        act(
            "number",
            "UpdateContactCallbackNumber",
            {"CallbackNumber": "$.CustomerEndpoint.Address"},
            next_action="book",
            errors={"InvalidCallbackNumber": "bad"},
        ),
        act(
            "book",
            "CreateCallbackContact",
            {
                "QueueId": "${queue:general}",
                "InitialCallDelaySeconds": "5",
                "MaximumConnectionAttempts": "2",
                "RetryDelaySeconds": "600",
            },
            next_action="end",
            errors={"NoMatchingError": "bad"},
        ),
        say("bad", "no callback"),
    )
    booked = h.run("callback").callback
    assert booked is not None and booked.queue is not None
    assert (booked.number, booked.queue.name, booked.max_attempts) == (CALLER, "general", 2)
    refused = h.run("callback", contact=Contact(customer_endpoint=Contact.phone("anonymous")))
    assert refused.callback is None and refused.said() == ["no callback"]


def test_chat_wait_knows_a_returning_customer_from_a_timeout(h: Harness) -> None:
    h.flow(
        "wait",
        act(
            "wait",
            "Wait",
            {"TimeoutSeconds": "300", "Events": ["CustomerReturned"]},
            errors={"NoMatchingError": "end"},
            conditions=[
                ("Equals", "CustomerReturned", "back"),
                ("Equals", "WaitCompleted", "gone"),
            ],
        ),
        say("back", "welcome back"),
        say("gone", "closing the chat"),
    )
    assert h.run("wait", "hello?", channel="CHAT").said()[-1] == "welcome back"
    assert h.run("wait", channel="CHAT").said()[-1] == "closing the chat"


def test_a_bot_block_takes_the_intent_the_customer_names(h: Harness) -> None:
    h.flow(
        "bot",
        act(
            "bot",
            "ConnectParticipantWithLexBot",
            {"Text": "How can I help?", "LexV2Bot": {"AliasArn": "x"}},
            errors={"NoMatchingCondition": "other", "NoMatchingError": "end"},
            conditions=[("Equals", "Billing", "billing")],
        ),
        say("billing", "billing: $.Lex.IntentName"),
        say("other", "other"),
    )
    assert h.run("bot", "billing", channel="CHAT").said()[-1] == "billing: billing"
    assert h.run("bot", "weather", channel="CHAT").said()[-1] == "other"


def test_contact_settings_voice_tags_and_data_are_kept(h: Harness) -> None:
    h.flow(
        "settings",
        act(
            "log",
            "UpdateFlowLoggingBehavior",
            {"FlowLoggingBehavior": "Enabled"},
            next_action="rec",
        ),
        act(
            "rec",
            "UpdateContactRecordingBehavior",
            {"RecordingBehavior": {"RecordedParticipants": ["Agent", "Customer"]}},
            next_action="voice",
        ),
        act(
            "voice",
            "UpdateContactTextToSpeechVoice",
            {"TextToSpeechVoice": "Lupe"},
            next_action="tag",
        ),
        act("tag", "TagContact", {"Tags": {"team": "billing"}}, next_action="data"),
        act(
            "data",
            "UpdateContactData",
            {"Name": "Bill question", "LanguageCode": "es-US"},
            next_action="end",
        ),
    )
    contact = h.run("settings").contact
    assert contact.settings["flow_logging"] == {"FlowLoggingBehavior": "Enabled"}
    assert contact.settings["recording"]["RecordingBehavior"]["RecordedParticipants"] == [
        "Agent",
        "Customer",
    ]
    assert (contact.text_to_speech_voice, contact.tags, contact.name, contact.language_code) == (
        "Lupe",
        {"team": "billing"},
        "Bill question",
        "es-US",
    )


def test_an_unknown_action_type_names_itself_the_flow_and_the_action(h: Harness) -> None:
    h.flow("odd", act("make-case", "SendCarrierPigeon", {"Destination": "x"}))
    with pytest.raises(UnsupportedActionError) as refused:
        h.run("odd")
    message = str(refused.value)
    assert "SendCarrierPigeon" in message and "'odd'" in message and "'make-case'" in message


def test_an_error_without_a_branch_ends_the_contact_as_an_error(h: Harness) -> None:
    h.flow("fragile", act("transfer", "TransferContactToQueue", {}))
    outcome = h.run("fragile")
    assert outcome.ended_by == "error"
    assert outcome.errors[0].handled is False


def test_an_interactive_run_pauses_at_each_prompt(h: Harness) -> None:
    ask = act(
        "ask",
        "GetParticipantInput",
        {"Text": "Name your topic", "InputTimeLimitSeconds": "60"},
        errors={"NoMatchingCondition": "other"},
        conditions=[("Equals", "billing", "billing")],
    )
    h.flow(
        "interactive",
        say("hi", "Hi", next_action="ask"),
        ask,
        say("billing", "Billing it is"),
        say("other", "Someone will help"),
    )
    run = h.engine.start("interactive", Contact(channel="CHAT"), at=OPEN)
    assert run.prompt is not None and run.prompt.text == "Name your topic"
    assert not run.finished
    assert run.outcome.said() == ["Hi", "Name your topic"]  # readable while the flow waits
    assert run.answer("billing") is None
    assert run.finished
    assert run.outcome.said() == ["Hi", "Name your topic", "Billing it is"]


def test_a_silent_customer_hangs_up_instead_of_being_asked_forever(h: Harness) -> None:
    ask = act(
        "ask",
        "GetParticipantInput",
        {"Text": "Your account number?", "StoreInput": "True", "InputTimeLimitSeconds": "5"},
        next_action="end",
        errors={"NoMatchingError": "retry"},
    )
    h.flow("nag", ask, say("retry", "Sorry, again.", next_action="ask"))
    outcome = h.engine.run("nag", Contact(), customer=ScriptedCustomer([], patience=2), at=OPEN)
    assert outcome.ended_by == "customer_left" and outcome.self_service
    assert outcome.said().count("Your account number?") == 3

    run = h.engine.start("nag", Contact(channel="CHAT"), at=OPEN)
    assert run.hang_up().ended_by == "customer_left"


def test_flows_are_read_once(h: Harness) -> None:
    assert h.library.flow("inbound_voice") is h.library.flow("inbound_voice")
