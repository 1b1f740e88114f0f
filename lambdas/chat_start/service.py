"""Starting one web chat: profile lookup (best effort), then `connect:StartChatContact`.

Created once per container with its clients; tests and the local server hand in their own.
A customer must be able to chat even when the profile table is having a bad minute, so a
DynamoDB failure costs only the screen-pop (the chat starts as an unknown customer); a Connect
failure is the one thing that stops a chat, and it is raised as a domain error the handler
translates.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from aws_lambda_powertools import Logger
from botocore.exceptions import BotoCoreError, ClientError

from lambdas.chat_start.logic import (
    contact_attributes,
    identifiers_of,
    new_profile_fields,
    start_chat_request,
)
from lambdas.chat_start.models import PreChatForm, StartedChat, Topic
from lambdas.common.masking import mask_email, mask_phone
from lambdas.common.profiles import CustomerProfile, ProfileRepository

logger = Logger(child=True)

# Connect says "try later" with these; everything else is our fault or theirs, not the user's.
BUSY_CODES = {"LimitExceededException", "ThrottlingException", "TooManyRequestsException"}


class ChatStartError(Exception):
    """Connect did not start the chat."""


class ChatBusyError(ChatStartError):
    """Connect throttled us or the instance is at its concurrent-chat quota."""


class ChatUnavailableError(ChatStartError):
    """Anything else: misconfiguration, an AWS fault, a timeout."""


@dataclass(frozen=True)
class ChatSettings:
    instance_id: str
    flow_id: str
    topics: Mapping[str, Topic]


class ChatStarter:
    def __init__(self, *, settings: ChatSettings, profiles: ProfileRepository, connect: Any):
        self.settings = settings
        self.profiles = profiles
        self.connect = connect

    def start(self, form: PreChatForm) -> StartedChat:
        profile, created = self.resolve_customer(form)
        topic = self.settings.topics[form.topic]
        request = start_chat_request(
            instance_id=self.settings.instance_id,
            flow_id=self.settings.flow_id,
            form=form,
            attributes=contact_attributes(form, topic, profile, created=created),
        )
        try:
            answer = self.connect.start_chat_contact(**request)
        except ClientError as error:
            code = error.response.get("Error", {}).get("Code", "")
            logger.warning("StartChatContact refused", extra={"code": code})
            if code in BUSY_CODES:
                raise ChatBusyError(code) from error
            raise ChatUnavailableError(code) from error
        except BotoCoreError as error:
            logger.warning("StartChatContact failed", extra={"error": type(error).__name__})
            raise ChatUnavailableError(type(error).__name__) from error
        logger.info(
            "chat started",
            extra={
                "contact_id": answer["ContactId"],
                "intent": form.topic,
                "known_customer": profile is not None and not created,
            },
        )
        return StartedChat(
            ContactId=answer["ContactId"],
            ParticipantId=answer["ParticipantId"],
            ParticipantToken=answer["ParticipantToken"],
            Region=self.connect.meta.region_name,
        )

    def resolve_customer(self, form: PreChatForm) -> tuple[CustomerProfile | None, bool]:
        """The customer behind the form's email or phone; created if neither is known.

        Identifiers the form gives that belong to nobody yet are linked to that customer, so the
        next call from that phone or email lands on the same profile. An identifier that already
        belongs to another profile is never moved: a typo must not hand someone's history to a
        stranger. No identifier, no profile: an anonymous chat.

        Returns (profile, created); (None, False) when the table cannot be reached.
        """
        identifiers = identifiers_of(form)
        if not identifiers:
            return None, False
        logger.append_keys(
            customer_email=mask_email(form.email) if form.email else None,
            customer_phone=mask_phone(form.phone) if form.phone else None,
        )
        try:
            found = [(identifier, self.profiles.find(identifier)) for identifier in identifiers]
            known = [profile for _, profile in found if profile is not None]
            created = not known
            if known:
                profile = known[0]
            else:
                profile, created = self.profiles.find_or_create(
                    identifiers[0], **new_profile_fields(form)
                )
            for identifier, owner in found:
                if owner is None and identifier not in profile.identifiers:
                    profile = self.profiles.link(profile.customer_id, identifier) or profile
        except (ClientError, BotoCoreError) as error:
            logger.warning(
                "profile lookup failed; starting the chat as an unknown customer",
                extra={"error": type(error).__name__},
            )
            return None, False
        return profile, created
