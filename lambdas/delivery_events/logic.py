"""What delivery feedback means: which addresses to suppress, what an SMS cost, what failed.

Two producers publish to the same SNS topic:
- SES (the configuration set's event destination, `eventType`; or identity notifications,
  `notificationType`): bounces and complaints.
  https://docs.aws.amazon.com/ses/latest/dg/event-publishing-retrieving-sns-contents.html
- End User Messaging SMS (the SMS configuration set's event destination): one event per status
  change of a text, with its price once final.
  https://docs.aws.amazon.com/sms-voice/latest/userguide/configuration-sets-event-format.html
Anything else on the topic is recognised as foreign and ignored.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import UTC, datetime

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from lambdas.common.identity import IdentifierKind
from lambdas.common.profiles import Identifier
from lambdas.common.suppression import Suppression, SuppressionReason

# A complaint a mailbox provider files as "not spam" is the customer taking it back.
NOT_A_COMPLAINT = {"not-spam"}
SMS_FAILURES = {
    "TEXT_INVALID",
    "TEXT_INVALID_MESSAGE",
    "TEXT_UNREACHABLE",
    "TEXT_CARRIER_UNREACHABLE",
    "TEXT_BLOCKED",
    "TEXT_CARRIER_BLOCKED",
    "TEXT_SPAM",
    "TEXT_UNKNOWN",
    "TEXT_TTL_EXPIRED",
    "TEXT_PROTECT_BLOCKED",
}


class _Lenient(BaseModel):
    model_config = ConfigDict(extra="ignore", populate_by_name=True)


class BouncedRecipient(_Lenient):
    email_address: str = Field(alias="emailAddress")
    action: str | None = None


class Bounce(_Lenient):
    bounce_type: str = Field(alias="bounceType")
    recipients: list[BouncedRecipient] = Field(default_factory=list, alias="bouncedRecipients")
    feedback_id: str | None = Field(default=None, alias="feedbackId")
    timestamp: datetime | None = None


class ComplainedRecipient(_Lenient):
    email_address: str = Field(alias="emailAddress")


class Complaint(_Lenient):
    recipients: list[ComplainedRecipient] = Field(
        default_factory=list, alias="complainedRecipients"
    )
    feedback_type: str | None = Field(default=None, alias="complaintFeedbackType")
    feedback_id: str | None = Field(default=None, alias="feedbackId")
    timestamp: datetime | None = None


class SesFeedback(_Lenient):
    event_type: str = Field(default="", validation_alias="eventType")
    bounce: Bounce | None = None
    complaint: Complaint | None = None

    @property
    def kind(self) -> str:
        """`Bounce`, `Complaint`, another SES event type (`Delivery`, `Send`...) or `Other`."""
        if self.bounce is not None:
            return "Bounce"
        if self.complaint is not None:
            return "Complaint"
        return self.event_type if self.event_type.isalpha() else "Other"


class SmsEvent(_Lenient):
    event_type: str = Field(alias="eventType")
    is_final: bool = Field(default=False, alias="isFinal")
    destination: str | None = Field(default=None, alias="destinationPhoneNumber")
    message_id: str | None = Field(default=None, alias="messageId")
    status: str | None = Field(default=None, alias="messageStatus")
    parts: int = Field(default=0, alias="totalMessageParts")
    price: float = Field(default=0.0, alias="totalMessagePrice")
    carrier_fee: float = Field(default=0.0, alias="totalCarrierFee")
    context: dict[str, str] = Field(default_factory=dict)

    @property
    def failed(self) -> bool:
        return self.event_type in SMS_FAILURES

    @property
    def cost_usd(self) -> float:
        """Counted once per text: only the final event carries the settled price."""
        return self.price + self.carrier_fee if self.is_final else 0.0


@dataclass
class Interpretation:
    suppressions: list[Suppression] = field(default_factory=list)
    sms: SmsEvent | None = None
    ses_event: str | None = None
    foreign: bool = False


def interpret(message: str, *, received_at: datetime | None = None) -> Interpretation:
    """Reads one SNS message body; never raises on content it does not recognise."""
    try:
        document = json.loads(message)
    except ValueError:
        return Interpretation(foreign=True)
    if not isinstance(document, dict):
        return Interpretation(foreign=True)
    at = received_at or datetime.now(UTC)
    if "mail" in document and ("eventType" in document or "notificationType" in document):
        document.setdefault("eventType", str(document.get("notificationType")))
        try:
            feedback = SesFeedback.model_validate(document)
        except ValidationError:
            return Interpretation(foreign=True)
        return Interpretation(suppressions=_suppressions(feedback, at), ses_event=feedback.kind)
    if str(document.get("eventType", "")).startswith("TEXT_"):
        try:
            return Interpretation(sms=SmsEvent.model_validate(document))
        except ValidationError:
            return Interpretation(foreign=True)
    return Interpretation(foreign=True)


def _suppressions(feedback: SesFeedback, at: datetime) -> list[Suppression]:
    found: list[tuple[str, SuppressionReason, str | None, datetime | None]] = []
    # Decided by the object present, not the type string: every Bounce carries `bounce`, every
    # Complaint `complaint`, and a Delivery or Send event neither.
    bounce = feedback.bounce
    if bounce and bounce.bounce_type == "Permanent":
        # Transient bounces (full mailbox, delays) may succeed later: never suppress those.
        found += [
            (r.email_address, SuppressionReason.BOUNCE, bounce.feedback_id, bounce.timestamp)
            for r in bounce.recipients
            if r.action in (None, "failed")
        ]
    complaint = feedback.complaint
    if complaint and (complaint.feedback_type or "").lower() not in NOT_A_COMPLAINT:
        found += [
            (
                r.email_address,
                SuppressionReason.COMPLAINT,
                complaint.feedback_id,
                complaint.timestamp,
            )
            for r in complaint.recipients
        ]
    suppressions = []
    for address, reason, feedback_id, when in found:
        identifier = Identifier.parse(IdentifierKind.EMAIL, address)
        if identifier is not None:
            suppressions.append(
                Suppression(
                    identifier=identifier, reason=reason, at=when or at, feedback_id=feedback_id
                )
            )
    return suppressions
