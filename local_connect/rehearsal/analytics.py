"""The rehearsal's KPI stage: a day's contact records counted into metric rows, through the
contact-record stream and the real analytics handler (`AnalyticsStage`), or by the handler's own
counting in memory (`records_only`). Either way the KPIs are derived from the rows by
`lambdas.analytics.logic.Kpis`, as the dashboard and `ccaas report` derive them."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from datetime import UTC, datetime, timedelta
from datetime import time as clock
from typing import Any

import boto3

from config import ContactCenterConfig
from lambdas.analytics.repository import MetricsRepository
from local_connect.records import ContactRecordStream, MetricRow, metric_rows
from local_connect.runtime.lambda_runtime import LocalLambda
from local_connect.runtime.local_aws import LOCAL_REGION
from local_connect.runtime.resources import LocalResources, create_resources

KpiStage = Callable[[ContactCenterConfig, list[dict[str, Any]], int], tuple[list[MetricRow], str]]
"""(config, the day's records, service level threshold) -> (metric rows, where they came from)"""


def records_only(
    config: ContactCenterConfig, records: list[dict[str, Any]], service_level_seconds: int
) -> tuple[list[MetricRow], str]:
    """The analytics handler's counting applied to the records in memory: no stream, no tables."""
    return (
        metric_rows(records, threshold_seconds=service_level_seconds),
        "counted from the contact records as the analytics handler counts them (handler not run)",
    )


class AnalyticsStage:
    """The KPI stage the deployed contact center has: the records go through the moto
    contact-record stream, come back as Lambda's Kinesis events, and the real analytics handler
    counts them into the metrics table; the KPIs are read back from that table.

    Each variant gets a fresh moto account, so variants never see each other's data. The
    customer history is off (`CUSTOMER_HISTORY=false`): over moto it costs about four requests a
    contact, minutes a day, and only repeat-contact rates depend on it.
    """

    def __init__(self, region: str = LOCAL_REGION, batch_size: int = 500) -> None:
        self.region = region
        self.batch_size = batch_size

    def __call__(
        self, config: ContactCenterConfig, records: list[dict[str, Any]], service_level_seconds: int
    ) -> tuple[list[MetricRow], str]:
        # moto takes about a second to import: loaded when a day is counted, not with the package.
        from moto import mock_aws

        from local_connect.runtime.moto_dynamodb import fast_dynamodb
        from local_connect.runtime.moto_once import moto_once
        from local_connect.runtime.moto_transactions import item_level_rollback

        names = LocalResources()
        analytics = LocalLambda(
            "lambdas.analytics.handler",
            {
                "METRICS_TABLE": names.metrics_table,
                "CUSTOMERS_TABLE": names.customers_table,
                "CUSTOMER_HISTORY": "false",
                "SERVICE_LEVEL_THRESHOLD_SECONDS": str(service_level_seconds),
                "METRICS_RETENTION_DAYS": str(config.retention.metrics_days),
                "POWERTOOLS_METRICS_NAMESPACE": "ContactCenterLocal",
                "POWERTOOLS_TRACE_DISABLED": "true",
                "POWERTOOLS_LOG_LEVEL": "WARNING",
            },
            name="analytics-local",
            memory_mb=1024,
            region=self.region,
        )
        batches = 0
        with mock_aws(), item_level_rollback(), fast_dynamodb(), moto_once():
            create_resources(names, region=self.region)
            stream = ContactRecordStream(
                boto3.client("kinesis", region_name=self.region), names.contact_record_stream
            )
            stream.put(records)
            try:
                for event in stream.lambda_events(self.batch_size):
                    response = analytics.invoke(event).result()
                    batches += 1
                    if response.get("batchItemFailures"):
                        failed = len(response["batchItemFailures"])
                        raise RuntimeError(f"analytics failed {failed} contact record(s)")
            finally:
                analytics.cold_start()  # no client of this day's moto outlives it
            table = boto3.resource("dynamodb", region_name=self.region).Table(names.metrics_table)
            start, end = _records_window(records)
            rows = MetricsRepository(table, retention_days=1).read_intervals(start, end)
        return (
            list(rows),
            f"counted by the analytics handler from {len(records):,} records in {batches} "
            "Kinesis batches read back from the contact-record stream",
        )


def _records_window(records: Sequence[Mapping[str, Any]]) -> tuple[datetime, datetime]:
    """Whole UTC days around every record: callbacks can spill past midnight."""
    starts = [
        datetime.fromisoformat(str(record["InitiationTimestamp"]).replace("Z", "+00:00"))
        for record in records
    ]
    first = datetime.combine(min(starts).date(), clock(0), tzinfo=UTC)
    return first, datetime.combine(max(starts).date(), clock(0), tzinfo=UTC) + timedelta(days=2)
