"""Amazon Connect's data plane and End User Messaging SMS for unmodified boto3 clients.

moto 5 has neither (it creates Connect instances and nothing more, and has no
`pinpoint-sms-voice-v2`). This package answers those calls inside botocore, through the same
`before-send` event moto uses, so requests are validated and serialized by botocore's service
models on the way in and responses parsed by them on the way out, exactly as against AWS.

Usage::

    from local_connect.emulation import AwsWorld, emulate_aws

    world = AwsWorld.from_config(config)          # instance, flows, queues, numbers, opt-out list
    with mock_aws(), emulate_aws(world):          # moto optional; emulate_aws alone works too
        connect = boto3.client("connect")
        answer = connect.start_chat_contact(
            InstanceId=world.instance.id,
            ContactFlowId=world.instance.flow("inbound_chat").id,
            ParticipantDetails={"DisplayName": "Ana"},
        )
        world.connect.chats[-1].attributes        # what was started, with what
        world.sms.sent                            # SentText(destination, body, origination...)

Emulated operations:
- connect: StartChatContact, StartTaskContact, StartOutboundVoiceContact, StartEmailContact,
  UpdateContactAttributes, GetContactAttributes, StopContact, DescribeContact. Other Connect
  operations go to moto when a moto mock is active (CreateInstance...), else they fail.
- pinpoint-sms-voice-v2: SendTextMessage, DescribeOptedOutNumbers, PutOptedOutNumber,
  DeleteOptedOutNumber, CreateOptOutList, DeleteOptOutList, DescribeOptOutLists,
  DescribePhoneNumbers.

What the world exposes:
- `world.instance` (the stage's Connect instance: `.id`, `.arn`, `.flow(name).id`,
  `.queue(name).id`, `.phone_numbers`), `world.connect.contacts` / `.chats` / `.tasks` /
  `.emails` / `.outbound_calls` (`EmulatedContact`: id, flow, attributes, participant token,
  endpoints, request as sent), `world.connect.on_contact_started(listener)`;
- `world.sms_number` (the SMS origination number: `.id`, `.number`, `.opt_out_list`),
  `world.sms.sent` / `.delivered` / `.texts_to(number)` (`SentText`), `world.sms.receive(from,
  to, body)` (a customer's reply: STOP/START keywords update the opt-out list; returns the
  two-way SNS message), `world.sms.opt_out_lists`;
- `world.calls` (every answered request and its error code), `world.fail_next(service,
  operation, code)` (inject a real error), `world.faults` (the world's `FaultInjector`, for any
  service: repeated errors, botocore timeouts, slowness on a `FakeClock`; see `faults`),
  `world.clock` (timestamps; settable).

Errors are the services' own codes with their modeled fields (for example ConflictException
with `Reason` DESTINATION_PHONE_NUMBER_OPTED_OUT for a send to an opted-out number), so callers'
`ClientError` handling runs as it would against AWS.

Clients created before this package was imported, from a session that existed then, lack the
hook: create clients afterwards, or pass them to `patch_client`.
"""

from local_connect.emulation.connect import ConnectInstance, EmulatedContact
from local_connect.emulation.hooks import install, patch_client
from local_connect.emulation.sms import InboundText, SentText, SmsPhoneNumber
from local_connect.emulation.wire import ServiceError
from local_connect.emulation.world import AwsWorld, Call, emulate_aws

install()

__all__ = [
    "AwsWorld",
    "Call",
    "ConnectInstance",
    "EmulatedContact",
    "InboundText",
    "SentText",
    "ServiceError",
    "SmsPhoneNumber",
    "emulate_aws",
    "patch_client",
]
