"""The notify function against moto (DynamoDB, SQS, SES v2) and End User Messaging SMS.

moto has no `pinpoint-sms-voice-v2`; botocore's Stubber answers those calls after the client has
validated each request against the service model, and every request is recorded here so tests
assert on what would have been sent.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import boto3
import pytest
from botocore.stub import Stubber

from lambdas.common.notifications import Notification

ORIGINATION = "arn:aws:sms-voice:us-east-1:123456789012:phone-number/phone-0123456789abcdef"
OPT_OUT_LIST = "riverside-dev"
DOMAIN = "support.riverside-utilities.example"
FROM_ADDRESS = f"no-reply@{DOMAIN}"


@dataclass
class Sms:
    """The stubbed End User Messaging client and every request it received."""

    stubber: Stubber
    requests: list[tuple[str, dict[str, Any]]] = field(default_factory=list)
    opted_out: set[str] = field(default_factory=set)

    def expect_check(self, phone: str) -> None:
        if phone in self.opted_out:
            self.stubber.add_response(
                "describe_opted_out_numbers",
                {
                    "OptOutListArn": f"arn:aws:sms-voice:us-east-1:123456789012:opt-out-list/{OPT_OUT_LIST}",
                    "OptOutListName": OPT_OUT_LIST,
                    "OptedOutNumbers": [
                        {
                            "OptedOutNumber": phone,
                            "OptedOutTimestamp": datetime(2026, 11, 1),
                            "EndUserOptedOut": True,
                        }
                    ],
                },
                {"OptOutListName": OPT_OUT_LIST, "OptedOutNumbers": [phone]},
            )
        else:
            # What End User Messaging answers for a number that never opted out.
            self.stubber.add_client_error(
                "describe_opted_out_numbers",
                service_error_code="ResourceNotFoundException",
                http_status_code=404,
                response_meta={},
                modeled_fields={"ResourceType": "opted-out-number", "ResourceId": phone},
                expected_params={"OptOutListName": OPT_OUT_LIST, "OptedOutNumbers": [phone]},
            )

    def expect_send(self, message_id: str = "msg-1") -> None:
        """What was sent is asserted from `sent()`; the model already validated the request."""
        self.stubber.add_response("send_text_message", {"MessageId": message_id})

    def sent(self) -> list[dict[str, Any]]:
        return [params for name, params in self.requests if name == "SendTextMessage"]


@pytest.fixture()
def notify_env(tables: Any, monkeypatch: pytest.MonkeyPatch) -> Iterator[dict[str, str]]:
    """A queue, a verified SES domain and the function's environment, all in moto."""
    sqs = boto3.client("sqs")
    queue_url = sqs.create_queue(QueueName="notify")["QueueUrl"]
    sesv2 = boto3.client("sesv2")
    sesv2.create_email_identity(EmailIdentity=DOMAIN)
    env = {
        "ORGANISATION": "Riverside Public Utilities",
        "CUSTOMERS_TABLE": "customers",
        "IDEMPOTENCY_TABLE": "idempotency",
        "NOTIFY_QUEUE_URL": queue_url,
        "DEFAULT_TIME_ZONE": "America/Chicago",
        "SMS_ORIGINATION_IDENTITY": ORIGINATION,
        "SMS_OPT_OUT_LIST": OPT_OUT_LIST,
        "SMS_CONFIGURATION_SET": "riverside-dev-sms",
        "SMS_SENDING_WINDOW": "08:00-21:00",
        "SMS_REMINDERS": "true",
        "EMAIL_FROM": FROM_ADDRESS,
        "EMAIL_CONFIGURATION_SET": "riverside-dev-email",
        "SURVEY_LINK": "https://survey.riverside-utilities.example/s",
    }
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    from lambdas.notify import handler

    handler.runtime.cache_clear()
    yield env
    handler.runtime.cache_clear()


@pytest.fixture()
def sms(notify_env: dict[str, str]) -> Iterator[Sms]:
    from lambdas.notify import handler

    gateway = handler.runtime().service.sms
    assert gateway is not None
    recorder = Sms(stubber=Stubber(gateway.client))

    def record(model: Any, params: dict[str, Any], **_: Any) -> None:
        recorder.requests.append((model.name, params))

    gateway.client.meta.events.register("provide-client-params.pinpoint-sms-voice-v2.*", record)
    with recorder.stubber:
        yield recorder


def sqs_event(queue_url: str, notifications: list[Notification | str]) -> dict[str, Any]:
    """Sends to the moto queue and receives back, shaped exactly as Lambda's SQS poller does."""
    sqs = boto3.client("sqs")
    for notification in notifications:
        if isinstance(notification, str):
            sqs.send_message(QueueUrl=queue_url, MessageBody=notification)
        else:
            sqs.send_message(QueueUrl=queue_url, **notification.to_message())
    return polled_event(queue_url)


def polled_event(queue_url: str, **receive: Any) -> dict[str, Any]:
    """What Lambda's SQS poller would hand the function now (no records when none is visible)."""
    sqs = boto3.client("sqs")
    received = sqs.receive_message(
        QueueUrl=queue_url,
        MaxNumberOfMessages=10,
        AttributeNames=["All"],
        MessageAttributeNames=["All"],
        **receive,
    ).get("Messages", [])
    arn = sqs.get_queue_attributes(QueueUrl=queue_url, AttributeNames=["QueueArn"])["Attributes"][
        "QueueArn"
    ]
    return {"Records": [_lambda_record(message, arn) for message in received]}


def _lambda_record(message: dict[str, Any], arn: str) -> dict[str, Any]:
    attributes = {
        name: {
            "stringValue": value.get("StringValue"),
            "binaryValue": None,
            "stringListValues": [],
            "binaryListValues": [],
            "dataType": value["DataType"],
        }
        for name, value in message.get("MessageAttributes", {}).items()
    }
    return {
        "messageId": message["MessageId"],
        "receiptHandle": message["ReceiptHandle"],
        "body": message["Body"],
        "attributes": message["Attributes"],
        "messageAttributes": attributes,
        "md5OfBody": message["MD5OfBody"],
        "eventSource": "aws:sqs",
        "eventSourceARN": arn,
        "awsRegion": "us-east-1",
    }
