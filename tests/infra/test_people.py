"""The People stack: security profiles, teams, statuses, users and their first passwords, quick
connects, and the CloudFormation quotas a stage with many people runs into."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from aws_cdk import App, Stack
from aws_cdk import aws_kms as kms
from aws_cdk.assertions import Template

from config import ContactCenterConfig
from infra.constructs.people import USER_CREATION_LANES, People
from infra.paths import PROJECT_ROOT
from infra.synth import MAX_OUTPUTS, MAX_RESOURCES, templates_over_quota
from tests.conftest import config_with
from tests.infra.sdk_calls import sdk_calls

Synth = Callable[[ContactCenterConfig], Any]

# Connect's permission API names (admin guide, "List of security profile permissions").
AGENT = {"BasicAgentAccess", "OutboundCallAccess", "TransferDestinations.View"}
SUPERVISOR_ONLY = {
    "AccessMetrics",
    "AccessMetrics.RealTimeMetrics.Access",
    "AccessMetrics.HistoricalMetrics.Access",
    "AccessMetrics.AgentActivityAudit.Access",
    "ContactSearch.View",
    "ListenCallRecordings",
    "ManagerListenIn",
    "ManagerBargeIn",
    "Queues.View",
    "RoutingPolicies.View",
    "HoursOfOperation.View",
    "Users.View",
    "AgentStates.View",
}


def people_template(synthesis: Any) -> dict[str, Any]:
    (name,) = [n for n in synthesis.templates if n.endswith("-People")]
    return synthesis.templates[name]


def of_type(template: dict[str, Any], kind: str) -> dict[str, dict[str, Any]]:
    return {k: r for k, r in template["Resources"].items() if r["Type"] == kind}


@pytest.fixture(scope="module")
def dev_people(synth: Synth, dev_config: ContactCenterConfig) -> dict[str, Any]:
    return people_template(synth(dev_config))


def test_supervisor_sees_metrics_searches_listens_and_barges_and_an_agent_does_not(
    dev_people: dict[str, Any],
) -> None:
    profiles = {
        r["Properties"]["SecurityProfileName"]: set(r["Properties"]["Permissions"])
        for r in of_type(dev_people, "AWS::Connect::SecurityProfile").values()
    }
    assert profiles == {
        "ContactCenterAgent": AGENT,
        "ContactCenterSupervisor": AGENT | SUPERVISOR_ONLY,
    }
    assert not profiles["ContactCenterAgent"] & SUPERVISOR_ONLY


def test_connect_instance_offers_barge_in(synth: Synth, dev_config: ContactCenterConfig) -> None:
    (core,) = [b for n, b in synth(dev_config).templates.items() if n.endswith("-ContactCenter")]
    (instance,) = of_type(core, "AWS::Connect::Instance").values()
    attributes = instance["Properties"]["Attributes"]
    assert attributes["EnhancedContactMonitoring"] is True
    assert attributes["EnhancedChatMonitoring"] is True


def test_people_reference_the_contact_center_stack_strongly(dev_people: dict[str, Any]) -> None:
    users = of_type(dev_people, "AWS::Connect::User")
    for user in users.values():
        props = user["Properties"]
        assert "Fn::ImportValue" in props["InstanceArn"]
        assert "Fn::ImportValue" in props["RoutingProfileArn"]


def _fields(value: Any, key: str = "") -> Iterator[tuple[str, Any]]:
    """(field name, value) of every scalar in a template, at any depth."""
    if isinstance(value, dict):
        for name, item in value.items():
            yield from _fields(item, name)
    elif isinstance(value, list):
        for item in value:
            yield from _fields(item, key)
    else:
        yield key, value


def test_no_template_holds_password_text(synth: Synth, dev_config: ContactCenterConfig) -> None:
    # A password field may only hold the pieces of a dynamic reference around a secret's Ref.
    dynamic_reference = {"", "{{resolve:secretsmanager:", ":SecretString:::}}"}
    for name, template in synth(dev_config).templates.items():
        for field, value in _fields(template):
            if field in ("Password", "SecretString"):
                assert isinstance(value, str) and value in dynamic_reference, (name, field)


def test_each_connect_managed_user_gets_its_own_secret_by_dynamic_reference(
    dev_people: dict[str, Any], dev_config: ContactCenterConfig
) -> None:
    users = of_type(dev_people, "AWS::Connect::User")
    secrets = of_type(dev_people, "AWS::SecretsManager::Secret")
    assert dev_config.people is not None
    assert len(users) == len(secrets) == len(dev_config.people.users)
    referenced = set()
    for user in users.values():
        password = user["Properties"]["Password"]
        ((join_separator, (opening, ref, closing)),) = [password["Fn::Join"]]
        assert (join_separator, opening, closing) == (
            "",
            "{{resolve:secretsmanager:",
            ":SecretString:::}}",
        )
        referenced.add(ref["Ref"])
    assert referenced == set(secrets)
    for secret in secrets.values():
        generated = secret["Properties"]["GenerateSecretString"]
        # CreateUser: 8-64 characters with a lower-case letter, an upper-case one and a digit.
        assert 8 <= generated["PasswordLength"] <= 64
        assert generated["RequireEachIncludedType"] is True
        assert "ExcludeLowercase" not in generated and "ExcludeNumbers" not in generated
        assert "KmsKeyId" in secret["Properties"]  # the stage's key
    # The admin finds each person's secret in the stack outputs.
    outputs = {o["Value"]["Ref"] for o in dev_people["Outputs"].values() if "Ref" in o["Value"]}
    assert set(secrets) <= outputs


def test_users_carry_their_phone_routing_profile_team_and_profiles(
    dev_people: dict[str, Any],
) -> None:
    users = {
        u["Properties"]["Username"]: u["Properties"]
        for u in of_type(dev_people, "AWS::Connect::User").values()
    }
    desk = users["kpatel"]
    assert desk["PhoneConfig"] == {
        "PhoneType": "DESK_PHONE",
        "DeskPhoneNumber": "+13125550177",
        "AutoAccept": False,
        "AfterContactWorkTimeLimit": 120,
    }
    assert desk["IdentityInfo"] == {
        "FirstName": "Kiran",
        "LastName": "Patel",
        "Email": "kiran.patel@riverside-utilities.example",
    }
    assert len(users["mrivera"]["SecurityProfileArns"]) == 2
    assert len(users["jchen"]["SecurityProfileArns"]) == 1
    assert "HierarchyGroupArn" in users["jchen"]


def test_users_are_created_a_few_at_a_time(
    dev_people: dict[str, Any], dev_config: ContactCenterConfig
) -> None:
    # Connect throttles CreateUser per account: each user waits for the one LANES before it.
    assert dev_config.people is not None
    by_login = {
        r["Properties"]["Username"]: k for k, r in of_type(dev_people, "AWS::Connect::User").items()
    }
    logins = [user.login for user in dev_config.people.users]
    for index, login in enumerate(logins):
        depends = dev_people["Resources"][by_login[login]].get("DependsOn", [])
        users_waited_for = {d for d in depends if d in by_login.values()}
        if index < USER_CREATION_LANES:
            assert users_waited_for == set(), login
        else:
            assert users_waited_for == {by_login[logins[index - USER_CREATION_LANES]]}, login


def test_hierarchy_levels_and_groups_parent_first(dev_people: dict[str, Any]) -> None:
    (structure_id, structure), *_ = of_type(
        dev_people, "AWS::Connect::UserHierarchyStructure"
    ).items()
    assert structure["Properties"]["UserHierarchyStructure"] == {
        "LevelOne": {"Name": "site"},
        "LevelTwo": {"Name": "team"},
    }
    groups = of_type(dev_people, "AWS::Connect::UserHierarchyGroup")
    by_name = {g["Properties"]["Name"]: k for k, g in groups.items()}
    for group in groups.values():
        assert structure_id in group["DependsOn"]
        parent = group["Properties"].get("ParentGroupArn")
        if group["Properties"]["Name"] == "riverside_hq":
            assert parent is None
        else:
            assert parent == {"Fn::GetAtt": [by_name["riverside_hq"], "UserHierarchyGroupArn"]}


def test_custom_agent_statuses_in_the_order_declared(dev_people: dict[str, Any]) -> None:
    statuses = sorted(
        (r["Properties"] for r in of_type(dev_people, "AWS::Connect::AgentStatus").values()),
        key=lambda p: p["DisplayOrder"],
    )
    assert [(s["Name"], s["Type"], s["State"], s["DisplayOrder"]) for s in statuses] == [
        ("Break", "CUSTOM", "ENABLED", 1),
        ("Lunch", "CUSTOM", "ENABLED", 2),
        ("Training", "CUSTOM", "ENABLED", 3),
    ]


def test_quick_connects_to_a_queue_an_agent_and_a_number_through_their_flows(
    dev_people: dict[str, Any],
) -> None:
    quick = {
        r["Properties"]["Name"]: r["Properties"]["QuickConnectConfig"]
        for r in of_type(dev_people, "AWS::Connect::QuickConnect").values()
    }
    assert quick["field_dispatch"] == {
        "QuickConnectType": "PHONE_NUMBER",
        "PhoneConfig": {"PhoneNumber": "+13125550143"},
    }
    queue = quick["billing_desk"]
    assert queue["QuickConnectType"] == "QUEUE"
    assert "FlowTransferToQueue" in json.dumps(queue["QueueConfig"]["ContactFlowArn"])
    assert "QueueBilling" in json.dumps(queue["QueueConfig"]["QueueArn"])
    user = quick["supervisor"]
    assert user["QuickConnectType"] == "USER"
    assert "FlowTransferToAgent" in json.dumps(user["UserConfig"]["ContactFlowArn"])
    assert user["UserConfig"]["UserArn"]["Fn::GetAtt"][0].startswith("PeopleUsermrivera")


def test_each_queue_is_associated_with_the_quick_connects_its_agents_may_use(
    dev_people: dict[str, Any], dev_config: ContactCenterConfig
) -> None:
    assert dev_config.people is not None
    wanted = {
        (queue, name)
        for name, quick_connect in dev_config.people.quick_connects.items()
        for queue in quick_connect.queues
    }
    calls = list(sdk_calls(dev_people))
    creates = [c for c in calls if c.phase == "Create"]
    deletes = [c for c in calls if c.phase == "Delete"]
    assert {c.operation for c in creates} == {"AssociateQueueQuickConnects"}
    assert {c.operation for c in deletes} == {"DisassociateQueueQuickConnects"}
    assert len(creates) == len(deletes) == len(wanted)
    for call in creates:
        # Ids, not ARNs: the last part of each ARN.
        assert call.parameters["QueueId"].startswith("@Select3:")
        (quick_connect_id,) = call.parameters["QuickConnectIds"]
        assert quick_connect_id.startswith("@Select3:")
    # Least privilege: each pair's policy names its two actions on its queue and quick connect.
    for policy in of_type(dev_people, "AWS::IAM::Policy").values():
        (statement,) = policy["Properties"]["PolicyDocument"]["Statement"]
        assert statement["Action"] == [
            "connect:AssociateQueueQuickConnects",
            "connect:DisassociateQueueQuickConnects",
        ]
        assert len(statement["Resource"]) == 2


@pytest.fixture(scope="module")
def saml_people(dev_config: ContactCenterConfig) -> dict[str, Any]:
    """The People construct alone, for a SAML stage (a full synth is not needed)."""
    config = config_with(
        dev_config,
        instance={**dev_config.instance.model_dump(mode="json"), "identity_management": "SAML"},
    )
    assert config.people is not None
    stack = Stack(App(), "Probe")
    instance = "arn:aws:connect:us-east-1:123456789012:instance/i-1"
    People(
        stack,
        "People",
        config=config,
        people=config.people,
        instance_arn=instance,
        instance_id="i-1",
        routing_profile_arns={
            n: f"{instance}/routing-profile/{n}" for n in config.routing_profiles
        },
        queue_arns={n: f"{instance}/queue/{n}" for n in config.queues},
        flow_arns={n: f"{instance}/contact-flow/{n}" for n in config.flows},
        key=kms.Key(stack, "Key"),
    )
    return dict(Template.from_stack(stack).to_json())


def test_saml_users_have_no_password_and_no_secret(saml_people: dict[str, Any]) -> None:
    users = of_type(saml_people, "AWS::Connect::User")
    assert users
    assert all("Password" not in u["Properties"] for u in users.values())
    assert of_type(saml_people, "AWS::SecretsManager::Secret") == {}
    assert "Outputs" not in saml_people


def test_the_stage_passes_cloudformations_per_stack_quotas(
    synth: Synth, dev_config: ContactCenterConfig
) -> None:
    assert templates_over_quota(synth(dev_config).templates) == []


def test_a_stack_over_500_resources_or_200_outputs_is_named_with_its_count() -> None:
    # 260 Connect-managed people: a user, a secret and an output each (a real synth of that
    # many users takes about a minute, so the check is tested on the template it reads).
    people = {
        "Resources": {f"R{i}": {"Type": "AWS::Connect::User"} for i in range(520)},
        "Outputs": {f"O{i}": {"Value": "x"} for i in range(260)},
    }
    small = {"Resources": {"Key": {"Type": "AWS::KMS::Key"}}}
    problems = templates_over_quota(
        {"ContactCenter-dev-Data": small, "ContactCenter-dev-People": people}
    )
    assert problems == [
        f"stack ContactCenter-dev-People: 520 resources; CloudFormation accepts at most "
        f"{MAX_RESOURCES} in one stack (move resources into another stack; in the People "
        "stack, each Connect-managed person is a user, a secret and an output)",
        f"stack ContactCenter-dev-People: 260 outputs; CloudFormation accepts at most "
        f"{MAX_OUTPUTS} in one stack (move resources into another stack; in the People "
        "stack, each Connect-managed person is a user, a secret and an output)",
    ]


def test_cost_at_rest_counts_each_persons_secret() -> None:
    deploy = (PROJECT_ROOT / "docs" / "deploy.md").read_text()
    cost_at_rest = deploy.split("## Cost at rest", 1)[1]
    assert "Secrets Manager" in cost_at_rest and "$0.40 per secret" in cost_at_rest
    assert "https://aws.amazon.com/secrets-manager/pricing/" in cost_at_rest
    assert "$0.40 per\n  Connect-managed person" in (PROJECT_ROOT / "README.md").read_text()
