"""The order preflight runs its checks in, and what each needs from the one before.

config -> flows -> synth + cdk-nag -> template sizes -> account checks -> replacement guard.
A step that cannot run because an earlier one failed says so instead of failing twice.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import date
from typing import TYPE_CHECKING, Any

from botocore.exceptions import BotoCoreError, ClientError

from config import ContactCenterConfig
from scripts.preflight.account import AccountClients, Stage, account_checks
from scripts.preflight.baseline import deployed_templates
from scripts.preflight.offline import config_checks, flows_check, size_check
from scripts.preflight.replacement import Template, replacement_checks
from scripts.preflight.report import Check, Status, failed, passed, warned

if TYPE_CHECKING:
    from infra.synth import Synthesis

Synthesize = Callable[[], "tuple[Check, Synthesis | None]"]


@dataclass(frozen=True)
class Account:
    """The account the stage deploys to, reached with working credentials."""

    account_id: str
    region: str
    clients: AccountClients


@dataclass(frozen=True)
class Offline:
    """Why the account checks are skipped, and the templates the guard compares with instead."""

    reason: str
    baseline: Mapping[str, Template] = field(default_factory=dict)
    baseline_source: str = "cdk.out"


@dataclass
class Outcome:
    checks: list[Check] = field(default_factory=list)
    baseline: str = ""

    @property
    def replacements(self) -> int:
        return sum(check.name == "REPLACEMENT" for check in self.checks)


def run_checks(
    config: ContactCenterConfig,
    source: str,
    *,
    today: date,
    synthesize: Synthesize,
    target: Account | Offline,
    on_step: Callable[[str], Any] = lambda step: None,
) -> Outcome:
    outcome = Outcome(checks=config_checks(config, source, today))
    on_step("validating the stage's flows")
    flows = flows_check(config)
    outcome.checks.append(flows)
    if flows.status is Status.FAIL:
        outcome.checks.append(
            failed("synth + cdk-nag", "not run: the flows fail", "fix the flows first")
        )
        return outcome
    synthesis_result, synthesis = synthesize()
    outcome.checks.append(synthesis_result)
    if synthesis is None:
        return outcome
    outcome.checks.append(size_check(synthesis.outdir))
    if isinstance(target, Offline):
        outcome.checks.append(
            warned(
                "account",
                f"{target.reason}, account checks skipped",
                "for the account checks: a region and credentials of the stage's account "
                "(--region/--profile, AWS_REGION/AWS_PROFILE, `aws sso login`), no --offline",
            )
        )
        outcome.baseline = f"the last synthesis in {target.baseline_source}"
        outcome.checks += _guard(synthesis.templates, target.baseline, outcome.baseline)
        return outcome
    on_step(f"reading the deployed stacks of account {target.account_id} in {target.region}")
    try:
        deployed = deployed_templates(target.clients.cloudformation, synthesis.templates)
    except (BotoCoreError, ClientError) as error:
        deployed = None
        unread = warned(
            "replacement guard",
            f"not checked: the deployed stacks could not be read ({error})",
            "allow the caller cloudformation:GetTemplate on the stage's stacks",
        )
    on_step("checking the account's quotas, SES, SMS, Lambda and SSM")
    stage = Stage(config=config, templates=synthesis.templates, deployed=deployed)
    outcome.checks += account_checks(stage, target.clients)
    outcome.baseline = f"the deployed stacks in {target.account_id}/{target.region}"
    if deployed is None:
        outcome.checks.append(unread)
        return outcome
    if not deployed:
        outcome.checks.append(
            passed("replacement guard", "no stack of this stage deployed yet: nothing to replace")
        )
        return outcome
    outcome.checks += replacement_checks(
        synthesis.templates, deployed, outcome.baseline, target.region
    )
    return outcome


def _guard(
    templates: Mapping[str, Template], baseline: Mapping[str, Template], source: str
) -> list[Check]:
    if not baseline:
        return [
            warned(
                "replacement guard",
                f"nothing to compare with: no stack of this stage in {source}",
                "run with credentials (compares with CloudFormation), or --baseline DIR naming "
                "the cloud assembly of the last deploy",
            )
        ]
    return replacement_checks(templates, baseline, source)
