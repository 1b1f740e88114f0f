"""notify end to end: SQS records in, texts and emails out, under moto and a validated SMS stub."""

from __future__ import annotations

import dataclasses
from datetime import UTC, datetime
from typing import Any

import boto3
import pytest
from moto.core import DEFAULT_ACCOUNT_ID
from moto.ses.models import ses_backends

from lambdas.common.identity import IdentifierKind
from lambdas.common.notifications import (
    AppointmentReminder,
    CallbackConfirmation,
    Notification,
    NotificationChannel,
    SurveyInvitation,
)
from lambdas.common.profiles import CustomerProfile, Identifier, ProfileRepository
from lambdas.common.settings import SettingsError
from lambdas.common.suppression import Suppression, SuppressionReason, SuppressionRepository
from local_connect.runtime.lambda_runtime import LocalLambdaContext
from tests.lambdas.notify.conftest import FROM_ADDRESS, Sms, sqs_event

JANE_PHONE = "+13125550143"
JANE_EMAIL = "jane.doe@example.com"
# 10:00 in Chicago on Tuesday 1 December 2026; the appointment is the next morning.
DAYTIME = datetime(2026, 12, 1, 16, 0, tzinfo=UTC)
NIGHT = datetime(2026, 12, 2, 5, 0, tzinfo=UTC)  # 23:00 in Chicago, 21:00 in Los Angeles
APPOINTMENT = datetime(2026, 12, 2, 15, 30, tzinfo=UTC)  # 09:30 in Chicago


@pytest.fixture()
def jane(tables: Any) -> CustomerProfile:
    profile = CustomerProfile(
        customer_id="c-jane",
        first_name="Jane",
        language="es",
        identifiers=[
            Identifier(kind=IdentifierKind.PHONE, value=JANE_PHONE),
            Identifier(kind=IdentifierKind.EMAIL, value=JANE_EMAIL),
        ],
    )
    ProfileRepository(tables.customers).save(profile)
    return profile


def reminder(notification_id: str = "reminder#apt-1#20261202T0930", **fields: Any) -> Notification:
    return Notification(
        notification_id=notification_id,
        channel=NotificationChannel.SMS,
        customer_id="c-jane",
        not_after=APPOINTMENT,
        content=AppointmentReminder(
            appointment_id="apt-1", starts_at=APPOINTMENT, location="Riverside Service Center"
        ),
        **fields,
    )


def run(event: dict[str, Any], now: datetime) -> dict[str, Any]:
    from lambdas.notify import handler

    handler.runtime().clock = lambda: now
    return dict(handler.handler(event, LocalLambdaContext("notify", timeout_seconds=30)))


def test_reminder_is_texted_in_the_customers_language_and_time_zone(
    notify_env: dict[str, str], sms: Sms, jane: CustomerProfile
) -> None:
    sms.expect_check(JANE_PHONE)
    sms.expect_send("msg-jane")

    result = run(sqs_event(notify_env["NOTIFY_QUEUE_URL"], [reminder()]), DAYTIME)

    assert result == {"batchItemFailures": []}
    (sent,) = sms.sent()
    assert sent["DestinationPhoneNumber"] == JANE_PHONE
    assert sent["MessageBody"] == (
        "Riverside Public Utilities: le recordamos su cita el miércoles 2 de diciembre a las "
        "9:30 en Riverside Service Center. Responda a este mensaje para hablar con nosotros. "
        "Responda STOP para cancelar."
    )
    assert sent["Context"]["notification_id"] == "reminder#apt-1#20261202T0930"
    # Carriers stop retrying once the appointment has started.
    assert sent["TimeToLive"] == int((APPOINTMENT - DAYTIME).total_seconds())
    sms.stubber.assert_no_pending_responses()


def test_opted_out_number_is_never_texted(
    notify_env: dict[str, str], sms: Sms, jane: CustomerProfile
) -> None:
    sms.opted_out.add(JANE_PHONE)
    sms.expect_check(JANE_PHONE)

    result = run(sqs_event(notify_env["NOTIFY_QUEUE_URL"], [reminder()]), DAYTIME)

    assert result == {"batchItemFailures": []}
    assert sms.sent() == []
    assert [name for name, _ in sms.requests] == ["DescribeOptedOutNumbers"]


def test_number_opting_out_between_check_and_send_is_not_an_error(
    notify_env: dict[str, str], sms: Sms, jane: CustomerProfile
) -> None:
    sms.expect_check(JANE_PHONE)
    sms.stubber.add_client_error(
        "send_text_message",
        service_error_code="ConflictException",
        http_status_code=409,
        modeled_fields={
            "Reason": "DESTINATION_PHONE_NUMBER_OPTED_OUT",
            "ResourceType": "opted-out-number",
            "ResourceId": JANE_PHONE,
        },
    )

    result = run(sqs_event(notify_env["NOTIFY_QUEUE_URL"], [reminder()]), DAYTIME)

    assert result == {"batchItemFailures": []}


