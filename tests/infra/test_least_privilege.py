"""Least privilege across every stack of both stages, and the audit shown to catch what it must.

The stages are the session's synthesized assemblies (tests/conftest.py): whatever stacks the
app builds are walked, so a stack added tomorrow is audited without touching this file.
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from config import ContactCenterConfig
from tests.infra.policy_audit import (
    AWS_MANAGED_POLICIES,
    KEY_POLICY_RESOURCE,
    KEY_POLICY_ROOT,
    NO_RESOURCE_TYPE,
    allow_statements,
    audit_template,
    audit_templates,
    aws_managed_policies,
    resource_wildcard_actions,
)

SECURITY_PAGE = Path(__file__).resolve().parents[2] / "docs" / "security.md"
ACCOUNT_ROOT = {
    "AWS": {
        "Fn::Join": [
            "",
            ["arn:", {"Ref": "AWS::Partition"}, ":iam::", {"Ref": "AWS::AccountId"}, ":root"],
        ]
    }
}
TABLE_ARN = {"Fn::GetAtt": ["Table", "Arn"]}


@pytest.fixture(scope="module", params=["dev", "prod"])
def stage_templates(
    request: pytest.FixtureRequest, synth: Callable[[ContactCenterConfig], Any]
) -> dict[str, dict[str, Any]]:
    templates: dict[str, dict[str, Any]] = synth(
        request.getfixturevalue(f"{request.param}_config")
    ).templates
    return templates


@pytest.fixture(scope="module")
def both_stages(
    synth: Callable[[ContactCenterConfig], Any],
    dev_config: ContactCenterConfig,
    prod_config: ContactCenterConfig,
) -> dict[str, dict[str, Any]]:
    return {**synth(dev_config).templates, **synth(prod_config).templates}


def template(resource_type: str, properties: dict[str, Any]) -> dict[str, Any]:
    return {"Resources": {"UnderTest": {"Type": resource_type, "Properties": properties}}}


def role_policy(*statements: dict[str, Any]) -> dict[str, Any]:
    return template(
        "AWS::IAM::Policy",
        {
            "PolicyName": "p",
            "PolicyDocument": {"Version": "2012-10-17", "Statement": list(statements)},
        },
    )


def problems(body: dict[str, Any]) -> list[str]:
    return [finding.problem for finding in audit_template("Fixture", body)]


# --- the deployed stages --------------------------------------------------------------------
def test_no_policy_in_any_stack_grants_more_than_least_privilege(
    stage_templates: dict[str, dict[str, Any]],
) -> None:
    # Given every stack the stage synthesizes
    # When every policy in them is walked
    findings = audit_templates(stage_templates)
    # Then nothing grants a wildcard action, an unneeded '*' resource or public access
    assert [str(finding) for finding in findings] == []


def test_the_audit_walks_identity_key_bucket_queue_and_topic_policies(
    stage_templates: dict[str, dict[str, Any]],
) -> None:
    walked = Counter(
        statement.resource_type
        for stack, body in stage_templates.items()
        for statement in allow_statements(stack, body)
    )
    # Roles' trust policies, CDK's grants (custom resource and bucket deployment providers
    # included), key policies, bucket policies (CloudFront's read of the widget) and topic
    # policies (SMS/SES events, alarms) all pass through the walker.
    assert {"AWS::IAM::Role", "AWS::IAM::Policy", "AWS::KMS::Key", "AWS::SNS::TopicPolicy"} <= set(
        walked
    )
    assert walked["AWS::IAM::Policy"] >= 5


def test_our_functions_write_only_their_own_log_group(
    stage_templates: dict[str, dict[str, Any]],
) -> None:
    checked = 0
    for stack, body in stage_templates.items():
        resources = body["Resources"]
        for function in resources.values():
            properties = function.get("Properties", {})
            if function["Type"] != "AWS::Lambda::Function" or not str(
                properties.get("Handler", "")
            ).startswith("lambdas."):
                continue
            role_id = properties["Role"]["Fn::GetAtt"][0]
            log_group = properties["LoggingConfig"]["LogGroup"]["Ref"]
            # No AWS-managed policy (AWSLambdaBasicExecutionRole writes every log group) ...
            assert "ManagedPolicyArns" not in resources[role_id]["Properties"], role_id
            # ... and the log actions it has name its own group
            log_statements = [
                statement.body
                for statement in allow_statements(stack, body)
                if statement.resource_type == "AWS::IAM::Policy"
                and any(
                    role.get("Ref") == role_id
                    for policy in [resources[statement.resource.split(".")[0]]]
                    for role in policy["Properties"]["Roles"]
                )
                and any(str(action).startswith("logs:") for action in statement.body["Action"])
            ]
            assert log_statements == [
                {
                    "Action": ["logs:CreateLogStream", "logs:PutLogEvents"],
                    "Effect": "Allow",
                    "Resource": {"Fn::GetAtt": [log_group, "Arn"]},
                }
            ], role_id
            checked += 1
    assert checked >= 5  # prod (voice and chat) has five of our functions, dev all of them


def test_every_exception_is_still_needed(both_stages: dict[str, dict[str, Any]]) -> None:
    # An exception nothing uses any more is a hole waiting for a policy: the lists match what
    # the stages deploy, exactly.
    assert resource_wildcard_actions(both_stages) == set(NO_RESOURCE_TYPE)
    assert aws_managed_policies(both_stages) == set(AWS_MANAGED_POLICIES)


def test_the_security_page_lists_every_exception_with_its_reference() -> None:
    page = SECURITY_PAGE.read_text()
    for name, justification in [
        *NO_RESOURCE_TYPE.items(),
        *AWS_MANAGED_POLICIES.items(),
        ("kms:*", KEY_POLICY_ROOT),
        ("kms:*", KEY_POLICY_RESOURCE),
    ]:
        assert name in page, f"{name} is not listed in {SECURITY_PAGE.name}"
        assert justification.reference in page, f"{name}'s reference is missing"


# --- the audit catches what it must -----------------------------------------------------------
def test_a_star_action_fails() -> None:
    body = role_policy({"Effect": "Allow", "Action": "*", "Resource": TABLE_ARN})
    assert problems(body) == [
        'action * on {"Action": "*", "Effect": "Allow", "Resource": {"Fn::GetAtt": '
        '["Table", "Arn"]}}'
    ]


def test_a_whole_service_action_fails() -> None:
    body = role_policy({"Effect": "Allow", "Action": ["dynamodb:*"], "Resource": TABLE_ARN})
    assert len(problems(body)) == 1
    assert problems(body)[0].startswith("action dynamodb:*")


def test_a_star_resource_fails_for_an_action_aws_lets_us_scope() -> None:
    body = role_policy(
        {
            "Effect": "Allow",
            "Action": ["dynamodb:GetItem", "xray:PutTraceSegments"],
            "Resource": "*",
        }
    )
    assert problems(body) == [
        "resource '*' for dynamodb:GetItem, which AWS lets a policy scope",
    ]


def test_a_star_resource_passes_for_actions_aws_defines_no_resource_for() -> None:
    body = role_policy(
        {"Effect": "Allow", "Action": sorted(NO_RESOURCE_TYPE), "Resource": "*"},
    )
    assert problems(body) == []


def test_action_families_and_deny_statements_pass() -> None:
    body = role_policy(
        {"Effect": "Allow", "Action": "kms:GenerateDataKey*", "Resource": TABLE_ARN},
        {"Effect": "Deny", "Action": "s3:*", "Resource": "*", "Principal": {"AWS": "*"}},
    )
    assert problems(body) == []


def test_not_action_and_not_resource_fail() -> None:
    body = role_policy({"Effect": "Allow", "NotAction": "iam:*", "NotResource": TABLE_ARN})
    assert problems(body) == [
        "NotAction allows every other action",
        "NotResource allows every other resource",
    ]


def test_inline_role_policies_and_json_string_documents_are_walked() -> None:
    statement = {"Effect": "Allow", "Action": "s3:*", "Resource": "*"}
    inline = template(
        "AWS::IAM::Role",
        {"Policies": [{"PolicyName": "p", "PolicyDocument": {"Statement": [statement]}}]},
    )
    logs = template(
        "AWS::Logs::ResourcePolicy",
        {"PolicyName": "p", "PolicyDocument": json.dumps({"Statement": [statement]})},
    )
    assert len(problems(inline)) == 2  # the action and the resource
    assert len(problems(logs)) == 2


def test_a_lex_resource_policy_is_walked_by_its_shape() -> None:
    body = template(
        "AWS::Lex::ResourcePolicy",
        {
            "ResourceArn": {"Fn::GetAtt": ["Bot", "Arn"]},
            "Policy": {
                "Statement": [
                    {
                        "Effect": "Allow",
                        "Principal": {"Service": "connect.amazonaws.com"},
                        "Action": "lex:*",
                        "Resource": {"Fn::GetAtt": ["Alias", "Arn"]},
                    }
                ]
            },
        },
    )
    assert [problem.split(" on ")[0] for problem in problems(body)] == ["action lex:*"]


def test_key_policies_may_delegate_to_the_account_and_name_the_key_as_star() -> None:
    body = template(
        "AWS::KMS::Key",
        {
            "KeyPolicy": {
                "Statement": [
                    {
                        "Effect": "Allow",
                        "Principal": ACCOUNT_ROOT,
                        "Action": "kms:*",
                        "Resource": "*",
                    },
                    {
                        "Effect": "Allow",
                        "Principal": {"Service": "ses.amazonaws.com"},
                        "Action": ["kms:Decrypt", "kms:GenerateDataKey*"],
                        "Resource": "*",
                    },
                ]
            }
        },
    )
    assert problems(body) == []


def test_a_key_policy_giving_kms_star_to_anyone_but_the_account_fails() -> None:
    body = template(
        "AWS::KMS::Key",
        {
            "KeyPolicy": {
                "Statement": [
                    {
                        "Effect": "Allow",
                        "Principal": {"Service": "ses.amazonaws.com"},
                        "Action": "kms:*",
                        "Resource": "*",
                    }
                ]
            }
        },
    )
    assert len(problems(body)) == 1


def test_a_public_resource_policy_fails_unless_conditioned() -> None:
    public = {"Effect": "Allow", "Principal": "*", "Action": "s3:GetObject", "Resource": "arn"}
    conditioned = {**public, "Condition": {"StringEquals": {"aws:SourceAccount": "111"}}}
    assert problems(template("AWS::S3::BucketPolicy", {"PolicyDocument": {"Statement": [public]}}))
    assert not problems(
        template("AWS::S3::BucketPolicy", {"PolicyDocument": {"Statement": [conditioned]}})
    )


@pytest.mark.parametrize(
    ("properties", "expected"),
    [
        ({"Principal": "sns.amazonaws.com", "SourceArn": {"Ref": "Topic"}}, 0),
        ({"Principal": "ses.amazonaws.com", "SourceAccount": {"Ref": "AWS::AccountId"}}, 0),
        ({"Principal": "ses.amazonaws.com"}, 1),
        ({"Principal": "*"}, 1),
    ],
)
def test_lambda_permissions_name_their_source(properties: dict[str, Any], expected: int) -> None:
    body = template(
        "AWS::Lambda::Permission",
        {"Action": "lambda:InvokeFunction", "FunctionName": "f", **properties},
    )
    assert len(problems(body)) == expected


def test_an_aws_managed_policy_nobody_justified_fails() -> None:
    body = template(
        "AWS::IAM::Role",
        {
            "ManagedPolicyArns": [
                {"Fn::Sub": "arn:${AWS::Partition}:iam::aws:policy/AdministratorAccess"},
                {
                    "Fn::Sub": "arn:${AWS::Partition}:iam::aws:policy/service-role/"
                    "AWSLambdaBasicExecutionRole"
                },
            ]
        },
    )
    assert problems(body) == ["AWS-managed policy AdministratorAccess"]
