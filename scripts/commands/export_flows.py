"""`ccaas export-flows --instance-id ID`: bring flows edited in the Connect console back into git.

Reads the published version of each flow the stage's config lists (by name) from a live
instance, turns the instance's ARNs back into placeholders (`${queue:billing}`...), restores the
`${setting:...}` and `${lambda:...}` text the file in git already had wherever the deployed text
is what it resolves to, and writes `<outdir>/<name>.json` pretty-printed. Then it validates the
result against the stage, as `ccaas validate-flows` would.

Exit codes: 0 written and valid; 1 written but with instance-specific ARNs left in it or
validation problems (both listed), or nothing written because AWS refused; 2 nothing written
(bad arguments, an unwritable --outdir, a flow unknown to the config or the instance, no AWS
region or credentials).
"""

from __future__ import annotations

import argparse
import json
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from botocore.config import Config
from botocore.exceptions import BotoCoreError, ClientError

from config import load_stage
from flowlang.context import StageFlows, discover_lambdas
from flowlang.export import instance_placeholders, to_placeholders
from flowlang.validator import validate_text
from infra.paths import CONTACT_FLOWS_DIR, LAMBDAS_DIR
from scripts.cli_support import (
    EXIT_OK,
    EXIT_PROBLEMS,
    CommandError,
    add_aws_options,
    aws_failure,
    aws_session,
    writable_dir,
)

# Connect's list APIs are throttled at low rates per account; a few patient retries are enough.
CLIENT_CONFIG = Config(retries={"max_attempts": 5, "mode": "standard"}, connect_timeout=5)
DESCRIPTION = """\
Brings flows edited and published in the Amazon Connect console back into git: reads each flow
the stage's config lists from the instance, turns the instance's queue, hours and flow ARNs back
into the placeholders the files use, keeps the console's layout, writes one JSON file per flow
into --outdir, and validates the result. Anything still specific to the instance (a queue made
in the console, a prompt) is listed, with exit code 1. Reads config/<stage>.yaml and the
instance (connect:ListContactFlows, ListQueues, ListHoursOfOperations, DescribeContactFlow).

examples:
  ccaas export-flows --instance-id 8a2b7c4d-0000-4000-8000-00000000c0de --stage dev
  ccaas export-flows --instance-id "$INSTANCE_ID" --flow inbound_voice --outdir /tmp/flows
"""


def register(subparsers: Any) -> None:
    parser = subparsers.add_parser(
        "export-flows",
        help="pull published flows from an instance back into contact_flows/",
        description=DESCRIPTION,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--instance-id", required=True, help="Connect instance id or ARN")
    parser.add_argument("--stage", default="dev", help="config/<stage>.yaml (default: dev)")
    parser.add_argument(
        "--flow", action="append", dest="flows", metavar="NAME", help="only this flow (repeatable)"
    )
    parser.add_argument(
        "--outdir",
        type=Path,
        default=CONTACT_FLOWS_DIR,
        help="folder the flow files are written to (default: this checkout's contact_flows/)",
    )
    add_aws_options(parser)
    parser.add_argument("--lambdas-dir", type=Path, default=LAMBDAS_DIR, help=argparse.SUPPRESS)
    parser.set_defaults(handler=run)


def run(args: argparse.Namespace, client: Any = None) -> int:
    config = load_stage(args.stage)
    names = args.flows or list(config.flows)
    unknown = sorted(set(names) - set(config.flows))
    if unknown:
        raise CommandError(
            f"{', '.join(unknown)} not in config flows", f"known: {', '.join(sorted(config.flows))}"
        )
    writable_dir(args.outdir, "--outdir")
    if client is None:
        client = aws_session(args.profile, args.region).client("connect", config=CLIENT_CONFIG)
    stage = StageFlows(config, discover_lambdas(args.lambdas_dir), args.outdir)
    try:
        exported = Exporter(client, args.instance_id).export(stage, names)
    except (ClientError, BotoCoreError) as error:
        raise aws_failure(error) from None
    except MissingFlowError as error:
        raise CommandError(str(error), "deploy the stage first, or export with --flow") from None

    attention = False
    for flow in exported:
        path = args.outdir / config.flows[flow.name].file_name(flow.name)
        text = json.dumps(flow.document, indent=2, ensure_ascii=False) + "\n"
        changed = not path.is_file() or path.read_text(encoding="utf-8") != text
        path.write_text(text, encoding="utf-8")
        print(f"{path}: {'updated' if changed else 'unchanged'}", flush=True)
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
    return EXIT_PROBLEMS if attention else EXIT_OK


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
                f"no flow named {', '.join(missing)} on instance {self.instance_id}"
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