def test_a_retried_event_never_sends_twice(
    notify_env: dict[str, str], sms: Sms, jane: CustomerProfile
) -> None:
    queue = notify_env["NOTIFY_QUEUE_URL"]
    sms.expect_check(JANE_PHONE)
    sms.expect_send()
    event = sqs_event(queue, [reminder()])

    first = run(event, DAYTIME)
    # SQS redelivers the same record, and the producer retries with a new message.
    again = run(event, DAYTIME)
    producer_retry = run(sqs_event(queue, [reminder()]), DAYTIME)

    assert first == again == producer_retry == {"batchItemFailures": []}
    assert len(sms.sent()) == 1
    sms.stubber.assert_no_pending_responses()


def test_quiet_hours_defer_the_text_until_the_window_opens(
    notify_env: dict[str, str], sms: Sms, jane: CustomerProfile
) -> None:
    queue = notify_env["NOTIFY_QUEUE_URL"]
    event = sqs_event(queue, [reminder()])

    result = run(event, NIGHT)

    # Kept on the queue (a batch item failure), invisible until 08:00 in Chicago: 9 hours.
    assert result == {"batchItemFailures": [{"itemIdentifier": event["Records"][0]["messageId"]}]}
    assert sms.requests == []
    sqs = boto3.client("sqs")
    assert "Messages" not in sqs.receive_message(QueueUrl=queue)
    attributes = sqs.get_queue_attributes(QueueUrl=queue, AttributeNames=["All"])["Attributes"]
    assert attributes["ApproximateNumberOfMessagesNotVisible"] == "1"

    # 08:00 comes: the same message is delivered again and goes out.
    sqs.change_message_visibility(
        QueueUrl=queue, ReceiptHandle=event["Records"][0]["receiptHandle"], VisibilityTimeout=0
    )
    sms.expect_check(JANE_PHONE)
    sms.expect_send()
    morning = datetime(2026, 12, 2, 14, 0, tzinfo=UTC)
    redelivered = sqs_event(queue, [])
    assert run(redelivered, morning) == {"batchItemFailures": []}
    assert len(sms.sent()) == 1


def test_deferral_asks_sqs_for_the_delay_to_the_window(
    notify_env: dict[str, str], sms: Sms, jane: CustomerProfile
) -> None:
    from lambdas.notify import handler

    calls: list[dict[str, Any]] = []
    client = handler.runtime().queue.client
    client.meta.events.register(
        "provide-client-params.sqs.ChangeMessageVisibility",
        lambda params, **_: calls.append(params),
    )
    run(sqs_event(notify_env["NOTIFY_QUEUE_URL"], [reminder()]), NIGHT)
    assert [call["VisibilityTimeout"] for call in calls] == [9 * 3600]


def test_quiet_hours_follow_the_customers_own_time_zone(
    notify_env: dict[str, str], sms: Sms, jane: CustomerProfile
) -> None:
    # 23:00 in Chicago is 21:00 in Los Angeles: closed; 20:30 there is still open.
    sms.expect_check(JANE_PHONE)
    sms.expect_send()
    evening = datetime(2026, 12, 2, 4, 30, tzinfo=UTC)
    notification = reminder(time_zone="America/Los_Angeles")

    result = run(sqs_event(notify_env["NOTIFY_QUEUE_URL"], [notification]), evening)

    assert result == {"batchItemFailures": []}
    assert len(sms.sent()) == 1


def test_reminder_that_would_arrive_after_the_appointment_is_dropped(
    notify_env: dict[str, str], sms: Sms, jane: CustomerProfile
) -> None:
    late = reminder(notification_id="reminder#apt-1#late")
    after = datetime(2026, 12, 2, 16, 0, tzinfo=UTC)

    result = run(sqs_event(notify_env["NOTIFY_QUEUE_URL"], [late]), after)

    assert result == {"batchItemFailures": []}
    assert sms.requests == []


