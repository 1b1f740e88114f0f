"""The history queries: one Athena SQL file each in `history/sql/`, read the same way by the
CDK app (deployed as Athena named queries) and by `ccaas history` (run in Athena or DuckDB).

A file starts with comment lines that describe it:

    -- KPIs per day, queue and channel, with the analytics function's definitions.
    -- parameters: by, from_day, to_day, scan_to_day

The first comment line is the description (the console and `--help` show it); `parameters`
names the positional `?` placeholders in order (Athena's execution parameters are positional),
a name listed twice taking the same value twice; `context_days: N` says the query also reads
contacts up to N days either side of the period (the repeat-contact windows), so the days it
scans widen by N (`history.periods`). The file name without `.sql` is the query's name.

Athena has no includes, so what every query shares is written once in `history/sql/shared/`
and spliced in here: the line `-- include: latest` inside a query's WITH list becomes the CTE
`latest AS (<shared/latest.sql>),`, its header dropped. The query file still parses on its own
(the include is a comment), and `Query.sql` is the whole text Athena and DuckDB run; its
`parameters` header lists the shared CTE's placeholders too, in order, since they come first.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from pathlib import Path

SQL_DIR = Path(__file__).parent / "sql"
SHARED_DIR = SQL_DIR / "shared"
_PARAMETERS_PREFIX = "-- parameters:"
_CONTEXT_PREFIX = "-- context_days:"
_INCLUDE_PREFIX = "-- include:"


class QueryFileError(ValueError):
    """A SQL file whose header does not say what it is or what it takes."""


@dataclass(frozen=True)
class Query:
    name: str
    description: str
    parameters: tuple[str, ...]
    sql: str
    context_days: int = 0


def parse_query(name: str, text: str) -> Query:
    header = [line.strip() for line in text.splitlines() if line.strip().startswith("--")]
    if not header:
        raise QueryFileError(f"{name}.sql: the first line must be a `-- description` comment")
    description = header[0].removeprefix("--").strip()
    parameters: tuple[str, ...] = ()
    context_days = 0
    for line in header[1:]:
        if line.startswith(_PARAMETERS_PREFIX):
            listed = line.removeprefix(_PARAMETERS_PREFIX)
            parameters = tuple(part.strip() for part in listed.split(",") if part.strip())
        elif line.startswith(_CONTEXT_PREFIX):
            days = line.removeprefix(_CONTEXT_PREFIX).strip()
            if not days.isdigit():
                raise QueryFileError(f"{name}.sql: context_days must be a whole number of days")
            context_days = int(days)
    placeholders = text.count("?")
    if placeholders != len(parameters):
        raise QueryFileError(
            f"{name}.sql: {placeholders} `?` placeholders but {len(parameters)} parameters named"
        )
    return Query(
        name=name,
        description=description,
        parameters=parameters,
        sql=text,
        context_days=context_days,
    )


def shared_cte(name: str) -> str:
    """`name AS (<shared/name.sql without its comment lines>),` for a query's WITH list."""
    path = SHARED_DIR / f"{name}.sql"
    if not path.is_file():
        raise QueryFileError(f"include {name!r}: there is no {path.relative_to(SQL_DIR)}")
    lines = path.read_text(encoding="utf-8").splitlines()
    description = lines[0].removeprefix("--").strip() if lines else ""
    body = [f"    {line}" for line in lines if line.strip() and not line.strip().startswith("--")]
    return "\n".join([f"-- {name}: {description}", f"{name} AS (", *body, "),"])


def expand_includes(text: str) -> str:
    """The query's text with each `-- include: name` line replaced by the shared CTE."""
    return "\n".join(
        shared_cte(line.strip().removeprefix(_INCLUDE_PREFIX).strip())
        if line.strip().startswith(_INCLUDE_PREFIX)
        else line
        for line in text.splitlines()
    )


@cache
def queries() -> tuple[Query, ...]:
    """Every shipped query, by name."""
    return tuple(
        parse_query(path.stem, expand_includes(path.read_text(encoding="utf-8")))
        for path in sorted(SQL_DIR.glob("*.sql"))
    )
