"""crm_lookup's decisions, without I/O: what the flow and the agent's screen-pop get to know.

The answer's keys are the contract with the flows (contact_flows/*.json copy them into contact
attributes with `$.External.<key>`), so every key is always present: "" when unknown, "true" or
"false" for flags, which is what a flow's Compare block tests against.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Literal

from pydantic import BaseModel

from lambdas.common.flow_events import FlowRequest
from lambdas.common.identification import is_repeat_contact, language_hint
from lambdas.common.profiles import Resolution

LookupStatus = Literal["found", "not_found", "no_identifier", "fallback"]


class CrmAnswer(BaseModel):
    """What crm_lookup answers; `as_attributes` gives the flat map in the flows' names."""

    customer_found: bool = False
    customer_id: str = ""
    first_name: str = ""
    last_name: str = ""
    tier: str = ""
    language: str = ""
    open_issue: str = ""
    last_contact_channel: str = ""
    last_contact_at: str = ""
    last_contact_queue: str = ""
    is_repeat_contact: bool = False
    identified_by: str = ""
    lookup_status: LookupStatus = "not_found"

    def as_attributes(self) -> dict[str, str]:
        return {
            "customerFound": _flag(self.customer_found),
            "customerId": self.customer_id,
            "firstName": self.first_name,
            "lastName": self.last_name,
            "tier": self.tier,
            "language": self.language,
            "openIssue": self.open_issue,
            "lastContactChannel": self.last_contact_channel,
            "lastContactAt": self.last_contact_at,
            "lastContactQueue": self.last_contact_queue,
            "isRepeatContact": _flag(self.is_repeat_contact),
            "identifiedBy": self.identified_by,
            "lookupStatus": self.lookup_status,
        }


def screen_pop(
    resolution: Resolution | None, request: FlowRequest, *, now: datetime, repeat_window: timedelta
) -> CrmAnswer:
    """The answer for a lookup that completed: the customer found, or an unknown one."""
    if resolution is None:
        return unknown_customer(request, status="not_found")
    profile = resolution.profile
    return CrmAnswer(
        customer_found=True,
        customer_id=profile.customer_id,
        first_name=profile.first_name or "",
        last_name=profile.last_name or "",
        tier=profile.tier,
        language=profile.language,
        open_issue=profile.open_issue or "",
        last_contact_channel=profile.last_contact_channel or "",
        last_contact_at=_iso(profile.last_contact_at),
        last_contact_queue=profile.last_contact_queue or "",
        is_repeat_contact=is_repeat_contact(profile, request, now=now, window=repeat_window),
        identified_by=resolution.via.kind.value if resolution.via else "customer_id",
        lookup_status="found",
    )


def unknown_customer(request: FlowRequest | None, *, status: LookupStatus) -> CrmAnswer:
    """No profile: the flow greets generically; the contact's own language hint still routes."""
    return CrmAnswer(
        language=language_hint(request) if request is not None else "", lookup_status=status
    )


def _flag(value: bool) -> str:
    return "true" if value else "false"


def _iso(moment: datetime | None) -> str:
    if moment is None:
        return ""
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
