"""The Lambdas' performance budgets, as ratios measured in one run.

    python scripts/bench_lambdas.py [--quick]

1. Cold start / `import boto3`: each case in a fresh interpreter with Lambda's environment
   (`LAMBDA_TASK_ROOT` is what tells Powertools' Tracer and the X-Ray SDK they run in Lambda, so
   tracing is on), median of the runs, the cases interleaved so load on the machine hits them
   alike. Each case is timed as CPU seconds of the interpreter (`time.process_time`): the same as
   wall time on an idle machine, and steady on a busy one. The cases: the alternatives weighed
   for tracing (docs/performance.md), every function's handler module, and crm_lookup's whole
   cold start (import, DynamoDB resource, first invocation answered by botocore's Stubber),
   sampled or not.
2. Warm handler / bare GetItem: the flow Lambdas in the local Lambda runtime against moto's
   DynamoDB, and a fresh boto3 client with none of this project's hooks on the same moto table,
   medians of interleaved calls. A handler's time is its own (`Invocation.seconds`), without
   the runtime's set-up. The DynamoDB calls each handler makes are counted and printed.

moto answers a GetItem in about a millisecond of Python; real DynamoDB takes a few milliseconds
over the network, so in AWS the handler's ratio is closer to 1 than here. The cold start runs at
this machine's CPU speed, not at a 1 GB Lambda's (0.58 vCPU): compare ratios, not milliseconds.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from infra.function_settings import FUNCTION_DEFAULTS

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

SAMPLED = "Root=1-5759e988-bd862e3fe1be46a994272793;Parent=53995c3f42cd8ad8;Sampled=1"
NOT_SAMPLED = "Root=1-5759e988-bd862e3fe1be46a994272794;Parent=53995c3f42cd8ad9;Sampled=0"
# What Lambda sets in a function's environment that changes how our imports behave
# (https://docs.aws.amazon.com/lambda/latest/dg/configuration-envvars.html), and the settings
# infra gives every function (FUNCTION_DEFAULTS); the trace header is set per invocation by the cases themselves.
LAMBDA_ENVIRONMENT = {
    "LAMBDA_TASK_ROOT": str(ROOT),
    "AWS_LAMBDA_FUNCTION_NAME": "bench",
    "AWS_LAMBDA_FUNCTION_MEMORY_SIZE": "1024",
    "AWS_LAMBDA_INITIALIZATION_TYPE": "on-demand",
    "AWS_XRAY_CONTEXT_MISSING": "LOG_ERROR",
    "AWS_XRAY_DAEMON_ADDRESS": "127.0.0.1:2000",  # nothing listens: UDP sends go nowhere
    "AWS_ACCESS_KEY_ID": "bench",
    "AWS_SECRET_ACCESS_KEY": "bench",
    "AWS_DEFAULT_REGION": "us-east-1",
    "POWERTOOLS_SERVICE_NAME": "bench",
    **FUNCTION_DEFAULTS,
    "CUSTOMERS_TABLE": "customers",
    "ROUTING_RULES": '{"default_queue": "q", "queues": {"q": "arn:q"}}',
}


def flow_event(number: str, attributes: dict[str, str] | None = None) -> dict[str, Any]:
    """A voice contact's flow event from `number`, as Connect sends it to a flow Lambda."""
    return {
        "Name": "ContactFlowEvent",
        "Details": {
            "ContactData": {
                "Attributes": attributes or {},
                "Channel": "VOICE",
                "ContactId": "bench-contact",
                "InitialContactId": "bench-contact",
                "CustomerEndpoint": {"Address": number, "Type": "TELEPHONE_NUMBER"},
                "InstanceARN": "arn:aws:connect:us-east-1:123456789012:instance/i",
            },
            "Parameters": {"intent": "billing"},
        },
    }


