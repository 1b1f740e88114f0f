"""`ccaas history`: a contact-history query (history/sql/NAME.sql) over a period, run by DuckDB on
this machine over `--records`, or by Athena over the stage's archive, printed as one table.

Like `ccaas report`: with `--records` it runs offline, without it reads the deployed stage. Both
engines run the same SQL file with the same parameters (`history.periods`), and their rows come
back as the same `QueryResult`, so the same contacts print the same table.
"""

from __future__ import annotations

import argparse
import csv
import io
import tempfile
from collections.abc import Callable, Iterable, Sequence
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal
from functools import partial
from pathlib import Path
from typing import Any

from config import ContactCenterConfig, load_stage
from history.athena import AthenaQueryError, QueryProgress, run_athena
from history.catalog import Query, queries
from history.names import database_name, workgroup_name
from history.periods import GROUPINGS, Period, PeriodError, parameter_values
from history.results import QueryResult
from scripts.cli_support import CommandError, ProblemsFound, add_aws_options, aws_session
from scripts.commands.report import fail_on_bad_lines, read_records
from scripts.progress import Reporter

DEFAULT_QUERY = "kpis"
ATHENA_DEFAULT_DAYS = 7  # without --from, Athena reads the last week: a few days' partitions
RECORD_FILES = "*.jsonl"
say = partial(print, flush=True)

DESCRIPTION = """\
Runs a contact-history query over every contact of a period and prints its table: KPIs per
day, week or hour, queue and channel by default; repeat contacts and first-contact resolution,
volume by hour of the week, or bot containment with --query. Days are UTC days.

Reads, depending on the flags:
  --records PATH ...  contact records, one JSON object a line: files, or folders of .jsonl
                      files (as `ccaas rehearse --records-out DIR` writes them). They are
                      written as Parquet, as Firehose archives them, to a temporary folder and
                      queried there with DuckDB; needs no AWS account. The period defaults to
                      the records' first to last day. Lines that are not contact records are
                      named on stderr and skipped (exit code 1).
  otherwise           the stage's archive in S3, queried in its Athena workgroup
                      (contact-center-<stage>-history) with your credentials; the period
                      defaults to the last 7 days. Athena bills the bytes a query scans (shown
                      on stderr), and the workgroup cancels a query that would scan more than
                      its limit.
  --stage             config/<stage>.yaml: the service-level threshold, and in AWS the stage.
Writes the query's table to stdout (--columns picks and orders its columns; --csv writes them
as CSV, every digit kept, for a spreadsheet); progress to stderr. The queries are the files in
history/sql/ (docs/history.md describes each one and how to add one).

Examples:
  ccaas history --records out/records --by week
  ccaas history --records out/records --columns period,queue,abandonment_rate,average_speed_of_answer
  ccaas history --records out/records --query hour_of_week --csv > hours.csv
  ccaas history --stage prod --from 2026-11-01 --to 2026-11-30 --query repeat_contacts --profile ops
"""


