"""Contact history: every contact record archived in S3 as Parquet, queried with Athena.

The contact-record stream feeds a Firehose delivery stream that converts each JSON record to
Parquet through the Glue table `contact_records` (columns from `history.schema`) and writes it
under `records/dt=<day it arrived>/`. The table projects that `dt` partition, so no crawler or
`MSCK REPAIR` ever runs; the stage's Athena workgroup holds the shipped queries
(`history/sql/*.sql`) as named queries, encrypts its results and cancels any query that would
scan more than `history.bytes_scanned_limit_mb`.

The archive bucket is data (`DataStore.history_archive`, kept with prod's other data);
`ContactHistory` is the pipeline and the query side beside it in the Data stack, and can be
replaced without losing a record. At rest only S3 storage bills (docs/history-archive.md).
"""

from __future__ import annotations

from aws_cdk import ArnFormat, Aws, CfnElement, Duration, RemovalPolicy, Stack
from aws_cdk import aws_athena as athena
from aws_cdk import aws_cloudwatch as cloudwatch
from aws_cdk import aws_glue as glue
from aws_cdk import aws_iam as iam
from aws_cdk import aws_kinesis as kinesis
from aws_cdk import aws_kinesisfirehose as firehose
from aws_cdk import aws_kms as kms
from aws_cdk import aws_logs as logs
from aws_cdk import aws_s3 as s3
from constructs import Construct

from config import ContactCenterConfig
from history.catalog import queries
from history.names import (
    ERRORS_PREFIX,
    RECORDS_PREFIX,
    TABLE_NAME,
    database_name,
    workgroup_name,
)
from history.schema import PARTITION_COLUMN, PARTITION_FORMAT, glue_columns
from infra.constructs.alarms import failure_alarm
from infra.constructs.data import bucket_removal, settle_auto_delete_provider
from infra.constructs.python_function import log_retention
from infra.nag import acknowledge

# Firehose's arrival-time prefix: the UTC day it delivered the record, the table's `dt`
# (https://docs.aws.amazon.com/firehose/latest/dev/s3-prefixes.html).
DATA_OUTPUT_PREFIX = f"{RECORDS_PREFIX}{PARTITION_COLUMN}=!{{timestamp:{PARTITION_FORMAT}}}/"
ERROR_OUTPUT_PREFIX = (
    f"{ERRORS_PREFIX}!{{firehose:error-output-type}}/"
    f"{PARTITION_COLUMN}=!{{timestamp:{PARTITION_FORMAT}}}/"
)
# The first day projected: no stage archived a record before it. Athena enumerates the days
# between it and NOW only where a query leaves `dt` unbounded.
PROJECTION_START = "2026-01-01"
# Format conversion needs a buffer of at least 64 MiB
# (https://docs.aws.amazon.com/firehose/latest/dev/record-format-conversion.html); the longest
# interval (15 minutes) writes the fewest, largest Parquet files, which Athena reads cheapest.
BUFFER_SIZE_MB = 128
BUFFER_INTERVAL = Duration.minutes(15)
# AWS's advice: alarm when records wait longer than the buffering interval to reach S3
# (https://docs.aws.amazon.com/firehose/latest/dev/firehose-cloudwatch-metrics-best-practices.html).
FRESHNESS_ALARM = Duration.hours(1)
ALARM_PERIOD = Duration.minutes(5)

PARQUET_SERDE = "org.apache.hadoop.hive.ql.io.parquet.serde.ParquetHiveSerDe"
PARQUET_INPUT = "org.apache.hadoop.hive.ql.io.parquet.MapredParquetInputFormat"
PARQUET_OUTPUT = "org.apache.hadoop.hive.ql.io.parquet.MapredParquetOutputFormat"


