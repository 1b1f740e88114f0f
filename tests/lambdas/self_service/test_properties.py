"""Property: whatever reaches the code hook, Lex gets a well-formed answer and nothing raises."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from hypothesis import HealthCheck, given, settings

from tests.fuzz.strategies import lex_events


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(event=lex_events())
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
