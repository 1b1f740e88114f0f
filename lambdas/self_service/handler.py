"""self_service: the Lex V2 bot's code hook (dialog and fulfillment) for every intent.

Lex event -> `SelfService.respond` (lambdas/self_service/service.py: reads appointments,
outages or a balance through its ports, decides in logic.py) -> a Lex answer: Close with a
sentence from the bot file, Delegate, or ElicitSlot. The contract with the flows (session
attributes in and out) is written in logic.py.

Never raises into Lex: a malformed event, a settings fault, throttling or a bug closes the
conversation as failed (`self_service_outcome=failed`) with the bot's `failed` sentence, which
the flow escalates to an agent. Lex waits for a code hook for 30 s at most, but a caller hears
silence meanwhile, so the DynamoDB calls use the flow call budget of lambdas/common/aws.py, and
a call the function's remaining time cannot fit is not started (its `time_budget`).
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from typing import Any

from aws_lambda_powertools import Logger, Metrics
from aws_lambda_powertools.metrics import MetricUnit
from aws_lambda_powertools.utilities.typing import LambdaContext

from lambdas.common import tracing
from lambdas.common.aws import dynamodb_table, time_budget
from lambdas.common.flow_events import fallback_reason, loggable_error
from lambdas.self_service import logic
from lambdas.self_service.lex import (
    MalformedLexEventError,
    close,
    intent_name_of,
    parse_lex_event,
)
from lambdas.self_service.messages import BotTexts, load_bot_texts
from lambdas.self_service.repository import DynamoAppointments, DynamoBalances, DynamoOutages
from lambdas.self_service.service import SelfService
from lambdas.self_service.settings import SelfServiceSettings

logger = Logger()
metrics = Metrics()

# Said when even the bot file's texts cannot be read (a deployment fault, not a caller's).
LAST_RESORT_MESSAGE = "Sorry, something went wrong. Let me connect you to an agent."
OUTCOME_METRICS = {
    "fulfilled": "BotFulfilled",
    "escalate": "BotEscalated",
    "failed": "BotFailed",
}


@dataclass(frozen=True)
class Runtime:
    """What one container keeps between invocations; tests build their own."""

    service: SelfService


@cache
def runtime() -> Runtime:
    settings = SelfServiceSettings.from_environ()
    return Runtime(
        service=SelfService(
            texts=load_bot_texts(settings.bot_texts),
            appointments=DynamoAppointments(dynamodb_table(settings.appointments_table)),
            outages=DynamoOutages(dynamodb_table(settings.outages_table)),
            balances=DynamoBalances(dynamodb_table(settings.customers_table)),
            schedule=settings.opening_hours,
        )
    )


@logger.inject_lambda_context(clear_state=True)
@metrics.log_metrics
@tracing.capture_lambda_handler(capture_response=False)  # answers hold balances and dates
def handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    try:
        request = parse_lex_event(event)
        logger.append_keys(
            intent=request.intent.name,
            locale=request.locale,
            invocation=request.invocation_source,
        )
        with time_budget(context):
            answer = runtime().service.respond(request, event["sessionState"]["intent"])
    except Exception as error:  # Lex must get an answer, always
        reason = "malformed_event" if isinstance(error, MalformedLexEventError) else None
        logger.warning(
            "closing as failed",
            extra={
                "fallback_reason": reason or fallback_reason(error),
                "error_type": type(error).__name__,
                "error": loggable_error(error),
            },
        )
        answer = failed_answer(event)
    outcome = answer["sessionState"]["sessionAttributes"].get(logic.OUTCOME_ATTRIBUTE)
    metric = OUTCOME_METRICS.get(outcome, "BotDialogTurns")  # no outcome: Lex carries on
    metrics.add_metric(name=metric, unit=MetricUnit.Count, value=1)
    return answer


def failed_answer(event: Any) -> dict[str, Any]:
    """The safe Close: the intent as far as it can be read, the `failed` sentence, the outcome
    that makes the flow escalate; none of the event's slots or attributes are echoed."""
    intent = intent_name_of(event) or "FallbackIntent"
    attributes = {
        logic.INTENT_ATTRIBUTE: intent,
        logic.OUTCOME_ATTRIBUTE: "failed",
        logic.DETAIL_ATTRIBUTE: logic.failed().detail,
        logic.SLOTS_ATTRIBUTE: "",
    }
    return close(
        intent, state="Failed", message=_failed_message(event), session_attributes=attributes
    )


def _failed_message(event: Any) -> str:
    try:
        texts: BotTexts = runtime().service.texts
        locale = event["bot"]["localeId"] if isinstance(event, dict) else ""
        return texts.say("", logic.FAILED_MESSAGE, str(locale))
    except Exception:
        return LAST_RESORT_MESSAGE
