"""The fulfillment function per intent over moto tables: what the caller hears, what the flow
learns (the session attributes of the contract in lambdas/self_service/logic.py)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from tests.lambdas.self_service.conftest import (
    JANE_LAST4,
    NEXT_APPOINTMENT,
    OUTAGE_CODE,
    Repositories,
)
from tests.lambdas.self_service.events import lex_event

Invoke = Callable[[Any], dict[str, Any]]


def spoken(answer: dict[str, Any]) -> str:
    return " ".join(message["content"] for message in answer.get("messages", []))


def attributes(answer: dict[str, Any]) -> dict[str, str]:
    return answer["sessionState"]["sessionAttributes"]


def outcome(answer: dict[str, Any]) -> tuple[str, str, str]:
    found = attributes(answer)
    return (
        found["self_service_outcome"],
        found["self_service_detail"],
        answer["sessionState"]["intent"]["state"],
    )


def test_known_customer_hears_their_next_booked_appointment_in_local_time(invoke: Invoke) -> None:
    answer = invoke(lex_event("CheckAppointment"))
    assert answer["sessionState"]["dialogAction"] == {"type": "Close"}
    assert spoken(answer) == "Your next appointment is on Tuesday, November 24, at 10:00."
    assert outcome(answer) == ("fulfilled", "found", "Fulfilled")
    assert attributes(answer)["self_service_intent"] == "CheckAppointment"
    assert attributes(answer)["customer_id"] == "c-jane"  # the flow's own attributes survive


def test_spanish_caller_hears_the_spanish_sentence(invoke: Invoke) -> None:
    answer = invoke(lex_event("CheckAppointment", locale="es_US"))
    assert spoken(answer) == "Su próxima cita es el martes 24 de noviembre a las 10:00."


def test_customer_without_appointments_is_told_so(invoke: Invoke) -> None:
    answer = invoke(lex_event("CheckAppointment", customer_id="c-luis"))
    assert spoken(answer) == "I can't find an upcoming appointment for you."
    assert outcome(answer) == ("fulfilled", "not_found", "Fulfilled")


@pytest.mark.parametrize("customer_id", [None, "", "  "])
@pytest.mark.parametrize(
    "intent", ["CheckAppointment", "RescheduleAppointment", "CancelAppointment", "CheckBalance"]
)
def test_unidentified_caller_is_escalated_before_anything_personal(
    invoke: Invoke, intent: str, customer_id: str | None
) -> None:
    for source in ("DialogCodeHook", "FulfillmentCodeHook"):
        answer = invoke(lex_event(intent, customer_id=customer_id, source=source))
        assert outcome(answer) == ("escalate", "unidentified", "Failed")
        assert "agent" in spoken(answer)


def test_unidentified_caller_never_hears_a_balance(invoke: Invoke) -> None:
    answer = invoke(
        lex_event("CheckBalance", customer_id=None, slots={"account_last4": JANE_LAST4})
    )
    assert "$" not in spoken(answer)
    assert outcome(answer) == ("escalate", "unidentified", "Failed")


def test_identified_caller_with_matching_digits_hears_the_balance(invoke: Invoke) -> None:
    answer = invoke(lex_event("CheckBalance", slots={"account_last4": JANE_LAST4}))
    assert spoken(answer) == "Your balance is $42.50, due on Saturday, December 5."
    assert outcome(answer) == ("fulfilled", "balance_given", "Fulfilled")


def test_account_digits_never_reach_attributes_or_the_closing_slots(invoke: Invoke) -> None:
    answer = invoke(
        lex_event(
            "CheckBalance",
            slots={"account_last4": JANE_LAST4},
            attributes={"account_last4": JANE_LAST4},
        )
    )
    assert JANE_LAST4 not in str(attributes(answer))
    assert answer["sessionState"]["intent"]["slots"] == {"account_last4": None}


def test_wrong_digits_escalate_without_the_balance(invoke: Invoke) -> None:
    answer = invoke(lex_event("CheckBalance", slots={"account_last4": "9999"}))
    assert "$" not in spoken(answer)
    assert outcome(answer) == ("escalate", "not_verified", "Failed")


def test_nothing_due_and_no_account(invoke: Invoke) -> None:
    nothing = invoke(
        lex_event("CheckBalance", customer_id="c-luis", slots={"account_last4": "7788"})
    )
    assert outcome(nothing) == ("fulfilled", "nothing_due", "Fulfilled")
    missing = invoke(
        lex_event("CheckBalance", customer_id="c-sam", slots={"account_last4": "1234"})
    )
    assert outcome(missing) == ("escalate", "no_account", "Failed")


def test_reschedule_moves_the_next_appointment(invoke: Invoke, repositories: Repositories) -> None:
    answer = invoke(
        lex_event(
            "RescheduleAppointment",
            slots={"new_date": "2026-11-30", "new_time": "14:30"},
            confirmation="Confirmed",
        )
    )
    assert spoken(answer) == "Done. Your appointment is now on Monday, November 30, at 14:30."
    assert outcome(answer) == ("fulfilled", "moved", "Fulfilled")
    assert attributes(answer)["self_service_slots"] == "new_date=2026-11-30;new_time=14:30"
    moved = repositories.appointments.upcoming("c-jane", NEXT_APPOINTMENT)
    assert moved is not None and moved.appointment_id == "a-next"
    assert moved.starts_at.isoformat() == "2026-11-30T20:30:00+00:00"


def test_a_time_already_past_is_asked_again(invoke: Invoke) -> None:
    answer = invoke(
        lex_event(
            "RescheduleAppointment",
            slots={"new_date": "2026-11-20", "new_time": "10:00"},
            source="DialogCodeHook",
        )
    )
    assert answer["sessionState"]["dialogAction"] == {
        "type": "ElicitSlot",
        "slotToElicit": "new_date",
    }
    assert answer["sessionState"]["intent"]["slots"] == {"new_date": None, "new_time": None}
    assert spoken(answer) == "That time has already passed. Which day would suit you?"


def test_dialog_turn_of_an_identified_caller_is_delegated_to_lex(invoke: Invoke) -> None:
    event = lex_event(
        "RescheduleAppointment",
        slots={"new_date": "2026-11-30", "new_time": None},
        source="DialogCodeHook",
    )
    answer = invoke(event)
    assert answer["sessionState"]["dialogAction"] == {"type": "Delegate"}
    assert answer["sessionState"]["intent"] == event["sessionState"]["intent"]
    assert "messages" not in answer


def test_cancel_cancels_and_the_next_one_becomes_upcoming(
    invoke: Invoke, repositories: Repositories
) -> None:
    answer = invoke(lex_event("CancelAppointment", confirmation="Confirmed"))
    assert spoken(answer) == "Your appointment on Tuesday, November 24, at 10:00 is cancelled."
    assert outcome(answer) == ("fulfilled", "cancelled", "Fulfilled")
    following = repositories.appointments.upcoming("c-jane", NEXT_APPOINTMENT)
    assert following is not None and following.appointment_id == "a-later"


def test_nothing_to_cancel(invoke: Invoke) -> None:
    answer = invoke(lex_event("CancelAppointment", customer_id="c-luis"))
    assert outcome(answer) == ("fulfilled", "not_found", "Fulfilled")


def test_outage_by_postal_code_with_its_expected_end(invoke: Invoke) -> None:
    answer = invoke(
        lex_event("OutageStatus", slots={"postal_code": "60601-1234"}, customer_id=None)
    )
    assert spoken(answer) == (
        "There is a known outage in 60601: Crews are repairing a line. We expect service back "
        "by 17:00 on Sunday, November 22."
    )
    assert outcome(answer) == ("fulfilled", "outage", "Fulfilled")
    assert attributes(answer)["self_service_slots"] == "postal_code=60601-1234"


def test_outage_details_in_the_callers_language(invoke: Invoke) -> None:
    answer = invoke(lex_event("OutageStatus", slots={"postal_code": OUTAGE_CODE}, locale="es_US"))
    assert "Estamos reparando una línea." in spoken(answer)


def test_no_outage_posted(invoke: Invoke) -> None:
    answer = invoke(lex_event("OutageStatus", slots={"postal_code": "60602"}))
    assert spoken(answer).startswith("We have no reported outage in 60602.")
    assert outcome(answer) == ("fulfilled", "no_outage", "Fulfilled")


def test_opening_hours_on_a_closed_sunday_names_mondays_opening(invoke: Invoke) -> None:
    answer = invoke(lex_event("OpeningHours", customer_id=None))
    assert spoken(answer) == "We're closed right now. We open on Monday at 08:00."
    assert outcome(answer) == ("fulfilled", "closed", "Fulfilled")


def test_asking_for_an_agent_escalates(invoke: Invoke) -> None:
    answer = invoke(lex_event("TalkToAgent", locale="es_US"))
    assert spoken(answer) == "Un momento, le comunico con un agente."
    assert outcome(answer) == ("escalate", "requested", "Failed")


def test_a_repository_failure_closes_as_failed_with_the_failed_sentence(
    invoke: Invoke, repositories: Repositories, monkeypatch: pytest.MonkeyPatch
) -> None:
    def broken(*_: object) -> None:
        raise TimeoutError("read timed out")

    monkeypatch.setattr(repositories.appointments, "upcoming", broken)
    answer = invoke(lex_event("CheckAppointment"))
    assert outcome(answer) == ("failed", "error", "Failed")
    assert spoken(answer).startswith("Sorry, I can't look that up right now.")
    assert attributes(answer)["self_service_intent"] == "CheckAppointment"


def test_an_intent_the_bot_file_lacks_closes_as_failed(invoke: Invoke) -> None:
    answer = invoke(lex_event("OrderPizza"))
    assert outcome(answer) == ("failed", "error", "Failed")


def test_saying_no_to_the_confirmation_keeps_the_appointment(
    invoke: Invoke, repositories: Repositories
) -> None:
    answer = invoke(lex_event("CancelAppointment", source="DialogCodeHook", confirmation="Denied"))
    assert spoken(answer) == "All right, your appointment stays booked."
    assert outcome(answer) == ("fulfilled", "declined", "Fulfilled")
    kept = repositories.appointments.upcoming("c-jane", NEXT_APPOINTMENT)
    assert kept is not None and kept.appointment_id == "a-next"
