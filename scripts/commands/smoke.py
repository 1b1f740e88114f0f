"""`ccaas smoke --stage prod`: after a deploy, start a web chat on the real instance and check
that the chat flow puts it in the queue the stage's routing rules name.

It goes the way a customer does: POST the pre-chat form to the deployed chat API (found in the
stack's outputs), join as the customer with the participant token (Connect's participant
service, unsigned, as the widget does), then watch the contact with DescribeContact until it
is queued. The test contact is stopped at the end whatever happens, so no agent is offered it.

    ccaas smoke --stage prod                  # topic = the first topic of the pre-chat form
    ccaas smoke --stage prod --topic outage   # expects routing.intents.outage's queue

Exit codes: 0 queued where expected; 1 not queued, wrong queue or AWS refused; 2 bad arguments
or no chat channel. Needs AWS credentials allowed to describe the stack, list instances and
queues, describe and stop contacts.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
import urllib.error
import urllib.request
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import boto3
from botocore import UNSIGNED
from botocore.config import Config
from botocore.exceptions import BotoCoreError, ClientError

from config import ConfigError, ContactCenterConfig, load_stage

EXIT_FAILED = 1
EXIT_USAGE = 2
CLIENT_CONFIG = Config(retries={"max_attempts": 5, "mode": "standard"}, connect_timeout=5)
SMOKE_NAME = "ccaas smoke test"
PostJson = Callable[[str, dict[str, Any]], tuple[int, dict[str, Any]]]


class SmokeError(Exception):
    """The deployment is not answering chats as configured; the message says where."""


@dataclass(frozen=True)
class Clients:
    cloudformation: Any
    connect: Any
    participant: Callable[[str], Any]  # region -> unsigned connectparticipant client


def register(subparsers: Any) -> None:
    parser = subparsers.add_parser(
        "smoke", help="after a deploy: start a web chat and check it reaches the right queue"
    )
    parser.add_argument("--stage", required=True, help="config/<stage>.yaml of the deployment")
    parser.add_argument("--topic", help="pre-chat topic (intent) to ask for (default: the first)")
    parser.add_argument("--timeout", type=float, default=90.0, help="seconds to wait for the queue")
    parser.add_argument("--region", help="AWS region (default: from the environment)")
    parser.add_argument("--profile", help="AWS named profile")
    parser.set_defaults(handler=run)


def run(
    args: argparse.Namespace,
    clients: Clients | None = None,
    post_json: PostJson | None = None,
    sleep: Callable[[float], None] = time.sleep,
) -> int:
    try:
        config = load_stage(args.stage)
    except ConfigError as error:
        print(error, file=sys.stderr)
        return EXIT_USAGE
    if not config.channels.chat or config.chat is None:
        print(f"smoke: channels.chat is off in config/{args.stage}.yaml", file=sys.stderr)
        return EXIT_USAGE
    topic = args.topic or first_topic(config)
    expected_queue = config.routing.intents.get(topic)
    if expected_queue is None:
        print(
            f"smoke: '{topic}' is not a routing intent (known: "
            f"{', '.join(config.routing.intents)})",
            file=sys.stderr,
        )
        return EXIT_USAGE
    if clients is None:
        session = boto3.Session(profile_name=args.profile, region_name=args.region)
        clients = Clients(
            cloudformation=session.client("cloudformation", config=CLIENT_CONFIG),
            connect=session.client("connect", config=CLIENT_CONFIG),
            participant=lambda region: session.client(
                "connectparticipant",
                region_name=region,
                config=CLIENT_CONFIG.merge(Config(signature_version=UNSIGNED)),
            ),
        )
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
        print(f"smoke: FAILED: {error}", file=sys.stderr)
        return EXIT_FAILED
    except ClientError as error:
        code = error.response["Error"]["Code"]
        print(f"smoke: AWS refused: {code} {error.response['Error'].get('Message', '')}".rstrip())
        return EXIT_FAILED
    except BotoCoreError as error:
        print(f"smoke: {error}", file=sys.stderr)
        return EXIT_FAILED
    print(f"smoke: OK: a '{topic}' chat reached queue '{queue_name}'")
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
    stack = f"ContactCenter-{config.stage}-ContactCenter"
    api_url = chat_api_url(clients.cloudformation, stack)
    instance_id = instance_id_of(clients.connect, config.instance.alias)
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
    print(f"smoke: chat {contact_id} started through {api_url}")
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
            print(f"smoke: could not stop test chat {contact_id}: {error}", file=sys.stderr)


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
