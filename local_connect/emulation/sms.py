"""AWS End User Messaging SMS (`pinpoint-sms-voice-v2`): numbers, opt-out lists and sends.

Behaviour follows the API reference and the user guide:
- every account has an opt-out list named `Default`, and a phone number uses one list;
- "If you attempt to send a message to a destination number that is on an opt-out list, and the
  opt-out list is associated with the phone number used to send the message, AWS End User
  Messaging SMS doesn't attempt to send the message": `SendTextMessage` fails with
  `ConflictException`, `Reason` `DESTINATION_PHONE_NUMBER_OPTED_OUT`;
- a customer's STOP reply puts the number on the list (`EndUserOptedOut` true) unless the number
  manages opt-outs itself; HELP and START are keywords too;
- `DescribeOptedOutNumbers` naming a number that is not on the list, and `DeleteOptedOutNumber`
  of such a number, answer `ResourceNotFoundException` (`ResourceType` `opted-out-number`);
- "Each destination phone number can only be deleted once every 30 days" from a list.
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from botocore.model import OperationModel

from local_connect.emulation.wire import ServiceError, constraint_problems

E164 = re.compile(r"^\+[1-9]\d{1,14}$")
OPT_IN_INTERVAL = timedelta(days=30)
DEFAULT_OPT_OUT_LIST = "Default"
# The default keywords of a phone number (user guide, "Keywords"); matched case-insensitively.
STOP_KEYWORDS = frozenset(
    {"STOP", "STOPALL", "UNSUBSCRIBE", "CANCEL", "END", "QUIT", "ARRET", "OPTOUT", "OPT-OUT"}
)
START_KEYWORDS = frozenset({"START", "UNSTOP"})
HELP_KEYWORDS = frozenset({"HELP", "INFO"})


@dataclass
class OptedOutNumber:
    number: str
    opted_out_at: datetime
    end_user: bool


@dataclass
class OptOutList:
    name: str
    arn: str
    created_at: datetime
    numbers: dict[str, OptedOutNumber] = field(default_factory=dict)
    removed_at: dict[str, datetime] = field(default_factory=dict)

    def describe(self) -> dict[str, Any]:
        return {
            "OptOutListArn": self.arn,
            "OptOutListName": self.name,
            "CreatedTimestamp": self.created_at,
        }


@dataclass
class SmsPhoneNumber:
    id: str
    arn: str
    number: str
    opt_out_list: str = DEFAULT_OPT_OUT_LIST
    iso_country_code: str = "US"
    number_type: str = "TOLL_FREE"  # SHORT_CODE | LONG_CODE | TOLL_FREE | TEN_DLC | SIMULATOR
    message_type: str = "TRANSACTIONAL"
    two_way_enabled: bool = True
    two_way_channel_arn: str | None = None
    self_managed_opt_outs: bool = False
    created_at: datetime | None = None

    def describe(self) -> dict[str, Any]:
        answer: dict[str, Any] = {
            "PhoneNumberArn": self.arn,
            "PhoneNumberId": self.id,
            "PhoneNumber": self.number,
            "Status": "ACTIVE",
            "IsoCountryCode": self.iso_country_code,
            "MessageType": self.message_type,
            "NumberCapabilities": ["SMS", "VOICE"],
            "NumberType": self.number_type,
            "MonthlyLeasingPrice": "2.00" if self.number_type == "TOLL_FREE" else "1.00",
            "TwoWayEnabled": self.two_way_enabled,
            "SelfManagedOptOutsEnabled": self.self_managed_opt_outs,
            "OptOutListName": self.opt_out_list,
            "DeletionProtectionEnabled": False,
            "CreatedTimestamp": self.created_at,
        }
        if self.two_way_channel_arn:
            answer["TwoWayChannelArn"] = self.two_way_channel_arn
        return answer


@dataclass(frozen=True)
class SentText:
    """One accepted `SendTextMessage`: what a carrier would have been asked to deliver."""

    message_id: str
    destination: str
    origination: str  # the phone number (E.164) that sent it
    body: str
    message_type: str | None
    configuration_set: str | None
    context: dict[str, str]
    time_to_live: int | None
    sent_at: datetime
    dry_run: bool = False


@dataclass(frozen=True)
class InboundText:
    """A customer's text to one of our numbers, as two-way SMS publishes it to SNS."""

    origination: str
    destination: str
    body: str
    keyword: str | None
    message_id: str

    def sns_message(self) -> dict[str, Any]:
        """The JSON End User Messaging publishes to the two-way channel's SNS topic."""
        return {
            "originationNumber": self.origination,
            "destinationNumber": self.destination,
            "messageKeyword": self.keyword or "",
            "messageBody": self.body,
            "inboundMessageId": self.message_id,
            "previousPublishedMessageId": "",
        }


