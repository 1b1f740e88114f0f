"""follow-up over moto SQS: follow-ups queued for notify, a poison record failed alone, settings
read once per container and, while missing, failing only the records that owe a follow-up."""

from __future__ import annotations

import base64
import json
from collections.abc import Iterator
from typing import Any

import boto3
import pytest
from aws_lambda_powertools.utilities.typing import LambdaContext
from moto import mock_aws

from lambdas.common.notifications import Notification, NotificationKind
from lambdas.common.settings import SettingsError
from lambdas.follow_up import handler as follow_up


def kinesis_event(payloads: list[bytes]) -> dict[str, Any]:
    return {
        "Records": [
            {
                "kinesis": {
                    "kinesisSchemaVersion": "1.0",
                    "partitionKey": f"p{index}",
                    "sequenceNumber": f"{index:056d}",
                    "data": base64.b64encode(payload).decode("ascii"),
                    "approximateArrivalTimestamp": 0.0,
                },
                "eventSource": "aws:kinesis",
                "eventVersion": "1.0",
                "eventID": f"shardId-000000000000:{index:056d}",
                "eventName": "aws:kinesis:record",
                "awsRegion": "us-east-1",
                "eventSourceARN": "arn:aws:kinesis:us-east-1:123456789012:stream/contact-records",
            }
            for index, payload in enumerate(payloads)
        ]
    }


def contact(contact_id: str, follow_up: str) -> bytes:
    return json.dumps(
        {
            "ContactId": contact_id,
            "Channel": "VOICE",
            "InitiationMethod": "INBOUND",
            "InitiationTimestamp": "2026-12-01T23:10:00Z",
            "CustomerEndpoint": {"Address": "+13125550143", "Type": "TELEPHONE_NUMBER"},
            "Attributes": {"followUpRequested": follow_up},
        }
    ).encode()


@pytest.fixture()
def queue(monkeypatch: pytest.MonkeyPatch) -> Iterator[Any]:
    with mock_aws():
        created = boto3.resource("sqs", region_name="us-east-1").create_queue(QueueName="notify")
        monkeypatch.setenv("NOTIFY_QUEUE_URL", created.url)
        follow_up.queue.cache_clear()
        yield created
        follow_up.queue.cache_clear()


def queued(queue: Any) -> list[Notification]:
    messages = queue.receive_messages(MaxNumberOfMessages=10)
    return [Notification.model_validate_json(message.body) for message in messages]


def test_follow_ups_reach_the_notify_queue_and_a_poison_record_fails_alone(
    queue: Any, lambda_context: LambdaContext
) -> None:
    event = kinesis_event([contact("c-1", "callback"), b"{not json", contact("c-2", "sms")])

    response = follow_up.handler(event, lambda_context)

    assert response == {"batchItemFailures": [{"itemIdentifier": f"{1:056d}"}]}
    sent = sorted(queued(queue), key=lambda n: n.notification_id)
    assert [(n.notification_id, n.kind) for n in sent] == [
        ("callback#c-1", NotificationKind.CALLBACK_CONFIRMATION),
        ("follow-up#c-2", NotificationKind.TEXT_FOLLOW_UP),
    ]
    assert {n.phone for n in sent} == {"+13125550143"}


def test_a_replayed_record_asks_for_the_same_notification_so_notify_sends_it_once(
    queue: Any,
    lambda_context: LambdaContext,
) -> None:
    event = kinesis_event([contact("c-1", "sms")])
    follow_up.handler(event, lambda_context)
    follow_up.handler(event, lambda_context)
    ids = [n.notification_id for n in queued(queue)]
    assert ids == ["follow-up#c-1", "follow-up#c-1"]  # notify's idempotency key, twice


def test_the_queue_url_is_read_once_per_container(
    queue: Any, monkeypatch: pytest.MonkeyPatch, lambda_context: LambdaContext
) -> None:
    # Given a container that has queued a follow-up
    event = kinesis_event([contact("c-1", "sms")])
    follow_up.handler(event, lambda_context)

    # When the environment changes under it (as it never does in Lambda)
    monkeypatch.setenv("NOTIFY_QUEUE_URL", "https://sqs.us-east-1.amazonaws.com/1/elsewhere")
    event = kinesis_event([contact("c-2", "sms")])
    response = follow_up.handler(event, lambda_context)

    # Then the container keeps the queue it read at its first follow-up
    assert response == {"batchItemFailures": []}
    assert sorted(n.notification_id for n in queued(queue)) == ["follow-up#c-1", "follow-up#c-2"]


@pytest.mark.parametrize("url", [None, ""])
def test_without_a_queue_url_records_owing_a_follow_up_fail_and_the_others_go_through(
    monkeypatch: pytest.MonkeyPatch, url: str | None, lambda_context: LambdaContext
) -> None:
    # Given a container whose NOTIFY_QUEUE_URL is missing or empty
    if url is None:
        monkeypatch.delenv("NOTIFY_QUEUE_URL", raising=False)
    else:
        monkeypatch.setenv("NOTIFY_QUEUE_URL", url)
    follow_up.queue.cache_clear()
    try:
        # When a record that owes a follow-up arrives beside one that does not
        event = kinesis_event([contact("c-1", "none"), contact("c-2", "sms")])
        response = follow_up.handler(event, lambda_context)

        # Then only the first is done; Kinesis retries the other, failed on the variable's name
        assert response == {"batchItemFailures": [{"itemIdentifier": f"{1:056d}"}]}
        ((_, error, _),) = follow_up.processor.exceptions
        assert isinstance(error, SettingsError)
        assert error.problems[0][0] == "NOTIFY_QUEUE_URL"
    finally:
        follow_up.queue.cache_clear()
