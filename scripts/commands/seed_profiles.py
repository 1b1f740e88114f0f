"""`ccaas seed-profiles`: write realistic synthetic customers into the customers table.

Without `--table` nothing leaves this machine: the run happens in the local engine's AWS
environment (`offline_aws`), the table is created in moto, filled, checked (a lookup per
identifier kind, through the same repository the Lambdas use) and thrown away. With `--table`
the customers go to that real table through `aws_session`. Stages with `protect_data` (prod)
are refused: synthetic customers do not belong next to real ones.

Exit codes: 0 written; 1 AWS refused a write; 2 bad arguments, an unwritable --json, a protected
stage, or no AWS region or credentials (with --table).
"""

from __future__ import annotations

import argparse
import json
import time
from collections import Counter
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from config import load_stage
from lambdas.common.aws import BACKGROUND_CALL_CONFIG
from lambdas.common.identification import masked
from lambdas.common.profiles import ProfileRepository
from local_connect.runtime.local_aws import LOCAL_REGION, offline_aws
from local_connect.runtime.resources import CUSTOMERS_TABLE, create_customers_table
from scripts.cli_support import (
    CommandError,
    add_aws_options,
    aws_failure,
    aws_session,
    positive_int,
    writable_file,
)
from scripts.progress import Reporter
from scripts.seed import SeedCustomer, SeedSpec, SeedSummary, generate_customers, write_customers

LOCAL_TABLE = CUSTOMERS_TABLE
CUSTOMERS_PER_STEP = 50  # progress granularity; each step is a few BatchWriteItem calls
DESCRIPTION = """\
Writes fictional customers (profiles with phone numbers and emails, and a contact history) mixed
by the stage's tiers, languages, queues and channels, so the CRM lookup and routing have someone
to recognise. Reads config/<stage>.yaml.

Without --table nothing leaves this machine: the customers go to a throw-away local table, one
lookup per kind of identifier shows they are found, and --json keeps them in a file. With
--table they go to that real DynamoDB table with your AWS credentials (dev and test stages only;
prod is refused). The same --seed and --now write the same customers again, so re-running
changes nothing.

examples:
  ccaas seed-profiles --count 500 --json out/customers.json
  ccaas seed-profiles --table ContactCenter-dev-Data-DataCustomers1A2B3C --profile dev
"""


