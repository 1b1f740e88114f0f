"""The contact center's configuration: one pydantic model, validated before any construct exists.

The same model feeds the CDK app, the flow validator and the local engine, so a value that is
wrong here is caught once, with the field path, before it becomes a failed CloudFormation deploy.
Limits quoted below are Amazon Connect's own (Connect admin guide, "Amazon Connect service quotas"
and the CloudFormation resource reference).
"""

from __future__ import annotations

import calendar
import datetime as dt
import re
from collections.abc import Mapping
from datetime import date, time, timedelta
from enum import StrEnum
from functools import cached_property
from itertools import pairwise
from typing import Literal, Self
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import Field, field_validator, model_validator

from config.history import HistoryConfig
from config.lex import LEX_LOCALES
from config.people import PeopleConfig
from config.primitives import EMAIL_ADDRESS, E164Prefix, ResourceName, StrictModel

CONNECT_ALIAS = re.compile(r"^(?!d-)[a-zA-Z0-9](?:[a-zA-Z0-9-]{0,43}[a-zA-Z0-9])?$")
DOMAIN = re.compile(r"^(?=.{1,253}$)(?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$")
# Reserved for documentation and testing (RFC 2606, RFC 6761): never delegated, never verifiable.
RESERVED_TLDS = ("example", "test", "invalid", "localhost")
RESERVED_DOMAINS = ("example.com", "example.net", "example.org")
# CloudWatch Logs accepts only these retention periods (PutRetentionPolicy).
LOG_RETENTION_DAYS = (1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827)


class Channel(StrEnum):
    """Channels a team can switch on one at a time; SMS is delivered to Connect as chat."""

    VOICE = "voice"
    CHAT = "chat"
    SMS = "sms"
    EMAIL = "email"
    TASKS = "tasks"


class ConnectChannel(StrEnum):
    """Connect's own media channels, as routing profiles and contact records name them."""

    VOICE = "VOICE"
    CHAT = "CHAT"
    TASK = "TASK"
    EMAIL = "EMAIL"


class Weekday(StrEnum):
    MONDAY = "MONDAY"
    TUESDAY = "TUESDAY"
    WEDNESDAY = "WEDNESDAY"
    THURSDAY = "THURSDAY"
    FRIDAY = "FRIDAY"
    SATURDAY = "SATURDAY"
    SUNDAY = "SUNDAY"


class FlowType(StrEnum):
    """CloudFormation `AWS::Connect::ContactFlow.Type` values."""

    CONTACT_FLOW = "CONTACT_FLOW"
    CUSTOMER_QUEUE = "CUSTOMER_QUEUE"
    CUSTOMER_HOLD = "CUSTOMER_HOLD"
    CUSTOMER_WHISPER = "CUSTOMER_WHISPER"
    AGENT_HOLD = "AGENT_HOLD"
    AGENT_WHISPER = "AGENT_WHISPER"
    OUTBOUND_WHISPER = "OUTBOUND_WHISPER"
    AGENT_TRANSFER = "AGENT_TRANSFER"
    QUEUE_TRANSFER = "QUEUE_TRANSFER"
    CAMPAIGN = "CAMPAIGN"


class InstanceConfig(StrictModel):
    alias: str = Field(description="Connect instance alias, unique in the account and region.")
    identity_management: Literal["CONNECT_MANAGED", "SAML", "EXISTING_DIRECTORY"] = (
        "CONNECT_MANAGED"
    )
    directory_id: str | None = Field(
        default=None, description="AWS Directory Service id, only for EXISTING_DIRECTORY."
    )

    @field_validator("alias")
    @classmethod
    def _alias_is_connect_valid(cls, alias: str) -> str:
        if not CONNECT_ALIAS.match(alias):
            raise ValueError(
                f"'{alias}' is not a valid Connect alias: 1-45 letters, digits or '-', "
                "not starting with 'd-' and not starting or ending with '-'"
            )
        return alias

    @model_validator(mode="after")
    def _directory_matches_identity(self) -> Self:
        if self.identity_management == "EXISTING_DIRECTORY" and not self.directory_id:
            raise ValueError(
                "directory_id is required when identity_management is EXISTING_DIRECTORY"
            )
        if self.identity_management != "EXISTING_DIRECTORY" and self.directory_id:
            raise ValueError(
                "directory_id is only used with identity_management EXISTING_DIRECTORY"
            )
        return self


