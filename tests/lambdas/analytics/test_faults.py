"""analytics under DynamoDB faults, retried as Lambda retries a Kinesis shard: every contact is
counted exactly once, whether the batch comes back whole or from its first failed record."""

from __future__ import annotations

from typing import Any

import pytest
from aws_lambda_powertools.utilities.batch.exceptions import BatchProcessingError

from lambdas.common.aws import BACKGROUND_CALL_CONFIG
from lambdas.common.identity import IdentifierKind
from lambdas.common.profiles import Identifier
from local_connect.emulation.faults import (
    ALWAYS,
    FakeClock,
    FaultInjector,
    read_timeout,
    service_error,
)
from tests.lambdas.analytics import ctr
from tests.lambdas.analytics.conftest import Analytics
from tests.lambdas.analytics.test_handler import EXPECTED_DAY, seed_jane, the_day

ATTEMPTS = BACKGROUND_CALL_CONFIG.retries["max_attempts"] + 1  # botocore's, per call


def deliver_until_counted(analytics: Analytics, payloads: list[dict[str, Any]]) -> list[int]:
    """Lambda's Kinesis retries: after an invocation that raised (every record failed, or the
    function itself failed), the whole batch again; after a partial failure, the batch from the
    lowest failed record on (the checkpoint stops there). Returns how many records each
    invocation was given."""
    delivered: list[int] = []
    start = 0
    while start < len(payloads):
        assert len(delivered) < 5, "never counted"
        batch = payloads[start:]
        delivered.append(len(batch))
        try:
            response = analytics.invoke(ctr.kinesis_event(*batch, first_sequence=start + 1))
        except Exception:  # whatever the function raised, Lambda retries the batch
            continue
        failed = [int(item["itemIdentifier"][4:]) - 1 for item in response["batchItemFailures"]]
        start = min(failed, default=len(payloads))
    return delivered


def histories(analytics: Analytics) -> dict[str, list[Any]]:
    """Every customer's history, checked against their profile and identities: each one's
    "last contact" is the newest entry of the history."""
    items = analytics.tables.customers.scan()["Items"]
    found = {}
    for item in items:
        if item["sk"] in ("PROFILE", "ID"):
            customer_id = str(item["customer_id"])
            history = analytics.profiles.history(customer_id, limit=50)
            newest = history[0].contact_id if history else None
            assert item.get("last_contact_id") == newest, (item["pk"], newest)
            found[customer_id] = history
    return found


@pytest.mark.parametrize(
    ("operation", "fault", "times"),
    [
        ("TransactWriteItems", service_error("InternalServerError", status=500), ATTEMPTS),
        ("BatchGetItem", read_timeout(after=BACKGROUND_CALL_CONFIG.read_timeout), ATTEMPTS),
    ],
    ids=["transaction-500", "state-read-timeout"],
)
def test_a_failed_invocation_retried_counts_every_contact_exactly_once(
    analytics: Analytics, faults: FaultInjector, operation: str, fault: Any, times: int
) -> None:
    seed_jane(analytics)
    faults.inject("dynamodb", operation, fault, times=times)  # one call's retries, all spent

    delivered = deliver_until_counted(analytics, the_day())

    assert faults.count(operation) == times
    assert len(delivered) >= 2  # the fault failed an invocation, and a retry counted the rest
    assert analytics.rows() == EXPECTED_DAY
    history = histories(analytics)
    # Kinesis delivers the same records again later (a replayed shard): nothing moves.
    deliver_until_counted(analytics, the_day())
    assert analytics.rows() == EXPECTED_DAY
    assert histories(analytics) == history


def test_throttled_now_and_then_botocore_retries_and_one_invocation_counts_all(
    analytics: Analytics, faults: FaultInjector, fake_clock: FakeClock
) -> None:
    seed_jane(analytics)
    faults.inject(
        "dynamodb", "TransactWriteItems", service_error("ThrottlingException"), times=ATTEMPTS - 1
    )

    assert deliver_until_counted(analytics, the_day()) == [len(the_day())]
    assert analytics.rows() == EXPECTED_DAY


def test_a_table_that_never_answers_fails_the_batch_and_loses_nothing(
    analytics: Analytics, faults: FaultInjector, fake_clock: FakeClock
) -> None:
    seed_jane(analytics)
    faults.inject(
        "dynamodb",
        "TransactWriteItems",
        service_error("InternalServerError", status=500),
        times=ALWAYS,
    )
    with pytest.raises(BatchProcessingError):
        analytics.invoke(ctr.kinesis_event(*the_day()))
    assert analytics.rows() == {}

    faults.clear()
    assert deliver_until_counted(analytics, the_day()) == [len(the_day())]
    assert analytics.rows() == EXPECTED_DAY


def test_a_contact_whose_last_contact_update_failed_moves_it_when_retried(
    analytics: Analytics, faults: FaultInjector, fake_clock: FakeClock
) -> None:
    # The history entry was written, then the profile's "last contact" update failed: the retry
    # finds the entry and must still move the snapshots (it used to stop at the entry, and the
    # screen-pop and repeat-contact checks never saw this contact).
    # A caller known before (a new one is created with the contact in one transaction, and no
    # update follows).
    analytics.profiles.find_or_create(Identifier(kind=IdentifierKind.PHONE, value=ctr.CALLER))
    faults.inject("dynamodb", "UpdateItem", service_error("ThrottlingException"), times=ATTEMPTS)

    assert deliver_until_counted(analytics, [ctr.voice_handled()]) == [1, 1]

    (history,) = histories(analytics).values()
    assert [entry.contact_id for entry in history] == [ctr.voice_handled()["ContactId"]]