def register(subparsers: Any) -> None:
    parser = subparsers.add_parser(
        "seed-profiles",
        help="write synthetic customers (profiles, identities, history) to the customers table",
        description=DESCRIPTION,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--count", type=positive_int, default=200, help="customers (default: 200)")
    parser.add_argument("--seed", type=int, default=7, help="same seed, same customers")
    parser.add_argument("--stage", default="dev", help="config/<stage>.yaml for the mix")
    parser.add_argument(
        "--now", type=datetime.fromisoformat, default=None, help="ISO time histories end at"
    )
    parser.add_argument(
        "--table", help="a real customers table (default: a throw-away local table)"
    )
    add_aws_options(parser, used="with --table")
    parser.add_argument("--json", type=Path, help="also write the customers to this JSON file")
    parser.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    config = load_stage(args.stage)
    if (args.profile or args.region) and not args.table:
        raise CommandError("--profile/--region need --table", "or drop them to seed locally")
    if args.table and config.protect_data:
        raise CommandError(
            f"stage '{config.stage}' protects its data",
            "synthetic customers are for dev and test stages",
        )
    if args.json:
        writable_file(args.json, "--json")
    session = _real_table_session(args) if args.table else None
    now = (args.now or datetime.now(UTC)).astimezone(UTC)
    try:
        customers = generate_customers(
            args.count, seed=args.seed, now=now, spec=SeedSpec.from_config(config)
        )
    except ValueError as error:
        raise CommandError(str(error)) from None
    if args.json:
        args.json.write_text(json.dumps([_as_json(c) for c in customers], indent=1))
    reporter = Reporter("seed-profiles")
    started = time.perf_counter()
    if session is not None:
        table = session.resource("dynamodb", config=BACKGROUND_CALL_CONFIG).Table(args.table)
        summary = _write(ProfileRepository(table), customers, now, reporter)
        print(_report(summary, f"table {args.table}", time.perf_counter() - started))
        return 0
    with offline_aws():
        return _seed_local_table(customers, now, started, reporter)


def _real_table_session(args: argparse.Namespace) -> Any:
    """Region and credentials checked before any customer is made: missing ones are one line,
    not a failure after the progress has started."""
    from botocore.exceptions import NoCredentialsError

    session = aws_session(args.profile, args.region)
    if session.get_credentials() is None:
        raise aws_failure(NoCredentialsError())
    return session


def _write(
    repository: ProfileRepository, customers: list[SeedCustomer], now: datetime, reporter: Reporter
) -> SeedSummary:
    """`write_customers` a step at a time, so the user sees how far along a real table is."""
    summaries = []
    with reporter.task("writing customers", len(customers)) as task:
        for start in range(0, len(customers), CUSTOMERS_PER_STEP):
            step = customers[start : start + CUSTOMERS_PER_STEP]
            summaries.append(write_customers(repository, step, now=now))
            task.advance(len(step))
    return SeedSummary(
        customers=sum(s.customers for s in summaries),
        identifiers=sum((s.identifiers for s in summaries), Counter()),
        tiers=sum((s.tiers for s in summaries), Counter()),
        languages=sum((s.languages for s in summaries), Counter()),
        contacts=sum(s.contacts for s in summaries),
        recent=sum(s.recent for s in summaries),
    )


def _seed_local_table(
    customers: list[SeedCustomer], now: datetime, started: float, reporter: Reporter
) -> int:
    import boto3
    from moto import mock_aws

    with mock_aws():
        create_customers_table(LOCAL_REGION, LOCAL_TABLE)
        table = boto3.resource("dynamodb", region_name=LOCAL_REGION).Table(LOCAL_TABLE)
        repository = ProfileRepository(table)
        summary = _write(repository, customers, now, reporter)
        elapsed = time.perf_counter() - started
        checks = _spot_checks(repository, customers)
    print(_report(summary, "a local moto table (discarded)", elapsed))
    print("Spot checks (one lookup per identifier kind, as crm_lookup does):")
    print("\n".join(f"  {line}" for line in checks) or "  (no customers)")
    return 0


def _spot_checks(repository: ProfileRepository, customers: list[SeedCustomer]) -> list[str]:
    lines = []
    seen: set[str] = set()
    for customer in customers:
        for identifier in customer.profile.identifiers:
            if identifier.kind.value in seen:
                continue
            seen.add(identifier.kind.value)
            found = repository.resolve([identifier])
            shown = masked(identifier)
            outcome = (
                f"{found.profile.first_name} ({found.profile.tier}, {found.profile.language})"
                if found and found.profile.customer_id == customer.profile.customer_id
                else "NOT FOUND"
            )
            lines.append(f"{identifier.kind.value:5} {shown:22} -> {outcome}")
    return lines


def _report(summary: SeedSummary, where: str, elapsed: float) -> str:
    def share(counter: Any) -> str:
        return ", ".join(f"{key} {count}" for key, count in counter.most_common())

    return "\n".join(
        [
            f"Wrote {summary.customers} customers to {where} in {elapsed:.1f} s",
            f"  identifiers: {share(summary.identifiers)}",
            f"  tiers:       {share(summary.tiers)}",
            f"  languages:   {share(summary.languages)}",
            f"  history:     {summary.contacts} contacts; {summary.recent} customers contacted "
            "us in the last 48 h (repeat contacts if they call now)",
        ]
    )


def _as_json(customer: SeedCustomer) -> dict[str, Any]:
    return {
        "profile": customer.profile.model_dump(mode="json"),
        "history": [contact.model_dump(mode="json") for contact in customer.history],
    }
