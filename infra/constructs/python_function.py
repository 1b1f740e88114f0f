"""The one way this project makes a Lambda function, so runtime, architecture and logging cannot drift."""

from __future__ import annotations

from importlib.metadata import version

from aws_cdk import Duration, RemovalPolicy
from aws_cdk import aws_iam as iam
from aws_cdk import aws_lambda as lambda_
from aws_cdk import aws_logs as logs
from aws_cdk import aws_ssm as ssm
from constructs import Construct

from infra.function_settings import FUNCTION_DEFAULTS
from infra.nag import acknowledge, ignore_lint
from infra.paths import LAMBDAS_DIR, PROJECT_ROOT

# Powertools' public layer carries aws-lambda-powertools with its tracer and parser extras
# (aws-xray-sdk, pydantic), so our asset stays our own code only and synth needs no Docker.
# Powertools publishes each release's layer ARN as a public SSM parameter per architecture and
# Python version; resolving the one for the release installed here deploys exactly the
# Powertools the tests ran (a hand-pinned layer number had drifted 14 releases behind).
# https://docs.aws.amazon.com/powertools/python/latest/getting-started/lambda-layers/
POWERTOOLS_LAYER_PARAMETER = "/aws/service/powertools/python/{arch}/{python}/{version}"


def powertools_layer_parameter(runtime: lambda_.Runtime, architecture: lambda_.Architecture) -> str:
    """The SSM parameter holding the layer ARN of the installed aws-lambda-powertools release."""
    return POWERTOOLS_LAYER_PARAMETER.format(
        arch=architecture.name, python=runtime.name, version=version("aws-lambda-powertools")
    )


def lambda_code() -> lambda_.Code:
    """One asset for every function: the `lambdas` package at the root of the zip.

    Handlers import `lambdas.common...` in the cloud exactly as they do in tests.
    """
    excluded = [entry.name for entry in PROJECT_ROOT.iterdir() if entry.name != LAMBDAS_DIR.name]
    return lambda_.Code.from_asset(
        str(PROJECT_ROOT),
        exclude=[*excluded, "**/__pycache__", "**/*.pyc"],
    )


class PythonFunction(Construct):
    """A Python Lambda with our defaults; `self.function` is the L2 function.

    The findings every such function raises, whatever it does, are acknowledged here once; a
    function's own grants carry their own acknowledgements where they are made.
    """

    RUNTIME = lambda_.Runtime.PYTHON_3_14
    ARCHITECTURE = lambda_.Architecture.ARM_64

    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        handler: str,
        description: str,
        log_retention_days: int,
        environment: dict[str, str] | None = None,
        memory_size: int = 256,
        timeout_seconds: int = 10,
        service_name: str | None = None,
    ) -> None:
        super().__init__(scope, construct_id)
        self.log_group = logs.LogGroup(
            self,
            "Logs",
            retention=log_retention(log_retention_days),
            removal_policy=RemovalPolicy.DESTROY,
        )
        layer = lambda_.LayerVersion.from_layer_version_arn(
            self,
            "Powertools",
            ssm.StringParameter.value_for_string_parameter(
                self, powertools_layer_parameter(self.RUNTIME, self.ARCHITECTURE)
            ),
        )
        self.function = lambda_.Function(
            self,
            "Function",
            runtime=self.RUNTIME,
            architecture=self.ARCHITECTURE,
            handler=handler,
            code=lambda_code(),
            description=description,
            memory_size=memory_size,
            timeout=Duration.seconds(timeout_seconds),
            layers=[layer],
            tracing=lambda_.Tracing.ACTIVE,
            log_group=self.log_group,
            logging_format=lambda_.LoggingFormat.JSON,
            environment={
                "POWERTOOLS_SERVICE_NAME": service_name or construct_id,
                **FUNCTION_DEFAULTS,
                **(environment or {}),
            },
        )
        self._write_own_logs_only()
        ignore_lint(
            self.function,
            "W3005",
            "CDK keeps an explicit DependsOn on the role beside the GetAtt that already implies it",
        )
        acknowledge(
            self.function,
            "AwsSolutions-IAM5[Resource::*]",
            "Active tracing adds xray:PutTraceSegments and xray:PutTelemetryRecords, which have "
            "no resource type and so can only be granted on '*'",
        )

    def _write_own_logs_only(self) -> None:
        """Lambda's L2 gives its role AWSLambdaBasicExecutionRole, which may create and write
        every log group in the account; the function needs only to write streams of its own
        group, which exists before it runs (so no CreateLogGroup either).

        The managed policy is taken off the role's L1 property itself (CDK's escape hatch), not
        by an override, so cdk-nag checks what is deployed; the role stays the function's own
        child, where the acknowledgements made on the function reach its policy.
        https://docs.aws.amazon.com/lambda/latest/dg/monitoring-cloudwatchlogs-permissions.html
        """
        role = self.function.role
        assert role is not None
        cfn_role = role.node.default_child
        assert isinstance(cfn_role, iam.CfnRole)
        cfn_role.managed_policy_arns = None
        self.log_group.grant_write(role)

    def acknowledge_key_grants(self) -> None:
        """For functions granted use of a KMS-encrypted table, stream or queue."""
        for action in ("kms:GenerateDataKey*", "kms:ReEncrypt*"):
            acknowledge(
                self.function,
                f"AwsSolutions-IAM5[Action::{action}]",
                "CDK's grant on a KMS-encrypted table, stream or queue adds this action family, "
                "limited to the one key that encrypts that resource",
            )


_RETENTION_BY_DAYS = {
    1: logs.RetentionDays.ONE_DAY,
    3: logs.RetentionDays.THREE_DAYS,
    5: logs.RetentionDays.FIVE_DAYS,
    7: logs.RetentionDays.ONE_WEEK,
    14: logs.RetentionDays.TWO_WEEKS,
    30: logs.RetentionDays.ONE_MONTH,
    60: logs.RetentionDays.TWO_MONTHS,
    90: logs.RetentionDays.THREE_MONTHS,
    120: logs.RetentionDays.FOUR_MONTHS,
    150: logs.RetentionDays.FIVE_MONTHS,
    180: logs.RetentionDays.SIX_MONTHS,
    365: logs.RetentionDays.ONE_YEAR,
    400: logs.RetentionDays.THIRTEEN_MONTHS,
    545: logs.RetentionDays.EIGHTEEN_MONTHS,
    731: logs.RetentionDays.TWO_YEARS,
    1096: logs.RetentionDays.THREE_YEARS,
    1827: logs.RetentionDays.FIVE_YEARS,
}


def log_retention(days: int) -> logs.RetentionDays:
    """The config accepts only CloudWatch's retention periods, so every value has a member here."""
    return _RETENTION_BY_DAYS[days]
