"""The rehearsal's KPI stage: a day's contact records counted into metric rows, through the
contact-record stream and the real analytics handler (`AnalyticsStage`), or by the handler's own
counting in memory (`records_only`). Either way the KPIs are derived from the rows by
`lambdas.analytics.logic.Kpis`, as the dashboard and `ccaas report` derive them."""

from __future__ import annotations

import contextlib
import io
from collections.abc import Callable, Iterator, Mapping, Sequence
from datetime import UTC, datetime, timedelta
from datetime import time as clock
from typing import Any

import boto3

from config import ContactCenterConfig
from lambdas.analytics import handler
from lambdas.analytics.repository import MetricsRepository
from local_connect.records import ContactRecordStream, MetricRow, metric_rows
from local_connect.runtime.environment import isolated_environment
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

        from local_connect.runtime.moto_transactions import item_level_rollback

        names = LocalResources()
        settings = {
            "AWS_DEFAULT_REGION": self.region,
            "METRICS_TABLE": names.metrics_table,
            "CUSTOMERS_TABLE": names.customers_table,
            "CUSTOMER_HISTORY": "false",
            "SERVICE_LEVEL_THRESHOLD_SECONDS": str(service_level_seconds),
            "METRICS_RETENTION_DAYS": str(config.retention.metrics_days),
            "POWERTOOLS_TRACE_DISABLED": "true",
            "POWERTOOLS_LOG_LEVEL": "WARNING",
        }
        # Powertools reads the namespace once, when the handler module is imported.
        namespace = handler.metrics.provider.namespace or "ContactCenterLocal"
        batches = 0
        with (
            mock_aws(),
            item_level_rollback(),
            isolated_environment(settings),
            _namespace(handler.metrics.provider, namespace),
            contextlib.redirect_stdout(io.StringIO()),  # the handler's EMF metrics
        ):
            create_resources(names, region=self.region)
            stream = ContactRecordStream(
                boto3.client("kinesis", region_name=self.region), names.contact_record_stream
            )
            stream.put(records)
            handler.settings.cache_clear()
            handler.counter.cache_clear()
            # The Logger keeps the level and the stream it had at import: quiet it for the day.
            level = handler.logger.log_level
            handler.logger.setLevel("WARNING")
            try:
                for event in stream.lambda_events(self.batch_size):
                    response = handler.handler(event, _LambdaContext())  # type: ignore[arg-type]
                    batches += 1
                    if response.get("batchItemFailures"):
                        failed = len(response["batchItemFailures"])
                        raise RuntimeError(f"analytics failed {failed} contact record(s)")
                table = boto3.resource("dynamodb", region_name=self.region).Table(
                    names.metrics_table
                )
                start, end = _records_window(records)
                rows = MetricsRepository(table, retention_days=1).read_intervals(start, end)
            finally:
                handler.logger.setLevel(level)
                handler.settings.cache_clear()
                handler.counter.cache_clear()
        return (
            list(rows),
            f"counted by the analytics handler from {len(records):,} records in {batches} "
            "Kinesis batches read back from the contact-record stream",
        )


@contextlib.contextmanager
def _namespace(provider: Any, namespace: str) -> Iterator[None]:
    """The metrics provider's namespace for the block, put back afterwards."""
    saved = provider.namespace
    provider.namespace = namespace
    try:
        yield
    finally:
        provider.namespace = saved


def _records_window(records: Sequence[Mapping[str, Any]]) -> tuple[datetime, datetime]:
    """Whole UTC days around every record: callbacks can spill past midnight."""
    starts = [
        datetime.fromisoformat(str(record["InitiationTimestamp"]).replace("Z", "+00:00"))
        for record in records
    ]
    first = datetime.combine(min(starts).date(), clock(0), tzinfo=UTC)
    return first, datetime.combine(max(starts).date(), clock(0), tzinfo=UTC) + timedelta(days=2)


class _LambdaContext:
    function_name = "analytics-local"
    memory_limit_in_mb = 1024
    invoked_function_arn = "arn:aws:lambda:us-east-1:000000000000:function:analytics-local"
    aws_request_id = "local"
