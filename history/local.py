"""Run a history query on this machine: the Athena SQL translated by sqlglot, run by DuckDB over
the archive's Parquet files (written by `history.parquet`, or copied from the S3 archive).

DuckDB reads Parquet with what its wheel ships; extension auto-install is switched off so a
query never reaches for the network. The files are exposed under the table's name,
`contact_records`, with the `dt=` folders read as the partition column (a string, as in Glue).
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

import duckdb
import pyarrow as pa
import sqlglot
from sqlglot import exp

from history.catalog import Query
from history.parquet import ARCHIVE_PREFIX, arrow_schema
from history.results import QueryResult
from history.schema import PARTITION_COLUMN

TABLE = "contact_records"

_OFFLINE: dict[str, str | bool | int | float | list[str]] = {
    "autoinstall_known_extensions": False,
    "autoload_known_extensions": False,
}


class LocalQueryError(ValueError):
    """A query that cannot run here: a parameter without a value, SQL DuckDB refuses."""


def duckdb_sql(query: Query) -> str:
    """The query in DuckDB's dialect (one statement; comments kept)."""
    return sqlglot.transpile(query.sql, read="athena", write="duckdb", pretty=True)[0]


def run_local(query: Query, archive_dir: Path, parameters: Mapping[str, str]) -> QueryResult:
    """Run `query` over the archive under `archive_dir`, binding `parameters` by name."""
    missing = [name for name in query.parameters if name not in parameters]
    if missing:
        raise LocalQueryError(f"query {query.name} needs a value for {', '.join(missing)}")
    connection = duckdb.connect(config=_OFFLINE)
    try:
        _expose_archive(connection, archive_dir)
        cursor = connection.execute(
            duckdb_sql(query), [parameters[name] for name in query.parameters]
        )
        columns = tuple(column[0] for column in cursor.description or ())
        rows = tuple(tuple(row) for row in cursor.fetchall())
    except duckdb.Error as error:
        raise LocalQueryError(f"query {query.name}: {error}") from error
    finally:
        connection.close()
    return QueryResult(columns=columns, rows=rows)


def _expose_archive(connection: duckdb.DuckDBPyConnection, archive_dir: Path) -> None:
    files = archive_dir / ARCHIVE_PREFIX / f"{PARTITION_COLUMN}=*" / "*.parquet"
    if not any(archive_dir.glob(str(files.relative_to(archive_dir)))):
        # An empty archive is an empty table, not an error: the query answers with no rows.
        empty = arrow_schema().append(pa.field(PARTITION_COLUMN, pa.string())).empty_table()
        connection.register(TABLE, empty)
        return
    source = exp.Literal.string(str(files)).sql(dialect="duckdb")
    connection.execute(
        f"CREATE VIEW {TABLE} AS SELECT * FROM read_parquet({source}, "
        f"hive_partitioning = true, hive_types = {{'{PARTITION_COLUMN}': VARCHAR}})"
    )
