"""The two ways out: End User Messaging SMS (`pinpoint-sms-voice-v2`) and SES v2, plus the queue.

Each gateway wraps one boto3 client created once per container; tests hand in clients bound to
moto, the local engine's emulation or a botocore Stubber, so the requests are checked against
the services' own models.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Protocol

from botocore.exceptions import ClientError


class TextSender(Protocol):
    """What the service needs from an SMS provider (SmsGateway, or a rehearsal's stand-in)."""

    def is_opted_out(self, phone: str) -> bool: ...

    def send(
        self, phone: str, body: str, *, context: dict[str, str], time_to_live: int | None
    ) -> str: ...


class MailSender(Protocol):
    def send(self, to: str, subject: str, body: str, *, tags: dict[str, str]) -> str: ...


class RecipientOptedOut(Exception):  # noqa: N818 - a business outcome, caught by the service
    """End User Messaging refused the send: the number opted out since we last looked."""


@dataclass(frozen=True)
class SmsGateway:
    client: Any
    origination_identity: str
    opt_out_list: str
    configuration_set: str | None = None

    def is_opted_out(self, phone: str) -> bool:
        """One call against our opt-out list; STOP replies land there automatically."""
        try:
            response = self.client.describe_opted_out_numbers(
                OptOutListName=self.opt_out_list, OptedOutNumbers=[phone]
            )
        except ClientError as error:
            # A number that never opted out is "not found"; a missing list is a real fault.
            if (
                error.response["Error"]["Code"] == "ResourceNotFoundException"
                and error.response.get("ResourceType") == "opted-out-number"
            ):
                return False
            raise
        return any(entry["OptedOutNumber"] == phone for entry in response["OptedOutNumbers"])

    def opt_out(self, phone: str) -> None:
        """For a customer who asks an agent to stop texting them (not by replying STOP)."""
        self.client.put_opted_out_number(OptOutListName=self.opt_out_list, OptedOutNumber=phone)

    def opt_in(self, phone: str) -> None:
        """End User Messaging refuses this for a number that itself texted STOP
        (ValidationException, reason PHONE_NUMBER_CANNOT_BE_OPTED_IN): only the customer's own
        START (or UNSTOP on toll-free) can undo that."""
        self.client.delete_opted_out_number(OptOutListName=self.opt_out_list, OptedOutNumber=phone)

    def send(
        self, phone: str, body: str, *, context: dict[str, str], time_to_live: int | None
    ) -> str:
        request: dict[str, Any] = {
            "DestinationPhoneNumber": phone,
            "OriginationIdentity": self.origination_identity,
            "MessageBody": body,
            "MessageType": "TRANSACTIONAL",
            "Context": context,
        }
        if self.configuration_set:
            request["ConfigurationSetName"] = self.configuration_set
        if time_to_live is not None:
            # Carriers keep retrying an undelivered text for up to 72 h; a reminder that would
            # arrive after the appointment is worse than none.
            request["TimeToLive"] = max(5, min(259_200, time_to_live))
        try:
            return str(self.client.send_text_message(**request)["MessageId"])
        except ClientError as error:
            if error.response["Error"]["Code"] == "ConflictException" and (
                error.response.get("Reason") == "DESTINATION_PHONE_NUMBER_OPTED_OUT"
            ):
                raise RecipientOptedOut() from error
            raise


@dataclass(frozen=True)
class EmailGateway:
    client: Any
    from_address: str
    configuration_set: str | None = None

    def send(self, to: str, subject: str, body: str, *, tags: dict[str, str]) -> str:
        request: dict[str, Any] = {
            "FromEmailAddress": self.from_address,
            "Destination": {"ToAddresses": [to]},
            "Content": {
                "Simple": {
                    "Subject": {"Data": subject, "Charset": "UTF-8"},
                    "Body": {"Text": {"Data": body, "Charset": "UTF-8"}},
                }
            },
            # Tags travel with bounce and complaint events, so feedback names the notification.
            "EmailTags": [{"Name": name, "Value": value} for name, value in tags.items()],
        }
        if self.configuration_set:
            request["ConfigurationSetName"] = self.configuration_set
        return str(self.client.send_email(**request)["MessageId"])


@dataclass(frozen=True)
class NotifyQueue:
    client: Any
    queue_url: str

    def redeliver_after(self, receipt_handle: str, delay_seconds: int) -> None:
        """The message stays on the queue, invisible until the delay has passed."""
        self.client.change_message_visibility(
            QueueUrl=self.queue_url, ReceiptHandle=receipt_handle, VisibilityTimeout=delay_seconds
        )
