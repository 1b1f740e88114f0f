"""Pure decisions for an inbound email: keep it or not, who sent it, where it goes, what Connect gets.

No boto3 here. The handler fetches the raw message and the profile; these functions turn them
into one `StartEmailContact` request.
"""

from __future__ import annotations

import email
import email.policy
from dataclasses import dataclass, field
from email.message import EmailMessage
from email.utils import parseaddr
from typing import Any

from lambdas.common.identity import normalize_email
from lambdas.common.profiles import CustomerProfile
from lambdas.inbound_email.models import SesMessage

# Connect's limits for StartEmailContact (botocore's model for connect, 2017-08-08).
MAX_SUBJECT = 998
MAX_NAME = 1024
MAX_BODY = 5_242_880
MAX_HEADER = 20_000
# Connect threads replies with these; it accepts no other headers.
THREAD_HEADERS = {
    "message-id": "MESSAGE_ID",
    "in-reply-to": "IN_REPLY_TO",
    "references": "REFERENCES",
}


@dataclass(frozen=True)
class InboundAddress:
    """One of our Connect email addresses and the routing intent mail to it carries."""

    address: str
    intent: str | None = None


@dataclass(frozen=True)
class Sender:
    address: str
    display_name: str | None

    def names(self) -> dict[str, str]:
        """First and last name for a new profile, from `Jane Q. Doe <jane@...>`."""
        if not self.display_name:
            return {}
        first, _, last = self.display_name.strip().strip('"').partition(" ")
        names = {"first_name": first} if first else {}
        if last.strip():
            names["last_name"] = last.strip()
        return names


@dataclass(frozen=True)
class ParsedMessage:
    subject: str
    body: str
    content_type: str
    attachments: list[str] = field(default_factory=list)
    thread_headers: dict[str, str] = field(default_factory=dict)


def sender_of(message: SesMessage) -> Sender | None:
    """The From header: who wrote, and who the agent answers.

    Never the envelope sender (`mail.source`): that is often a bounce-handling address
    (`...@amazonses.com`), which would make a junk profile and swallow the agent's reply.
    """
    for candidate in [*message.mail.common_headers.sender, message.mail.header("From") or ""]:
        name, address = parseaddr(candidate)
        normalised = normalize_email(address)
        if normalised:
            return Sender(address=normalised, display_name=name or None)
    return None


def reason_to_drop(message: SesMessage, sender: Sender | None, own_domain: str) -> str | None:
    """Why this message must not become a contact, or None to keep it."""
    receipt = message.receipt
    if receipt.virus_verdict.failed:
        return "virus"
    if receipt.spam_verdict.failed:
        return "spam"
    if sender is None:
        return "no_sender"
    if sender.address.endswith(f"@{own_domain}"):
        # Our own no-reply or an agent's reply coming back: answering it would loop.
        return "own_domain"
    auto = (message.mail.header("Auto-Submitted") or "no").strip().lower()
    if auto != "no":
        # RFC 3834: out-of-office and other automatic replies get no automatic contact.
        return "auto_submitted"
    return None


def destination_for(recipients: list[str], addresses: list[InboundAddress]) -> InboundAddress:
    """The first of our addresses the message was sent to; else the first (default) address.

    The receipt rule accepts the whole domain, so `sales@` (not a Connect address) still
    reaches an agent through the default address.
    """
    known = {entry.address: entry for entry in addresses}
    for recipient in recipients:
        normalised = normalize_email(recipient)
        if normalised in known:
            return known[normalised]
    return addresses[0]


def parse_message(raw: bytes) -> ParsedMessage:
    """Subject, the best body part (plain text first), attachment names and thread headers."""
    message = email.message_from_bytes(raw, policy=email.policy.default)
    assert isinstance(message, EmailMessage)
    body_part = message.get_body(preferencelist=("plain", "html"))
    body, content_type = "", "text/plain"
    if body_part is not None:
        content = body_part.get_content()
        body = content if isinstance(content, str) else content.decode("utf-8", "replace")
        content_type = body_part.get_content_type()
    attachments = [part.get_filename() or "unnamed" for part in message.iter_attachments()]
    thread = {
        connect_name: str(message[name])[:MAX_HEADER]
        for name, connect_name in THREAD_HEADERS.items()
        if message[name]
    }
    return ParsedMessage(
        subject=str(message["subject"] or ""),
        body=body,
        content_type=content_type,
        attachments=attachments,
        thread_headers=thread,
    )


def fallback_message(message: SesMessage, archive_uri: str) -> ParsedMessage:
    """When the archived copy cannot be read: the headers SES already gave us."""
    headers = message.mail.common_headers
    thread = {}
    if headers.message_id:
        thread["MESSAGE_ID"] = headers.message_id[:MAX_HEADER]
    return ParsedMessage(
        subject=headers.subject or "",
        body=f"(The message body could not be read. The original is archived at {archive_uri}.)",
        content_type="text/plain",
        thread_headers=thread,
    )


def contact_attributes(
    profile: CustomerProfile, *, created: bool, destination: InboundAddress
) -> dict[str, str]:
    """What the email flow and the agent's screen-pop read (names match the other flows)."""
    attributes = {
        "customerId": profile.customer_id,
        "customerFound": "false" if created else "true",
        "tier": profile.tier,
        "language": profile.language,
        "emailAddress": destination.address,
    }
    if profile.first_name:
        attributes["firstName"] = profile.first_name
    if profile.open_issue:
        attributes["openIssue"] = profile.open_issue
    if destination.intent:
        attributes["intent"] = destination.intent
    return attributes


def start_email_contact_request(
    *,
    instance_id: str,
    ses_message: SesMessage,
    sender: Sender,
    destination: InboundAddress,
    parsed: ParsedMessage,
    attributes: dict[str, str],
    archive_uri: str,
) -> dict[str, Any]:
    """Keyword arguments for `connect.start_email_contact`.

    The SES message id is the client token: SES or Lambda retrying the same email never opens a
    second contact (Connect honours a token for 7 days).
    """
    headers = dict(parsed.thread_headers)
    receipt = ses_message.receipt
    headers["X_SES_SPAM_VERDICT"] = receipt.spam_verdict.status
    headers["X_SES_VIRUS_VERDICT"] = receipt.virus_verdict.status
    subject = parsed.subject[:MAX_SUBJECT]
    description = f"Archived original: {archive_uri}"
    if parsed.attachments:
        description += (
            f" ({len(parsed.attachments)} attachment(s): {', '.join(parsed.attachments)})"
        )
    from_address: dict[str, str] = {"EmailAddress": sender.address}
    if sender.display_name:
        from_address["DisplayName"] = sender.display_name[:256]
    return {
        "InstanceId": instance_id,
        "FromEmailAddress": from_address,
        "DestinationEmailAddress": destination.address,
        "Name": (subject or "(no subject)")[:MAX_NAME],
        "Description": description[:4096],
        "EmailMessage": {
            "MessageSourceType": "RAW",
            "RawMessage": {
                "Subject": subject,
                "Body": (parsed.body or "(empty message)")[:MAX_BODY],
                "ContentType": parsed.content_type,
                "Headers": headers,
            },
        },
        "Attributes": attributes,
        "ClientToken": ses_message.mail.message_id[:500],
    }
