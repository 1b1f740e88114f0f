"""crm_lookup under DynamoDB faults: unknown customer, never an error, inside its budget."""

from __future__ import annotations

import pytest

from lambdas.common.aws import FLOW_CALL_WORST_CASE_SECONDS
from lambdas.crm_lookup import handler as crm_handler
from local_connect.emulation.faults import ALWAYS, FakeClock, Fault, FaultInjector, service_error
from tests.lambdas.connect_events import sms_chat, voice_call, web_chat
from tests.lambdas.crm_lookup.conftest import Crm
from tests.lambdas.customers import JANE_PHONE, LUIS_PHONE
from tests.lambdas.flow_faults import DYNAMODB_FAULTS, answered_in_time, flow_context


@pytest.mark.parametrize("fault", DYNAMODB_FAULTS.values(), ids=DYNAMODB_FAULTS.keys())
def test_every_dynamodb_fault_answers_unknown_customer_inside_the_budget(
    crm: Crm, faults: FaultInjector, fake_clock: FakeClock, fault: Fault
) -> None:
    faults.inject("dynamodb", "GetItem", fault, times=ALWAYS)
    context = flow_context(fake_clock, "crm_lookup")

    answer = crm_handler.handler(voice_call(JANE_PHONE), context)

    assert (answer["customerFound"], answer["lookupStatus"]) == ("false", "fallback")
    assert faults.count("GetItem") == 2  # the flow budget's total_max_attempts
    assert fake_clock() <= FLOW_CALL_WORST_CASE_SECONDS  # the attempts, plus one backoff (< 1 s)
    assert answered_in_time(context, fake_clock)


def test_a_text_from_a_known_number_is_answered_while_the_batch_read_is_throttled(
    crm: Crm, faults: FaultInjector, fake_clock: FakeClock
) -> None:
    # An inbound SMS is a chat contact: the flow goes on with "unknown customer", nothing lost.
    faults.inject(
        "dynamodb", "GetItem", service_error("ProvisionedThroughputExceededException"), times=ALWAYS
    )
    faults.inject(
        "dynamodb",
        "BatchGetItem",
        service_error("ProvisionedThroughputExceededException"),
        times=ALWAYS,
    )
    context = flow_context(fake_clock, "crm_lookup")

    texted = crm_handler.handler(sms_chat(LUIS_PHONE), context)
    chatted = crm_handler.handler(
        web_chat({"email": "x@example.com", "phone": JANE_PHONE}), context
    )

    assert texted["lookupStatus"] == chatted["lookupStatus"] == "fallback"
    assert answered_in_time(context, fake_clock)


def test_throttled_once_the_retry_finds_the_customer(
    crm: Crm, faults: FaultInjector, fake_clock: FakeClock
) -> None:
    faults.inject("dynamodb", "GetItem", service_error("ProvisionedThroughputExceededException"))
    context = flow_context(fake_clock, "crm_lookup")

    answer = crm_handler.handler(voice_call(JANE_PHONE), context)

    assert (answer["customerFound"], answer["customerId"]) == ("true", "c-jane")
    assert crm.dynamodb.calls == ["GetItem"] and faults.count("GetItem") == 1
    assert answered_in_time(context, fake_clock)
