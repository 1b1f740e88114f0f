"""Contact records -> the archive's Parquet files, as Kinesis Data Firehose writes them.

Firehose converts each JSON record to the Glue table's columns with the OpenX JSON SerDe
(https://docs.aws.amazon.com/firehose/latest/dev/record-format-conversion.html): JSON keys
match columns whatever their case, keys the table does not name are dropped (the customer's
address, attributes nobody classified), a missing key is null, and an ISO-8601 string becomes a
timestamp. A value of the wrong type fails the whole record (Firehose moves it to the error
prefix), so here it raises `RecordFormatError` instead of being dropped quietly.

Files land under Firehose's arrival-time prefix, `records/dt=YYYY-MM-DD/`, in the day the record
was delivered; a record is delivered when the contact (or its update) is written, so its day here
is its `LastUpdateTimestamp`'s UTC date. An updated version of a contact can therefore sit in the
next day's partition, which is why the queries scan a few days past their period
(`history.periods`).
"""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Iterable, Mapping
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq

from history.schema import COLUMNS, PARTITION_COLUMN, Column, MapOf, Struct

ARCHIVE_PREFIX = "records"

_PRIMITIVES = {
    "string": pa.string(),
    "int": pa.int32(),
    "bigint": pa.int64(),
    "boolean": pa.bool_(),
    # Athena's timestamp has no zone: UTC wall time, as Connect's 'Z' timestamps are.
    "timestamp": pa.timestamp("ms"),
}

Row = dict[str, Any]


class RecordFormatError(ValueError):
    """A record Firehose's conversion would reject: a value that does not fit its column,
    named by its path in the record (`Queue.Duration`)."""

    def __init__(self, reason: str, path: tuple[str, ...] = ()) -> None:
        super().__init__(f"{'.'.join(path)}: {reason}" if path else reason)
        self.reason = reason
        self.path = path


def arrow_type(kind: str | Struct | MapOf) -> pa.DataType:
    if isinstance(kind, Struct):
        return pa.struct([arrow_field(field) for field in kind.fields])
    if isinstance(kind, MapOf):
        return pa.map_(pa.string(), arrow_type(kind.value))
    return _PRIMITIVES[kind]


def arrow_field(column: Column) -> pa.Field:
    return pa.field(column.column_name, arrow_type(column.kind))


def arrow_schema() -> pa.Schema:
    """The Parquet schema of an archive file: the Glue table's columns (`history.schema`)."""
    return pa.schema([arrow_field(column) for column in COLUMNS])


def _timestamp(value: Any) -> datetime:
    if isinstance(value, str):
        try:
            moment = datetime.fromisoformat(value)
        except ValueError:
            pass
        else:
            return moment.astimezone(UTC).replace(tzinfo=None) if moment.tzinfo else moment
    raise RecordFormatError(f"{value!r} is not an ISO-8601 timestamp")


def _integer(value: Any) -> int:
    if isinstance(value, int) and not isinstance(value, bool):
        return value
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, str) and value.strip().lstrip("-").isdigit():
        return int(value)
    raise RecordFormatError(f"{value!r} is not a whole number")


def _object(value: Any) -> Mapping[str, Any]:
    if not isinstance(value, Mapping):
        raise RecordFormatError(f"{type(value).__name__} where an object belongs")
    return value


def _convert(value: Any, kind: str | Struct | MapOf) -> Any:
    """`value` (not None) as a `kind` column holds it."""
    if isinstance(kind, Struct):
        return serde_row(_object(value), kind.fields)
    if isinstance(kind, MapOf):
        return [
            (str(key), _field(str(key), item, kind.value)) for key, item in _object(value).items()
        ]
    if kind == "timestamp":
        return _timestamp(value)
    if kind in ("int", "bigint"):
        return _integer(value)
    if kind == "boolean":
        if isinstance(value, bool):
            return value
        raise RecordFormatError(f"{value!r} is not true or false")
    return value if isinstance(value, str) else json.dumps(value)


def _field(name: str, value: Any, kind: str | Struct | MapOf) -> Any:
    """One field's value; a failure names the field's path (`Queue.Duration: ...`)."""
    if value is None:
        return None
    try:
        return _convert(value, kind)
    except RecordFormatError as error:
        raise RecordFormatError(error.reason, (name, *error.path)) from None


def serde_row(record: Mapping[str, Any], columns: Iterable[Column] = COLUMNS) -> Row:
    """One record as the table's columns: keys matched without case, unknown keys dropped."""
    by_lower_name = {str(key).lower(): value for key, value in record.items()}
    return {
        column.column_name: _field(column.name, by_lower_name.get(column.column_name), column.kind)
        for column in columns
    }


def arrival_day(row: Row) -> date:
    """The day Firehose delivers the record: when it was last updated, else when it ended or
    began (a record without any timestamp cannot be placed)."""
    for name in ("lastupdatetimestamp", "disconnecttimestamp", "initiationtimestamp"):
        if row[name] is not None:
            moment: datetime = row[name]
            return moment.date()
    raise RecordFormatError(f"contact {row['contactid']}: no LastUpdateTimestamp to file it by")


def write_archive(
    records: Iterable[Mapping[str, Any]], directory: Path, *, part: str = "part-0"
) -> list[Path]:
    """Write `records` as `<directory>/records/dt=<day>/<part>.parquet`, one file per arrival
    day; returns the files written. Writing another batch under another `part` adds to the
    archive, as each Firehose delivery adds an object."""
    days: dict[date, list[Row]] = defaultdict(list)
    for number, record in enumerate(records, start=1):
        try:
            row = serde_row(record)
        except RecordFormatError as error:
            raise RecordFormatError(f"record {number}: {error}") from error
        days[arrival_day(row)].append(row)
    schema = arrow_schema()
    written = []
    for day, rows in sorted(days.items()):
        folder = directory / ARCHIVE_PREFIX / f"{PARTITION_COLUMN}={day.isoformat()}"
        folder.mkdir(parents=True, exist_ok=True)
        path = folder / f"{part}.parquet"
        pq.write_table(pa.Table.from_pylist(rows, schema=schema), path)
        written.append(path)
    return written
