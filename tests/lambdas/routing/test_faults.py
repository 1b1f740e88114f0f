"""routing under DynamoDB faults: routed by intent as an unknown customer, inside its budget."""

from __future__ import annotations

import pytest

from lambdas.routing import handler as routing_handler
from local_connect.emulation.faults import ALWAYS, FakeClock, Fault, FaultInjector
from tests.lambdas.connect_events import voice_call
from tests.lambdas.customers import JANE_PHONE
from tests.lambdas.flow_faults import DYNAMODB_FAULTS, answered_in_time, flow_context
from tests.lambdas.routing.conftest import Routing


@pytest.mark.parametrize("fault", DYNAMODB_FAULTS.values(), ids=DYNAMODB_FAULTS.keys())
def test_every_dynamodb_fault_still_routes_by_intent_inside_the_budget(
    routing: Routing, faults: FaultInjector, fake_clock: FakeClock, fault: Fault
) -> None:
    faults.inject("dynamodb", "GetItem", fault, times=ALWAYS)
    context = flow_context(fake_clock, "routing")

    answer = routing_handler.handler(
        voice_call(JANE_PHONE, parameters={"intent": "outage"}), context
    )

    assert answer["queueName"] == "support"
    assert answer["priority"] == "5"  # Jane is VIP, but unknown while DynamoDB is away
    assert answer["routingReason"] == "intent:outage,customer_unavailable"
    assert answered_in_time(context, fake_clock)


def test_with_no_time_left_for_a_lookup_routing_does_not_start_one(
    routing: Routing, faults: FaultInjector, fake_clock: FakeClock
) -> None:
    context = flow_context(fake_clock, "routing")
    fake_clock.advance(1.0)  # a slow cold start: 2 s left, a lookup may take 2.4 s

    answer = routing_handler.handler(
        voice_call(JANE_PHONE, parameters={"intent": "outage"}), context
    )

    assert answer["routingReason"] == "intent:outage,customer_unavailable"
    assert routing.dynamodb.attempts == []
    assert answered_in_time(context, fake_clock)
