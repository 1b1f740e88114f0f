"""`ccaas report`: the supervisor's KPIs from a metrics table: moto tables filled offline by the
real analytics handler (`--records`), a local DynamoDB, or the stage's table in AWS.

The KPI table and the chart are drawn by `local_connect.records.presentation`, as `ccaas
rehearse` draws them: the same records print the same table from either command.
"""

from __future__ import annotations

import argparse
import base64
import json
import sys
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from functools import partial
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import boto3
from pydantic import ValidationError

from config import ContactCenterConfig, load_stage
from lambdas.analytics.logic import MalformedRecordError, counted_at
from lambdas.analytics.repository import MetricsRepository
from lambdas.common.contact_records import ContactRecord
from local_connect.records import MetricRow
from local_connect.records.presentation import channel_lines, kpi_legend, kpi_table, write_chart
from local_connect.runtime.lambda_runtime import LocalLambda
from local_connect.runtime.local_aws import LOCAL_ACCOUNT_ID, LOCAL_REGION, offline_aws
from local_connect.runtime.resources import LocalResources, create_resources
from scripts.cli_support import (
    NOT_JSON,
    CommandError,
    ProblemsFound,
    add_aws_options,
    aws_session,
    data_table_name,
    json_lines,
    writable_file,
)
from scripts.progress import Reporter

REPLAY_BATCH = 500  # the event source mapping's batch size
LISTED_BAD_LINES = 20  # named one by one on stderr; beyond that, counted
say = partial(print, flush=True)

DESCRIPTION = """\
Prints the supervisor's KPIs per channel and queue (contacts, queued, answered, abandoned, ASA,
AHT, service level, queue full, self-service, repeat contacts) for a time window, from the
metrics table the analytics function writes, in the table `ccaas rehearse` prints. Times are
in the contact center's time zone (the default queue's hours); the window defaults to today, or
with --records to the records' first day.

Reads, depending on the flags:
  --records FILE ...  contact records, one JSON object a line (as `ccaas rehearse
                      --records-out DIR` writes them), counted offline by the real analytics
                      handler as Kinesis would deliver them; needs no AWS account. Lines that
                      are not contact records are named on stderr and skipped (exit code 1).
  --endpoint-url URL  a local DynamoDB (moto server, DynamoDB Local) holding table --table.
  otherwise           the stage's metrics table in AWS, found in its CloudFormation stack
                      ContactCenter-<stage>-Data (or --table NAME), with your credentials.
Writes the KPI table to stdout and, with --chart, a PNG of the window's 15-minute curves, one
per channel (contacts queued, abandonment, service level, ASA). Progress goes to stderr.

Examples:
  ccaas report --records out/records/dmv-voice_only.jsonl --chart out/day.png
  ccaas report --stage prod --from 2026-12-01 --to 2026-12-08 --profile ops --region us-east-1
"""


