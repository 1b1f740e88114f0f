"""Synthesize a stage into a folder and read back what it made: templates and the validation report.

Every check that would make the deploy fail is turned into `SynthesisFailedError`, one line per
problem: an invalid contact flow, a cdk-nag finding, a template over CloudFormation's size limit.
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol

from aws_cdk import Environment

from config import ContactCenterConfig
from flowlang.problems import FlowValidationError
from infra.stacks import build_app, new_app

# CloudFormation refuses a template body over 1 MB, even one uploaded through S3 as the CDK does
# with large templates: https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/cloudformation-limits.html
MAX_TEMPLATE_BYTES = 1_048_576
# Per template, from the same page: at most 500 resources and 200 outputs. A stage with many
# people reaches them first in the People stack (a user, its password secret and its output).
MAX_RESOURCES = 500
MAX_OUTPUTS = 200
# "inmemory": a failed cdk-nag check raises with the report instead of printing it from Node to
# stderr (the CDK's default outside the CDK CLI and pytest); we report it as problems ourselves.
_APP_MODE: dict[str, object] = {
    "@aws-cdk/core:appMode": "inmemory",
    # 0 turns off the CDK's own resource count, which raises at the first stack over 500 with
    # a multi-line error; `templates_over_quota` reports every stack over any quota, one line
    # each. (`cdk deploy` through app.py keeps the CDK's check.)
    "@aws-cdk/core:stackResourceLimit": 0,
}
VALIDATION_REPORT = "validation-report.json"


class SynthesisFailedError(RuntimeError):
    """The stage cannot be deployed as synthesized; `problems` holds one line per reason."""

    def __init__(self, problems: list[str]) -> None:
        self.problems = problems
        super().__init__("\n".join(problems))


class StackTemplate(Protocol):
    """What the size check reads of a stack (an aws_cdk.cx_api.CloudFormationStackArtifact)."""

    @property
    def stack_name(self) -> str: ...

    @property
    def template_full_path(self) -> str: ...


@dataclass(frozen=True)
class Synthesis:
    outdir: Path
    templates: dict[str, dict[str, Any]]
    report: dict[str, Any] = field(default_factory=dict)

    def resource_counts(self, stack: str) -> Counter[str]:
        resources = self.templates[stack].get("Resources", {})
        return Counter(resource["Type"] for resource in resources.values())

    def acknowledgements(self) -> list[dict[str, Any]]:
        """Every finding a plugin reported and we acknowledged, with our reason."""
        return [
            suppressed
            for plugin in self.report.get("pluginReports", [])
            for suppressed in plugin.get("suppressedViolations", [])
        ]


def synthesize(
    config: ContactCenterConfig,
    outdir: Path,
    env: Environment | None = None,
    on_step: Callable[[str], None] = lambda step: None,
) -> Synthesis:
    """Raises SynthesisFailedError when a flow, cdk-nag or the template size check fails, and
    OSError when `outdir` cannot be created.

    `env` as `cdk deploy` gives it (account and region resolved); None synthesizes
    environment-agnostic templates, as without credentials. `on_step` hears each step's name.
    """
    # Created here, not by the CDK: Node 20's recursive mkdir never returns for a folder under
    # /proc (mkdir answers "no such file" for /proc/x and "exists" for /proc, and Node retries
    # the two forever), so `App(outdir="/proc/x")` hung waiting on its Node process. Python
    # raises instead.
    outdir.mkdir(parents=True, exist_ok=True)
    app = new_app(outdir=str(outdir), context=_APP_MODE)
    on_step("building the stacks (contact flows are validated first)")
    try:
        stacks = build_app(app, config, env=env)
    except FlowValidationError as error:
        raise SynthesisFailedError([str(problem) for problem in error.problems]) from None
    on_step("synthesizing the templates and running cdk-nag")
    report_file = outdir / VALIDATION_REPORT
    report_file.unlink(missing_ok=True)  # a previous synth's findings are not this one's
    try:
        assembly = app.synth()
    except RuntimeError:
        violations = _violations(report_file)
        if not violations:
            raise
        raise SynthesisFailedError(violations) from None
    on_step("checking the templates' sizes")
    oversized = oversized_templates(assembly.stacks)
    if oversized:
        raise SynthesisFailedError(oversized)
    templates = {
        stack.stack_name: json.loads((outdir / stack.template_file).read_text()) for stack in stacks
    }
    over_quota = templates_over_quota(templates)
    if over_quota:
        raise SynthesisFailedError(over_quota)
    report = json.loads(report_file.read_text()) if report_file.exists() else {}
    return Synthesis(outdir=outdir, templates=templates, report=report)


def oversized_templates(stacks: Iterable[StackTemplate]) -> list[str]:
    """One line per stack whose template file (what the deploy uploads) CloudFormation refuses."""
    problems = []
    for stack in stacks:
        size = Path(stack.template_full_path).stat().st_size
        if size > MAX_TEMPLATE_BYTES:
            problems.append(
                f"stack {stack.stack_name}: template is {size:,} bytes; CloudFormation accepts "
                f"at most {MAX_TEMPLATE_BYTES:,} (move resources into another stack)"
            )
    return problems


def templates_over_quota(templates: Mapping[str, Mapping[str, Any]]) -> list[str]:
    """One line per stack (by name) holding more resources or outputs than CloudFormation
    accepts in one template; it would refuse the deploy of that stack."""
    problems = []
    for name, template in templates.items():
        for section, limit in (("Resources", MAX_RESOURCES), ("Outputs", MAX_OUTPUTS)):
            count = len(template.get(section, {}))
            if count > limit:
                problems.append(
                    f"stack {name}: {count} {section.lower()}; CloudFormation accepts at most "
                    f"{limit} in one stack (move resources into another stack; in the People "
                    "stack, each Connect-managed person is a user, a secret and an output)"
                )
    return problems


def _violations(report_file: Path) -> list[str]:
    """cdk-nag's findings from the validation report, `construct: rule: description`."""
    if not report_file.exists():
        return []
    report = json.loads(report_file.read_text())
    lines = []
    for plugin in report.get("pluginReports", []):
        for violation in plugin.get("violations", []):
            rule = f"{violation.get('ruleName')}: {violation.get('description')}"
            constructs = violation.get("violatingConstructs") or [{}]
            lines += [
                f"{construct['constructPath']}: {rule}" if "constructPath" in construct else rule
                for construct in constructs
            ]
    return lines
