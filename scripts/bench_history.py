"""On-demand benchmark of the contact history (issue 18): `python -m scripts.bench_history
[--days N] [--contacts N] [--json FILE]`. Not part of the test suite nor of `ccaas bench`: a
month of rehearsed days takes minutes, and `ccaas bench --quick` must stay quick.

1. history: dmv's `self_service` variant (voice, chat and SMS, the bot, reminders) cut to
   `--contacts` a day, its reminders and head counts scaled with it, rehearsed for `--days`
   consecutive days with the same customers coming back (`rehearse_days`). dmv's population is
   sized for one day (40,000 for 15,000 contacts): over a month each of them would call nearly
   every week. Here each customer gets in touch about once a month (`CUSTOMERS_PER_CONTACT`
   customers per daily contact), so the 7-day repeat rate tends to 1 - exp(-7/30), about 21%,
   once a week of history has built up. The records
   are counted in memory: the analytics handler is `ccaas bench`'s business, not this one's;
2. archive: each day's records to Parquet as Firehose files them (`history.parquet`): bytes per
   record;
3. queries: every `history/sql` query over the whole period with DuckDB (`history.local`), best
   of `QUERY_RUNS`: archived rows per second of wall;
4. Athena: what each query would scan over a month. Athena reads only the Parquet columns a
   query needs (https://docs.aws.amazon.com/athena/latest/ug/columnar-storage.html), so the
   columns each query needs (its SQL qualified and its unused projections pruned by sqlglot,
   as Trino's planner prunes them) are looked up in the archive's column chunk sizes (pyarrow
   metadata): bytes per record read, times the records a month-long period scans (the month,
   its context days either side and the grace days: `history.periods`). Two figures: with
   struct fields pruned (Trino reads only the subfields a query dereferences) and with whole
   top-level columns, an upper bound. Priced at $5 per TB with a 10 MB minimum per query
   (https://aws.amazon.com/athena/pricing/, us-east-1).

Small files compress worse than Firehose's (up to 128 MB buffers), so bytes per record here are
on the high side of what the archive in AWS holds.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import platform
import tempfile
import time
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import asdict, dataclass
from datetime import timedelta
from pathlib import Path
from typing import Any

import pyarrow.parquet as pq
import sqlglot
from sqlglot import exp
from sqlglot.optimizer.pushdown_projections import pushdown_projections
from sqlglot.optimizer.qualify import qualify
from sqlglot.optimizer.scope import traverse_scope

from history.catalog import Query, queries
from history.local import TABLE, run_local
from history.parquet import write_archive
from history.periods import GRACE_DAYS, Period, parameter_values
from history.schema import PARTITION_COLUMN, glue_columns

SCENARIO = "dmv"
VARIANT = "self_service"
DAYS = 30
CONTACTS = 300  # a day small enough for a month of them in a few minutes on two cores
QUERY_RUNS = 3
MONTH_DAYS = 30
CUSTOMERS_PER_CONTACT = 30
DMV_CONTACTS = 15_000  # dmv's own day, the volume the monthly scan is also shown at
ATHENA_USD_PER_TB = 5.0
ATHENA_MINIMUM_BYTES = 10 * 1_000_000


@dataclass(frozen=True)
class QueryFigures:
    name: str
    seconds: float
    rows_per_second: float
    result_rows: int
    columns: tuple[str, ...]  # the archive's columns it reads, struct fields as dotted paths
    bytes_per_record: float  # struct fields pruned
    bytes_per_record_whole: float  # whole top-level columns
    scanned_days_per_month: int
    month_bytes: float  # at the rehearsed volume
    month_bytes_dmv: float  # at dmv's volume, struct fields pruned
    month_bytes_dmv_whole: float


def scaled_scenario(contacts: int) -> Any:
    """dmv's day cut to `contacts`, its staff and reminders scaled with it, customers enough
    for a month."""
    from local_connect.scenarios import parse_scenario, read_scenario

    _, raw = read_scenario(SCENARIO)
    factor = contacts / raw["demand"]["contacts"]
    raw["demand"]["contacts"] = contacts
    raw["customers"]["population"] = contacts * CUSTOMERS_PER_CONTACT
    raw["staffing"] = {
        profile: {hour: math.ceil(agents * factor) for hour, agents in hours.items()}
        for profile, hours in raw["staffing"].items()
    }
    variant = raw["variants"][VARIANT]
    if variant.get("reminders"):
        reminders = dict(variant["reminders"])
        reminders["appointments"] = max(1, round(reminders["appointments"] * factor))
        variant["reminders"] = reminders
    raw["variants"] = {VARIANT: variant}
    return parse_scenario(raw, f"{SCENARIO} cut to {contacts} contacts")


def rehearse_archive(days: int, contacts: int, archive: Path) -> tuple[int, float, Period]:
    """`days` rehearsed days into the archive; (records, seconds, the period they cover)."""
    from local_connect.rehearsal import rehearse_days
    from local_connect.scenarios import load_config_for

    scenario = scaled_scenario(contacts)
    config = load_config_for(scenario)
    started = time.perf_counter()
    records = 0
    for rehearsal in rehearse_days(scenario, config, days):
        for run in rehearsal.runs:
            write_archive(run.records, archive, part=f"{rehearsal.scenario.date}-{run.name}")
            records += len(run.records)
    last = scenario.date + timedelta(days=days - 1)
    return records, time.perf_counter() - started, Period(scenario.date, last)


def query_columns(query: Query) -> tuple[str, ...]:
    """The archive columns `query` reads once its unused projections are pruned: top-level
    names, or `struct.field` where it only dereferences fields of a struct."""
    schema = {TABLE: dict(glue_columns()) | {PARTITION_COLUMN: "string"}}
    tree = qualify(
        sqlglot.parse_one(query.sql, read="athena"),
        schema=schema,
        dialect="athena",
        validate_qualify_columns=False,
    )
    tree = pushdown_projections(tree, schema=schema)
    read: set[str] = set()
    for scope in traverse_scope(tree):
        for column in scope.columns:
            source = scope.sources.get(column.table)
            if isinstance(source, exp.Table) and source.name == TABLE:
                read.add(column.name)
    # `SELECT records.*` passes a struct through whole; the fields read are those dereferenced
    # further out (`versions.queue.enqueuetimestamp`), whatever the alias in between.
    fields: dict[str, set[str]] = defaultdict(set)
    for dot in tree.find_all(exp.Dot):
        if isinstance(dot.this, exp.Column) and dot.this.name in read:
            fields[dot.this.name].add(f"{dot.this.name}.{dot.expression.name}")
    read.discard(PARTITION_COLUMN)  # a folder name, not a column in the files
    return tuple(sorted(path for name in read for path in (fields.get(name) or {name})))


def chunk_bytes(files: Iterable[Path]) -> dict[str, int]:
    """Compressed bytes of each leaf column (`queue.enqueuetimestamp`) over the files."""
    sizes: dict[str, int] = defaultdict(int)
    for path in files:
        metadata = pq.ParquetFile(path).metadata
        for group in range(metadata.num_row_groups):
            row_group = metadata.row_group(group)
            for index in range(row_group.num_columns):
                chunk = row_group.column(index)
                sizes[chunk.path_in_schema] += chunk.total_compressed_size
    return dict(sizes)


def bytes_read(columns: Sequence[str], sizes: Mapping[str, int], *, whole: bool) -> int:
    """Bytes of the leaves under `columns` (whole: under their top-level columns)."""
    prefixes = {column.split(".")[0] if whole else column for column in columns}
    return sum(
        size
        for leaf, size in sizes.items()
        if any(leaf == prefix or leaf.startswith(f"{prefix}.") for prefix in prefixes)
    )


def measure(days: int = DAYS, contacts: int = CONTACTS) -> dict[str, Any]:
    with tempfile.TemporaryDirectory(prefix="bench-history-") as scratch:
        archive = Path(scratch)
        records, rehearsal_seconds, period = rehearse_archive(days, contacts, archive)
        files = sorted(archive.rglob("*.parquet"))
        archive_bytes = sum(path.stat().st_size for path in files)
        sizes = chunk_bytes(files)
        records_per_day = records / days
        figures = []
        for query in queries():
            values = parameter_values(query, period)
            seconds = math.inf
            for _ in range(QUERY_RUNS):
                started = time.perf_counter()
                result = run_local(query, archive, values)
                seconds = min(seconds, time.perf_counter() - started)
            columns = query_columns(query)
            per_record = bytes_read(columns, sizes, whole=False) / records
            per_record_whole = bytes_read(columns, sizes, whole=True) / records
            scanned_days = MONTH_DAYS + 2 * query.context_days + GRACE_DAYS
            figures.append(
                QueryFigures(
                    name=query.name,
                    seconds=seconds,
                    rows_per_second=records / seconds,
                    result_rows=len(result.rows),
                    columns=columns,
                    bytes_per_record=per_record,
                    bytes_per_record_whole=per_record_whole,
                    scanned_days_per_month=scanned_days,
                    month_bytes=per_record * records_per_day * scanned_days,
                    month_bytes_dmv=per_record * DMV_CONTACTS * scanned_days,
                    month_bytes_dmv_whole=per_record_whole * DMV_CONTACTS * scanned_days,
                )
            )
    return {
        "days": days,
        "contacts_per_day": contacts,
        "records": records,
        "rehearsal_seconds": rehearsal_seconds,
        "parquet_files": len(files),
        "parquet_bytes": archive_bytes,
        "parquet_bytes_per_record": archive_bytes / records,
        "queries": [asdict(figure) for figure in figures],
    }


def athena_usd(scanned: float) -> float:
    return max(scanned, ATHENA_MINIMUM_BYTES) / 1e12 * ATHENA_USD_PER_TB


def table(result: Mapping[str, Any]) -> str:
    lines = [
        f"history benchmark: {platform.python_implementation()} {platform.python_version()}, "
        f"{os.cpu_count()} CPU(s), {platform.machine()}, load {os.getloadavg()[0]:.1f}",
        f"{result['days']} days of dmv {VARIANT} cut to {result['contacts_per_day']} contacts: "
        f"{result['records']:,} records rehearsed in {result['rehearsal_seconds']:.0f} s; "
        f"{result['parquet_files']} Parquet files, {result['parquet_bytes']:,} bytes, "
        f"{result['parquet_bytes_per_record']:.0f} bytes per record",
        "",
        "| query | DuckDB wall | archived rows/s | result rows | bytes/record read "
        "(whole columns) | month scanned, rehearsed | month scanned at 15,000/day "
        "(whole columns) | Athena $ per query at 15,000/day |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for query in result["queries"]:
        lines.append(
            f"| `{query['name']}` | {query['seconds'] * 1000:.0f} ms "
            f"| {query['rows_per_second']:,.0f} | {query['result_rows']:,} "
            f"| {query['bytes_per_record']:.0f} ({query['bytes_per_record_whole']:.0f}) "
            f"| {query['month_bytes'] / 1e6:.1f} MB ({query['scanned_days_per_month']} days) "
            f"| {query['month_bytes_dmv'] / 1e6:,.0f} MB "
            f"({query['month_bytes_dmv_whole'] / 1e6:,.0f} MB) "
            f"| {athena_usd(query['month_bytes_dmv_whole']):.4f} |"
        )
    return "\n".join(lines)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--days", type=int, default=DAYS, help=f"days (default {DAYS})")
    parser.add_argument(
        "--contacts", type=int, default=CONTACTS, help=f"contacts a day (default {CONTACTS})"
    )
    parser.add_argument("--json", type=Path, metavar="FILE", help="also write the figures here")
    args = parser.parse_args()
    result = measure(args.days, args.contacts)
    print(table(result))
    if args.json is not None:
        args.json.write_text(json.dumps(result, indent=2) + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
