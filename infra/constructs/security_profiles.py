"""The security profiles people are given: what an agent and a supervisor may do in Connect.

Permissions are Connect's API names, the ones `AWS::Connect::SecurityProfile.Permissions` takes
and `ListSecurityProfilePermissions` returns, from the admin guide's list
(https://docs.aws.amazon.com/connect/latest/adminguide/security-profile-list.html). The console
ticks "Real-time metrics", "Historical metrics" and "Agent activity audit" by itself when
"Access metrics" is ticked
(https://docs.aws.amazon.com/connect/latest/adminguide/rtm-permissions.html); the API does not,
so the supervisor's list names all four.
"""

from __future__ import annotations

from types import MappingProxyType

from aws_cdk import aws_connect as connect
from constructs import Construct

from config.people import SecurityProfile

AGENT_PERMISSIONS: frozenset[str] = frozenset(
    {
        "BasicAgentAccess",  # the Contact Control Panel: take contacts
        "OutboundCallAccess",  # place outbound calls
        "TransferDestinations.View",  # see quick connects in the CCP, to transfer
    }
)
SUPERVISOR_ONLY_PERMISSIONS: frozenset[str] = frozenset(
    {
        # Dashboards and reports: real-time and historical metrics, agent activity.
        "AccessMetrics",
        "AccessMetrics.RealTimeMetrics.Access",
        "AccessMetrics.HistoricalMetrics.Access",
        "AccessMetrics.AgentActivityAudit.Access",
        # Find any contact, and hear its recording.
        "ContactSearch.View",
        "ListenCallRecordings",
        # Monitor a live contact, and join it (barge-in needs the instance's enhanced monitoring).
        "ManagerListenIn",
        "ManagerBargeIn",
        # Read the routing set-up the metrics are about, without changing it.
        "Queues.View",
        "RoutingPolicies.View",
        "HoursOfOperation.View",
        "Users.View",
        "AgentStates.View",
    }
)
PERMISSIONS: MappingProxyType[SecurityProfile, frozenset[str]] = MappingProxyType(
    {
        SecurityProfile.AGENT: AGENT_PERMISSIONS,
        SecurityProfile.SUPERVISOR: AGENT_PERMISSIONS | SUPERVISOR_ONLY_PERMISSIONS,
    }
)
_DESCRIPTIONS = MappingProxyType(
    {
        SecurityProfile.AGENT: "Takes contacts in the agent workspace and transfers them.",
        SecurityProfile.SUPERVISOR: (
            "Agent access plus real-time and historical metrics, contact search, "
            "listen-in and barge-in."
        ),
    }
)


class SecurityProfiles(Construct):
    """One `AWS::Connect::SecurityProfile` per `SecurityProfile`; `arn(profile)` for users."""

    def __init__(self, scope: Construct, construct_id: str, *, instance_arn: str) -> None:
        super().__init__(scope, construct_id)
        self.profiles = {
            profile: connect.CfnSecurityProfile(
                self,
                profile.value.capitalize(),
                instance_arn=instance_arn,
                security_profile_name=f"ContactCenter{profile.value.capitalize()}",
                description=_DESCRIPTIONS[profile],
                permissions=sorted(PERMISSIONS[profile]),
            )
            for profile in SecurityProfile
        }

    def arn(self, profile: SecurityProfile) -> str:
        return self.profiles[profile].attr_security_profile_arn
