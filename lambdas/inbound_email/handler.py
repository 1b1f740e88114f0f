"""inbound-email: an SES receipt rule stored the message in S3 and invokes us; we open the contact.

SES -> S3 (KMS) -> this function -> customer profile by sender address (found or created) ->
`connect:StartEmailContact` on the Connect address the customer wrote to, with the profile's
attributes, into the email flow.

A malformed or unwanted message (spam, virus, automatic reply, our own domain) is logged and
dropped, never raised. AWS errors (throttling, Connect or DynamoDB faults) are raised: SES
invokes asynchronously, so Lambda retries twice and then hands the event to the failure queue
for replay; the client token keeps a retry from opening a second contact.
"""

from __future__ import annotations

from functools import cache
from typing import Any

import boto3
from aws_lambda_powertools import Logger, Metrics
from aws_lambda_powertools.metrics import MetricUnit
from aws_lambda_powertools.utilities.typing import LambdaContext
from botocore.exceptions import ClientError
from pydantic import Field, Json, ValidationError

from lambdas.common import tracing
from lambdas.common.aws import BACKGROUND_CALL_CONFIG
from lambdas.common.identity import IdentifierKind
from lambdas.common.masking import mask_email
from lambdas.common.profiles import Identifier, ProfileRepository
from lambdas.common.settings import ContactHistorySettings
from lambdas.inbound_email.logic import (
    InboundAddress,
    ParsedMessage,
    contact_attributes,
    destination_for,
    fallback_message,
    parse_message,
    reason_to_drop,
    sender_of,
    start_email_contact_request,
)
from lambdas.inbound_email.models import SesEvent, SesMessage

logger = Logger()
metrics = Metrics()


class Environment(ContactHistorySettings):
    """Validated once per container; while it is invalid every message raises, so SES's
    asynchronous invoke retries it and the failure queue keeps it for replay."""

    instance_id: str = Field(alias="CONNECT_INSTANCE_ID")
    bucket: str = Field(alias="INBOUND_BUCKET")
    prefix: str = Field(default="", alias="INBOUND_PREFIX")
    domain: str = Field(alias="EMAIL_DOMAIN")
    addresses: Json[list[InboundAddress]] = Field(alias="INBOUND_ADDRESSES", min_length=1)


class Runtime:
    def __init__(self, env: Environment) -> None:
        self.env = env
        table = boto3.resource("dynamodb", config=BACKGROUND_CALL_CONFIG).Table(env.customers_table)
        self.profiles = ProfileRepository(table, history_ttl_days=env.contact_history_days)
        self.s3 = boto3.client("s3", config=BACKGROUND_CALL_CONFIG)
        self.connect = boto3.client("connect", config=BACKGROUND_CALL_CONFIG)

    def read_archived(self, message: SesMessage) -> tuple[str, ParsedMessage]:
        """The stored original, parsed; the headers alone when it cannot be read."""
        action = message.receipt.action
        bucket, key = self.env.bucket, f"{self.env.prefix}{message.mail.message_id}"
        if action.type == "S3" and action.bucket_name == self.env.bucket and action.object_key:
            key = action.object_key
        uri = f"s3://{bucket}/{key}"
        try:
            raw = self.s3.get_object(Bucket=bucket, Key=key)["Body"].read()
        except ClientError as error:
            if error.response["Error"]["Code"] not in ("NoSuchKey", "404", "AccessDenied"):
                raise
            logger.warning("archived message missing", extra={"key": key})
            metrics.add_metric(name="InboundEmailBodyMissing", unit=MetricUnit.Count, value=1)
            return uri, fallback_message(message, uri)
        return uri, parse_message(raw)


@cache
def runtime() -> Runtime:
    return Runtime(Environment.from_environ())


def process(message: SesMessage) -> str:
    """Opens one email contact; returns the outcome for metrics and tests."""
    env = runtime().env
    sender = sender_of(message)
    dropped = reason_to_drop(message, sender, env.domain)
    if dropped is not None or sender is None:
        logger.info("inbound email dropped", extra={"reason": dropped})
        return f"dropped_{dropped}"
    logger.append_keys(sender=mask_email(sender.address), ses_message_id=message.mail.message_id)
    identifier = Identifier(kind=IdentifierKind.EMAIL, value=sender.address)
    profile, created = runtime().profiles.find_or_create(identifier, **sender.names())
    destination = destination_for(
        message.receipt.recipients or message.mail.destination, env.addresses
    )
    archive_uri, parsed = runtime().read_archived(message)
    request = start_email_contact_request(
        instance_id=env.instance_id,
        ses_message=message,
        sender=sender,
        destination=destination,
        parsed=parsed,
        attributes=contact_attributes(profile, created=created, destination=destination),
        archive_uri=archive_uri,
    )
    contact_id = runtime().connect.start_email_contact(**request)["ContactId"]
    logger.info(
        "email contact started",
        extra={"contact_id": contact_id, "new_customer": created, "to": destination.address},
    )
    return "contact_started"


@logger.inject_lambda_context(clear_state=True)
@tracing.capture_lambda_handler
@metrics.log_metrics
def handler(event: dict[str, Any], context: LambdaContext) -> dict[str, str]:
    try:
        records = SesEvent.model_validate(event).records
    except ValidationError as error:
        logger.warning("not an SES receipt event", extra={"errors": error.error_count()})
        records = []
    if not records:
        metrics.add_metric(name="InboundEmailRejected", unit=MetricUnit.Count, value=1)
    for record in records:
        outcome = process(record.ses)
        metrics.add_metric(name=f"InboundEmail_{outcome}", unit=MetricUnit.Count, value=1)
    # Only read when SES invokes synchronously: let later rules of the rule set run.
    return {"disposition": "CONTINUE"}
