"""routing: the flows call it once the customer chose what they need; it picks queue and priority.

Connect flow event -> intent (the block's `intent` parameter) and customer context -> the rules
of lambdas/routing/logic.py -> flat `queueArn`, `queueName`, `priority`, `routingReason`.

DynamoDB round trips: zero when the flow already copied crm_lookup's answer onto the contact
(`customerFound` and the fields it comes with, as the shipped flows do); one (`resolve`: GetItem
or BatchGetItem) when it did not, or when a repeat contact's `lastContactQueue` is missing.

Never raises. If the customer cannot be read (throttling, timeouts), the contact is still routed
by its intent as an unknown customer (`routingReason` ends with `customer_unavailable`); only a
malformed event, broken settings or a bug answers the default queue (`routingReason` fallback).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import cache
from typing import Any

from aws_lambda_powertools import Logger, Metrics
from aws_lambda_powertools.metrics import MetricUnit
from aws_lambda_powertools.utilities.typing import LambdaContext
from botocore.exceptions import BotoCoreError, ClientError
from pydantic import Field, Json

from lambdas.common import tracing
from lambdas.common.aws import OutOfTimeError, dynamodb_table
from lambdas.common.flow_events import (
    FlowRequest,
    fallback_reason,
    loggable_error,
    parse_flow_event,
    safe_flow_answer,
)
from lambdas.common.identification import language_hint, lookup_keys
from lambdas.common.profiles import LookupIncompleteError, ProfileRepository
from lambdas.common.routing_rules import DEFAULT_BASE_PRIORITY, RoutingRules
from lambdas.common.settings import RepeatContactSettings
from lambdas.routing.logic import (
    CustomerContext,
    context_from_attributes,
    context_from_profile,
    decide_route,
    default_route,
    requested_intent,
)

logger = Logger()
metrics = Metrics()

# Only if even the rules cannot be read: an empty queue ARN sends the flow's "set queue" block
# down its Error branch, which the shipped flows point at the default queue.
LAST_RESORT = {
    "queueArn": "",
    "queueName": "",
    "priority": str(DEFAULT_BASE_PRIORITY),
    "routingReason": "fallback",
    "alternateQueueArn": "",
    "alternateQueueName": "",
    "alternateRoutingReason": "fallback",
}
ROUTED_BY_METRIC = {
    "language": "RoutedByLanguage",
    "repeat_contact_queue": "RoutedToLastQueue",
    "intent": "RoutedByIntent",
    "default": "RoutedToDefault",
}


class RoutingSettings(RepeatContactSettings):
    rules: Json[RoutingRules] = Field(alias="ROUTING_RULES")


@dataclass(frozen=True)
class Runtime:
    rules: RoutingRules
    profiles: ProfileRepository
    clock: Callable[[], datetime]


@cache
def runtime() -> Runtime:
    settings = RoutingSettings.from_environ()
    return Runtime(
        rules=settings.rules,
        profiles=ProfileRepository(dynamodb_table(settings.customers_table)),
        clock=lambda: datetime.now(UTC),
    )


def default_answer() -> dict[str, str]:
    return default_route(runtime().rules).as_attributes()


@logger.inject_lambda_context(clear_state=True)
@metrics.log_metrics
@safe_flow_answer(default_answer, last_resort=LAST_RESORT, logger=logger, metrics=metrics)
@tracing.capture_lambda_handler(capture_response=False)
def handler(event: dict[str, Any], context: LambdaContext) -> dict[str, str]:
    request = parse_flow_event(event)
    logger.append_keys(contact_id=request.contact_id, channel=request.channel)
    current = runtime()
    intent = requested_intent(request)
    customer = context_from_attributes(request, current.rules)
    source = "contact_attributes"
    if customer is None:
        customer, source = look_up_customer(request, current)
    decision = decide_route(intent, customer, current.rules)
    if source == "customer_unavailable":
        decision = decision.model_copy(
            update={
                "reasons": (*decision.reasons, source),
                "alternate_reasons": (*decision.alternate_reasons, source),
            }
        )
    metrics.add_metric(name="RoutingDecisions", unit=MetricUnit.Count, value=1)
    routed_by = decision.reasons[0].split(":")[0]
    metrics.add_metric(name=ROUTED_BY_METRIC[routed_by], unit=MetricUnit.Count, value=1)
    logger.info(
        "routed",
        extra={
            # What the flow passed may be anything a caller typed: only a known intent is logged.
            "intent": intent if intent in current.rules.intents else "unrecognised",
            "queue": decision.queue_name,
            "priority": decision.priority,
            "reasons": decision.reasons,
            "customer_source": source,
        },
    )
    return decision.as_attributes()


def look_up_customer(request: FlowRequest, current: Runtime) -> tuple[CustomerContext, str]:
    """The customer from the profile store (one round trip); unknown when it cannot be read,
    because routing by intent alone beats the default queue."""
    keys = lookup_keys(request)
    if not keys:
        return CustomerContext(language=language_hint(request)), "no_identifier"
    metrics.add_metric(name="RoutingLookups", unit=MetricUnit.Count, value=1)
    try:
        resolution = current.profiles.resolve(keys.identifiers, customer_id=keys.customer_id)
    except (ClientError, BotoCoreError, LookupIncompleteError, OutOfTimeError) as error:
        logger.warning(
            "customer unavailable; routing as unknown",
            extra={"reason": fallback_reason(error), "error": loggable_error(error, limit=300)},
        )
        metrics.add_metric(name="RoutingCustomerUnavailable", unit=MetricUnit.Count, value=1)
        return CustomerContext(language=language_hint(request)), "customer_unavailable"
    profile = resolution.profile if resolution else None
    context = context_from_profile(profile, request, now=current.clock(), rules=current.rules)
    return context, "profile_store" if profile else "not_found"
