"""Fuzzing with counts: every function's contract and log hygiene over generated inputs.

Each function gets `fuzz_cases()` generated inputs of its source (tests/fuzz/strategies.py),
run through its real handler in the local Lambda runtime (tests/fuzz/harness.py). On every case
the function keeps its caller's contract, and no personal data planted in the input (phone
numbers, emails, names) appears unmasked in anything it logged or raised.

The default suite runs the CI profile (`CI_CASES` per function); `ccaas fuzz` runs the
on-demand profile by setting `CCAAS_FUZZ_CASES` (10,000 per function by default).
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from aws_lambda_powertools import Logger
from hypothesis import HealthCheck, given, settings

from config import ContactCenterConfig
from local_connect.runtime.lambda_runtime import LocalLambda
from scripts.commands.fuzz import CASES_VARIABLE, function_names
from tests.fuzz.harness import LOGGING, TARGETS, FuzzWorld, fuzz_world, log_text
from tests.fuzz.personal_data import unmasked_personal_data
from tests.fuzz.strategies import PEOPLE
from tests.fuzz.tally import CASES_PROPERTY, FUNCTION_PROPERTY

CI_CASES = 25


def fuzz_cases() -> int:
    """Cases per function: the on-demand profile's count when `ccaas fuzz` set one."""
    return int(os.environ.get(CASES_VARIABLE, CI_CASES))


@pytest.fixture(scope="module")
def world(dev_config: ContactCenterConfig) -> Iterator[FuzzWorld]:
    """One world for the targets a worker runs in a row: its setup costs seconds."""
    with fuzz_world(dev_config) as created:
        yield created


def test_every_function_is_a_fuzz_target() -> None:
    assert sorted(TARGETS) == function_names(), (
        "give the new function a Target in tests/fuzz/harness.py"
    )


@pytest.mark.parametrize("name", sorted(TARGETS))
def test_every_input_keeps_the_contract_and_logs_no_personal_data(
    name: str, world: FuzzWorld, record_property: Callable[[str, Any], None]
) -> None:
    target = TARGETS[name]
    function = world.function(name)
    tried = 0
    record_property(FUNCTION_PROPERTY, name)

    @settings(
        max_examples=fuzz_cases(),
        deadline=None,
        database=None,
        suppress_health_check=list(HealthCheck),
    )
    @given(event=target.inputs)
    def case(event: Any) -> None:
        nonlocal tried
        tried += 1
        invocation = function.invoke(event)
        target.contract(event, invocation)
        leaked = unmasked_personal_data(log_text(invocation))
        assert not leaked, f"{name} logged {leaked}:\n{log_text(invocation)}"

    try:
        case()
    finally:
        record_property(CASES_PROPERTY, tried)
        function.cold_start()


def test_the_detector_finds_a_raw_number_email_and_name_in_the_same_capture() -> None:
    # Given a function that logs a customer's details as they came, through Powertools
    person = PEOPLE[0]

    def careless(event: Any, context: Any) -> None:
        logger = Logger(service="canary")  # created in the function: its stream is captured
        logger.info("customer", extra={"number": event["phone"], "from": event["email"]})
        logger.warning(f"no profile for {event['name']}")

    # When it runs in the local Lambda runtime, its log read back as the fuzz targets' are
    invocation = LocalLambda(careless, LOGGING).invoke(
        {"phone": "(312) 555-0170", "email": person.email, "name": "Zebulon Quartermaine"}
    )

    # Then the detector names every one of them
    found = unmasked_personal_data(log_text(invocation))
    assert "(312) 555-0170" in found
    assert found.count("zebulon") == 1 and found.count("quartermaine") == 1  # the address
    assert "Zebulon" in found and "Quartermaine" in found  # the name
