"""follow-up: contact records (Kinesis, filtered to those asking for a follow-up) -> notify queue.

Thin: Powertools' batch utility parses each Kinesis record into a contact record, logic.py says
which notifications it owes, and they go on the notify queue, where notify applies opt-outs,
quiet hours and its idempotency. A record that cannot be read is a batch item failure, and so is
every record owing a notification while NOTIFY_QUEUE_URL is missing or empty (Kinesis retries it,
then the failures queue keeps its description); the others go through.
"""

from __future__ import annotations

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
from aws_lambda_powertools.utilities.data_classes.kinesis_stream_event import KinesisStreamRecord
from aws_lambda_powertools.utilities.typing import LambdaContext
from pydantic import Field

from lambdas.common import tracing
from lambdas.common.aws import BACKGROUND_CALL_CONFIG
from lambdas.common.contact_records import ContactRecord
from lambdas.common.settings import EnvironmentSettings
from lambdas.common.untrusted import parse_json
from lambdas.follow_up.logic import follow_ups

logger = Logger()
metrics = Metrics()
processor = BatchProcessor(event_type=EventType.KinesisDataStreams)


class FollowUpSettings(EnvironmentSettings):
    notify_queue_url: str = Field(alias="NOTIFY_QUEUE_URL", min_length=1)


@cache
def queue() -> Any:
    """The notify queue, from settings read once per container (at the first follow-up owed)."""
    settings = FollowUpSettings.from_environ()
    sqs = boto3.resource("sqs", config=BACKGROUND_CALL_CONFIG)
    return sqs.Queue(settings.notify_queue_url)


def record_handler(record: KinesisStreamRecord) -> None:
    contact = parse_json(ContactRecord, record.kinesis.data_as_bytes())
    for notification in follow_ups(contact):
        queue().send_message(**notification.to_message())
        metrics.add_metric(name="FollowUpsQueued", unit=MetricUnit.Count, value=1)
        logger.info(
            "follow-up queued",
            extra={"contact_id": contact.contact_id, "kind": notification.kind.value},
        )


@logger.inject_lambda_context(clear_state=True)
@tracing.capture_lambda_handler
@metrics.log_metrics
def handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    return dict(
        process_partial_response(
            event=event, record_handler=record_handler, processor=processor, context=context
        )
    )
