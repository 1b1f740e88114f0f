"""The flow Lambdas' performance budgets, as ratios measured in one run.

The budgets: a handler costs close to one bare DynamoDB GetItem, and a cold start (its imports)
costs close to `import boto3` alone.

    python scripts/bench_lambdas.py [--calls 2000] [--runs 9]

1. Handler time / bare GetItem time: both against the same moto table (the one the handlers'
   runtimes build, with the flow call budget), medians of `--calls` calls each, interleaved so
   drift hits both alike. The handlers run in the local Lambda runtime, which writes their logs
   and EMF metrics (captured, as CloudWatch Logs would get them); a handler's time is its own
   (`Invocation.seconds`), without the runtime's set-up. The DynamoDB calls each handler makes
   are counted and printed.
2. Cold import time / `import boto3` time: each in a fresh interpreter (what a cold start pays),
   median of `--runs`, with Lambda's environment so Powertools' Tracer is on (it imports the
   X-Ray SDK and patches botocore, as it does in Lambda).

moto answers a GetItem in about a millisecond of Python; real DynamoDB takes a few milliseconds
over the network, so in AWS the handler's ratio is closer to 1 than here. The cold import runs at
this machine's CPU speed, not at a 1 GB Lambda's (0.58 vCPU): compare ratios, not milliseconds.
"""

from __future__ import annotations

import argparse
import io
import json
import os
import statistics
import subprocess
import sys
import time
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

BENCH_ENV = {
    "AWS_ACCESS_KEY_ID": "bench",
    "AWS_SECRET_ACCESS_KEY": "bench",
    "AWS_DEFAULT_REGION": "us-east-1",
    "POWERTOOLS_METRICS_NAMESPACE": "Bench",
    "CUSTOMERS_TABLE": "customers",
}
COLD_IMPORTS = {
    "import boto3 (baseline)": "import boto3",
    "import pydantic": "import pydantic",
    "import Powertools Logger, Metrics, Tracer classes": (
        "from aws_lambda_powertools import Logger, Metrics, Tracer"
    ),
    "Tracer() (imports the X-Ray SDK, patches botocore)": (
        "from aws_lambda_powertools import Tracer; Tracer()"
    ),
    "crm_lookup handler module": "import lambdas.crm_lookup.handler",
    "routing handler module": "import lambdas.routing.handler",
    "crm_lookup module + runtime (DynamoDB resource)": (
        "import lambdas.crm_lookup.handler as h; h.runtime()"
    ),
}


def median_ms(samples: list[int]) -> float:
    return statistics.median(samples) / 1e6


def interleaved(calls: int, cases: dict[str, Callable[[], float]]) -> dict[str, float]:
    """Each case returns the seconds it measured; medians in milliseconds."""
    samples: dict[str, list[float]] = {name: [] for name in cases}
    for case in cases.values():  # warm-up: caches, connection pools, first-call imports
        for _ in range(50):
            case()
    for _ in range(calls):
        for name, case in cases.items():
            samples[name].append(case())
    return {name: statistics.median(values) * 1000 for name, values in samples.items()}


def timed(call: Callable[[], object]) -> float:
    started = time.perf_counter()
    call()
    return time.perf_counter() - started


