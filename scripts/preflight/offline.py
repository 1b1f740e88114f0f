"""The checks that need no AWS account: the config, the flows, the synthesis with cdk-nag, and
the templates' sizes. Each reuses the code `validate-config`, `validate-flows` and `synth` run,
so preflight can never pass what they refuse.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING

from config import ContactCenterConfig
from flowlang.context import StageFlows, discover_lambdas
from flowlang.problems import failures
from flowlang.validator import validate_stage
from infra.paths import CONTACT_FLOWS_DIR, LAMBDAS_DIR
from scripts.preflight.baseline import stack_template_files
from scripts.preflight.report import Check, failed, passed, warned

NEAR_LIMIT = 0.8  # of CloudFormation's template size limit

if TYPE_CHECKING:
    from aws_cdk import Environment

    from infra.synth import Synthesis


def config_checks(config: ContactCenterConfig, source: str, today: date) -> list[Check]:
    """The config loaded (it would not be here otherwise), and what `validate-config` warns
    about: valid, but probably not meant."""
    channels = ", ".join(channel.value for channel in config.channels.enabled())
    checks = [passed("config", f"{source}: stage '{config.stage}', channels {channels}")]
    checks += [
        warned("config", f"{field}: {reason}", f"edit {source}")
        for field, reason in config.warnings(today)
    ]
    return checks


def flows_check(config: ContactCenterConfig) -> Check:
    """Every flow the stage names, with all rules (the stage's own flows are strict)."""
    stage = StageFlows(config, discover_lambdas(LAMBDAS_DIR), CONTACT_FLOWS_DIR)
    failing = failures(validate_stage(stage), strict=True)
    if failing:
        return failed(
            "flows",
            f"{len(failing)} finding(s) in the stage's {len(config.flows)} flows",
            "fix each (details: `ccaas validate-flows --stage ...`)",
            [str(problem) for problem in failing],
        )
    return passed("flows", f"{len(config.flows)} flow(s) valid (all rules)")


def synthesis_check(
    config: ContactCenterConfig,
    outdir: Path,
    env: Environment | None,
    on_step: Callable[[str], None],
) -> tuple[Check, Synthesis | None]:
    """`ccaas synth`'s synthesis: flows, cdk-nag AwsSolutions and CloudFormation's template size
    limit, each problem one finding."""
    from infra.synth import SynthesisFailedError, synthesize

    try:
        synthesis = synthesize(config, outdir, env=env, on_step=on_step)
    except SynthesisFailedError as error:
        return (
            failed(
                "synth + cdk-nag",
                f"{len(error.problems)} problem(s): the deploy would not start",
                "fix each (same output as `ccaas synth`)",
                error.problems,
            ),
            None,
        )
    resources = sum(sum(synthesis.resource_counts(s).values()) for s in synthesis.templates)
    acknowledged = len(synthesis.acknowledgements())
    return (
        passed(
            "synth + cdk-nag",
            f"{len(synthesis.templates)} stacks, {resources} resources; cdk-nag AwsSolutions "
            f"clean ({acknowledged} acknowledged with reasons)",
        ),
        synthesis,
    )


def size_check(outdir: Path) -> Check:
    """The largest template against CloudFormation's limit. The synthesis already failed if
    one is over it; what a team wants to know here is the margin left before adding users or
    flows, so a template near the limit is a warning."""
    from infra.synth import MAX_TEMPLATE_BYTES

    sizes = {name: path.stat().st_size for name, path in stack_template_files(outdir).items()}
    stack, largest = max(sizes.items(), key=lambda item: item[1])
    detail = (
        f"largest template {largest:,} bytes ({stack}), {largest / MAX_TEMPLATE_BYTES:.0%} of "
        f"CloudFormation's {MAX_TEMPLATE_BYTES:,}"
    )
    if largest > NEAR_LIMIT * MAX_TEMPLATE_BYTES:
        return warned("template sizes", detail, "plan to move resources into another stack")
    return passed("template sizes", detail)
