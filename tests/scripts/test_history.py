"""`ccaas history`: the same contacts print the same table from DuckDB (--records) and from
Athena (the stage's workgroup; moto's Athena, which runs no SQL, answers with the rows DuckDB
found, written as Athena writes them: text cells and a header row)."""

from __future__ import annotations

import csv
import io
import json
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

import boto3
import pytest
import requests

from history.catalog import queries
from history.local import run_local
from history.names import workgroup_name
from history.parquet import write_archive
from history.periods import Period, parameter_values
from history.results import QueryResult
from scripts.cli import main
from scripts.commands.history import result_table
from tests.lambdas.analytics import ctr
from tests.lambdas.analytics.test_handler import the_day

MOTO_RESULTS = "http://motoapi.amazonaws.com/moto-api/static/athena/query-results"
KPIS = next(query for query in queries() if query.name == "kpis")


def write_day(folder: Path) -> Path:
    """The analytics tests' hand-built day, plus a duplicate, as two files in a folder."""
    day = [*the_day(), ctr.voice_handled()]
    folder.mkdir()
    for name, part in (("a.jsonl", day[:4]), ("b.jsonl", day[4:])):
        (folder / name).write_text("".join(json.dumps(r) + "\n" for r in part), encoding="utf-8")
    return folder


def athena_rows(result: QueryResult) -> dict[str, Any]:
    """`result` as GetQueryResults pages hold it: every cell text, the header row first."""
    types = {bool: "boolean", int: "bigint", float: "double", Decimal: "decimal", str: "varchar"}

    def athena_type(index: int) -> str:
        values = [row[index] for row in result.rows if row[index] is not None]
        if values and isinstance(values[0], datetime):
            return "timestamp"
        if values and isinstance(values[0], date):
            return "date"
        return types[type(values[0])] if values else "varchar"

    def text(value: object) -> dict[str, str]:
        if value is None:
            return {}
        if isinstance(value, datetime):
            return {"VarCharValue": f"{value:%Y-%m-%d %H:%M:%S}.000"}
        return {"VarCharValue": str(value).lower() if isinstance(value, bool) else str(value)}

    header = {"Data": [{"VarCharValue": name} for name in result.columns]}
    return {
        "rows": [header, *({"Data": [text(value) for value in row]} for row in result.rows)],
        "column_info": [
            {"Name": name, "Type": athena_type(index)} for index, name in enumerate(result.columns)
        ],
    }


def test_records_and_athena_print_the_same_table(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], aws: None
) -> None:
    # Given a day of contact records in a folder, queried offline
    folder = write_day(tmp_path / "records")
    assert main(["history", "--records", str(folder)]) == 0
    offline = capsys.readouterr().out
    # Then the period is the records' day and every contact is counted once (the duplicate too)
    assert "2026-12-01 to 2026-12-01 (UTC), by day" in offline
    voice = [line.split() for line in offline.splitlines() if " support  VOICE " in line]
    assert voice[0][3] == "4"  # contacts
    # When the stage's workgroup answers the same query with the same rows
    period = Period(date(2026, 12, 1), date(2026, 12, 1))
    parameters = parameter_values(KPIS, period)
    write_archive([*the_day(), ctr.voice_handled()], tmp_path / "archive")
    local = run_local(KPIS, tmp_path / "archive", parameters)
    athena = boto3.client("athena")
    athena.create_work_group(Name=workgroup_name("dev"), Configuration={})
    queued = requests.post(
        MOTO_RESULTS, json={"results": [athena_rows(local)]}, timeout=5
    ).status_code
    assert queued == 201
    code = main(["history", "--stage", "dev", "--from", "2026-12-01", "--to", "2026-12-01"])
    captured = capsys.readouterr()
    # Then it prints the same table, after Athena's state and the bytes it scanned
    assert code == 0, captured.err
    assert captured.out == offline
    assert "succeeded after" in captured.err and "0.0 MB scanned" in captured.err
    # And the query ran with the period's parameters, each a quoted SQL string
    (execution_id,) = athena.list_query_executions()["QueryExecutionIds"]
    execution = athena.get_query_execution(QueryExecutionId=execution_id)["QueryExecution"]
    assert execution["ExecutionParameters"] == [f"'{parameters[n]}'" for n in KPIS.parameters]
    assert execution["QueryExecutionContext"]["Database"] == "contact_center_dev_history"


def test_athena_reads_the_last_seven_days_by_default(
    capsys: pytest.CaptureFixture[str], aws: None
) -> None:
    boto3.client("athena").create_work_group(Name=workgroup_name("dev"), Configuration={})
    assert main(["history", "--stage", "dev", "--by", "week"]) == 0
    out = capsys.readouterr().out
    today = datetime.now(UTC).date()
    assert f"{today - timedelta(days=6)} to {today} (UTC), by week" in out
    assert "(no contacts in the period)" in out


def test_a_stage_without_its_workgroup_is_one_line(
    capsys: pytest.CaptureFixture[str], aws: None
) -> None:
    assert main(["history", "--stage", "prod"]) == 1
    (line,) = capsys.readouterr().err.strip().splitlines()[-1:]
    assert line.startswith("ccaas history: Athena workgroup contact-center-prod-history not found")


def test_the_table_aligns_numbers_right_and_shows_null_as_a_dash() -> None:
    result = QueryResult(
        columns=("period", "queue", "contacts", "aht"),
        rows=(
            (datetime(2026, 12, 1), "billing", 1200, 305.5),
            (datetime(2026, 12, 2), "support", 7, None),
        ),
    )
    assert result_table(result).splitlines() == [
        "period      queue    contacts    aht",
        "------------------------------------",
        "2026-12-01  billing     1,200  305.5",
        "2026-12-02  support         7      -",
    ]
    hourly = QueryResult(columns=("period",), rows=((datetime(2026, 12, 1, 9),),))
    assert result_table(hourly).splitlines()[-1] == "2026-12-01 09:00"


def test_columns_pick_and_order_the_table_and_csv_keeps_every_digit(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    folder = write_day(tmp_path / "records")
    wanted = ["queue", "channel", "abandonment_rate", "contacts"]

    # The aligned table shows the chosen columns, in the order asked
    assert main(["history", "--records", str(folder), "--columns", ",".join(wanted)]) == 0
    table = capsys.readouterr().out.splitlines()
    assert table[3].split() == wanted  # after the title, the period and a blank line

    # CSV holds every row with full precision: the rate is abandoned / queued to the last digit
    assert main(["history", "--records", str(folder), "--csv"]) == 0
    full = list(csv.DictReader(io.StringIO(capsys.readouterr().out)))
    assert main(["history", "--records", str(folder), "--columns", ",".join(wanted), "--csv"]) == 0
    chosen = list(csv.reader(io.StringIO(capsys.readouterr().out)))
    assert chosen[0] == wanted
    assert chosen[1:] == [[row[name] for name in wanted] for row in full]
    assert len(full) == len(table) - 5  # the table's rows, without title, period, gaps, header
    rated = [row for row in full if row["abandonment_rate"]]
    assert rated
    for row in rated:
        assert float(row["abandonment_rate"]) == int(row["abandoned"]) / int(row["queued"])
    assert all(row["abandonment_rate"] == "" for row in full if row["queued"] == "0")
