"""Contact records in Amazon Connect's format: built from the ACD's results (`format`), streamed
as Connect streams them to Kinesis (`stream`), and counted into the supervisor's KPIs (`kpis`)."""

from local_connect.records.format import Contact, Instance, contact_record, parse_timestamp
from local_connect.records.kpis import Kpi, kpis_from_records, latest_versions
from local_connect.records.stream import ContactRecordStream

__all__ = [
    "Contact",
    "ContactRecordStream",
    "Instance",
    "Kpi",
    "contact_record",
    "kpis_from_records",
    "latest_versions",
    "parse_timestamp",
]
