"""`ccaas report [--stage dev] [--from DAY] [--to DAY] [--chart FILE.png]`: the supervisor's KPIs.

Reads the metrics table the analytics function writes and prints KPIs per channel and queue for
a time window (dates or ISO times in the contact center's time zone, the default queue's hours;
default: today). `--chart` draws the window's 15-minute curve (contacts queued, abandonment,
service level, ASA) into a PNG.

Where the table is:
- `--records FILE.jsonl ...`: offline. Contact records (one JSON object per line, as
  `ccaas rehearse --records DIR` writes them) go through the real analytics handler into moto
  tables, exactly as Kinesis would deliver them, and the report reads those;
- `--endpoint-url URL`: a local DynamoDB (moto server, DynamoDB Local), table `--table`;
- otherwise AWS, with your credentials (`--profile`, `--region`): the stage's metrics table
  found in its CloudFormation stack (`ContactCenter-<stage>-Data`), or `--table NAME`.

The rendering functions (`render_report`, `report_text`, `write_chart`) take a boto3 Table, so
the local rehearsal prints the same report from its own moto table.
"""

from __future__ import annotations

import argparse
import base64
import json
import sys
from collections.abc import Iterable, Iterator, Mapping, Sequence
from datetime import date, datetime, time, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from config import ConfigError, ContactCenterConfig, load_stage
from lambdas.analytics.logic import AggregateKey, Kpis, summarize
from lambdas.analytics.repository import MetricsRepository

Row = tuple[AggregateKey, Mapping[str, int]]
REPLAY_BATCH = 500  # the event source mapping's batch size
CHANNEL_ORDER = ("VOICE", "CHAT", "EMAIL", "TASK")


class ReportError(Exception):
    """Something the user can fix: printed as one line, exit code 2."""


