"""Stateful data: the customer-managed key, tables, the recordings and contact-history buckets
and the contact-record stream.

Kept apart from everything else so a stack update can never replace data, and so `protect_data`
(prod) turns on deletion protection and RETAIN in one place.
"""

from __future__ import annotations

from typing import Any

from aws_cdk import CfnResource, Duration, RemovalPolicy, Stack
from aws_cdk import aws_dynamodb as dynamodb
from aws_cdk import aws_kinesis as kinesis
from aws_cdk import aws_kms as kms
from aws_cdk import aws_logs as logs
from aws_cdk import aws_s3 as s3
from constructs import Construct

from config import ContactCenterConfig

# Attribute names the Lambdas rely on, shared with the local engine's moto tables (tests build
# their moto tables from the synthesized template).
from config.data_schema import (
    IDEMPOTENCY_KEY,
    IDEMPOTENCY_TTL,
    PARTITION_KEY,
    SORT_KEY,
    TTL_ATTRIBUTE,
)
from config.history import HistoryConfig
from history.names import ERRORS_PREFIX, RECORDS_PREFIX
from infra.constructs.python_function import log_retention
from infra.nag import acknowledge, ignore_lint


def bucket_removal(protect_data: bool) -> dict[str, Any]:
    """What happens to a bucket when its stack is deleted, as `s3.Bucket` keyword arguments.

    Protected stages (prod) keep the bucket and its objects. Others empty it first, through
    CDK's auto-delete custom resource, since CloudFormation cannot delete a bucket that holds
    objects and `cdk destroy` of a dev stage would otherwise fail.
    """
    if protect_data:
        return {"removal_policy": RemovalPolicy.RETAIN, "auto_delete_objects": False}
    return {"removal_policy": RemovalPolicy.DESTROY, "auto_delete_objects": True}


AUTO_DELETE_PROVIDER = "Custom::S3AutoDeleteObjectsCustomResourceProvider"
AUTO_DELETE_LOGS = "AutoDeleteObjectsLogs"


def settle_auto_delete_provider(scope: Construct, log_days: int) -> None:
    """CDK's auto-delete function (one per stack, made with the first bucket that empties
    itself) would log to a group that never expires: it gets one of ours with the stage's
    retention. Called after making such buckets; does nothing twice or for none."""
    stack = Stack.of(scope)
    provider = stack.node.try_find_child(AUTO_DELETE_PROVIDER)
    if provider is None or stack.node.try_find_child(AUTO_DELETE_LOGS) is not None:
        return
    handler = provider.node.find_child("Handler")
    assert isinstance(handler, CfnResource)
    group = logs.LogGroup(
        stack,
        AUTO_DELETE_LOGS,
        retention=log_retention(log_days),
        removal_policy=RemovalPolicy.DESTROY,
    )
    handler.add_property_override("LoggingConfig", {"LogGroup": group.log_group_name})
    ignore_lint(
        handler,
        "W3005",
        "aws-cdk-lib's auto-delete provider keeps an explicit DependsOn on its role beside the "
        "GetAtt; generated code, not ours to change",
    )


