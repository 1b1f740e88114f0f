"""Property: whatever Connect (or anything else) sends, crm_lookup answers a flat string map."""

from __future__ import annotations

import json
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.lambdas.connect_events import flow_event
from tests.lambdas.crm_lookup.conftest import Crm
from tests.lambdas.customers import JANE_PHONE

CONTRACT_KEYS = {"customerId", "customerFound", "isRepeatContact", "tier", "language"}

json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=40),
    lambda children: (
        st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=12), children, max_size=4)
    ),
    max_leaves=12,
)
contact_fields = st.sampled_from(
    [
        "Attributes",
        "Channel",
        "ContactId",
        "CustomerEndpoint",
        "InitialContactId",
        "InstanceARN",
        "PreviousContactId",
        "Queue",
        "SystemEndpoint",
        "SegmentAttributes",
        "MediaStreams",
    ]
)
identity_text = st.sampled_from(
    [JANE_PHONE, "+1 (312) 555-0143", "jane.doe@example.com", "c-jane", "", " ", "\x00", "+"]
) | st.text(max_size=60)


@st.composite
def damaged_events(draw: st.DrawFn) -> dict[str, Any]:
    """A real-shaped event with some fields replaced by anything JSON can hold."""
    event = flow_event(
        channel=draw(st.sampled_from(["VOICE", "CHAT", "TASK", "EMAIL", "Voice", "SMS", ""])),
        customer=draw(identity_text),
        customer_type=draw(st.sampled_from(["TELEPHONE_NUMBER", "EMAIL_ADDRESS", "OTHER"])),
        attributes=draw(
            st.dictionaries(
                st.sampled_from(["customerId", "email", "phone", "chatCustomerId", "language"])
                | st.text(max_size=10),
                identity_text | json_values,
                max_size=5,
            )
        ),
        parameters=draw(st.dictionaries(st.text(max_size=10), json_values, max_size=3)),
    )
    contact_data = event["Details"]["ContactData"]
    for field in draw(st.lists(contact_fields, max_size=4, unique=True)):
        if draw(st.booleans()):
            contact_data[field] = draw(json_values)
        else:
            contact_data.pop(field, None)
    if draw(st.integers(0, 9)) == 7:  # hypothesis favours 0; 7 keeps this rare
        event["Details"] = draw(json_values)
    return event


@settings(
    max_examples=150,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(event=damaged_events() | json_values)
def test_any_event_gets_a_flat_string_map_and_never_raises(crm: Crm, event: Any) -> None:
    answer = crm.invoke(event)

    assert isinstance(answer, dict)
    assert all(isinstance(k, str) and isinstance(v, str) for k, v in answer.items())
    assert set(answer) >= CONTRACT_KEYS
    assert answer["customerFound"] in ("true", "false")
    assert len(json.dumps(answer).encode()) < 32 * 1024
    assert len(crm.dynamodb.calls) <= 1
    crm.dynamodb.clear()
