"""No environment in logs: every handler, run with broken settings beside canary credentials,
logs and raises names and error types only, never a value of its environment.

In Lambda the environment holds the function's temporary credentials. A pydantic
ValidationError's text quotes its input (`input_value=...`), and for settings that input is the
whole environment, so any error path that logs or raises such text leaks them. Each handler
(found on disk: a new function is covered, or this test names it) gets a real-shaped event of
its source with its settings broken two ways at once: variables of plain text missing, every
other variable (numbers, JSON) holding a canary value of its own. Everything it writes is read
back: its Powertools logs and metrics, anything printed or sent through `logging`, and the error
it raised as Lambda's runtime would report it (message and traceback).
"""

from __future__ import annotations

import importlib
import json
import logging
import os
import traceback
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import boto3
import pytest
from pydantic import ValidationError

from lambdas.common.settings import EnvironmentSettings, RepeatContactSettings, SettingsError
from local_connect.runtime.lambda_runtime import Invocation, LocalLambda
from tests.lambdas.analytics import ctr
from tests.lambdas.chat_start.conftest import form, rest_event
from tests.lambdas.connect_events import flow_event
from tests.lambdas.delivery_events.test_handler import _event_publishing, sns_event
from tests.lambdas.follow_up.test_handler import contact
from tests.lambdas.follow_up.test_handler import kinesis_event as follow_up_batch
from tests.lambdas.inbound_email.test_handler import ses_event
from tests.lambdas.notify.conftest import sqs_event
from tests.lambdas.notify.test_handler import reminder

LAMBDAS_DIR = Path(__file__).resolve().parents[2] / "lambdas"
# What Lambda's environment holds beside our settings: the credentials of the function's role,
# and whatever else the deployment sets.
CANARY_ENVIRONMENT = {
    "AWS_ACCESS_KEY_ID": "ASIACANARY0000000123",
    "AWS_SECRET_ACCESS_KEY": "canary-secret-123",
    "AWS_SESSION_TOKEN": "canary-session-token-456",
    "AWS_SECURITY_TOKEN": "canary-session-token-456",
    "CANARY_UNRELATED_VARIABLE": "canary-unrelated-789",
    "POWERTOOLS_LOG_LEVEL": "DEBUG",  # what a debugging operator would switch on
}


def lex_event() -> dict[str, Any]:
    """A Lex V2 code hook event (Lex V2 developer guide, "Input event format")."""
    return {
        "messageVersion": "1.0",
        "invocationSource": "FulfillmentCodeHook",
        "inputMode": "Text",
        "responseContentType": "text/plain; charset=utf-8",
        "sessionId": "c0ffee00-0000-4000-8000-000000000001",
        "inputTranscript": "when is my appointment",
        "bot": {
            "id": "BOT0000001",
            "name": "SelfService",
            "aliasId": "TSTALIASID",
            "aliasName": "live",
            "localeId": "en_US",
            "version": "DRAFT",
        },
        "interpretations": [],
        "sessionState": {
            "intent": {
                "name": "CheckAppointment",
                "slots": {},
                "state": "ReadyForFulfillment",
                "confirmationState": "None",
            },
            "sessionAttributes": {},
        },
    }


def notify_batch() -> dict[str, Any]:
    queue_url = boto3.client("sqs").create_queue(QueueName="notify")["QueueUrl"]
    return sqs_event(queue_url, [reminder()])


# One event per function, of the source that invokes it in AWS.
EVENTS: dict[str, Callable[[], dict[str, Any]]] = {
    "analytics": lambda: ctr.kinesis_event(ctr.voice_handled()),
    "chat_start": lambda: rest_event(body=form()),
    "crm_lookup": lambda: flow_event(customer="+13125550143"),
    "delivery_events": lambda: sns_event(
        _event_publishing(
            "Complaint",
            complaint={"complainedRecipients": [{"emailAddress": "jane.doe@example.com"}]},
        )
    ),
    "follow_up": lambda: follow_up_batch([contact("c-1", "sms")]),
    "inbound_email": lambda: ses_event("m-1"),
    "notify": notify_batch,
    "routing": lambda: flow_event(customer="+13125550143"),
    "self_service": lex_event,
}


