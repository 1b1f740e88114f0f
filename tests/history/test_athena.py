"""The Athena runner against moto's Athena, which does not run SQL: a test queues the rows a
query answers with (moto's `athena/query-results` endpoint) and moto plays the query's states.
What moto does not emulate (a query Athena cancels or fails, a refusal, a second page of rows)
is played with botocore's Stubber, from the shapes in Athena's API reference."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from decimal import Decimal
from typing import Any

import boto3
import pytest
import requests
from botocore.stub import Stubber
from moto.moto_api import state_manager

from history.athena import (
    AthenaQueryError,
    Clock,
    QueryProgress,
    execution_parameters,
    run_athena,
    sql_string,
)
from history.catalog import parse_query
from history.results import QueryResult

QUERY = parse_query(
    "contacts_per_day",
    "-- Contacts per day and channel.\n"
    "-- parameters: from_day, to_day\n"
    "SELECT day, channel, contacts, aht FROM contact_records WHERE dt BETWEEN ? AND ?\n",
)
PARAMETERS = {"from_day": "2026-12-01", "to_day": "2026-12-07"}
WORKGROUP = "contact-history-dev"
DATABASE = "contact_history_dev"
MOTO_RESULTS = "http://motoapi.amazonaws.com/moto-api/static/athena/query-results"


class FakeClock(Clock):
    """Time that passes only when the runner sleeps: the pauses are recorded, none is taken."""

    def __init__(self) -> None:
        self.now = 0.0
        self.pauses: list[float] = []
        super().__init__(sleep=self._sleep, monotonic=lambda: self.now)

    def _sleep(self, seconds: float) -> None:
        self.pauses.append(seconds)
        self.now += seconds


def cell(value: str | None) -> dict[str, str]:
    return {} if value is None else {"VarCharValue": value}


def row(*values: str | None) -> dict[str, Any]:
    return {"Data": [cell(value) for value in values]}


COLUMN_INFO = [
    {"Name": "day", "Label": "day", "Type": "date"},
    {"Name": "channel", "Label": "channel", "Type": "varchar"},
    {"Name": "contacts", "Label": "contacts", "Type": "bigint"},
    {"Name": "aht", "Label": "aht", "Type": "double"},
]
HEADER = row("day", "channel", "contacts", "aht")


@pytest.fixture
def athena(aws: None) -> Iterator[Any]:
    """moto's Athena with the stage's workgroup; a query is polled a few times in QUEUED and RUNNING."""
    client = boto3.client("athena")
    client.create_work_group(Name=WORKGROUP, Configuration={"BytesScannedCutoffPerQuery": 10**9})
    state_manager.set_transition(
        model_name="athena::execution", transition={"progression": "manual", "times": 3}
    )
    yield client
    state_manager.unset_transition(model_name="athena::execution")


def queue_moto_results(*rows: dict[str, Any]) -> None:
    response = requests.post(
        MOTO_RESULTS,
        json={"region": "us-east-1", "results": [{"rows": list(rows), "column_info": COLUMN_INFO}]},
        timeout=5,
    )
    assert response.status_code == 201


def test_a_query_runs_in_the_workgroup_and_its_rows_come_back_typed(athena: Any) -> None:
    # Given a query whose rows moto will answer with, NULL included
    queue_moto_results(
        HEADER, row("2026-12-01", "VOICE", "412", "305.5"), row("2026-12-01", "CHAT", "97", None)
    )
    heard: list[QueryProgress] = []
    clock = FakeClock()
    # When it runs
    result = run_athena(
        athena,
        QUERY,
        PARAMETERS,
        workgroup=WORKGROUP,
        database=DATABASE,
        progress=heard.append,
        clock=clock,
    )
    # Then the header row is the columns and the cells are Python values
    assert result == QueryResult(
        columns=("day", "channel", "contacts", "aht"),
        rows=(
            (date(2026, 12, 1), "VOICE", 412, 305.5),
            (date(2026, 12, 1), "CHAT", 97, None),
        ),
    )
    # And it ran in the workgroup over the database, its days as quoted SQL strings
    execution_id = athena.list_query_executions(WorkGroup=WORKGROUP)["QueryExecutionIds"][0]
    execution = athena.get_query_execution(QueryExecutionId=execution_id)["QueryExecution"]
    assert execution["QueryExecutionContext"] == {"Database": DATABASE}
    assert execution["ExecutionParameters"] == ["'2026-12-01'", "'2026-12-07'"]
    # And every poll was heard, the pause doubling between them, on the fake clock
    assert [p.state for p in heard] == ["QUEUED"] * 2 + ["RUNNING"] * 3 + ["SUCCEEDED"]
    assert clock.pauses == [0.5, 1.0, 2.0, 4.0, 5.0]
    assert heard[-1].elapsed_seconds == 12.5


def test_a_missing_workgroup_is_named(athena: Any) -> None:
    with pytest.raises(AthenaQueryError) as error:
        run_athena(
            athena,
            QUERY,
            PARAMETERS,
            workgroup="contact-history-nosuch",
            database=DATABASE,
            progress=lambda _: None,
            clock=FakeClock(),
        )
    assert error.value.what == "Athena workgroup contact-history-nosuch not found"
    assert "deployed" in error.value.hint


def test_an_interrupted_wait_stops_the_query_so_it_bills_no_further(athena: Any) -> None:
    def interrupted(_: float) -> None:
        raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        run_athena(
            athena,
            QUERY,
            PARAMETERS,
            workgroup=WORKGROUP,
            database=DATABASE,
            progress=lambda _: None,
            clock=Clock(sleep=interrupted),
        )
    execution_id = athena.list_query_executions(WorkGroup=WORKGROUP)["QueryExecutionIds"][0]
    status = athena.get_query_execution(QueryExecutionId=execution_id)["QueryExecution"]["Status"]
    assert status["State"] == "CANCELLED"


def test_parameters_are_sql_strings_in_the_querys_order() -> None:
    assert sql_string("O'Brien") == "'O''Brien'"
    reordered = {"to_day": "2026-12-07", "from_day": "2026-12-01", "unused": "x"}
    assert execution_parameters(QUERY, reordered) == ["'2026-12-01'", "'2026-12-07'"]
    with pytest.raises(ValueError, match="to_day"):
        execution_parameters(QUERY, {"from_day": "2026-12-01"})


# -- what moto does not emulate: botocore's Stubber plays Athena's answers --------------------


def stubbed_run(stubber: Stubber, client: Any) -> QueryResult:
    with stubber:
        return run_athena(
            client,
            QUERY,
            PARAMETERS,
            workgroup=WORKGROUP,
            database=DATABASE,
            progress=lambda _: None,
            clock=FakeClock(),
        )


def started(stubber: Stubber) -> None:
    stubber.add_response("start_query_execution", {"QueryExecutionId": "q-1"})


def finished(stubber: Stubber, state: str, reason: str = "", scanned: int = 0) -> None:
    status: dict[str, Any] = {"State": state}
    if reason:
        status["StateChangeReason"] = reason
    stubber.add_response(
        "get_query_execution",
        {"QueryExecution": {"Status": status, "Statistics": {"DataScannedInBytes": scanned}}},
        {"QueryExecutionId": "q-1"},
    )


@pytest.mark.parametrize(
    ("state", "reason", "says", "hint"),
    [
        # The per-query data usage control cancels the query; engine v3 words it so.
        ("CANCELLED", "Bytes scanned limit was exceeded", "would scan more than", "--from/--to"),
        ("FAILED", "Access denied when writing output to url: s3://r/q-1.csv", "refused", "s3:"),
        (
            "FAILED",
            "TABLE_NOT_FOUND: line 1:40: Table 'contact_records' does not exist",
            "failed",
            "Athena console",
        ),
        ("CANCELLED", "", "cancelled in Athena: no reason given", "run it again"),
    ],
)
def test_a_query_athena_did_not_finish_is_one_line_with_its_reason(
    state: str, reason: str, says: str, hint: str
) -> None:
    client = boto3.client("athena")
    stubber = Stubber(client)
    started(stubber)
    finished(stubber, state, reason, scanned=10_485_760)
    with pytest.raises(AthenaQueryError) as error:
        stubbed_run(stubber, client)
    assert says in error.value.what and reason in error.value.what
    assert hint in error.value.hint


def test_a_role_without_athena_rights_is_told_which_it_needs() -> None:
    client = boto3.client("athena")
    stubber = Stubber(client)
    stubber.add_client_error(
        "start_query_execution",
        service_error_code="AccessDeniedException",
        service_message="You are not authorized to perform: athena:StartQueryExecution on the "
        "resource. After your AWS administrator or you have updated your permissions, please try "
        "again.",
        http_status_code=400,
    )
    with pytest.raises(AthenaQueryError) as error:
        stubbed_run(stubber, client)
    assert "athena:StartQueryExecution" in error.value.what
    assert "glue:GetTable" in error.value.hint


def test_rows_beyond_the_first_page_are_read_and_only_the_first_has_the_header() -> None:
    client = boto3.client("athena")
    stubber = Stubber(client)
    started(stubber)
    finished(stubber, "SUCCEEDED")
    metadata = {
        "ColumnInfo": [{"Name": "queue", "Type": "varchar"}, {"Name": "n", "Type": "integer"}]
    }
    stubber.add_response(
        "get_query_results",
        {
            "ResultSet": {
                "Rows": [row("queue", "n"), row("Billing", "3")],
                "ResultSetMetadata": metadata,
            },
            "NextToken": "page-2",
        },
        {"QueryExecutionId": "q-1", "MaxResults": 1000},
    )
    stubber.add_response(
        "get_query_results",
        {"ResultSet": {"Rows": [row("Sales", "5")], "ResultSetMetadata": metadata}},
        {"QueryExecutionId": "q-1", "MaxResults": 1000, "NextToken": "page-2"},
    )
    result = stubbed_run(stubber, client)
    assert result.rows == (("Billing", 3), ("Sales", 5))


def test_decimals_timestamps_and_booleans_keep_their_type() -> None:
    client = boto3.client("athena")
    stubber = Stubber(client)
    started(stubber)
    finished(stubber, "SUCCEEDED")
    metadata = {
        "ColumnInfo": [
            {"Name": "rate", "Type": "decimal"},
            {"Name": "at", "Type": "timestamp"},
            {"Name": "repeat", "Type": "boolean"},
        ]
    }
    stubber.add_response(
        "get_query_results",
        {
            "ResultSet": {
                "Rows": [
                    row("rate", "at", "repeat"),
                    row("0.25", "2026-12-01 09:15:00.000", "true"),
                ],
                "ResultSetMetadata": metadata,
            }
        },
    )
    (values,) = stubbed_run(stubber, client).rows
    assert values[0] == Decimal("0.25") and values[2] is True
    assert str(values[1]) == "2026-12-01 09:15:00"
