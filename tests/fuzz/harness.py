"""Every Lambda as a fuzz target: its input strategy, its deployed-like runtime, its contract.

`FuzzWorld` is one offline AWS (moto, with the local emulation answering Connect and End User
Messaging) holding the stage's tables seeded with the `PEOPLE` of the strategies, a notify queue,
an inbound-mail bucket and a verified sending domain. `world.function(name)` is that function's
real handler in the local Lambda runtime with the environment infra gives it and debug logging
on, so every line it can log is written and read back (`Invocation.output`).

A target's contract is what its caller relies on, checked on every case:
- flow Lambdas (crm_lookup, routing): a flat map of strings, never an error;
- self_service: a Lex answer (Close, Delegate or ElicitSlot), never an error;
- stream and queue Lambdas (analytics, follow_up, notify): a partial batch response naming only
  records of the batch; the only error allowed is Powertools' `BatchProcessingError` when every
  record of the batch failed, which makes Lambda split the batch (a poison record never blocks
  a shard and never escapes as anything else);
- delivery_events and inbound_email (asynchronous invokes): no error for any event;
- chat_start: a JSON answer, 4xx for whatever the widget or anyone else can send, never 5xx.
"""

from __future__ import annotations

import contextlib
import json
import traceback
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

import boto3
from aws_lambda_powertools.utilities.batch.exceptions import BatchProcessingError
from hypothesis import strategies as st
from moto import mock_aws

from config import ContactCenterConfig
from config.chat_settings import chat_topics
from lambdas.common.identity import IdentifierKind
from lambdas.common.profiles import CustomerProfile, Identifier, ProfileRepository
from local_connect.emulation import AwsWorld, emulate_aws
from local_connect.emulation.lex import fulfillment_environment
from local_connect.flows.environment import flow_lambda_environment
from local_connect.flows.library import FlowLibrary
from local_connect.runtime.lambda_runtime import Invocation, LocalLambda
from local_connect.runtime.moto_dynamodb import fast_dynamodb
from local_connect.runtime.resources import (
    CUSTOMERS_TABLE,
    LocalResources,
    create_resources,
    create_self_service_tables,
)
from tests.fuzz import strategies
from tests.lambdas.chat_start.conftest import SITE

INBOUND_BUCKET = "inbound-mail"
# Every line the functions can write: a leak at debug level is a leak an operator switches on.
LOGGING = {
    "POWERTOOLS_LOG_LEVEL": "DEBUG",
    "POWERTOOLS_TRACE_DISABLED": "true",
    "POWERTOOLS_METRICS_NAMESPACE": "ContactCenterFuzz",
}


class ContractBrokenError(AssertionError):
    """The function answered something its caller cannot use, or raised where it must not."""


def log_text(invocation: Invocation) -> str:
    """What CloudWatch Logs receives from one invocation: its output and, when it raised, the
    error as Lambda's runtime reports it."""
    error = invocation.error
    report = "".join(traceback.format_exception(error)) if error is not None else ""
    return f"{invocation.output}\n{report}"


def _no_error(invocation: Invocation) -> None:
    if invocation.error is not None:
        raise ContractBrokenError(f"raised {type(invocation.error).__name__}: {invocation.error}")


def flat_string_map(event: Any, invocation: Invocation) -> None:
    _no_error(invocation)
    answer = invocation.answer
    if not isinstance(answer, dict) or not all(
        isinstance(k, str) and isinstance(v, str) for k, v in answer.items()
    ):
        raise ContractBrokenError(f"not a flat string map: {answer!r}")


def lex_answer(event: Any, invocation: Invocation) -> None:
    _no_error(invocation)
    state = invocation.answer["sessionState"]
    if state["dialogAction"]["type"] not in {"Close", "Delegate", "ElicitSlot"}:
        raise ContractBrokenError(f"not a Lex answer: {invocation.answer!r}")


def batch_response(event: Any, invocation: Invocation) -> None:
    records = event.get("Records") if isinstance(event, dict) else None
    if isinstance(invocation.error, BatchProcessingError) and records:
        return  # every record failed: Lambda splits the batch and retries the halves
    _no_error(invocation)
    failures = invocation.answer.get("batchItemFailures")
    identifiers = {
        record.get("kinesis", {}).get("sequenceNumber") or record.get("messageId")
        for record in records or []
        if isinstance(record, dict)
    }
    if not isinstance(failures, list) or any(
        failure.get("itemIdentifier") not in identifiers for failure in failures
    ):
        raise ContractBrokenError(f"not a partial batch response: {invocation.answer!r}")


def no_error(event: Any, invocation: Invocation) -> None:
    _no_error(invocation)


def client_error_answer(event: Any, invocation: Invocation) -> None:
    _no_error(invocation)
    answer = invocation.answer
    status = answer["statusCode"]
    if status >= 500 or (status >= 400 and "error" not in json.loads(answer["body"])):
        raise ContractBrokenError(f"answered {status}: {answer.get('body')}")


