"""Contact records counted into the metric rows the analytics Lambda writes, without AWS.

`metric_rows` runs the Lambda's own counting (`lambdas.analytics.logic`: newest version of each
contact, its contribution, net counters per 15-minute interval, channel and queue) over records
in memory, as `ContactRecordCounter` does over the metrics table, with the customer history off
(no repeat contacts). Every KPI is then derived from the rows by `lambdas.analytics.logic.Kpis`,
the one definition; nothing here computes a ratio.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from lambdas.analytics.logic import (
    AggregateKey,
    CustomerFacts,
    latest_versions,
    net_deltas,
    plan_change,
)
from lambdas.common.contact_records import ContactRecord

MetricRow = tuple[AggregateKey, Mapping[str, int]]
"""One item of the metrics table: an interval, channel and queue, and its summed counters."""


def metric_rows(records: Iterable[Mapping[str, Any]], *, threshold_seconds: int) -> list[MetricRow]:
    """The rows the analytics handler would hold after counting `records`, oldest first.

    Raises (pydantic's ValidationError, `MalformedRecordError`) for a record the handler would
    report as a batch item failure.
    """
    parsed = ((index, ContactRecord.model_validate(record)) for index, record in enumerate(records))
    changes = [
        plan_change(
            entry.record,
            entry.version,
            None,
            threshold_seconds=threshold_seconds,
            customer=CustomerFacts(),
        )
        for entry in latest_versions(parsed).values()
    ]
    counted = net_deltas(change for change in changes if change is not None)
    return sorted(counted.items(), key=lambda row: row[0])
