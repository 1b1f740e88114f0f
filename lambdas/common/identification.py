"""Who is on this contact: the profile keys a contact flow event offers, per channel, ranked.

| channel                  | where the customer's identity is                                  |
|--------------------------|-------------------------------------------------------------------|
| VOICE                    | `CustomerEndpoint` TELEPHONE_NUMBER (caller ID)                   |
| CHAT, subtype connect:SMS| `CustomerEndpoint` TELEPHONE_NUMBER (the texting number)          |
| CHAT (web widget)        | attributes the chat-start backend set from the pre-chat form:     |
|                          | `customerId`, `email`, `phone`, `chatCustomerId`                  |
| EMAIL                    | `CustomerEndpoint` EMAIL_ADDRESS (the sender)                     |
| TASK                     | attributes (`customerId` set by inbound-email or the flow)        |

Ranking, best first: `customerId` (our own profile id, set by our functions or copied from an
earlier crm_lookup answer), then the endpoint Connect observed (caller ID, SMS sender, email
From), then what a person typed (email, phone), then a chat id. `ProfileRepository.resolve` reads
them all in one round trip and takes the best-ranked hit.

Trust: contact attributes of a web chat come from whoever starts the chat. The chat-start
backend must set them from its own session (a signed-in customer's id), never copy them blindly
from the browser, or anyone could be screen-popped as anyone.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime, timedelta

from lambdas.common.flow_events import FlowRequest
from lambdas.common.identity import IdentifierKind
from lambdas.common.masking import mask_email, mask_phone
from lambdas.common.profiles import CustomerProfile, Identifier

CUSTOMER_ID_NAMES = ("customerId",)
EMAIL_NAMES = ("email", "customerEmail")  # not `emailAddress`: the email flow's own address
PHONE_NAMES = ("phone", "phoneNumber", "customerPhone", "mobile")
CHAT_ID_NAMES = ("chatCustomerId", "chatId")
# Carriers put these in place of a withheld caller ID ("ANONYMOUS" on a keypad is 266696687);
# matching them would screen-pop every anonymous caller as one customer.
WITHHELD_NUMBERS = frozenset({"+266696687", "+10000000000", "+11111111111"})
_CUSTOMER_ID = re.compile(r"^[A-Za-z0-9_.:-]{1,128}$")
_LANGUAGE = re.compile(r"^([a-z]{2,3})(?:[-_][A-Za-z0-9]{1,8})*$")


@dataclass(frozen=True)
class LookupKeys:
    """The candidates for one contact, best first; empty when the event names nobody."""

    customer_id: str | None = None
    identifiers: tuple[Identifier, ...] = ()

    def __bool__(self) -> bool:
        return bool(self.customer_id or self.identifiers)


def lookup_keys(request: FlowRequest) -> LookupKeys:
    raw_customer_id = request.value(*CUSTOMER_ID_NAMES)
    customer_id = (
        raw_customer_id if raw_customer_id and _CUSTOMER_ID.match(raw_customer_id) else None
    )
    identifiers: list[Identifier | None] = []
    endpoint = request.customer_endpoint
    if endpoint is not None:
        if endpoint.type == "TELEPHONE_NUMBER":
            identifiers.append(_phone(endpoint.address))
        elif endpoint.type == "EMAIL_ADDRESS":
            identifiers.append(Identifier.parse(IdentifierKind.EMAIL, endpoint.address))
    identifiers.append(Identifier.parse(IdentifierKind.EMAIL, request.value(*EMAIL_NAMES)))
    identifiers.append(_phone(request.value(*PHONE_NAMES)))
    identifiers.append(Identifier.parse(IdentifierKind.CHAT, request.value(*CHAT_ID_NAMES)))
    if request.channel == "CHAT" and customer_id:
        # A web chat's `customerId` may be the site's own account id rather than ours.
        identifiers.append(Identifier.parse(IdentifierKind.CHAT, customer_id))
    unique = tuple(dict.fromkeys(i for i in identifiers if i is not None))
    return LookupKeys(customer_id=customer_id, identifiers=unique)


def is_repeat_contact(
    profile: CustomerProfile, request: FlowRequest, *, now: datetime, window: timedelta
) -> bool:
    """Another contact by this customer, on any channel, within `window` before this one.

    The contact we are in (or the one it continues after a transfer or callback) is not a
    previous contact, even once analytics has recorded it.
    """
    if profile.last_contact_id and profile.last_contact_id in request.contact_chain:
        return False
    return profile.is_repeat_contact(now, window)


def language_hint(request: FlowRequest) -> str:
    """The contact's language as a primary subtag ("es" from "es-US"), or "" when unknown.

    Sources: a `language` attribute (pre-chat form, or set by the flow) and Connect's own
    LanguageCode. Used for customers without a profile.
    """
    for raw in (request.value("language", "Language"), request.language_code):
        match = _LANGUAGE.match((raw or "").strip().lower())
        if match:
            return match.group(1)
    return ""


def masked(identifier: Identifier | None) -> str:
    """For logs: enough to debug, not enough to identify."""
    if identifier is None:
        return ""
    if identifier.kind is IdentifierKind.PHONE:
        return mask_phone(identifier.value)
    if identifier.kind is IdentifierKind.EMAIL:
        return mask_email(identifier.value)
    return identifier.value[:3] + "***"


def _phone(raw: str | None) -> Identifier | None:
    identifier = Identifier.parse(IdentifierKind.PHONE, raw)
    return None if identifier is None or identifier.value in WITHHELD_NUMBERS else identifier
