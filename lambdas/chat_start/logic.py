"""Pure decisions for starting a web chat: which identifiers, which attributes, which request.

No boto3 here: the service hands in the profile it found and sends the request this builds.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from pydantic import ValidationError

from lambdas.chat_start.models import PreChatForm, Topic
from lambdas.common.identity import IdentifierKind
from lambdas.common.profiles import CustomerProfile, Identifier

# The widget renders plain text and markdown; Connect requires text/plain in the list.
SUPPORTED_CONTENT_TYPES = ["text/plain", "text/markdown"]
ENTRY_POINT = "web_chat"


def parse_topics(raw: Iterable[Mapping[str, str]]) -> dict[str, Topic]:
    """The stage's topics by intent, in the order the form shows them."""
    topics = [Topic.model_validate(entry) for entry in raw]
    return {topic.intent: topic for topic in topics}


def parse_form(body: Any, topics: Mapping[str, Topic]) -> PreChatForm:
    """Raises pydantic's ValidationError; `describe_problems` turns it into the answer."""
    return PreChatForm.model_validate(body, context={"topics": topics})


def describe_problems(error: ValidationError) -> list[dict[str, str]]:
    """One entry per field, in words a web developer can show next to the input.

    The offending input is never echoed back: it may be someone's email address.
    """
    problems = []
    for detail in error.errors(include_url=False, include_input=False, include_context=False):
        field = ".".join(str(part) for part in detail["loc"]) or "body"
        message = detail["msg"].removeprefix("Value error, ")
        if detail["type"] == "extra_forbidden":
            message = "is not a field of the pre-chat form"
        elif detail["type"] == "missing":
            message = "is required"
        elif detail["type"] == "model_type":
            message = "the body must be a JSON object"
        problems.append({"field": field, "problem": message})
    return problems


def identifiers_of(form: PreChatForm) -> list[Identifier]:
    """Email first: it is the identifier people type most reliably into a form."""
    found = [
        Identifier.parse(IdentifierKind.EMAIL, form.email),
        Identifier.parse(IdentifierKind.PHONE, form.phone),
    ]
    return [identifier for identifier in found if identifier is not None]


def new_profile_fields(form: PreChatForm) -> dict[str, str]:
    first, _, last = form.name.partition(" ")
    fields = {"first_name": first}
    if last.strip():
        fields["last_name"] = last.strip()
    return fields


def contact_attributes(
    form: PreChatForm,
    topic: Topic,
    profile: CustomerProfile | None,
    *,
    created: bool,
) -> dict[str, str]:
    """User-defined contact attributes: what the chat flow, routing and the agent's screen read.

    `intent` is what the chat flow compares (`$.Attributes.intent`); `customerId` is how the
    flow's CRM lookup finds the profile. `identityVerified` is always "false": anyone can type
    any email into a form, so agents confirm identity before discussing an account. No email or
    phone number goes into attributes: they are copied into every contact record.
    """
    attributes = {
        "intent": topic.intent,
        "topic": topic.label,
        "customerName": form.name,
        "entryPoint": ENTRY_POINT,
        "identityVerified": "false",
    }
    if profile is not None:
        attributes["customerId"] = profile.customer_id
        attributes["newCustomer"] = "true" if created else "false"
        attributes["tier"] = profile.tier
        attributes["language"] = profile.language
    return attributes


def start_chat_request(
    *,
    instance_id: str,
    flow_id: str,
    form: PreChatForm,
    attributes: Mapping[str, str],
) -> dict[str, Any]:
    """`connect.start_chat_contact(**request)`."""
    request: dict[str, Any] = {
        "InstanceId": instance_id,
        "ContactFlowId": flow_id,
        "Attributes": dict(attributes),
        "ParticipantDetails": {"DisplayName": form.name},
        "SupportedMessagingContentTypes": SUPPORTED_CONTENT_TYPES,
    }
    if form.client_token:
        request["ClientToken"] = form.client_token
    return request
