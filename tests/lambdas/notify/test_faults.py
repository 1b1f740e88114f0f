"""notify under End User Messaging SMS, SES and DynamoDB faults, polled as Lambda polls its
queue: botocore retries within its bounds, what cannot be sent is parked in the dead-letter
queue after the queue's maximum receives, and nothing is ever sent twice. Texts go to the local
emulation of End User Messaging SMS (moto has none), emails to moto's SES."""

from __future__ import annotations

from collections.abc import Iterator

import boto3
import pytest
from moto.core import DEFAULT_ACCOUNT_ID
from moto.ses.models import ses_backends

from config import ContactCenterConfig
from infra.constructs.messaging import NOTIFY_MAX_RECEIVES
from lambdas.common.aws import BACKGROUND_CALL_CONFIG
from lambdas.common.notifications import (
    CallbackConfirmation,
    Notification,
    NotificationChannel,
    SurveyInvitation,
)
from local_connect.emulation import AwsWorld, emulate_aws
from local_connect.emulation.faults import ALWAYS, FaultInjector, service_error
from local_connect.runtime.lambda_runtime import LocalLambdaContext
from tests.lambdas.notify.conftest import polled_event

SEND_ATTEMPTS = BACKGROUND_CALL_CONFIG.retries["max_attempts"] + 1  # retries, plus the first


@pytest.fixture()
def dead_letters(notify_env: dict[str, str]) -> str:
    """The notify queue's dead-letter queue, with the deployed queue's maximum receives."""
    sqs = boto3.client("sqs")
    url = sqs.create_queue(QueueName="notify-dead-letters")["QueueUrl"]
    arn = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])["Attributes"]
    sqs.set_queue_attributes(
        QueueUrl=notify_env["NOTIFY_QUEUE_URL"],
        Attributes={
            "RedrivePolicy": (
                f'{{"deadLetterTargetArn": "{arn["QueueArn"]}", '
                f'"maxReceiveCount": "{NOTIFY_MAX_RECEIVES}"}}'
            )
        },
    )
    return url


@pytest.fixture()
def world(
    notify_env: dict[str, str], dev_config: ContactCenterConfig, monkeypatch: pytest.MonkeyPatch
) -> Iterator[AwsWorld]:
    """The stage's SMS number in the emulation, as the function's origination identity; texts
    at any hour (quiet hours have their own tests)."""
    world = AwsWorld.from_config(dev_config)
    monkeypatch.setenv("SMS_ORIGINATION_IDENTITY", world.sms_number.arn)
    monkeypatch.setenv("SMS_OPT_OUT_LIST", world.sms_number.opt_out_list)
    monkeypatch.setenv("SMS_SENDING_WINDOW", "")
    with emulate_aws(world):
        yield world


def survey(notification_id: str = "survey#contact-7") -> Notification:
    return Notification(
        notification_id=notification_id,
        channel=NotificationChannel.EMAIL,
        email="jane.doe@example.com",
        language="en",
        content=SurveyInvitation(contact_id="contact-7"),
    )


def callback_text() -> Notification:
    return Notification(
        notification_id="callback#contact-8",
        channel=NotificationChannel.SMS,
        phone="+13125550143",
        language="en",
        content=CallbackConfirmation(contact_id="contact-8"),
    )


def poll_until_empty(queue_url: str, faults: FaultInjector) -> int:
    """Lambda's poller: hand each visible batch to the function, delete what it did not report
    failed; failed records are visible again at once (a visibility timeout of 0). Returns the
    number of invocations."""
    from lambdas.notify import handler

    assert faults.clock is not None
    sqs = boto3.client("sqs")
    invocations = 0
    while (event := polled_event(queue_url, VisibilityTimeout=0))["Records"]:
        invocations += 1
        assert invocations <= 2 * NOTIFY_MAX_RECEIVES, "the queue never gave up"
        context = LocalLambdaContext("notify", timeout_seconds=30, timer=faults.clock)
        result = handler.handler(event, context)
        failed = {failure["itemIdentifier"] for failure in result["batchItemFailures"]}
        for record in event["Records"]:
            if record["messageId"] not in failed:
                sqs.delete_message(QueueUrl=queue_url, ReceiptHandle=record["receiptHandle"])
    return invocations


