"""crm_lookup: the flows call it on every contact to know who is there (one DynamoDB round trip).

Connect flow event -> identity keys from the channel's endpoint and the contact's attributes
(lambdas/common/identification.py) -> `ProfileRepository.resolve` (one GetItem, or one
BatchGetItem when a chat offers several identifiers) -> flat screen-pop attributes. Read-only:
profiles are created by the inbound SMS/email functions and contact history by analytics.

Never raises: a malformed event, throttling, a timeout or a bug answers "unknown customer"
(`lookupStatus` "fallback") within the flow call budget of lambdas/common/aws.py.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from functools import cache
from typing import Any

from aws_lambda_powertools import Logger, Metrics
from aws_lambda_powertools.metrics import MetricUnit
from aws_lambda_powertools.utilities.typing import LambdaContext

from lambdas.common import tracing
from lambdas.common.aws import dynamodb_table
from lambdas.common.flow_events import parse_flow_event, safe_flow_answer
from lambdas.common.identification import lookup_keys, masked
from lambdas.common.profiles import ProfileRepository
from lambdas.common.settings import RepeatContactSettings
from lambdas.crm_lookup.logic import screen_pop, unknown_customer

logger = Logger()
metrics = Metrics()

FALLBACK = unknown_customer(None, status="fallback").as_attributes()


@dataclass(frozen=True)
class Runtime:
    """What one container keeps between invocations; tests build their own."""

    profiles: ProfileRepository
    repeat_window: timedelta
    clock: Callable[[], datetime]


@cache
def runtime() -> Runtime:
    settings = RepeatContactSettings.from_environ()
    return Runtime(
        profiles=ProfileRepository(dynamodb_table(settings.customers_table)),
        repeat_window=timedelta(hours=settings.repeat_window_hours),
        clock=lambda: datetime.now(UTC),
    )


@logger.inject_lambda_context(clear_state=True)
@metrics.log_metrics
@safe_flow_answer(lambda: FALLBACK, last_resort=FALLBACK, logger=logger, metrics=metrics)
@tracing.capture_lambda_handler(capture_response=False)  # answers hold names: keep them out
def handler(event: dict[str, Any], context: LambdaContext) -> dict[str, str]:
    request = parse_flow_event(event)
    logger.append_keys(contact_id=request.contact_id, channel=request.channel)
    metrics.add_metric(name="CustomerLookups", unit=MetricUnit.Count, value=1)
    keys = lookup_keys(request)
    if not keys:
        metrics.add_metric(name="CustomerNotIdentifiable", unit=MetricUnit.Count, value=1)
        return unknown_customer(request, status="no_identifier").as_attributes()
    current = runtime()
    resolution = current.profiles.resolve(keys.identifiers, customer_id=keys.customer_id)
    answer = screen_pop(
        resolution, request, now=current.clock(), repeat_window=current.repeat_window
    )
    metrics.add_metric(
        name="CustomerFound" if answer.customer_found else "CustomerNotFound",
        unit=MetricUnit.Count,
        value=1,
    )
    if answer.is_repeat_contact:
        metrics.add_metric(name="RepeatContacts", unit=MetricUnit.Count, value=1)
    logger.info(
        "customer lookup",
        extra={
            "lookup_status": answer.lookup_status,
            "identified_by": answer.identified_by,
            "candidates": [masked(i) for i in keys.identifiers],
            "repeat_contact": answer.is_repeat_contact,
        },
    )
    return answer.as_attributes()
