"""The Amazon Connect instance and what it routes with: hours, queues, routing profiles, numbers.

Connect has no L2 constructs in aws-cdk-lib, so this is L1 (`aws_connect.Cfn*`). Logical IDs are
derived from config names only, never from which channels are on, so switching a channel on
later updates these resources in place instead of replacing them.
"""

from __future__ import annotations

from datetime import time

from aws_cdk import RemovalPolicy
from aws_cdk import aws_connect as connect
from aws_cdk import aws_logs as logs
from constructs import Construct

from config import ConnectChannel, ContactCenterConfig
from config.model import Holiday, HoursConfig, Recurrence, RoutingProfileConfig, Weekday
from infra.constructs.data import DataStore
from infra.constructs.python_function import log_retention


def pascal(name: str) -> str:
    return "".join(part.capitalize() for part in name.split("_"))


class ConnectCore(Construct):
    """Exposes `instance`, `queues`, `hours`, `routing_profiles` and `phone_numbers` by config name."""

    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        config: ContactCenterConfig,
        data: DataStore,
    ) -> None:
        super().__init__(scope, construct_id)
        self.config = config
        channels = config.connect_channels()
        # Connect writes flow logs to `/aws/connect/<alias>` and creates that group itself, with
        # no expiry, unless it exists
        # (https://docs.aws.amazon.com/connect/latest/adminguide/contact-flow-logs-stored-in-cloudwatch.html).
        # Created here first, the group has the stage's retention from the start and goes (or,
        # protected, stays) with the stack.
        self.flow_logs = logs.LogGroup(
            self,
            "FlowLogs",
            log_group_name=f"/aws/connect/{config.instance.alias}",
            retention=log_retention(config.retention.log_days),
            removal_policy=RemovalPolicy.RETAIN if config.protect_data else RemovalPolicy.DESTROY,
        )
        self.instance = connect.CfnInstance(
            self,
            "Instance",
            instance_alias=config.instance.alias,
            identity_management_type=config.instance.identity_management,
            directory_id=config.instance.directory_id,
            attributes=connect.CfnInstance.AttributesProperty(
                inbound_calls=True,
                outbound_calls=True,
                contactflow_logs=True,
                contact_lens=True,
                auto_resolve_best_voices=True,
                early_media=True,
                use_custom_tts_voices=False,
                # Supervisors barge in on calls and chats (security_profiles.py): Connect offers
                # barge-in only with enhanced monitoring on
                # (https://docs.aws.amazon.com/connect/latest/adminguide/monitor-conversations.html).
                enhanced_contact_monitoring=True,
                enhanced_chat_monitoring=True,
            ),
        )
        self.instance.node.add_dependency(self.flow_logs)
        self.instance_arn = self.instance.attr_arn

        self.hours = {name: self._hours(name, hours) for name, hours in config.hours.items()}
        self.phone_numbers = {
            number.name: connect.CfnPhoneNumber(
                self,
                f"PhoneNumber{pascal(number.name)}",
                target_arn=self.instance_arn,
                country_code=number.country_code,
                type=number.type,
                prefix=number.prefix,
                description=f"{number.name} -> {number.flow}",
            )
            for number in config.phone_numbers
        }
        self.queues = {}
        for name, queue in config.queues.items():
            caller = None
            if queue.outbound_caller_number or queue.outbound_caller_name:
                number = self.phone_numbers.get(queue.outbound_caller_number or "")
                caller = connect.CfnQueue.OutboundCallerConfigProperty(
                    outbound_caller_id_name=queue.outbound_caller_name,
                    outbound_caller_id_number_arn=number.attr_phone_number_arn if number else None,
                )
            self.queues[name] = connect.CfnQueue(
                self,
                f"Queue{pascal(name)}",
                instance_arn=self.instance_arn,
                name=name,
                description=queue.description or name,
                hours_of_operation_arn=self.hours[queue.hours].attr_hours_of_operation_arn,
                max_contacts=queue.max_contacts,
                outbound_caller_config=caller,
            )
        self.routing_profiles = {
            name: self._routing_profile(name, profile, channels)
            for name, profile in config.routing_profiles.items()
        }
        self._storage(data, chat=ConnectChannel.CHAT in channels)

    def _hours(self, name: str, hours: HoursConfig) -> connect.CfnHoursOfOperation:
        config = [
            connect.CfnHoursOfOperation.HoursOfOperationConfigProperty(
                day=day.value,
                start_time=_time(span.start),
                end_time=_time(span.end),
            )
            for day, spans in hours.weekly.items()
            for span in spans
        ]
        overrides = [_override(holiday) for holiday in hours.holidays]
        return connect.CfnHoursOfOperation(
            self,
            f"Hours{pascal(name)}",
            instance_arn=self.instance_arn,
            name=name,
            description=hours.description or name,
            time_zone=hours.time_zone,
            config=config,
            hours_of_operation_overrides=overrides or None,
        )

    def _routing_profile(
        self, name: str, profile: RoutingProfileConfig, channels: list[ConnectChannel]
    ) -> connect.CfnRoutingProfile:
        concurrency = {
            ConnectChannel.VOICE: profile.concurrency.voice,
            ConnectChannel.CHAT: profile.concurrency.chat,
            ConnectChannel.TASK: profile.concurrency.task,
            ConnectChannel.EMAIL: profile.concurrency.email,
        }
        return connect.CfnRoutingProfile(
            self,
            f"RoutingProfile{pascal(name)}",
            instance_arn=self.instance_arn,
            name=name,
            description=profile.description or name,
            default_outbound_queue_arn=self.queues[profile.default_outbound_queue].attr_queue_arn,
            media_concurrencies=[
                connect.CfnRoutingProfile.MediaConcurrencyProperty(
                    channel=channel.value, concurrency=concurrency[channel]
                )
                for channel in channels
            ],
            queue_configs=[
                connect.CfnRoutingProfile.RoutingProfileQueueConfigProperty(
                    delay=entry.delay_seconds,
                    priority=entry.priority,
                    queue_reference=connect.CfnRoutingProfile.RoutingProfileQueueReferenceProperty(
                        channel=channel.value, queue_arn=self.queues[entry.queue].attr_queue_arn
                    ),
                )
                for entry in profile.queues
                for channel in entry.channels
                if channel in channels
            ],
        )

    def _storage(self, data: DataStore, *, chat: bool) -> None:
        connect.CfnInstanceStorageConfig(
            self,
            "ContactRecordStorage",
            instance_arn=self.instance_arn,
            resource_type="CONTACT_TRACE_RECORDS",
            storage_type="KINESIS_STREAM",
            kinesis_stream_config=connect.CfnInstanceStorageConfig.KinesisStreamConfigProperty(
                stream_arn=data.contact_record_stream.stream_arn
            ),
        )
        s3_types = ["CALL_RECORDINGS"] + (["CHAT_TRANSCRIPTS"] if chat else [])
        for resource_type in s3_types:
            connect.CfnInstanceStorageConfig(
                self,
                f"{pascal(resource_type.lower())}Storage",
                instance_arn=self.instance_arn,
                resource_type=resource_type,
                storage_type="S3",
                s3_config=connect.CfnInstanceStorageConfig.S3ConfigProperty(
                    bucket_name=data.recordings_bucket.bucket_name,
                    bucket_prefix=resource_type.lower().replace("_", "-"),
                    encryption_config=connect.CfnInstanceStorageConfig.EncryptionConfigProperty(
                        encryption_type="KMS", key_id=data.key.key_arn
                    ),
                ),
            )


