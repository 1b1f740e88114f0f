"""Amazon Connect's contact data plane, as the API reference describes it.

Contacts started here (chat, task, outbound voice, email) are remembered with what the caller
sent; listeners (the flow interpreter, `ccaas chat`) hear about each new contact and may run its
flow. Errors are the API's own: an unknown instance, flow, queue or contact is
`ResourceNotFoundException`; a stopped contact is `ContactNotFoundException` (HTTP 410);
parameters the service rejects are `InvalidParameterException` or `InvalidRequestException`.

Entry points are pointed at flows too, as the stacks' custom resources do it at deploy time:
`AssociatePhoneNumberContactFlow` takes a number claimed by the instance, and `AssociateFlow`
takes, per `ResourceType`, the ARN the API reference names
(https://docs.aws.amazon.com/connect/latest/APIReference/API_AssociateFlow.html): an End User
Messaging SMS phone number ARN for `SMS_PHONE_NUMBER`, an End User Messaging Social one for
`WHATSAPP_MESSAGING_PHONE_NUMBER`. Any other kind of ARN is refused, so a template that passes
Connect's own phone-number ARN fails here as it would in the account.
"""

from __future__ import annotations

import re
import secrets
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from botocore.model import OperationModel

from local_connect.emulation.wire import ServiceError, constraint_problems

# Amazon Connect: "The total size of all attributes on a contact is limited to 32 KB."
ATTRIBUTES_MAX_BYTES = 32 * 1024
E164 = re.compile(r"^\+[1-9]\d{1,14}$")
EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[A-Za-z]{2,}$")
# StartTaskContact: "ScheduledTime ... up to 6 days in future".
TASK_SCHEDULE_LIMIT = timedelta(days=6)
# AssociateFlow's ResourceId per ResourceType (API reference above). The Social ARN's resource
# part is botocore's `LinkedWhatsAppPhoneNumberArn` pattern (socialmessaging service model).
# The reference names no ARN for the email types: CloudFormation's `AWS::Connect::EmailAddress`
# ARN, an address of the instance, is what is accepted here.
FLOW_RESOURCE_ARNS = {
    "SMS_PHONE_NUMBER": (
        "an End User Messaging SMS phone number ARN (arn:aws:sms-voice:REGION:ACCOUNT:"
        "phone-number/ID)",
        r"arn:aws[a-z-]*:sms-voice:(?P<region>[a-z0-9-]+):(?P<account>\d{12}):"
        r"phone-number/[A-Za-z0-9_-]+",
    ),
    "WHATSAPP_MESSAGING_PHONE_NUMBER": (
        "an End User Messaging Social phone number ARN (arn:aws:social-messaging:REGION:"
        "ACCOUNT:phone-number-id/ID)",
        r"arn:aws[a-z-]*:social-messaging:(?P<region>[a-z0-9-]+):(?P<account>\d{12}):"
        r"phone-number-id/[0-9a-zA-Z]+",
    ),
    "INBOUND_EMAIL": (
        "an email address ARN of the instance (INSTANCE_ARN/email-address/ID)",
        r"arn:aws[a-z-]*:connect:(?P<region>[a-z0-9-]+):(?P<account>\d{12}):"
        r"instance/(?P<instance>[A-Za-z0-9-]+)/email-address/[A-Za-z0-9-]+",
    ),
    "OUTBOUND_EMAIL": (
        "an email address ARN of the instance (INSTANCE_ARN/email-address/ID)",
        r"arn:aws[a-z-]*:connect:(?P<region>[a-z0-9-]+):(?P<account>\d{12}):"
        r"instance/(?P<instance>[A-Za-z0-9-]+)/email-address/[A-Za-z0-9-]+",
    ),
}


@dataclass(frozen=True)
class FlowEntry:
    name: str
    id: str
    arn: str
    type: str = "CONTACT_FLOW"


@dataclass(frozen=True)
class QueueEntry:
    name: str
    id: str
    arn: str


@dataclass(frozen=True)
class PhoneNumberEntry:
    name: str
    number: str
    id: str
    arn: str
    flow: str | None = None


