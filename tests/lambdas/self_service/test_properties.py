"""Property: whatever reaches the code hook, Lex gets a well-formed answer and nothing raises."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.lambdas.self_service.events import lex_event

INTENTS = st.sampled_from(
    [
        "CheckAppointment",
        "RescheduleAppointment",
        "CancelAppointment",
        "OutageStatus",
        "CheckBalance",
        "OpeningHours",
        "TalkToAgent",
        "FallbackIntent",
        "",
    ]
) | st.text(max_size=20)
json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=30),
    lambda children: (
        st.lists(children, max_size=3) | st.dictionaries(st.text(max_size=10), children, max_size=3)
    ),
    max_leaves=10,
)
slot_text = st.sampled_from(
    ["2026-11-30", "14:30", "60601", "0143", "", "tomorrow", "25:99"]
) | st.text(max_size=30)


@st.composite
def damaged_events(draw: st.DrawFn) -> Any:
    """A real-shaped event with some of its fields replaced by anything JSON can hold."""
    event = lex_event(
        draw(INTENTS),
        slots=draw(
            st.dictionaries(
                st.sampled_from(["new_date", "new_time", "postal_code", "account_last4"]),
                st.none() | slot_text,
                max_size=3,
            )
        ),
        customer_id=draw(
            st.none() | st.sampled_from(["c-jane", "c-luis", ""]) | st.text(max_size=8)
        ),
        locale=draw(st.sampled_from(["en_US", "es_US", "fr_FR", ""])),
        source=draw(st.sampled_from(["DialogCodeHook", "FulfillmentCodeHook", "Other"])),
        confirmation=draw(st.sampled_from(["None", "Confirmed", "Denied", "Maybe"])),
    )
    for path in draw(
        st.lists(
            st.sampled_from(
                [
                    ("bot",),
                    ("bot", "localeId"),
                    ("sessionState",),
                    ("sessionState", "intent"),
                    ("sessionState", "intent", "slots"),
                    ("sessionState", "sessionAttributes"),
                    ("invocationSource",),
                ]
            ),
            max_size=2,
        )
    ):
        target = event
        for key in path[:-1]:
            target = target.get(key) if isinstance(target, dict) else None
        if isinstance(target, dict):
            target[path[-1]] = draw(json_values)
    return draw(st.just(event) | json_values.map(lambda _: event) | json_values)


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(event=damaged_events())
def test_any_event_gets_a_lex_answer_and_never_an_exception(
    invoke: Callable[[Any], dict[str, Any]], event: Any
) -> None:
    answer = invoke(event)
    state = answer["sessionState"]
    assert state["dialogAction"]["type"] in {"Close", "Delegate", "ElicitSlot"}
    assert all(isinstance(v, str) for v in state["sessionAttributes"].values())
    if state["dialogAction"]["type"] == "Close":
        assert state["intent"]["state"] in {"Fulfilled", "Failed"}
        assert state["sessionAttributes"]["self_service_outcome"] in {
            "fulfilled",
            "escalate",
            "failed",
        }
        assert answer["messages"] and all(m["content"] for m in answer["messages"])
