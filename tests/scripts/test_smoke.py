"""`ccaas smoke`: the post-deploy check, against botocore Stubbers (requests validated against the
CloudFormation, Connect and Connect Participant models; moto has no Connect users, routing or
security profiles) and a recorded chat API."""

from __future__ import annotations

import argparse
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

import boto3
import pytest
from botocore.stub import ANY, Stubber

from config import ContactCenterConfig, load_stage
from config.people import SecurityProfile
from scripts.cli import main
from scripts.cli_support import CommandError, ProblemsFound
from scripts.commands.smoke import Clients, http_post_json, run
from tests.conftest import config_with
from tests.scripts.cli_checks import one_error_line, only_aws_settings

INSTANCE_ID = "11111111-2222-3333-4444-555555555555"
QUEUES = {"billing": "q-billing", "support": "q-support", "general": "q-general"}
ROUTING_PROFILES = {"frontline": "rp-1", "field_support": "rp-2", "bilingual": "rp-3"}
SECURITY_PROFILES = {
    SecurityProfile.AGENT.connect_name: "sp-agent",
    SecurityProfile.SUPERVISOR.connect_name: "sp-supervisor",
    "Admin": "sp-admin",
}


def instance_users() -> list[dict[str, Any]]:
    """dev's people as SearchUsers returns them once deployed."""
    people = load_stage("dev").people
    assert people is not None
    return [
        {
            "Id": f"u-{person.login}",
            "Username": person.login,
            "RoutingProfileId": ROUTING_PROFILES[person.routing_profile],
            "SecurityProfileIds": [
                SECURITY_PROFILES[profile.connect_name] for profile in person.security_profiles
            ],
        }
        for person in people.users
    ]


API = "https://abcdef1234.execute-api.us-east-1.amazonaws.com/v1/"


@dataclass
class Deployment:
    cloudformation: Stubber
    connect: Stubber
    participant: Stubber
    posts: list[tuple[str, dict[str, Any]]] = field(default_factory=list)
    answer: tuple[int, dict[str, Any]] = (
        200,
        {
            "ContactId": "contact-1",
            "ParticipantId": "p-1",
            "ParticipantToken": "token-1",
            "Region": "us-east-1",
        },
    )
    slept: list[float] = field(default_factory=list)

    def post(self, url: str, body: dict[str, Any]) -> tuple[int, dict[str, Any]]:
        self.posts.append((url, body))
        return self.answer

    def expect_lookups(self) -> None:
        self.cloudformation.add_response(
            "describe_stacks",
            {
                "Stacks": [
                    {
                        "StackName": "ContactCenter-dev-ContactCenter",
                        "CreationTime": datetime(2026, 12, 1, tzinfo=UTC),
                        "StackStatus": "UPDATE_COMPLETE",
                        "Outputs": [
                            {"OutputKey": "ChatWidgetUrlABC", "OutputValue": "https://x/"},
                            {"OutputKey": "ChatChatApiUrl1234", "OutputValue": API},
                        ],
                    }
                ]
            },
            {"StackName": "ContactCenter-dev-ContactCenter"},
        )
        self.connect.add_response(
            "list_instances",
            {
                "InstanceSummaryList": [
                    {"Id": "other", "InstanceAlias": "someone-else"},
                    {"Id": INSTANCE_ID, "InstanceAlias": "riverside-utilities-dev"},
                ]
            },
        )
        self.expect_people(instance_users())
        self.connect.add_response(
            "list_queues",
            {"QueueSummaryList": [{"Id": i, "Name": n} for n, i in QUEUES.items()]},
            {"InstanceId": INSTANCE_ID, "QueueTypes": ["STANDARD"]},
        )

    def expect_people(self, users: list[dict[str, Any]]) -> None:
        """SearchUsers in two pages, then the routing and security profiles' names."""
        half = len(users) // 2
        self.connect.add_response(
            "search_users",
            {"Users": users[:half], "NextToken": "page-2", "ApproximateTotalCount": len(users)},
            {"InstanceId": INSTANCE_ID},
        )
        self.connect.add_response(
            "search_users",
            {"Users": users[half:], "ApproximateTotalCount": len(users)},
            {"InstanceId": INSTANCE_ID, "NextToken": "page-2"},
        )
        for operation, listing, names in (
            ("list_routing_profiles", "RoutingProfileSummaryList", ROUTING_PROFILES),
            ("list_security_profiles", "SecurityProfileSummaryList", SECURITY_PROFILES),
        ):
            self.connect.add_response(
                operation,
                {listing: [{"Id": i, "Name": n} for n, i in names.items()]},
                {"InstanceId": INSTANCE_ID},
            )

    def expect_join(self) -> None:
        self.participant.add_response(
            "create_participant_connection",
            {"ConnectionCredentials": {"ConnectionToken": "c", "Expiry": "2026-12-02T00:00:00Z"}},
            {
                "Type": ["CONNECTION_CREDENTIALS"],
                "ParticipantToken": "token-1",
                "ConnectParticipant": True,
            },
        )

    def expect_describe(self, queue: str | None = None, ended: bool = False) -> None:
        contact: dict[str, Any] = {"Id": "contact-1", "Channel": "CHAT"}
        if queue:
            contact["QueueInfo"] = {"Id": queue}
        if ended:
            contact["DisconnectTimestamp"] = datetime(2026, 12, 1, tzinfo=UTC)
        self.connect.add_response(
            "describe_contact",
            {"Contact": contact},
            {"InstanceId": INSTANCE_ID, "ContactId": "contact-1"},
        )

    def expect_stop(self) -> None:
        self.connect.add_response(
            "stop_contact", {}, {"InstanceId": INSTANCE_ID, "ContactId": "contact-1"}
        )


