"""Least privilege, read from synthesized templates: every policy any stack deploys, walked.

What is walked: every policy document anywhere in a resource's properties (found by shape, a
mapping with a `Statement`, so a new policy-bearing resource type, such as a Lex bot's resource
policy, is walked the day it appears), the AWS-managed policies attached to roles, users and
groups, and Lambda permissions (resource policies written as one statement per resource).

What fails (`Finding`), in Allow statements only (a Deny on `s3:*` is how a bucket refuses
plain HTTP):

- an action `*` or a whole service (`svc:*`), and any `NotAction`;
- a resource `*` (or a `NotResource`) unless every action of the statement is one AWS defines
  with no resource type (`NO_RESOURCE_TYPE`, each with its Service Authorization Reference
  page), or the statement is in a KMS key policy, where `*` is the only valid resource and means
  "this key";
- a principal `*` with no condition (a public resource policy), and a Lambda permission for an
  AWS service with neither `SourceArn` nor `SourceAccount` (any account's resource could invoke
  the function through that service: the confused deputy);
- an AWS-managed policy not in `AWS_MANAGED_POLICIES`, whose contents a template does not show.

The one `*` action allowed is the key policy statement CDK writes for every key (`KEY_POLICY_ROOT`):
it lets this account's IAM policies grant use of the key, which is how every grant here works.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any

SERVICE_AUTHORIZATION = "https://docs.aws.amazon.com/service-authorization/latest/reference"


@dataclass(frozen=True)
class Justification:
    """Why something that looks broad is as narrow as AWS allows, and where AWS says so."""

    reason: str
    reference: str


# Actions that can only be granted on "*" for what we do with them: their "Resource types"
# column in the Service Authorization Reference is empty, or names only a resource we never use.
NO_RESOURCE_TYPE: dict[str, Justification] = {
    "polly:SynthesizeSpeech": Justification(
        "The Lex bot speaks through Polly; SynthesizeSpeech's only resource type is a "
        "pronunciation lexicon, which the bot does not use, so Polly authorizes it on '*'",
        "https://docs.aws.amazon.com/polly/latest/dg/api-permissions-reference.html",
    ),
    "xray:PutTraceSegments": Justification(
        "Active tracing: a function sends its trace segments to X-Ray, which defines no "
        "resource type for this action",
        f"{SERVICE_AUTHORIZATION}/list_awsx-ray.html",
    ),
    "xray:PutTelemetryRecords": Justification(
        "Active tracing: the function's X-Ray telemetry; X-Ray defines no resource type for "
        "this action",
        f"{SERVICE_AUTHORIZATION}/list_awsx-ray.html",
    ),
}

# AWS-managed policies we attach (their documents are AWS's, not in our templates).
AWS_MANAGED_POLICIES: dict[str, Justification] = {
    "service-role/AWSLambdaBasicExecutionRole": Justification(
        "Lambda's basic execution policy: logs:CreateLogGroup, CreateLogStream and "
        "PutLogEvents on '*', how Lambda delivers a function's logs; no data access. Only on "
        "aws-cdk-lib's deploy-time provider functions (bucket deployment, auto-delete "
        "objects, custom resources); our own functions write their own log group only",
        "https://docs.aws.amazon.com/aws-managed-policy/latest/reference/"
        "AWSLambdaBasicExecutionRole.html",
    ),
    "service-role/AmazonAPIGatewayPushToCloudWatchLogs": Justification(
        "API Gateway's one CloudWatch role per account and Region, which every REST API there "
        "logs through (so it cannot name our log groups); logs actions only, and only "
        "apigateway.amazonaws.com can assume it",
        "https://docs.aws.amazon.com/aws-managed-policy/latest/reference/"
        "AmazonAPIGatewayPushToCloudWatchLogs.html",
    ),
}

KEY_POLICY_ROOT = Justification(
    "A KMS key policy's statement for this account's root: without it no IAM policy can grant "
    "use of the key (it lets IAM decide, it gives no principal anything by itself); every use "
    "of our keys is then granted per function and per key by IAM policies this audit walks",
    "https://docs.aws.amazon.com/kms/latest/developerguide/key-policy-default.html",
)
KEY_POLICY_RESOURCE = Justification(
    "In a key policy the resource is always '*', meaning the key the policy is attached to",
    "https://docs.aws.amazon.com/kms/latest/developerguide/key-policy-overview.html",
)

_WHOLE_SERVICE = re.compile(r"^(\*|[a-z0-9-]+:\*)$")
_AWS_MANAGED = re.compile(r"^arn:[^:]*:iam::aws:policy/(?P<name>.+)$")


@dataclass(frozen=True)
class Finding:
    """One statement (or attachment) that grants more than it should."""

    stack: str
    resource: str
    resource_type: str
    problem: str

    def __str__(self) -> str:
        return f"{self.stack}/{self.resource} ({self.resource_type}): {self.problem}"


@dataclass(frozen=True)
class Statement:
    """An Allow statement as found, with where it was found."""

    stack: str
    resource: str
    resource_type: str
    body: Mapping[str, Any]

    def finding(self, problem: str) -> Finding:
        return Finding(self.stack, self.resource, self.resource_type, problem)


def text_of(value: Any) -> str:
    """A CloudFormation value as text, references written `<Logical.Attr>` / `<Ref>`, so an
    ARN built with Fn::Join can be compared with what AWS would see."""
    if isinstance(value, str):
        return value
    if isinstance(value, list):
        return ",".join(text_of(item) for item in value)
    if isinstance(value, Mapping):
        if "Fn::Join" in value:
            separator, parts = value["Fn::Join"]
            return str(separator).join(text_of(part) for part in parts)
        if "Fn::GetAtt" in value:
            attribute = value["Fn::GetAtt"]
            return "<" + (".".join(attribute) if isinstance(attribute, list) else attribute) + ">"
        if "Ref" in value:
            return f"<{value['Ref']}>"
        if "Fn::Sub" in value:
            template = value["Fn::Sub"]
            text = template if isinstance(template, str) else text_of(template[0])
            return re.sub(r"\$\{([^}]+)\}", r"<\1>", text)
    return json.dumps(value, sort_keys=True)


def _listed(value: Any) -> list[Any]:
    return value if isinstance(value, list) else [value]


def policy_documents(properties: Any, path: str = "") -> Iterator[tuple[str, Mapping[str, Any]]]:
    """Every policy document inside a resource's properties, with the property path to it.

    Found by shape, wherever it sits: a role's inline `Policies`, a key's `KeyPolicy`, a Lex
    resource policy's `Policy`, a policy given as a JSON string.
    """
    if isinstance(properties, str) and '"Statement"' in properties:
        try:
            properties = json.loads(properties)
        except ValueError:
            return
    if isinstance(properties, Mapping):
        if "Statement" in properties:
            yield path, properties
            return
        for key, value in properties.items():
            yield from policy_documents(value, f"{path}.{key}" if path else key)
    elif isinstance(properties, list):
        for index, item in enumerate(properties):
            yield from policy_documents(item, f"{path}[{index}]")


def allow_statements(stack: str, template: Mapping[str, Any]) -> Iterator[Statement]:
    for logical_id, resource in template.get("Resources", {}).items():
        for path, document in policy_documents(resource.get("Properties", {})):
            for body in _listed(document["Statement"]):
                if body.get("Effect") == "Allow":
                    yield Statement(stack, f"{logical_id}.{path}", resource["Type"], body)


def audit_template(stack: str, template: Mapping[str, Any]) -> list[Finding]:
    """Everything in one template that grants more than least privilege allows."""
    findings = [
        finding
        for statement in allow_statements(stack, template)
        for finding in _audit_statement(statement)
    ]
    for logical_id, resource in template.get("Resources", {}).items():
        properties = resource.get("Properties", {})
        kind = resource["Type"]
        for arn in _listed(properties.get("ManagedPolicyArns", [])):
            match = _AWS_MANAGED.match(text_of(arn).replace("<AWS::Partition>", "aws"))
            if match and match["name"] not in AWS_MANAGED_POLICIES:
                findings.append(
                    Finding(stack, logical_id, kind, f"AWS-managed policy {match['name']}")
                )
        if kind == "AWS::Lambda::Permission":
            findings += _audit_lambda_permission(stack, logical_id, properties)
    return findings


def audit_templates(templates: Mapping[str, Mapping[str, Any]]) -> list[Finding]:
    return [finding for stack, body in templates.items() for finding in audit_template(stack, body)]


def _audit_statement(statement: Statement) -> list[Finding]:
    body = statement.body
    findings = []
    if "NotAction" in body:
        findings.append(statement.finding("NotAction allows every other action"))
    if "NotResource" in body:
        findings.append(statement.finding("NotResource allows every other resource"))
    actions = [text_of(action) for action in _listed(body.get("Action", []))]
    in_key_policy = statement.resource_type == "AWS::KMS::Key"
    broad = [action for action in actions if _WHOLE_SERVICE.match(action)]
    if broad and not (in_key_policy and _is_account_root(body) and broad == ["kms:*"]):
        findings.append(statement.finding(f"action {', '.join(broad)} on {text_of(body)}"))
    resources = [text_of(resource) for resource in _listed(body.get("Resource", []))]
    if "*" in resources and not in_key_policy:
        unscopable = [action for action in actions if action not in NO_RESOURCE_TYPE]
        if unscopable:
            findings.append(
                statement.finding(
                    f"resource '*' for {', '.join(unscopable)}, which AWS lets a policy scope"
                )
            )
    if _is_public(body):
        findings.append(statement.finding("principal '*' with no condition: public"))
    return findings


def _is_account_root(body: Mapping[str, Any]) -> bool:
    principal = body.get("Principal")
    if not isinstance(principal, Mapping):
        return False
    return [text_of(aws) for aws in _listed(principal.get("AWS", []))] == [
        "arn:<AWS::Partition>:iam::<AWS::AccountId>:root"
    ]


def _is_public(body: Mapping[str, Any]) -> bool:
    principal = body.get("Principal")
    everyone = principal == "*" or (
        isinstance(principal, Mapping) and "*" in _listed(principal.get("AWS", []))
    )
    return everyone and not body.get("Condition")


def _audit_lambda_permission(
    stack: str, logical_id: str, properties: Mapping[str, Any]
) -> list[Finding]:
    kind = "AWS::Lambda::Permission"
    findings = []
    action = text_of(properties.get("Action", ""))
    if _WHOLE_SERVICE.match(action):
        findings.append(Finding(stack, logical_id, kind, f"action {action}"))
    principal = text_of(properties.get("Principal", ""))
    if principal == "*":
        findings.append(Finding(stack, logical_id, kind, "principal '*': anyone may invoke"))
    elif principal.endswith(".amazonaws.com") and not (
        properties.get("SourceArn") or properties.get("SourceAccount")
    ):
        findings.append(
            Finding(
                stack,
                logical_id,
                kind,
                f"{principal} may invoke on behalf of any account (no SourceArn/SourceAccount)",
            )
        )
    return findings


def resource_wildcard_actions(templates: Mapping[str, Mapping[str, Any]]) -> set[str]:
    """The actions granted on '*' outside key policies: what `NO_RESOURCE_TYPE` must explain."""
    return {
        text_of(action)
        for stack, body in templates.items()
        for statement in allow_statements(stack, body)
        if statement.resource_type != "AWS::KMS::Key"
        and "*" in [text_of(resource) for resource in _listed(statement.body.get("Resource", []))]
        for action in _listed(statement.body.get("Action", []))
    }


def aws_managed_policies(templates: Mapping[str, Mapping[str, Any]]) -> set[str]:
    """The AWS-managed policies attached anywhere: what `AWS_MANAGED_POLICIES` must explain."""
    return {
        match["name"]
        for body in templates.values()
        for resource in body.get("Resources", {}).values()
        for arn in _listed(resource.get("Properties", {}).get("ManagedPolicyArns", []))
        if (match := _AWS_MANAGED.match(text_of(arn).replace("<AWS::Partition>", "aws")))
    }
