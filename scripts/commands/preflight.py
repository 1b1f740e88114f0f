"""`ccaas preflight --stage prod`: what a real account would refuse, before `cdk deploy` starts.

The offline part always runs (config, flows, synth with cdk-nag, sizes); the account part needs
credentials and only reads. The replacement guard compares the new templates with the deployed
ones (or, without credentials, with the last synthesized ones) and warns loudly when a stateful
resource would be replaced. Checks live in `scripts.preflight`; this module is the edge: flags,
the AWS session, printing and the exit code.
"""

from __future__ import annotations

import argparse
import json
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from scripts.cli_support import (
    EXIT_OK,
    CommandError,
    NoRegionError,
    ProblemsFound,
    add_aws_options,
    aws_session,
    writable_dir,
)
from scripts.commands.validate_config import today
from scripts.commands.validate_flows import add_config_arguments, chosen_config, stage_name
from scripts.preflight.account import AccountClients
from scripts.preflight.baseline import assembly_templates
from scripts.preflight.checklist import Account, Offline, Outcome, run_checks
from scripts.preflight.report import any_failed, summary
from scripts.progress import Reporter

DEFAULT_BASELINE = Path("cdk.out")
DESCRIPTION = """\
Checks, before a deploy, what a real account would refuse and CloudFormation would only find
halfway through: the config, the flows, the synthesis with cdk-nag and the template sizes
(always, offline); then, with credentials, read-only checks of the account: SES production
access and the email domain's verification, SMS registration, spend limit and number status,
Connect instance and phone number quotas, Lambda concurrency, and every SSM parameter the
templates resolve (the Powertools layer's, CDK's bootstrap version). Finally it compares the
new templates with the deployed ones (CloudFormation GetTemplate), or without credentials with
the last synthesis in --baseline, and warns loudly when a change would REPLACE a stateful
resource (Connect instance, phone number, table, bucket, key, stream, log group) or drop it.

Each check is one line on stdout, `pass|warn|fail  <check>  <detail>`, with the fix under a
warn or a fail. Exit code 1 when any check fails, 0 otherwise (warnings included).

Reads config/<stage>.yaml (or --config FILE), contact_flows/, lambdas/ and --baseline; writes
the cloud assembly into --outdir (default: a temporary folder, removed after). Progress on
stderr; about a minute, as long as `ccaas synth`.

Examples:
  ccaas preflight --stage prod --profile prod-admin --region us-east-1
  ccaas preflight --stage dev --offline              offline part; guard against cdk.out
  ccaas preflight --stage prod --json > preflight.json
"""


def register(subparsers: Any) -> None:
    parser = subparsers.add_parser(
        "preflight",
        help="before a deploy: check the stage and the account, and guard against replacements",
        description=DESCRIPTION,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    add_config_arguments(parser)
    add_aws_options(parser)
    parser.add_argument(
        "--offline", action="store_true", help="skip the account checks; use no AWS at all"
    )
    parser.add_argument("--json", action="store_true", help="print the checks as one JSON object")
    parser.add_argument(
        "--outdir",
        type=Path,
        help="keep the cloud assembly in this folder (default: a temporary one)",
    )
    parser.add_argument(
        "--baseline",
        type=Path,
        default=DEFAULT_BASELINE,
        metavar="DIR",
        help="cloud assembly of the last deploy, compared with when there are no credentials "
        "(default: cdk.out)",
    )
    parser.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    config = chosen_config(args)
    if args.baseline.exists() and not args.baseline.is_dir():
        raise CommandError(f"--baseline {args.baseline} is a file", "name a cloud assembly folder")
    if args.outdir is not None:
        writable_dir(args.outdir, "--outdir")
    source = str(args.config) if args.config is not None else f"config/{stage_name(args)}.yaml"
    reporter = Reporter("preflight")
    # Read before synthesizing: --outdir may be the baseline folder itself.
    target = target_of(args, reporter)
    reporter.step(f"read {source} (stage '{config.stage}'); loading the AWS CDK")
    from aws_cdk import Environment

    from infra.stacks import deploy_environment
    from scripts.preflight.offline import synthesis_check

    env = (
        Environment(account=target.account_id, region=target.region)
        if isinstance(target, Account)
        else deploy_environment()
    )
    with _assembly_folder(args.outdir) as outdir:
        outcome = run_checks(
            config,
            source,
            today=today(),
            synthesize=lambda: synthesis_check(config, outdir, env, reporter.step),
            target=target,
            on_step=reporter.step,
        )
    _print(outcome, config.stage, as_json=args.json)
    if any_failed(outcome.checks):
        raise ProblemsFound(
            f"stage '{config.stage}' is not ready to deploy ({summary(outcome.checks)})",
            "each failed check is listed above with its fix",
        )
    return EXIT_OK


def target_of(args: argparse.Namespace, reporter: Reporter) -> Account | Offline:
    """The account behind the credentials, or why the account checks are skipped. An unknown
    --profile is a usage error (exit 2); no region or no credentials only skips them."""

    def offline(reason: str) -> Offline:
        return Offline(reason, assembly_templates(args.baseline), str(args.baseline))

    if args.offline:
        return offline("--offline")
    try:
        session = aws_session(args.profile, args.region)
    except NoRegionError:
        return offline("no AWS region")
    if session.get_credentials() is None:
        return offline("no credentials")
    from botocore.exceptions import BotoCoreError, ClientError

    reporter.step(f"asking STS whose credentials these are ({session.region_name})")
    try:
        identity = session.client("sts").get_caller_identity()
    except (BotoCoreError, ClientError) as error:
        return offline(f"credentials not usable ({type(error).__name__}: {error})")
    return Account(identity["Account"], session.region_name, AccountClients.from_session(session))


@contextmanager
def _assembly_folder(outdir: Path | None) -> Iterator[Path]:
    if outdir is not None:
        yield outdir
        return
    with tempfile.TemporaryDirectory(prefix="ccaas-preflight-") as folder:
        yield Path(folder)


def _print(outcome: Outcome, stage: str, *, as_json: bool) -> None:
    if as_json:
        document = {
            "stage": stage,
            "baseline": outcome.baseline,
            "summary": summary(outcome.checks),
            "checks": [check.as_dict() for check in outcome.checks],
        }
        print(json.dumps(document, indent=2))
        return
    for check in outcome.checks:
        print("\n".join(check.lines()))
    if outcome.replacements:
        print(
            f"\n!!! {outcome.replacements} stateful resource(s) would be REPLACED or DELETED by "
            "this deploy: read the REPLACEMENT lines above before deploying !!!"
        )
    print(f"\npreflight of stage '{stage}': {summary(outcome.checks)}")
