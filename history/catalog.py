"""The history queries: one Athena SQL file each in `history/sql/`, read the same way by the
CDK app (deployed as Athena named queries) and by `ccaas history` (run in Athena or DuckDB).

A file starts with comment lines that describe it:

    -- KPIs per day, queue and channel, with the analytics function's definitions.
    -- parameters: by, from_day, to_day, scan_to_day

The first comment line is the description (the console and `--help` show it); `parameters`
names the positional `?` placeholders in order (Athena's execution parameters are positional).
The file name without `.sql` is the query's name.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from pathlib import Path

SQL_DIR = Path(__file__).parent / "sql"
_PARAMETERS_PREFIX = "-- parameters:"


class QueryFileError(ValueError):
    """A SQL file whose header does not say what it is or what it takes."""


@dataclass(frozen=True)
class Query:
    name: str
    description: str
    parameters: tuple[str, ...]
    sql: str


def parse_query(name: str, text: str) -> Query:
    header = [line.strip() for line in text.splitlines() if line.strip().startswith("--")]
    if not header:
        raise QueryFileError(f"{name}.sql: the first line must be a `-- description` comment")
    description = header[0].removeprefix("--").strip()
    parameters: tuple[str, ...] = ()
    for line in header[1:]:
        if line.startswith(_PARAMETERS_PREFIX):
            listed = line.removeprefix(_PARAMETERS_PREFIX)
            parameters = tuple(part.strip() for part in listed.split(",") if part.strip())
    placeholders = text.count("?")
    if placeholders != len(parameters):
        raise QueryFileError(
            f"{name}.sql: {placeholders} `?` placeholders but {len(parameters)} parameters named"
        )
    return Query(name=name, description=description, parameters=parameters, sql=text)


@cache
def queries() -> tuple[Query, ...]:
    """Every shipped query, by name."""
    return tuple(
        parse_query(path.stem, path.read_text(encoding="utf-8"))
        for path in sorted(SQL_DIR.glob("*.sql"))
    )