class ChannelsConfig(StrictModel):
    """Any subset is valid; voice-only is the smallest deployment."""

    voice: bool = True
    chat: bool = False
    sms: bool = False
    email: bool = False
    tasks: bool = False

    def enabled(self) -> list[Channel]:
        return [channel for channel in Channel if getattr(self, channel.value)]


class TimeRange(StrictModel):
    start: time
    end: time

    @model_validator(mode="after")
    def _ends_after_start(self) -> Self:
        if self.end <= self.start:
            raise ValueError(f"end {self.end:%H:%M} must be after start {self.start:%H:%M}")
        return self


# How a holiday comes back each year: Connect's yearly `RecurrencePattern` (no docstring, so the
# generated reference shows the values inline rather than as a section of their own).
class Recurrence(StrEnum):
    YEARLY = "yearly"  # the same date: ByMonth + ByMonthDay
    YEARLY_NTH_WEEKDAY = "yearly_nth_weekday"  # e.g. the 4th Thursday of November
    YEARLY_LAST_WEEKDAY = "yearly_last_weekday"  # e.g. the last Monday of May


# How many years a recurring holiday's override covers (its EffectiveTill): Connect applies a
# recurring override only between its effective dates. `validate-config` warns once it has run out.
RECURRENCE_YEARS = 10


class Holiday(StrictModel):
    name: str = Field(min_length=1, max_length=127)
    date: dt.date = Field(description="The day; for a recurring holiday, its first occurrence.")
    open: list[TimeRange] = Field(
        default_factory=list, description="Reduced hours that day; empty means closed all day."
    )
    recurs: Recurrence | None = Field(
        default=None,
        description=(
            "Every year, for ten years from `date`: `yearly` on the same date, "
            "`yearly_nth_weekday` on the same weekday of the month (the 4th Thursday of "
            "November), `yearly_last_weekday` on the last such weekday (the last Monday of May)."
        ),
    )

    @model_validator(mode="after")
    def _recurrence_fits_the_date(self) -> Self:
        day = self.date
        if self.recurs == Recurrence.YEARLY and (day.month, day.day) == (2, 29):
            raise ValueError("recurs: yearly cannot start on 29 February (most years have none)")
        if self.recurs == Recurrence.YEARLY_NTH_WEEKDAY and day.day > 28:
            raise ValueError(
                f"recurs: {day} is a 5th {day:%A}, which most months lack: "
                "use yearly_last_weekday for the last one"
            )
        if self.recurs == Recurrence.YEARLY_LAST_WEEKDAY and day.day + 7 <= _month_days(day):
            raise ValueError(f"recurs: {day} is not the last {day:%A} of {day:%B}")
        return self

    @property
    def weekday_occurrence(self) -> int:
        """Connect's `ByWeekdayOccurrence`: 1-4, or -1 for the last one of the month."""
        if self.recurs == Recurrence.YEARLY_LAST_WEEKDAY:
            return -1
        return (self.date.day - 1) // 7 + 1

    @cached_property  # `occurs_on` asks on every hours check of a rehearsed day
    def last_date(self) -> dt.date:
        """The last day the holiday applies (Connect's EffectiveTill)."""
        if self.recurs is None:
            return self.date
        return self.dates()[-1]

    def dates(self) -> list[dt.date]:
        """Every day the holiday falls on."""
        if self.recurs is None:
            return [self.date]
        return [
            found
            for year in range(self.date.year, self.date.year + RECURRENCE_YEARS)
            if (found := self._in_year(year)) is not None
        ]

    def occurs_on(self, day: dt.date) -> bool:
        return self.date <= day <= self.last_date and self._in_year(day.year) == day

    def _in_year(self, year: int) -> dt.date | None:
        month = self.date.month
        if self.recurs in (None, Recurrence.YEARLY):
            return self.date.replace(year=year) if year == self.date.year or self.recurs else None
        first = dt.date(year, month, 1)
        first_weekday = first + timedelta(days=(self.date.weekday() - first.weekday()) % 7)
        if self.recurs == Recurrence.YEARLY_NTH_WEEKDAY:
            return first_weekday + timedelta(weeks=self.weekday_occurrence - 1)
        last = first_weekday
        while (last + timedelta(weeks=1)).month == month:
            last += timedelta(weeks=1)
        return last