def test_reminders_switched_off_still_confirm_callbacks(
    notify_env: dict[str, str], sms: Sms, jane: CustomerProfile
) -> None:
    from lambdas.notify import handler

    service = handler.runtime().service
    service.settings = dataclasses.replace(service.settings, sms_reminders=False)
    sms.expect_check(JANE_PHONE)
    sms.expect_send()
    callback = Notification(
        notification_id="callback#contact-9",
        channel=NotificationChannel.SMS,
        customer_id="c-jane",
        language="en",
        content=CallbackConfirmation(contact_id="contact-9"),
    )

    result = run(sqs_event(notify_env["NOTIFY_QUEUE_URL"], [reminder(), callback]), DAYTIME)

    assert result == {"batchItemFailures": []}
    (sent,) = sms.sent()
    assert sent["MessageBody"].startswith(
        "Riverside Public Utilities: we got your callback request. An agent will call you shortly."
    )


def test_survey_invitation_is_emailed_through_ses(
    notify_env: dict[str, str], jane: CustomerProfile
) -> None:
    survey = Notification(
        notification_id="survey#contact-7",
        channel=NotificationChannel.EMAIL,
        customer_id="c-jane",
        language="en",
        content=SurveyInvitation(contact_id="contact-7"),
    )

    result = run(sqs_event(notify_env["NOTIFY_QUEUE_URL"], [survey]), NIGHT)

    assert result == {"batchItemFailures": []}  # quiet hours are for texts only
    (message,) = ses_backends[DEFAULT_ACCOUNT_ID]["us-east-1"].sent_messages
    assert message.source == FROM_ADDRESS
    assert message.destinations == {"ToAddresses": [JANE_EMAIL]}
    assert message.subject == "Riverside Public Utilities: How did we do?"
    assert "https://survey.riverside-utilities.example/s?contact=contact-7" in message.body


def test_suppressed_address_gets_no_email(
    notify_env: dict[str, str], tables: Any, jane: CustomerProfile
) -> None:
    SuppressionRepository(tables.customers).suppress(
        Suppression(
            identifier=Identifier(kind=IdentifierKind.EMAIL, value=JANE_EMAIL),
            reason=SuppressionReason.BOUNCE,
            at=DAYTIME,
        )
    )
    survey = Notification(
        notification_id="survey#contact-8",
        channel=NotificationChannel.EMAIL,
        customer_id="c-jane",
        content=SurveyInvitation(contact_id="contact-8"),
    )

    result = run(sqs_event(notify_env["NOTIFY_QUEUE_URL"], [survey]), DAYTIME)

    assert result == {"batchItemFailures": []}
    assert ses_backends[DEFAULT_ACCOUNT_ID]["us-east-1"].sent_messages == []


def test_malformed_message_fails_alone_and_the_rest_of_the_batch_goes_out(
    notify_env: dict[str, str], sms: Sms, jane: CustomerProfile
) -> None:
    sms.expect_check(JANE_PHONE)
    sms.expect_send()
    event = sqs_event(notify_env["NOTIFY_QUEUE_URL"], ['{"channel": "pigeon"}', reminder()])
    bad = next(r["messageId"] for r in event["Records"] if "pigeon" in r["body"])

    result = run(event, DAYTIME)

    assert result == {"batchItemFailures": [{"itemIdentifier": bad}]}
    assert len(sms.sent()) == 1


def test_settings_are_read_once_per_container(
    notify_env: dict[str, str], monkeypatch: pytest.MonkeyPatch
) -> None:
    from lambdas.notify import handler

    # Given a container that has built its runtime
    first = handler.runtime()

    # When the environment changes under it (as it never does in Lambda)
    monkeypatch.setenv("ORGANISATION", "Someone Else")

    # Then the container keeps what it read
    assert handler.runtime() is first
    assert first.service.settings.organisation == "Riverside Public Utilities"


@pytest.mark.parametrize(
    ("name", "value", "problem"),
    [
        ("IDEMPOTENCY_TABLE", None, "missing"),
        ("CUSTOMERS_TABLE", "", "string_too_short"),
        ("SMS_REMINDERS", "sometimes", "bool_parsing"),
    ],
)
def test_invalid_settings_raise_so_sqs_redelivers_the_whole_batch(
    notify_env: dict[str, str],
    monkeypatch: pytest.MonkeyPatch,
    name: str,
    value: str | None,
    problem: str,
) -> None:
    from lambdas.notify import handler

    # Given a container whose environment lacks or garbles a variable
    if value is None:
        monkeypatch.delenv(name)
    else:
        monkeypatch.setenv(name, value)
    handler.runtime.cache_clear()
    event = sqs_event(notify_env["NOTIFY_QUEUE_URL"], [reminder()])

    # When a batch arrives, Then the invocation raises by the variable's name, so no record of
    # the batch is deleted: SQS redelivers them until the dead-letter queue takes them
    with pytest.raises(SettingsError, match=rf"{name} \({problem}\)"):
        handler.handler(event, LocalLambdaContext("notify", timeout_seconds=30))
