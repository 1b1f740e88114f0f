"""Cold-start cost of the messaging functions, as ratios to `import boto3` measured in the same run.

    python scripts/bench_messaging.py [--runs 7]

Each import runs in a fresh interpreter (what a Lambda cold start pays); the median of the runs
is printed. None of these functions is invoked by a flow (a caller does not wait on them), so
the figure is informational rather than a budget.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
MODULES = {
    "import boto3 (baseline)": "import boto3",
    "notify": "import lambdas.notify.handler",
    "inbound-email": "import lambdas.inbound_email.handler",
    "delivery-events": "import lambdas.delivery_events.handler",
}


def cold_import_seconds(statement: str) -> float:
    code = f"import time; t = time.perf_counter(); {statement}; print(time.perf_counter() - t)"
    env = {
        **os.environ,
        "AWS_DEFAULT_REGION": "us-east-1",
        "POWERTOOLS_TRACE_DISABLED": "true",
        "POWERTOOLS_METRICS_NAMESPACE": "Bench",
    }
    result = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True, check=True
    )
    return float(result.stdout.strip())


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=7)
    args = parser.parse_args()
    medians = {
        name: statistics.median(cold_import_seconds(statement) for _ in range(args.runs))
        for name, statement in MODULES.items()
    }
    baseline = medians["import boto3 (baseline)"]
    for name, seconds in medians.items():
        print(f"{name:28} {seconds * 1000:7.0f} ms  {seconds / baseline:4.1f}x boto3")


if __name__ == "__main__":
    main()
