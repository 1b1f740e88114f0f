"""What every Lambda a contact flow invokes shares: the request it reads and the answer it owes.

Connect invokes synchronously with `{"Name": "ContactFlowEvent", "Details": {"ContactData":
{...}, "Parameters": {...}}}`, waits at most the block's time limit, and sends the contact down
the block's Error branch when the function raises, times out or answers anything but a flat map
of strings (`ResponseValidation: STRING_MAP`, under 32 KB). So:

- `parse_flow_event` reads the event into a pydantic `FlowRequest`, tolerating what real events
  carry (null endpoints, numbers as attribute values, TASK/EMAIL channels and EMAIL_ADDRESS
  endpoints, events with Parameters only) and refusing only what is not a flow event at all.
  It reads the event's dicts itself, not through Powertools' `ConnectContactFlowEvent`: importing
  that class runs its package's `__init__`, which imports all of Powertools' event classes, and
  that import is part of every cold start, which the caller waits through (docs/performance.md).
  The data class would not help much anyway. Its properties raise KeyError on absent keys, and its
  Channel and endpoint Type enums know only VOICE/CHAT and TELEPHONE_NUMBER.
- `safe_flow_answer` turns any failure (and a call the time left cannot fit) into the function's
  safe default, logged with the reason
  (`loggable_error`: validation errors by field names and error types, other errors with phone
  numbers and emails masked) and counted as the `FlowFallbacks` metric.
- `flat_answer` makes whatever the logic returns into the flat string map Connect accepts.

https://docs.aws.amazon.com/connect/latest/adminguide/connect-lambda-functions.html
"""

from __future__ import annotations

import functools
import json
from collections.abc import Callable, Mapping
from typing import Any

from aws_lambda_powertools import Logger, Metrics
from aws_lambda_powertools.metrics import MetricUnit
from aws_lambda_powertools.utilities.typing import LambdaContext
from botocore.exceptions import (
    BotoCoreError,
    ClientError,
    ConnectTimeoutError,
    EndpointConnectionError,
    ReadTimeoutError,
)
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from lambdas.common.aws import OutOfTimeError, time_budget
from lambdas.common.masking import mask_text
from lambdas.common.settings import SettingsError, listed, problems_of

# Connect's answer limit is 32 KB for the whole map; our answers are a few hundred bytes, so a
# value this long can only be a bug or hostile input, and cutting it keeps the answer valid.
MAX_VALUE_LENGTH = 1024
MAX_ANSWER_BYTES = 32 * 1024
# Attribute values a person typed (pre-chat forms) are read at most this long before parsing.
MAX_READ_LENGTH = 1024
CHANNELS = frozenset({"VOICE", "CHAT", "TASK", "EMAIL"})
THROTTLING_CODES = frozenset(
    {
        "ProvisionedThroughputExceededException",
        "ThrottlingException",
        "RequestLimitExceeded",
        "Throttling",
        "TooManyRequestsException",
    }
)

FlowHandler = Callable[[Any, LambdaContext], dict[str, str]]


class MalformedFlowEventError(ValueError):
    """The event is not a contact flow event at all (not a JSON object, no `Details`)."""


class Endpoint(BaseModel):
    """`CustomerEndpoint`/`SystemEndpoint`: a phone number (TELEPHONE_NUMBER: voice, SMS,
    WhatsApp) or an email address (EMAIL_ADDRESS: the email channel)."""

    model_config = ConfigDict(frozen=True)

    address: str
    type: str = ""


class FlowRequest(BaseModel):
    """The parts of a contact flow event our functions read, every value already a string."""

    model_config = ConfigDict(frozen=True)

    contact_id: str = ""
    initial_contact_id: str = ""
    previous_contact_id: str = ""
    channel: str = Field(default="UNKNOWN", description="VOICE, CHAT, TASK, EMAIL or UNKNOWN")
    subtype: str = Field(default="", description="connect:SMS, connect:WhatsApp, connect:Chat...")
    initiation_method: str = ""
    instance_arn: str = ""
    language_code: str = ""
    customer_endpoint: Endpoint | None = None
    system_endpoint: Endpoint | None = None
    queue_name: str = ""
    attributes: dict[str, str] = Field(default_factory=dict)
    parameters: dict[str, str] = Field(default_factory=dict)

    def value(self, *names: str) -> str | None:
        """The first non-blank of `names`, in the block's Parameters first, then the contact's
        attributes: a flow passes what it wants us to use explicitly as a parameter."""
        for source in (self.parameters, self.attributes):
            for name in names:
                found = source.get(name, "").strip()
                if found:
                    return found
        return None

    @property
    def contact_chain(self) -> frozenset[str]:
        """This contact and the contacts it continues (transfers, callbacks): not "previous"
        contacts in the repeat-contact sense."""
        return frozenset(
            i for i in (self.contact_id, self.initial_contact_id, self.previous_contact_id) if i
        )


