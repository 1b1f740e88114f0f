"""Runs a history query in the stage's Athena workgroup: start it, wait for it while saying how
far it got, read its rows back as Python values, and say in one line why when Athena will not.

The workgroup enforces its own result location, encryption and bytes-scanned limit (the CDK app
configures it), so a query names only the workgroup and the Glue database; it cannot override
them. Athena bills the bytes a query scans, also for a query cancelled at the limit: the progress
reports them while it runs.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from botocore.exceptions import ClientError

from history.catalog import Query
from history.results import QueryResult

# Athena's answer to GetQueryResults' MaxResults tops out at 1,000 rows a page
# (https://docs.aws.amazon.com/athena/latest/APIReference/API_GetQueryResults.html).
RESULTS_PAGE_ROWS = 1000
FIRST_POLL_SECONDS = 0.5  # a small query over a few partitions finishes within a second or two
LONGEST_POLL_SECONDS = 5.0  # a long one every 5 s: each poll counts against Athena's API quota
FINISHED = ("SUCCEEDED", "FAILED", "CANCELLED")

# What Athena says when the workgroup's per-query data usage control cancels a query
# (https://docs.aws.amazon.com/athena/latest/ug/workgroups-setting-control-limits-cloudwatch.html):
# the state is CANCELLED, the StateChangeReason "Bytes scanned limit was exceeded".
BYTES_LIMIT_REASON = "bytes scanned limit"
# What a query that runs but may not read the archive or the Glue table, or write its results,
# says in its StateChangeReason ("Access denied when writing output to url: s3://...",
# "Permission denied on S3 path: s3://...", "Insufficient permissions to execute the query").
DENIED_REASONS = (
    "access denied",
    "permission denied",
    "insufficient permissions",
    "not authorized",
)
PERMISSIONS_HINT = (
    "your role needs athena:StartQueryExecution, GetQueryExecution and GetQueryResults on the "
    "workgroup, glue:GetTable on the history table, s3:GetObject on the archive, s3:PutObject on "
    "the results bucket and kms:Decrypt with the stage's key"
)


class AthenaQueryError(Exception):
    """Athena refused the query or did not finish it: `what` happened and `hint` what to do,
    for the command line to print as one line."""

    def __init__(self, what: str, hint: str) -> None:
        super().__init__(f"{what} ({hint})")
        self.what = what
        self.hint = hint


@dataclass(frozen=True)
class QueryProgress:
    """Where a running query is: Athena's state (QUEUED, RUNNING, ...) and the bytes it has
    scanned so far, which is what it will cost."""

    state: str
    bytes_scanned: int
    elapsed_seconds: float


@dataclass(frozen=True)
class Clock:
    """How the wait passes: real time by default, a fake one in tests (no test sleeps)."""

    sleep: Callable[[float], None] = time.sleep
    monotonic: Callable[[], float] = time.monotonic


def run_athena(
    client: Any,
    query: Query,
    parameters: Mapping[str, str],
    *,
    workgroup: str,
    database: str,
    progress: Callable[[QueryProgress], None],
    clock: Clock = Clock(),
) -> QueryResult:
    """Runs `query` with `parameters` (one value per name in `query.parameters`) in `workgroup`
    over the Glue `database`; `progress` hears every poll. Raises AthenaQueryError."""
    execution_id = _start(client, query, parameters, workgroup=workgroup, database=database)
    try:
        status = _wait(client, execution_id, progress, clock)
    except KeyboardInterrupt:
        # A query nobody waits for still runs, scans and bills: stop it before giving up.
        client.stop_query_execution(QueryExecutionId=execution_id)
        raise
    _raise_unless_succeeded(status, query=query, workgroup=workgroup)
    return _results(client, execution_id)


def execution_parameters(query: Query, parameters: Mapping[str, str]) -> list[str]:
    """The values of the query's positional `?` placeholders, in order, as SQL string literals:
    Athena substitutes each execution parameter as written, so a string needs its quotes
    (https://docs.aws.amazon.com/athena/latest/ug/querying-with-prepared-statements-execute.html);
    a query casts where it needs a date or a number (`CAST(? AS date)`)."""
    missing = [name for name in query.parameters if name not in parameters]
    if missing:
        raise ValueError(f"query {query.name} needs parameter(s) {', '.join(missing)}")
    return [sql_string(parameters[name]) for name in query.parameters]


def sql_string(value: str) -> str:
    """`value` as a SQL string literal: quoted, with each quote inside doubled."""
    return "'" + value.replace("'", "''") + "'"


# -- the three calls ---------------------------------------------------------------------------


def _start(
    client: Any, query: Query, parameters: Mapping[str, str], *, workgroup: str, database: str
) -> str:
    request: dict[str, Any] = {
        "QueryString": query.sql,
        "WorkGroup": workgroup,
        "QueryExecutionContext": {"Database": database},
    }
    values = execution_parameters(query, parameters)
    # ExecutionParameters takes 1 item or more: a query without parameters sends none
    # (https://docs.aws.amazon.com/athena/latest/APIReference/API_StartQueryExecution.html).
    if values:
        request["ExecutionParameters"] = values
    with _refusals(workgroup):
        return str(client.start_query_execution(**request)["QueryExecutionId"])


def _wait(
    client: Any, execution_id: str, progress: Callable[[QueryProgress], None], clock: Clock
) -> dict[str, Any]:
    """GetQueryExecution until the query finishes, the pause doubling up to LONGEST_POLL_SECONDS."""
    started = clock.monotonic()
    pause = FIRST_POLL_SECONDS
    while True:
        with _refusals(None):
            execution = client.get_query_execution(QueryExecutionId=execution_id)
        execution = execution["QueryExecution"]
        state = execution["Status"]["State"]
        scanned = int(execution.get("Statistics", {}).get("DataScannedInBytes", 0))
        progress(QueryProgress(state, scanned, clock.monotonic() - started))
        if state in FINISHED:
            return dict(execution["Status"])
        clock.sleep(pause)
        pause = min(pause * 2, LONGEST_POLL_SECONDS)


def _results(client: Any, execution_id: str) -> QueryResult:
    columns: tuple[str, ...] = ()
    parsers: list[Callable[[str], object]] = []
    rows: list[tuple[object, ...]] = []
    pages = client.get_paginator("get_query_results").paginate(
        QueryExecutionId=execution_id, PaginationConfig={"PageSize": RESULTS_PAGE_ROWS}
    )
    with _refusals(None):
        for number, page in enumerate(pages):
            result_set = page["ResultSet"]
            page_rows = result_set.get("Rows", [])
            if number == 0:
                info = result_set.get("ResultSetMetadata", {}).get("ColumnInfo", [])
                columns = tuple(column["Name"] for column in info)
                parsers = [_parser(column["Type"]) for column in info]
                page_rows = page_rows[1:]  # a SELECT's first row holds the column labels
            rows += [_typed(row, parsers) for row in page_rows]
    return QueryResult(columns=columns, rows=tuple(rows))


# -- errors ------------------------------------------------------------------------------------


@contextmanager
def _refusals(workgroup: str | None) -> Iterator[None]:
    """Turns the refusals a user can act on into AthenaQueryError; any other AWS error passes
    through to the command line's generic one-line AWS error."""
    try:
        yield
    except ClientError as error:
        details = error.response.get("Error", {})
        code, message = details.get("Code", ""), details.get("Message", "")
        if code == "AccessDeniedException":
            raise AthenaQueryError(f"Athena refused: {message}", PERMISSIONS_HINT) from None
        lowered = message.lower()
        if (
            workgroup is not None
            and code == "InvalidRequestException"
            and "workgroup" in lowered
            and ("not found" in lowered or "does not exist" in lowered)
        ):
            # Athena says "WorkGroup is not found" (moto: "WorkGroup does not exist").
            raise AthenaQueryError(
                f"Athena workgroup {workgroup} not found",
                "is the stage deployed, with history.enabled (the default), in this --region?",
            ) from None
        raise


def _raise_unless_succeeded(status: Mapping[str, Any], *, query: Query, workgroup: str) -> None:
    state = status["State"]
    if state == "SUCCEEDED":
        return
    reason = str(
        status.get("StateChangeReason") or status.get("AthenaError", {}).get("ErrorMessage") or ""
    )
    lowered = reason.lower()
    if BYTES_LIMIT_REASON in lowered:
        raise AthenaQueryError(
            f"Athena cancelled query {query.name}: it would scan more than workgroup {workgroup} "
            f"allows a query ({reason})",
            "ask for fewer days with --from/--to, or raise history.bytes_scanned_limit_mb in "
            "config/<stage>.yaml; the bytes it scanned are billed",
        )
    if any(denied in lowered for denied in DENIED_REASONS):
        raise AthenaQueryError(
            f"query {query.name} was refused in Athena: {reason}", PERMISSIONS_HINT
        )
    if state == "CANCELLED":
        raise AthenaQueryError(
            f"query {query.name} was cancelled in Athena: {reason or 'no reason given'}",
            "someone stopped it in the console or with StopQueryExecution; run it again",
        )
    raise AthenaQueryError(
        f"query {query.name} failed in Athena: {reason or 'no reason given'}",
        "see the query's history in the Athena console for details",
    )


# -- values ------------------------------------------------------------------------------------

# Athena returns every value as text; its column type says what it was
# (https://docs.aws.amazon.com/athena/latest/ug/data-types.html). Anything else stays text.
_PARSERS: dict[str, Callable[[str], object]] = {
    "boolean": lambda text: text == "true",
    "tinyint": int,
    "smallint": int,
    "integer": int,
    "bigint": int,
    "real": float,
    "float": float,
    "double": float,
    "decimal": Decimal,
    "date": date.fromisoformat,
    "timestamp": datetime.fromisoformat,  # "2026-12-01 09:15:00.000"
}


def _parser(athena_type: str) -> Callable[[str], object]:
    return _PARSERS.get(athena_type.lower(), str)


def _typed(row: Mapping[str, Any], parsers: list[Callable[[str], object]]) -> tuple[object, ...]:
    """A row's values; a cell without VarCharValue is SQL NULL."""
    return tuple(
        parse(cell["VarCharValue"]) if "VarCharValue" in cell else None
        for parse, cell in zip(parsers, row["Data"], strict=True)
    )
