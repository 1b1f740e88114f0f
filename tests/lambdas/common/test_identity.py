from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from lambdas.common.identity import normalize_email, normalize_phone
from lambdas.common.masking import mask_email, mask_phone, mask_text


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("+13125550143", "+13125550143"),
        ("(312) 555-0143", "+13125550143"),
        ("1 312 555 0143", "+13125550143"),
        ("0044 20 7946 0958", "+442079460958"),
        ("+44 20 7946 0958", "+442079460958"),
        ("555-0143", None),
        ("not a number", None),
        ("", None),
        (None, None),
    ],
)
def test_phone_numbers_normalise_to_e164(raw: str | None, expected: str | None) -> None:
    assert normalize_phone(raw) == expected


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("Jane.Doe@Example.COM", "jane.doe@example.com"),
        ("  jane@example.com ", "jane@example.com"),
        ("Jane Doe <Jane@Example.com>", "jane@example.com"),
        ("jane@localhost", None),
        ("jane", None),
        (None, None),
    ],
)
def test_emails_normalise_to_lower_case_addresses(raw: str | None, expected: str | None) -> None:
    assert normalize_email(raw) == expected


@given(st.text(max_size=40))
def test_normalised_phone_is_always_e164_or_none(raw: str) -> None:
    result = normalize_phone(raw)
    assert result is None or (
        result.startswith("+") and result[1:].isdigit() and 9 <= len(result) <= 16
    )


def test_masks_keep_too_little_to_identify() -> None:
    assert mask_phone("+13125550143") == "+1*******143"
    assert mask_email("jane.doe@example.com") == "j***@example.com"
    masked = mask_text("call +1 (312) 555-0143 or write jane.doe@example.com")
    assert "555" not in masked.replace("+1*******143", "")
    assert "jane.doe" not in masked
    assert "j***@example.com" in masked
