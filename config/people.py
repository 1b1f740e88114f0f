"""Who works in the contact center: agents, supervisors, their teams, statuses and quick connects.

A stage's people may sit in the stage file under `people:` or in `<stage>.people.yaml` beside it,
which a team can keep out of git (it holds staff names and emails). Limits are Amazon Connect's
(CloudFormation `AWS::Connect::User`, `UserHierarchyStructure`, `AgentStatus`, `QuickConnect`
and the admin guide's "Amazon Connect service quotas").
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from enum import StrEnum
from typing import Annotated, Literal

from pydantic import Field, field_validator, model_validator

from config.primitives import (
    EMAIL_ADDRESS,
    E164Number,
    ResourceName,
    StrictModel,
)

# CreateUser: "Username can include up to 64 characters from [a-zA-Z0-9_-.\@]+" for users
# whose identity Connect manages (https://docs.aws.amazon.com/connect/latest/APIReference/API_CreateUser.html).
LOGIN_PATTERN = r"^[a-zA-Z0-9_.@-]{1,64}$"
# The same page: "For instances not using SAML for identity management, the user name can
# include up to 20 characters."
MAX_LOGIN_WITHOUT_SAML = 20
# Connect's two system statuses; every other status is a custom one the stage creates.
SYSTEM_AGENT_STATUSES = ("Available", "Offline")
MAX_HIERARCHY_LEVELS = 5
# After-contact work ends on its own after this many seconds (0: the agent closes it).
MAX_AFTER_CONTACT_WORK_SECONDS = 2_000_000


class SecurityProfile(StrEnum):
    """The security profiles the People stack defines (permissions in infra/constructs/people)."""

    AGENT = "agent"
    SUPERVISOR = "supervisor"

    @property
    def connect_name(self) -> str:
        """Its name in the deployed instance: what the CSV export writes and smoke looks for."""
        return f"ContactCenter{self.value.capitalize()}"


class PhoneType(StrEnum):
    SOFT_PHONE = "SOFT_PHONE"
    DESK_PHONE = "DESK_PHONE"


class PersonConfig(StrictModel):
    """One agent or supervisor: a Connect user."""

    login: str = Field(pattern=LOGIN_PATTERN, description="Connect user name they sign in with.")
    first_name: str = Field(min_length=1, max_length=100)
    last_name: str = Field(min_length=1, max_length=100)
    email: str | None = Field(
        default=None,
        pattern=EMAIL_ADDRESS.pattern,
        description="Required when Connect manages identities (CONNECT_MANAGED) or with SAML.",
    )
    routing_profile: ResourceName = Field(description="Name of an entry in `routing_profiles`.")
    security_profiles: list[SecurityProfile] = Field(
        default_factory=lambda: [SecurityProfile.AGENT], min_length=1
    )
    hierarchy_group: ResourceName | None = Field(
        default=None, description="Name of a group in `people.hierarchy.groups`."
    )
    phone_type: PhoneType = PhoneType.SOFT_PHONE
    desk_phone_number: E164Number | None = Field(
        default=None, description="Required with phone_type DESK_PHONE."
    )
    auto_accept: bool = False
    after_contact_work_seconds: int = Field(default=0, ge=0, le=MAX_AFTER_CONTACT_WORK_SECONDS)

    @field_validator("security_profiles")
    @classmethod
    def _profiles_unique(cls, profiles: list[SecurityProfile]) -> list[SecurityProfile]:
        if len(set(profiles)) != len(profiles):
            raise ValueError("a security profile is listed more than once")
        return profiles

    @model_validator(mode="after")
    def _desk_phone_has_a_number(self) -> PersonConfig:
        if self.phone_type is PhoneType.DESK_PHONE and self.desk_phone_number is None:
            raise ValueError("desk_phone_number is required when phone_type is DESK_PHONE")
        if self.phone_type is PhoneType.SOFT_PHONE and self.desk_phone_number is not None:
            raise ValueError("desk_phone_number is only used when phone_type is DESK_PHONE")
        return self

    @property
    def is_supervisor(self) -> bool:
        return SecurityProfile.SUPERVISOR in self.security_profiles

    @property
    def full_name(self) -> str:
        return f"{self.first_name} {self.last_name}"


class HierarchyGroupConfig(StrictModel):
    """A group at one level (a site); `groups` holds the level below (its teams)."""

    groups: dict[ResourceName, HierarchyGroupConfig] = Field(default_factory=dict)


class HierarchyConfig(StrictModel):
    """Connect's user hierarchy: named levels, top first, and a tree of groups."""

    levels: list[Annotated[str, Field(min_length=1, max_length=50)]] = Field(
        min_length=1, max_length=MAX_HIERARCHY_LEVELS, description="Level names, top first."
    )
    groups: dict[ResourceName, HierarchyGroupConfig] = Field(min_length=1)

    @model_validator(mode="after")
    def _tree_fits_levels_and_names_are_unique(self) -> HierarchyConfig:
        seen: set[str] = set()
        for path, name, depth in self.walk():
            if depth > len(self.levels):
                raise ValueError(
                    f"groups.{path}: '{name}' sits at level {depth} but only "
                    f"{len(self.levels)} levels are named ({', '.join(self.levels)})"
                )
            if name in seen:
                raise ValueError(f"groups.{path}: group name '{name}' is used more than once")
            seen.add(name)
        return self

    def walk(self) -> Iterator[tuple[str, str, int]]:
        """(field path, group name, level from 1) for every group, parents before children."""

        def visit(
            groups: Mapping[str, HierarchyGroupConfig], prefix: str, depth: int
        ) -> Iterator[tuple[str, str, int]]:
            for name, group in groups.items():
                path = f"{prefix}{name}"
                yield path, name, depth
                yield from visit(group.groups, f"{path}.groups.", depth + 1)

        return visit(self.groups, "", 1)

    def parents(self) -> dict[str, str | None]:
        """Group name -> its parent's name (None at the top level)."""
        found: dict[str, str | None] = {}

        def visit(groups: Mapping[str, HierarchyGroupConfig], parent: str | None) -> None:
            for name, group in groups.items():
                found[name] = parent
                visit(group.groups, name)

        visit(self.groups, None)
        return found


