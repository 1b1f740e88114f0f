"""`ccaas report`: the KPI table from the metrics table, offline from contact records whatever
the user's AWS settings, the same table `ccaas rehearse` prints for the same records, and the
stage's table found in AWS (CloudFormation answered by botocore's Stubber)."""

from __future__ import annotations

import copy
import json
import os
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import boto3
import pytest
import yaml
from botocore.stub import Stubber

from local_connect.runtime.resources import LocalResources, create_resources
from scripts.cli import main
from scripts.cli_support import CommandError, ProblemsFound, data_table_name
from scripts.commands import report
from tests.lambdas.analytics import conftest as analytics_fixtures
from tests.lambdas.analytics import ctr
from tests.lambdas.analytics.conftest import Analytics
from tests.lambdas.analytics.test_handler import seed_jane, the_day
from tests.local_connect.rehearsal.test_rehearsal import SMALL

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
    # 120 s); none refused at capacity; self-service 0 of 3 inbound; repeat 1 of 3 identified
    # -> 33.3%, FCR 66.7%.
    assert row_of(text, "VOICE", "support") == [
        "4", "4", "2", "1", "25.0%", "156", "305", "25.0%", "25.0%", "0", "0.0%", "33.3%", "66.7%",
    ]  # fmt: skip
    # VOICE, never queued: the self-service call. 1 of 1 inbound served in the flow.
    assert row_of(text, "VOICE", "(none)")[:4] == ["1", "0", "0", "0"]
    assert row_of(text, "VOICE", "(none)")[10] == "100.0%"
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


def kpi_table_of(out: str) -> list[str]:
    """The KPI table a command printed: from its header to the grand total."""
    lines = out.splitlines()
    first = next(i for i, line in enumerate(lines) if line.startswith("channel  queue "))
    last = next(i for i, line in enumerate(lines) if i > first and line.startswith("ALL "))
    return lines[first : last + 1]


