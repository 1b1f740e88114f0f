"""Amazon Connect contact records (CTRs) as pydantic models, for every consumer of the stream.

Follows Connect's "Data model for contact records"
(https://docs.aws.amazon.com/connect/latest/adminguide/ctr-data-model.html). What that page
promises, and these models therefore do:
- AWS adds fields over time and calls adding them backward compatible: unknown fields are
  ignored (`extra="ignore"`), never rejected.
- Sections a contact did not reach are null or absent (`Queue` for a contact that never queued,
  `Agent` for one no agent took, `CustomerEndpoint` for a web chat): every section and almost
  every field is optional, and a null map (`Attributes: null`) reads as empty.
- Records arrive at least once and are re-sent when the contact changes (after-contact work
  ends, attributes are updated): `ContactId` plus `LastUpdateTimestamp` say which is newest.
- Timestamps are UTC ISO 8601 (`2026-12-01T14:03:27Z`, some producers add milliseconds);
  durations are whole seconds, never negative.

Only `ContactId` and `Channel` are required: without them a record cannot be attributed to
anything, so it is malformed. `Channel` is upper-cased ("Voice" in some exports) and otherwise
kept as sent, so a channel AWS adds later flows through as its own channel.

The local rehearsal validates the records it emits against `ContactRecord`, so the emulator and
the analytics Lambda agree on the format.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated, Any

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, field_validator

SMS_SUBTYPE = "connect:SMS"


class _ConnectModel(BaseModel):
    """Connect's PascalCase names as aliases; snake_case attributes for our code."""

    model_config = ConfigDict(extra="ignore", populate_by_name=True, frozen=True)


def _utc(value: datetime) -> datetime:
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


UtcDatetime = Annotated[datetime, AfterValidator(_utc)]


class Endpoint(_ConnectModel):
    """`Type` is TELEPHONE_NUMBER, EMAIL_ADDRESS, VOIP, CONTACT_FLOW, ... as Connect adds them."""

    address: str | None = Field(default=None, alias="Address")
    type: str | None = Field(default=None, alias="Type")


class RoutingProfileRef(_ConnectModel):
    arn: str | None = Field(default=None, alias="ARN")
    name: str | None = Field(default=None, alias="Name")


class QueueInfo(_ConnectModel):
    """Present when the contact was placed in a queue; dequeued by an agent, the customer
    leaving, a callback or a transfer."""

    arn: str | None = Field(default=None, alias="ARN")
    name: str | None = Field(default=None, alias="Name")
    enqueue_timestamp: UtcDatetime | None = Field(default=None, alias="EnqueueTimestamp")
    dequeue_timestamp: UtcDatetime | None = Field(default=None, alias="DequeueTimestamp")
    duration: int | None = Field(default=None, alias="Duration", ge=0)

    @property
    def wait_seconds(self) -> int:
        """Seconds in queue: `Duration`, else the difference of the two timestamps."""
        if self.duration is not None:
            return self.duration
        if self.enqueue_timestamp and self.dequeue_timestamp:
            return max(0, int((self.dequeue_timestamp - self.enqueue_timestamp).total_seconds()))
        return 0


class AgentInfo(_ConnectModel):
    """Present when the contact was connected to an agent."""

    arn: str | None = Field(default=None, alias="ARN")
    username: str | None = Field(default=None, alias="Username")
    routing_profile: RoutingProfileRef | None = Field(default=None, alias="RoutingProfile")
    connected_to_agent_timestamp: UtcDatetime | None = Field(
        default=None, alias="ConnectedToAgentTimestamp"
    )
    agent_interaction_duration: int | None = Field(
        default=None, alias="AgentInteractionDuration", ge=0
    )
    customer_hold_duration: int | None = Field(default=None, alias="CustomerHoldDuration", ge=0)
    after_contact_work_duration: int | None = Field(
        default=None, alias="AfterContactWorkDuration", ge=0
    )
    after_contact_work_start_timestamp: UtcDatetime | None = Field(
        default=None, alias="AfterContactWorkStartTimestamp"
    )
    after_contact_work_end_timestamp: UtcDatetime | None = Field(
        default=None, alias="AfterContactWorkEndTimestamp"
    )
    number_of_holds: int | None = Field(default=None, alias="NumberOfHolds", ge=0)
    longest_hold_duration: int | None = Field(default=None, alias="LongestHoldDuration", ge=0)


