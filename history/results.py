"""What a history query answers, from Athena or from DuckDB: the same shape either way, so
`ccaas history` prints the same table from both."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class QueryResult:
    columns: tuple[str, ...]
    rows: tuple[tuple[object, ...], ...]
