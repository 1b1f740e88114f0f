"""`ccaas synth [--stage dev]`: build the CloudFormation templates and say what they hold."""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path
from typing import Any

from config import ConfigError, ContactCenterConfig, load_stage


def register(subparsers: Any) -> None:
    parser = subparsers.add_parser("synth", help="synthesize a stage and print a summary")
    parser.add_argument("--stage", default="dev", help="reads config/<stage>.yaml (default: dev)")
    parser.add_argument(
        "--outdir", type=Path, default=Path("cdk.out"), help="cloud assembly folder"
    )
    parser.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    try:
        config = load_stage(args.stage)
    except ConfigError as error:
        print(error, file=sys.stderr)
        return 2
    # imports aws_cdk (seconds): only when synthesizing
    from infra.stacks import deploy_environment
    from infra.synth import synthesize

    started = time.perf_counter()
    try:
        synthesis = synthesize(config, args.outdir, env=deploy_environment())
    except RuntimeError as error:
        print(f"synth failed: {error}", file=sys.stderr)
        return 1
    elapsed = time.perf_counter() - started
    print(summary(config, synthesis, elapsed))
    return 0


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
        f"Cloud assembly: {synthesis.outdir}  (synthesized in {elapsed:.1f} s)",
    ]
    return "\n".join(lines)