def register(subparsers: Any) -> None:
    parser = subparsers.add_parser(
        "report",
        help="KPIs per channel and queue from the metrics table (local or AWS)",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--stage", default="dev", help="reads config/<stage>.yaml (default: dev)")
    parser.add_argument(
        "--from", dest="start", default=None, help="first day or time (default: today)"
    )
    parser.add_argument(
        "--to", dest="end", default=None, help="day or time to stop before (default: next day)"
    )
    parser.add_argument("--chart", type=Path, default=None, help="PNG of the 15-minute curve")
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
    parser.add_argument("--profile", default=None, help="AWS profile (AWS mode)")
    parser.add_argument("--region", default=None, help="AWS region (AWS mode)")
    parser.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    try:
        config = load_stage(args.stage)
    except ConfigError as error:
        print(error, file=sys.stderr)
        return 2
    zone = time_zone(config)
    threshold = config.alarms.service_level_threshold_seconds
    try:
        if args.records:
            records = list(read_records(args.records))
            start, end = window(args.start, args.end, zone, default_day=first_day(records, zone))
            with local_metrics_table(config, records) as table:
                return _print(table, start, end, threshold=threshold, zone=zone, chart=args.chart)
        start, end = window(args.start, args.end, zone)
        table = remote_table(args, config)
        return _print(table, start, end, threshold=threshold, zone=zone, chart=args.chart)
    except ReportError as error:
        print(f"ccaas report: {error}", file=sys.stderr)
        return 2


def _print(
    table: Any,
    start: datetime,
    end: datetime,
    *,
    threshold: int,
    zone: ZoneInfo,
    chart: Path | None,
) -> int:
    rows = MetricsRepository(table, retention_days=1).read_intervals(start, end)
    print(report_text(rows, threshold_seconds=threshold, start=start, end=end, zone=zone))
    if chart is not None:
        write_chart(rows, chart, threshold_seconds=threshold, zone=zone, window=(start, end))
        print(f"\nchart: {chart}")
    return 0


# -- rendering (shared with the rehearsal) --------------------------------------------------------


def render_report(
    table: Any, *, start: datetime, end: datetime, threshold_seconds: int, zone: ZoneInfo
) -> str:
    """The KPI table of `[start, end)` read from a boto3 metrics Table (moto or AWS)."""
    rows = MetricsRepository(table, retention_days=1).read_intervals(start, end)
    return report_text(rows, threshold_seconds=threshold_seconds, start=start, end=end, zone=zone)


_COLUMNS = (
    ("contacts", 8),
    ("queued", 7),
    ("answered", 8),
    ("abandoned", 9),
    ("aband%", 7),
    ("ASA s", 6),
    ("AHT s", 6),
    ("SL", 6),
    ("SL Connect", 10),
    ("self-serv%", 10),
    ("repeat%", 8),
    ("FCR", 6),
)


def report_text(
    rows: Sequence[Row],
    *,
    threshold_seconds: int,
    start: datetime,
    end: datetime,
    zone: ZoneInfo,
) -> str:
    """Per channel: one line per queue, then the channel total; the grand total last."""
    by_queue = summarize(rows, threshold_seconds=threshold_seconds)
    by_channel = summarize(rows, threshold_seconds=threshold_seconds, by_queue=False)
    title = (
        f"KPIs {start.astimezone(zone):%Y-%m-%d %H:%M} to {end.astimezone(zone):%Y-%m-%d %H:%M} "
        f"({zone.key}); service level = answered within {threshold_seconds} s / queued"
    )
    header = f"{'channel':<8} {'queue':<16} " + " ".join(f"{n:>{w}}" for n, w in _COLUMNS)
    lines = [title, "", header, "-" * len(header)]
    if not rows:
        lines.append("(no contacts counted in this window)")
        return "\n".join(lines)
    total = Kpis()
    for channel, _ in sorted(by_channel, key=_channel_order):
        queues = sorted((queue, kpis) for (c, queue), kpis in by_queue.items() if c == channel)
        for queue, kpis in queues:
            lines.append(_line(channel, queue or "(none)", kpis))
        channel_total = by_channel[(channel, "")]
        lines.append(_line(channel, "= all queues", channel_total))
        total.add(channel_total)
    lines += ["-" * len(header), _line("ALL", "", total)]
    lines += [
        "",
        "aband% = abandoned / queued; ASA = queue time of answered / answered; AHT = talk + hold "
        "+ ACW / handled;",
        "SL = answered within threshold / queued; SL Connect = left the queue (answered, "
        "abandoned, callback) within it / queued;",
        "self-serv% = ended in the flow / customer-started; repeat% = same customer, any channel, "
        "within the window / identified; FCR = 1 - repeat%",
    ]
    return "\n".join(lines)


def _channel_order(group: tuple[str, str]) -> tuple[int, str]:
    channel = group[0]
    return (CHANNEL_ORDER.index(channel) if channel in CHANNEL_ORDER else 99, channel)


def _line(channel: str, queue: str, kpis: Kpis) -> str:
    cells = [
        f"{kpis.contacts:,}",
        f"{kpis.queued:,}",
        f"{kpis.answered:,}",
        f"{kpis.abandoned:,}",
        _percent(kpis.abandonment_rate),
        _seconds(kpis.average_speed_of_answer),
        _seconds(kpis.average_handle_time),
        _percent(kpis.service_level),
        _percent(kpis.connect_service_level),
        _percent(kpis.self_service_rate),
        _percent(kpis.repeat_rate),
        _percent(kpis.first_contact_resolution),
    ]
    return f"{channel:<8} {queue[:16]:<16} " + " ".join(
        f"{cell:>{width}}" for cell, (_, width) in zip(cells, _COLUMNS, strict=True)
    )


def _percent(value: float | None) -> str:
    return "-" if value is None else f"{value:.1%}"


def _seconds(value: float | None) -> str:
    return "-" if value is None else f"{value:.0f}"


def write_chart(
    rows: Sequence[Row],
    path: Path,
    *,
    threshold_seconds: int,
    zone: ZoneInfo,
    title: str = "",
    window: tuple[datetime, datetime] | None = None,
) -> None:
    """The window's 15-minute curve, all channels together: contacts queued and abandoned,
    abandonment rate and service level, ASA and AHT. Each bar covers its interval."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.dates as mdates
    import matplotlib.pyplot as plt

    per_interval: dict[datetime, Kpis] = {}
    for key, counters in rows:
        per_interval.setdefault(key.interval_start, Kpis()).add(
            Kpis.from_counters(counters, threshold_seconds=threshold_seconds)
        )
    times = sorted(per_interval)
    local = [moment.astimezone(zone) for moment in times]
    kpis = [per_interval[moment] for moment in times]

    figure, (volume, rates, speed) = plt.subplots(3, 1, figsize=(11, 8), sharex=True)
    width = timedelta(minutes=14)
    for values, label, color in (
        ([k.queued for k in kpis], "queued", "#4c72b0"),
        ([k.abandoned for k in kpis], "abandoned", "#c44e52"),
    ):
        volume.bar(local, values, width=width, align="edge", label=label, color=color)
    volume.set_ylabel("contacts / 15 min")
    volume.legend(loc="upper right")
    middle = [moment + timedelta(minutes=7, seconds=30) for moment in local]
    rates.plot(middle, [_nan(k.abandonment_rate) for k in kpis], ".-", label="abandonment rate")
    rates.plot(
        middle,
        [_nan(k.service_level) for k in kpis],
        ".-",
        label=f"service level ({threshold_seconds} s)",
    )
    rates.set_ylim(0, 1)
    rates.yaxis.set_major_formatter(matplotlib.ticker.PercentFormatter(1.0))
    rates.legend(loc="upper right")
    speed.plot(middle, [_nan(k.average_speed_of_answer) for k in kpis], ".-", label="ASA (s)")
    speed.plot(middle, [_nan(k.average_handle_time) for k in kpis], ".-", label="AHT (s)")
    if window is not None:
        speed.set_xlim(window[0].astimezone(zone), window[1].astimezone(zone))
    speed.set_ylabel("seconds")
    speed.legend(loc="upper right")
    speed.xaxis.set_major_formatter(mdates.DateFormatter("%H:%M", tz=zone))
    figure.suptitle(title or f"Contact center, 15-minute intervals ({zone.key})")
    figure.tight_layout()
    path.parent.mkdir(parents=True, exist_ok=True)
    figure.savefig(path, dpi=100)
    plt.close(figure)


def _nan(value: float | None) -> float:
    return float("nan") if value is None else value


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
        raise ReportError(f"--to ({finish:%Y-%m-%d %H:%M}) must be after --from")
    return begin, finish


def _moment(text: str, zone: ZoneInfo) -> datetime:
    try:
        if len(text) == 10:
            return datetime.combine(date.fromisoformat(text), time(0), tzinfo=zone)
        moment = datetime.fromisoformat(text)
    except ValueError:
        raise ReportError(f"'{text}' is not a date (2026-12-01) or ISO time") from None
    return moment if moment.tzinfo else moment.replace(tzinfo=zone)


def read_records(paths: Iterable[Path]) -> Iterator[dict[str, Any]]:
    for path in paths:
        if not path.is_file():
            raise ReportError(f"{path} is not a file of contact records")
        with path.open(encoding="utf-8") as lines:
            for number, line in enumerate(lines, start=1):
                if not line.strip():
                    continue
                try:
                    yield json.loads(line)
                except json.JSONDecodeError:
                    raise ReportError(f"{path}:{number} is not a JSON contact record") from None


def first_day(records: Sequence[Mapping[str, Any]], zone: ZoneInfo) -> date | None:
    stamps = [str(r["InitiationTimestamp"]) for r in records if r.get("InitiationTimestamp")]
    if not stamps:
        return None
    first = datetime.fromisoformat(min(stamps).replace("Z", "+00:00"))
    return first.astimezone(zone).date()


class local_metrics_table:  # noqa: N801 - used as a context manager, reads like a function
    """moto tables shaped like the Data stack's, filled by the real analytics handler."""

    def __init__(self, config: ContactCenterConfig, records: Sequence[Mapping[str, Any]]) -> None:
        self.config = config
        self.records = records

    def __enter__(self) -> Any:
        import os
        from unittest.mock import patch

        import boto3
        from moto import mock_aws

        from local_connect.rehearsal import LocalResources, create_resources

        region = "us-east-1"
        # Only for as long as the tables live: the settings must not leak into whatever the
        # process does next (Powertools reads them on every flush).
        self.environment = patch.dict(
            os.environ,
            {
                "AWS_ACCESS_KEY_ID": os.environ.get("AWS_ACCESS_KEY_ID", "local"),
                "AWS_SECRET_ACCESS_KEY": os.environ.get("AWS_SECRET_ACCESS_KEY", "local"),
                "AWS_DEFAULT_REGION": os.environ.get("AWS_DEFAULT_REGION", region),
                "POWERTOOLS_TRACE_DISABLED": "true",
                "POWERTOOLS_METRICS_DISABLED": "true",
                "POWERTOOLS_LOG_LEVEL": "WARNING",
            },
        )
        self.environment.start()
        from local_connect.moto_transactions import item_level_rollback

        self.mock = mock_aws()
        self.mock.start()
        self.rollback = item_level_rollback()
        self.rollback.__enter__()
        names = LocalResources()
        create_resources(names, region=region)
        count_records(self.config, self.records, names.metrics_table, names.customers_table)
        return boto3.resource("dynamodb", region_name=region).Table(names.metrics_table)

    def __exit__(self, *exc: object) -> None:
        self.rollback.__exit__(None, None, None)
        self.mock.stop()
        self.environment.stop()


def count_records(
    config: ContactCenterConfig,
    records: Sequence[Mapping[str, Any]],
    metrics_table: str,
    customers_table: str,
) -> None:
    """Delivers the records to the analytics handler as Kinesis batches of `REPLAY_BATCH`."""
    import os

    from lambdas.analytics import handler

    os.environ.update(
        {
            "METRICS_TABLE": metrics_table,
            "CUSTOMERS_TABLE": customers_table,
            "SERVICE_LEVEL_THRESHOLD_SECONDS": str(config.alarms.service_level_threshold_seconds),
            "REPEAT_WINDOW_HOURS": str(config.routing.repeat_contact.window_hours),
            "METRICS_RETENTION_DAYS": str(config.retention.metrics_days),
            "CONTACT_HISTORY_DAYS": str(config.retention.contact_history_days),
        }
    )
    handler.settings.cache_clear()
    handler.counter.cache_clear()
    for start in range(0, len(records), REPLAY_BATCH):
        event = kinesis_event(records[start : start + REPLAY_BATCH], first_sequence=start)
        response = handler.handler(event, _Context())  # type: ignore[arg-type]
        if response.get("batchItemFailures"):
            failed = len(response["batchItemFailures"])
            raise ReportError(f"{failed} contact record(s) could not be counted")


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
                "awsRegion": "us-east-1",
                "eventSourceARN": "arn:aws:kinesis:us-east-1:000000000000:stream/contact-records",
            }
            for offset, record in enumerate(records)
        ]
    }


