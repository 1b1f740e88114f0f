"""Parsing and routing decisions for inbound mail, without AWS."""

from __future__ import annotations

from email.message import EmailMessage

from lambdas.inbound_email.logic import (
    InboundAddress,
    Sender,
    destination_for,
    parse_message,
)

ADDRESSES = [
    InboundAddress("help@support.example.gov", "other"),
    InboundAddress("billing@support.example.gov", "billing"),
]


def test_html_only_mail_keeps_its_html() -> None:
    message = EmailMessage()
    message["Subject"] = "=?utf-8?q?Factura_de_diciembre?="
    message.set_content("<p>¿Por qué subió mi factura?</p>", subtype="html")
    parsed = parse_message(bytes(message))
    assert parsed.content_type == "text/html"
    assert "¿Por qué subió mi factura?" in parsed.body
    assert parsed.subject == "Factura de diciembre"
    assert parsed.attachments == []


def test_latin1_plain_text_is_decoded() -> None:
    raw = (
        b"From: a@example.com\r\nSubject: hola\r\nContent-Type: text/plain; charset=iso-8859-1\r\n"
        b"Content-Transfer-Encoding: 8bit\r\n\r\nSe\xf1or, mi medidor no funciona.\r\n"
    )
    assert parse_message(raw).body.startswith("Señor, mi medidor no funciona.")


def test_destination_matches_case_insensitively_and_falls_back_to_the_first_address() -> None:
    assert destination_for(["BILLING@Support.Example.gov"], ADDRESSES).intent == "billing"
    assert destination_for(["sales@support.example.gov"], ADDRESSES).intent == "other"
    assert destination_for([], ADDRESSES) == ADDRESSES[0]


def test_display_names_become_first_and_last_names() -> None:
    assert Sender("j@x.com", '"Jane Q. Doe"').names() == {
        "first_name": "Jane",
        "last_name": "Q. Doe",
    }
    assert Sender("j@x.com", "Cher").names() == {"first_name": "Cher"}
    assert Sender("j@x.com", None).names() == {}