def emails_sent() -> int:
    return len(ses_backends[DEFAULT_ACCOUNT_ID]["us-east-1"].sent_messages)


def parked(dead_letters: str) -> list[str]:
    messages = boto3.client("sqs").receive_message(QueueUrl=dead_letters, MaxNumberOfMessages=10)
    return [message["Body"] for message in messages.get("Messages", [])]


def test_ses_throttling_twice_is_retried_inside_one_invocation_and_sent_once(
    notify_env: dict[str, str], dead_letters: str, faults: FaultInjector
) -> None:
    faults.inject("sesv2", "SendEmail", service_error("TooManyRequestsException"), times=2)
    boto3.client("sqs").send_message(
        QueueUrl=notify_env["NOTIFY_QUEUE_URL"], **survey().to_message()
    )

    assert poll_until_empty(notify_env["NOTIFY_QUEUE_URL"], faults) == 1
    assert emails_sent() == 1 and parked(dead_letters) == []


def test_sms_throttling_is_retried_within_bounds_then_sent_once(
    notify_env: dict[str, str], world: AwsWorld, dead_letters: str, faults: FaultInjector
) -> None:
    faults.inject(
        "pinpoint-sms-voice-v2", "SendTextMessage", service_error("ThrottlingException"), times=3
    )
    queue = notify_env["NOTIFY_QUEUE_URL"]
    boto3.client("sqs").send_message(QueueUrl=queue, **callback_text().to_message())

    assert poll_until_empty(queue, faults) == 1
    assert len(world.sms.sent) == 1 and parked(dead_letters) == []


def test_what_keeps_being_refused_is_parked_after_the_maximum_receives_unsent(
    notify_env: dict[str, str], world: AwsWorld, dead_letters: str, faults: FaultInjector
) -> None:
    # A refusal is not retried by botocore; throttling is, up to its attempts per delivery.
    faults.inject("sesv2", "SendEmail", service_error("MessageRejected"), times=ALWAYS)
    faults.inject(
        "pinpoint-sms-voice-v2",
        "SendTextMessage",
        service_error("ThrottlingException"),
        times=ALWAYS,
    )
    queue = notify_env["NOTIFY_QUEUE_URL"]
    for notification in (survey(), callback_text()):
        boto3.client("sqs").send_message(QueueUrl=queue, **notification.to_message())

    assert poll_until_empty(queue, faults) == NOTIFY_MAX_RECEIVES

    assert faults.count("SendEmail") == NOTIFY_MAX_RECEIVES
    assert faults.count("SendTextMessage") == NOTIFY_MAX_RECEIVES * SEND_ATTEMPTS
    assert emails_sent() == 0 and world.sms.sent == []
    assert len(parked(dead_letters)) == 2


def test_a_sent_email_whose_record_cannot_be_saved_is_parked_not_sent_again(
    notify_env: dict[str, str], dead_letters: str, faults: FaultInjector
) -> None:
    # SES accepted it; saving "sent" in the idempotency table fails every time. Each redelivery
    # finds the delivery in progress and refuses to send: the queue parks it after its receives.
    faults.inject(
        "dynamodb", "UpdateItem", service_error("InternalServerError", status=500), times=ALWAYS
    )
    boto3.client("sqs").send_message(
        QueueUrl=notify_env["NOTIFY_QUEUE_URL"], **survey().to_message()
    )

    assert poll_until_empty(notify_env["NOTIFY_QUEUE_URL"], faults) == NOTIFY_MAX_RECEIVES
    assert emails_sent() == 1
    assert len(parked(dead_letters)) == 1
