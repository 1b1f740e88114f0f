"""Run a shipped history query over records the way `ccaas history --records` does: records ->
the archive's Parquet (by arrival day) -> the query in DuckDB."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import date
from pathlib import Path
from typing import Any

from history.catalog import Query, queries
from history.local import run_local
from history.parquet import write_archive
from history.periods import Period, parameter_values


def query(name: str) -> Query:
    return next(q for q in queries() if q.name == name)


def run_query(
    name: str,
    records: Iterable[Mapping[str, Any]],
    archive_dir: Path,
    period: Period,
    *,
    threshold_seconds: int = 20,
) -> list[dict[str, Any]]:
    """The query's rows as {column: value}, over `records` written to `archive_dir`."""
    write_archive(records, archive_dir)
    chosen = query(name)
    values = parameter_values(chosen, period, threshold_seconds=threshold_seconds)
    return list(run_local(chosen, archive_dir, values).records())


def day(offset: int) -> date:
    return date(2026, 12, 1 + offset)
