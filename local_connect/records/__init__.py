"""Contact records in Amazon Connect's format: built from the ACD's results (`format`), streamed
as Connect streams them to Kinesis (`stream`), counted as the analytics Lambda counts them
(`kpis`), and shown as the supervisor's KPI table and chart (`presentation`)."""

from local_connect.records.format import Contact, Instance, contact_record, parse_timestamp
from local_connect.records.kpis import MetricRow, metric_rows
from local_connect.records.stream import ContactRecordStream

__all__ = [
    "Contact",
    "ContactRecordStream",
    "Instance",
    "MetricRow",
    "contact_record",
    "metric_rows",
    "parse_timestamp",
]
