"""The people who work in the contact center: users, their teams, statuses and quick connects.

Everything here is L1 (`aws_connect.Cfn*`, no L2 exists) and lives in the People stack, deployed
after the ContactCenter stack whose instance, queues, routing profiles and flows it references.

- Identity (`instance.identity_management`): with `CONNECT_MANAGED` each user's first password
  is a Secrets Manager secret generated per user and handed to CloudFormation as a dynamic
  reference (`{{resolve:secretsmanager:...}}`), so it is never in the template, the config or
  a log. `SAML` users sign in through the identity provider and `EXISTING_DIRECTORY` users with
  their directory password: neither has a password nor a secret. Connect looks an
  `EXISTING_DIRECTORY` user up by user name in the instance's directory; `DirectoryUserId` is
  only for a directory Connect cannot reach, which the stage cannot have (it names the
  directory in `instance.directory_id`), so it is not set.
- Creation order: Connect throttles its APIs per account and Region, 2 requests per second
  with a burst of 5 for the management APIs without their own quota, CreateUser among them
  (https://docs.aws.amazon.com/connect/latest/adminguide/amazon-connect-service-limits.html#api-throttling-quotas).
  CloudFormation would otherwise create every user at once, so users are chained in
  `USER_CREATION_LANES` lanes: at most that many CreateUser calls run together.
- Quick connects: a queue lists the quick connects its agents see, but
  `AWS::Connect::Queue.QuickConnectArns` lives in the ContactCenter stack, and a quick connect
  to a user needs the user (this stack): a cycle. So each (queue, quick connect) pair is
  associated from here by `AssociateQueueQuickConnects`, and disassociated when the pair goes.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from aws_cdk import CfnOutput, Fn, RemovalPolicy
from aws_cdk import aws_connect as connect
from aws_cdk import aws_kms as kms
from aws_cdk import aws_secretsmanager as secretsmanager
from aws_cdk import custom_resources as cr
from constructs import Construct

from config import ContactCenterConfig
from config.people import (
    HierarchyConfig,
    PeopleConfig,
    PersonConfig,
    PhoneQuickConnect,
    PhoneType,
    QueueQuickConnect,
    QuickConnectConfig,
    UserQuickConnect,
)
from infra.constructs.connect_core import pascal
from infra.constructs.deploy_calls import deploy_call
from infra.constructs.security_profiles import SecurityProfiles
from infra.nag import acknowledge

# At most this many CreateUser calls at once: Connect's default rate for the API (see above).
USER_CREATION_LANES = 2
# CreateUser's Password: 8-64 characters with a lower-case letter, an upper-case letter and a
# digit (https://docs.aws.amazon.com/connect/latest/APIReference/API_CreateUser.html).
# Letters and digits only, each kind guaranteed: the person types it once, then replaces it.
PASSWORD_LENGTH = 24
# "Level one" .. "level five" of AWS::Connect::UserHierarchyStructure, top first.
_LEVELS = ("level_one", "level_two", "level_three", "level_four", "level_five")


def resource_id(arn: str) -> str:
    """The id at the end of a Connect resource ARN, which the Connect APIs take:
    arn:aws:connect:REGION:ACCOUNT:instance/INSTANCE_ID/<kind>/RESOURCE_ID."""
    return Fn.select(3, Fn.split("/", arn))


class People(Construct):
    """Exposes `users` (CfnUser by login), `password_secrets` (by login, Connect-managed only),
    `hierarchy_groups`, `agent_statuses` and `quick_connects` by config name."""

    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        config: ContactCenterConfig,
        people: PeopleConfig,
        instance_arn: str,
        instance_id: str,
        routing_profile_arns: Mapping[str, str],
        queue_arns: Mapping[str, str],
        flow_arns: Mapping[str, str],
        key: kms.IKey,
    ) -> None:
        super().__init__(scope, construct_id)
        self.config = config
        self.instance_arn = instance_arn
        self.key = key
        self.security_profiles = SecurityProfiles(
            self, "SecurityProfiles", instance_arn=instance_arn
        )
        self.hierarchy_groups = self._hierarchy(people.hierarchy) if people.hierarchy else {}
        self.agent_statuses = {
            status.name: connect.CfnAgentStatus(
                self,
                f"Status-{status.name}",  # any name: CDK makes a valid logical id of it
                instance_arn=instance_arn,
                name=status.name,
                description=status.description or None,
                type="CUSTOM",
                state="ENABLED" if status.enabled else "DISABLED",
                display_order=order,
            )
            for order, status in enumerate(people.agent_statuses, start=1)
        }
        self.password_secrets: dict[str, secretsmanager.Secret] = {}
        self.users: dict[str, connect.CfnUser] = {}
        for index, person in enumerate(people.users):
            user = self._user(person, routing_profile_arns[person.routing_profile])
            if index >= USER_CREATION_LANES:
                user.node.add_dependency(
                    self.users[people.users[index - USER_CREATION_LANES].login]
                )
            self.users[person.login] = user
        self.quick_connects = {
            name: self._quick_connect(name, quick_connect, queue_arns, flow_arns)
            for name, quick_connect in people.quick_connects.items()
        }
        for name, quick_connect in people.quick_connects.items():
            for queue in quick_connect.queues:
                self._associate(name, queue, queue_arns[queue], instance_id)

    # --- teams -------------------------------------------------------------------------------
    def _hierarchy(self, hierarchy: HierarchyConfig) -> dict[str, connect.CfnUserHierarchyGroup]:
        levels: dict[str, Any] = {
            attribute: {"name": name}
            for attribute, name in zip(_LEVELS, hierarchy.levels, strict=False)
        }
        structure = connect.CfnUserHierarchyStructure(
            self,
            "HierarchyStructure",
            instance_arn=self.instance_arn,
            user_hierarchy_structure=connect.CfnUserHierarchyStructure.UserHierarchyStructureProperty(
                **levels
            ),
        )
        groups: dict[str, connect.CfnUserHierarchyGroup] = {}
        parents = hierarchy.parents()
        for _path, name, _depth in hierarchy.walk():  # parents before children
            parent = parents[name]
            group = connect.CfnUserHierarchyGroup(
                self,
                f"Group{pascal(name)}",
                instance_arn=self.instance_arn,
                name=name,
                parent_group_arn=(
                    groups[parent].attr_user_hierarchy_group_arn if parent is not None else None
                ),
            )
            group.node.add_dependency(structure)  # a group's level must exist first
            groups[name] = group
        return groups

    # --- users -------------------------------------------------------------------------------
    def _user(self, person: PersonConfig, routing_profile_arn: str) -> connect.CfnUser:
        password = None
        if self.config.instance.identity_management == "CONNECT_MANAGED":
            password = self._password(person).secret_value.unsafe_unwrap()
        group = self.hierarchy_groups.get(person.hierarchy_group or "")
        return connect.CfnUser(
            self,
            f"User-{person.login}",  # CDK makes a valid, unique logical id of any login
            instance_arn=self.instance_arn,
            username=person.login,
            password=password,
            identity_info=connect.CfnUser.UserIdentityInfoProperty(
                first_name=person.first_name, last_name=person.last_name, email=person.email
            ),
            phone_config=connect.CfnUser.UserPhoneConfigProperty(
                phone_type=person.phone_type.value,
                desk_phone_number=(
                    person.desk_phone_number if person.phone_type is PhoneType.DESK_PHONE else None
                ),
                auto_accept=person.auto_accept,
                after_contact_work_time_limit=person.after_contact_work_seconds,
            ),
            routing_profile_arn=routing_profile_arn,
            security_profile_arns=[
                self.security_profiles.arn(profile) for profile in person.security_profiles
            ],
            hierarchy_group_arn=group.attr_user_hierarchy_group_arn if group else None,
        )

    def _password(self, person: PersonConfig) -> secretsmanager.Secret:
        """The person's first password, generated by Secrets Manager, read once by an admin."""
        construct_id = f"Password-{person.login}"
        secret = secretsmanager.Secret(
            self,
            construct_id,
            description=(
                f"First Connect password of {person.login} ({self.config.stage}); Connect does "
                "not read it again, the person replaces it"
            ),
            encryption_key=self.key,
            generate_secret_string=secretsmanager.SecretStringGenerator(
                password_length=PASSWORD_LENGTH,
                exclude_punctuation=True,
                include_space=False,
                require_each_included_type=True,
            ),
            removal_policy=RemovalPolicy.DESTROY,
        )
        acknowledge(
            secret,
            "AwsSolutions-SMG4",
            "a first password only: Connect reads it once, when CloudFormation creates the "
            "user, and never again; rotating the secret would not change the user's password, "
            "which the person replaces themselves",
        )
        CfnOutput(
            self,
            f"{construct_id}Secret",
            value=secret.secret_arn,
            description=f"Secret holding the first Connect password of {person.login}",
        )
        self.password_secrets[person.login] = secret
        return secret

    # --- quick connects ----------------------------------------------------------------------
    def _quick_connect(
        self,
        name: str,
        quick_connect: QuickConnectConfig,
        queue_arns: Mapping[str, str],
        flow_arns: Mapping[str, str],
    ) -> connect.CfnQuickConnect:
        config = connect.CfnQuickConnect.QuickConnectConfigProperty
        if isinstance(quick_connect, QueueQuickConnect):
            settings = config(
                quick_connect_type="QUEUE",
                queue_config=connect.CfnQuickConnect.QueueQuickConnectConfigProperty(
                    contact_flow_arn=flow_arns[quick_connect.flow],
                    queue_arn=queue_arns[quick_connect.queue],
                ),
            )
        elif isinstance(quick_connect, UserQuickConnect):
            settings = config(
                quick_connect_type="USER",
                user_config=connect.CfnQuickConnect.UserQuickConnectConfigProperty(
                    contact_flow_arn=flow_arns[quick_connect.flow],
                    user_arn=self.users[quick_connect.user].attr_user_arn,
                ),
            )
        else:
            assert isinstance(quick_connect, PhoneQuickConnect)
            settings = config(
                quick_connect_type="PHONE_NUMBER",
                phone_config=connect.CfnQuickConnect.PhoneNumberQuickConnectConfigProperty(
                    phone_number=quick_connect.phone_number
                ),
            )
        return connect.CfnQuickConnect(
            self,
            f"QuickConnect{pascal(name)}",
            instance_arn=self.instance_arn,
            name=name,
            description=quick_connect.description or None,
            quick_connect_config=settings,
        )

    def _associate(self, name: str, queue: str, queue_arn: str, instance_id: str) -> None:
        """The queue's agents see the quick connect; removing the pair from the config removes
        it from the queue (https://docs.aws.amazon.com/connect/latest/APIReference/API_AssociateQueueQuickConnects.html)."""
        quick_connect_arn = self.quick_connects[name].attr_quick_connect_arn
        parameters = {
            "InstanceId": instance_id,
            "QueueId": resource_id(queue_arn),
            "QuickConnectIds": [resource_id(quick_connect_arn)],
        }
        deploy_call(
            self,
            f"{pascal(queue)}Sees{pascal(name)}",
            create=cr.AwsSdkCall(
                service="Connect",
                action="associateQueueQuickConnects",
                parameters=parameters,
                # Stable per pair: a new id would "replace" the association, and the old one's
                # cleanup would disassociate the pair again.
                physical_resource_id=cr.PhysicalResourceId.of(f"queue-{queue}-sees-{name}"),
            ),
            delete=cr.AwsSdkCall(
                service="Connect", action="disassociateQueueQuickConnects", parameters=parameters
            ),
            actions=[
                "connect:AssociateQueueQuickConnects",
                "connect:DisassociateQueueQuickConnects",
            ],
            resources=[queue_arn, quick_connect_arn],
            log_days=self.config.retention.log_days,
            resource_type="Custom::ConnectQueueQuickConnect",
        )