@pytest.fixture()
def deployment() -> Iterator[Deployment]:
    clients = {
        name: boto3.client(name, region_name="us-east-1")
        for name in ("cloudformation", "connect", "connectparticipant")
    }
    stubs = {name: Stubber(client) for name, client in clients.items()}
    for stub in stubs.values():
        stub.activate()
    yield Deployment(stubs["cloudformation"], stubs["connect"], stubs["connectparticipant"])
    for stub in stubs.values():
        stub.assert_no_pending_responses()
        stub.deactivate()


def smoke(deployment: Deployment, **options: Any) -> int:
    settings: dict[str, Any] = {"stage": "dev", "topic": None, "timeout": 10}
    args = argparse.Namespace(region=None, profile=None, **(settings | options))
    clients = Clients(
        cloudformation=deployment.cloudformation.client,
        connect=deployment.connect.client,
        participant=lambda region: deployment.participant.client,
    )
    return run(args, clients=clients, post_json=deployment.post, sleep=deployment.slept.append)


def test_chat_queued_where_the_routing_rules_say_passes_and_is_stopped(
    deployment: Deployment, capsys: pytest.CaptureFixture[str]
) -> None:
    deployment.expect_lookups()
    deployment.expect_join()
    deployment.expect_describe()  # still in the flow
    deployment.expect_describe(queue="q-billing")
    deployment.expect_stop()

    assert smoke(deployment) == 0

    ((url, form),) = deployment.posts
    assert url == f"{API}chats"
    assert form["topic"] == "billing" and form["name"] == "ccaas smoke test"
    assert deployment.slept == [2.0]
    out = capsys.readouterr().out
    assert "reached queue 'billing'" in out
    assert (
        "smoke: OK: 8 people are users of the instance; every routing profile has an agent; "
        "supervisor(s): mrivera"
    ) in out


def test_missing_people_an_unstaffed_profile_and_no_supervisor_fail_before_any_chat(
    deployment: Deployment,
) -> None:
    # Given an instance where two people were never created, nobody is on bilingual and
    # Maria lost the supervisor profile
    users = [
        user
        for user in instance_users()
        if user["Username"] not in ("lgarcia", "dmorales", "kpatel")
    ]
    users[0]["SecurityProfileIds"] = ["sp-agent", "sp-admin"]
    users.append({"Id": "u-x", "Username": "temp.agent", "RoutingProfileId": "rp-2"})
    deployment.cloudformation.add_response(
        "describe_stacks",
        {
            "Stacks": [
                {
                    "StackName": "ContactCenter-dev-ContactCenter",
                    "CreationTime": datetime(2026, 12, 1, tzinfo=UTC),
                    "StackStatus": "CREATE_COMPLETE",
                    "Outputs": [{"OutputKey": "ChatChatApiUrl1", "OutputValue": API}],
                }
            ]
        },
        {"StackName": ANY},
    )
    deployment.connect.add_response(
        "list_instances",
        {"InstanceSummaryList": [{"Id": INSTANCE_ID, "InstanceAlias": "riverside-utilities-dev"}]},
    )
    deployment.expect_people(users)

    with pytest.raises(ProblemsFound) as failed:
        smoke(deployment)
    assert str(failed.value) == (
        "FAILED: people not on the instance: kpatel, lgarcia, dmorales; routing profiles with "
        "no agent: bilingual; no user has the ContactCenterSupervisor security profile"
    )
    assert deployment.posts == []


