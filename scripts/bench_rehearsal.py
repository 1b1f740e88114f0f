"""On-demand benchmark of the rehearsal and `report --records`, as ratios to a bare moto GetItem:
`python scripts/bench_rehearsal.py [--quick]`. Not part of the test suite; `ccaas bench` calls
`measure`.

What it runs, each in a fresh interpreter as a user would (issue 17's definitions):
- the denominator: a bare GetItem, a fresh boto3 client under `mock_aws()` in an interpreter
  that imports nothing of this project, so no fast path of ours can speed it up;
- one day: `ccaas rehearse --variant voice_only --workers 2` over the dmv scenario (quick: the
  same day cut to `QUICK_CONTACTS` contacts), its wall time from the outside and the largest
  summed RSS of the command and its worker processes, sampled every `RSS_SAMPLE_SECONDS`;
- `ccaas report --records` over the records that day wrote.

Ratios: day wall / (the day's contacts x GetItem), report wall / (records x GetItem). Both walls
include the interpreter's start and imports, because the user waits for them too.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import subprocess
import sys
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[1]
SCENARIO = ROOT / "local_connect" / "scenarios" / "dmv.yaml"
VARIANT = "voice_only"
WORKERS = 2  # the definition of a day, whatever the machine's core count
QUICK_CONTACTS = 150  # a day small enough for the suite to run `ccaas bench --quick`
RSS_SAMPLE_SECONDS = 0.1
GETITEM_CALLS = 300
GETITEM_ROUNDS = 5

# The denominator, in an interpreter with only boto3 and moto: median seconds per GetItem over
# rounds of calls on one client, after a warm-up.
_BARE_GETITEM = """
import statistics, sys, time
import boto3
from moto import mock_aws