@dataclass
class ConnectInstance:
    id: str
    arn: str
    alias: str
    flows: dict[str, FlowEntry] = field(default_factory=dict)
    queues: dict[str, QueueEntry] = field(default_factory=dict)
    phone_numbers: dict[str, PhoneNumberEntry] = field(default_factory=dict)
    email_addresses: set[str] = field(default_factory=set)
    # The inbound flow of the email addresses: StartEmailContact without a ContactFlowId starts
    # the destination address's flow, as Connect does.
    email_flow_id: str | None = None
    # What the deploy pointed at flows: (ResourceType, ResourceId) -> flow id for AssociateFlow,
    # claimed number id -> flow id for AssociatePhoneNumberContactFlow.
    flow_associations: dict[tuple[str, str], str] = field(default_factory=dict)
    number_flows: dict[str, str] = field(default_factory=dict)

    def flow(self, name: str) -> FlowEntry:
        """The flow registered under a config name (KeyError when there is none)."""
        return next(entry for entry in self.flows.values() if entry.name == name)

    def queue(self, name: str) -> QueueEntry:
        return next(entry for entry in self.queues.values() if entry.name == name)

    def add_flow(self, name: str, flow_type: str = "CONTACT_FLOW") -> FlowEntry:
        flow_id = _stable_id(self.id, "flow", name)
        entry = FlowEntry(name, flow_id, f"{self.arn}/contact-flow/{flow_id}", flow_type)
        self.flows[flow_id] = entry
        return entry

    def add_queue(self, name: str) -> QueueEntry:
        queue_id = _stable_id(self.id, "queue", name)
        entry = QueueEntry(name, queue_id, f"{self.arn}/queue/{queue_id}")
        self.queues[queue_id] = entry
        return entry

    def add_phone_number(self, name: str, number: str, flow: str | None = None) -> PhoneNumberEntry:
        number_id = _stable_id(self.id, "phone-number", name)
        arn = self.arn.split(":instance/")[0] + f":phone-number/{number_id}"
        entry = PhoneNumberEntry(name, number, number_id, arn, flow)
        self.phone_numbers[number] = entry
        return entry

    def find_flow(self, flow_id: str) -> FlowEntry | None:
        return self.flows.get(_last_part(flow_id))

    def find_queue(self, queue_id: str) -> QueueEntry | None:
        return self.queues.get(_last_part(queue_id))

    def find_phone_number(self, number_id: str) -> PhoneNumberEntry | None:
        """A claimed number by its id or ARN (what AssociatePhoneNumberContactFlow takes)."""
        return next(
            (n for n in self.phone_numbers.values() if number_id in (n.id, n.arn)),
            None,
        )


@dataclass
class EmulatedContact:
    """One contact as the data plane knows it; `attributes` change as flows and APIs set them."""

    id: str
    instance: ConnectInstance
    channel: str  # VOICE | CHAT | TASK | EMAIL
    initiation_method: str  # API | OUTBOUND | INBOUND | TRANSFER | CALLBACK ...
    flow: FlowEntry | None
    initiated_at: datetime
    attributes: dict[str, str] = field(default_factory=dict)
    request: dict[str, Any] = field(default_factory=dict)
    participant_id: str | None = None
    participant_token: str | None = None
    customer_endpoint: dict[str, str] | None = None
    system_endpoint: dict[str, str] | None = None
    name: str | None = None
    description: str | None = None
    previous_contact_id: str | None = None
    related_contact_id: str | None = None
    queue: QueueEntry | None = None
    queue_priority: int | None = None
    scheduled_at: datetime | None = None
    disconnected_at: datetime | None = None
    disconnect_reason: str | None = None
    updated_at: datetime | None = None

    @property
    def arn(self) -> str:
        return f"{self.instance.arn}/contact/{self.id}"

    @property
    def active(self) -> bool:
        return self.disconnected_at is None

    def describe(self) -> dict[str, Any]:
        """`DescribeContact`'s `Contact` structure."""
        contact: dict[str, Any] = {
            "Arn": self.arn,
            "Id": self.id,
            "InitialContactId": self.id,
            "PreviousContactId": self.previous_contact_id,
            "RelatedContactId": self.related_contact_id,
            "InitiationMethod": self.initiation_method,
            "Name": self.name,
            "Description": self.description,
            "Channel": self.channel,
            "InitiationTimestamp": self.initiated_at,
            "DisconnectTimestamp": self.disconnected_at,
            "LastUpdateTimestamp": self.updated_at or self.initiated_at,
            "ScheduledTimestamp": self.scheduled_at,
            "QueuePriority": self.queue_priority,
            "DisconnectReason": self.disconnect_reason,
            "Attributes": dict(self.attributes),
        }
        if self.queue is not None:
            contact["QueueInfo"] = {"Id": self.queue.id}
        if self.customer_endpoint:
            contact["CustomerEndpoint"] = self.customer_endpoint
        if self.system_endpoint:
            contact["SystemEndpoint"] = self.system_endpoint
        return {key: value for key, value in contact.items() if value is not None}


