"""Pure chat-start decisions: the request Connect gets is valid for any acceptable form."""

from __future__ import annotations

import botocore.session
import pytest
from botocore.validate import ParamValidator
from hypothesis import given, settings
from hypothesis import strategies as st
from pydantic import ValidationError

from lambdas.chat_start.logic import (
    contact_attributes,
    identifiers_of,
    parse_form,
    parse_topics,
    start_chat_request,
)
from lambdas.common.identity import IdentifierKind
from lambdas.common.profiles import CustomerProfile
from tests.lambdas.chat_start.conftest import TOPICS

START_CHAT = (
    botocore.session.get_session()
    .get_service_model("connect")
    .operation_model("StartChatContact")
    .input_shape
)
TOPIC_MAP = parse_topics(TOPICS)


def test_topics_keep_the_configured_order() -> None:
    assert list(TOPIC_MAP) == ["billing", "outage", "other"]


def test_email_is_the_primary_identifier_then_phone() -> None:
    form = parse_form(
        {"name": "Jane", "phone": "+1 312 555 0143", "email": "J@X.io", "topic": "billing"},
        TOPIC_MAP,
    )

    assert [(i.kind, i.value) for i in identifiers_of(form)] == [
        (IdentifierKind.EMAIL, "j@x.io"),
        (IdentifierKind.PHONE, "+13125550143"),
    ]


def test_blank_optional_fields_mean_absent() -> None:
    form = parse_form({"name": "Jane", "email": " ", "phone": "", "topic": "other"}, TOPIC_MAP)

    assert form.email is None and form.phone is None
    assert identifiers_of(form) == []


@pytest.mark.parametrize("name", ["", "   ", "x" * 101])
def test_names_must_be_present_and_short(name: str) -> None:
    with pytest.raises(ValidationError):
        parse_form({"name": name, "topic": "other"}, TOPIC_MAP)


def test_no_topics_configured_refuses_every_topic() -> None:
    with pytest.raises(ValidationError, match="none configured"):
        parse_form({"name": "Jane", "topic": "billing"}, {})


names = st.text(
    alphabet=st.characters(blacklist_categories=("Cs", "Cc", "Cf", "Co", "Cn")),
    min_size=1,
    max_size=100,
).filter(lambda text: text.strip() != "")


@settings(max_examples=150, deadline=None)
@given(
    name=names,
    topic=st.sampled_from(list(TOPIC_MAP)),
    tier=st.sampled_from(["standard", "vip"]),
    known=st.booleans(),
    created=st.booleans(),
)
def test_any_accepted_form_makes_a_request_connect_accepts(
    name: str, topic: str, tier: str, known: bool, created: bool
) -> None:
    form = parse_form({"name": name, "topic": topic}, TOPIC_MAP)
    profile = CustomerProfile(customer_id="c1", tier=tier) if known else None

    attributes = contact_attributes(form, TOPIC_MAP[topic], profile, created=created)
    request = start_chat_request(
        instance_id="11111111-2222-3333-4444-555555555555",
        flow_id="99999999-8888-7777-6666-555555555555",
        form=form,
        attributes=attributes,
    )

    report = ParamValidator().validate(request, START_CHAT)
    assert not report.has_errors(), report.generate_report()
    assert all(isinstance(value, str) and value for value in attributes.values())
    assert attributes["intent"] == topic
    assert ("customerId" in attributes) is known