calls, rounds = int(sys.argv[1]), int(sys.argv[2])
with mock_aws():
    client = boto3.client("dynamodb", region_name="us-east-1")
    client.create_table(
        TableName="customers",
        KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"},
                   {"AttributeName": "sk", "KeyType": "RANGE"}],
        AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"},
                              {"AttributeName": "sk", "AttributeType": "S"}],
        BillingMode="PAY_PER_REQUEST",
    )
    key = {"pk": {"S": "PHONE#+15550100"}, "sk": {"S": "IDENTITY"}}
    client.put_item(TableName="customers", Item={**key, "customer_id": {"S": "c-1"}})
    for _ in range(calls // 10):
        client.get_item(TableName="customers", Key=key)
    seconds = []
    for _ in range(rounds):
        started = time.perf_counter()
        for _ in range(calls):
            client.get_item(TableName="customers", Key=key)
        seconds.append((time.perf_counter() - started) / calls)
print(statistics.median(seconds))
"""


def measure(quick: bool) -> dict[str, float]:
    """The rehearsal's figures of `ccaas bench` (issue 17), measured in this one run:
    `rehearsal_day_vs_getitems`, `report_record_vs_getitem`, `rehearsal_peak_mb`."""
    with tempfile.TemporaryDirectory(prefix="bench-rehearsal-") as scratch:
        work = Path(scratch)
        scenario, contacts = _scenario(work, quick)
        getitem = bare_getitem_seconds()
        day_wall, peak_mb = _timed(
            _ccaas(
                "rehearse",
                "--scenario",
                str(scenario),
                "--variant",
                VARIANT,
                "--workers",
                str(WORKERS),
                "--chart",
                str(work / "day.png"),
                "--records-out",
                str(work / "records"),
            )
        )
        records = sorted((work / "records").glob("*.jsonl"))
        lines = sum(1 for path in records for _ in path.open(encoding="utf-8"))
        report_wall, _ = _timed(_ccaas("report", "--records", *map(str, records)))
    return {
        "rehearsal_day_vs_getitems": day_wall / (contacts * getitem),
        "report_record_vs_getitem": report_wall / (lines * getitem),
        "rehearsal_peak_mb": peak_mb,
    }


def bare_getitem_seconds() -> float:
    """Seconds per GetItem of a fresh boto3 client under `mock_aws()`, nothing of ours loaded."""
    done = subprocess.run(
        [sys.executable, "-c", _BARE_GETITEM, str(GETITEM_CALLS), str(GETITEM_ROUNDS)],
        capture_output=True,
        text=True,
        check=True,
        cwd=tempfile.gettempdir(),  # not the project's root: nothing of ours on the path
        env=_offline_environment(),
    )
    return float(done.stdout.strip())


def _scenario(work: Path, quick: bool) -> tuple[Path, int]:
    """The dmv scenario file, or (quick) a copy cut to `QUICK_CONTACTS` contacts a day."""
    if not quick:
        return SCENARIO, int(yaml.safe_load(SCENARIO.read_text())["demand"]["contacts"])
    scenario = yaml.safe_load(SCENARIO.read_text())
    scenario["name"] = "dmv-quick"
    scenario["demand"]["contacts"] = QUICK_CONTACTS
    path = work / "dmv-quick.yaml"
    path.write_text(yaml.safe_dump(scenario))
    return path, QUICK_CONTACTS


def _ccaas(*arguments: str) -> list[str]:
    return [sys.executable, "-m", "scripts.cli", *arguments]


def _offline_environment() -> dict[str, str]:
    """The caller's environment with dummy credentials, so nothing can reach AWS."""
    return {
        **os.environ,
        "AWS_ACCESS_KEY_ID": "bench",
        "AWS_SECRET_ACCESS_KEY": "bench",
        "AWS_DEFAULT_REGION": "us-east-1",
    }


def _timed(command: Sequence[str]) -> tuple[float, float]:
    """(wall seconds, peak MB of the command's summed process tree RSS); raises if it fails."""
    started = time.perf_counter()
    process = subprocess.Popen(
        command,
        cwd=ROOT,
        env=_offline_environment(),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )
    peak = 0
    while process.poll() is None:
        peak = max(peak, _tree_rss_bytes(process.pid))
        time.sleep(RSS_SAMPLE_SECONDS)
    wall = time.perf_counter() - started
    errors = process.stderr.read() if process.stderr else ""
    if process.returncode != 0:
        raise RuntimeError(f"{' '.join(command[2:])} failed ({process.returncode}): {errors}")
    return wall, peak / 2**20


def _tree_rss_bytes(root: int) -> int:
    """Resident memory of `root` and all its descendants now, from /proc (Linux)."""
    parents: dict[int, int] = {}
    rss: dict[int, int] = {}
    page = os.sysconf("SC_PAGE_SIZE")
    for entry in os.scandir("/proc"):
        if not entry.name.isdigit():
            continue
        try:
            stat = Path(entry.path, "stat").read_text()
            statm = Path(entry.path, "statm").read_text()
        except OSError:  # the process ended while we looked
            continue
        # The command name (2nd field) is in parentheses and may hold spaces: split after it.
        fields = stat[stat.rindex(")") + 2 :].split()
        pid = int(entry.name)
        parents[pid] = int(fields[1])
        rss[pid] = int(statm.split()[1]) * page
    tree = {root}
    grew = True
    while grew:
        grew = False
        for pid, parent in parents.items():
            if parent in tree and pid not in tree:
                tree.add(pid)
                grew = True
    return sum(rss.get(pid, 0) for pid in tree)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help=f"{QUICK_CONTACTS:,} contacts")
    parser.add_argument("--json", type=Path, default=None, help="also write the figures here")
    args = parser.parse_args()
    figures = measure(args.quick)
    print(
        f"{platform.python_implementation()} {platform.python_version()}, "
        f"{os.cpu_count()} CPU(s), {'quick' if args.quick else 'full'} dmv {VARIANT} day, "
        f"--workers {WORKERS}"
    )
    for name, value in figures.items():
        print(f"  {name:<28} {value:8.2f}")
    if args.json is not None:
        args.json.write_text(json.dumps(figures, indent=2) + "\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
