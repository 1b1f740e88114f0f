"""Phone numbers and emails never reach logs whole: enough stays visible to debug, not to identify."""

from __future__ import annotations

import re

_EMAIL_IN_TEXT = re.compile(r"([A-Za-z0-9._%+-])[A-Za-z0-9._%+-]*@([A-Za-z0-9.-]+\.[A-Za-z]{2,})")
_PHONE_IN_TEXT = re.compile(r"\+?\d[\d\s().-]{6,}\d")


def mask_phone(value: str) -> str:
    """`+13125550143` -> `+1*******143`: country code and last three digits survive."""
    digits = value.strip()
    if len(digits) <= 5:
        return "*" * len(digits)
    return digits[:2] + "*" * (len(digits) - 5) + digits[-3:]


def mask_email(value: str) -> str:
    """`jane.doe@example.com` -> `j***@example.com`."""
    local, _, domain = value.strip().partition("@")
    if not domain:
        return "***"
    return f"{local[:1]}***@{domain}"


def mask_text(text: str) -> str:
    """Masks every email and phone-like run inside free text (message bodies, error strings)."""
    text = _EMAIL_IN_TEXT.sub(lambda m: f"{m.group(1)}***@{m.group(2)}", text)
    return _PHONE_IN_TEXT.sub(lambda m: mask_phone(re.sub(r"[\s().-]", "", m.group(0))), text)
