"""AWS API calls CloudFormation has no property for, made at deploy time by `AwsCustomResource`.

One definition for every stack that needs them (the ContactCenter stack's flow associations,
the People stack's queue quick connects): each call gets a policy naming only its actions and
resources, logs to a log group with the stage's retention, and the one provider function CDK
adds per stack is acknowledged for cdk-nag once, here.
"""

from __future__ import annotations

from aws_cdk import RemovalPolicy, Stack
from aws_cdk import aws_iam as iam
from aws_cdk import aws_logs as logs
from aws_cdk import custom_resources as cr
from constructs import Construct

from infra.constructs.python_function import log_retention
from infra.nag import acknowledge, ignore_lint

# AwsCustomResource's singleton provider: construct id "AWS" + its UUID without dashes.
PROVIDER_ID = "AWS679f53fac002430cb0da5b7982bd2287"
# The calls' log group, one per scope that makes calls (its id is part of deployed logical ids).
LOG_GROUP_ID = "AssociationLogs"
# Node metadata marking a stack's provider as acknowledged (manifest only, not the template).
_ACKNOWLEDGED = "ccaas:provider-acknowledged"


def deploy_call(
    scope: Construct,
    construct_id: str,
    *,
    create: cr.AwsSdkCall,
    delete: cr.AwsSdkCall | None,
    actions: list[str],
    resources: list[str],
    log_days: int,
    resource_type: str,
) -> cr.AwsCustomResource:
    """`create` runs on create and update, `delete` on delete; both may call only `actions` on
    `resources`. The references in the calls order it after the resources they name; anything
    else it must wait for is a `node.add_dependency`."""
    resource = cr.AwsCustomResource(
        scope,
        construct_id,
        on_create=create,
        on_update=create,
        on_delete=delete,
        policy=cr.AwsCustomResourcePolicy.from_statements(
            [iam.PolicyStatement(actions=actions, resources=resources)]
        ),
        install_latest_aws_sdk=False,
        log_group=_call_logs(scope, log_days),
        resource_type=resource_type,
    )
    _acknowledge_provider(Stack.of(scope))
    return resource


def _call_logs(scope: Construct, log_days: int) -> logs.ILogGroup:
    existing = scope.node.try_find_child(LOG_GROUP_ID)
    if isinstance(existing, logs.LogGroup):
        return existing
    return logs.LogGroup(
        scope,
        LOG_GROUP_ID,
        retention=log_retention(log_days),
        removal_policy=RemovalPolicy.DESTROY,
    )


def _acknowledge_provider(stack: Stack) -> None:
    """The one provider function AwsCustomResource adds to a stack, shared by all its calls."""
    provider = stack.node.try_find_child(PROVIDER_ID)
    if provider is None:  # pragma: no cover - CDK renamed its singleton
        raise RuntimeError(f"AwsCustomResource's provider '{PROVIDER_ID}' was not found")
    if any(entry.type == _ACKNOWLEDGED for entry in provider.node.metadata):
        return
    acknowledge(
        provider,
        "AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/"
        "AWSLambdaBasicExecutionRole]",
        "CDK's AwsCustomResource provider writes its own logs through "
        "AWSLambdaBasicExecutionRole; it runs only while CloudFormation deploys, and what "
        "it may call is the exact-action, exact-ARN policy beside each call",
    )
    ignore_lint(
        provider,
        "W3005",
        "the provider keeps an explicit DependsOn on its role beside the GetAtt; that is "
        "aws-cdk-lib's generated code, not ours to change",
    )
    provider.node.add_metadata(_ACKNOWLEDGED, True)
