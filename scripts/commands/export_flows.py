"""`ccaas export-flows --instance-id ID`: bring flows edited in the Connect console back into git.

Reads the published version of each flow the stage's config lists (by name) from a live
instance, turns the instance's ARNs back into placeholders (`${queue:billing}`...), restores the
`${setting:...}` and `${lambda:...}` text the file in git already had wherever the deployed text
is what it resolves to, and writes contact_flows/<name>.json pretty-printed. Then it validates
the result against the stage, as `ccaas validate-flows` would.

Exit codes: 0 written and valid; 1 written but with instance-specific ARNs left in it or
validation problems (both listed); 2 nothing written (bad arguments, AWS error, unknown flow).
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import boto3
from botocore.config import Config
from botocore.exceptions import BotoCoreError, ClientError

from config import ConfigError, load_stage
from flowlang.context import StageFlows, discover_lambdas
from flowlang.export import instance_placeholders, to_placeholders
from flowlang.validator import validate_text
from infra.paths import CONTACT_FLOWS_DIR, LAMBDAS_DIR

EXIT_ATTENTION = 1
EXIT_FAILED = 2
# Connect's list APIs are throttled at low rates per account; a few patient retries are enough.
CLIENT_CONFIG = Config(retries={"max_attempts": 5, "mode": "standard"}, connect_timeout=5)


def register(subparsers: Any) -> None:
    parser = subparsers.add_parser(
        "export-flows", help="pull published flows from an instance back into contact_flows/"
    )
    parser.add_argument("--instance-id", required=True, help="Connect instance id or ARN")
    parser.add_argument("--stage", default="dev", help="config/<stage>.yaml (default: dev)")
    parser.add_argument(
        "--flow", action="append", dest="flows", metavar="NAME", help="only this flow (repeatable)"
    )
    parser.add_argument("--out", type=Path, default=CONTACT_FLOWS_DIR, help="where to write")
    parser.add_argument("--region", help="AWS region (default: from the environment)")
    parser.add_argument("--profile", help="AWS named profile")
    parser.add_argument("--lambdas-dir", type=Path, default=LAMBDAS_DIR, help=argparse.SUPPRESS)
    parser.set_defaults(handler=run)


def run(args: argparse.Namespace, client: Any = None) -> int:
    try:
        config = load_stage(args.stage)
    except ConfigError as error:
        print(error, file=sys.stderr)
        return EXIT_FAILED
    names = args.flows or list(config.flows)
    unknown = sorted(set(names) - set(config.flows))
    if unknown:
        print(
            f"export-flows: {', '.join(unknown)} not in config flows "
            f"({', '.join(sorted(config.flows))})",
            file=sys.stderr,
        )
        return EXIT_FAILED
    if client is None:
        session = boto3.Session(profile_name=args.profile, region_name=args.region)
        client = session.client("connect", config=CLIENT_CONFIG)
    stage = StageFlows(config, discover_lambdas(args.lambdas_dir), args.out)
    try:
        exported = Exporter(client, args.instance_id).export(stage, names)
    except (ClientError, BotoCoreError) as error:
        print(f"export-flows: {error}", file=sys.stderr)
        return EXIT_FAILED
    except MissingFlowError as error:
        print(f"export-flows: {error}", file=sys.stderr)
        return EXIT_FAILED

    attention = False
    args.out.mkdir(parents=True, exist_ok=True)
    for flow in exported:
        path = args.out / config.flows[flow.name].file_name(flow.name)
        text = json.dumps(flow.document, indent=2, ensure_ascii=False) + "\n"
        changed = not path.is_file() or path.read_text(encoding="utf-8") != text
        path.write_text(text, encoding="utf-8")
        print(f"{path}: {'updated' if changed else 'unchanged'}")
        for identifier, where, arn in flow.leftovers:
            attention = True
            action = f"action '{identifier}'" if identifier else "flow"
            print(
                f"  {action}: {where} is still instance-specific: {arn} "
                "(add it to config or replace it with a placeholder)"
            )
        context = stage.flow_context(flow.name)
        for problem in validate_text(flow.document, str(path), context=context, stage=stage):
            attention = True
            print(f"  {problem}")
    return EXIT_ATTENTION if attention else 0


class MissingFlowError(LookupError):
    pass


@dataclass
class ExportedFlow:
    name: str
    document: dict[str, Any]
    leftovers: list[tuple[str | None, str, str]]


class Exporter:
    """Reads the instance through the Connect API (List*, DescribeContactFlow)."""

    def __init__(self, client: Any, instance_id: str) -> None:
        self.client = client
        self.instance_id = instance_id

    def export(self, stage: StageFlows, names: list[str]) -> list[ExportedFlow]:
        flows = self._names("list_contact_flows", "ContactFlowSummaryList")
        missing = [name for name in names if name not in flows]
        if missing:
            raise MissingFlowError(
                f"no flow named {', '.join(missing)} on instance {self.instance_id} "
                "(deploy the stage first, or export with --flow)"
            )
        known = instance_placeholders(
            stage,
            queues=self._names("list_queues", "QueueSummaryList", QueueTypes=["STANDARD"]),
            hours=self._names("list_hours_of_operations", "HoursOfOperationSummaryList"),
            flows=flows,
        )
        results = []
        for name in names:
            described = self.client.describe_contact_flow(
                InstanceId=self.instance_id, ContactFlowId=flows[name].rsplit("/", 1)[-1]
            )["ContactFlow"]
            exported = json.loads(described["Content"])
            local_path = stage.flow_file(name)
            local = json.loads(local_path.read_text()) if local_path.is_file() else None
            result = to_placeholders(exported, known=known, local=local, stage=stage)
            results.append(ExportedFlow(name, result.document, result.leftovers))
        return results

    def _names(self, operation: str, key: str, **parameters: Any) -> Mapping[str, str]:
        """Name -> ARN over every page of a Connect List* call."""
        paginator = self.client.get_paginator(operation)
        found: dict[str, str] = {}
        for page in paginator.paginate(InstanceId=self.instance_id, **parameters):
            for summary in page[key]:
                found[summary["Name"]] = summary["Arn"]
        return found
