"""How a customer is recognised on any channel: one normalisation for phone numbers and emails.

Connect hands us caller numbers already in E.164, SMS arrives in E.164, but pre-chat forms and email
headers carry whatever a person typed. Normalising here, once, is what lets an email, a chat and a
call land on the same profile. We do not use the `phonenumbers` library: its metadata costs ~40 ms
of cold start on every flow-invoked call and Connect's endpoints are E.164 already.
"""

from __future__ import annotations

import re
from enum import StrEnum

_PHONE_NOISE = re.compile(r"[\s().\-/]")
_E164 = re.compile(r"^\+[1-9]\d{7,14}$")
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
_CHAT_ID = re.compile(r"^[A-Za-z0-9_.:@-]{1,128}$")


class IdentifierKind(StrEnum):
    PHONE = "phone"
    EMAIL = "email"
    CHAT = "chat"


def normalize_phone(raw: str | None, default_country_code: str = "1") -> str | None:
    """E.164 (`+13125550100`) or None when `raw` cannot be a phone number.

    A national number of 10 digits gets `default_country_code` (NANP by default); `00` is the
    international prefix most of the world dials.
    """
    if not raw:
        return None
    digits = _PHONE_NOISE.sub("", raw.strip())
    if digits.startswith("00"):
        digits = "+" + digits[2:]
    elif not digits.startswith("+"):
        if len(digits) == 11 and digits.startswith(default_country_code):
            digits = "+" + digits
        elif len(digits) == 10:
            digits = f"+{default_country_code}{digits}"
        else:
            return None
    return digits if _E164.match(digits) else None


def normalize_email(raw: str | None) -> str | None:
    """Lower-cased address, or None. `Jane <Jane.Doe@Example.com>` gives `jane.doe@example.com`."""
    if not raw:
        return None
    candidate = raw.strip()
    if "<" in candidate and candidate.endswith(">"):
        candidate = candidate[candidate.rindex("<") + 1 : -1]
    candidate = candidate.strip().lower()
    return candidate if _EMAIL.match(candidate) and len(candidate) <= 254 else None


def normalize_chat_id(raw: str | None) -> str | None:
    if not raw:
        return None
    candidate = raw.strip()
    return candidate if _CHAT_ID.match(candidate) else None


def normalize(kind: IdentifierKind, raw: str | None) -> str | None:
    if kind is IdentifierKind.PHONE:
        return normalize_phone(raw)
    if kind is IdentifierKind.EMAIL:
        return normalize_email(raw)
    return normalize_chat_id(raw)
