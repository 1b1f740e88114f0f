"""What the widget sends and what it gets back; untrusted input is validated here, nowhere later.

The topics a customer may pick are the stage's own (config `routing.menu`, else
`routing.intents`), handed to the function in its environment and to validation as context, so
a topic the flow would not understand never reaches Connect.
"""

from __future__ import annotations

import re
import unicodedata
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationInfo, field_validator

from lambdas.common.identity import normalize_email, normalize_phone

# Connect's ParticipantDetails.DisplayName allows 256; a person's name in a form needs far less.
MAX_NAME = 100
_CLIENT_TOKEN = re.compile(r"^[A-Za-z0-9-]{8,64}$")


class Topic(BaseModel):
    """One choice of the pre-chat form: the routing intent the flow and routing Lambda know."""

    model_config = ConfigDict(frozen=True)

    intent: str
    label: str


class PreChatForm(BaseModel):
    """The pre-chat form. Unknown fields are refused: a typo in the widget should fail loudly.

    Validate with `context={"topics": {intent: Topic}}`.
    """

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True, frozen=True)

    name: str = Field(min_length=1, max_length=MAX_NAME)
    email: str | None = Field(default=None, max_length=254)
    phone: str | None = Field(default=None, max_length=32)
    topic: str = Field(min_length=1, max_length=63)
    client_token: str | None = Field(
        default=None,
        alias="clientToken",
        description="Set once per form submission so a double click opens one chat, not two.",
    )

    @field_validator("name")
    @classmethod
    def _printable_name(cls, name: str) -> str:
        # Control characters would reach the agent's screen and the contact record as-is.
        if any(unicodedata.category(ch).startswith("C") for ch in name):
            raise ValueError("must not contain control characters")
        return " ".join(name.split())

    @field_validator("email", "phone", mode="before")
    @classmethod
    def _blank_is_absent(cls, value: Any) -> Any:
        return None if isinstance(value, str) and not value.strip() else value

    @field_validator("email")
    @classmethod
    def _email(cls, email: str | None) -> str | None:
        if email is None:
            return None
        normalised = normalize_email(email)
        if normalised is None:
            raise ValueError("is not an email address")
        return normalised

    @field_validator("phone")
    @classmethod
    def _phone(cls, phone: str | None) -> str | None:
        if phone is None:
            return None
        normalised = normalize_phone(phone)
        if normalised is None:
            raise ValueError("is not a phone number (use +<country code><number>)")
        return normalised

    @field_validator("topic")
    @classmethod
    def _known_topic(cls, topic: str, info: ValidationInfo) -> str:
        topics: dict[str, Topic] = (info.context or {}).get("topics", {})
        if topic not in topics:
            raise ValueError(f"must be one of: {', '.join(topics) or '(none configured)'}")
        return topic

    @field_validator("client_token")
    @classmethod
    def _client_token(cls, token: str | None) -> str | None:
        if token is not None and not _CLIENT_TOKEN.match(token):
            raise ValueError("must be 8-64 letters, digits or '-' (a UUID works)")
        return token


class StartedChat(BaseModel):
    """What amazon-connect-chatjs needs (`chatDetails`) plus the region of the participant API.

    Field names are Connect's own, so the widget passes the object to chatjs unchanged.
    """

    model_config = ConfigDict(frozen=True)

    ContactId: str
    ParticipantId: str
    ParticipantToken: str
    Region: str
