"""`ccaas report`: the KPI table from the metrics table, offline from contact records, and the
stage's table found in AWS (CloudFormation answered by botocore's Stubber)."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import boto3
import pytest
from botocore.stub import Stubber

from scripts.cli import main
from scripts.commands import report
from tests.lambdas.analytics import conftest as analytics_fixtures
from tests.lambdas.analytics import ctr
from tests.lambdas.analytics.conftest import Analytics
from tests.lambdas.analytics.test_handler import seed_jane, the_day

CHICAGO = ZoneInfo("America/Chicago")
analytics = analytics_fixtures.analytics  # the analytics function over moto tables


def row_of(text: str, channel: str, queue: str) -> list[str]:
    for line in text.splitlines():
        cells = line.split()
        if cells[:1] == [channel] and line[9:25].strip() == queue:
            return line[26:].split()
    raise AssertionError(f"no row for {channel} {queue} in:\n{text}")


def test_the_report_shows_hand_computed_kpis_per_channel_and_queue(analytics: Analytics) -> None:
    seed_jane(analytics)
    analytics.invoke(ctr.kinesis_event(*the_day()))
    text = report.render_report(
        analytics.tables.metrics,
        start=ctr.DAY,
        end=ctr.DAY + timedelta(days=1),
        threshold_seconds=20,
        zone=CHICAGO,
    )
    # VOICE support over the day: voice_handled, voice_abandoned, callback request, callback.
    # contacts 4, queued 4, answered 2, abandoned 1 -> 25.0%; ASA (12 + 300) / 2 = 156;
    # AHT (390 + 220) / 2 = 305; SL 1 / 4; Connect SL 1 / 4 (the callback request left after
    # 120 s); self-service 0 of 3 inbound; repeat 1 of 3 identified -> 33.3%, FCR 66.7%.
    assert row_of(text, "VOICE", "support") == [
        "4", "4", "2", "1", "25.0%", "156", "305", "25.0%", "25.0%", "0.0%", "33.3%", "66.7%",
    ]  # fmt: skip
    # VOICE, never queued: the self-service call. 1 of 1 inbound served in the flow.
    assert row_of(text, "VOICE", "(none)")[:4] == ["1", "0", "0", "0"]
    assert row_of(text, "VOICE", "(none)")[9] == "100.0%"
    # VOICE total: 6 contacts (+ billing transfer), queued 5, answered 3, abandoned 1 -> 20.0%;
    # ASA (12 + 5 + 300) / 3 = 106; AHT (390 + 120 + 220) / 3 = 243; SL 2 / 5 = 40.0%.
    voice = row_of(text, "VOICE", "= all queues")
    assert voice[:8] == ["6", "5", "3", "1", "20.0%", "106", "243", "40.0%"]
    assert row_of(text, "CHAT", "support")[:8] == [
        "1", "1", "1", "0", "0.0%", "25", "630", "0.0%",
    ]  # fmt: skip
    assert row_of(text, "ALL", "")[:4] == ["7", "6", "4", "1"]


def test_an_empty_window_says_so(analytics: Analytics) -> None:
    text = report.render_report(
        analytics.tables.metrics,
        start=ctr.DAY,
        end=ctr.DAY + timedelta(days=1),
        threshold_seconds=20,
        zone=CHICAGO,
    )
    assert "no contacts counted" in text


def test_ccaas_report_counts_rehearsal_records_offline_and_draws_the_day(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], aws: None
) -> None:
    records = tmp_path / "day.jsonl"
    day = [*the_day(), ctr.voice_handled()]  # a duplicate, as Connect may send
    records.write_text("\n".join(json.dumps(r) for r in day) + "\n", encoding="utf-8")
    chart = tmp_path / "charts" / "day.png"

    code = main(["report", "--records", str(records), "--chart", str(chart)])
    out = capsys.readouterr().out
    assert code == 0, out
    # dev's clock is the default queue's time zone; the day defaults to the records' first day.
    assert "KPIs 2026-12-01 00:00 to 2026-12-02 00:00" in out
    assert row_of(out, "VOICE", "= all queues")[:4] == ["6", "5", "3", "1"]
    assert chart.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_a_bad_date_or_records_file_is_a_one_line_error(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["report", "--records", str(tmp_path / "missing.jsonl")]) == 2
    assert "is not a file of contact records" in capsys.readouterr().err
    bad = tmp_path / "bad.jsonl"
    bad.write_text('{"ContactId": "a"}\nnot json\n', encoding="utf-8")
    assert main(["report", "--records", str(bad)]) == 2
    assert "bad.jsonl:2 is not a JSON contact record" in capsys.readouterr().err
    assert main(["report", "--table", "t", "--from", "yesterday"]) == 2
    assert "is not a date" in capsys.readouterr().err


def test_the_window_is_local_days_and_iso_times() -> None:
    start, end = report.window("2026-12-01", None, CHICAGO)
    assert start == datetime(2026, 12, 1, 6, 0, tzinfo=UTC)
    assert end - start == timedelta(days=1)
    start, end = report.window("2026-12-01T08:00", "2026-12-01T12:30", CHICAGO)
    assert (end - start) == timedelta(hours=4, minutes=30)
    with pytest.raises(report.ReportError):
        report.window("2026-12-02", "2026-12-01", CHICAGO)


def cloudformation_with(resources: list[dict[str, Any]] | None, error: str | None = None) -> Any:
    client = boto3.client("cloudformation", region_name="us-east-1")
    stubber = Stubber(client)
    if error:
        stubber.add_client_error(
            "describe_stack_resources",
            service_error_code="ValidationError",
            service_message=error,
            expected_params={"StackName": "ContactCenter-prod-Data"},
        )
    else:
        stubber.add_response(
            "describe_stack_resources",
            {"StackResources": resources or []},
            expected_params={"StackName": "ContactCenter-prod-Data"},
        )
    stubber.activate()
    return client


def stack_resource(logical_id: str, physical_id: str, type_: str) -> dict[str, Any]:
    return {
        "LogicalResourceId": logical_id,
        "PhysicalResourceId": physical_id,
        "ResourceType": type_,
        "Timestamp": datetime(2026, 11, 1, tzinfo=UTC),
        "ResourceStatus": "CREATE_COMPLETE",
    }


def test_the_stages_metrics_table_is_found_in_its_data_stack() -> None:
    client = cloudformation_with(
        [
            stack_resource("DataCustomersF252F19A", "prod-Customers-1", "AWS::DynamoDB::Table"),
            stack_resource("DataMetrics99F86785", "prod-Metrics-XYZ", "AWS::DynamoDB::Table"),
            stack_resource("DataDataKeyCDD1A924", "key-id", "AWS::KMS::Key"),
        ]
    )
    assert report.metrics_table_name(client, "prod") == "prod-Metrics-XYZ"


def test_a_missing_stack_says_what_to_check() -> None:
    client = cloudformation_with(None, error="Stack with id ContactCenter-prod-Data does not exist")
    with pytest.raises(report.ReportError, match=r"does not exist.*--table"):
        report.metrics_table_name(client, "prod")
