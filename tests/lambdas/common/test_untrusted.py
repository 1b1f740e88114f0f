"""parse_json: a record that does not parse fails with the fields' names, never their values."""

from __future__ import annotations

import json
import traceback

import pytest

from lambdas.common.contact_records import ContactRecord
from lambdas.common.untrusted import MalformedInputError, parse_json


def test_a_malformed_record_is_refused_by_field_names_without_quoting_it() -> None:
    # Given a contact record whose id is a customer's number instead of a string
    record = json.dumps({"ContactId": {"caller": "+13125550143"}, "Channel": "VOICE"})

    # When it is parsed
    with pytest.raises(MalformedInputError) as refused:
        parse_json(ContactRecord, record)

    # Then the error, and the traceback Lambda would log, name the field and not the number
    report = "".join(traceback.format_exception(refused.value))
    assert "ContactRecord: ContactId (string_type)" in str(refused.value)
    assert "5550143" not in report and "input_value" not in report


def test_a_well_formed_record_parses() -> None:
    record = '{"ContactId": "c-1", "Channel": "VOICE"}'
    assert parse_json(ContactRecord, record).contact_id == "c-1"
