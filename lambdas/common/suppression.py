"""Addresses we must not email again: hard bounces and complaints, kept beside the identity.

SES keeps its own account-level suppression list (the configuration set turns it on), and SES
drops a send to a suppressed address silently and still bills it. Keeping our own copy, in the
customers table under the identity's partition key, lets notify skip the send, say why, and
lets an agent see it; it costs one GetItem.

| item        | pk                        | sk            |
|-------------|---------------------------|---------------|
| suppression | `ID#email#<address>`      | `SUPPRESSION` |
"""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Any

from pydantic import BaseModel

from lambdas.common.profiles import Identifier

SUPPRESSION_SK = "SUPPRESSION"


class SuppressionReason(StrEnum):
    BOUNCE = "BOUNCE"
    COMPLAINT = "COMPLAINT"


class Suppression(BaseModel):
    identifier: Identifier
    reason: SuppressionReason
    at: datetime
    feedback_id: str | None = None


class SuppressionRepository:
    def __init__(self, table: Any) -> None:
        self.table = table

    def find(self, identifier: Identifier) -> Suppression | None:
        item = self.table.get_item(Key={"pk": identifier.key, "sk": SUPPRESSION_SK}).get("Item")
        if not item:
            return None
        return Suppression(
            identifier=identifier,
            reason=SuppressionReason(str(item["reason"])),
            at=datetime.fromisoformat(str(item["at"])),
            feedback_id=item.get("feedback_id"),
        )

    def suppress(self, suppression: Suppression) -> None:
        """Idempotent: the same feedback twice leaves one item (the latest reason wins)."""
        item = {
            "pk": suppression.identifier.key,
            "sk": SUPPRESSION_SK,
            "reason": suppression.reason.value,
            "at": suppression.at.isoformat(),
        }
        if suppression.feedback_id:
            item["feedback_id"] = suppression.feedback_id
        self.table.put_item(Item=item)

    def release(self, identifier: Identifier) -> None:
        """For an operator who confirmed the mailbox works again."""
        self.table.delete_item(Key={"pk": identifier.key, "sk": SUPPRESSION_SK})
