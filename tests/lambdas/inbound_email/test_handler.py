"""inbound-email: SES receipt events -> archived message -> profile -> Connect email contact.

S3 and DynamoDB are moto; Connect's data plane is not in moto, so `StartEmailContact` goes
through botocore's Stubber, which validates each request against Connect's service model.
"""

from __future__ import annotations

import json
from email.message import EmailMessage
from pathlib import Path
from typing import Any

import boto3
import pytest
from botocore.exceptions import ClientError

from lambdas.common.identity import IdentifierKind
from lambdas.common.profiles import CustomerProfile, Identifier, ProfileRepository
from lambdas.common.settings import SettingsError
from local_connect.runtime.lambda_runtime import LocalLambdaContext
from tests.lambdas.inbound_email.conftest import (
    BILLING,
    BUCKET,
    DOMAIN,
    HELP,
    INSTANCE_ID,
    PREFIX,
    ConnectStub,
)


def invoke(event: dict[str, Any]) -> dict[str, str]:
    from lambdas.inbound_email import handler

    return handler.handler(event, LocalLambdaContext("inbound-email"))


def ses_event(
    message_id: str,
    *,
    sender: str = "Jane Doe <Jane.Doe@Example.com>",
    recipients: tuple[str, ...] = (BILLING,),
    spam: str = "PASS",
    headers: tuple[tuple[str, str], ...] = (),
) -> dict[str, Any]:
    """A receipt event as SES sends it to a Lambda action after the S3 action."""
    return {
        "Records": [
            {
                "eventSource": "aws:ses",
                "eventVersion": "1.0",
                "ses": {
                    "mail": {
                        "timestamp": "2026-12-01T16:00:00.000Z",
                        "source": "bounces@mailer.example.com",
                        "messageId": message_id,
                        "destination": list(recipients),
                        "headersTruncated": False,
                        "headers": [{"name": n, "value": v} for n, v in headers],
                        "commonHeaders": {
                            "from": [sender],
                            "to": list(recipients),
                            "subject": "Question about my bill",
                            "messageId": f"<{message_id}@mailer.example.com>",
                        },
                    },
                    "receipt": {
                        "recipients": list(recipients),
                        "spamVerdict": {"status": spam},
                        "virusVerdict": {"status": "PASS"},
                        "spfVerdict": {"status": "PASS"},
                        "dkimVerdict": {"status": "PASS"},
                        "dmarcVerdict": {"status": "PASS"},
                        "action": {
                            "type": "Lambda",
                            "invocationType": "Event",
                            "functionArn": "arn:aws:lambda:us-east-1:123456789012:function:x",
                        },
                    },
                },
            }
        ]
    }


def archive(message_id: str, message: EmailMessage) -> None:
    boto3.client("s3").put_object(Bucket=BUCKET, Key=f"{PREFIX}{message_id}", Body=bytes(message))


def mime_message() -> EmailMessage:
    message = EmailMessage()
    message["From"] = "Jane Doe <jane.doe@example.com>"
    message["To"] = BILLING
    message["Subject"] = "Question about my bill"
    message["Message-ID"] = "<m-1@mailer.example.com>"
    message["In-Reply-To"] = "<earlier@riverside-utilities.example>"
    message.set_content("My November bill is twice the usual amount.\nAccount 4411.")
    message.add_alternative(
        "<p>My November bill is <b>twice</b> the usual amount.</p>", subtype="html"
    )
    message.add_attachment(b"%PDF-1.4", maintype="application", subtype="pdf", filename="bill.pdf")
    return message


def test_every_real_world_ses_event_becomes_a_contact_without_raising(
    connect: ConnectStub, tables: Any, realworld_dir: Path
) -> None:
    samples = sorted((realworld_dir / "ses_inbound").glob("*.json"))
    assert len(samples) >= 5
    for index, _ in enumerate(samples):
        connect.expect_contact(f"contact-{index}")

    for sample in samples:
        assert invoke(json.loads(sample.read_text())) == {"disposition": "CONTINUE"}

    # None of them was addressed to us: all went to the default (first) address, each from its
    # sender, with the archived-body fallback since the samples' messages are not in our bucket.
    assert len(connect.requests) == len(samples)
    for sample, request in zip(samples, connect.requests, strict=True):
        event = json.loads(sample.read_text())
        assert request["DestinationEmailAddress"] == HELP, sample.name
        assert request["InstanceId"] == INSTANCE_ID
        assert request["ClientToken"] == event["Records"][0]["ses"]["mail"]["messageId"]
        assert request["Attributes"]["intent"] == "other"
        assert "could not be read" in request["EmailMessage"]["RawMessage"]["Body"]
    profiles = ProfileRepository(tables.customers)
    jane = profiles.find(Identifier(kind=IdentifierKind.EMAIL, value="janedoe@example.com"))
    assert jane is not None and (jane.first_name, jane.last_name) == ("Jane", "Doe")
    connect.stubber.assert_no_pending_responses()