class AgentStatusConfig(StrictModel):
    """A status agents pick when not taking contacts (break, lunch, training)."""

    name: str = Field(min_length=1, max_length=127)
    description: str = Field(default="", max_length=250)
    enabled: bool = True

    @field_validator("name")
    @classmethod
    def _not_a_system_status(cls, name: str) -> str:
        if name in SYSTEM_AGENT_STATUSES:
            raise ValueError(f"'{name}' is one of Connect's own statuses; it always exists")
        return name


class QueueQuickConnect(StrictModel):
    """Transfer to a queue, through a QUEUE_TRANSFER flow."""

    type: Literal["queue"]
    queue: ResourceName
    flow: ResourceName = Field(description="A flow of type QUEUE_TRANSFER.")
    description: str = Field(default="", max_length=250)
    queues: list[ResourceName] = Field(min_length=1, description="Queues whose agents see it.")


class UserQuickConnect(StrictModel):
    """Transfer to one agent, through an AGENT_TRANSFER flow."""

    type: Literal["user"]
    user: str = Field(pattern=LOGIN_PATTERN, description="A login in `people.users`.")
    flow: ResourceName = Field(description="A flow of type AGENT_TRANSFER.")
    description: str = Field(default="", max_length=250)
    queues: list[ResourceName] = Field(min_length=1, description="Queues whose agents see it.")


class PhoneQuickConnect(StrictModel):
    """Transfer to an external number."""

    type: Literal["phone"]
    phone_number: E164Number
    description: str = Field(default="", max_length=250)
    queues: list[ResourceName] = Field(min_length=1, description="Queues whose agents see it.")


QuickConnectConfig = Annotated[
    QueueQuickConnect | UserQuickConnect | PhoneQuickConnect, Field(discriminator="type")
]