class _Context:
    function_name = "analytics-local"
    memory_limit_in_mb = 1024
    invoked_function_arn = "arn:aws:lambda:us-east-1:000000000000:function:analytics-local"
    aws_request_id = "local"


def remote_table(args: argparse.Namespace, config: ContactCenterConfig) -> Any:
    import boto3

    session = boto3.Session(profile_name=args.profile, region_name=args.region)
    if args.endpoint_url:
        resource = session.resource("dynamodb", endpoint_url=args.endpoint_url)
        return resource.Table(args.table or "metrics")
    name = args.table or metrics_table_name(session.client("cloudformation"), config.stage)
    return session.resource("dynamodb").Table(name)


def metrics_table_name(cloudformation: Any, stage: str) -> str:
    """The physical name of the stage's metrics table, from its Data stack's resources."""
    from botocore.exceptions import BotoCoreError, ClientError

    stack = f"ContactCenter-{stage}-Data"
    try:
        resources = cloudformation.describe_stack_resources(StackName=stack)["StackResources"]
    except ClientError as error:
        raise ReportError(
            f"cannot read stack {stack}: {error.response['Error']['Message']} "
            "(deployed? right --profile/--region? or pass --table)"
        ) from None
    except BotoCoreError as error:
        raise ReportError(
            f"cannot reach AWS: {error} (or use --records / --endpoint-url)"
        ) from None
    for resource in resources:
        if resource["ResourceType"] == "AWS::DynamoDB::Table" and resource[
            "LogicalResourceId"
        ].startswith("DataMetrics"):
            return str(resource["PhysicalResourceId"])
    raise ReportError(f"stack {stack} has no metrics table")