@pytest.mark.long
def test_rehearse_and_report_print_the_same_table_for_the_same_records(
    tmp_path: Path, capfd: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    # Given a rehearsed day of voice, chat and reminders, its records written out, at the
    # config's service-level threshold (the one `report` reads)
    day = copy.deepcopy(SMALL)
    del day["service_level_seconds"]
    day["variants"] = {"blended": SMALL["variants"]["blended"]}
    scenario = tmp_path / "small.yaml"
    scenario.write_text(yaml.safe_dump(day), encoding="utf-8")
    rehearse = ["rehearse", "--scenario", str(scenario), "--records-out", str(tmp_path)]
    assert main([*rehearse, "--chart", str(tmp_path / "day.png"), "--workers", "1"]) == 0
    rehearsed = kpi_table_of(capfd.readouterr().out)
    # When `report` counts the same records, with the customer history off as the rehearsal's
    # analytics runs (it decides repeat contacts and nothing else)
    monkeypatch.setenv("CUSTOMER_HISTORY", "false")
    assert main(["report", "--records", str(tmp_path / "small-blended.jsonl")]) == 0
    reported = kpi_table_of(capfd.readouterr().out)
    # Then both print the same table, line for line
    assert reported == rehearsed
    assert [line[:5] for line in rehearsed].count("CHAT ") >= 2  # queues and the total


def write_records(path: Path, lines: list[str]) -> Path:
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def day_lines() -> list[str]:
    return [json.dumps(record) for record in the_day()]


def one_line(err: str) -> str:
    assert "Traceback" not in err
    lines = err.splitlines()
    assert len(lines) == 1, err
    return lines[0]


@pytest.mark.parametrize(
    ("variable", "value"), [("AWS_DEFAULT_REGION", "eu-west-2"), ("AWS_PROFILE", "does-not-exist")]
)
def test_report_records_is_offline_whatever_the_users_aws_settings(
    variable: str,
    value: str,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # Given a user whose own AWS settings name another region or a profile this machine lacks
    monkeypatch.setenv(variable, value)
    records = write_records(tmp_path / "day.jsonl", day_lines())
    # When the records are counted offline
    code = main(["report", "--records", str(records)])
    # Then the moto tables and the handler agree on the local region, and the user's
    # environment is as it was
    captured = capsys.readouterr()
    assert code == 0, captured.err
    assert row_of(captured.out, "VOICE", "= all queues")[:4] == ["6", "5", "3", "1"]
    assert os.environ[variable] == value


def test_counting_records_shows_a_counted_task(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    records = write_records(tmp_path / "day.jsonl", day_lines())
    assert main(["report", "--records", str(records)]) == 0
    err = capsys.readouterr().err
    assert "ccaas report: counting contact records (7)" in err.splitlines()
    assert "  7/7" in err.splitlines()


def test_bad_lines_are_named_and_the_good_records_still_reported(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # Given a day of good records with lines that are not contact records among them
    no_id = {k: v for k, v in ctr.voice_handled().items() if k != "ContactId"}
    no_timestamp = {"ContactId": "c-none", "Channel": "VOICE"}
    lines = day_lines()
    lines[2:2] = ["not json", "[1, 2]", '{"foo": 1}', json.dumps(no_id), json.dumps(no_timestamp)]
    records = write_records(tmp_path / "mixed.jsonl", lines)
    # When they are reported
    code = main(["report", "--records", str(records)])
    captured = capsys.readouterr()
    # Then the good ones are counted, each bad one is named as file:line, and the exit is 1
    assert code == 1
    assert row_of(captured.out, "VOICE", "= all queues")[:4] == ["6", "5", "3", "1"]
    assert "Traceback" not in captured.err
    named = [line for line in captured.err.splitlines() if line.startswith(str(records))]
    assert [line.split(": ", 1)[0] for line in named] == [f"{records}:{n}" for n in range(3, 8)]
    assert named[0].endswith("not JSON")
    assert "ContactId" in named[3] and "has no timestamp" in named[4]
    assert captured.err.splitlines()[-1].startswith(
        "ccaas report: skipped 5 line(s) that are not contact records"
    )


def test_a_binary_records_file_is_one_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    good = write_records(tmp_path / "day.jsonl", day_lines())
    binary = tmp_path / "capture.pcap"
    binary.write_bytes(b"\xd4\xc3\xb2\xa1\x02\x00\x04\x00\xff\xfe")
    assert main(["report", "--records", str(good), str(binary)]) == 2
    line = one_line(capsys.readouterr().err)
    assert line.startswith(f"ccaas report: {binary} is not a UTF-8 text file")


def test_a_bad_date_or_missing_records_file_is_a_one_line_error(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    missing = tmp_path / "missing.jsonl"
    assert main(["report", "--records", str(missing)]) == 2
    assert one_line(capsys.readouterr().err).startswith(f"ccaas report: {missing}: no such file")
    assert main(["report", "--table", "t", "--from", "yesterday"]) == 2
    assert "is not a date" in one_line(capsys.readouterr().err)


def test_an_unwritable_chart_fails_before_any_work(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    def no_work(*args: object, **kwargs: object) -> None:
        raise AssertionError("the records were read before the chart path was checked")

    monkeypatch.setattr(report, "read_records", no_work)
    records = write_records(tmp_path / "day.jsonl", day_lines())
    code = main(["report", "--records", str(records), "--chart", "/proc/x/chart.png"])
    assert code == 2
    assert "--chart /proc/x/chart.png cannot be written" in one_line(capsys.readouterr().err)


@pytest.fixture()
def no_aws_settings(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A machine with no AWS config file, profile or region of its own."""
    empty = tmp_path / "aws-config"
    empty.write_text("", encoding="utf-8")
    monkeypatch.setenv("AWS_CONFIG_FILE", str(empty))
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", str(empty))
    for name in ("AWS_PROFILE", "AWS_DEFAULT_REGION", "AWS_REGION"):
        monkeypatch.delenv(name, raising=False)


def test_aws_mode_names_an_unknown_profile_or_a_missing_region(
    no_aws_settings: None, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["report", "--stage", "prod", "--profile", "nope"]) == 2
    assert "AWS profile 'nope' not found" in one_line(capsys.readouterr().err)
    assert main(["report", "--stage", "prod"]) == 2
    line = one_line(capsys.readouterr().err)
    assert "no AWS region" in line and "AWS_REGION" in line


def test_aws_mode_takes_the_region_from_aws_region(
    no_aws_settings: None,
    aws: None,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # Given a metrics table that exists only in eu-west-2, and AWS_REGION naming it
    create_resources(LocalResources(metrics_table="prod-metrics"), region="eu-west-2")
    monkeypatch.setenv("AWS_REGION", "eu-west-2")
    # When the report reads it, then it is found there
    code = main(["report", "--stage", "prod", "--table", "prod-metrics", "--from", "2026-12-01"])
    captured = capsys.readouterr()
    assert code == 0, captured.err
    assert "no contacts counted" in captured.out


def test_help_says_what_report_reads_and_writes(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exit_:
        main(["report", "--help"])
    assert exit_.value.code == 0
    text = capsys.readouterr().out
    assert "--records FILE ..." in text and "Examples:" in text
    assert text.count("\n  ccaas report ") == 2


def test_the_window_is_local_days_and_iso_times() -> None:
    start, end = report.window("2026-12-01", None, CHICAGO)
    assert start == datetime(2026, 12, 1, 6, 0, tzinfo=UTC)
    assert end - start == timedelta(days=1)
    start, end = report.window("2026-12-01T08:00", "2026-12-01T12:30", CHICAGO)
    assert (end - start) == timedelta(hours=4, minutes=30)
    with pytest.raises(CommandError):
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
    assert data_table_name(client, "prod", "Metrics", missing="pass --table") == "prod-Metrics-XYZ"


def test_a_missing_stack_says_what_to_check() -> None:
    client = cloudformation_with(None, error="Stack with id ContactCenter-prod-Data does not exist")
    with pytest.raises(ProblemsFound, match=r"does not exist.*--table"):
        data_table_name(client, "prod", "Metrics", missing="pass --table")