def warm_benchmark(calls: int) -> list[str]:
    import boto3
    from moto import mock_aws

    from config import load_stage
    from infra.constructs.functions import routing_rules_document
    from lambdas.common.profiles import ProfileRepository
    from local_connect.runtime.lambda_runtime import LocalLambda
    from local_connect.runtime.local_aws import LOCAL_REGION, offline_aws
    from local_connect.runtime.resources import create_customers_table
    from scripts.seed import SeedSpec, generate_customers, write_customers

    config = load_stage("dev")
    arns = {
        name: f"arn:aws:connect:{LOCAL_REGION}:123456789012:instance/i/queue/{name}"
        for name in config.queues
    }
    environment = {  # as infra sets it (logs at INFO), tracing off
        "CUSTOMERS_TABLE": "customers",
        "ROUTING_RULES": json.dumps(routing_rules_document(config, arns)),
        "POWERTOOLS_LOG_LEVEL": "INFO",
        "POWERTOOLS_TRACE_DISABLED": "true",
        "POWERTOOLS_METRICS_NAMESPACE": "Bench",
    }
    # As infra/constructs/functions.py deploys them.
    crm, routing = (
        LocalLambda(f"lambdas.{name}.handler", environment, memory_mb=1024)
        for name in ("crm_lookup", "routing")
    )
    now = datetime.now(UTC)
    with offline_aws(), mock_aws():
        create_customers_table(LOCAL_REGION, "customers")
        customers = generate_customers(300, now=now, spec=SeedSpec.from_config(config))
        write_customers(ProfileRepository(boto3.resource("dynamodb").Table("customers")), customers)
        known = next(
            i.value
            for c in customers
            for i in c.profile.identifiers
            if i.kind.value == "phone" and c.profile.tier == "standard"
        )

        def event(number: str, attributes: dict[str, str] | None = None) -> dict[str, Any]:
            return {
                "Name": "ContactFlowEvent",
                "Details": {
                    "ContactData": {
                        "Attributes": attributes or {},
                        "Channel": "VOICE",
                        "ContactId": "bench-contact",
                        "InitialContactId": "bench-contact",
                        "CustomerEndpoint": {"Address": number, "Type": "TELEPHONE_NUMBER"},
                        "InstanceARN": f"arn:aws:connect:{LOCAL_REGION}:123456789012:instance/i",
                    },
                    "Parameters": {"intent": "billing"},
                },
            }

        known_call, unknown_call = event(known), event("+13125550100")
        withheld_call = event("anonymous")
        crm_answer = crm.invoke(known_call).result()
        routed_call = event(known, crm_answer)
        routing.invoke(routed_call).result()
        # The functions' own tables (the runtimes built them on their first call), counted.
        calls_made: list[str] = []
        tables = []
        for function in (crm, routing):
            module = function.module
            assert module is not None
            tables.append(module.runtime().profiles.table)
        for client in {id(table.meta.client): table.meta.client for table in tables}.values():
            client.meta.events.register(
                "before-call.dynamodb.*", lambda model, **_: calls_made.append(model.name)
            )
        table = tables[0]
        key = {"pk": f"ID#phone#{known}", "sk": "ID"}
        cases: dict[str, Callable[[], float]] = {
            "bare GetItem (same table, same client)": lambda: timed(
                lambda: table.get_item(Key=key)
            ),
            "crm_lookup, known caller": lambda: crm.invoke(known_call).seconds,
            "crm_lookup, unknown caller": lambda: crm.invoke(unknown_call).seconds,
            "crm_lookup, withheld number (no call)": lambda: crm.invoke(withheld_call).seconds,
            "routing, crm answer in attributes": lambda: routing.invoke(routed_call).seconds,
            "routing, looks the caller up": lambda: routing.invoke(known_call).seconds,
        }
        per_call = {}
        for name, case in cases.items():
            calls_made.clear()
            case()
            per_call[name] = len(calls_made)
        medians = interleaved(calls, cases)
        for function in (crm, routing):
            function.cold_start()
    baseline = medians["bare GetItem (same table, same client)"]
    lines = [
        f"Warm invocations: moto DynamoDB, median of {calls} calls each, interleaved",
        f"  {'':44} {'per call':>9} {'vs GetItem':>11} {'DynamoDB calls':>15}",
    ]
    for name, value in medians.items():
        lines.append(f"  {name:44} {value:7.3f} ms {value / baseline:10.2f}x {per_call[name]:>15}")
    return lines


def cold_import_seconds(statement: str) -> float:
    code = f"import time; t = time.perf_counter(); {statement}; print(time.perf_counter() - t)"
    env = {
        **os.environ,
        **BENCH_ENV,
        # As in Lambda: Powertools' Tracer is on there (X-Ray SDK import, botocore patched).
        "AWS_LAMBDA_FUNCTION_NAME": "bench",
        "ROUTING_RULES": '{"default_queue": "q", "queues": {"q": "arn:q"}}',
    }
    env.pop("POWERTOOLS_TRACE_DISABLED", None)
    result = subprocess.run(
        [sys.executable, "-X", "frozen_modules=on", "-c", code],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        check=True,
    )
    return float(result.stdout.strip().splitlines()[-1])


def cold_benchmark(runs: int) -> list[str]:
    samples: dict[str, list[float]] = {name: [] for name in COLD_IMPORTS}
    for _ in range(runs):
        for name, statement in COLD_IMPORTS.items():
            samples[name].append(cold_import_seconds(statement))
    medians = {name: statistics.median(values) for name, values in samples.items()}
    baseline = medians["import boto3 (baseline)"]
    lines = [f"Cold imports: fresh interpreter each, tracing on as in Lambda, median of {runs}"]
    for name, seconds in medians.items():
        lines.append(f"  {name:52} {seconds * 1000:6.0f} ms {seconds / baseline:6.2f}x boto3")
    return lines


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--calls", type=int, default=2000)
    parser.add_argument("--runs", type=int, default=9)
    args = parser.parse_args()
    started = time.perf_counter()
    report = io.StringIO()
    for line in [*cold_benchmark(args.runs), "", *warm_benchmark(args.calls)]:
        print(line, file=report)
    print(report.getvalue(), end="")
    print(f"(benchmark took {time.perf_counter() - started:.0f} s)")


if __name__ == "__main__":
    main()
