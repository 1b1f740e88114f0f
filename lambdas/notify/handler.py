"""notify: outbound SMS and email from the notify queue (SQS, partial batch responses).

Each record is a `Notification` (lambdas/common/notifications.py). Delivery is idempotent on
`notification_id` (Powertools idempotency on the idempotency table), so SQS redeliveries and
producer retries never send twice. During SMS quiet hours the record is left on the queue,
invisible until the customer's sending window opens (ChangeMessageVisibility), and reported as
a batch item failure so Lambda does not delete it: deferred, never dropped.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from functools import cache
from typing import Any

import boto3
from aws_lambda_powertools import Logger, Metrics
from aws_lambda_powertools.metrics import MetricUnit
from aws_lambda_powertools.utilities.batch import (
    BatchProcessor,
    EventType,
    process_partial_response,
)
from aws_lambda_powertools.utilities.batch.types import PartialItemFailureResponse
from aws_lambda_powertools.utilities.idempotency import (
    DynamoDBPersistenceLayer,
    IdempotencyConfig,
    idempotent_function,
)
from aws_lambda_powertools.utilities.idempotency.serialization.pydantic import PydanticSerializer
from aws_lambda_powertools.utilities.parser.models import SqsRecordModel
from aws_lambda_powertools.utilities.typing import LambdaContext
from pydantic import Field

from lambdas.common import tracing
from lambdas.common.aws import BACKGROUND_CALL_CONFIG
from lambdas.common.notifications import Notification
from lambdas.common.profiles import ProfileRepository
from lambdas.common.settings import CustomersTableSettings
from lambdas.common.suppression import SuppressionRepository
from lambdas.common.untrusted import parse_json
from lambdas.notify.gateways import EmailGateway, NotifyQueue, SmsGateway
from lambdas.notify.logic import Delivery, DeliveryDeferred, SendingWindow
from lambdas.notify.service import NotificationService, NotifySettings, masked_address

logger = Logger()
metrics = Metrics()
# Deferrals at night can make every record of a batch "fail"; that is expected, not an error.
processor = BatchProcessor(
    event_type=EventType.SQS, model=SqsRecordModel, raise_on_entire_batch_failure=False
)
# SQS keeps a message at most 14 days: a redelivery can never outlive its idempotency record.
IDEMPOTENCY_SECONDS = 14 * 24 * 3600


class Environment(CustomersTableSettings):
    """Everything the function reads from its environment, validated once per container; while
    it is invalid every invocation raises, so SQS redelivers its batch until the dead-letter
    queue takes the records."""

    organisation: str = Field(alias="ORGANISATION")
    idempotency_table: str = Field(alias="IDEMPOTENCY_TABLE")
    queue_url: str = Field(alias="NOTIFY_QUEUE_URL")
    default_time_zone: str = Field(alias="DEFAULT_TIME_ZONE")
    sms_origination_identity: str = Field(default="", alias="SMS_ORIGINATION_IDENTITY")
    sms_opt_out_list: str = Field(default="", alias="SMS_OPT_OUT_LIST")
    sms_configuration_set: str = Field(default="", alias="SMS_CONFIGURATION_SET")
    sms_sending_window: str = Field(default="", alias="SMS_SENDING_WINDOW")
    sms_reminders: bool = Field(default=True, alias="SMS_REMINDERS")
    email_from: str = Field(default="", alias="EMAIL_FROM")
    email_configuration_set: str = Field(default="", alias="EMAIL_CONFIGURATION_SET")
    survey_link: str = Field(default="", alias="SURVEY_LINK")


class Runtime:
    """The service, its idempotent entry point and the queue, built once per container."""

    def __init__(self, env: Environment) -> None:
        dynamodb = boto3.resource("dynamodb", config=BACKGROUND_CALL_CONFIG)
        customers = dynamodb.Table(env.customers_table)
        sms = None
        if env.sms_origination_identity:
            sms = SmsGateway(
                client=boto3.client("pinpoint-sms-voice-v2", config=BACKGROUND_CALL_CONFIG),
                origination_identity=env.sms_origination_identity,
                opt_out_list=env.sms_opt_out_list,
                configuration_set=env.sms_configuration_set or None,
            )
        email = None
        if env.email_from:
            email = EmailGateway(
                client=boto3.client("sesv2", config=BACKGROUND_CALL_CONFIG),
                from_address=env.email_from,
                configuration_set=env.email_configuration_set or None,
            )
        self.service = NotificationService(
            settings=NotifySettings(
                organisation=env.organisation,
                default_time_zone=env.default_time_zone,
                sending_window=SendingWindow.parse(env.sms_sending_window),
                sms_reminders=env.sms_reminders,
                survey_link=env.survey_link or None,
            ),
            profiles=ProfileRepository(customers),
            suppressions=SuppressionRepository(customers),
            sms=sms,
            email=email,
        )
        # Injectable so tests can stand at 23:00 in Chicago without waiting for the night.
        self.clock: Callable[[], datetime] = lambda: datetime.now(UTC)
        self.queue = NotifyQueue(
            client=boto3.client("sqs", config=BACKGROUND_CALL_CONFIG), queue_url=env.queue_url
        )
        self.idempotency = IdempotencyConfig(
            event_key_jmespath="notification_id", expires_after_seconds=IDEMPOTENCY_SECONDS
        )
        persistence = DynamoDBPersistenceLayer(
            table_name=env.idempotency_table, boto_config=BACKGROUND_CALL_CONFIG
        )

        @idempotent_function(
            data_keyword_argument="notification",
            persistence_store=persistence,
            config=self.idempotency,
            output_serializer=PydanticSerializer(Delivery),
            key_prefix="notify",
        )
        def deliver_once(*, notification: Notification) -> Delivery:
            # A DeliveryDeferred raised here removes the in-progress record: the next
            # delivery attempt decides afresh.
            return self.service.deliver(notification, now=self.clock())

        self.deliver_once = deliver_once


@cache
def runtime() -> Runtime:
    return Runtime(Environment.from_environ())


def record_handler(record: SqsRecordModel) -> None:
    notification = parse_json(Notification, str(record.body))
    logger.append_keys(
        notification_id=notification.notification_id,
        kind=notification.kind.value,
        channel=notification.channel.value,
        recipient=masked_address(notification),
    )
    try:
        delivery: Delivery = runtime().deliver_once(notification=notification)
    except DeliveryDeferred as deferred:
        runtime().queue.redeliver_after(record.receiptHandle, deferred.delay_seconds)
        metrics.add_metric(name="NotificationsDeferred", unit=MetricUnit.Count, value=1)
        logger.info("quiet hours: deferred", extra={"until": deferred.until.isoformat()})
        raise
    metrics.add_metric(
        name=f"Notifications_{delivery.outcome.value}", unit=MetricUnit.Count, value=1
    )
    if delivery.segments:
        metrics.add_metric(name="SmsSegments", unit=MetricUnit.Count, value=delivery.segments)
    logger.info("delivered", extra={"outcome": delivery.outcome.value})


@logger.inject_lambda_context(clear_state=True)
@tracing.capture_lambda_handler
@metrics.log_metrics
def handler(event: dict[str, Any], context: LambdaContext) -> PartialItemFailureResponse:
    runtime().idempotency.register_lambda_context(context)
    return process_partial_response(
        event=event, record_handler=record_handler, processor=processor, context=context
    )