def _month_days(day: date) -> int:
    return calendar.monthrange(day.year, day.month)[1]


class HoursConfig(StrictModel):
    description: str = ""
    time_zone: str
    weekly: dict[Weekday, list[TimeRange]]
    # "You can create up to 50 overrides per hours of operation. This quota is not adjustable."
    # https://docs.aws.amazon.com/connect/latest/adminguide/set-hours-operation.html
    holidays: list[Holiday] = Field(default_factory=list, max_length=50)

    @field_validator("time_zone")
    @classmethod
    def _known_time_zone(cls, zone: str) -> str:
        try:
            ZoneInfo(zone)
        except (ZoneInfoNotFoundError, ValueError):
            raise ValueError(f"'{zone}' is not an IANA time zone (like America/Chicago)") from None
        return zone

    @field_validator("weekly")
    @classmethod
    def _no_overlaps(cls, weekly: dict[Weekday, list[TimeRange]]) -> dict[Weekday, list[TimeRange]]:
        for day, ranges in weekly.items():
            _reject_overlaps(ranges, where=day.value)
        return weekly

    @model_validator(mode="after")
    def _holidays_unique_and_ordered(self) -> Self:
        seen: dict[date, str] = {}
        for holiday in self.holidays:
            for day in holiday.dates():
                if day in seen:
                    raise ValueError(
                        f"holiday date {day} is listed twice ({seen[day]}, {holiday.name})"
                    )
                seen[day] = holiday.name
            _reject_overlaps(holiday.open, where=f"holiday {holiday.date}")
        return self

    def holiday_on(self, day: date) -> Holiday | None:
        """The holiday (Connect override) that applies on `day`, local to the hours' zone."""
        return next((h for h in self.holidays if h.occurs_on(day)), None)


def _reject_overlaps(ranges: list[TimeRange], where: str) -> None:
    ordered = sorted(ranges, key=lambda r: r.start)
    for earlier, later in pairwise(ordered):
        if later.start < earlier.end:
            raise ValueError(
                f"{where}: hours {earlier.start:%H:%M}-{earlier.end:%H:%M} and "
                f"{later.start:%H:%M}-{later.end:%H:%M} overlap"
            )


class QueueConfig(StrictModel):
    description: str = ""
    hours: str = Field(description="Name of an entry in `hours`.")
    outbound_caller_number: str | None = Field(
        default=None, description="Name of a claimed entry in `phone_numbers` shown to callees."
    )
    outbound_caller_name: str | None = Field(default=None, max_length=255)
    max_contacts: int | None = Field(default=None, ge=0, le=10_000)
    language: str | None = Field(default=None, description="BCP-47 code served by this queue.")


class ChannelConcurrency(StrictModel):
    """Contacts an agent handles at once per channel (Connect: voice 1, chat/task/email 1-10)."""

    voice: Literal[1] = 1
    chat: int = Field(default=3, ge=1, le=10)
    task: int = Field(default=1, ge=1, le=10)
    email: int = Field(default=1, ge=1, le=10)


