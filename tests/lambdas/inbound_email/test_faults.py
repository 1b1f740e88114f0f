"""inbound-email under DynamoDB faults: the function raises, so Lambda's asynchronous retries
(then the failure queue) keep the message, and the retry opens exactly one contact."""

from __future__ import annotations

import boto3
import pytest
from botocore.exceptions import BotoCoreError, ClientError

from lambdas.common.aws import BACKGROUND_CALL_CONFIG
from lambdas.common.identity import IdentifierKind
from lambdas.common.profiles import Identifier, ProfileRepository
from local_connect.emulation.faults import (
    ALWAYS,
    Fault,
    FaultInjector,
    read_timeout,
    service_error,
)
from tests.lambdas.inbound_email.test_handler import (
    ConnectStub,
    archive,
    invoke,
    mime_message,
    ses_event,
)

TABLE_FAULTS = {
    "lookup-throttled": ("GetItem", service_error("ProvisionedThroughputExceededException")),
    "lookup-timeout": ("GetItem", read_timeout(after=BACKGROUND_CALL_CONFIG.read_timeout)),
    "create-500": ("TransactWriteItems", service_error("InternalServerError", status=500)),
}


@pytest.mark.parametrize(("operation", "fault"), TABLE_FAULTS.values(), ids=TABLE_FAULTS.keys())
def test_a_table_fault_raises_and_the_retry_opens_one_contact_for_one_new_customer(
    connect: ConnectStub, faults: FaultInjector, operation: str, fault: Fault
) -> None:
    archive("m-1", mime_message())
    faults.inject("dynamodb", operation, fault, times=ALWAYS)

    with pytest.raises((ClientError, BotoCoreError)):
        invoke(ses_event("m-1"))
    assert connect.requests == []

    faults.clear()
    connect.expect_contact()
    assert invoke(ses_event("m-1")) == {"disposition": "CONTINUE"}

    assert [request["ClientToken"] for request in connect.requests] == ["m-1"]
    profiles = ProfileRepository(boto3.resource("dynamodb").Table("customers"))
    jane = profiles.find(Identifier(kind=IdentifierKind.EMAIL, value="jane.doe@example.com"))
    assert jane is not None
    assert connect.requests[0]["Attributes"]["customerId"] == jane.customer_id
