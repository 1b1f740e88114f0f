"""Composition only: which constructs make each stack, wired how."""

from __future__ import annotations

import os

from aws_cdk import App, Environment, Stack, Tags
from constructs import Construct

from config import ContactCenterConfig
from config.people import PeopleConfig
from config.stack_names import CONTACT_CENTER, DATA, PEOPLE, stack_name
from infra.constructs.analytics import Analytics
from infra.constructs.chat import Chat
from infra.constructs.connect_core import ConnectCore
from infra.constructs.data import DataStore
from infra.constructs.flows import ContactFlows
from infra.constructs.functions import FlowFunctions
from infra.constructs.history import ContactHistory, archive_alarms
from infra.constructs.messaging import Messaging
from infra.constructs.observability import Observability
from infra.constructs.people import People
from infra.constructs.self_service import SelfService
from infra.nag import add_checks


class DataStack(Stack):
    """Stateful resources; deployed first and rarely changed. The contact-history pipeline
    lives here too, beside the stream, key and archive bucket it joins."""

    def __init__(
        self, scope: Construct, construct_id: str, *, config: ContactCenterConfig, **kwargs: object
    ) -> None:
        super().__init__(scope, construct_id, **kwargs)  # type: ignore[arg-type]
        self.data = DataStore(self, "Data", config=config)
        archive = self.data.history_archive
        self.history = (
            ContactHistory(
                self,
                "History",
                config=config,
                archive=archive,
                contact_record_stream=self.data.contact_record_stream,
                key=self.data.key,
                access_logs=self.data.access_logs_bucket,
            )
            if archive is not None
            else None
        )


class ContactCenterStack(Stack):
    """Connect, flows, functions, channels, analytics and observability."""

    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        config: ContactCenterConfig,
        data: DataStore,
        **kwargs: object,
    ) -> None:
        super().__init__(scope, construct_id, **kwargs)  # type: ignore[arg-type]
        self.connect = ConnectCore(self, "Connect", config=config, data=data)
        self.functions = FlowFunctions(
            self, "Functions", config=config, connect_core=self.connect, data=data
        )
        self.self_service = (
            SelfService(self, "SelfService", config=config, connect_core=self.connect, data=data)
            if config.self_service.enabled
            else None
        )
        self.flows = ContactFlows(
            self,
            "Flows",
            config=config,
            connect_core=self.connect,
            lambda_functions=self.functions.functions,
            bot_alias_arn=self.self_service.alias_arn if self.self_service else None,
        )
        self.messaging = (
            Messaging(self, "Messaging", config=config, connect_core=self.connect, data=data)
            if config.channels.sms or config.channels.email
            else None
        )
        if self.messaging is not None:
            self.messaging.associate_flows(self.flows)
        self.chat = (
            Chat(
                self, "Chat", config=config, connect_core=self.connect, data=data, flows=self.flows
            )
            if config.channels.chat
            else None
        )
        self.analytics = Analytics(self, "Analytics", config=config, data=data)
        self.observability = Observability(
            self,
            "Observability",
            config=config,
            connect_core=self.connect,
            analytics=self.analytics,
            history_alarms=(
                archive_alarms(Construct(self, "History"), config) if config.history.enabled else []
            ),
        )


class PeopleStack(Stack):
    """Users, their secrets, teams, statuses and quick connects: changes every time staff do,
    so it deploys on its own, after the ContactCenter stack it references."""

    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        config: ContactCenterConfig,
        people: PeopleConfig,
        contact_center: ContactCenterStack,
        data: DataStore,
        **kwargs: object,
    ) -> None:
        super().__init__(scope, construct_id, **kwargs)  # type: ignore[arg-type]
        core = contact_center.connect
        self.people = People(
            self,
            "People",
            config=config,
            people=people,
            instance_arn=core.instance_arn,
            instance_id=core.instance.attr_id,
            routing_profile_arns={
                name: profile.attr_routing_profile_arn
                for name, profile in core.routing_profiles.items()
            },
            queue_arns={name: queue.attr_queue_arn for name, queue in core.queues.items()},
            flow_arns={name: contact_center.flows.flow_arn(name) for name in config.flows},
            key=data.key,
        )


# Feature flags set in code rather than only in cdk.json, so `python app.py`, `ccaas synth` and
# the tests (which do not go through the CDK CLI) synthesize the same templates as `cdk deploy`.
FEATURE_FLAGS = {
    # Grant S3 log delivery through a bucket policy, not the legacy LogDeliveryWrite ACL.
    "@aws-cdk/aws-s3:serverAccessLogsUseBucketPolicy": True,
    "@aws-cdk/core:target-partitions": ["aws"],
    # The Data stack's exports stay protected while the ContactCenter stack uses them.
    "@aws-cdk/core:defaultCrossStackReferences": "strong",
}


def new_app(outdir: str | None = None, context: dict[str, object] | None = None) -> App:
    return App(outdir=outdir, context={**FEATURE_FLAGS, **(context or {})})


def deploy_environment() -> Environment:
    """Account and region as the CDK CLI passes them (CDK_DEFAULT_*), unset without credentials.

    `cdk synth`/`deploy` (app.py) and `ccaas synth` both use it, so the templates and cdk-nag's
    findings a team checks locally are the ones the deploy synthesizes."""
    return Environment(
        account=os.environ.get("CDK_DEFAULT_ACCOUNT"), region=os.environ.get("CDK_DEFAULT_REGION")
    )


def build_app(app: App, config: ContactCenterConfig, env: Environment | None = None) -> list[Stack]:
    """Adds the stage's stacks to `app` and puts cdk-nag's AwsSolutions pack on every synth."""
    data_stack = DataStack(app, stack_name(config.stage, DATA), config=config, env=env)
    contact_center = ContactCenterStack(
        app,
        stack_name(config.stage, CONTACT_CENTER),
        config=config,
        data=data_stack.data,
        env=env,
    )
    stacks: list[Stack] = [data_stack, contact_center]
    if config.people is not None:
        stacks.append(
            PeopleStack(
                app,
                stack_name(config.stage, PEOPLE),
                config=config,
                people=config.people,
                contact_center=contact_center,
                data=data_stack.data,
                env=env,
            )
        )
    for stack in stacks:
        Tags.of(stack).add("project", "serverless-contact-center")
        Tags.of(stack).add("stage", config.stage)
    add_checks(app)
    return stacks