class SmsEmulator:
    OPERATIONS = frozenset(
        {
            "SendTextMessage",
            "DescribeOptedOutNumbers",
            "PutOptedOutNumber",
            "DeleteOptedOutNumber",
            "CreateOptOutList",
            "DeleteOptOutList",
            "DescribeOptOutLists",
            "DescribePhoneNumbers",
        }
    )

    def __init__(self, *, account_id: str, region: str, clock: Callable[[], datetime]) -> None:
        self.account_id = account_id
        self.region = region
        self.clock = clock
        self.opt_out_lists: dict[str, OptOutList] = {}
        self.phone_numbers: dict[str, SmsPhoneNumber] = {}
        self.sent: list[SentText] = []
        self.inbound: list[InboundText] = []
        self.create_opt_out_list(DEFAULT_OPT_OUT_LIST)

    # -- set-up and customers' actions --------------------------------------------------------
    def create_opt_out_list(self, name: str) -> OptOutList:
        arn = f"arn:aws:sms-voice:{self.region}:{self.account_id}:opt-out-list/{name}"
        opt_out_list = OptOutList(name, arn, self.clock())
        self.opt_out_lists[name] = opt_out_list
        return opt_out_list

    def add_phone_number(
        self,
        number: str,
        *,
        opt_out_list: str = DEFAULT_OPT_OUT_LIST,
        number_type: str = "TOLL_FREE",
        two_way_enabled: bool = True,
        self_managed_opt_outs: bool = False,
    ) -> SmsPhoneNumber:
        if opt_out_list not in self.opt_out_lists:
            self.create_opt_out_list(opt_out_list)
        number_id = "phone-" + uuid.uuid5(uuid.NAMESPACE_URL, f"local-connect/sms/{number}").hex
        entry = SmsPhoneNumber(
            id=number_id,
            arn=f"arn:aws:sms-voice:{self.region}:{self.account_id}:phone-number/{number_id}",
            number=number,
            opt_out_list=opt_out_list,
            number_type=number_type,
            two_way_enabled=two_way_enabled,
            self_managed_opt_outs=self_managed_opt_outs,
            created_at=self.clock(),
        )
        self.phone_numbers[number_id] = entry
        return entry

    def receive(self, origination: str, destination: str, body: str) -> InboundText:
        """A customer texts `body` from `origination` to our number `destination`.

        STOP-type keywords put the customer on the number's opt-out list and START-type ones take
        them off, unless the number manages opt-outs itself (then the application must).
        """
        number = self._number(destination)
        word = body.strip().upper()
        keyword = None
        if word in STOP_KEYWORDS | START_KEYWORDS | HELP_KEYWORDS:
            keyword = word
        if keyword and not number.self_managed_opt_outs:
            opt_out_list = self.opt_out_lists[number.opt_out_list]
            if keyword in STOP_KEYWORDS:
                opt_out_list.numbers[origination] = OptedOutNumber(origination, self.clock(), True)
            elif keyword in START_KEYWORDS:
                opt_out_list.numbers.pop(origination, None)
        text = InboundText(origination, number.number, body, keyword, str(uuid.uuid4()))
        self.inbound.append(text)
        return text

    def is_opted_out(self, number: str, opt_out_list: str = DEFAULT_OPT_OUT_LIST) -> bool:
        return number in self.opt_out_lists[opt_out_list].numbers

    @property
    def delivered(self) -> list[SentText]:
        """Sends that were not dry runs."""
        return [text for text in self.sent if not text.dry_run]

    def texts_to(self, destination: str) -> list[SentText]:
        return [text for text in self.delivered if text.destination == destination]

    # -- the API -------------------------------------------------------------------------------
    def handles(self, operation: str) -> bool:
        return operation in self.OPERATIONS

    def answer(self, operation: OperationModel, params: dict[str, Any]) -> dict[str, Any]:
        problems = constraint_problems(operation.input_shape, params)
        if problems:
            raise ServiceError(
                "ValidationException",
                "; ".join(problems),
                Reason="FIELD_VALIDATION_FAILED",
                Fields=[
                    {"Name": problem.split(":", 1)[0], "Message": problem.split(": ", 1)[-1]}
                    for problem in problems
                ],
            )
        handler = getattr(self, f"_{_snake(operation.name)}")
        result: dict[str, Any] = handler(params)
        return result

    def _number(self, identity: str) -> SmsPhoneNumber:
        """A number by id, ARN or the E.164 number itself, as OriginationIdentity allows."""
        for number in self.phone_numbers.values():
            if identity in (number.id, number.arn, number.number):
                return number
        raise ServiceError(
            "ResourceNotFoundException",
            f"phone number {identity} not found",
            ResourceType="phone-number",
            ResourceId=identity,
        )

    def _list(self, name_or_arn: str) -> OptOutList:
        for opt_out_list in self.opt_out_lists.values():
            if name_or_arn in (opt_out_list.name, opt_out_list.arn):
                return opt_out_list
        raise ServiceError(
            "ResourceNotFoundException",
            f"opt-out list {name_or_arn} not found",
            ResourceType="opt-out-list",
            ResourceId=name_or_arn,
        )

    @staticmethod
    def _e164(field_name: str, number: str) -> None:
        if not E164.match(number):
            raise ServiceError(
                "ValidationException",
                f"{field_name} is not a valid E.164 phone number",
                Reason="INVALID_PARAMETER",
                Fields=[{"Name": field_name, "Message": "must be in E.164 format"}],
            )

    def _send_text_message(self, params: dict[str, Any]) -> dict[str, Any]:
        destination = params["DestinationPhoneNumber"]
        self._e164("DestinationPhoneNumber", destination)
        identity = params.get("OriginationIdentity")
        if identity is None:
            if not self.phone_numbers:
                raise ServiceError(
                    "ConflictException",
                    "no origination identity can send to this destination",
                    Reason="NO_ORIGINATION_IDENTITIES_FOUND",
                )
            number = next(iter(self.phone_numbers.values()))
        else:
            number = self._number(identity)
        if params.get("ConfigurationSetName") is not None and not params["ConfigurationSetName"]:
            raise ServiceError("ValidationException", "ConfigurationSetName is empty")
        if destination in self.opt_out_lists[number.opt_out_list].numbers:
            raise ServiceError(
                "ConflictException",
                "The destination phone number is opted out",
                Reason="DESTINATION_PHONE_NUMBER_OPTED_OUT",
                ResourceType="opted-out-number",
                ResourceId=destination,
            )
        text = SentText(
            message_id=str(uuid.uuid4()),
            destination=destination,
            origination=number.number,
            body=params.get("MessageBody", ""),
            message_type=params.get("MessageType"),
            configuration_set=params.get("ConfigurationSetName"),
            context=dict(params.get("Context") or {}),
            time_to_live=params.get("TimeToLive"),
            sent_at=self.clock(),
            dry_run=bool(params.get("DryRun")),
        )
        self.sent.append(text)
        return {"MessageId": text.message_id}

    def _describe_opted_out_numbers(self, params: dict[str, Any]) -> dict[str, Any]:
        opt_out_list = self._list(params["OptOutListName"])
        wanted = params.get("OptedOutNumbers")
        if wanted:
            missing = [number for number in wanted if number not in opt_out_list.numbers]
            if missing:
                raise ServiceError(
                    "ResourceNotFoundException",
                    f"opted-out number {missing[0]} not found in {opt_out_list.name}",
                    ResourceType="opted-out-number",
                    ResourceId=missing[0],
                )
            entries = [opt_out_list.numbers[number] for number in wanted]
        else:
            entries = list(opt_out_list.numbers.values())
        for condition in params.get("Filters") or []:
            if condition["Name"] == "end-user-opted-out":
                values = {value.lower() for value in condition["Values"]}
                entries = [e for e in entries if str(e.end_user).lower() in values]
        page, next_token = _page(entries, params)
        return {
            "OptOutListArn": opt_out_list.arn,
            "OptOutListName": opt_out_list.name,
            "OptedOutNumbers": [
                {
                    "OptedOutNumber": e.number,
                    "OptedOutTimestamp": e.opted_out_at,
                    "EndUserOptedOut": e.end_user,
                }
                for e in page
            ],
            "NextToken": next_token,
        }

    def _put_opted_out_number(self, params: dict[str, Any]) -> dict[str, Any]:
        opt_out_list = self._list(params["OptOutListName"])
        number = params["OptedOutNumber"]
        self._e164("OptedOutNumber", number)
        entry = opt_out_list.numbers.get(number)
        if entry is None:
            entry = OptedOutNumber(number, self.clock(), end_user=False)
            opt_out_list.numbers[number] = entry
        return {
            "OptOutListArn": opt_out_list.arn,
            "OptOutListName": opt_out_list.name,
            "OptedOutNumber": number,
            "OptedOutTimestamp": entry.opted_out_at,
            "EndUserOptedOut": entry.end_user,
        }

    def _delete_opted_out_number(self, params: dict[str, Any]) -> dict[str, Any]:
        opt_out_list = self._list(params["OptOutListName"])
        number = params["OptedOutNumber"]
        entry = opt_out_list.numbers.get(number)
        if entry is None:
            raise ServiceError(
                "ResourceNotFoundException",
                f"opted-out number {number} not found in {opt_out_list.name}",
                ResourceType="opted-out-number",
                ResourceId=number,
            )
        now = self.clock()
        last_removed = opt_out_list.removed_at.get(number)
        if last_removed is not None and now - last_removed < OPT_IN_INTERVAL:
            raise ServiceError(
                "ValidationException",
                "a destination phone number can be deleted from an opt-out list once every 30 days",
                Reason="PHONE_NUMBER_CANNOT_BE_OPTED_IN",
            )
        del opt_out_list.numbers[number]
        opt_out_list.removed_at[number] = now
        return {
            "OptOutListArn": opt_out_list.arn,
            "OptOutListName": opt_out_list.name,
            "OptedOutNumber": number,
            "OptedOutTimestamp": entry.opted_out_at,
            "EndUserOptedOut": entry.end_user,
        }

    def _create_opt_out_list(self, params: dict[str, Any]) -> dict[str, Any]:
        name = params["OptOutListName"]
        if name in self.opt_out_lists:
            raise ServiceError(
                "ConflictException",
                f"opt-out list {name} already exists",
                Reason="RESOURCE_ALREADY_EXISTS",
                ResourceType="opt-out-list",
                ResourceId=name,
            )
        created = self.create_opt_out_list(name)
        return {**created.describe(), "Tags": params.get("Tags") or []}

    def _delete_opt_out_list(self, params: dict[str, Any]) -> dict[str, Any]:
        opt_out_list = self._list(params["OptOutListName"])
        if any(n.opt_out_list == opt_out_list.name for n in self.phone_numbers.values()):
            raise ServiceError(
                "ConflictException",
                f"opt-out list {opt_out_list.name} is used by a phone number",
                Reason="RESOURCE_DELETION_NOT_ALLOWED",
                ResourceType="opt-out-list",
                ResourceId=opt_out_list.name,
            )
        del self.opt_out_lists[opt_out_list.name]
        return opt_out_list.describe()

    def _describe_opt_out_lists(self, params: dict[str, Any]) -> dict[str, Any]:
        names = params.get("OptOutListNames")
        lists = [self._list(name) for name in names] if names else list(self.opt_out_lists.values())
        page, next_token = _page(lists, params)
        return {"OptOutLists": [entry.describe() for entry in page], "NextToken": next_token}

    def _describe_phone_numbers(self, params: dict[str, Any]) -> dict[str, Any]:
        ids = params.get("PhoneNumberIds")
        numbers = [self._number(i) for i in ids] if ids else list(self.phone_numbers.values())
        described = [number.describe() for number in numbers]
        filter_keys = {
            "status": "Status",
            "iso-country-code": "IsoCountryCode",
            "message-type": "MessageType",
            "number-type": "NumberType",
            "opt-out-list-name": "OptOutListName",
            "two-way-enabled": "TwoWayEnabled",
            "self-managed-opt-outs-enabled": "SelfManagedOptOutsEnabled",
        }
        for condition in params.get("Filters") or []:
            key = filter_keys.get(condition["Name"])
            if key is None:
                continue
            values = {value.lower() for value in condition["Values"]}
            described = [d for d in described if str(d[key]).lower() in values]
        page, next_token = _page(described, params)
        return {"PhoneNumbers": page, "NextToken": next_token}


def _page(items: list[Any], params: dict[str, Any]) -> tuple[list[Any], str | None]:
    start = 0
    if params.get("NextToken"):
        try:
            start = int(params["NextToken"])
        except ValueError:
            raise ServiceError(
                "ValidationException", "NextToken is not valid", Reason="INVALID_NEXT_TOKEN"
            ) from None
    size = params.get("MaxResults") or 100
    page = items[start : start + size]
    more = start + size < len(items)
    return page, str(start + size) if more else None


def _snake(name: str) -> str:
    return re.sub(r"(?<!^)(?=[A-Z])", "_", name).lower()
