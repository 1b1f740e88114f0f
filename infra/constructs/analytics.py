"""The analytics function on the contact-record stream, with its failure queue and alarms.

Lambda's Kinesis event source by default retries a failing batch until its records expire and
never splits it, so one poison record would stop a shard for a day. Here:
- `report_batch_item_failures`: the function names the records it could not count (Powertools'
  partial batch response); Lambda retries from the first of them, the rest stay counted;
- `bisect_batch_on_error`: when a whole invocation fails (every record malformed, a timeout),
  Lambda splits the batch in two and retries the halves, isolating the culprit;
- `retry_attempts` and `max_record_age` bound the retries; then the batch's description
  (shard, sequence numbers) goes to the on-failure SQS queue and the shard moves on. Kinesis
  keeps the records themselves for the stream's retention (24 h): `MAX_RECORD_AGE` leaves 18 h
  to read them back from those sequence numbers;
- starting position TRIM_HORIZON: a new or re-created mapping reads everything still in the
  stream. Counting is idempotent (lambdas/analytics/logic.py), so reading again is harmless.

Sizes: a contact center emits about one record per contact (plus updates), far under one
shard's 1,000 records/s. Up to 500 records wait at most 10 s, so a batch costs a few
DynamoDB transactions (one per ~100 items) rather than one write per record, and supervisors see
a contact on the dashboard within seconds of its record.

IAM: exactly the DynamoDB actions the code makes (BatchGetItem, GetItem, Query, PutItem,
UpdateItem, ConditionCheckItem; TransactWriteItems is authorised per item action) on the
metrics and customers tables, the data key for their encryption, read on the stream (granted by
the event source), send to the failure queue.
"""

from __future__ import annotations

from aws_cdk import Duration, RemovalPolicy
from aws_cdk import aws_cloudwatch as cloudwatch
from aws_cdk import aws_kms as kms
from aws_cdk import aws_lambda as lambda_
from aws_cdk import aws_lambda_event_sources as event_sources
from aws_cdk import aws_sqs as sqs
from constructs import Construct

from config import ContactCenterConfig
from infra.constructs.alarms import failure_alarm
from infra.constructs.data import DataStore
from infra.constructs.python_function import PythonFunction
from infra.nag import acknowledge

SERVICE = "analytics"  # lambdas/analytics/handler.py pins the same Powertools service name
METRICS_NAMESPACE = "ContactCenter"  # PythonFunction's POWERTOOLS_METRICS_NAMESPACE
BATCH_SIZE = 500
MAX_BATCHING_WINDOW = Duration.seconds(10)
RETRY_ATTEMPTS = 5
MAX_RECORD_AGE = Duration.hours(6)
TIMEOUT_SECONDS = 120
MEMORY_MB = 1024
ITERATOR_AGE_ALARM = Duration.minutes(15)
TABLE_ACTIONS = (
    "dynamodb:BatchGetItem",
    "dynamodb:GetItem",
    "dynamodb:Query",
    "dynamodb:PutItem",
    "dynamodb:UpdateItem",
    "dynamodb:ConditionCheckItem",
)


class Analytics(Construct):
    """Exposes `function`, `dead_letters` (the on-failure queue) and `alarms`."""

    def __init__(
        self, scope: Construct, construct_id: str, *, config: ContactCenterConfig, data: DataStore
    ) -> None:
        super().__init__(scope, construct_id)
        removal = RemovalPolicy.RETAIN if config.protect_data else RemovalPolicy.DESTROY
        self.key = kms.Key(
            self,
            "Key",
            description=f"{config.organisation} analytics failure queue",
            enable_key_rotation=True,
            removal_policy=removal,
        )
        self.dead_letters = sqs.Queue(
            self,
            "FailedBatches",
            encryption=sqs.QueueEncryption.KMS,
            encryption_master_key=self.key,
            enforce_ssl=True,
            retention_period=Duration.days(14),
        )
        acknowledge(
            self.dead_letters,
            "AwsSolutions-SQS3",
            "This queue is itself the on-failure destination of the contact-record event "
            "source; a failure queue of a failure queue would only move the problem",
        )

        function = PythonFunction(
            self,
            "Function",
            handler="lambdas.analytics.handler.handler",
            description="Contact records -> supervisor KPIs per interval, queue and channel",
            log_retention_days=config.retention.log_days,
            service_name=SERVICE,
            memory_size=MEMORY_MB,
            timeout_seconds=TIMEOUT_SECONDS,
            environment={
                "METRICS_TABLE": data.metrics_table.table_name,
                "CUSTOMERS_TABLE": data.customers_table.table_name,
                "SERVICE_LEVEL_THRESHOLD_SECONDS": str(
                    config.alarms.service_level_threshold_seconds
                ),
                "REPEAT_WINDOW_HOURS": str(config.routing.repeat_contact.window_hours),
                "METRICS_RETENTION_DAYS": str(config.retention.metrics_days),
                "CONTACT_HISTORY_DAYS": str(config.retention.contact_history_days),
            },
        )
        function.acknowledge_key_grants()
        self.function = function.function
        self.function.add_event_source(
            event_sources.KinesisEventSource(
                data.contact_record_stream,
                starting_position=lambda_.StartingPosition.TRIM_HORIZON,
                batch_size=BATCH_SIZE,
                max_batching_window=MAX_BATCHING_WINDOW,
                bisect_batch_on_error=True,
                retry_attempts=RETRY_ATTEMPTS,
                max_record_age=MAX_RECORD_AGE,
                report_batch_item_failures=True,
                parallelization_factor=1,
                on_failure=event_sources.SqsDlq(self.dead_letters),
            )
        )
        for table in (data.metrics_table, data.customers_table):
            table.grant(self.function, *TABLE_ACTIONS)
        data.key.grant_encrypt_decrypt(self.function)
        self.alarms = self._alarms()

    def _alarms(self) -> list[cloudwatch.Alarm]:
        """Stream falling behind, invocations failing, batches given up on."""
        iterator_age = failure_alarm(
            self,
            "IteratorAgeAlarm",
            metric=self.function.metric(
                "IteratorAge", statistic="Maximum", period=Duration.minutes(5)
            ),
            description="Contact records wait more than 15 minutes for the analytics function: the "
            "supervisor's KPIs are late (function failing, throttled or too slow)",
            over=ITERATOR_AGE_ALARM.to_milliseconds(),
        )
        errors = failure_alarm(
            self,
            "ErrorsAlarm",
            metric=self.function.metric_errors(period=Duration.minutes(5), statistic="Sum"),
            description="The analytics function failed whole invocations (every record of a batch "
            "malformed, a timeout, an outage); Lambda is bisecting and retrying",
            at_least=1,
        )
        dead_letters = failure_alarm(
            self,
            "FailedBatchesAlarm",
            metric=self.dead_letters.metric_approximate_number_of_messages_visible(
                period=Duration.minutes(5), statistic="Maximum"
            ),
            description="Contact records were given up on: the failure queue names their shard and "
            "sequence numbers; read them back from the stream within its 24 h retention",
            at_least=1,
        )
        return [iterator_age, errors, dead_letters]
