"""`ccaas smoke --stage prod`: after a deploy, start a web chat on the real instance and check
that the chat flow puts it in the queue the stage's routing rules name; when the stage has
people, check first that they exist in the instance, that every routing profile has an agent
and that someone can supervise.

It goes the way a customer does: POST the pre-chat form to the deployed chat API (found in the
stack's outputs), join as the customer with the participant token (Connect's participant
service, unsigned, as the widget does), then watch the contact with DescribeContact until it
is queued. The test contact is stopped at the end whatever happens, so no agent is offered it.

Exit codes: 0 queued where expected; 1 not queued, wrong queue, or AWS refused; 2 bad arguments,
no chat channel, or no AWS region or credentials.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
import urllib.error
import urllib.request
import uuid
from collections.abc import Callable, Collection
from dataclasses import dataclass
from typing import Any

from botocore import UNSIGNED
from botocore.config import Config
from botocore.exceptions import BotoCoreError, ClientError

from config import ContactCenterConfig, load_stage
from config.people import PeopleConfig, SecurityProfile
from config.stack_names import CONTACT_CENTER, stack_name
from scripts.cli_support import (
    CommandError,
    ProblemsFound,
    add_aws_options,
    aws_failure,
    aws_session,
    positive_int,
)

CLIENT_CONFIG = Config(retries={"max_attempts": 5, "mode": "standard"}, connect_timeout=5)
SMOKE_NAME = "ccaas smoke test"
PostJson = Callable[[str, dict[str, Any]], tuple[int, dict[str, Any]]]
DESCRIPTION = """\
After a deploy, checks that a customer's web chat reaches the queue the stage's routing rules
name: it posts the pre-chat form to the deployed chat API, joins the chat as the customer, and
watches the contact until it is queued, then stops it so no agent is offered it. When the
stage has people, it first checks that each of them is a user of the instance, that every
routing profile has at least one agent and that a user has the supervisor security profile.
Reads config/<stage>.yaml and the deployed stack's outputs; writes nothing. Needs AWS
credentials allowed to describe the stack, list instances, queues, routing and security
profiles, search users, and describe and stop contacts.

examples:
  ccaas smoke --stage prod                   # topic = the first topic of the pre-chat form
  ccaas smoke --stage prod --topic outage    # expects routing.intents.outage's queue
