"""The Connect data plane and End User Messaging SMS, answered to unmodified boto3 clients."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import boto3
import pytest
from botocore.exceptions import ClientError, ParamValidationError
from moto import mock_aws

from config import ContactCenterConfig
from lambdas.notify.gateways import RecipientOptedOut, SmsGateway
from local_connect.emulation import AwsWorld, EmulatedContact, emulate_aws

CUSTOMER = "+15555550123"


class Clock:
    def __init__(self) -> None:
        self.now = datetime(2026, 11, 23, 15, 0, tzinfo=UTC)

    def __call__(self) -> datetime:
        return self.now


@pytest.fixture()
def clock() -> Clock:
    return Clock()


@pytest.fixture()
def world(dev_config: ContactCenterConfig, clock: Clock) -> Iterator[AwsWorld]:
    world = AwsWorld.from_config(dev_config, clock=clock)
    with mock_aws(), emulate_aws(world):
        yield world


@pytest.fixture()
def connect(world: AwsWorld) -> Any:
    return boto3.client("connect", region_name="us-east-1")


@pytest.fixture()
def sms(world: AwsWorld) -> Any:
    return boto3.client("pinpoint-sms-voice-v2", region_name="us-east-1")


def start_chat(connect: Any, world: AwsWorld, **extra: Any) -> dict[str, Any]:
    request = {
        "InstanceId": world.instance.id,
        "ContactFlowId": world.instance.flow("inbound_chat").id,
        "ParticipantDetails": {"DisplayName": "Ana Diaz"},
        "Attributes": {"intent": "billing"},
        "SupportedMessagingContentTypes": ["text/plain", "text/markdown"],
        **extra,
    }
    return dict(connect.start_chat_contact(**request))


# -- Connect ---------------------------------------------------------------------------------------


def test_start_chat_answers_ids_and_token_and_records_the_contact(
    connect: Any, world: AwsWorld
) -> None:
    answer = start_chat(connect, world)

    chat = world.connect.chats[-1]
    assert answer["ContactId"] == chat.id
    assert answer["ParticipantId"] == chat.participant_id
    assert answer["ParticipantToken"] == chat.participant_token
    assert len(answer["ParticipantToken"]) > 50
    assert chat.flow is not None and chat.flow.name == "inbound_chat"
    assert chat.attributes == {"intent": "billing"}
    assert chat.request["ParticipantDetails"] == {"DisplayName": "Ana Diaz"}


def test_attributes_round_trip_through_update_get_and_describe(
    connect: Any, world: AwsWorld, clock: Clock
) -> None:
    contact_id = start_chat(connect, world)["ContactId"]
    clock.now += timedelta(minutes=2)

    connect.update_contact_attributes(
        InstanceId=world.instance.arn, InitialContactId=contact_id, Attributes={"tier": "vip"}
    )

    attributes = connect.get_contact_attributes(
        InstanceId=world.instance.id, InitialContactId=contact_id
    )["Attributes"]
    assert attributes == {"intent": "billing", "tier": "vip"}
    described = connect.describe_contact(InstanceId=world.instance.id, ContactId=contact_id)
    contact = described["Contact"]
    assert contact["Channel"] == "CHAT" and contact["InitiationMethod"] == "API"
    assert contact["InitiationTimestamp"] == datetime(2026, 11, 23, 15, 0, tzinfo=UTC)
    assert contact["LastUpdateTimestamp"] == datetime(2026, 11, 23, 15, 2, tzinfo=UTC)


def test_unknown_instance_flow_and_contact_are_resource_not_found(
    connect: Any, world: AwsWorld
) -> None:
    with pytest.raises(connect.exceptions.ResourceNotFoundException):
        start_chat(connect, world, InstanceId="00000000-0000-0000-0000-000000000000")
    with pytest.raises(connect.exceptions.ResourceNotFoundException, match="ContactFlow"):
        start_chat(connect, world, ContactFlowId="not-a-flow")
    with pytest.raises(connect.exceptions.ResourceNotFoundException):
        connect.get_contact_attributes(InstanceId=world.instance.id, InitialContactId="nobody")
    assert world.connect.chats == []


def test_stopping_a_stopped_contact_is_contact_not_found_with_http_410(
    connect: Any, world: AwsWorld
) -> None:
    contact_id = start_chat(connect, world)["ContactId"]
    connect.stop_contact(InstanceId=world.instance.id, ContactId=contact_id)
    assert not world.connect.contacts[contact_id].active

    with pytest.raises(connect.exceptions.ContactNotFoundException) as refused:
        connect.stop_contact(InstanceId=world.instance.id, ContactId=contact_id)
    assert refused.value.response["ResponseMetadata"]["HTTPStatusCode"] == 410


def test_requests_botocore_rejects_never_reach_the_emulation(
    connect: Any, sms: Any, world: AwsWorld
) -> None:
    with pytest.raises(ParamValidationError, match="ParticipantDetails"):
        connect.start_chat_contact(
            InstanceId=world.instance.id, ContactFlowId=world.instance.flow("inbound_chat").id
        )
    with pytest.raises(ParamValidationError, match="ChatDurationInMinutes"):
        start_chat(connect, world, ChatDurationInMinutes=10)  # below the model's minimum 60
    with pytest.raises(ParamValidationError, match="DestinationPhoneNumber"):
        sms.send_text_message(DestinationPhoneNumber=15555550123, MessageBody="hi")
    assert world.calls == []


def test_limits_the_service_enforces_beyond_botocore_are_refused_with_its_codes(
    connect: Any, sms: Any, world: AwsWorld
) -> None:
    # botocore checks minimums only; Connect and End User Messaging check maximums and enums.
    with pytest.raises(connect.exceptions.InvalidParameterException, match="ChatDuration"):
        start_chat(connect, world, ChatDurationInMinutes=20_000)
    with pytest.raises(connect.exceptions.InvalidParameterException, match="32767"):
        start_chat(connect, world, Attributes={"note": "x" * 40_000})
    with pytest.raises(sms.exceptions.ValidationException) as refused:
        sms.send_text_message(
            DestinationPhoneNumber=CUSTOMER, MessageBody="hi", MessageType="URGENT"
        )
    assert refused.value.response["Reason"] == "FIELD_VALIDATION_FAILED"
    assert refused.value.response["Fields"][0]["Name"] == "MessageType"


def test_chat_must_support_plain_text(connect: Any, world: AwsWorld) -> None:
    with pytest.raises(connect.exceptions.InvalidRequestException, match="text/plain"):
        start_chat(connect, world, SupportedMessagingContentTypes=["text/markdown"])


def test_a_repeated_client_token_returns_the_first_contact(connect: Any, world: AwsWorld) -> None:
    first = start_chat(connect, world, ClientToken="form-submit-1")
    again = start_chat(connect, world, ClientToken="form-submit-1")
    assert first["ContactId"] == again["ContactId"]
    assert len(world.connect.chats) == 1


def test_outbound_voice_needs_a_queue_or_a_claimed_source_number(
    connect: Any, world: AwsWorld
) -> None:
    base = {
        "InstanceId": world.instance.id,
        "ContactFlowId": world.instance.flow("inbound_voice").id,
        "DestinationPhoneNumber": CUSTOMER,
    }
    with pytest.raises(connect.exceptions.InvalidRequestException, match="SourcePhoneNumber"):
        connect.start_outbound_voice_contact(**base)
    with pytest.raises(connect.exceptions.InvalidParameterException, match="claimed"):
        connect.start_outbound_voice_contact(**base, SourcePhoneNumber="+15555550999")
    with pytest.raises(connect.exceptions.InvalidParameterException, match="DestinationPhone"):
        connect.start_outbound_voice_contact(
            **{**base, "DestinationPhoneNumber": "555-0123"},
            QueueId=world.instance.queue("billing").id,
        )

    answer = connect.start_outbound_voice_contact(
        **base, QueueId=world.instance.queue("billing").arn, Attributes={"callback": "true"}
    )

    call = world.connect.outbound_calls[-1]
    assert call.id == answer["ContactId"]
    assert call.queue is not None and call.queue.name == "billing"
    assert call.customer_endpoint == {"Type": "TELEPHONE_NUMBER", "Address": CUSTOMER}


def test_tasks_need_a_flow_and_a_schedule_within_six_days(
    connect: Any, world: AwsWorld, clock: Clock
) -> None:
    base = {"InstanceId": world.instance.id, "Name": "Call back about the bill"}
    with pytest.raises(connect.exceptions.InvalidRequestException):
        connect.start_task_contact(**base)
    flow = world.instance.flow("inbound_task").id
    with pytest.raises(connect.exceptions.InvalidParameterException, match="6 days"):
        connect.start_task_contact(
            **base, ContactFlowId=flow, ScheduledTime=clock.now + timedelta(days=7)
        )

    answer = connect.start_task_contact(
        **base,
        ContactFlowId=flow,
        References={"case": {"Value": "https://crm.example/1", "Type": "URL"}},
        ScheduledTime=clock.now + timedelta(days=1),
    )

    task = world.connect.tasks[-1]
    assert task.id == answer["ContactId"] and task.name == "Call back about the bill"
    assert task.scheduled_at == clock.now + timedelta(days=1)
    assert task.request["References"]["case"]["Type"] == "URL"


def test_email_contacts_go_to_the_instance_addresses_only(
    connect: Any, world: AwsWorld, dev_config: ContactCenterConfig
) -> None:
    assert dev_config.email is not None
    base = {
        "InstanceId": world.instance.id,
        "ContactFlowId": world.instance.flow("inbound_email").id,
        "FromEmailAddress": {"EmailAddress": "ana@example.com"},
        "EmailMessage": {
            "MessageSourceType": "RAW",
            "RawMessage": {
                "Subject": "Bill",
                "Body": "My bill is wrong",
                "ContentType": "text/plain",
            },
        },
    }
    with pytest.raises(connect.exceptions.ResourceNotFoundException):
        connect.start_email_contact(**base, DestinationEmailAddress="nobody@elsewhere.example")

    connect.start_email_contact(
        **base, DestinationEmailAddress=f"billing@{dev_config.email.domain}"
    )

    email = world.connect.emails[-1]
    assert email.customer_endpoint == {"Type": "EMAIL_ADDRESS", "Address": "ana@example.com"}


def test_listeners_hear_each_started_contact(connect: Any, world: AwsWorld) -> None:
    heard: list[EmulatedContact] = []
    world.connect.on_contact_started(heard.append)
    start_chat(connect, world)
    assert [contact.channel for contact in heard] == ["CHAT"]


def test_moto_still_answers_the_connect_operations_it_has(connect: Any, world: AwsWorld) -> None:
    created = connect.create_instance(
        IdentityManagementType="CONNECT_MANAGED",
        InstanceAlias="moto-made",
        InboundCallsEnabled=True,
        OutboundCallsEnabled=True,
    )
    assert connect.describe_instance(InstanceId=created["Id"])["Instance"]["InstanceAlias"] == (
        "moto-made"
    )
    assert world.calls == []  # moto answered, not the emulation


def test_without_moto_unemulated_operations_fail_instead_of_reaching_aws(
    dev_config: ContactCenterConfig,
) -> None:
    world = AwsWorld.from_config(dev_config)
    with emulate_aws(world):
        connect = boto3.client("connect", region_name="us-east-1")
        start_chat(connect, world)
        with pytest.raises(ClientError, match="not emulated"):
            connect.list_instances()
    assert len(world.connect.chats) == 1


def test_injected_throttling_is_retried_by_botocore(connect: Any, world: AwsWorld) -> None:
    world.fail_next("connect", "StartChatContact", "ThrottlingException", "slow down")
    start_chat(connect, world)
    assert [call.error for call in world.calls_to("StartChatContact")] == [
        "ThrottlingException",
        None,
    ]


def test_associate_flow_takes_the_end_user_messaging_arn_for_an_sms_number(
    connect: Any, world: AwsWorld
) -> None:
    flow = world.instance.flow("inbound_chat")
    claimed = world.instance.find_phone_number(world.instance.phone_numbers["+18335550142"].id)
    assert claimed is not None

    # Connect's own phone-number ARN is the mistake: AssociateFlow takes End User Messaging's.
    with pytest.raises(ClientError) as refused:
        connect.associate_flow(
            InstanceId=world.instance.id,
            ResourceId=claimed.arn,
            FlowId=flow.id,
            ResourceType="SMS_PHONE_NUMBER",
        )
    assert refused.value.response["Error"]["Code"] == "InvalidParameterException"
    assert "End User Messaging SMS phone number ARN" in str(refused.value)

    connect.associate_flow(
        InstanceId=world.instance.id,
        ResourceId=world.sms_number.arn,
        FlowId=flow.arn,
        ResourceType="SMS_PHONE_NUMBER",
    )
    assert world.instance.flow_associations == {("SMS_PHONE_NUMBER", world.sms_number.arn): flow.id}
    connect.disassociate_flow(
        InstanceId=world.instance.id,
        ResourceId=world.sms_number.arn,
        ResourceType="SMS_PHONE_NUMBER",
    )
    assert world.instance.flow_associations == {}


@pytest.mark.parametrize(
    ("resource_type", "accepted", "refused"),
    [
        (
            "WHATSAPP_MESSAGING_PHONE_NUMBER",
            "arn:aws:social-messaging:us-east-1:123456789012:phone-number-id/0123456789abcdef",
            "arn:aws:sms-voice:us-east-1:123456789012:phone-number/phone-0123456789abcdef",
        ),
        (
            "SMS_PHONE_NUMBER",
            "arn:aws:sms-voice:us-east-1:123456789012:phone-number/phone-0123456789abcdef",
            # Another Region's number: Connect works with numbers of its own Region.
            "arn:aws:sms-voice:eu-west-2:123456789012:phone-number/phone-0123456789abcdef",
        ),
    ],
)
def test_associate_flow_checks_the_kind_of_arn_per_resource_type(
    connect: Any, world: AwsWorld, resource_type: str, accepted: str, refused: str
) -> None:
    request = {"InstanceId": world.instance.id, "FlowId": world.instance.flow("inbound_chat").id}
    connect.associate_flow(ResourceId=accepted, ResourceType=resource_type, **request)
    with pytest.raises(ClientError, match="InvalidParameterException"):
        connect.associate_flow(ResourceId=refused, ResourceType=resource_type, **request)


def test_an_email_address_of_another_instance_is_not_found(connect: Any, world: AwsWorld) -> None:
    other = world.instance.arn.replace(world.instance.id, "00000000-0000-0000-0000-000000000000")
    with pytest.raises(ClientError, match="ResourceNotFoundException"):
        connect.associate_flow(
            InstanceId=world.instance.id,
            ResourceId=f"{other}/email-address/11111111-1111-1111-1111-111111111111",
            FlowId=world.instance.flow("inbound_email").id,
            ResourceType="INBOUND_EMAIL",
        )


def test_a_phone_number_flow_needs_a_number_the_instance_claimed(
    connect: Any, world: AwsWorld
) -> None:
    number = next(iter(world.instance.phone_numbers.values()))
    flow = world.instance.flow("inbound_voice")
    connect.associate_phone_number_contact_flow(
        PhoneNumberId=number.arn, InstanceId=world.instance.id, ContactFlowId=flow.id
    )
    assert world.instance.number_flows == {number.id: flow.id}
    with pytest.raises(ClientError, match="ResourceNotFoundException"):
        connect.associate_phone_number_contact_flow(
            PhoneNumberId=world.sms_number.arn,
            InstanceId=world.instance.id,
            ContactFlowId=flow.id,
        )


# -- End User Messaging SMS ------------------------------------------------------------------------


def test_send_text_records_the_message_from_the_stage_number(sms: Any, world: AwsWorld) -> None:
    answer = sms.send_text_message(
        DestinationPhoneNumber=CUSTOMER,
        OriginationIdentity=world.sms_number.arn,
        MessageBody="Your appointment is tomorrow at 9:00.",
        MessageType="TRANSACTIONAL",
        Context={"notification": "n-1"},
        TimeToLive=3600,
    )
    sent = world.sms.texts_to(CUSTOMER)
    assert [text.message_id for text in sent] == [answer["MessageId"]]
    assert sent[0].origination == world.sms_number.number
    assert sent[0].context == {"notification": "n-1"} and sent[0].time_to_live == 3600


def test_a_stop_reply_makes_the_next_send_a_conflict(sms: Any, world: AwsWorld) -> None:
    inbound = world.sms.receive(CUSTOMER, world.sms_number.number, " Stop ")
    assert inbound.keyword == "STOP"
    assert inbound.sns_message()["originationNumber"] == CUSTOMER

    with pytest.raises(sms.exceptions.ConflictException) as refused:
        sms.send_text_message(
            DestinationPhoneNumber=CUSTOMER,
            OriginationIdentity=world.sms_number.id,
            MessageBody="hello",
        )
    assert refused.value.response["Reason"] == "DESTINATION_PHONE_NUMBER_OPTED_OUT"
    assert world.sms.sent == []
    listed = sms.describe_opted_out_numbers(OptOutListName=world.sms_number.opt_out_list)
    assert listed["OptedOutNumbers"][0]["EndUserOptedOut"] is True

    world.sms.receive(CUSTOMER, world.sms_number.number, "START")
    sms.send_text_message(
        DestinationPhoneNumber=CUSTOMER, OriginationIdentity=world.sms_number.id, MessageBody="hi"
    )
    assert len(world.sms.delivered) == 1


def test_an_opt_out_list_only_binds_the_numbers_that_use_it(sms: Any, world: AwsWorld) -> None:
    other = world.sms.add_phone_number("+18335550143", opt_out_list="marketing")
    sms.put_opted_out_number(OptOutListName="marketing", OptedOutNumber=CUSTOMER)

    sms.send_text_message(
        DestinationPhoneNumber=CUSTOMER, OriginationIdentity=world.sms_number.id, MessageBody="ok"
    )
    with pytest.raises(sms.exceptions.ConflictException):
        sms.send_text_message(
            DestinationPhoneNumber=CUSTOMER, OriginationIdentity=other.number, MessageBody="no"
        )


def test_the_notify_gateway_sees_opt_outs_through_the_emulation(world: AwsWorld) -> None:
    gateway = SmsGateway(
        client=boto3.client("pinpoint-sms-voice-v2", region_name="us-east-1"),
        origination_identity=world.sms_number.id,
        opt_out_list=world.sms_number.opt_out_list,
    )
    assert gateway.is_opted_out(CUSTOMER) is False  # ResourceNotFoundException: not on the list
    gateway.send(CUSTOMER, "first", context={}, time_to_live=None)

    world.sms.receive(CUSTOMER, world.sms_number.number, "STOP")

    assert gateway.is_opted_out(CUSTOMER) is True
    with pytest.raises(RecipientOptedOut):
        gateway.send(CUSTOMER, "second", context={}, time_to_live=None)
    assert [text.body for text in world.sms.texts_to(CUSTOMER)] == ["first"]


def test_opted_out_numbers_can_be_deleted_once_every_30_days(
    sms: Any, world: AwsWorld, clock: Clock
) -> None:
    name = world.sms_number.opt_out_list
    sms.put_opted_out_number(OptOutListName=name, OptedOutNumber=CUSTOMER)
    sms.delete_opted_out_number(OptOutListName=name, OptedOutNumber=CUSTOMER)
    with pytest.raises(sms.exceptions.ResourceNotFoundException) as missing:
        sms.delete_opted_out_number(OptOutListName=name, OptedOutNumber=CUSTOMER)
    assert missing.value.response["ResourceType"] == "opted-out-number"

    sms.put_opted_out_number(OptOutListName=name, OptedOutNumber=CUSTOMER)
    with pytest.raises(sms.exceptions.ValidationException) as refused:
        sms.delete_opted_out_number(OptOutListName=name, OptedOutNumber=CUSTOMER)
    assert refused.value.response["Reason"] == "PHONE_NUMBER_CANNOT_BE_OPTED_IN"

    clock.now += timedelta(days=31)
    sms.delete_opted_out_number(OptOutListName=name, OptedOutNumber=CUSTOMER)
    assert not world.sms.is_opted_out(CUSTOMER, name)


def test_opt_out_lists_are_created_once_and_found_by_name(sms: Any, world: AwsWorld) -> None:
    sms.create_opt_out_list(OptOutListName="reminders")
    with pytest.raises(sms.exceptions.ConflictException) as duplicate:
        sms.create_opt_out_list(OptOutListName="reminders")
    assert duplicate.value.response["Reason"] == "RESOURCE_ALREADY_EXISTS"
    with pytest.raises(sms.exceptions.ResourceNotFoundException):
        sms.describe_opted_out_numbers(OptOutListName="never-made")
    names = [entry["OptOutListName"] for entry in sms.describe_opt_out_lists()["OptOutLists"]]
    assert set(names) == {"Default", world.sms_number.opt_out_list, "reminders"}


def test_describe_phone_numbers_reports_the_stage_number_and_its_list(
    sms: Any, world: AwsWorld
) -> None:
    numbers = sms.describe_phone_numbers(Filters=[{"Name": "two-way-enabled", "Values": ["true"]}])[
        "PhoneNumbers"
    ]
    assert [n["PhoneNumber"] for n in numbers] == [world.sms_number.number]
    assert numbers[0]["OptOutListName"] == "riverside-dev"
    with pytest.raises(sms.exceptions.ResourceNotFoundException):
        sms.describe_phone_numbers(PhoneNumberIds=["phone-unknown"])


def test_unknown_origination_identity_is_resource_not_found(sms: Any, world: AwsWorld) -> None:
    with pytest.raises(sms.exceptions.ResourceNotFoundException) as missing:
        sms.send_text_message(
            DestinationPhoneNumber=CUSTOMER, OriginationIdentity="+18005550000", MessageBody="x"
        )
    assert missing.value.response["ResourceType"] == "phone-number"
