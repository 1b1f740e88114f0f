"""delivery-events: bounces and complaints suppress addresses; SMS events become metrics.

The bounce path runs through moto end to end: notify's SES v2 send to SES's bounce simulator
makes moto publish the bounce to SNS, SNS delivers it to an SQS subscription, and the envelope
read there is handed to the function as Lambda's SNS event.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import boto3
import pytest

from lambdas.common.identity import IdentifierKind
from lambdas.common.profiles import Identifier
from lambdas.common.settings import SettingsError
from lambdas.common.suppression import SuppressionReason, SuppressionRepository
from local_connect.runtime.lambda_runtime import LocalLambdaContext

DOMAIN = "support.riverside-utilities.example"
TOPIC = "arn:aws:sns:us-east-1:123456789012:messaging-events"


@pytest.fixture()
def env(tables: Any, monkeypatch: pytest.MonkeyPatch) -> Any:
    monkeypatch.setenv("CUSTOMERS_TABLE", "customers")
    from lambdas.delivery_events import handler

    handler.suppressions.cache_clear()
    yield SuppressionRepository(tables.customers)
    handler.suppressions.cache_clear()


def invoke(event: dict[str, Any]) -> None:
    from lambdas.delivery_events import handler

    handler.handler(event, LocalLambdaContext("delivery-events"))


def sns_event(*messages: str | dict[str, Any]) -> dict[str, Any]:
    """Lambda's SNS event around message bodies (SNS always delivers the body as a string)."""
    return {
        "Records": [
            {
                "EventVersion": "1.0",
                "EventSubscriptionArn": f"{TOPIC}:2bcfbf39-05c3-41de-beaa-fcfcc21c8f55",
                "EventSource": "aws:sns",
                "Sns": {
                    "SignatureVersion": "1",
                    "Timestamp": "2026-12-01T16:00:00.000Z",
                    "Signature": "EXAMPLE",
                    "SigningCertUrl": "https://sns.us-east-1.amazonaws.com/cert.pem",
                    "MessageId": f"msg-{index}",
                    "Message": body if isinstance(body, str) else json.dumps(body),
                    "MessageAttributes": {},
                    "Type": "Notification",
                    "UnsubscribeUrl": "https://sns.us-east-1.amazonaws.com/?Action=Unsubscribe",
                    "TopicArn": TOPIC,
                    "Subject": None,
                },
            }
            for index, body in enumerate(messages)
        ]
    }


def email(address: str) -> Identifier:
    return Identifier(kind=IdentifierKind.EMAIL, value=address)


def test_a_hard_bounce_from_ses_suppresses_the_address(env: SuppressionRepository) -> None:
    sns, sqs = boto3.client("sns"), boto3.client("sqs")
    topic = sns.create_topic(Name="messaging-events")["TopicArn"]
    queue = sqs.create_queue(QueueName="events-probe")["QueueUrl"]
    queue_arn = sqs.get_queue_attributes(QueueUrl=queue, AttributeNames=["QueueArn"])["Attributes"][
        "QueueArn"
    ]
    sns.subscribe(TopicArn=topic, Protocol="sqs", Endpoint=queue_arn)
    boto3.client("sesv2").create_email_identity(EmailIdentity=DOMAIN)
    boto3.client("ses").set_identity_notification_topic(
        Identity=DOMAIN, NotificationType="Bounce", SnsTopic=topic
    )
    boto3.client("sesv2").send_email(
        FromEmailAddress=f"no-reply@{DOMAIN}",
        Destination={"ToAddresses": ["bounce@simulator.amazonses.com"]},
        Content={"Simple": {"Subject": {"Data": "s"}, "Body": {"Text": {"Data": "b"}}}},
    )
    (delivered,) = sqs.receive_message(QueueUrl=queue)["Messages"]
    # moto puts the notification in the envelope as an object; SNS sends it as a string.
    notification = json.loads(delivered["Body"])["Message"]

    invoke(sns_event(notification))

    # moto's simulated bounce: recipient1 failed permanently, recipient2 was only delayed.
    bounced = env.find(email("recipient1@example.com"))
    assert bounced is not None and bounced.reason is SuppressionReason.BOUNCE
    assert bounced.feedback_id == "000001378603176d-5a4b5ad9-6f30-4198-a8c3-b1eb0c270a1d-000000"
    assert env.find(email("recipient2@example.com")) is None


def _event_publishing(event_type: str, **detail: Any) -> dict[str, Any]:
    """A configuration-set event (`eventType`), as SES publishes it to SNS."""
    return {
        "eventType": event_type,
        "mail": {
            "timestamp": "2026-12-01T16:00:00.000Z",
            "source": f"no-reply@{DOMAIN}",
            "messageId": "0100018c-abc",
            "destination": ["jane.doe@example.com"],
            "tags": {"kind": ["survey_invitation"]},
        },
        **detail,
    }


def test_complaints_suppress_but_transient_bounces_and_not_spam_reports_do_not(
    env: SuppressionRepository,
) -> None:
    invoke(
        sns_event(
            _event_publishing(
                "Complaint",
                complaint={
                    "complainedRecipients": [{"emailAddress": "Jane.Doe@Example.com"}],
                    "complaintFeedbackType": "abuse",
                    "feedbackId": "fb-1",
                    "timestamp": "2026-12-01T16:05:00.000Z",
                },
            ),
            _event_publishing(
                "Bounce",
                bounce={
                    "bounceType": "Transient",
                    "bounceSubType": "MailboxFull",
                    "bouncedRecipients": [{"emailAddress": "full@example.com"}],
                },
            ),
            _event_publishing(
                "Complaint",
                complaint={
                    "complainedRecipients": [{"emailAddress": "oops@example.com"}],
                    "complaintFeedbackType": "not-spam",
                },
            ),
            _event_publishing("Delivery", delivery={"recipients": ["ok@example.com"]}),
        )
    )
    complained = env.find(email("jane.doe@example.com"))
    assert complained is not None and complained.reason is SuppressionReason.COMPLAINT
    for address in ("full@example.com", "oops@example.com", "ok@example.com"):
        assert env.find(email(address)) is None, address