# A container's first invocation after its import, as the runtime makes it: the trace header set
# for the invocation, then the handler called; DynamoDB's answer (no such customer) comes from
# botocore's Stubber, so the figure has no network in it.
_FIRST_CALL = f"""
import os, types
import lambdas.crm_lookup.handler as function
from botocore.stub import Stubber
stub = Stubber(function.runtime().profiles.table.meta.client)
stub.add_response("get_item", {{}})
stub.activate()
os.environ["_X_AMZN_TRACE_ID"] = "{{header}}"
function.handler({flow_event("+13125550100")!r}, types.SimpleNamespace(
    function_name="bench", memory_limit_in_mb=1024, aws_request_id="bench",
    invoked_function_arn="arn:aws:lambda:us-east-1:123456789012:function:bench"))
"""
BASELINE = "import boto3 (baseline)"
CRM_MODULE = "crm_lookup handler module"
ROUTING_MODULE = "routing handler module"
COLD_CASES = {
    BASELINE: "import boto3",
    "import pydantic and define one model": (
        "from pydantic import BaseModel\nclass Settings(BaseModel):\n    table: str"
    ),
    "Powertools Logger() and Metrics()": (
        "from aws_lambda_powertools import Logger, Metrics; Logger(); Metrics()"
    ),
    "Powertools Tracer() (X-Ray SDK imported, botocore patched)": (
        "from aws_lambda_powertools import Tracer; Tracer()"
    ),
    "Powertools Tracer(disabled=True) (X-Ray SDK imported)": (
        "from aws_lambda_powertools import Tracer; Tracer(disabled=True)"
    ),
    "lambdas.common.tracing (the SDK waits for a sampled call)": ("import lambdas.common.tracing"),
    CRM_MODULE: "import lambdas.crm_lookup.handler",
    ROUTING_MODULE: "import lambdas.routing.handler",
    "crm_lookup module with Tracer() at import (before)": (
        "from aws_lambda_powertools import Tracer; Tracer(); import lambdas.crm_lookup.handler"
    ),
    "crm_lookup import + first call, not sampled": _FIRST_CALL.replace("{header}", NOT_SAMPLED),
    "crm_lookup import + first call, sampled": _FIRST_CALL.replace("{header}", SAMPLED),
    # Not invoked by a flow (nobody waits on the phone): informational.
    "notify handler module": "import lambdas.notify.handler",
    "inbound_email handler module": "import lambdas.inbound_email.handler",
    "delivery_events handler module": "import lambdas.delivery_events.handler",
    "chat_start handler module": "import lambdas.chat_start.handler",
}
FULL_RUNS, QUICK_RUNS = 9, 3
FULL_CALLS, QUICK_CALLS = 2000, 200
# Customers in the table the warm calls read; the quick run seeds fewer (seeding each one's
# history is most of its time), which moto's in-memory lookups do not notice.
FULL_CUSTOMERS, QUICK_CUSTOMERS = 300, 30
BARE_GETITEM = "bare GetItem (fresh boto3 client)"
CRM_KNOWN = "crm_lookup, known caller"


@dataclass(frozen=True)
class Figures:
    """Medians: cold cases in seconds, warm cases in milliseconds per call."""

    cold: dict[str, float]
    warm: dict[str, float]
    warm_calls: dict[str, int]

    def ratios(self) -> dict[str, float]:
        """`ccaas bench`'s two figures: the slower flow handler module's import against boto3's,
        and crm_lookup's warm call for a known caller against a bare GetItem."""
        return {
            "cold_import_vs_boto3": max(self.cold[CRM_MODULE], self.cold[ROUTING_MODULE])
            / self.cold[BASELINE],
            "handler_vs_getitem": self.warm[CRM_KNOWN] / self.warm[BARE_GETITEM],
        }

    def lines(self, runs: int, calls: int) -> list[str]:
        baseline = self.cold[BASELINE]
        lines = [
            f"Cold start: fresh interpreter each, Lambda's environment (tracing on), CPU time, "
            f"median of {runs}"
        ]
        for name, seconds in self.cold.items():
            lines.append(f"  {name:58} {seconds * 1000:6.0f} ms {seconds / baseline:6.2f}x boto3")
        bare = self.warm[BARE_GETITEM]
        lines += [
            "",
            f"Warm invocations: moto DynamoDB, median of {calls} calls each, interleaved",
            f"  {'':44} {'per call':>9} {'vs GetItem':>11} {'DynamoDB calls':>15}",
        ]
        for name, value in self.warm.items():
            lines.append(
                f"  {name:44} {value:7.3f} ms {value / bare:10.2f}x {self.warm_calls[name]:>15}"
            )
        return lines


def measure(quick: bool) -> dict[str, float]:
    """`cold_import_vs_boto3` and `handler_vs_getitem`, as `ccaas bench` reports them."""
    return run(quick).ratios()


def run(quick: bool) -> Figures:
    """Every case; `quick`: only the cases of the two ratios, with fewer runs and calls."""
    runs, calls = (QUICK_RUNS, QUICK_CALLS) if quick else (FULL_RUNS, FULL_CALLS)
    cold_cases = (
        {name: COLD_CASES[name] for name in (BASELINE, CRM_MODULE, ROUTING_MODULE)}
        if quick
        else COLD_CASES
    )
    warm, warm_calls = warm_invocations(
        calls, only_ratio=quick, customers=QUICK_CUSTOMERS if quick else FULL_CUSTOMERS
    )
    return Figures(cold=cold_starts(cold_cases, runs), warm=warm, warm_calls=warm_calls)


