"""cdk-nag's AwsSolutions pack through CDK's validation plugins (the cdk-nag 3.x way).

Every acknowledgement goes through `acknowledge`, so each one carries its reason beside the
construct it is about; tests read them back from the synthesized report.
"""

from __future__ import annotations

from aws_cdk import Acknowledgment, App, CfnResource, Validations
from cdk_nag import AwsSolutionsChecks
from constructs import IConstruct

PLUGIN_PREFIX = "AwsSolutions::"


def add_checks(app: App) -> None:
    Validations.of(app).add_plugins(AwsSolutionsChecks(app))


def acknowledge(construct: IConstruct, rule: str, reason: str) -> None:
    """`rule` is the cdk-nag id, e.g. `AwsSolutions-S1` or `AwsSolutions-IAM5[Resource::*]`.

    CDK's validation API namespaces acknowledgements by plugin, hence the `AwsSolutions::` prefix.
    """
    Validations.of(construct).acknowledge(
        Acknowledgment(id=f"{PLUGIN_PREFIX}{rule}", reason=reason)
    )


def ignore_lint(construct: IConstruct, check: str, reason: str) -> None:
    """Tells cfn-lint to skip `check` on the construct's CloudFormation resource (its default
    child when given an L2); the reason travels with it into the template."""
    resource = construct if isinstance(construct, CfnResource) else construct.node.default_child
    if not isinstance(resource, CfnResource):
        raise TypeError(f"{construct.node.path} has no CloudFormation resource to annotate")
    resource.add_metadata("cfn-lint", {"config": {"ignore_checks": [check]}, "reason": reason})
