"""What a history query returns, whichever engine ran it (DuckDB here, Athena in AWS)."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass


@dataclass(frozen=True)
class QueryResult:
    columns: tuple[str, ...]
    rows: tuple[tuple[object, ...], ...]

    def records(self) -> Iterator[dict[str, object]]:
        """Each row as {column: value}, for callers that pick columns by name."""
        for row in self.rows:
            yield dict(zip(self.columns, row, strict=True))