def handler_names() -> list[str]:
    return sorted(path.parent.name for path in LAMBDAS_DIR.glob("*/handler.py"))


def settings_classes() -> Iterator[type[EnvironmentSettings]]:
    pending = list(EnvironmentSettings.__subclasses__())
    while pending:
        found = pending.pop()
        pending += found.__subclasses__()
        yield found


def canary_settings() -> dict[str, str]:
    """For every settings variable of every function imported so far, a canary value of its
    own where that value is invalid (numbers, JSON, bounded text); plain text stays missing."""
    broken: dict[str, str] = {}
    for settings in settings_classes():
        for name, field in settings.model_fields.items():
            variable = field.alias or name
            canary = f"canary-{variable.lower()}"
            try:
                settings.model_validate({variable: canary})
            except ValidationError as error:
                if any(
                    problem["loc"] == (variable,) and problem["type"] != "missing"
                    for problem in error.errors()
                ):
                    broken[variable] = canary
    return broken


def leaks(environment: dict[str, str], text: str) -> list[str]:
    """The canary values of `environment` that appear in `text`."""
    canaries = [value for value in environment.values() if value.startswith(("canary", "ASIA"))]
    return [value for value in canaries if value in text]


def written(invocation: Invocation, printed: str, logged: str) -> str:
    """Everything the invocation left for a reader of CloudWatch Logs."""
    error = invocation.error
    report = "".join(traceback.format_exception(error)) if error is not None else ""
    return "\n".join([invocation.output, printed, logged, report])


def test_every_handler_has_an_event_here() -> None:
    assert set(EVENTS) == set(handler_names()), "give the new function an event in EVENTS"


@pytest.mark.parametrize("name", handler_names())
def test_broken_settings_never_put_the_environment_in_logs(
    name: str,
    aws: None,
    capsys: pytest.CaptureFixture[str],
    caplog: pytest.LogCaptureFixture,
) -> None:
    # Given the function in a new container whose settings are broken, beside canary values
    for module in ("lambdas.common.settings", f"lambdas.{name}.handler"):
        importlib.import_module(module)
    environment = {**CANARY_ENVIRONMENT, **canary_settings()}
    function = LocalLambda(f"lambdas.{name}.handler", environment, timeout_seconds=30)
    function.cold_start()
    event = EVENTS[name]()
    caplog.set_level(logging.DEBUG)

    # When an event of its source arrives
    invocation = function.invoke(event)
    function.cold_start()  # the next user of this module reads its own settings

    # Then the settings fault is reported by names
    printed = "".join(capsys.readouterr())
    text = written(invocation, printed, caplog.text)
    assert isinstance(invocation.error, SettingsError) or "invalid environment" in text, text
    # and no value of the environment is anywhere in what it wrote or raised
    assert leaks(environment, text) == []
    assert "input_value" not in text


def test_the_check_catches_a_validation_error_logged_as_text(
    capsys: pytest.CaptureFixture[str], caplog: pytest.LogCaptureFixture
) -> None:
    # Given a stand-in that handles a settings fault the way the flow Lambdas once did: reading
    # the environment with pydantic directly and logging the error's text
    def logs_the_raw_error(event: Any, context: Any) -> None:
        try:
            RepeatContactSettings.model_validate(dict(os.environ))
        except ValidationError as error:
            print(json.dumps({"level": "WARNING", "message": f"invalid settings: {error}"}))

    environment = {**CANARY_ENVIRONMENT, "REPEAT_WINDOW_HOURS": "canary-repeat_window_hours"}
    invocation = LocalLambda(logs_the_raw_error, environment).invoke({})

    # Then the same reading of its output finds the environment in it
    text = written(invocation, "".join(capsys.readouterr()), caplog.text)
    assert "canary-repeat_window_hours" in leaks(environment, text)