class RoutingProfileQueue(StrictModel):
    queue: str
    priority: int = Field(default=1, ge=1, le=100, description="1 is served first.")
    delay_seconds: int = Field(default=0, ge=0, le=9999)
    channels: list[ConnectChannel] = Field(default_factory=lambda: [ConnectChannel.VOICE])


class RoutingProfileConfig(StrictModel):
    description: str = ""
    default_outbound_queue: str
    queues: list[RoutingProfileQueue] = Field(min_length=1)
    concurrency: ChannelConcurrency = ChannelConcurrency()


class PhoneNumberConfig(StrictModel):
    name: ResourceName
    country_code: str = Field(pattern=r"^[A-Z]{2}$", description="ISO 3166-1 alpha-2, e.g. US.")
    type: Literal["DID", "TOLL_FREE"] = "DID"
    prefix: E164Prefix | None = None
    flow: str = Field(description="Name of the entry in `flows` that answers this number.")


class FlowConfig(StrictModel):
    type: FlowType = FlowType.CONTACT_FLOW
    file: str | None = Field(default=None, description="Defaults to <name>.json in contact_flows/.")
    description: str = ""

    def file_name(self, name: str) -> str:
        return self.file or f"{name}.json"


class ChatConfig(StrictModel):
    flow: str
    widget_origins: list[str] = Field(min_length=1, max_length=100)

    @field_validator("widget_origins")
    @classmethod
    def _https_origins(cls, origins: list[str]) -> list[str]:
        for origin in origins:
            if not re.match(r"^https://[a-z0-9.-]+(:\d{1,5})?$", origin):
                raise ValueError(
                    f"'{origin}' is not an https origin (scheme and host only, like "
                    "https://www.example.gov)"
                )
        return origins


class SmsConfig(StrictModel):
    flow: str = Field(description="Chat flow that receives inbound SMS conversations.")
    country_code: str = Field(default="US", pattern=r"^[A-Z]{2}$")
    number_type: Literal["LONG_CODE", "TOLL_FREE", "TEN_DLC", "SIMULATOR"] = "TOLL_FREE"
    opt_out_list: str = Field(default="default", pattern=r"^[A-Za-z0-9_-]{1,64}$")
    monthly_spend_limit_usd: int = Field(default=10, ge=1)
    quiet_hours: TimeRange | None = Field(
        default=None, description="No outbound SMS in the customer's time zone in this range."
    )
    reminders: bool = Field(default=False, description="Send appointment reminders by SMS.")


class EmailAddressConfig(StrictModel):
    local_part: str = Field(pattern=r"^[a-z0-9._+-]{1,64}$")
    display_name: str = Field(min_length=1, max_length=256)
    queue: str | None = None


class EmailConfig(StrictModel):
    domain: str = Field(
        description="Required, no default: a domain you own and can publish DNS records for "
        "(the deploy outputs them); the Connect addresses, SES identity and inbound mail use it. "
        "Reserved example domains (.example, .test, example.com...) can never be verified."
    )
    flow: str
    addresses: list[EmailAddressConfig] = Field(min_length=1)
    from_address: str = Field(default="no-reply", pattern=r"^[a-z0-9._+-]{1,64}$")
    create_identity: bool = Field(
        default=True,
        description="false: another stage in the same AWS account and Region creates (and "
        "verifies) the SES identity for `domain`, and this stage uses it. Two stages there "
        "cannot both create it.",
    )

    @property
    def reserved_domain(self) -> bool:
        """RFC 2606 / RFC 6761 names: no one can publish DNS for them, so SES never verifies."""
        labels = self.domain.split(".")
        return labels[-1] in RESERVED_TLDS or ".".join(labels[-2:]) in RESERVED_DOMAINS

    @field_validator("domain")
    @classmethod
    def _valid_domain(cls, domain: str) -> str:
        if not DOMAIN.match(domain):
            raise ValueError(
                f"'{domain}' is not a lower-case DNS domain (like support.example.gov)"
            )
        return domain


