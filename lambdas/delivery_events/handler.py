"""delivery-events: SES bounces/complaints and SMS delivery events from the messaging SNS topic.

Bounced and complaining addresses go into our suppression list (beside SES's own account-level
list), so notify stops emailing them. SMS events become metrics: failures by type and the
settled spend, to compare with the monthly spend limit. Nothing here logs a whole address.
Without a valid CUSTOMERS_TABLE an event that suppresses an address raises `SettingsError` (SNS's
async invoke retries, then the failure queue keeps the event); SMS events need no setting.
"""

from __future__ import annotations

from functools import cache
from typing import Any

import boto3
from aws_lambda_powertools import Logger, Metrics
from aws_lambda_powertools.metrics import MetricUnit
from aws_lambda_powertools.utilities.parser.models import SnsModel
from aws_lambda_powertools.utilities.typing import LambdaContext
from pydantic import ValidationError

from lambdas.common import tracing
from lambdas.common.aws import BACKGROUND_CALL_CONFIG
from lambdas.common.masking import mask_email, mask_phone
from lambdas.common.settings import CustomersTableSettings
from lambdas.common.suppression import SuppressionRepository
from lambdas.delivery_events.logic import interpret

logger = Logger()
metrics = Metrics()


@cache
def suppressions() -> SuppressionRepository:
    """The suppression list, from settings read once per container (at the first suppression)."""
    settings = CustomersTableSettings.from_environ()
    dynamodb = boto3.resource("dynamodb", config=BACKGROUND_CALL_CONFIG)
    return SuppressionRepository(dynamodb.Table(settings.customers_table))


@logger.inject_lambda_context(clear_state=True)
@tracing.capture_lambda_handler
@metrics.log_metrics
def handler(event: dict[str, Any], context: LambdaContext) -> None:
    try:
        records = SnsModel.model_validate(event).Records
    except ValidationError:
        logger.warning("not an SNS event")
        metrics.add_metric(name="DeliveryEventsIgnored", unit=MetricUnit.Count, value=1)
        return
    for record in records:
        meaning = interpret(str(record.Sns.Message), received_at=record.Sns.Timestamp)
        if meaning.foreign:
            logger.info(
                "message is neither SES nor SMS feedback", extra={"id": record.Sns.MessageId}
            )
            metrics.add_metric(name="DeliveryEventsIgnored", unit=MetricUnit.Count, value=1)
            continue
        for suppression in meaning.suppressions:
            # DynamoDB errors raise: SNS's async invoke retries, then the failure queue keeps it.
            suppressions().suppress(suppression)
            logger.info(
                "address suppressed",
                extra={
                    "address": mask_email(suppression.identifier.value),
                    "reason": suppression.reason.value,
                },
            )
            metrics.add_metric(
                name=f"EmailSuppressed_{suppression.reason.value}", unit=MetricUnit.Count, value=1
            )
        if meaning.ses_event:
            metrics.add_metric(
                name=f"EmailEvent_{meaning.ses_event}", unit=MetricUnit.Count, value=1
            )
        sms = meaning.sms
        if sms is not None:
            metrics.add_metric(name=sms.event_type, unit=MetricUnit.Count, value=1)
            if sms.cost_usd:
                metrics.add_metric(name="SmsSpendUsd", unit=MetricUnit.NoUnit, value=sms.cost_usd)
            if sms.failed:
                logger.warning(
                    "text not delivered",
                    extra={
                        "event_type": sms.event_type,
                        "destination": mask_phone(sms.destination or ""),
                        "notification_id": sms.context.get("notification_id"),
                    },
                )