class ContactHistory(Construct):
    """Exposes `database`, `table`, `delivery_stream`, `results_bucket`, `workgroup` and
    `named_queries`. In the Data stack beside the bucket, stream and key it joins; its alarms
    (`archive_alarms`) go in the ContactCenter stack with the others."""

    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        config: ContactCenterConfig,
        archive: s3.IBucket,
        contact_record_stream: kinesis.IStream,
        key: kms.IKey,
        access_logs: s3.IBucket,
    ) -> None:
        super().__init__(scope, construct_id)
        self.config = config
        self.database = glue.CfnDatabase(
            self,
            "Database",
            catalog_id=Aws.ACCOUNT_ID,
            database_input=glue.CfnDatabase.DatabaseInputProperty(
                name=database_name(config.stage),
                description=f"{config.organisation} contact history ({config.stage})",
            ),
        )
        self.table = self._table(archive)
        self.delivery_stream = self._delivery_stream(archive, contact_record_stream, key)
        self.results_bucket = self._results_bucket(key, access_logs)
        self.workgroup = self._workgroup(key)
        self.named_queries = [
            athena.CfnNamedQuery(
                self,
                f"Query-{query.name}",
                name=query.name,
                description=query.description,
                query_string=query.sql,
                database=database_name(config.stage),
                work_group=self.workgroup.name,
            )
            for query in queries()
        ]
        for named_query in self.named_queries:
            named_query.node.add_dependency(self.workgroup)
            named_query.node.add_dependency(self.database)

    def _table(self, archive: s3.IBucket) -> glue.CfnTable:
        records = f"s3://{archive.bucket_name}/{RECORDS_PREFIX}"
        table = glue.CfnTable(
            self,
            "Table",
            catalog_id=Aws.ACCOUNT_ID,
            database_name=database_name(self.config.stage),
            table_input=glue.CfnTable.TableInputProperty(
                name=TABLE_NAME,
                description="Connect contact records, one row per version Connect sent",
                table_type="EXTERNAL_TABLE",
                # Partition projection (https://docs.aws.amazon.com/athena/latest/ug/
                # partition-projection-kinesis-firehose-example.html): Athena computes the day
                # partitions from these properties instead of reading them from Glue.
                parameters={
                    "classification": "parquet",
                    "projection.enabled": "true",
                    f"projection.{PARTITION_COLUMN}.type": "date",
                    f"projection.{PARTITION_COLUMN}.format": PARTITION_FORMAT,
                    f"projection.{PARTITION_COLUMN}.range": f"{PROJECTION_START},NOW",
                    f"projection.{PARTITION_COLUMN}.interval": "1",
                    f"projection.{PARTITION_COLUMN}.interval.unit": "DAYS",
                    "storage.location.template": f"{records}{PARTITION_COLUMN}=${{{PARTITION_COLUMN}}}/",
                },
                partition_keys=[glue.CfnTable.ColumnProperty(name=PARTITION_COLUMN, type="string")],
                storage_descriptor=glue.CfnTable.StorageDescriptorProperty(
                    columns=[
                        glue.CfnTable.ColumnProperty(name=name, type=kind)
                        for name, kind in glue_columns()
                    ],
                    location=records,
                    input_format=PARQUET_INPUT,
                    output_format=PARQUET_OUTPUT,
                    serde_info=glue.CfnTable.SerdeInfoProperty(serialization_library=PARQUET_SERDE),
                ),
            ),
        )
        table.node.add_dependency(self.database)
        return table

    def _delivery_stream(
        self, archive: s3.IBucket, source: kinesis.IStream, key: kms.IKey
    ) -> firehose.CfnDeliveryStream:
        """L1: the L2 destination grants its role read, write and delete on the whole bucket
        (and wildcard action families); Firehose needs only what `_role` lists."""
        log_group = logs.LogGroup(
            self,
            "DeliveryLogs",
            retention=log_retention(self.config.retention.log_days),
            removal_policy=RemovalPolicy.DESTROY,
        )
        log_stream = logs.LogStream(
            self, "S3Delivery", log_group=log_group, removal_policy=RemovalPolicy.DESTROY
        )
        role = self._role(archive, source, key, log_group)
        stream = firehose.CfnDeliveryStream(
            self,
            "Delivery",
            delivery_stream_name=delivery_stream_name(self.config.stage),
            delivery_stream_type="KinesisStreamAsSource",
            kinesis_stream_source_configuration=firehose.CfnDeliveryStream.KinesisStreamSourceConfigurationProperty(
                kinesis_stream_arn=source.stream_arn, role_arn=role.role_arn
            ),
            extended_s3_destination_configuration=firehose.CfnDeliveryStream.ExtendedS3DestinationConfigurationProperty(
                bucket_arn=archive.bucket_arn,
                role_arn=role.role_arn,
                prefix=DATA_OUTPUT_PREFIX,
                error_output_prefix=ERROR_OUTPUT_PREFIX,
                buffering_hints=firehose.CfnDeliveryStream.BufferingHintsProperty(
                    interval_in_seconds=BUFFER_INTERVAL.to_seconds(),
                    size_in_m_bs=BUFFER_SIZE_MB,
                ),
                # Conversion compresses (Snappy, inside Parquet); S3-level compression must be off.
                compression_format="UNCOMPRESSED",
                encryption_configuration=firehose.CfnDeliveryStream.EncryptionConfigurationProperty(
                    kms_encryption_config=firehose.CfnDeliveryStream.KMSEncryptionConfigProperty(
                        awskms_key_arn=key.key_arn
                    )
                ),
                cloud_watch_logging_options=firehose.CfnDeliveryStream.CloudWatchLoggingOptionsProperty(
                    enabled=True,
                    log_group_name=log_group.log_group_name,
                    log_stream_name=log_stream.log_stream_name,
                ),
                data_format_conversion_configuration=firehose.CfnDeliveryStream.DataFormatConversionConfigurationProperty(
                    enabled=True,
                    # OpenX matches JSON keys to the lower-case columns without regard to case
                    # and reads Connect's ISO-8601 timestamps ('2026-03-02T14:05:09Z') as they
                    # come (https://docs.aws.amazon.com/firehose/latest/dev/record-format-conversion.html).
                    input_format_configuration=firehose.CfnDeliveryStream.InputFormatConfigurationProperty(
                        deserializer=firehose.CfnDeliveryStream.DeserializerProperty(
                            open_x_json_ser_de=firehose.CfnDeliveryStream.OpenXJsonSerDeProperty(
                                case_insensitive=True
                            )
                        )
                    ),
                    output_format_configuration=firehose.CfnDeliveryStream.OutputFormatConfigurationProperty(
                        serializer=firehose.CfnDeliveryStream.SerializerProperty(
                            parquet_ser_de=firehose.CfnDeliveryStream.ParquetSerDeProperty(
                                compression="SNAPPY"
                            )
                        )
                    ),
                    schema_configuration=firehose.CfnDeliveryStream.SchemaConfigurationProperty(
                        catalog_id=Aws.ACCOUNT_ID,
                        database_name=database_name(self.config.stage),
                        table_name=TABLE_NAME,
                        region=Aws.REGION,
                        role_arn=role.role_arn,
                        version_id="LATEST",
                    ),
                ),
            ),
        )
        # Firehose checks its role's permissions when the stream is created: the policy first.
        stream.node.add_dependency(role.node.find_child("DefaultPolicy"))
        stream.node.add_dependency(self.table)
        acknowledge(
            stream,
            "AwsSolutions-KDF1",
            "Server-side encryption of a delivery stream applies to Direct PUT sources only "
            "(https://docs.aws.amazon.com/firehose/latest/dev/encryption.html); records read "
            "from the contact-record stream stay encrypted there with the stage key, and the "
            "Parquet files in S3 are written with the same key",
        )
        return stream

    def _role(
        self, archive: s3.IBucket, source: kinesis.IStream, key: kms.IKey, log_group: logs.LogGroup
    ) -> iam.Role:
        """What Firehose documents it needs, and nothing more
        (https://docs.aws.amazon.com/firehose/latest/dev/controlling-access.html)."""
        role = iam.Role(
            self,
            "DeliveryRole",
            assumed_by=iam.ServicePrincipal(
                "firehose.amazonaws.com",
                conditions={"StringEquals": {"sts:ExternalId": Aws.ACCOUNT_ID}},
            ),
            description="Firehose: contact-record stream -> Parquet in the history archive",
        )
        source.grant_read(role)
        iam.Grant.add_to_principal(
            grantee=role,
            actions=["s3:GetBucketLocation", "s3:ListBucket", "s3:ListBucketMultipartUploads"],
            resource_arns=[archive.bucket_arn],
        )
        iam.Grant.add_to_principal(
            grantee=role,
            actions=["s3:AbortMultipartUpload", "s3:GetObject", "s3:PutObject"],
            resource_arns=[
                archive.arn_for_objects(f"{RECORDS_PREFIX}*"),
                archive.arn_for_objects(f"{ERRORS_PREFIX}*"),
            ],
        )
        key.grant(role, "kms:Decrypt", "kms:GenerateDataKey")
        iam.Grant.add_to_principal(
            grantee=role,
            actions=["glue:GetTable", "glue:GetTableVersion", "glue:GetTableVersions"],
            resource_arns=[
                self._glue_arn("catalog"),
                self._glue_arn(f"database/{database_name(self.config.stage)}"),
                self._glue_arn(f"table/{database_name(self.config.stage)}/{TABLE_NAME}"),
            ],
        )
        log_group.grant_write(role)
        bucket_id = Stack.of(self).get_logical_id(self._default_child(archive))
        for prefix in (RECORDS_PREFIX, ERRORS_PREFIX):
            acknowledge(
                role,
                f"AwsSolutions-IAM5[Resource::<{bucket_id}.Arn>/{prefix}*]",
                "Firehose names each object it writes (day, stream, time, random part), so its "
                "role may write any object under the one prefix it delivers to, and nothing else",
            )
        return role

    @staticmethod
    def _default_child(construct: Construct) -> CfnElement:
        resource = construct.node.default_child
        assert isinstance(resource, CfnElement)
        return resource

    def _glue_arn(self, resource: str) -> str:
        return Stack.of(self).format_arn(
            service="glue", resource=resource, arn_format=ArnFormat.NO_RESOURCE_NAME
        )

    def _results_bucket(self, key: kms.IKey, access_logs: s3.IBucket) -> s3.Bucket:
        bucket = s3.Bucket(
            self,
            "QueryResults",
            encryption=s3.BucketEncryption.KMS,
            encryption_key=key,
            bucket_key_enabled=True,
            block_public_access=s3.BlockPublicAccess.BLOCK_ALL,
            enforce_ssl=True,
            server_access_logs_bucket=access_logs,
            server_access_logs_prefix="history-results/",
            lifecycle_rules=[
                s3.LifecycleRule(
                    expiration=Duration.days(self.config.history.results_days),
                    abort_incomplete_multipart_upload_after=Duration.days(1),
                )
            ],
            **bucket_removal(self.config.protect_data),
        )
        settle_auto_delete_provider(self, self.config.retention.log_days)
        return bucket

    def _workgroup(self, key: kms.IKey) -> athena.CfnWorkGroup:
        history = self.config.history
        return athena.CfnWorkGroup(
            self,
            "Workgroup",
            name=workgroup_name(self.config.stage),
            description=f"{self.config.organisation} contact history queries ({self.config.stage})",
            # A workgroup holding query history cannot be deleted otherwise; it holds no data.
            recursive_delete_option=True,
            work_group_configuration=athena.CfnWorkGroup.WorkGroupConfigurationProperty(
                # Enforced: a client cannot send results elsewhere or lift the scan limit.
                enforce_work_group_configuration=True,
                bytes_scanned_cutoff_per_query=history.bytes_scanned_limit,
                publish_cloud_watch_metrics_enabled=True,
                result_configuration=athena.CfnWorkGroup.ResultConfigurationProperty(
                    output_location=f"s3://{self.results_bucket.bucket_name}/",
                    encryption_configuration=athena.CfnWorkGroup.EncryptionConfigurationProperty(
                        encryption_option="SSE_KMS", kms_key=key.key_arn
                    ),
                ),
            ),
        )