class TasksConfig(StrictModel):
    flow: str


class MenuOption(StrictModel):
    """One IVR/chat menu choice: a DTMF digit (or typed word) that names an intent."""

    digit: str = Field(pattern=r"^[0-9]$")
    intent: ResourceName
    label: str = Field(min_length=1, max_length=80)


class RepeatContactRule(StrictModel):
    window_hours: int = Field(default=48, ge=1, le=720)
    priority_boost: int = Field(default=2, ge=0, le=99)
    same_queue: bool = True


class RoutingRulesConfig(StrictModel):
    default_queue: str
    menu: list[MenuOption] = Field(default_factory=list, max_length=9)
    intents: dict[str, str] = Field(default_factory=dict, description="intent -> queue name")
    base_priority: int = Field(default=5, ge=1, le=100)
    tier_priority: dict[str, int] = Field(
        default_factory=dict, description="customer tier -> priority (1 is served first)"
    )
    languages: dict[str, str] = Field(default_factory=dict, description="language -> queue name")
    repeat_contact: RepeatContactRule = RepeatContactRule()

    @field_validator("menu")
    @classmethod
    def _menu_digits_unique(cls, menu: list[MenuOption]) -> list[MenuOption]:
        digits = [option.digit for option in menu]
        duplicates = sorted({d for d in digits if digits.count(d) > 1})
        if duplicates:
            raise ValueError(f"digits {duplicates} are used more than once")
        return menu


class CallbackConfig(StrictModel):
    enabled: bool = False
    offer_after_seconds: int = Field(default=120, ge=0, le=3600)


class SurveyConfig(StrictModel):
    enabled: bool = False
    link: str | None = Field(default=None, pattern=r"^https://")


class RetentionConfig(StrictModel):
    contact_history_days: int = Field(default=400, ge=1, le=3650)
    recordings_days: int = Field(default=90, ge=1, le=3650)
    metrics_days: int = Field(default=400, ge=1, le=3650)
    log_days: int = 30

    @field_validator("log_days")
    @classmethod
    def _cloudwatch_retention(cls, days: int) -> int:
        if days not in LOG_RETENTION_DAYS:
            raise ValueError(
                f"{days} is not a CloudWatch Logs retention; use one of {LOG_RETENTION_DAYS}"
            )
        return days


class AlarmsConfig(StrictModel):
    abandonment_rate_max: float = Field(default=0.10, gt=0, le=1)
    asa_max_seconds: int = Field(default=120, ge=1)
    service_level_min: float = Field(default=0.80, gt=0, le=1)
    service_level_threshold_seconds: int = Field(default=20, ge=1, le=3600)
    notify_email: str | None = Field(
        default=None,
        pattern=EMAIL_ADDRESS.pattern,
        description="Subscribed to the alarm topic (AWS asks it to confirm). Required with "
        "`protect_data`.",
    )


class SelfServiceConfig(StrictModel):
    """The Lex V2 self-service bot the entry flows hand customers to (docs/self-service.md)."""

    enabled: bool = Field(
        default=False, description="false keeps the menus; no bot, fulfillment or tables."
    )
    bot_file: str = Field(
        default="self_service.yaml",
        pattern=r"^[A-Za-z0-9_-]+\.yaml$",
        description="The bot definition, a file in bots/.",
    )
    locales: list[str] = Field(
        default_factory=lambda: ["en_US"],
        min_length=1,
        description="Lex V2 locale ids the bot speaks; the bot file must have texts for each.",
    )
    hours: ResourceName | None = Field(
        default=None,
        description="Entry in `hours` the OpeningHours answer reads; default: the hours of "
        "routing.default_queue.",
    )
    conversation_logs: bool = Field(
        default=False,
        description="Text conversation logs in CloudWatch, every sensitive slot obfuscated.",
    )
    containment_min: float = Field(
        default=0.30, gt=0, le=1, description="Alarm below this share of bot contacts contained."
    )
    bot_abandonment_max: float = Field(
        default=0.15, gt=0, le=1, description="Alarm above this share of bot contacts abandoned."
    )

    @field_validator("locales")
    @classmethod
    def _lex_locales(cls, locales: list[str]) -> list[str]:
        unknown = [locale for locale in locales if locale not in LEX_LOCALES]
        if unknown:
            raise ValueError(
                f"{', '.join(unknown)}: not a Lex V2 locale id (like en_US or es_US; "
                "https://docs.aws.amazon.com/lexv2/latest/dg/how-languages.html)"
            )
        if len(set(locales)) != len(locales):
            raise ValueError("a locale is listed twice")
        return locales


