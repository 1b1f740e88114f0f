"""`ccaas synth`: infra.synth.synthesize with the CLI's checks first and a summary after."""

from __future__ import annotations

import argparse
import time
from pathlib import Path
from typing import Any

from config import ContactCenterConfig
from scripts.cli_support import EXIT_OK, ProblemsFound, writable_dir
from scripts.commands.validate_flows import add_config_arguments, chosen_config, stage_name
from scripts.progress import Reporter

DESCRIPTION = """\
Builds a stage's CloudFormation templates (the two stacks cdk deploy would deploy) without
touching AWS, and says what they hold: resources per type, phone numbers, queues, routing
profiles and flows. The synth fails, with one line per problem on stdout (exit 1), on an
invalid contact flow or one over Connect's 256,000-character limit, a cdk-nag AwsSolutions
finding without an acknowledgement, or a template over CloudFormation's 1 MB limit.

Reads config/<stage>.yaml (or --config FILE), contact_flows/ and lambdas/; writes the cloud
assembly (templates, assets, validation-report.json) into --outdir. Progress on stderr; takes
about a minute.

Examples:
  ccaas synth                          config/dev.yaml into cdk.out
  ccaas synth --stage prod --outdir /tmp/prod.out
"""


def register(subparsers: Any) -> None:
    parser = subparsers.add_parser(
        "synth",
        help="synthesize a stage's templates, check them and print a summary",
        description=DESCRIPTION,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    add_config_arguments(parser)
    parser.add_argument(
        "--outdir",
        type=Path,
        default=Path("cdk.out"),
        help="cloud assembly folder, created if missing (default: cdk.out)",
    )
    parser.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    config = chosen_config(args)
    writable_dir(args.outdir, "--outdir")
    reporter = Reporter("synth")
    source = args.config or f"config/{stage_name(args)}.yaml"
    reporter.step(f"read {source} (stage '{config.stage}'); loading the AWS CDK")
    # imports aws_cdk (seconds): only once the input and the output folder are known to be good
    from infra.stacks import deploy_environment
    from infra.synth import SynthesisFailedError, synthesize

    started = time.perf_counter()
    try:
        synthesis = synthesize(config, args.outdir, env=deploy_environment(), on_step=reporter.step)
    except SynthesisFailedError as error:
        for problem in error.problems:
            print(problem, flush=True)
        raise ProblemsFound(
            f"stage '{config.stage}' cannot be deployed: {len(error.problems)} problem(s)",
            "each is listed above",
        ) from None
    elapsed = time.perf_counter() - started
    print(summary(config, synthesis, elapsed))
    return EXIT_OK


def summary(config: ContactCenterConfig, synthesis: Any, elapsed: float) -> str:
    lines = [
        f"{config.organisation}: stage '{config.stage}', Connect instance '{config.instance.alias}'",
        f"Channels on: {', '.join(c.value for c in config.channels.enabled())}",
        "",
        "Stacks:",
    ]
    for stack in synthesis.templates:
        counts = synthesis.resource_counts(stack)
        lines.append(f"  {stack}: {sum(counts.values())} resources")
        for resource_type, count in sorted(counts.items()):
            lines.append(f"    {count:3d}  {resource_type}")
    lines += ["", "Phone numbers:"]
    lines += [
        f"  {n.name}: {n.country_code} {n.type}{' ' + n.prefix if n.prefix else ''} -> flow {n.flow}"
        for n in config.phone_numbers
    ] or ["  (none)"]
    lines += ["", "Queues:"]
    lines += [
        f"  {name}: hours '{queue.hours}'"
        + (f", max {queue.max_contacts} contacts" if queue.max_contacts is not None else "")
        for name, queue in config.queues.items()
    ]
    lines += ["", "Routing profiles:"]
    lines += [
        f"  {name}: " + ", ".join(f"{q.queue} (p{q.priority})" for q in profile.queues)
        for name, profile in config.routing_profiles.items()
    ]
    lines += ["", "Flows:"]
    lines += [f"  {name}: {flow.type.value}" for name, flow in config.flows.items()]
    acknowledged = synthesis.acknowledgements()
    lines += [
        "",
        f"cdk-nag AwsSolutions: passed, {len(acknowledged)} finding(s) acknowledged with reasons",
        "Templates: within CloudFormation's 1 MB limit",
        f"Cloud assembly: {synthesis.outdir}  (synthesized in {elapsed:.1f} s)",
    ]
    return "\n".join(lines)
