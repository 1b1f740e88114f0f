"""analytics: contact records from Kinesis -> supervisor KPIs (metrics table + EMF), exactly once.

Thin: parse each record (a malformed one is a batch item failure, nothing else), count the
batch (service.py), publish what changed as CloudWatch metrics per channel, answer Lambda's
partial batch response. Never logs an address: customers appear by profile id only.
"""

from __future__ import annotations

from datetime import timedelta
from functools import cache
from typing import Any

import boto3
from aws_lambda_powertools import Logger, Metrics, Tracer
from aws_lambda_powertools.metrics import EphemeralMetrics, MetricUnit
from aws_lambda_powertools.utilities.batch import process_partial_response
from aws_lambda_powertools.utilities.data_classes.kinesis_stream_event import KinesisStreamRecord
from aws_lambda_powertools.utilities.typing import LambdaContext

from lambdas.analytics.batch import ContactRecordBatchProcessor, Counter
from lambdas.analytics.continuity import ContinuityRecorder
from lambdas.analytics.logic import answered_within, counted_at
from lambdas.analytics.repository import MetricsRepository
from lambdas.analytics.service import BatchOutcome, ContactRecordCounter
from lambdas.analytics.settings import AnalyticsSettings
from lambdas.common.aws import BACKGROUND_CALL_CONFIG
from lambdas.common.contact_records import ContactRecord
from lambdas.common.profiles import ProfileRepository
from lambdas.common.untrusted import parse_json

# Pinned rather than read from POWERTOOLS_SERVICE_NAME: the alarms select the metrics by it.
SERVICE = "analytics"
logger = Logger(service=SERVICE)
tracer = Tracer(service=SERVICE)
metrics = Metrics(service=SERVICE)

# Counter name -> (CloudWatch metric, unit): what the dashboard and the alarms read per channel.
KPI_METRICS = {
    "contacts": ("Contacts", MetricUnit.Count),
    "inbound": ("ContactsInbound", MetricUnit.Count),
    "queued": ("ContactsQueued", MetricUnit.Count),
    "answered": ("ContactsAnswered", MetricUnit.Count),
    "handled": ("ContactsHandled", MetricUnit.Count),
    "abandoned": ("ContactsAbandoned", MetricUnit.Count),
    "callbacks_requested": ("CallbacksRequested", MetricUnit.Count),
    "queue_full": ("ContactsQueueFull", MetricUnit.Count),
    "self_service": ("ContactsSelfServed", MetricUnit.Count),
    "identified": ("ContactsIdentified", MetricUnit.Count),
    "repeat": ("RepeatContacts", MetricUnit.Count),
    "queue_wait_handled": ("QueueAnswerTime", MetricUnit.Seconds),
    "bot_contacts": ("BotContacts", MetricUnit.Count),
    "bot_contained": ("BotContained", MetricUnit.Count),
    "bot_escalated": ("BotEscalated", MetricUnit.Count),
    "bot_abandoned": ("BotAbandoned", MetricUnit.Count),
}
HANDLE_TIME_PARTS = ("talk", "hold", "acw")
ANSWERED_IN_THRESHOLD_METRIC = "ContactsAnsweredInThreshold"


@cache
def settings() -> AnalyticsSettings:
    return AnalyticsSettings.from_environ()


@cache
def counter() -> ContactRecordCounter:
    config = settings()
    dynamodb = boto3.resource("dynamodb", config=BACKGROUND_CALL_CONFIG)
    return build_counter(
        config,
        metrics_table=dynamodb.Table(config.metrics_table),
        customers_table=dynamodb.Table(config.customers_table) if config.customer_history else None,
    )


def build_counter(
    config: AnalyticsSettings, *, metrics_table: Any, customers_table: Any | None
) -> ContactRecordCounter:
    """The counter over given tables; `customers_table` None skips the customer history
    (and with it repeat contacts), for callers that only want the totals."""
    continuity = (
        ContinuityRecorder(
            ProfileRepository(customers_table, history_ttl_days=config.contact_history_days),
            repeat_window=timedelta(hours=config.repeat_window_hours),
        )
        if customers_table is not None
        else None
    )
    return ContactRecordCounter(
        MetricsRepository(metrics_table, retention_days=config.metrics_retention_days),
        continuity,
        threshold_seconds=config.service_level_threshold_seconds,
    )


def _count() -> Counter:
    return counter().count


processor = ContactRecordBatchProcessor(count=_count, logger=logger)


def parse_contact_record(record: KinesisStreamRecord) -> ContactRecord:
    """Raises for a record that is not a contact record we can place in an interval."""
    contact = parse_json(ContactRecord, record.kinesis.data_as_bytes())
    counted_at(contact)
    return contact


@logger.inject_lambda_context(clear_state=True)
@tracer.capture_lambda_handler
@metrics.log_metrics
def handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    response = process_partial_response(
        event=event, record_handler=parse_contact_record, processor=processor, context=context
    )
    report(processor.outcome, failed_items=len(response.get("batchItemFailures", [])))
    return dict(response)


def report(outcome: BatchOutcome[int], *, failed_items: int) -> None:
    logger.info(
        "batch counted",
        extra={
            "contacts": outcome.contacts,
            "counted": outcome.counted,
            "updated": outcome.updated,
            "skipped": outcome.skipped,
            "transactions": outcome.transactions,
            "failed_items": failed_items,
        },
    )
    metrics.add_metric(name="ContactsCounted", unit=MetricUnit.Count, value=outcome.counted)
    metrics.add_metric(name="ContactsRecounted", unit=MetricUnit.Count, value=outcome.updated)
    metrics.add_metric(name="ContactRecordsSkipped", unit=MetricUnit.Count, value=outcome.skipped)
    metrics.add_metric(name="ContactRecordsFailed", unit=MetricUnit.Count, value=failed_items)
    publish_kpi_deltas(
        outcome.deltas_by_channel(), threshold_seconds=settings().service_level_threshold_seconds
    )


def publish_kpi_deltas(
    deltas_by_channel: dict[str, dict[str, int]], *, threshold_seconds: int
) -> None:
    """One EMF document per channel with the batch's net change of each KPI counter.

    Net change: a corrected record (say, after-contact work ended) moves the sums by the
    difference, so CloudWatch's Sum over any period equals the totals in the metrics table.
    """
    for channel, counters in sorted(deltas_by_channel.items()):
        channel_metrics = EphemeralMetrics(service=metrics.service, namespace=metrics.namespace)
        channel_metrics.add_dimension(name="Channel", value=channel)
        for counter_name, (metric_name, unit) in KPI_METRICS.items():
            if counters.get(counter_name):
                channel_metrics.add_metric(
                    name=metric_name, unit=unit, value=counters[counter_name]
                )
        handle_time = sum(counters.get(part, 0) for part in HANDLE_TIME_PARTS)
        if handle_time:
            channel_metrics.add_metric(
                name="HandleTime", unit=MetricUnit.Seconds, value=handle_time
            )
        in_threshold = counters.get(answered_within(threshold_seconds), 0)
        if in_threshold:
            channel_metrics.add_metric(
                name=ANSWERED_IN_THRESHOLD_METRIC, unit=MetricUnit.Count, value=in_threshold
            )
        if channel_metrics.metric_set:
            channel_metrics.flush_metrics()