class ContactCenterConfig(StrictModel):
    stage: ResourceName
    organisation: str = Field(min_length=1, max_length=120)
    instance: InstanceConfig
    protect_data: bool = Field(
        default=False,
        description="Deletion protection, PITR-backed RETAIN on tables, buckets and keys (prod).",
    )
    channels: ChannelsConfig = ChannelsConfig()
    hours: dict[ResourceName, HoursConfig] = Field(min_length=1)
    queues: dict[ResourceName, QueueConfig] = Field(min_length=1)
    routing_profiles: dict[ResourceName, RoutingProfileConfig] = Field(min_length=1)
    flows: dict[ResourceName, FlowConfig] = Field(min_length=1)
    phone_numbers: list[PhoneNumberConfig] = Field(default_factory=list)
    chat: ChatConfig | None = None
    sms: SmsConfig | None = None
    email: EmailConfig | None = None
    tasks: TasksConfig | None = None
    routing: RoutingRulesConfig
    callbacks: CallbackConfig = CallbackConfig()
    survey: SurveyConfig = SurveyConfig()
    retention: RetentionConfig = RetentionConfig()
    alarms: AlarmsConfig = AlarmsConfig()
    self_service: SelfServiceConfig = SelfServiceConfig()
    history: HistoryConfig = HistoryConfig()
    people: PeopleConfig | None = Field(
        default=None,
        description="Agents and supervisors; may live in <stage>.people.yaml beside the stage file.",
    )

    @model_validator(mode="after")
    def _references_resolve(self) -> Self:
        problems = list(self._reference_problems())
        if problems:
            raise ValueError("; ".join(f"{path}: {reason}" for path, reason in problems))
        return self

    def _reference_problems(self) -> list[tuple[str, str]]:
        problems: list[tuple[str, str]] = []

        def must_exist(path: str, kind: str, name: str, known: Mapping[str, object]) -> None:
            if name not in known:
                problems.append(
                    (path, f"unknown {kind} '{name}' (known: {', '.join(sorted(known))})")
                )

        numbers = {number.name: number for number in self.phone_numbers}
        for name, queue in self.queues.items():
            must_exist(f"queues.{name}.hours", "hours", queue.hours, self.hours)
            if queue.outbound_caller_number is not None:
                must_exist(
                    f"queues.{name}.outbound_caller_number",
                    "phone number",
                    queue.outbound_caller_number,
                    numbers,
                )
        for name, profile in self.routing_profiles.items():
            base = f"routing_profiles.{name}"
            must_exist(
                f"{base}.default_outbound_queue",
                "queue",
                profile.default_outbound_queue,
                self.queues,
            )
            seen: set[str] = set()
            for index, entry in enumerate(profile.queues):
                must_exist(f"{base}.queues.{index}.queue", "queue", entry.queue, self.queues)
                for media in entry.channels:
                    key = f"{entry.queue}/{media}"
                    if key in seen:
                        problems.append(
                            (
                                f"{base}.queues.{index}",
                                f"queue '{entry.queue}' is listed twice for {media}",
                            )
                        )
                    seen.add(key)
        for index, number in enumerate(self.phone_numbers):
            must_exist(f"phone_numbers.{index}.flow", "flow", number.flow, self.flows)
        names = [number.name for number in self.phone_numbers]
        for duplicate in sorted({n for n in names if names.count(n) > 1}):
            problems.append(("phone_numbers", f"name '{duplicate}' is used more than once"))

        rules = self.routing
        must_exist("routing.default_queue", "queue", rules.default_queue, self.queues)
        for intent, intent_queue in rules.intents.items():
            must_exist(f"routing.intents.{intent}", "queue", intent_queue, self.queues)
        for language, language_queue in rules.languages.items():
            must_exist(f"routing.languages.{language}", "queue", language_queue, self.queues)
        for index, option in enumerate(rules.menu):
            if option.intent not in rules.intents:
                problems.append(
                    (
                        f"routing.menu.{index}.intent",
                        f"intent '{option.intent}' has no entry in routing.intents",
                    )
                )

        channel_settings = {
            Channel.CHAT: self.chat,
            Channel.SMS: self.sms,
            Channel.EMAIL: self.email,
            Channel.TASKS: self.tasks,
        }
        for channel, settings in channel_settings.items():
            if getattr(self.channels, channel.value) and settings is None:
                problems.append(
                    (
                        f"channels.{channel.value}",
                        f"is enabled but the '{channel.value}' section is missing",
                    )
                )
            if settings is not None:
                must_exist(f"{channel.value}.flow", "flow", settings.flow, self.flows)
        if self.channels.voice and not self.phone_numbers:
            problems.append(("phone_numbers", "voice is enabled but no phone number is claimed"))
        if self.email is not None:
            for index, address in enumerate(self.email.addresses):
                if address.queue is not None:
                    must_exist(
                        f"email.addresses.{index}.queue", "queue", address.queue, self.queues
                    )
        if self.survey.enabled and not self.survey.link:
            problems.append(("survey.link", "is required when survey.enabled is true"))
        if self.protect_data and not self.alarms.notify_email:
            problems.append(
                (
                    "alarms.notify_email",
                    "is required when protect_data is true (production): the alarms need "
                    "someone subscribed to their topic",
                )
            )
        if self.self_service.hours is not None:
            must_exist("self_service.hours", "hours", self.self_service.hours, self.hours)
        if self.people is not None:
            problems.extend(
                self.people.reference_problems(
                    identity_management=self.instance.identity_management,
                    routing_profiles=self.routing_profiles,
                    queues=self.queues,
                    flow_types={name: flow.type.value for name, flow in self.flows.items()},
                )
            )
        return problems

    def warnings(self, today: date) -> list[tuple[str, str]]:
        """What is valid but probably not meant, as (field path, reason): nothing blocks a deploy."""
        found: list[tuple[str, str]] = []
        if self.channels.email and self.email is not None and self.email.reserved_domain:
            found.append(
                (
                    "email.domain",
                    f"{self.email.domain} is a reserved example domain: SES can never verify it, "
                    "so no email is sent or received; set a domain you own before deploying",
                )
            )
        for name, hours in self.hours.items():
            for index, holiday in enumerate(hours.holidays):
                if holiday.last_date < today:
                    found.append(
                        (
                            f"hours.{name}.holidays.{index}",
                            f"{holiday.name} ({holiday.last_date}) is in the past and changes "
                            "nothing: remove it, give this year's date, or set recurs",
                        )
                    )
        return found

    def connect_channels(self) -> list[ConnectChannel]:
        """Connect media channels this deployment routes (SMS arrives as chat)."""
        enabled = self.channels
        channels = []
        if enabled.voice:
            channels.append(ConnectChannel.VOICE)
        if enabled.chat or enabled.sms:
            channels.append(ConnectChannel.CHAT)
        if enabled.tasks:
            channels.append(ConnectChannel.TASK)
        if enabled.email:
            channels.append(ConnectChannel.EMAIL)
        return channels
