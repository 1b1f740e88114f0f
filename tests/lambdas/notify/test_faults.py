"""notify under SES and DynamoDB faults, polled as Lambda polls its queue: botocore retries
within its bounds, what cannot be sent is parked in the dead-letter queue after the queue's
maximum receives, and nothing is ever sent twice."""

from __future__ import annotations

import boto3
import pytest
from moto.core import DEFAULT_ACCOUNT_ID
from moto.ses.models import ses_backends

from infra.constructs.messaging import NOTIFY_MAX_RECEIVES
from lambdas.common.aws import BACKGROUND_CALL_CONFIG
from lambdas.common.notifications import Notification, NotificationChannel, SurveyInvitation
from local_connect.emulation.faults import ALWAYS, FakeClock, Fault, FaultInjector, service_error
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


def survey(notification_id: str = "survey#contact-7") -> Notification:
    return Notification(
        notification_id=notification_id,
        channel=NotificationChannel.EMAIL,
        email="jane.doe@example.com",
        language="en",
        content=SurveyInvitation(contact_id="contact-7"),
    )


def poll_until_empty(queue_url: str, clock: FakeClock) -> int:
    """Lambda's poller: hand each visible batch to the function, delete what it did not report
    failed; failed records are visible again at once (a visibility timeout of 0). Returns the
    number of invocations."""
    from lambdas.notify import handler

    sqs = boto3.client("sqs")
    invocations = 0
    while (event := polled_event(queue_url, VisibilityTimeout=0))["Records"]:
        invocations += 1
        assert invocations <= 2 * NOTIFY_MAX_RECEIVES, "the queue never gave up"
        context = LocalLambdaContext("notify", timeout_seconds=30, timer=clock)
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
    notify_env: dict[str, str], dead_letters: str, faults: FaultInjector, fake_clock: FakeClock
) -> None:
    faults.inject("sesv2", "SendEmail", service_error("TooManyRequestsException"), times=2)
    boto3.client("sqs").send_message(
        QueueUrl=notify_env["NOTIFY_QUEUE_URL"], **survey().to_message()
    )

    assert poll_until_empty(notify_env["NOTIFY_QUEUE_URL"], fake_clock) == 1
    assert emails_sent() == 1 and parked(dead_letters) == []


@pytest.mark.parametrize(
    "fault",
    [
        service_error("TooManyRequestsException"),
        service_error("MessageRejected", "Email address is not verified."),
    ],
    ids=lambda fault: fault.name,
)
def test_what_ses_keeps_refusing_is_parked_after_the_maximum_receives(
    notify_env: dict[str, str],
    dead_letters: str,
    faults: FaultInjector,
    fake_clock: FakeClock,
    fault: Fault,
) -> None:
    faults.inject("sesv2", "SendEmail", fault, times=ALWAYS)
    boto3.client("sqs").send_message(
        QueueUrl=notify_env["NOTIFY_QUEUE_URL"], **survey().to_message()
    )

    invocations = poll_until_empty(notify_env["NOTIFY_QUEUE_URL"], fake_clock)

    assert invocations == NOTIFY_MAX_RECEIVES
    retried = fault.code == "TooManyRequestsException"
    assert faults.count("SendEmail") == invocations * (SEND_ATTEMPTS if retried else 1)
    assert emails_sent() == 0
    assert len(parked(dead_letters)) == 1


def test_a_sent_email_whose_record_cannot_be_saved_is_parked_not_sent_again(
    notify_env: dict[str, str], dead_letters: str, faults: FaultInjector, fake_clock: FakeClock
) -> None:
    # SES accepted it; saving "sent" in the idempotency table fails every time. Each redelivery
    # finds the delivery in progress and refuses to send: the queue parks it after its receives.
    faults.inject(
        "dynamodb", "UpdateItem", service_error("InternalServerError", status=500), times=ALWAYS
    )
    boto3.client("sqs").send_message(
        QueueUrl=notify_env["NOTIFY_QUEUE_URL"], **survey().to_message()
    )

    assert poll_until_empty(notify_env["NOTIFY_QUEUE_URL"], fake_clock) == NOTIFY_MAX_RECEIVES
    assert emails_sent() == 1
    assert len(parked(dead_letters)) == 1
