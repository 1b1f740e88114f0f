"""self_service under DynamoDB faults: the failed Close (the flow escalates), inside its budget,
and never a write it could not finish in time."""

from __future__ import annotations

from typing import Any

import pytest

from lambdas.self_service import handler as self_service_handler
from lambdas.self_service.service import SelfService
from local_connect.emulation.faults import ALWAYS, FakeClock, FaultInjector, slow
from tests.lambdas.flow_faults import DYNAMODB_FAULTS, answered_in_time, flow_context
from tests.lambdas.self_service.conftest import NEXT_APPOINTMENT, OUTAGE_CODE, Repositories
from tests.lambdas.self_service.events import lex_event


@pytest.fixture()
def deployed(service: SelfService, monkeypatch: pytest.MonkeyPatch) -> None:
    """The handler with this test's service as its container's runtime."""
    current = self_service_handler.Runtime(service=service)
    monkeypatch.setattr(self_service_handler, "runtime", lambda: current)


def outcome(answer: dict[str, Any]) -> tuple[str, str]:
    state = answer["sessionState"]
    return state["sessionAttributes"]["self_service_outcome"], state["intent"]["state"]


def test_every_dynamodb_fault_closes_as_failed_inside_the_budget(
    deployed: None, faults: FaultInjector, fake_clock: FakeClock
) -> None:
    # One test over every fault: the seeded tables cost more to build than the faults to run.
    outcomes = {}
    for name, fault in DYNAMODB_FAULTS.items():
        faults.clear()
        faults.inject("dynamodb", "Query", fault, times=ALWAYS)
        faults.inject("dynamodb", "GetItem", fault, times=ALWAYS)
        for intent, slots in (
            ("CheckAppointment", {}),
            ("OutageStatus", {"postal_code": OUTAGE_CODE}),
        ):
            context = flow_context(fake_clock, "self_service")
            answer = self_service_handler.handler(lex_event(intent, slots=slots), context)
            outcomes[name, intent] = (*outcome(answer), answered_in_time(context, fake_clock))

    assert set(outcomes.values()) == {("failed", "Failed", True)}, outcomes


def test_a_slow_read_leaves_no_time_to_move_the_appointment_so_it_is_not_moved(
    deployed: None, faults: FaultInjector, fake_clock: FakeClock, repositories: Repositories
) -> None:
    # The read answers after 2 s; the write's worst case (2.4 s) no longer fits the 3 s timeout:
    # starting it would let Lambda cut the function off mid-write, with no answer for Lex.
    faults.inject("dynamodb", "Query", slow(2.0))
    context = flow_context(fake_clock, "self_service")

    answer = self_service_handler.handler(
        lex_event(
            "RescheduleAppointment",
            slots={"new_date": "2026-11-30", "new_time": "14:30"},
            confirmation="Confirmed",
        ),
        context,
    )

    assert outcome(answer) == ("failed", "Failed")
    assert answered_in_time(context, fake_clock)
    kept = repositories.appointments.upcoming("c-jane", NEXT_APPOINTMENT)
    assert kept is not None and kept.starts_at == NEXT_APPOINTMENT