class PeopleConfig(StrictModel):
    """The stage's staff and what they work with; references are checked against the stage."""

    users: list[PersonConfig] = Field(min_length=1)
    hierarchy: HierarchyConfig | None = None
    agent_statuses: list[AgentStatusConfig] = Field(default_factory=list, max_length=50)
    quick_connects: dict[ResourceName, QuickConnectConfig] = Field(default_factory=dict)

    @field_validator("users")
    @classmethod
    def _logins_unique(cls, users: list[PersonConfig]) -> list[PersonConfig]:
        logins = [user.login.lower() for user in users]
        duplicates = sorted({login for login in logins if logins.count(login) > 1})
        if duplicates:
            raise ValueError(f"logins {duplicates} are used more than once (case-insensitive)")
        return users

    @field_validator("agent_statuses")
    @classmethod
    def _status_names_unique(cls, statuses: list[AgentStatusConfig]) -> list[AgentStatusConfig]:
        names = [status.name for status in statuses]
        duplicates = sorted({name for name in names if names.count(name) > 1})
        if duplicates:
            raise ValueError(f"statuses {duplicates} are listed more than once")
        return statuses

    def agents_per_routing_profile(self) -> dict[str, int]:
        """How many people the stage staffs on each routing profile (bounds the rehearsal)."""
        counts: dict[str, int] = {}
        for user in self.users:
            counts[user.routing_profile] = counts.get(user.routing_profile, 0) + 1
        return counts

    def supervisors(self) -> list[PersonConfig]:
        return [user for user in self.users if user.is_supervisor]

    def reference_problems(
        self,
        *,
        identity_management: str,
        routing_profiles: Mapping[str, object],
        queues: Mapping[str, object],
        flow_types: Mapping[str, str],
    ) -> list[tuple[str, str]]:
        """(field path, reason) for every name that points at nothing in the stage."""
        problems: list[tuple[str, str]] = []

        def must_exist(path: str, kind: str, name: str, known: Mapping[str, object]) -> None:
            if name not in known:
                listing = ", ".join(sorted(known)) or "none"
                problems.append((path, f"unknown {kind} '{name}' (known: {listing})"))

        groups = self.hierarchy.parents() if self.hierarchy else {}
        for index, user in enumerate(self.users):
            base = f"people.users.{index}"
            must_exist(
                f"{base}.routing_profile", "routing profile", user.routing_profile, routing_profiles
            )
            if user.hierarchy_group is not None:
                must_exist(
                    f"{base}.hierarchy_group", "hierarchy group", user.hierarchy_group, groups
                )
            if identity_management != "SAML" and len(user.login) > MAX_LOGIN_WITHOUT_SAML:
                problems.append(
                    (
                        f"{base}.login",
                        f"is {len(user.login)} characters, Connect takes at most "
                        f"{MAX_LOGIN_WITHOUT_SAML} with identity_management {identity_management} "
                        "(64 with SAML)",
                    )
                )
            if identity_management != "EXISTING_DIRECTORY" and user.email is None:
                problems.append(
                    (
                        f"{base}.email",
                        f"is required with identity_management "
                        f"{identity_management} (Connect sends sign-in mail there)",
                    )
                )
        logins = {user.login: user for user in self.users}
        for name, quick_connect in self.quick_connects.items():
            base = f"people.quick_connects.{name}"
            for index, queue in enumerate(quick_connect.queues):
                must_exist(f"{base}.queues.{index}", "queue", queue, queues)
            if isinstance(quick_connect, QueueQuickConnect):
                must_exist(f"{base}.queue", "queue", quick_connect.queue, queues)
            if isinstance(quick_connect, UserQuickConnect):
                must_exist(f"{base}.user", "user", quick_connect.user, logins)
            if isinstance(quick_connect, QueueQuickConnect | UserQuickConnect):
                wanted = "QUEUE_TRANSFER" if quick_connect.type == "queue" else "AGENT_TRANSFER"
                flow_type = flow_types.get(quick_connect.flow)
                if flow_type is None:
                    must_exist(f"{base}.flow", "flow", quick_connect.flow, flow_types)
                elif flow_type != wanted:
                    problems.append(
                        (
                            f"{base}.flow",
                            # No "; " in the reason: the model joins its problems with it.
                            f"flow '{quick_connect.flow}' is {flow_type}, but a "
                            f"{quick_connect.type} quick connect needs a flow of type {wanted}",
                        )
                    )
        if not self.supervisors():
            problems.append(
                (
                    "people.users",
                    "nobody has the supervisor security profile: add "
                    "`security_profiles: [supervisor]` to at least one person",
                )
            )
        return problems