def register(subparsers: Any) -> None:
    parser = subparsers.add_parser(
        "history",
        help="a contact-history query over months: DuckDB on records, or Athena (AWS)",
        description=DESCRIPTION,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--stage", default="dev", help="reads config/<stage>.yaml (default: dev)")
    parser.add_argument(
        "--records",
        type=Path,
        nargs="+",
        default=None,
        metavar="PATH",
        help="query these contact records (JSON-lines files or folders of them) offline",
    )
    parser.add_argument(
        "--from", dest="start", default=None, metavar="DAY", help="first day, e.g. 2026-12-01"
    )
    parser.add_argument("--to", dest="end", default=None, metavar="DAY", help="last day (included)")
    parser.add_argument(
        "--by", choices=GROUPINGS, default="day", help="the period of a row (default: day)"
    )
    parser.add_argument(
        "--query",
        default=DEFAULT_QUERY,
        metavar="NAME",
        help=f"a file of history/sql/ without .sql (default: {DEFAULT_QUERY})",
    )
    parser.add_argument(
        "--columns",
        type=_column_names,
        default=None,
        metavar="A,B,...",
        help="only these columns of the query's result, in this order (default: all)",
    )
    parser.add_argument(
        "--csv", action="store_true", help="write the rows as CSV instead of an aligned table"
    )
    add_aws_options(parser, used="AWS mode")
    parser.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    query = find_query(args.query)
    start, end = _day(args.start, "--from"), _day(args.end, "--to")
    config = load_stage(args.stage)
    reporter = Reporter("history")
    if args.records:
        read = read_records(record_files(args.records))
        first, last = read.first_counted, read.last_counted
        period = _period(
            start or (first.astimezone(UTC).date() if first else None) or _today(),
            end or (last.astimezone(UTC).date() if last else None) or _today(),
            args.by,
        )
        parameters = _parameters(query, period, config)
        check_columns(query, parameters, args.columns)
        reporter.step(f"querying {len(read.records):,} contact records with DuckDB")
        result = local_result(query, read.records, parameters)
        say(output(query, period, result, args))
        if read.bad_lines:
            fail_on_bad_lines(read)
        return 0
    last_day = end or _today()
    period = _period(start or last_day - timedelta(days=ATHENA_DEFAULT_DAYS - 1), last_day, args.by)
    parameters = _parameters(query, period, config)
    check_columns(query, parameters, args.columns)
    session = aws_session(args.profile, args.region)
    workgroup = workgroup_name(config.stage)
    reporter.step(f"running {query.name} in Athena workgroup {workgroup} ({session.region_name})")
    try:
        result = run_athena(
            session.client("athena"),
            query,
            parameters,
            workgroup=workgroup,
            database=database_name(config.stage),
            progress=athena_progress(reporter),
        )
    except AthenaQueryError as error:
        raise ProblemsFound(error.what, error.hint) from None
    say(output(query, period, result, args))
    return 0


def find_query(name: str) -> Query:
    known = {query.name: query for query in queries()}
    if name not in known:
        raise CommandError(f"no query named '{name}'", f"known: {', '.join(sorted(known))}")
    return known[name]


def record_files(paths: Iterable[Path]) -> list[Path]:
    """The files named, and the .jsonl files under each folder named (a missing path is left
    to `read_records`, which names it)."""
    files: list[Path] = []
    for path in paths:
        if not path.is_dir():
            files.append(path)
            continue
        found = sorted(path.rglob(RECORD_FILES))
        if not found:
            raise CommandError(f"{path} holds no {RECORD_FILES} files", "name contact records")
        files += found
    return files


def local_result(
    query: Query, records: Sequence[dict[str, Any]], parameters: dict[str, str]
) -> QueryResult:
    """The records archived as Firehose would (Parquet by arrival day) in a temporary folder,
    queried there by DuckDB."""
    # pyarrow and DuckDB take most of a second to import: only --records pays for them.
    from history.local import LocalQueryError, run_local
    from history.parquet import RecordFormatError, write_archive

    with tempfile.TemporaryDirectory(prefix="ccaas-history-") as folder:
        try:
            write_archive(records, Path(folder))
            return run_local(query, Path(folder), parameters)
        except RecordFormatError as error:
            raise CommandError(f"cannot archive the records: {error}") from None
        except LocalQueryError as error:
            raise ProblemsFound(str(error)) from None


def athena_progress(reporter: Reporter) -> Callable[[QueryProgress], None]:
    """A line when the query changes state, with the bytes it scanned: what it costs."""
    last_state = ""

    def heard(progress: QueryProgress) -> None:
        nonlocal last_state
        if progress.state == last_state:
            return
        last_state = progress.state
        reporter.step(
            f"{progress.state.lower()} after {progress.elapsed_seconds:.0f} s, "
            f"{progress.bytes_scanned / 1e6:,.1f} MB scanned"
        )

    return heard


# -- the table ---------------------------------------------------------------------------------


def output(query: Query, period: Period, result: QueryResult, args: argparse.Namespace) -> str:
    if args.columns is not None:
        result = selected_columns(result, args.columns)
    return result_csv(result) if args.csv else result_text(query, period, result)


def check_columns(query: Query, parameters: dict[str, str], names: Sequence[str] | None) -> None:
    """Refuses a column the query does not return before it runs (in Athena it would bill a
    scan first): the columns are those of the query over an empty archive, run here."""
    if names is None:
        return
    columns = local_result(query, [], parameters).columns
    unknown = [name for name in names if name not in columns]
    if unknown:
        raise CommandError(
            f"{query.name} has no column {', '.join(map(repr, unknown))}",
            f"its columns: {', '.join(columns)}",
        )


def selected_columns(result: QueryResult, names: Sequence[str]) -> QueryResult:
    """The result with only `names` (checked by `check_columns`), in that order."""
    indexes = [result.columns.index(name) for name in names]
    return QueryResult(
        columns=tuple(names),
        rows=tuple(tuple(row[index] for index in indexes) for row in result.rows),
    )


def result_csv(result: QueryResult) -> str:
    """The header, then one line a row: numbers as they are, days and moments in ISO 8601,
    NULL (nothing to divide by) as an empty cell."""
    text = io.StringIO()
    writer = csv.writer(text, lineterminator="\n")
    writer.writerow(result.columns)
    for row in result.rows:
        writer.writerow(
            "" if value is None else value.isoformat() if isinstance(value, date) else value
            for value in row
        )
    return text.getvalue().rstrip("\n")


def result_text(query: Query, period: Period, result: QueryResult) -> str:
    """The query's title and period, then its rows as an aligned table."""
    grouping = f", by {period.by}" if "by" in query.parameters else ""
    title = (
        f"{query.name}: {query.description}\n{period.from_day} to {period.to_day} (UTC){grouping}"
    )
    return f"{title}\n\n{result_table(result)}"


def result_table(result: QueryResult) -> str:
    """Text left-aligned, numbers right-aligned, NULL as `-` (nothing to divide by)."""
    columns = [_column_cells(result, index) for index in range(len(result.columns))]
    widths = [
        max([len(name), *(len(cell) for cell in cells)])
        for name, cells in zip(result.columns, columns, strict=True)
    ]
    numeric = [
        all(isinstance(row[index], int | float | Decimal | None) for row in result.rows)
        for index in range(len(result.columns))
    ]

    def line(cells: Sequence[str]) -> str:
        return "  ".join(
            f"{cell:>{width}}" if right else f"{cell:<{width}}"
            for cell, width, right in zip(cells, widths, numeric, strict=True)
        ).rstrip()

    header = line(result.columns)
    lines = [header, "-" * len(header)]
    lines += [line(cells) for cells in zip(*columns, strict=True)] if result.rows else []
    return "\n".join(lines if result.rows else [*lines, "(no contacts in the period)"])


def _column_cells(result: QueryResult, index: int) -> list[str]:
    values = [row[index] for row in result.rows]
    moments = [value for value in values if isinstance(value, datetime)]
    whole_days = all(moment.time() == time(0) for moment in moments)
    return [_cell(value, whole_days=whole_days) for value in values]


def _cell(value: object, *, whole_days: bool) -> str:
    if value is None:
        return "-"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, int):
        return f"{value:,}"
    if isinstance(value, float | Decimal):
        return f"{value:,.3f}".rstrip("0").rstrip(".")
    if isinstance(value, datetime):
        return f"{value:%Y-%m-%d}" if whole_days else f"{value:%Y-%m-%d %H:%M}"
    if isinstance(value, date):
        return value.isoformat()
    return str(value)


# -- the period --------------------------------------------------------------------------------


def _column_names(text: str) -> list[str]:
    names = [name.strip() for name in text.split(",")]
    if not all(names):
        raise argparse.ArgumentTypeError(f"{text!r} is not a comma-separated list of column names")
    return names


def _day(text: str | None, flag: str) -> date | None:
    if text is None:
        return None
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise CommandError(f"{flag} '{text}' is not a day", "write it as 2026-12-01") from None


def _period(start: date, end: date, by: str) -> Period:
    try:
        return Period(from_day=start, to_day=end, by=by)
    except PeriodError as error:
        raise CommandError(str(error), "--from must not be after --to") from None


def _parameters(query: Query, period: Period, config: ContactCenterConfig) -> dict[str, str]:
    threshold = config.alarms.service_level_threshold_seconds
    try:
        return parameter_values(query, period, threshold_seconds=threshold)
    except PeriodError as error:
        raise CommandError(str(error)) from None


def _today() -> date:
    return datetime.now(UTC).date()