class DataStore(Construct):
    def __init__(self, scope: Construct, construct_id: str, *, config: ContactCenterConfig) -> None:
        super().__init__(scope, construct_id)
        protect = config.protect_data
        removal = RemovalPolicy.RETAIN if protect else RemovalPolicy.DESTROY

        self.key = kms.Key(
            self,
            "DataKey",
            description=f"{config.organisation} contact center data ({config.stage})",
            enable_key_rotation=True,
            removal_policy=removal,
        )
        self.customers_table = self._table(
            "Customers", protect=protect, removal=removal, ttl=TTL_ATTRIBUTE
        )
        self.metrics_table = self._table(
            "Metrics", protect=protect, removal=removal, ttl=TTL_ATTRIBUTE
        )
        # The self-service bot's reference data (lambdas/self_service/repository.py): one
        # partition per customer's appointments, one item per postal code's outage.
        enabled = config.self_service.enabled
        self.appointments_table = (
            self._table("Appointments", protect=protect, removal=removal, ttl=TTL_ATTRIBUTE)
            if enabled
            else None
        )
        self.outages_table = (
            self._table("Outages", protect=protect, removal=removal, ttl=TTL_ATTRIBUTE)
            if enabled
            else None
        )
        self.idempotency_table = dynamodb.Table(
            self,
            "Idempotency",
            partition_key=dynamodb.Attribute(
                name=IDEMPOTENCY_KEY, type=dynamodb.AttributeType.STRING
            ),
            billing_mode=dynamodb.BillingMode.PAY_PER_REQUEST,
            encryption=dynamodb.TableEncryption.CUSTOMER_MANAGED,
            encryption_key=self.key,
            time_to_live_attribute=IDEMPOTENCY_TTL,
            point_in_time_recovery_specification=dynamodb.PointInTimeRecoverySpecification(
                point_in_time_recovery_enabled=True
            ),
            removal_policy=RemovalPolicy.DESTROY,
        )

        self.access_logs_bucket = s3.Bucket(
            self,
            "AccessLogs",
            # S3 server access logging can only deliver to SSE-S3 buckets, not SSE-KMS.
            encryption=s3.BucketEncryption.S3_MANAGED,
            block_public_access=s3.BlockPublicAccess.BLOCK_ALL,
            enforce_ssl=True,
            lifecycle_rules=[s3.LifecycleRule(expiration=Duration.days(config.retention.log_days))],
            **bucket_removal(protect),
        )
        self.recordings_bucket = s3.Bucket(
            self,
            "Recordings",
            encryption=s3.BucketEncryption.KMS,
            encryption_key=self.key,
            bucket_key_enabled=True,
            block_public_access=s3.BlockPublicAccess.BLOCK_ALL,
            enforce_ssl=True,
            versioned=True,
            server_access_logs_bucket=self.access_logs_bucket,
            server_access_logs_prefix="recordings/",
            lifecycle_rules=[
                s3.LifecycleRule(
                    expiration=Duration.days(config.retention.recordings_days),
                    noncurrent_version_expiration=Duration.days(1),
                    abort_incomplete_multipart_upload_after=Duration.days(1),
                )
            ],
            **bucket_removal(protect),
        )
        self.history_archive = (
            self._history_archive(config.history, protect=protect)
            if config.history.enabled
            else None
        )
        settle_auto_delete_provider(self, config.retention.log_days)
        self.contact_record_stream = kinesis.Stream(
            self,
            "ContactRecords",
            # One provisioned shard takes 1,000 records/s, far above any contact center's CTR
            # rate, and costs ~$11/month at rest; on-demand mode bills ~$29/month per stream.
            stream_mode=kinesis.StreamMode.PROVISIONED,
            shard_count=1,
            # Connect accepts the AWS-managed aws/kinesis key or the customer-managed key it
            # uses for recordings (admin guide: data-streaming.html; the same two options on
            # enable-contact-analysis-segment-streams.html); ours keeps one key, one key policy
            # and one rotation for every copy of contact data.
            encryption=kinesis.StreamEncryption.KMS,
            encryption_key=self.key,
            retention_period=Duration.hours(24),
            removal_policy=RemovalPolicy.DESTROY,
        )
        acknowledge(
            self.contact_record_stream,
            "AwsSolutions-KDS3",
            "Connect works with aws/kinesis or with the customer-managed key of its recordings "
            "(https://docs.aws.amazon.com/connect/latest/adminguide/data-streaming.html); we "
            "choose the latter: the key already protects the recordings and tables, so contact "
            "records get the same key policy, rotation and CloudTrail trail at no extra key cost",
        )

    def _history_archive(self, history: HistoryConfig, *, protect: bool) -> s3.Bucket:
        """Every contact record as Parquet (infra/constructs/history.py writes it): moved to
        Standard-IA after `infrequent_access_after_days`, deleted after `expire_after_days`.
        Records Firehose could not convert are the raw record, customer's address included,
        and live `error_records_days` only."""
        return s3.Bucket(
            self,
            "HistoryArchive",
            encryption=s3.BucketEncryption.KMS,
            encryption_key=self.key,
            bucket_key_enabled=True,
            block_public_access=s3.BlockPublicAccess.BLOCK_ALL,
            enforce_ssl=True,
            server_access_logs_bucket=self.access_logs_bucket,
            server_access_logs_prefix="history-archive/",
            lifecycle_rules=[
                s3.LifecycleRule(
                    id="records",
                    prefix=RECORDS_PREFIX,
                    transitions=[
                        s3.Transition(
                            storage_class=s3.StorageClass.INFREQUENT_ACCESS,
                            transition_after=Duration.days(history.infrequent_access_after_days),
                        )
                    ],
                    expiration=(
                        Duration.days(history.expire_after_days)
                        if history.expire_after_days is not None
                        else None
                    ),
                ),
                s3.LifecycleRule(
                    id="errors",
                    prefix=ERRORS_PREFIX,
                    expiration=Duration.days(history.error_records_days),
                ),
                s3.LifecycleRule(
                    id="uploads", abort_incomplete_multipart_upload_after=Duration.days(1)
                ),
            ],
            **bucket_removal(protect),
        )

    def _table(
        self, construct_id: str, *, protect: bool, removal: RemovalPolicy, ttl: str
    ) -> dynamodb.Table:
        # Table rather than TableV2: TableV2 with a customer-managed key needs a concrete region
        # at synth, and synth here must work with no account or region configured.
        return dynamodb.Table(
            self,
            construct_id,
            partition_key=dynamodb.Attribute(
                name=PARTITION_KEY, type=dynamodb.AttributeType.STRING
            ),
            sort_key=dynamodb.Attribute(name=SORT_KEY, type=dynamodb.AttributeType.STRING),
            billing_mode=dynamodb.BillingMode.PAY_PER_REQUEST,
            encryption=dynamodb.TableEncryption.CUSTOMER_MANAGED,
            encryption_key=self.key,
            time_to_live_attribute=ttl,
            point_in_time_recovery_specification=dynamodb.PointInTimeRecoverySpecification(
                point_in_time_recovery_enabled=True
            ),
            deletion_protection=protect,
            removal_policy=removal,
        )
