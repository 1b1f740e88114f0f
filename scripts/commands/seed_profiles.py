"""`ccaas seed-profiles`: write realistic synthetic customers into the customers table.

    ccaas seed-profiles                                   # local: a moto table, prints a summary
    ccaas seed-profiles --count 500 --json out/customers.json
    ccaas seed-profiles --table ContactCenter-dev-Data-DataCustomers... --profile dev --region us-east-1

Without `--table` nothing leaves this machine: the table is created in moto, filled, checked (a
lookup per identifier kind, through the same repository the Lambdas use) and thrown away; use
`--json` to keep the population. With `--table` the customers go to that real table through the
named AWS profile. Stages with `protect_data` (prod) are refused: synthetic customers do not
belong next to real ones. Re-running with the same `--seed` and `--now` writes the same
customers and history entries again, so it changes nothing.

Exit codes: 0 written; 1 AWS refused (the reason is printed); 2 bad arguments.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from config import ConfigError, load_stage
from lambdas.common.aws import BACKGROUND_CALL_CONFIG
from lambdas.common.identification import masked
from lambdas.common.profiles import ProfileRepository
from scripts.seed import SeedCustomer, SeedSpec, SeedSummary, generate_customers, write_customers

EXIT_REFUSED = 1
EXIT_USAGE = 2
LOCAL_TABLE = "customers"


def register(subparsers: Any) -> None:
    parser = subparsers.add_parser(
        "seed-profiles",
        help="write synthetic customers (profiles, identities, history) to the customers table",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--count", type=int, default=200, help="customers (default: 200)")
    parser.add_argument("--seed", type=int, default=7, help="same seed, same customers")
    parser.add_argument("--stage", default="dev", help="config/<stage>.yaml for the mix")
    parser.add_argument(
        "--now", type=datetime.fromisoformat, default=None, help="ISO time histories end at"
    )
    parser.add_argument("--table", help="a real customers table (default: a local moto table)")
    parser.add_argument("--profile", help="AWS named profile (with --table)")
    parser.add_argument("--region", help="AWS region (with --table)")
    parser.add_argument("--json", type=Path, help="also write the customers to this JSON file")
    parser.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    try:
        config = load_stage(args.stage)
    except ConfigError as error:
        print(error, file=sys.stderr)
        return EXIT_USAGE
    if (args.profile or args.region) and not args.table:
        print("seed-profiles: --profile/--region need --table", file=sys.stderr)
        return EXIT_USAGE
    if args.table and config.protect_data:
        print(
            f"seed-profiles: stage '{config.stage}' protects its data; synthetic customers are "
            "for dev and test stages",
            file=sys.stderr,
        )
        return EXIT_USAGE
    now = (args.now or datetime.now(UTC)).astimezone(UTC)
    try:
        customers = generate_customers(
            args.count, seed=args.seed, now=now, spec=SeedSpec.from_config(config)
        )
    except ValueError as error:
        print(f"seed-profiles: {error}", file=sys.stderr)
        return EXIT_USAGE
    if args.json:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(json.dumps([_as_json(c) for c in customers], indent=1))
    started = time.perf_counter()
    if args.table:
        return _seed_real_table(args, customers, now, started)
    return _seed_local_table(customers, now, started)


def _seed_real_table(
    args: argparse.Namespace, customers: list[SeedCustomer], now: datetime, started: float
) -> int:
    import boto3
    from botocore.exceptions import BotoCoreError, ClientError

    session = boto3.Session(profile_name=args.profile, region_name=args.region)
    table = session.resource("dynamodb", config=BACKGROUND_CALL_CONFIG).Table(args.table)
    try:
        summary = write_customers(ProfileRepository(table), customers, now=now)
    except (ClientError, BotoCoreError) as error:
        print(f"seed-profiles: AWS refused: {error}", file=sys.stderr)
        return EXIT_REFUSED
    print(_report(summary, f"table {args.table}", time.perf_counter() - started))
    return 0


def _seed_local_table(customers: list[SeedCustomer], now: datetime, started: float) -> int:
    import boto3
    from moto import mock_aws

    from local_connect.rehearsal import data_constants

    keys = data_constants()
    with mock_aws():
        dynamodb = boto3.resource("dynamodb", region_name="us-east-1")
        table = dynamodb.create_table(
            TableName=LOCAL_TABLE,
            KeySchema=[
                {"AttributeName": keys["PARTITION_KEY"], "KeyType": "HASH"},
                {"AttributeName": keys["SORT_KEY"], "KeyType": "RANGE"},
            ],
            AttributeDefinitions=[
                {"AttributeName": keys[name], "AttributeType": "S"}
                for name in ("PARTITION_KEY", "SORT_KEY")
            ],
            BillingMode="PAY_PER_REQUEST",
        )
        repository = ProfileRepository(table)
        summary = write_customers(repository, customers, now=now)
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