def cold_seconds(statement: str) -> float:
    """CPU seconds `statement` takes in a fresh interpreter with Lambda's environment."""
    code = f"import time\nstarted = time.process_time()\n{statement}\nprint(time.process_time() - started)"
    environment = {**os.environ, **LAMBDA_ENVIRONMENT}
    for inherited in ("POWERTOOLS_TRACE_DISABLED", "_X_AMZN_TRACE_ID", "PYTHONPROFILEIMPORTTIME"):
        environment.pop(inherited, None)
    result = subprocess.run(
        [sys.executable, "-c", code],
        cwd=ROOT,
        env=environment,
        capture_output=True,
        text=True,
        check=True,
    )
    return float(result.stdout.strip().splitlines()[-1])  # the handler's logs come first


def cold_starts(cases: dict[str, str], runs: int) -> dict[str, float]:
    samples: dict[str, list[float]] = {name: [] for name in cases}
    for _ in range(runs):
        for name, statement in cases.items():
            samples[name].append(cold_seconds(statement))
    return {name: statistics.median(values) for name, values in samples.items()}


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


def warm_invocations(
    calls: int, *, only_ratio: bool = False, customers: int = FULL_CUSTOMERS
) -> tuple[dict[str, float], dict[str, int]]:
    """(median milliseconds per call, DynamoDB calls per call) of each warm case; `only_ratio`:
    of the bare GetItem and crm_lookup's known caller only."""
    import boto3
    from moto import mock_aws

    from config import load_stage
    from lambdas.common.profiles import ProfileRepository
    from local_connect.flows import FlowLibrary
    from local_connect.flows.environment import flow_lambda_environment
    from local_connect.runtime.lambda_runtime import LocalLambda
    from local_connect.runtime.local_aws import LOCAL_REGION, offline_aws
    from local_connect.runtime.resources import create_customers_table
    from scripts.seed import SeedSpec, generate_customers, write_customers

    config = load_stage("dev")
    environment = {  # as infra sets it (logs at INFO), tracing off
        **flow_lambda_environment(config, FlowLibrary.for_stage(config), quiet=False),
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
        seeded = generate_customers(customers, now=now, spec=SeedSpec.from_config(config))
        write_customers(ProfileRepository(boto3.resource("dynamodb").Table("customers")), seeded)
        known = next(
            i.value
            for c in seeded
            for i in c.profile.identifiers
            if i.kind.value == "phone" and c.profile.tier == "standard"
        )

        known_call, unknown_call = flow_event(known), flow_event("+13125550100")
        withheld_call = flow_event("anonymous")
        crm_answer = crm.invoke(known_call).result()
        routed_call = flow_event(known, crm_answer)
        routing.invoke(routed_call).result()
        # The denominator: a client of its own, made the plain boto3 way, on the same moto table.
        bare = boto3.client("dynamodb", region_name=LOCAL_REGION)
        key = {"pk": {"S": f"ID#phone#{known}"}, "sk": {"S": "ID"}}
        assert "Item" in bare.get_item(TableName="customers", Key=key), "the caller is seeded"
        # The functions' own clients (the runtimes built them on their first call), counted.
        calls_made: list[str] = []
        clients = {}
        for function in (crm, routing):
            module = function.module
            assert module is not None
            client = module.runtime().profiles.table.meta.client
            clients[id(client)] = client
        for client in clients.values():
            client.meta.events.register(
                "before-call.dynamodb.*", lambda model, **_: calls_made.append(model.name)
            )
        cases: dict[str, Callable[[], float]] = {
            BARE_GETITEM: lambda: timed(lambda: bare.get_item(TableName="customers", Key=key)),
            CRM_KNOWN: lambda: crm.invoke(known_call).seconds,
            "crm_lookup, unknown caller": lambda: crm.invoke(unknown_call).seconds,
            "crm_lookup, withheld number (no call)": lambda: crm.invoke(withheld_call).seconds,
            "routing, crm answer in attributes": lambda: routing.invoke(routed_call).seconds,
            "routing, looks the caller up": lambda: routing.invoke(known_call).seconds,
        }
        if only_ratio:
            cases = {name: cases[name] for name in (BARE_GETITEM, CRM_KNOWN)}
        per_call = {}
        for name, case in cases.items():
            calls_made.clear()
            case()
            per_call[name] = len(calls_made)
        per_call[BARE_GETITEM] = 1
        medians = interleaved(calls, cases)
        for function in (crm, routing):
            function.cold_start()
    return medians, per_call


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--quick",
        action="store_true",
        help=f"{QUICK_RUNS} cold runs and {QUICK_CALLS} warm calls (default {FULL_RUNS}, "
        f"{FULL_CALLS})",
    )
    args = parser.parse_args()
    started = time.perf_counter()
    figures = run(args.quick)
    runs, calls = (QUICK_RUNS, QUICK_CALLS) if args.quick else (FULL_RUNS, FULL_CALLS)
    print("\n".join(figures.lines(runs, calls)))
    for name, value in figures.ratios().items():
        print(f"{name}: {value:.2f}")
    print(f"(benchmark took {time.perf_counter() - started:.0f} s)")


if __name__ == "__main__":
    main()