ContactListener = Callable[[EmulatedContact], None]


class ConnectEmulator:
    """Instances, their flows/queues/numbers, and every contact started through the API."""

    OPERATIONS = frozenset(
        {
            "StartChatContact",
            "StartTaskContact",
            "StartOutboundVoiceContact",
            "StartEmailContact",
            "UpdateContactAttributes",
            "GetContactAttributes",
            "StopContact",
            "DescribeContact",
            "AssociateFlow",
            "DisassociateFlow",
            "AssociatePhoneNumberContactFlow",
            "DisassociatePhoneNumberContactFlow",
        }
    )

    def __init__(self, *, account_id: str, region: str, clock: Callable[[], datetime]) -> None:
        self.account_id = account_id
        self.region = region
        self.clock = clock
        self.instances: dict[str, ConnectInstance] = {}
        self.contacts: dict[str, EmulatedContact] = {}
        self.listeners: list[ContactListener] = []
        self._idempotent: dict[tuple[str, str, str], dict[str, Any]] = {}

    # -- set-up --------------------------------------------------------------------------------
    def add_instance(self, alias: str, instance_id: str | None = None) -> ConnectInstance:
        instance_id = instance_id or _stable_id(self.account_id, "instance", alias)
        arn = f"arn:aws:connect:{self.region}:{self.account_id}:instance/{instance_id}"
        instance = ConnectInstance(instance_id, arn, alias)
        self.instances[instance_id] = instance
        return instance

    @property
    def instance(self) -> ConnectInstance:
        """The only instance (what a single-stage world has); ValueError otherwise."""
        if len(self.instances) != 1:
            raise ValueError(f"{len(self.instances)} Connect instances, expected exactly one")
        return next(iter(self.instances.values()))

    def on_contact_started(self, listener: ContactListener) -> None:
        self.listeners.append(listener)

    # -- what happened -------------------------------------------------------------------------
    def of_channel(self, channel: str) -> list[EmulatedContact]:
        return [c for c in self.contacts.values() if c.channel == channel]

    @property
    def chats(self) -> list[EmulatedContact]:
        return self.of_channel("CHAT")

    @property
    def tasks(self) -> list[EmulatedContact]:
        return self.of_channel("TASK")

    @property
    def emails(self) -> list[EmulatedContact]:
        return self.of_channel("EMAIL")

    @property
    def outbound_calls(self) -> list[EmulatedContact]:
        return [c for c in self.of_channel("VOICE") if c.initiation_method == "OUTBOUND"]

    # -- the API -------------------------------------------------------------------------------
    def handles(self, operation: str) -> bool:
        return operation in self.OPERATIONS

    def answer(self, operation: OperationModel, params: dict[str, Any]) -> dict[str, Any]:
        problems = constraint_problems(operation.input_shape, params)
        if problems:
            raise ServiceError("InvalidParameterException", "; ".join(problems))
        handler = getattr(self, f"_{_snake(operation.name)}")
        instance = self._instance(params["InstanceId"])
        token = params.get("ClientToken")
        if token:
            # Connect answers a repeated ClientToken with the first call's result.
            key = (instance.id, operation.name, token)
            if key not in self._idempotent:
                self._idempotent[key] = handler(instance, params)
            return self._idempotent[key]
        result: dict[str, Any] = handler(instance, params)
        return result

    def _instance(self, instance_id: str) -> ConnectInstance:
        instance = self.instances.get(_last_part(instance_id))
        if instance is None:
            raise ServiceError("ResourceNotFoundException", f"Instance {instance_id} not found")
        return instance

    def _flow(self, instance: ConnectInstance, flow_id: str | None) -> FlowEntry:
        flow = instance.find_flow(flow_id or "")
        if flow is None:
            raise ServiceError(
                "ResourceNotFoundException", f"ContactFlow {flow_id} not found in the instance"
            )
        return flow

    def _contact(self, instance: ConnectInstance, contact_id: str) -> EmulatedContact:
        contact = self.contacts.get(contact_id)
        if contact is None or contact.instance is not instance:
            raise ServiceError("ResourceNotFoundException", f"Contact {contact_id} not found")
        return contact

    def _start(self, contact: EmulatedContact) -> EmulatedContact:
        _check_attributes(contact.attributes)
        self.contacts[contact.id] = contact
        for listener in list(self.listeners):
            listener(contact)
        return contact

    def _requested_contact(
        self,
        instance: ConnectInstance,
        params: dict[str, Any],
        *,
        channel: str,
        initiation_method: str,
        flow: FlowEntry | None,
        **details: Any,
    ) -> EmulatedContact:
        """A new contact with what every Start*Contact request carries the same way."""
        common: dict[str, Any] = {
            "initiated_at": self.clock(),
            "name": params.get("Name"),
            "description": params.get("Description"),
            "related_contact_id": params.get("RelatedContactId"),
        }
        return EmulatedContact(
            id=str(uuid.uuid4()),
            instance=instance,
            channel=channel,
            initiation_method=initiation_method,
            flow=flow,
            attributes=dict(params.get("Attributes") or {}),
            request=params,
            **(common | details),
        )

    def _start_chat_contact(
        self, instance: ConnectInstance, params: dict[str, Any]
    ) -> dict[str, Any]:
        flow = self._flow(instance, params.get("ContactFlowId"))
        content_types = params.get("SupportedMessagingContentTypes")
        if content_types is not None and "text/plain" not in content_types:
            raise ServiceError(
                "InvalidRequestException",
                "SupportedMessagingContentTypes must include text/plain",
            )
        contact = self._requested_contact(
            instance,
            params,
            channel="CHAT",
            initiation_method="API",
            flow=flow,
            participant_id=str(uuid.uuid4()),
            participant_token=secrets.token_urlsafe(96),
        )
        persistent = params.get("PersistentChat") or {}
        self._start(contact)
        answer = {
            "ContactId": contact.id,
            "ParticipantId": contact.participant_id,
            "ParticipantToken": contact.participant_token,
        }
        if persistent.get("SourceContactId"):
            answer["ContinuedFromContactId"] = persistent["SourceContactId"]
        return answer

    def _start_task_contact(
        self, instance: ConnectInstance, params: dict[str, Any]
    ) -> dict[str, Any]:
        if not any(
            params.get(key) for key in ("ContactFlowId", "QuickConnectId", "TaskTemplateId")
        ):
            raise ServiceError(
                "InvalidRequestException",
                "one of ContactFlowId, QuickConnectId or TaskTemplateId is required",
            )
        flow = (
            self._flow(instance, params["ContactFlowId"]) if params.get("ContactFlowId") else None
        )
        now = self.clock()
        scheduled = params.get("ScheduledTime")
        if scheduled is not None and not now <= scheduled <= now + TASK_SCHEDULE_LIMIT:
            raise ServiceError(
                "InvalidParameterException", "ScheduledTime must be within the next 6 days"
            )
        previous = params.get("PreviousContactId")
        if previous is not None:
            self._contact(instance, previous)
        contact = self._requested_contact(
            instance,
            params,
            channel="TASK",
            initiation_method="API",
            flow=flow,
            initiated_at=now,
            previous_contact_id=previous,
            scheduled_at=scheduled,
        )
        self._start(contact)
        return {"ContactId": contact.id}

    def _start_outbound_voice_contact(
        self, instance: ConnectInstance, params: dict[str, Any]
    ) -> dict[str, Any]:
        flow = self._flow(instance, params.get("ContactFlowId"))
        destination = params["DestinationPhoneNumber"]
        if not E164.match(destination):
            raise ServiceError(
                "InvalidParameterException", "DestinationPhoneNumber must be in E.164 format"
            )
        queue = None
        if params.get("QueueId"):
            queue = instance.find_queue(params["QueueId"])
            if queue is None:
                raise ServiceError(
                    "ResourceNotFoundException", f"Queue {params['QueueId']} not found"
                )
        source = params.get("SourcePhoneNumber")
        if queue is None and not source:
            raise ServiceError(
                "InvalidRequestException",
                "SourcePhoneNumber is required when no QueueId gives an outbound caller ID",
            )
        if source and source not in instance.phone_numbers:
            raise ServiceError(
                "InvalidParameterException",
                "SourcePhoneNumber is not a phone number claimed by the instance",
            )
        contact = self._requested_contact(
            instance,
            params,
            channel="VOICE",
            initiation_method="OUTBOUND",
            flow=flow,
            queue=queue,
            customer_endpoint={"Type": "TELEPHONE_NUMBER", "Address": destination},
            system_endpoint={"Type": "TELEPHONE_NUMBER", "Address": source} if source else None,
        )
        self._start(contact)
        return {"ContactId": contact.id}

    def _start_email_contact(
        self, instance: ConnectInstance, params: dict[str, Any]
    ) -> dict[str, Any]:
        flow = self._flow(instance, params.get("ContactFlowId") or instance.email_flow_id)
        destination = params["DestinationEmailAddress"]
        if instance.email_addresses and destination.lower() not in instance.email_addresses:
            raise ServiceError(
                "ResourceNotFoundException",
                f"Email address {destination} is not an email address of the instance",
            )
        sender = params["FromEmailAddress"]
        if not EMAIL.match(sender.get("EmailAddress", "")):
            raise ServiceError(
                "InvalidRequestException", "FromEmailAddress is not an email address"
            )
        raw = params["EmailMessage"].get("RawMessage") or {}
        if raw.get("ContentType") not in ("text/plain", "text/html"):
            raise ServiceError(
                "InvalidRequestException",
                "EmailMessage.RawMessage.ContentType must be text/plain or text/html",
            )
        contact = self._requested_contact(
            instance,
            params,
            channel="EMAIL",
            initiation_method="API",
            flow=flow,
            customer_endpoint={"Type": "EMAIL_ADDRESS", "Address": sender["EmailAddress"]},
            system_endpoint={"Type": "EMAIL_ADDRESS", "Address": destination},
        )
        self._start(contact)
        return {"ContactId": contact.id}

    def _update_contact_attributes(
        self, instance: ConnectInstance, params: dict[str, Any]
    ) -> dict[str, Any]:
        contact = self._contact(instance, params["InitialContactId"])
        merged = {**contact.attributes, **params["Attributes"]}
        _check_attributes(merged)
        contact.attributes = merged
        contact.updated_at = self.clock()
        return {}

    def _get_contact_attributes(
        self, instance: ConnectInstance, params: dict[str, Any]
    ) -> dict[str, Any]:
        contact = self._contact(instance, params["InitialContactId"])
        return {"Attributes": dict(contact.attributes)}

    def _stop_contact(self, instance: ConnectInstance, params: dict[str, Any]) -> dict[str, Any]:
        contact = self.contacts.get(params["ContactId"])
        if contact is None or contact.instance is not instance or not contact.active:
            raise ServiceError(
                "ContactNotFoundException",
                f"Contact {params['ContactId']} is not active or does not exist",
            )
        reason = params.get("DisconnectReason")
        if reason is not None and contact.channel != "VOICE":
            raise ServiceError(
                "InvalidRequestException", "DisconnectReason is supported for voice contacts only"
            )
        contact.disconnected_at = self.clock()
        contact.updated_at = contact.disconnected_at
        contact.disconnect_reason = (reason or {}).get("Code") or "API"
        return {}

    def _describe_contact(
        self, instance: ConnectInstance, params: dict[str, Any]
    ) -> dict[str, Any]:
        return {"Contact": self._contact(instance, params["ContactId"]).describe()}

    # -- entry points -> flows (what the stacks' custom resources call) ------------------------
    def _associate_flow(self, instance: ConnectInstance, params: dict[str, Any]) -> dict[str, Any]:
        resource_type = params["ResourceType"]
        resource_id = self._flow_resource(instance, resource_type, params["ResourceId"])
        flow = self._flow(instance, params["FlowId"])
        instance.flow_associations[(resource_type, resource_id)] = flow.id
        return {}

    def _disassociate_flow(
        self, instance: ConnectInstance, params: dict[str, Any]
    ) -> dict[str, Any]:
        resource_type = params["ResourceType"]
        key = (resource_type, self._flow_resource(instance, resource_type, params["ResourceId"]))
        if instance.flow_associations.pop(key, None) is None:
            raise ServiceError(
                "ResourceNotFoundException",
                f"{resource_type} {params['ResourceId']} is not associated with a flow",
            )
        return {}

    def _flow_resource(self, instance: ConnectInstance, resource_type: str, arn: str) -> str:
        """The ResourceId, checked to be the kind of ARN the API takes for this ResourceType."""
        expected = FLOW_RESOURCE_ARNS.get(resource_type)
        if expected is None:
            return arn  # ANALYTICS_CONNECTOR: the reference names no format
        description, pattern = expected
        match = re.fullmatch(pattern, arn)
        if match is None:
            raise ServiceError(
                "InvalidParameterException",
                f"ResourceId for {resource_type} must be {description}, not {arn}",
            )
        if (match["region"], match["account"]) != (self.region, self.account_id):
            raise ServiceError(
                "InvalidParameterException",
                f"ResourceId {arn} is not in the instance's account {self.account_id} and "
                f"Region {self.region}",
            )
        if "instance" in match.groupdict() and match["instance"] != instance.id:
            raise ServiceError(
                "ResourceNotFoundException", f"{arn} is not an email address of the instance"
            )
        return arn

    def _associate_phone_number_contact_flow(
        self, instance: ConnectInstance, params: dict[str, Any]
    ) -> dict[str, Any]:
        number = self._claimed_number(instance, params["PhoneNumberId"])
        flow = self._flow(instance, params["ContactFlowId"])
        instance.number_flows[number.id] = flow.id
        return {}

    def _disassociate_phone_number_contact_flow(
        self, instance: ConnectInstance, params: dict[str, Any]
    ) -> dict[str, Any]:
        number = self._claimed_number(instance, params["PhoneNumberId"])
        instance.number_flows.pop(number.id, None)
        return {}

    def _claimed_number(self, instance: ConnectInstance, number_id: str) -> PhoneNumberEntry:
        number = instance.find_phone_number(number_id)
        if number is None:
            raise ServiceError(
                "ResourceNotFoundException",
                f"PhoneNumber {number_id} is not a number claimed by the instance",
            )
        return number


def _check_attributes(attributes: dict[str, str]) -> None:
    size = sum(len(k.encode()) + len(v.encode()) for k, v in attributes.items())
    if size > ATTRIBUTES_MAX_BYTES:
        raise ServiceError(
            "InvalidParameterException",
            f"contact attributes total {size} bytes; Amazon Connect allows 32 KB per contact",
        )


def _stable_id(*parts: str) -> str:
    """Deterministic ids, so a test or a Lambda's environment can name them ahead of time."""
    return str(uuid.uuid5(uuid.NAMESPACE_URL, "/".join(("local-connect", *parts))))


def _last_part(identifier: str) -> str:
    """Connect takes an id or an ARN wherever it takes an instance, flow or queue."""
    return identifier.rsplit("/", 1)[-1]


def _snake(name: str) -> str:
    return re.sub(r"(?<!^)(?=[A-Z])", "_", name).lower()