class ContactRecord(_ConnectModel):
    """One contact record, as Connect writes it to the contact-record Kinesis stream."""

    contact_id: str = Field(alias="ContactId", min_length=1, max_length=256)
    channel: str = Field(alias="Channel", min_length=1)
    aws_account_id: str | None = Field(default=None, alias="AWSAccountId")
    format_version: str | None = Field(default=None, alias="AWSContactTraceRecordFormatVersion")
    instance_arn: str | None = Field(default=None, alias="InstanceARN")
    initial_contact_id: str | None = Field(default=None, alias="InitialContactId")
    previous_contact_id: str | None = Field(default=None, alias="PreviousContactId")
    next_contact_id: str | None = Field(default=None, alias="NextContactId")
    related_contact_id: str | None = Field(default=None, alias="RelatedContactId")
    initiation_method: str | None = Field(default=None, alias="InitiationMethod")
    initiation_timestamp: UtcDatetime | None = Field(default=None, alias="InitiationTimestamp")
    connected_to_system_timestamp: UtcDatetime | None = Field(
        default=None, alias="ConnectedToSystemTimestamp"
    )
    disconnect_timestamp: UtcDatetime | None = Field(default=None, alias="DisconnectTimestamp")
    last_update_timestamp: UtcDatetime | None = Field(default=None, alias="LastUpdateTimestamp")
    transfer_completed_timestamp: UtcDatetime | None = Field(
        default=None, alias="TransferCompletedTimestamp"
    )
    disconnect_reason: str | None = Field(default=None, alias="DisconnectReason")
    customer_endpoint: Endpoint | None = Field(default=None, alias="CustomerEndpoint")
    system_endpoint: Endpoint | None = Field(default=None, alias="SystemEndpoint")
    transferred_to_endpoint: Endpoint | None = Field(default=None, alias="TransferredToEndpoint")
    attributes: dict[str, str] = Field(default_factory=dict, alias="Attributes")
    segment_attributes: dict[str, Any] = Field(default_factory=dict, alias="SegmentAttributes")
    queue: QueueInfo | None = Field(default=None, alias="Queue")
    agent: AgentInfo | None = Field(default=None, alias="Agent")
    agent_connection_attempts: int | None = Field(
        default=None, alias="AgentConnectionAttempts", ge=0
    )

    @field_validator("channel", "initiation_method", "disconnect_reason", mode="before")
    @classmethod
    def _upper(cls, value: Any) -> Any:
        return value.strip().upper() if isinstance(value, str) else value

    @field_validator("attributes", mode="before")
    @classmethod
    def _string_attributes(cls, value: Any) -> Any:
        """Attribute values are strings in Connect; a null map or null values read as absent."""
        if value is None:
            return {}
        if isinstance(value, dict):
            return {str(k): str(v) for k, v in value.items() if v is not None}
        return value

    @field_validator("segment_attributes", mode="before")
    @classmethod
    def _empty_segments(cls, value: Any) -> Any:
        return {} if value is None else value

    @property
    def subtype(self) -> str | None:
        """`SegmentAttributes["connect:Subtype"]`: connect:SMS for texts delivered as chat."""
        entry = self.segment_attributes.get("connect:Subtype")
        if isinstance(entry, dict):
            value = entry.get("ValueString")
            return str(value) if value else None
        return None

    @property
    def is_sms(self) -> bool:
        return self.channel == "CHAT" and self.subtype == SMS_SUBTYPE

    @property
    def was_queued(self) -> bool:
        return self.queue is not None and (
            self.queue.enqueue_timestamp is not None or self.queue.name is not None
        )

    @property
    def reached_agent(self) -> bool:
        return self.agent is not None and self.agent.connected_to_agent_timestamp is not None

    @property
    def started_at(self) -> datetime | None:
        """When the contact began, falling back through the timestamps a record may carry."""
        return (
            self.initiation_timestamp
            or self.connected_to_system_timestamp
            or (self.queue.enqueue_timestamp if self.queue else None)
            or self.disconnect_timestamp
            or self.last_update_timestamp
        )
