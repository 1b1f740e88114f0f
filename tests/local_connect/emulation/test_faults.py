"""The fault injector: any service's errors, botocore's own timeouts, on a fake clock."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any
from unittest.mock import patch

import boto3
import botocore.session
import pytest
from botocore.config import Config
from botocore.exceptions import ClientError, ConnectTimeoutError, ReadTimeoutError
from botocore.handlers import BUILTIN_HANDLERS
from moto import mock_aws

from local_connect.emulation.faults import (
    ALWAYS,
    FakeClock,
    FaultInjector,
    attach,
    connect_timeout,
    dispatcher,
    read_timeout,
    service_error,
    slow,
)
from local_connect.runtime.lambda_runtime import LocalLambdaContext

RETRY_TWICE = Config(
    connect_timeout=0.3, read_timeout=0.4, retries={"total_max_attempts": 3, "mode": "standard"}
)


@pytest.fixture()
def table() -> Iterator[Any]:
    with mock_aws():
        dynamodb = boto3.resource("dynamodb", config=RETRY_TWICE)
        yield dynamodb.create_table(
            TableName="t",
            KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}],
            AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"}],
            BillingMode="PAY_PER_REQUEST",
        )


@pytest.fixture()
def clock(fake_clock: FakeClock) -> FakeClock:
    return fake_clock


def test_throttled_twice_then_written_once_by_botocores_own_retries(
    table: Any, faults: FaultInjector
) -> None:
    faults.inject(
        "dynamodb", "PutItem", service_error("ProvisionedThroughputExceededException"), times=2
    )
    table.put_item(Item={"pk": "a"})

    assert faults.count("PutItem") == 2
    assert table.get_item(Key={"pk": "a"})["Item"] == {"pk": "a"}


def test_a_write_that_always_fails_is_never_performed(table: Any, faults: FaultInjector) -> None:
    # botocore still asks moto after the fault answered: the fault must keep moto from writing.
    faults.inject(
        "dynamodb", "PutItem", service_error("InternalServerError", status=500), times=ALWAYS
    )
    with pytest.raises(ClientError) as refused:
        table.put_item(Item={"pk": "a"})

    assert refused.value.response["Error"]["Code"] == "InternalServerError"
    assert refused.value.response["ResponseMetadata"]["HTTPStatusCode"] == 500
    assert faults.count("PutItem") == 3  # total_max_attempts
    faults.clear()
    assert "Item" not in table.get_item(Key={"pk": "a"})


@pytest.mark.parametrize(
    ("fault", "error"),
    [
        (read_timeout(after=0.4), ReadTimeoutError),
        (connect_timeout(after=0.3), ConnectTimeoutError),
    ],
)
def test_timeouts_are_botocores_own_and_cost_fake_time_only(
    table: Any, faults: FaultInjector, clock: FakeClock, fault: Any, error: type[Exception]
) -> None:
    context = LocalLambdaContext("f", timeout_seconds=3, timer=clock)
    faults.inject("dynamodb", "GetItem", fault, times=ALWAYS)

    with pytest.raises(error):
        table.get_item(Key={"pk": "a"})

    attempts = faults.count("GetItem")
    assert attempts == 3
    # Three silent attempts plus botocore's jittered backoff before each retry (< 1 s, < 2 s).
    assert attempts * fault.delay <= clock() < attempts * fault.delay + 3
    assert context.get_remaining_time_in_millis() == int((3 - clock()) * 1000)


def test_a_slow_answer_succeeds_late(table: Any, faults: FaultInjector, clock: FakeClock) -> None:
    table.put_item(Item={"pk": "a"})
    faults.inject("dynamodb", "GetItem", slow(0.35))

    assert table.get_item(Key={"pk": "a"})["Item"] == {"pk": "a"}
    assert clock() == 0.35


def test_refusals_carry_the_services_modeled_fields(faults: FaultInjector) -> None:
    with mock_aws():
        sesv2 = boto3.client("sesv2", config=Config(retries={"total_max_attempts": 1}))
        sms = boto3.client("pinpoint-sms-voice-v2")
        faults.inject("sesv2", "SendEmail", service_error("MessageRejected", "bad address"))
        faults.inject(
            "pinpoint-sms-voice-v2",
            "SendTextMessage",
            service_error("ConflictException", Reason="DESTINATION_PHONE_NUMBER_OPTED_OUT"),
        )
        with pytest.raises(ClientError) as rejected:
            sesv2.send_email(
                FromEmailAddress="a@example.com",
                Destination={"ToAddresses": ["b@example.com"]},
                Content={"Simple": {"Subject": {"Data": "s"}, "Body": {"Text": {"Data": "b"}}}},
            )
        with pytest.raises(ClientError) as opted_out:
            sms.send_text_message(DestinationPhoneNumber="+15555550123", MessageBody="hi")

    assert rejected.value.response["Error"] == {"Code": "MessageRejected", "Message": "bad address"}
    assert opted_out.value.response["Reason"] == "DESTINATION_PHONE_NUMBER_OPTED_OUT"


@pytest.mark.parametrize(
    ("service", "operation", "call"),
    [
        ("s3", "GetObject", lambda c: c.get_object(Bucket="b", Key="k")),  # rest-xml
    ],
)
def test_xml_protocols_carry_the_code_too(
    faults: FaultInjector, service: str, operation: str, call: Any
) -> None:
    faults.inject(service, operation, service_error("Throttling", status=400), times=ALWAYS)
    with mock_aws():
        client = boto3.client(service, config=Config(retries={"total_max_attempts": 1}))
        with pytest.raises(ClientError) as refused:
            call(client)
    assert refused.value.response["Error"]["Code"] == "Throttling"


def test_a_client_made_before_the_injector_was_imported_meets_it_once_attached(
    faults: FaultInjector,
) -> None:
    without = [entry for entry in BUILTIN_HANDLERS if entry[1] is not dispatcher]
    with mock_aws():
        with patch("botocore.handlers.BUILTIN_HANDLERS", without):
            session = boto3.session.Session(botocore_session=botocore.session.Session())
        client = session.client("sqs", config=Config(retries={"total_max_attempts": 1}))
        faults.inject("sqs", "ListQueues", service_error("ThrottlingException"))
        client.list_queues()  # the session predates the handler: the fault waits
        attach(client)
        with pytest.raises(ClientError):
            client.list_queues()
    assert faults.count("ListQueues") == 1


def test_unknown_operations_and_counts_are_refused_when_armed() -> None:
    injector = FaultInjector()
    with pytest.raises(Exception, match="NoSuchOperation"):
        injector.inject("dynamodb", "NoSuchOperation", slow(1))
    with pytest.raises(ValueError, match="at least 1"):
        injector.inject("dynamodb", "GetItem", slow(1), times=0)