"""


class SmokeError(Exception):
    """The deployment is not answering chats as configured; the message says where."""


@dataclass(frozen=True)
class Clients:
    cloudformation: Any
    connect: Any
    participant: Callable[[str], Any]  # region -> unsigned connectparticipant client

    @classmethod
    def from_session(cls, session: Any) -> Clients:
        return cls(
            cloudformation=session.client("cloudformation", config=CLIENT_CONFIG),
            connect=session.client("connect", config=CLIENT_CONFIG),
            participant=lambda region: session.client(
                "connectparticipant",
                region_name=region,
                config=CLIENT_CONFIG.merge(Config(signature_version=UNSIGNED)),
            ),
        )


def register(subparsers: Any) -> None:
    parser = subparsers.add_parser(
        "smoke",
        help="after a deploy: start a web chat and check it reaches the right queue",
        description=DESCRIPTION,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--stage", required=True, help="config/<stage>.yaml of the deployment")
    parser.add_argument("--topic", help="pre-chat topic (intent) to ask for (default: the first)")
    parser.add_argument(
        "--timeout",
        type=positive_int,
        default=90,
        help="seconds to wait for the chat to be queued (default: 90)",
    )
    add_aws_options(parser)
    parser.set_defaults(handler=run)


def run(
    args: argparse.Namespace,
    clients: Clients | None = None,
    post_json: PostJson | None = None,
    sleep: Callable[[float], None] = time.sleep,
) -> int:
    config = load_stage(args.stage)
    if not config.channels.chat or config.chat is None:
        raise CommandError(
            f"channels.chat is off in config/{args.stage}.yaml", "smoke tests the chat channel"
        )
    topic = args.topic or first_topic(config)
    expected_queue = config.routing.intents.get(topic)
    if expected_queue is None:
        raise CommandError(
            f"'{topic}' is not a routing intent", f"known: {', '.join(config.routing.intents)}"
        )
    if clients is None:
        clients = Clients.from_session(aws_session(args.profile, args.region))
    try:
        queue_name = smoke(
            config,
            topic=topic,
            expected_queue=expected_queue,
            clients=clients,
            post_json=post_json or http_post_json,
            sleep=sleep,
            timeout=args.timeout,
        )
    except SmokeError as error:
        raise ProblemsFound(f"FAILED: {error}") from None
    except (ClientError, BotoCoreError) as error:
        raise aws_failure(error) from None
    print(f"smoke: OK: a '{topic}' chat reached queue '{queue_name}'", flush=True)
    return 0


def first_topic(config: ContactCenterConfig) -> str:
    menu = config.routing.menu
    return menu[0].intent if menu else next(iter(config.routing.intents))


def smoke(
    config: ContactCenterConfig,
    *,
    topic: str,
    expected_queue: str,
    clients: Clients,
    post_json: PostJson,
    sleep: Callable[[float], None],
    timeout: float,
) -> str:
    stack = stack_name(config.stage, CONTACT_CENTER)
    api_url = chat_api_url(clients.cloudformation, stack)
    instance_id = instance_id_of(clients.connect, config.instance.alias)
    if config.people is not None:
        found = people_on_instance(
            config.people, config.routing_profiles, clients.connect, instance_id
        )
        print(f"smoke: OK: {found}", flush=True)
    queues = queue_ids(clients.connect, instance_id)
    if expected_queue not in queues:
        raise SmokeError(f"queue '{expected_queue}' does not exist on the instance")
    status, chat = post_json(
        f"{api_url.rstrip('/')}/chats",
        {"name": SMOKE_NAME, "topic": topic, "clientToken": str(uuid.uuid4())},
    )
    if status != 200:
        raise SmokeError(f"the chat API answered {status}: {chat.get('message', chat)}")
    contact_id = chat["ContactId"]
    print(f"smoke: chat {contact_id} started through {api_url}", flush=True)
    try:
        # Join as the customer, as the widget does; Connect expects it within 5 minutes.
        clients.participant(chat["Region"]).create_participant_connection(
            Type=["CONNECTION_CREDENTIALS"],
            ParticipantToken=chat["ParticipantToken"],
            ConnectParticipant=True,
        )
        queue_id = wait_for_queue(
            clients.connect, instance_id, contact_id, sleep=sleep, timeout=timeout
        )
    finally:
        stop_quietly(clients.connect, instance_id, contact_id)
    names = {queue_id: name for name, queue_id in queues.items()}
    reached = names.get(queue_id, queue_id)
    if queue_id != queues[expected_queue]:
        raise SmokeError(f"the chat reached queue '{reached}', expected '{expected_queue}'")
    return reached


def chat_api_url(cloudformation: Any, stack: str) -> str:
    (described,) = cloudformation.describe_stacks(StackName=stack)["Stacks"]
    for output in described.get("Outputs", []):
        if "ChatApiUrl" in output["OutputKey"]:
            return str(output["OutputValue"])
    raise SmokeError(f"stack {stack} has no ChatApiUrl output: is chat deployed?")


def instance_id_of(connect: Any, alias: str) -> str:
    for page in connect.get_paginator("list_instances").paginate():
        for instance in page["InstanceSummaryList"]:
            if instance.get("InstanceAlias") == alias:
                return str(instance["Id"])
    raise SmokeError(f"no Connect instance with alias '{alias}' in this account and region")


def queue_ids(connect: Any, instance_id: str) -> dict[str, str]:
    queues: dict[str, str] = {}
    paginator = connect.get_paginator("list_queues")
    for page in paginator.paginate(InstanceId=instance_id, QueueTypes=["STANDARD"]):
        for queue in page["QueueSummaryList"]:
            queues[queue["Name"]] = queue["Id"]
    return queues


def people_on_instance(
    people: PeopleConfig, routing_profiles: Collection[str], connect: Any, instance_id: str
) -> str:
    """The stage's people as users of the instance: each exists, each routing profile has an
    agent, someone has the supervisor profile. SearchUsers returns each user's routing and
    security profiles in one paginated call, where ListUsers needs a DescribeUser per user
    (https://docs.aws.amazon.com/connect/latest/APIReference/API_SearchUsers.html)."""
    users = [
        user
        for page in connect.get_paginator("search_users").paginate(InstanceId=instance_id)
        for user in page["Users"]
    ]
    by_login = {str(user["Username"]).lower(): user for user in users}
    missing = [p.login for p in people.users if p.login.lower() not in by_login]
    profiles = _names(connect, "list_routing_profiles", "RoutingProfileSummaryList", instance_id)
    staffed = {profiles.get(user.get("RoutingProfileId", "")) for user in users}
    unstaffed = sorted(name for name in routing_profiles if name not in staffed)
    security = _names(connect, "list_security_profiles", "SecurityProfileSummaryList", instance_id)
    supervisor = SecurityProfile.SUPERVISOR.connect_name
    supervisors = sorted(
        str(user["Username"])
        for user in users
        if supervisor in {security.get(i) for i in user.get("SecurityProfileIds", [])}
    )
    problems = []
    if missing:
        problems.append(f"people not on the instance: {', '.join(missing)}")
    if unstaffed:
        problems.append(f"routing profiles with no agent: {', '.join(unstaffed)}")
    if not supervisors:
        problems.append(f"no user has the {supervisor} security profile")
    if problems:
        raise SmokeError("; ".join(problems))
    return (
        f"{len(people.users)} people are users of the instance; every routing profile "
        f"has an agent; supervisor(s): {', '.join(supervisors)}"
    )


def _names(connect: Any, operation: str, listing: str, instance_id: str) -> dict[str, str]:
    """Id -> name of a Connect resource list (routing profiles, security profiles)."""
    return {
        item["Id"]: item["Name"]
        for page in connect.get_paginator(operation).paginate(InstanceId=instance_id)
        for item in page[listing]
    }


def wait_for_queue(
    connect: Any,
    instance_id: str,
    contact_id: str,
    *,
    sleep: Callable[[float], None],
    timeout: float,
    interval: float = 2.0,
) -> str:
    waited = 0.0
    while True:
        contact = connect.describe_contact(InstanceId=instance_id, ContactId=contact_id)["Contact"]
        queue = contact.get("QueueInfo", {}).get("Id")
        if queue:
            return str(queue)
        if contact.get("DisconnectTimestamp"):
            raise SmokeError(
                "the chat ended in the flow without reaching a queue (outside the queue's "
                "hours, or the flow's error branch)"
            )
        if waited >= timeout:
            raise SmokeError(f"the chat was not queued within {timeout:.0f} s")
        sleep(interval)
        waited += interval


def stop_quietly(connect: Any, instance_id: str, contact_id: str) -> None:
    try:
        connect.stop_contact(InstanceId=instance_id, ContactId=contact_id)
    except ClientError as error:
        # Already ended by the flow: nothing left to clean up.
        if error.response["Error"]["Code"] not in ("ContactNotFoundException",):
            print(f"ccaas smoke: could not stop test chat {contact_id}: {error}", file=sys.stderr)


def http_post_json(url: str, body: dict[str, Any]) -> tuple[int, dict[str, Any]]:
    request = urllib.request.Request(
        url,
        data=json.dumps(body).encode(),
        headers={"Content-Type": "application/json"},
        method="POST",
    )
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            return response.status, json.loads(response.read() or b"{}")
    except urllib.error.HTTPError as error:
        try:
            return error.code, json.loads(error.read() or b"{}")
        except ValueError:
            return error.code, {}
    except OSError as error:  # URLError: DNS, refused; or timed out
        reason = getattr(error, "reason", error)
        raise SmokeError(f"cannot reach the chat API at {url}: {reason}") from None