# Hours of operation overrides as the Connect API reference defines them
# (https://docs.aws.amazon.com/connect/latest/APIReference/API_CreateHoursOfOperationOverride.html,
# https://docs.aws.amazon.com/connect/latest/APIReference/API_RecurrencePattern.html): a closed day
# is OverrideType CLOSED over the whole day; reduced hours are STANDARD, whose hours replace the
# day's; a yearly holiday is one override with a YEARLY RecurrenceConfig between its effective
# dates. Override time slices stop at 23:59 (hours 0-23), hence the whole day's end.
_WHOLE_DAY = (time(0, 0), time(23, 59))


def _override(holiday: Holiday) -> connect.CfnHoursOfOperation.HoursOfOperationOverrideProperty:
    spans = [(s.start, s.end) for s in holiday.open] or [_WHOLE_DAY]
    if holiday.recurs == Recurrence.YEARLY:
        # The same date falls on any weekday over the years: the hours hold on all seven.
        days = [day.value for day in Weekday]
    else:
        days = [holiday.date.strftime("%A").upper()]
    recurrence = None
    if holiday.recurs is not None:
        pattern = connect.CfnHoursOfOperation.RecurrencePatternProperty(
            frequency="YEARLY",
            interval=1,
            by_month=[holiday.date.month],
            by_month_day=[holiday.date.day] if holiday.recurs == Recurrence.YEARLY else None,
            # The weekday itself is the override config's Day.
            by_weekday_occurrence=None
            if holiday.recurs == Recurrence.YEARLY
            else [holiday.weekday_occurrence],
        )
        recurrence = connect.CfnHoursOfOperation.RecurrenceConfigProperty(
            recurrence_pattern=pattern
        )
    return connect.CfnHoursOfOperation.HoursOfOperationOverrideProperty(
        override_name=holiday.name,
        override_type="STANDARD" if holiday.open else "CLOSED",
        effective_from=holiday.date.isoformat(),
        effective_till=holiday.last_date.isoformat(),
        recurrence_config=recurrence,
        override_config=[
            connect.CfnHoursOfOperation.HoursOfOperationOverrideConfigProperty(
                day=day,
                start_time=connect.CfnHoursOfOperation.OverrideTimeSliceProperty(
                    hours=start.hour, minutes=start.minute
                ),
                end_time=connect.CfnHoursOfOperation.OverrideTimeSliceProperty(
                    hours=end.hour, minutes=end.minute
                ),
            )
            for day in days
            for start, end in spans
        ],
    )


def _time(value: time) -> connect.CfnHoursOfOperation.HoursOfOperationTimeSliceProperty:
    return connect.CfnHoursOfOperation.HoursOfOperationTimeSliceProperty(
        hours=value.hour, minutes=value.minute
    )
