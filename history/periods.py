"""`--from/--to/--by` -> a history query's parameter values, for DuckDB and Athena alike.

Every value is a string, and the SQL casts it (`CAST(? AS date)`, `CAST(? AS integer)`): DuckDB
binds strings as they are, and the Athena path passes each one as a quoted SQL literal (Athena's
execution parameters are SQL text: https://docs.aws.amazon.com/athena/latest/ug/
querying-with-prepared-statements.html), so both engines see the same query.

Days are UTC days. The archive is partitioned by the day a record ARRIVED, so a query reads
the partitions from its period's first day (less the query's `context_days`) to its last day
plus the context and `GRACE_DAYS`: an updated version of a contact delivered a few days later
must still be seen, or the query would count the older version.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, timedelta

from history.catalog import Query

GROUPINGS = ("day", "week", "hour")
"""What `by` may be: the unit of Athena's and DuckDB's `date_trunc` (weeks start on Monday)."""

GRACE_DAYS = 3
"""Days after a period whose partitions are read for late versions of its contacts. Connect
updates a record when after-contact work ends or attributes change, within minutes to hours;
three days also covers Firehose retrying a delivery over a weekend outage."""

DEFAULT_THRESHOLD_SECONDS = 20


class PeriodError(ValueError):
    """A period that cannot be queried (ends before it starts, an unknown grouping)."""


@dataclass(frozen=True)
class Period:
    from_day: date
    to_day: date
    by: str = "day"

    def __post_init__(self) -> None:
        if self.to_day < self.from_day:
            raise PeriodError(f"the period ends ({self.to_day}) before it starts ({self.from_day})")
        if self.by not in GROUPINGS:
            raise PeriodError(f"cannot group by {self.by!r}: one of {', '.join(GROUPINGS)}")


def parameter_values(
    query: Query, period: Period, *, threshold_seconds: int = DEFAULT_THRESHOLD_SECONDS
) -> dict[str, str]:
    """The value of each parameter `query` names, in the order it names them."""
    context = timedelta(days=query.context_days)
    known: Mapping[str, str] = {
        "by": period.by,
        "from_day": period.from_day.isoformat(),
        "to_day": period.to_day.isoformat(),
        "scan_from_day": (period.from_day - context).isoformat(),
        "scan_to_day": (period.to_day + context + timedelta(days=GRACE_DAYS)).isoformat(),
        "threshold_seconds": str(threshold_seconds),
    }
    unknown = [name for name in query.parameters if name not in known]
    if unknown:
        raise PeriodError(f"query {query.name} takes {', '.join(unknown)}, which no option sets")
    return {name: known[name] for name in query.parameters}
