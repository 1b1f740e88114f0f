"""follow-up: contact records (Kinesis, filtered to those asking for a follow-up) -> notify queue.

Thin: Powertools' batch utility parses each Kinesis record into a contact record, logic.py says
which notifications it owes, and they go on the notify queue, where notify applies opt-outs,
quiet hours and its idempotency. A record that cannot be read is a batch item failure; the
others go through.
"""

from __future__ import annotations

import os
from functools import cache
from typing import Any

import boto3
from aws_lambda_powertools import Logger, Metrics, Tracer
from aws_lambda_powertools.metrics import MetricUnit
from aws_lambda_powertools.utilities.batch import (
    BatchProcessor,
    EventType,
    process_partial_response,
)
from aws_lambda_powertools.utilities.data_classes.kinesis_stream_event import KinesisStreamRecord
from aws_lambda_powertools.utilities.typing import LambdaContext

from lambdas.common.aws import BACKGROUND_CALL_CONFIG
from lambdas.common.contact_records import ContactRecord
from lambdas.follow_up.logic import follow_ups

logger = Logger()
tracer = Tracer()
metrics = Metrics()
processor = BatchProcessor(event_type=EventType.KinesisDataStreams)


@cache
def queue() -> Any:
    sqs = boto3.resource("sqs", config=BACKGROUND_CALL_CONFIG)
    return sqs.Queue(os.environ["NOTIFY_QUEUE_URL"])


def record_handler(record: KinesisStreamRecord) -> None:
    contact = ContactRecord.model_validate_json(record.kinesis.data_as_bytes())
    for notification in follow_ups(contact):
        queue().send_message(**notification.to_message())
        metrics.add_metric(name="FollowUpsQueued", unit=MetricUnit.Count, value=1)
        logger.info(
            "follow-up queued",
            extra={"contact_id": contact.contact_id, "kind": notification.kind.value},
        )


@logger.inject_lambda_context(clear_state=True)
@tracer.capture_lambda_handler
@metrics.log_metrics
def handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    return dict(
        process_partial_response(
            event=event, record_handler=record_handler, processor=processor, context=context
        )
    )