def delivery_stream_name(stage: str) -> str:
    """Named, so the ContactCenter stack's alarms and dashboard name it without a reference
    into the Data stack."""
    return f"contact-center-{stage}-history"


def delivery_metric(stage: str, name: str, statistic: str) -> cloudwatch.Metric:
    """One of the delivery stream's metrics
    (https://docs.aws.amazon.com/firehose/latest/dev/monitoring-with-cloudwatch-metrics.html)."""
    return cloudwatch.Metric(
        namespace="AWS/Firehose",
        metric_name=name,
        dimensions_map={"DeliveryStreamName": delivery_stream_name(stage)},
        statistic=statistic,
        period=ALARM_PERIOD,
    )


def archive_alarms(scope: Construct, config: ContactCenterConfig) -> list[cloudwatch.Alarm]:
    """Records Firehose could not convert, and records not reaching S3 at all. Made in the
    ContactCenter stack (`scope`), where the alarm topic is."""
    failed_conversion = failure_alarm(
        scope,
        "FailedConversionAlarm",
        metric=delivery_metric(config.stage, "FailedConversion.Records", "Sum"),
        description="Firehose could not convert contact records to the archive's Parquet schema: "
        f"they wait under {ERRORS_PREFIX} for {config.history.error_records_days} days "
        "(a field whose type changed, or a malformed record)",
        at_least=1,
    )
    stale = failure_alarm(
        scope,
        "DeliveryFreshnessAlarm",
        metric=delivery_metric(config.stage, "DeliveryToS3.DataFreshness", "Maximum"),
        description="Contact records have not reached the archive bucket for over an hour: Firehose "
        "cannot write to S3 or use the key (it retries for 24 hours; the stream keeps "
        "records 24 hours)",
        over=FRESHNESS_ALARM.to_seconds(),
    )
    return [failed_conversion, stale]