@dataclass(frozen=True)
class Target:
    inputs: st.SearchStrategy[Any]
    contract: Callable[[Any, Invocation], None]


TARGETS: dict[str, Target] = {
    "analytics": Target(strategies.kinesis_batches, batch_response),
    "chat_start": Target(strategies.chat_requests(), client_error_answer),
    "crm_lookup": Target(strategies.flow_events(), flat_string_map),
    "delivery_events": Target(strategies.sns_events, no_error),
    "follow_up": Target(strategies.kinesis_batches, batch_response),
    "inbound_email": Target(strategies.ses_receipts(), no_error),
    "notify": Target(strategies.sqs_events, batch_response),
    "routing": Target(strategies.flow_events(), flat_string_map),
    "self_service": Target(strategies.lex_events(), lex_answer),
}


class FuzzWorld:
    """The offline AWS the targets run in; `function(name)` builds one target's runtime."""

    def __init__(self, config: ContactCenterConfig, aws: AwsWorld) -> None:
        self.config = config
        self.aws = aws
        self.names = LocalResources()
        create_resources(self.names)
        create_self_service_tables()
        boto3.client("s3").create_bucket(Bucket=INBOUND_BUCKET)
        self.queue_url = boto3.client("sqs").create_queue(QueueName="notify")["QueueUrl"]
        assert config.email is not None
        boto3.client("sesv2").create_email_identity(EmailIdentity=config.email.domain)
        profiles = ProfileRepository(boto3.resource("dynamodb").Table(CUSTOMERS_TABLE))
        for person in strategies.PEOPLE:
            profiles.save(
                CustomerProfile(
                    customer_id=person.customer_id,
                    first_name=person.first_name,
                    last_name=person.last_name,
                    identifiers=[
                        Identifier(kind=IdentifierKind.PHONE, value=person.phone),
                        Identifier(kind=IdentifierKind.EMAIL, value=person.email),
                    ],
                )
            )

    def environment(self, name: str) -> dict[str, str]:
        """The function's variables as infra sets them, naming this world's resources."""
        config, names, instance = self.config, self.names, self.aws.instance
        assert config.email is not None and config.chat is not None and config.sms is not None
        match name:
            case "crm_lookup" | "routing":
                variables = flow_lambda_environment(config, FlowLibrary(lambdas=[]), quiet=False)
            case "self_service":
                variables = fulfillment_environment(config, self.aws.region)
            case "analytics":
                variables = {
                    "METRICS_TABLE": names.metrics_table,
                    "CUSTOMERS_TABLE": names.customers_table,
                    "SERVICE_LEVEL_THRESHOLD_SECONDS": "20",
                }
            case "chat_start":
                variables = {
                    "CONNECT_INSTANCE_ID": instance.id,
                    "CHAT_FLOW_ID": instance.flow(config.chat.flow).id,
                    "CUSTOMERS_TABLE": names.customers_table,
                    "ALLOWED_ORIGINS": json.dumps([SITE]),
                    "CHAT_TOPICS": json.dumps(chat_topics(config)),
                }
            case "delivery_events":
                variables = {"CUSTOMERS_TABLE": names.customers_table}
            case "follow_up":
                variables = {"NOTIFY_QUEUE_URL": self.queue_url}
            case "inbound_email":
                addresses = [
                    {"address": f"{address.local_part}@{config.email.domain}"}
                    for address in config.email.addresses
                ]
                variables = {
                    "CUSTOMERS_TABLE": names.customers_table,
                    "CONNECT_INSTANCE_ID": instance.id,
                    "INBOUND_BUCKET": INBOUND_BUCKET,
                    "EMAIL_DOMAIN": config.email.domain,
                    "INBOUND_ADDRESSES": json.dumps(addresses),
                }
            case "notify":
                variables = {
                    "ORGANISATION": config.organisation,
                    "CUSTOMERS_TABLE": names.customers_table,
                    "IDEMPOTENCY_TABLE": names.idempotency_table,
                    "NOTIFY_QUEUE_URL": self.queue_url,
                    "DEFAULT_TIME_ZONE": "America/Chicago",
                    "SMS_ORIGINATION_IDENTITY": self.aws.sms_number.arn,
                    "SMS_OPT_OUT_LIST": config.sms.opt_out_list,
                    "EMAIL_FROM": f"{config.email.from_address}@{config.email.domain}",
                }
        return {**variables, **LOGGING}

    def function(self, name: str) -> LocalLambda:
        return LocalLambda(f"lambdas.{name}.handler", self.environment(name), timeout_seconds=30)


@contextlib.contextmanager
def fuzz_world(config: ContactCenterConfig) -> Iterator[FuzzWorld]:
    with mock_aws(), fast_dynamodb(), emulate_aws(AwsWorld.from_config(config)) as aws:
        yield FuzzWorld(config, aws)