def register(subparsers: Any) -> None:
    parser = subparsers.add_parser(
        "report",
        help="KPIs per channel and queue from the metrics table (local or AWS)",
        description=DESCRIPTION,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--stage", default="dev", help="reads config/<stage>.yaml (default: dev)")
    parser.add_argument(
        "--from", dest="start", default=None, help="first day or time (default: today)"
    )
    parser.add_argument(
        "--to", dest="end", default=None, help="day or time to stop before (default: next day)"
    )
    parser.add_argument(
        "--chart", type=Path, default=None, metavar="FILE", help="PNG of the 15-minute curve"
    )
    parser.add_argument(
        "--records",
        type=Path,
        nargs="+",
        default=None,
        metavar="FILE",
        help="count these contact records (JSON lines) offline into moto, then report",
    )
    parser.add_argument("--endpoint-url", default=None, help="a local DynamoDB endpoint")
    parser.add_argument("--table", default=None, help="metrics table name")
    add_aws_options(parser, used="AWS mode")
    parser.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    chart = writable_file(args.chart, "--chart") if args.chart is not None else None
    config = load_stage(args.stage)
    zone = time_zone(config)
    threshold = config.alarms.service_level_threshold_seconds
    reporter = Reporter("report")
    show = partial(_print, threshold=threshold, zone=zone, chart=chart, reporter=reporter)
    if args.records:
        read = read_records(args.records)
        first_day = read.first_start.astimezone(zone).date() if read.first_start else None
        start, end = window(args.start, args.end, zone, default_day=first_day)
        with offline_aws(), local_metrics_table(config, read.records, reporter) as table:
            show(table, start, end)
        if read.bad_lines:
            fail_on_bad_lines(read)
        return 0
    start, end = window(args.start, args.end, zone)
    show(remote_table(args, config, reporter), start, end)
    return 0


def _print(
    table: Any,
    start: datetime,
    end: datetime,
    *,
    threshold: int,
    zone: ZoneInfo,
    chart: Path | None,
    reporter: Reporter,
) -> None:
    reporter.step("reading the metrics table")
    rows = MetricsRepository(table, retention_days=1).read_intervals(start, end)
    say(report_text(rows, threshold_seconds=threshold, start=start, end=end, zone=zone))
    if chart is not None:
        reporter.step("drawing the chart")
        write_chart(
            channel_lines(rows),
            chart,
            threshold_seconds=threshold,
            zone=zone,
            title=f"Contact center, 15-minute intervals ({zone.key})",
            window=(start, end),
        )
        say(f"\nchart: {chart}")


def fail_on_bad_lines(read: RecordFiles) -> None:
    """Each line that was skipped, as `file:line: why`, then the summary as the exit's reason."""
    for bad in read.bad_lines[:LISTED_BAD_LINES]:
        print(bad, file=sys.stderr, flush=True)
    more = len(read.bad_lines) - LISTED_BAD_LINES
    raise ProblemsFound(
        f"skipped {len(read.bad_lines):,} line(s) that are not contact records"
        + (f" ({more:,} more not listed)" if more > 0 else ""),
        f"the report counts the other {len(read.records):,}; fix or remove those lines",
    )


# -- rendering (the table and the chart are the rehearsal's: local_connect.records.presentation) --


def render_report(
    table: Any, *, start: datetime, end: datetime, threshold_seconds: int, zone: ZoneInfo
) -> str:
    """The KPI table of `[start, end)` read from a boto3 metrics Table (moto or AWS)."""
    rows = MetricsRepository(table, retention_days=1).read_intervals(start, end)
    return report_text(rows, threshold_seconds=threshold_seconds, start=start, end=end, zone=zone)


def report_text(
    rows: Sequence[MetricRow],
    *,
    threshold_seconds: int,
    start: datetime,
    end: datetime,
    zone: ZoneInfo,
) -> str:
    """The window's title, the KPI table (the rehearsal's, `kpi_table`) and what the columns are."""
    title = (
        f"KPIs {start.astimezone(zone):%Y-%m-%d %H:%M} to {end.astimezone(zone):%Y-%m-%d %H:%M} "
        f"({zone.key})"
    )
    table = kpi_table(rows, threshold_seconds=threshold_seconds)
    legend = f"\n\n{kpi_legend(threshold_seconds)}" if rows else ""
    return f"{title}\n\n{table}{legend}"


# -- where the table is -------------------------------------------------------------------------


def time_zone(config: ContactCenterConfig) -> ZoneInfo:
    """The contact center's clock: the time zone of the default queue's hours."""
    queue = config.queues[config.routing.default_queue]
    return ZoneInfo(config.hours[queue.hours].time_zone)


def window(
    start: str | None, end: str | None, zone: ZoneInfo, *, default_day: date | None = None
) -> tuple[datetime, datetime]:
    """`[start, end)` as aware datetimes; dates mean local midnight; `end` defaults to a day on."""
    if start is None:
        day = default_day or datetime.now(zone).date()
        begin = datetime.combine(day, time(0), tzinfo=zone)
    else:
        begin = _moment(start, zone)
    finish = _moment(end, zone) if end else begin + timedelta(days=1)
    if finish <= begin:
        raise CommandError(f"--to ({finish:%Y-%m-%d %H:%M}) must be after --from")
    return begin, finish


def _moment(text: str, zone: ZoneInfo) -> datetime:
    try:
        if len(text) == 10:
            return datetime.combine(date.fromisoformat(text), time(0), tzinfo=zone)
        moment = datetime.fromisoformat(text)
    except ValueError:
        raise CommandError(f"'{text}' is not a date (2026-12-01) or ISO time") from None
    return moment if moment.tzinfo else moment.replace(tzinfo=zone)


@dataclass
class RecordFiles:
    """What `--records` files hold: the contact records, in order, and the lines that are not."""

    records: list[dict[str, Any]] = field(default_factory=list)
    bad_lines: list[str] = field(default_factory=list)  # `file:line: why`
    first_start: datetime | None = None  # when the earliest contact began
    first_counted: datetime | None = None  # the earliest and latest moments a contact counts at
    last_counted: datetime | None = None  # (`counted_at`): the days `ccaas history` covers


def read_records(paths: Iterable[Path]) -> RecordFiles:
    """Every line of every file, checked as the analytics handler checks a record, so a bad
    line is named here and the good ones are still counted."""
    read = RecordFiles()
    for path in paths:
        for number, value in json_lines(path, "contact records file"):
            record, problem = _contact_record(value)
            if record is None:
                read.bad_lines.append(f"{path}:{number}: {problem}")
                continue
            read.records.append(value)
            started = record.started_at
            if started and (read.first_start is None or started < read.first_start):
                read.first_start = started
            counted = counted_at(record)
            read.first_counted = min(counted, read.first_counted or counted)
            read.last_counted = max(counted, read.last_counted or counted)
    return read


def _contact_record(value: Any) -> tuple[ContactRecord | None, str]:
    """(the parsed record, "") if the analytics handler can count `value`, else (None, why):
    its `parse_contact_record` needs a ContactId, a Channel and a timestamp to place it by."""
    if value is NOT_JSON:
        return None, "not JSON"
    if not isinstance(value, dict):
        return None, f"a JSON {type(value).__name__}, not a contact record object"
    try:
        record = ContactRecord.model_validate(value)
        counted_at(record)
    except ValidationError as error:
        first = error.errors()[0]
        where = ".".join(str(part) for part in first["loc"])
        return None, f"not a contact record: {where}: {first['msg'].lower()}"
    except MalformedRecordError as error:
        return None, f"not a contact record: {error}"
    return record, ""


@contextmanager
def local_metrics_table(
    config: ContactCenterConfig, records: Sequence[Mapping[str, Any]], reporter: Reporter
) -> Iterator[Any]:
    """moto tables shaped like the Data stack's, filled by the real analytics handler. Runs
    inside `offline_aws()`, so the tables and the handler share the local region."""
    # moto takes about a second to import: only `--records` pays for it, not `ccaas --help`.
    from moto import mock_aws

    from local_connect.runtime.moto_dynamodb import fast_dynamodb
    from local_connect.runtime.moto_once import moto_once
    from local_connect.runtime.moto_transactions import item_level_rollback

    with mock_aws(), item_level_rollback(), fast_dynamodb(), moto_once():
        names = LocalResources()
        create_resources(names, region=LOCAL_REGION)
        with reporter.task("counting contact records", len(records)) as counted:
            count_records(
                config, records, names.metrics_table, names.customers_table, counted.advance
            )
        yield boto3.resource("dynamodb", region_name=LOCAL_REGION).Table(names.metrics_table)


def count_records(
    config: ContactCenterConfig,
    records: Sequence[Mapping[str, Any]],
    metrics_table: str,
    customers_table: str,
    advance: Callable[[int], object],
) -> None:
    """Delivers the records to the analytics handler as Kinesis batches of `REPLAY_BATCH`."""
    analytics = LocalLambda(
        "lambdas.analytics.handler",
        {
            "METRICS_TABLE": metrics_table,
            "CUSTOMERS_TABLE": customers_table,
            "SERVICE_LEVEL_THRESHOLD_SECONDS": str(config.alarms.service_level_threshold_seconds),
            "REPEAT_WINDOW_HOURS": str(config.routing.repeat_contact.window_hours),
            "METRICS_RETENTION_DAYS": str(config.retention.metrics_days),
            "CONTACT_HISTORY_DAYS": str(config.retention.contact_history_days),
            "POWERTOOLS_TRACE_DISABLED": "true",
            "POWERTOOLS_METRICS_DISABLED": "true",
            "POWERTOOLS_LOG_LEVEL": "WARNING",
        },
        name="analytics-local",
        memory_mb=1024,
    )
    try:
        for start in range(0, len(records), REPLAY_BATCH):
            batch = records[start : start + REPLAY_BATCH]
            response = analytics.invoke(kinesis_event(batch, first_sequence=start)).result()
            if response.get("batchItemFailures"):
                failed = len(response["batchItemFailures"])
                raise ProblemsFound(f"the analytics handler failed {failed} contact record(s)")
            advance(len(batch))
    finally:
        analytics.cold_start()  # no client of these moto tables outlives them


def kinesis_event(records: Sequence[Mapping[str, Any]], *, first_sequence: int) -> dict[str, Any]:
    """Lambda's Kinesis event for these records, in order (partition key = ContactId)."""
    return {
        "Records": [
            {
                "kinesis": {
                    "kinesisSchemaVersion": "1.0",
                    "partitionKey": str(record.get("ContactId", "")),
                    "sequenceNumber": f"{first_sequence + offset:056d}",
                    "data": base64.b64encode(json.dumps(record).encode("utf-8")).decode("ascii"),
                    "approximateArrivalTimestamp": 0.0,
                },
                "eventSource": "aws:kinesis",
                "eventVersion": "1.0",
                "eventID": f"shardId-000000000000:{first_sequence + offset:056d}",
                "eventName": "aws:kinesis:record",
                "awsRegion": LOCAL_REGION,
                "eventSourceARN": f"arn:aws:kinesis:{LOCAL_REGION}:{LOCAL_ACCOUNT_ID}:stream/contact-records",
            }
            for offset, record in enumerate(records)
        ]
    }


def remote_table(args: argparse.Namespace, config: ContactCenterConfig, reporter: Reporter) -> Any:
    session = aws_session(args.profile, args.region)
    if args.endpoint_url:
        resource = session.resource("dynamodb", endpoint_url=args.endpoint_url)
        return resource.Table(args.table or "metrics")
    if args.table:
        return session.resource("dynamodb").Table(args.table)
    reporter.step(f"finding the metrics table of stage {config.stage} in {session.region_name}")
    name = data_table_name(
        session.client("cloudformation"), config.stage, "Metrics", missing="pass --table"
    )
    return session.resource("dynamodb").Table(name)
