"""Benchmark: the flow interpreter's cost per contact, as ratios measured in one run.

    python scripts/bench_flows.py [--contacts 2000]

Runs the dev stage's inbound_voice flow (menu choice, two Lambdas, queue) for N callers:
1. with stand-in Lambdas answering fixed maps (the interpreter alone);
2. with the real crm_lookup and routing handlers over moto's DynamoDB, in the local Lambda
   runtime (what the rehearsal pays);
and, for scale, one bare moto GetItem. Prints per-contact times and the ratios between them.
Not part of the test suite.
"""

from __future__ import annotations

import argparse
import sys
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

AT = datetime(2026, 11, 24, 16, 0, tzinfo=UTC)  # a Tuesday, 10:00 in Chicago: open


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--contacts", type=int, default=2000)
    count = parser.parse_args().contacts

    import boto3
    from moto import mock_aws

    from config import load_stage
    from local_connect.flows import (
        Contact,
        FlowInterpreter,
        FlowLibrary,
        LambdaRegistry,
        ScriptedCustomer,
    )
    from local_connect.flows.environment import flow_lambda_environment
    from local_connect.runtime.resources import create_customers_table

    config = load_stage("dev")
    library = FlowLibrary.for_stage(config)
    billing = library.arn("queue", "billing")

    def crm(event: dict[str, Any], context: Any) -> dict[str, str]:
        return {"customerId": "", "customerFound": "false", "firstName": "", "tier": "",
                "language": "en", "openIssue": "", "lastContactChannel": "",
                "lastContactAt": "", "isRepeatContact": "false"}  # fmt: skip

    def routing(event: dict[str, Any], context: Any) -> dict[str, str]:
        return {"queueArn": billing, "queueName": "billing", "priority": "5",
                "routingReason": "intent:billing"}  # fmt: skip

    def per_contact(engine: FlowInterpreter) -> float:
        engine.run("inbound_voice", Contact(customer_endpoint=Contact.phone("+13125550100")),
                   customer=ScriptedCustomer(["1"]), at=AT)  # fmt: skip
        started = time.perf_counter()
        for index in range(count):
            outcome = engine.run(
                "inbound_voice",
                Contact(customer_endpoint=Contact.phone(f"+1312555{index % 10_000:04d}")),
                customer=ScriptedCustomer(["1"]),
                at=AT,
            )
            assert outcome.queue == "billing", outcome
        return (time.perf_counter() - started) / count

    stand_ins = LambdaRegistry({"crm_lookup": crm, "routing": routing}, discover=False)
    alone = per_contact(FlowInterpreter(library, lambdas=stand_ins))

    with mock_aws():
        create_customers_table(library.region)
        real = LambdaRegistry(environment=flow_lambda_environment(config, library))
        with_lambdas = per_contact(FlowInterpreter(library, lambdas=real))
        table = boto3.resource("dynamodb", region_name=library.region).Table("customers")
        started = time.perf_counter()
        for index in range(count):
            table.get_item(Key={"pk": f"PHONE#{index}", "sk": "IDENTITY"})
        get_item = (time.perf_counter() - started) / count

    print(f"inbound_voice, {count} contacts per measure (dev stage)")
    print(f"  interpreter alone (stand-in Lambdas): {alone * 1000:7.3f} ms/contact")
    print(f"  with real Lambdas over moto:          {with_lambdas * 1000:7.3f} ms/contact")
    print(f"  one moto GetItem (for scale):         {get_item * 1000:7.3f} ms")
    print(
        f"  real/alone: {with_lambdas / alone:.1f}x   real/GetItem: {with_lambdas / get_item:.1f}x"
    )
    print(f"  15,000 contacts with real Lambdas: {with_lambdas * 15_000:.1f} s on one core")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
