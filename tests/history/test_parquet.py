"""Records -> the archive's Parquet as Firehose's OpenX JSON SerDe converts them, and the
contact attributes the schema keeps or leaves out."""

from __future__ import annotations

import json
from datetime import datetime
from pathlib import Path

import pyarrow.parquet as pq
import pytest

from history.parquet import RecordFormatError, arrow_schema, serde_row, write_archive
from history.schema import KEPT_ATTRIBUTES, PERSONAL_ATTRIBUTES, glue_columns
from lambdas.chat_start.logic import contact_attributes as chat_attributes
from lambdas.chat_start.logic import parse_form
from lambdas.common.profiles import CustomerProfile
from lambdas.inbound_email.logic import InboundAddress
from lambdas.inbound_email.logic import contact_attributes as email_attributes
from tests.lambdas.analytics import ctr
from tests.lambdas.chat_start.test_logic import TOPIC_MAP

FLOWS = Path(__file__).parents[2] / "contact_flows"


def test_keys_match_without_case_unknown_ones_and_the_address_are_dropped() -> None:
    record = ctr.voice_handled()
    record["channel"] = record.pop("Channel")
    record["Attributes"] = {"CUSTOMERID": "cust-1", "firstName": "Jane", "unclassified": "x"}
    row = serde_row(record)
    assert row["channel"] == "VOICE"
    assert row["customerendpoint"] == {"type": "TELEPHONE_NUMBER"}  # no Address column
    assert row["attributes"]["customerid"] == "cust-1"
    assert "firstname" not in row["attributes"] and "unclassified" not in row["attributes"]
    assert row["queue"]["enqueuetimestamp"] == datetime(2026, 12, 1, 10, 1, 30)
    assert row["transfercompletedtimestamp"] is None
    assert row["agent"]["routingprofile"]["name"] == "frontline"


def test_a_value_that_does_not_fit_its_column_fails_the_record_loudly(tmp_path: Path) -> None:
    record = ctr.voice_handled()
    record["Queue"]["Duration"] = "twelve"
    with pytest.raises(RecordFormatError, match=r"record 2: Queue\.Duration: 'twelve'"):
        write_archive([ctr.voice_abandoned(), record], tmp_path)
    record["Queue"]["Duration"] = 12
    record["InitiationTimestamp"] = "yesterday"
    with pytest.raises(RecordFormatError, match="InitiationTimestamp: 'yesterday'"):
        serde_row(record)


def test_files_go_under_the_arrival_day_with_the_glue_tables_schema(tmp_path: Path) -> None:
    late = ctr.ctr("c-late", started=ctr.at(23, 50), updated_after=3600)
    written = write_archive([ctr.voice_handled(), late], tmp_path, part="batch-1")
    assert [path.relative_to(tmp_path).as_posix() for path in written] == [
        "records/dt=2026-12-01/batch-1.parquet",
        "records/dt=2026-12-02/batch-1.parquet",
    ]
    assert pq.read_schema(written[0]).equals(arrow_schema())
    assert [field.name for field in arrow_schema()] == [name for name, _ in glue_columns()]


def test_every_attribute_our_flows_and_functions_set_is_kept_or_left_out() -> None:
    set_by_flows = {
        name
        for path in FLOWS.glob("*.json")
        for action in json.loads(path.read_text(encoding="utf-8"))["Actions"]
        if action["Type"] == "UpdateContactAttributes"
        for name in action["Parameters"]["Attributes"]
    }
    profile = CustomerProfile(customer_id="c1", first_name="Jane", open_issue="a refund")
    form = parse_form({"name": "Jane", "topic": next(iter(TOPIC_MAP))}, TOPIC_MAP)
    set_by_functions = {
        *chat_attributes(form, next(iter(TOPIC_MAP.values())), profile, created=True),
        *email_attributes(
            profile, created=False, destination=InboundAddress("support@example.com", "billing")
        ),
    }
    classified = set(KEPT_ATTRIBUTES) | set(PERSONAL_ATTRIBUTES)
    assert not set(KEPT_ATTRIBUTES) & set(PERSONAL_ATTRIBUTES)
    assert set_by_flows - classified == set()
    assert set_by_functions - classified == set()
    assert "customerName" in set_by_functions and "firstName" in set_by_flows  # not vacuous