def test_a_stage_without_people_checks_only_the_chat(
    deployment: Deployment, dev_config: ContactCenterConfig, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(
        "scripts.commands.smoke.load_stage", lambda stage: config_with(dev_config, people=None)
    )
    deployment.cloudformation.add_response(
        "describe_stacks",
        {
            "Stacks": [
                {
                    "StackName": "ContactCenter-dev-ContactCenter",
                    "CreationTime": datetime(2026, 12, 1, tzinfo=UTC),
                    "StackStatus": "CREATE_COMPLETE",
                    "Outputs": [{"OutputKey": "ChatChatApiUrl1", "OutputValue": API}],
                }
            ]
        },
        {"StackName": ANY},
    )
    deployment.connect.add_response(
        "list_instances",
        {"InstanceSummaryList": [{"Id": INSTANCE_ID, "InstanceAlias": "riverside-utilities-dev"}]},
    )
    deployment.connect.add_response(
        "list_queues",
        {"QueueSummaryList": [{"Id": i, "Name": n} for n, i in QUEUES.items()]},
        {"InstanceId": INSTANCE_ID, "QueueTypes": ["STANDARD"]},
    )
    deployment.expect_join()
    deployment.expect_describe(queue="q-billing")
    deployment.expect_stop()

    assert smoke(deployment) == 0


def test_topic_option_expects_that_intents_queue(deployment: Deployment) -> None:
    deployment.expect_lookups()
    deployment.expect_join()
    deployment.expect_describe(queue="q-support")
    deployment.expect_stop()

    assert smoke(deployment, topic="outage") == 0
    assert deployment.posts[0][1]["topic"] == "outage"


def test_wrong_queue_fails_and_still_stops_the_test_chat(deployment: Deployment) -> None:
    deployment.expect_lookups()
    deployment.expect_join()
    deployment.expect_describe(queue="q-general")
    deployment.expect_stop()

    with pytest.raises(ProblemsFound, match="reached queue 'general', expected 'billing'"):
        smoke(deployment)


def test_a_chat_that_ends_in_the_flow_fails_with_the_likely_reason(
    deployment: Deployment,
) -> None:
    deployment.expect_lookups()
    deployment.expect_join()
    deployment.expect_describe(ended=True)
    deployment.connect.add_client_error(
        "stop_contact", service_error_code="ContactNotFoundException", http_status_code=404
    )

    with pytest.raises(ProblemsFound, match="without reaching a queue"):
        smoke(deployment)


def test_never_queued_times_out(deployment: Deployment) -> None:
    deployment.expect_lookups()
    deployment.expect_join()
    for _ in range(6):
        deployment.expect_describe()
    deployment.expect_stop()

    with pytest.raises(ProblemsFound, match="not queued within 10 s"):
        smoke(deployment, timeout=10)
    assert sum(deployment.slept) == 10.0


def test_api_refusal_fails_before_any_contact_exists(deployment: Deployment) -> None:
    deployment.expect_lookups()
    deployment.answer = (503, {"error": "unavailable", "message": "Chat is unavailable."})

    with pytest.raises(ProblemsFound, match=r"answered 503: Chat is unavailable\."):
        smoke(deployment)


def test_unknown_topic_is_a_usage_error(deployment: Deployment) -> None:
    with pytest.raises(CommandError, match="'lottery' is not a routing intent") as refused:
        smoke(deployment, topic="lottery")
    assert refused.value.exit_code == 2
    assert deployment.posts == []


def test_missing_instance_is_reported(deployment: Deployment) -> None:
    deployment.cloudformation.add_response(
        "describe_stacks",
        {
            "Stacks": [
                {
                    "StackName": "ContactCenter-dev-ContactCenter",
                    "CreationTime": datetime(2026, 12, 1, tzinfo=UTC),
                    "StackStatus": "CREATE_COMPLETE",
                    "Outputs": [{"OutputKey": "ChatChatApiUrl1", "OutputValue": API}],
                }
            ]
        },
        {"StackName": ANY},
    )
    deployment.connect.add_response("list_instances", {"InstanceSummaryList": []})

    with pytest.raises(
        ProblemsFound, match="no Connect instance with alias 'riverside-utilities-dev'"
    ):
        smoke(deployment)


def test_an_aws_refusal_is_exit_1(deployment: Deployment) -> None:
    deployment.cloudformation.add_client_error(
        "describe_stacks",
        service_error_code="ValidationError",
        service_message="Stack with id ContactCenter-dev-ContactCenter does not exist",
        http_status_code=400,
    )

    with pytest.raises(
        ProblemsFound, match="AWS refused: ValidationError: Stack with id"
    ) as refused:
        smoke(deployment)
    assert refused.value.exit_code == 1


def test_an_unreachable_chat_api_fails_with_its_address(deployment: Deployment) -> None:
    deployment.expect_lookups()

    def unreachable(url: str, body: dict[str, Any]) -> tuple[int, dict[str, Any]]:
        return http_post_json("http://127.0.0.1:9/v1/chats", body)  # the discard port: refused

    deployment.post = unreachable  # type: ignore[method-assign]
    with pytest.raises(ProblemsFound, match=r"cannot reach the chat API at http://127\.0\.0\.1:9/"):
        smoke(deployment)


# -- through `main`, as a user runs it: the AWS settings are checked before any call ----------


@pytest.mark.parametrize(
    ("argv", "variables", "says"),
    [
        ([], {}, "ccaas smoke: no AWS region (pass --region, or set AWS_REGION"),
        (
            [],
            {"AWS_PROFILE": "does-not-exist", "AWS_DEFAULT_REGION": "eu-west-2"},
            "ccaas smoke: AWS profile 'does-not-exist' not found",
        ),
        (
            ["--profile", "does-not-exist", "--region", "eu-west-2"],
            {},
            "ccaas smoke: AWS profile 'does-not-exist' not found",
        ),
        ([], {"AWS_REGION": "eu-west-2"}, "ccaas smoke: no AWS credentials (run"),
    ],
    ids=["no-region", "unknown-AWS_PROFILE", "unknown-profile", "AWS_REGION-no-credentials"],
)
def test_aws_settings_problems_are_one_line_exit_2(
    argv: list[str],
    variables: dict[str, str],
    says: str,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    only_aws_settings(monkeypatch, **variables)
    assert main(["smoke", "--stage", "dev", *argv]) == 2
    assert one_error_line(capsys).startswith(says)


def test_a_timeout_below_one_second_is_refused_by_the_parser(
    capsys: pytest.CaptureFixture[str],
) -> None:
    with pytest.raises(SystemExit) as exit_:
        main(["smoke", "--stage", "dev", "--timeout", "0"])
    assert exit_.value.code == 2
    assert "0 is out of range (at least 1)" in one_error_line(capsys)


def test_an_aws_refusal_through_main_is_one_line_exit_1(
    deployment: Deployment, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    deployment.cloudformation.add_client_error(
        "describe_stacks",
        service_error_code="AccessDenied",
        service_message="not authorized to perform cloudformation:DescribeStacks",
        http_status_code=403,
    )
    stubbed = Clients(
        cloudformation=deployment.cloudformation.client,
        connect=deployment.connect.client,
        participant=lambda region: deployment.participant.client,
    )
    monkeypatch.setattr(Clients, "from_session", classmethod(lambda cls, session: stubbed))

    assert main(["smoke", "--stage", "dev", "--region", "us-east-1"]) == 1
    assert one_error_line(capsys) == (
        "ccaas smoke: AWS refused: AccessDenied: "
        "not authorized to perform cloudformation:DescribeStacks"
    )