SMS_DELIVERED = {
    "eventType": "TEXT_DELIVERED",
    "eventVersion": "1.0",
    "eventTimestamp": 1764604800000,
    "isFinal": True,
    "originationPhoneNumber": "+18445550100",
    "destinationPhoneNumber": "+13125550143",
    "isInternationalSend": False,
    "mcc": "310",
    "mnc": "800",
    "messageId": "862a8790-60c0-4430-9b2b-658bdexample",
    "messageRequestTimestamp": 1764604799000,
    "messageEncoding": "GSM",
    "messageType": "TRANSACTIONAL",
    "messageStatus": "DELIVERED",
    "messageStatusDescription": "Message has been accepted by phone",
    "context": {"notification_id": "reminder#apt-1#20261202T0930"},
    "totalMessageParts": 2,
    "totalMessagePrice": 0.01662,
    "totalCarrierFee": 0.00632,
}


def _metrics(output: str) -> dict[str, float]:
    """Each EMF metric Powertools printed, its values summed (EMF lists repeated values)."""
    values: dict[str, float] = {}
    for line in output.splitlines():
        if line.startswith("{") and "_aws" in line:
            document = json.loads(line)
            for directive in document["_aws"]["CloudWatchMetrics"]:
                for metric in directive["Metrics"]:
                    value = document[metric["Name"]]
                    total = sum(value) if isinstance(value, list) else value
                    values[metric["Name"]] = values.get(metric["Name"], 0) + total
    return values


def test_sms_events_report_spend_once_and_failures_without_the_number(
    env: SuppressionRepository,
    capsys: pytest.CaptureFixture[str],
    caplog: pytest.LogCaptureFixture,
) -> None:
    pending = {**SMS_DELIVERED, "eventType": "TEXT_PENDING", "isFinal": False}
    blocked = {
        **SMS_DELIVERED,
        "eventType": "TEXT_CARRIER_BLOCKED",
        "totalMessagePrice": 0.0,
        "totalCarrierFee": 0.0,
    }

    invoke(sns_event(pending, SMS_DELIVERED, blocked))

    output = capsys.readouterr().out
    metrics = _metrics(output)
    assert metrics["SmsSpendUsd"] == pytest.approx(0.01662 + 0.00632)
    assert metrics["TEXT_DELIVERED"] == 1
    assert metrics["TEXT_CARRIER_BLOCKED"] == 1
    (warning,) = [r for r in caplog.records if r.getMessage() == "text not delivered"]
    assert warning.__dict__["destination"] == "+1*******143"
    for record in caplog.records:
        assert "+13125550143" not in json.dumps(record.__dict__, default=str)


def test_foreign_messages_on_the_topic_are_ignored(
    env: SuppressionRepository, realworld_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    powertools_sample = json.loads((realworld_dir / "sns" / "powertools_snsEvent.json").read_text())
    whatsapp = (realworld_dir / "whatsapp_inbound" / "eum-whatsapp__sns_message.json").read_text()

    invoke(powertools_sample)
    invoke(sns_event(whatsapp, "not json", "[1, 2]", {"mail": {}, "eventType": "Bounce"}))
    invoke({"not": "an sns event"})

    assert _metrics(capsys.readouterr().out)["DeliveryEventsIgnored"] >= 1
    assert env.table.scan()["Items"] == []


def _complaint(address: str) -> dict[str, Any]:
    return _event_publishing(
        "Complaint",
        complaint={
            "complainedRecipients": [{"emailAddress": address}],
            "complaintFeedbackType": "abuse",
        },
    )


def test_the_customers_table_is_read_once_per_container(
    env: SuppressionRepository, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Given a container that has suppressed an address
    invoke(sns_event(_complaint("first@example.com")))

    # When the environment changes under it (as it never does in Lambda)
    monkeypatch.setenv("CUSTOMERS_TABLE", "no-such-table")
    invoke(sns_event(_complaint("second@example.com")))

    # Then the container keeps writing to the table it read at its first suppression
    for address in ("first@example.com", "second@example.com"):
        assert env.find(email(address)) is not None, address


def test_without_a_customers_table_suppressions_raise_and_sms_events_still_count(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    from lambdas.delivery_events import handler

    # Given a container without CUSTOMERS_TABLE
    monkeypatch.delenv("CUSTOMERS_TABLE", raising=False)
    handler.suppressions.cache_clear()
    try:
        # When a complaint arrives, Then it raises by the variable's name (SNS retries it)
        with pytest.raises(SettingsError, match=r"CUSTOMERS_TABLE \(missing\)"):
            invoke(sns_event(_complaint("jane.doe@example.com")))
        # and SMS events, which need no setting, are still counted
        invoke(sns_event(SMS_DELIVERED))
        assert _metrics(capsys.readouterr().out)["TEXT_DELIVERED"] == 1
    finally:
        handler.suppressions.cache_clear()
