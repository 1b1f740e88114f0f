"""The SES receipt-rule event, as leniently as SES and its many sample payloads need.

Powertools' `SesModel` insists on every verdict and on a Lambda action; real events (and the
samples in AWS's own runtimes) lack `dmarcVerdict` or carry S3/SNS actions. Anything missing
here has a default, unknown fields are ignored, and only `mail.messageId` is required: without
it there is no message to fetch.
"""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field


class _Lenient(BaseModel):
    model_config = ConfigDict(extra="ignore", populate_by_name=True)


class Verdict(_Lenient):
    status: str = "PASS"

    @property
    def failed(self) -> bool:
        return self.status.upper() == "FAIL"


class ReceiptAction(_Lenient):
    type: str = "Lambda"
    bucket_name: str | None = Field(default=None, alias="bucketName")
    object_key: str | None = Field(default=None, alias="objectKey")


class Receipt(_Lenient):
    recipients: list[str] = Field(default_factory=list)
    spam_verdict: Verdict = Field(default_factory=Verdict, alias="spamVerdict")
    virus_verdict: Verdict = Field(default_factory=Verdict, alias="virusVerdict")
    action: ReceiptAction = Field(default_factory=ReceiptAction)


class Header(_Lenient):
    name: str
    value: str = ""


class CommonHeaders(_Lenient):
    sender: list[str] = Field(default_factory=list, alias="from")
    to: list[str] = Field(default_factory=list)
    reply_to: list[str] = Field(default_factory=list, alias="replyTo")
    subject: str | None = None
    message_id: str | None = Field(default=None, alias="messageId")


class Mail(_Lenient):
    message_id: str = Field(alias="messageId", min_length=1)
    source: str | None = None
    destination: list[str] = Field(default_factory=list)
    headers: list[Header] = Field(default_factory=list)
    common_headers: CommonHeaders = Field(default_factory=CommonHeaders, alias="commonHeaders")

    def header(self, name: str) -> str | None:
        wanted = name.lower()
        return next((h.value for h in self.headers if h.name.lower() == wanted), None)


class SesMessage(_Lenient):
    mail: Mail
    receipt: Receipt = Field(default_factory=Receipt)


class SesRecord(_Lenient):
    ses: SesMessage


class SesEvent(_Lenient):
    records: list[SesRecord] = Field(default_factory=list, alias="Records")
