"""Which profile keys each channel's event offers, in which order, and what is never a key."""

from __future__ import annotations

from datetime import timedelta

import pytest

from lambdas.common.flow_events import parse_flow_event
from lambdas.common.identification import is_repeat_contact, language_hint, lookup_keys, masked
from lambdas.common.identity import IdentifierKind
from lambdas.common.profiles import CustomerProfile, Identifier
from tests.lambdas.connect_events import (
    email_contact,
    flow_event,
    sms_chat,
    task,
    voice_call,
    web_chat,
)
from tests.lambdas.customers import NOW

PHONE = Identifier(kind=IdentifierKind.PHONE, value="+13125550143")
EMAIL = Identifier(kind=IdentifierKind.EMAIL, value="jane.doe@example.com")


def keys(event: dict) -> tuple[str | None, list[str]]:  # type: ignore[type-arg]
    found = lookup_keys(parse_flow_event(event))
    return found.customer_id, [i.key for i in found.identifiers]


def test_voice_and_sms_offer_the_customer_number() -> None:
    assert keys(voice_call("+13125550143")) == (None, ["ID#phone#+13125550143"])
    assert keys(sms_chat("+13125550143")) == (None, ["ID#phone#+13125550143"])


def test_email_offers_the_sender_address_lower_cased() -> None:
    assert keys(email_contact("Jane <Jane.Doe@Example.com>")) == (
        None,
        ["ID#email#jane.doe@example.com"],
    )


def test_web_chat_offers_what_the_form_gave_best_first() -> None:
    customer_id, identifiers = keys(
        web_chat({"customerId": "c-jane", "phone": "312-555-0143", "email": "JANE.DOE@example.com"})
    )
    assert customer_id == "c-jane"
    assert identifiers == [
        "ID#email#jane.doe@example.com",
        "ID#phone#+13125550143",
        "ID#chat#c-jane",  # a site account id in customerId is tried as a chat id too
    ]


def test_task_offers_its_customer_id_only_as_ours() -> None:
    assert keys(task({"customerId": "c-ada"})) == ("c-ada", [])


def test_the_email_flows_own_address_is_not_the_customers() -> None:
    # inbound-email sets `emailAddress` to the address the customer wrote TO.
    assert keys(task({"emailAddress": "help@support.example"})) == (None, [])


@pytest.mark.parametrize("number", ["anonymous", "+266696687", "+10000000000", "12", "restricted"])
def test_withheld_or_invalid_caller_ids_are_no_key(number: str) -> None:
    assert keys(voice_call(number)) == (None, [])


def test_duplicate_identifiers_are_asked_once() -> None:
    event = sms_chat("+13125550143", attributes={"phone": "+1 312 555 0143"})
    assert keys(event) == (None, ["ID#phone#+13125550143"])


def test_customer_ids_that_cannot_be_ours_are_ignored() -> None:
    assert keys(task({"customerId": "x" * 200})) == (None, [])
    assert keys(task({"customerId": "a b"})) == (None, [])


def test_language_hint_from_attribute_or_connect_language_code() -> None:
    assert language_hint(parse_flow_event(web_chat({"language": "es-MX"}))) == "es"
    event = flow_event(channel="CHAT")
    event["Details"]["ContactData"]["LanguageCode"] = "fr-CA"
    assert language_hint(parse_flow_event(event)) == "fr"
    assert language_hint(parse_flow_event(web_chat({"language": "Spanish!"}))) == ""


def test_repeat_contact_excludes_the_contact_itself_and_its_transfer_chain() -> None:
    profile = CustomerProfile(
        customer_id="c", last_contact_at=NOW - timedelta(hours=1), last_contact_id="k1"
    )
    window = timedelta(hours=48)
    other = parse_flow_event(voice_call("+13125550143", contact_id="k2"))
    transfer = parse_flow_event(
        voice_call("+13125550143", contact_id="k2", initial_contact_id="k1")
    )
    assert is_repeat_contact(profile, other, now=NOW, window=window)
    assert not is_repeat_contact(profile, transfer, now=NOW, window=window)


def test_masked_identifiers_keep_only_a_hint() -> None:
    assert masked(PHONE) == "+1*******143"
    assert masked(EMAIL) == "j***@example.com"
    assert masked(Identifier(kind=IdentifierKind.CHAT, value="web-luis-7f3a")) == "web***"
    assert masked(None) == ""