def parse_flow_event(event: object) -> FlowRequest:
    """Reads a Connect contact flow event; raises `MalformedFlowEventError` only when `event` has no
    `Details` object. Missing, null or oddly typed fields become empty values."""
    if not isinstance(event, Mapping) or not isinstance(event.get("Details"), Mapping):
        raise MalformedFlowEventError("not a contact flow event: no Details object")
    details = event["Details"]
    contact_data = details.get("ContactData")
    data: Mapping[str, object] = contact_data if isinstance(contact_data, Mapping) else {}
    queue = data.get("Queue")
    return FlowRequest(
        contact_id=_text(data.get("ContactId")),
        initial_contact_id=_text(data.get("InitialContactId")),
        previous_contact_id=_text(data.get("PreviousContactId")),
        channel=_channel(data.get("Channel")),
        subtype=_subtype(data.get("SegmentAttributes")),
        initiation_method=_text(data.get("InitiationMethod")).upper(),
        instance_arn=_text(data.get("InstanceARN")),
        language_code=_text(data.get("LanguageCode")),
        customer_endpoint=_endpoint(data.get("CustomerEndpoint")),
        system_endpoint=_endpoint(data.get("SystemEndpoint")),
        queue_name=_text(queue.get("Name")) if isinstance(queue, Mapping) else "",
        attributes=_string_map(data.get("Attributes")),
        parameters=_string_map(details.get("Parameters")),
    )


def flat_answer(values: Mapping[Any, object]) -> dict[str, str]:
    """A map Connect's STRING_MAP validation accepts: string keys and values, booleans as
    "true"/"false" (what flows compare against), None as "", nothing nested, under 32 KB."""
    answer: dict[str, str] = {}
    for key, value in values.items():
        if isinstance(value, bool):
            text = "true" if value else "false"
        elif value is None:
            text = ""
        elif isinstance(value, str | int | float):
            text = str(value)
        else:
            continue
        answer[str(key)[:MAX_VALUE_LENGTH]] = text[:MAX_VALUE_LENGTH]
    while answer and len(json.dumps(answer).encode()) > MAX_ANSWER_BYTES:
        answer.popitem()
    return answer


def fallback_reason(error: BaseException) -> str:
    """A short, bounded label for why the safe default was answered (a log field and metadata)."""
    if isinstance(error, MalformedFlowEventError):
        return "malformed_event"
    if isinstance(error, SettingsError):
        return "invalid_settings"
    if isinstance(error, ClientError):
        code = error.response.get("Error", {}).get("Code", "")
        return "throttled" if code in THROTTLING_CODES else "aws_error"
    if isinstance(error, ReadTimeoutError | ConnectTimeoutError):
        return "timeout"
    if isinstance(error, OutOfTimeError):
        return "out_of_time"
    if isinstance(error, EndpointConnectionError | BotoCoreError):
        return "aws_unreachable"
    if isinstance(error, ValidationError):
        return "invalid_input"
    return "unexpected_error"


def loggable_error(error: BaseException, limit: int = 500) -> str:
    """What a log line may say of an error: a validation error's field names and error types
    only (its own text quotes the input, which may be the environment or a caller's details);
    any other error's text with phone numbers and emails masked."""
    if isinstance(error, ValidationError):
        return f"{type(error).__name__}: {listed(problems_of(error))}"[:limit]
    return mask_text(str(error))[:limit]


def safe_flow_answer(
    fallback: Callable[[], Mapping[str, object]],
    *,
    last_resort: Mapping[str, str],
    logger: Logger,
    metrics: Metrics,
) -> Callable[[Callable[[Any, LambdaContext], Mapping[str, object]]], FlowHandler]:
    """Decorates a flow handler so it always answers a flat string map and never raises.

    On any exception the handler answers `fallback()` (which may read settings, e.g. the default
    queue), and if even that fails, the static `last_resort`. Raising would cost the caller up
    to three retries of silence and then the flow's Error branch; a default answer costs a less
    personal greeting or the default queue. The handler runs in the invocation's `time_budget`,
    so it never starts a DynamoDB call that could outlast the function's timeout.
    """

    def decorate(handle: Callable[[Any, LambdaContext], Mapping[str, object]]) -> FlowHandler:
        @functools.wraps(handle)
        def answer(event: Any, context: LambdaContext) -> dict[str, str]:
            try:
                with time_budget(context):
                    return flat_answer(handle(event, context))
            except Exception as error:  # Connect must get an answer, always
                reason = fallback_reason(error)
                logger.warning(
                    "answering the safe default",
                    extra={
                        "fallback_reason": reason,
                        "error_type": type(error).__name__,
                        "error": loggable_error(error),
                    },
                )
                metrics.add_metric(name="FlowFallbacks", unit=MetricUnit.Count, value=1)
                metrics.add_metadata(key="fallbackReason", value=reason)
            try:
                return flat_answer(fallback())
            except Exception as error:
                logger.error(
                    "safe default failed; answering the last resort",
                    extra={"error_type": type(error).__name__},
                )
                return flat_answer(last_resort)

        return answer

    return decorate


def _text(value: object, limit: int = MAX_READ_LENGTH) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str | int | float):
        return str(value).strip()[:limit]
    return ""


def _string_map(value: object) -> dict[str, str]:
    """Attributes and parameters as strings; nested values (not settable in a flow) dropped."""
    if not isinstance(value, Mapping):
        return {}
    return {
        str(key)[:MAX_READ_LENGTH]: _text(item)
        for key, item in value.items()
        if isinstance(item, str | int | float | bool)
    }


def _channel(value: object) -> str:
    channel = _text(value).upper()
    return channel if channel in CHANNELS else "UNKNOWN"


def _subtype(segment_attributes: object) -> str:
    """`SegmentAttributes["connect:Subtype"].ValueString`: connect:SMS for texts into chat."""
    if not isinstance(segment_attributes, Mapping):
        return ""
    subtype = segment_attributes.get("connect:Subtype")
    return _text(subtype.get("ValueString")) if isinstance(subtype, Mapping) else ""


def _endpoint(value: object) -> Endpoint | None:
    if not isinstance(value, Mapping):
        return None
    address = _text(value.get("Address"))
    return Endpoint(address=address, type=_text(value.get("Type")).upper()) if address else None