def test_known_customer_gets_the_archived_body_and_their_attributes(
    connect: ConnectStub, tables: Any
) -> None:
    ProfileRepository(tables.customers).save(
        CustomerProfile(
            customer_id="c-jane",
            first_name="Jane",
            tier="vip",
            language="es",
            open_issue="High bill dispute",
            identifiers=[Identifier(kind=IdentifierKind.EMAIL, value="jane.doe@example.com")],
        )
    )
    archive("m-1", mime_message())
    connect.expect_contact()

    invoke(ses_event("m-1"))

    (request,) = connect.requests
    assert request["FromEmailAddress"] == {
        "EmailAddress": "jane.doe@example.com",
        "DisplayName": "Jane Doe",
    }
    assert request["DestinationEmailAddress"] == BILLING
    raw = request["EmailMessage"]["RawMessage"]
    assert raw["Subject"] == "Question about my bill"
    assert raw["ContentType"] == "text/plain"
    assert raw["Body"].startswith("My November bill is twice the usual amount.")
    assert raw["Headers"]["IN_REPLY_TO"] == "<earlier@riverside-utilities.example>"
    assert raw["Headers"]["X_SES_SPAM_VERDICT"] == "PASS"
    assert "bill.pdf" in request["Description"]
    assert f"s3://{BUCKET}/{PREFIX}m-1" in request["Description"]
    assert request["Attributes"] == {
        "customerId": "c-jane",
        "customerFound": "true",
        "tier": "vip",
        "language": "es",
        "firstName": "Jane",
        "openIssue": "High bill dispute",
        "emailAddress": BILLING,
        "intent": "billing",
    }


def test_unknown_sender_gets_a_new_profile_linked_to_the_contact(
    connect: ConnectStub, tables: Any
) -> None:
    connect.expect_contact()
    invoke(ses_event("m-2", sender="Omar Haddad <OMAR@example.net>"))
    profile = ProfileRepository(tables.customers).find(
        Identifier(kind=IdentifierKind.EMAIL, value="omar@example.net")
    )
    assert profile is not None and profile.first_name == "Omar"
    (request,) = connect.requests
    assert request["Attributes"]["customerId"] == profile.customer_id
    assert request["Attributes"]["customerFound"] == "false"


@pytest.mark.parametrize(
    ("event", "why"),
    [
        (ses_event("m-3", spam="FAIL"), "spam"),
        (ses_event("m-4", headers=(("Auto-Submitted", "auto-replied"),)), "out-of-office reply"),
        (ses_event("m-5", sender=f"no-reply@{DOMAIN}"), "our own mail coming back"),
        (ses_event("m-6", sender="undisclosed-recipients:;"), "no usable sender"),
    ],
)
def test_unwanted_mail_opens_no_contact(
    connect: ConnectStub, tables: Any, event: dict[str, Any], why: str
) -> None:
    assert invoke(event) == {"disposition": "CONTINUE"}, why
    assert connect.requests == [], why


def test_events_that_are_not_ses_receipts_are_ignored(
    connect: ConnectStub, realworld_dir: Path
) -> None:
    for sample in [
        realworld_dir / "sns" / "powertools_snsEvent.json",
        realworld_dir / "whatsapp_inbound" / "eum-whatsapp__sns_message.json",
    ]:
        assert invoke(json.loads(sample.read_text())) == {"disposition": "CONTINUE"}
    assert invoke({"Records": [{"ses": {"mail": {}}}]}) == {"disposition": "CONTINUE"}
    assert connect.requests == []


def test_connect_throttling_is_raised_so_lambda_retries_with_the_same_token(
    connect: ConnectStub,
) -> None:
    connect.stubber.add_client_error(
        "start_email_contact", service_error_code="ThrottlingException", http_status_code=429
    )
    connect.expect_contact()
    event = ses_event("m-7")

    with pytest.raises(ClientError):
        invoke(event)
    invoke(event)

    tokens = [request["ClientToken"] for request in connect.requests]
    assert tokens == ["m-7", "m-7"]


def test_settings_are_read_once_per_container(
    connect: ConnectStub, monkeypatch: pytest.MonkeyPatch
) -> None:
    from lambdas.inbound_email import handler

    # Given a container that has built its runtime
    first = handler.runtime()

    # When the environment changes under it (as it never does in Lambda)
    monkeypatch.setenv("INBOUND_ADDRESSES", json.dumps([{"address": HELP, "intent": "other"}]))
    connect.expect_contact()
    invoke(ses_event("m-1", recipients=(BILLING,)))

    # Then the container keeps the addresses it read
    assert handler.runtime() is first
    assert connect.requests[0]["DestinationEmailAddress"] == BILLING


@pytest.mark.parametrize(
    ("name", "value", "problem"),
    [
        ("INBOUND_ADDRESSES", None, "missing"),
        ("INBOUND_ADDRESSES", "[]", "too_short"),
        ("INBOUND_ADDRESSES", f"{HELP},{BILLING}", "json_invalid"),
        ("EMAIL_DOMAIN", None, "missing"),
    ],
)
def test_invalid_settings_raise_so_ses_retries_and_the_failure_queue_keeps_the_message(
    connect: ConnectStub,
    monkeypatch: pytest.MonkeyPatch,
    name: str,
    value: str | None,
    problem: str,
) -> None:
    from lambdas.inbound_email import handler

    # Given a container whose environment lacks or garbles a variable
    if value is None:
        monkeypatch.delenv(name)
    else:
        monkeypatch.setenv(name, value)
    handler.runtime.cache_clear()

    # When a message arrives, Then it raises by the variable's name, and opens no contact
    with pytest.raises(SettingsError, match=rf"{name} \({problem}\)") as raised:
        invoke(ses_event("m-1"))
    assert connect.requests == []
    if value:
        assert value not in str(raised.value)
