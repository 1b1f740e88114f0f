"""Tracing: the X-Ray SDK stays out of a function until Lambda samples an invocation, and a
sampled invocation is traced as Powertools' Tracer traces it (handler subsegment, ColdStart
annotation, one subsegment per AWS call)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from lambdas.common.tracing import trace_sampled

ROOT = Path(__file__).resolve().parents[3]
SAMPLED = "Root=1-5759e988-bd862e3fe1be46a994272793;Parent=53995c3f42cd8ad8;Sampled=1"
NOT_SAMPLED = "Root=1-5759e988-bd862e3fe1be46a994272794;Parent=53995c3f42cd8ad9;Sampled=0"


@pytest.mark.parametrize(
    ("environ", "sampled"),
    [
        ({"_X_AMZN_TRACE_ID": SAMPLED}, True),
        ({"_X_AMZN_TRACE_ID": "Root=1-5759e988-bd862e3fe1be46a994272793; Sampled=1"}, True),
        ({"_X_AMZN_TRACE_ID": NOT_SAMPLED}, False),
        ({"_X_AMZN_TRACE_ID": "Root=1-5759e988-bd862e3fe1be46a994272793;Sampled=?"}, False),
        ({"_X_AMZN_TRACE_ID": "Root=1-5759e988-bd862e3fe1be46a994272793;Sampled=10"}, False),
        ({}, False),
        ({"_X_AMZN_TRACE_ID": SAMPLED, "POWERTOOLS_TRACE_DISABLED": "true"}, False),
        ({"_X_AMZN_TRACE_ID": SAMPLED, "POWERTOOLS_TRACE_DISABLED": "false"}, True),
    ],
)
def test_only_an_invocation_lambda_sampled_is_traced(
    environ: dict[str, str], sampled: bool
) -> None:
    assert trace_sampled(environ) is sampled


# A container's life in a fresh interpreter, as Lambda runs it: the handler module is imported,
# then invoked with the trace header Lambda sets per invocation. The X-Ray SDK sends to a UDP
# "daemon" this script listens on; the DynamoDB call is answered by botocore's Stubber.
CONTAINER = """
import json, os, socket, sys

daemon = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
daemon.bind(("127.0.0.1", 0))
daemon.settimeout(0.5)  # every packet was sent before the loop below
os.environ["AWS_XRAY_DAEMON_ADDRESS"] = "127.0.0.1:%d" % daemon.getsockname()[1]

import boto3
from botocore.stub import Stubber
from lambdas.common import tracing

client = boto3.client("dynamodb", region_name="us-east-1")
stubber = Stubber(client)

@tracing.capture_lambda_handler(capture_response=False)
def handler(event, context):
    stubber.add_response("get_item", {}, {"TableName": "customers", "Key": {"pk": {"S": "x"}}})
    with stubber:
        client.get_item(TableName="customers", Key={"pk": {"S": "x"}})
    return {"answer": event}

seen = {"after_import": "aws_xray_sdk" in sys.modules}
answers = []
for header in json.loads(sys.argv[1]):
    os.environ["_X_AMZN_TRACE_ID"] = header
    answers.append(handler(header[-1], None))
    seen.setdefault("sdk_loaded_after", [])
    seen["sdk_loaded_after"].append("aws_xray_sdk" in sys.modules)
documents = []
try:
    while True:
        packet = daemon.recv(65536).decode()
        documents.append(json.loads(packet.split("\\n", 1)[1]))
except socket.timeout:
    pass
print(json.dumps({"seen": seen, "answers": answers, "documents": documents}))
"""


def run_container(headers: list[str]) -> dict[str, object]:
    environment = {
        **os.environ,
        "LAMBDA_TASK_ROOT": str(
            ROOT
        ),  # where Powertools and the X-Ray SDK learn they are in Lambda
        "AWS_LAMBDA_FUNCTION_NAME": "traced",
        "POWERTOOLS_SERVICE_NAME": "traced",
        "AWS_XRAY_CONTEXT_MISSING": "LOG_ERROR",
    }
    environment.pop("POWERTOOLS_TRACE_DISABLED", None)
    done = subprocess.run(
        [sys.executable, "-c", CONTAINER, json.dumps(headers)],
        cwd=ROOT,
        env=environment,
        capture_output=True,
        text=True,
        check=True,
        timeout=60,
    )
    result: dict[str, object] = json.loads(done.stdout.strip().splitlines()[-1])
    return result


def subsegments(documents: list[dict[str, object]]) -> dict[str, dict[str, object]]:
    """Every subsegment sent, nested ones included, by name."""
    found: dict[str, dict[str, object]] = {}
    pending = list(documents)
    while pending:
        document = pending.pop()
        found[str(document["name"])] = document
        pending.extend(document.get("subsegments", []))  # type: ignore[arg-type]
    return found


def test_unsampled_invocations_never_load_the_xray_sdk_then_a_sampled_one_is_traced() -> None:
    # Given a container whose first two invocations are not sampled and whose third is
    result = run_container([NOT_SAMPLED, NOT_SAMPLED, SAMPLED])

    # Then the SDK is loaded neither at import nor by unsampled invocations, only by the sampled
    seen = result["seen"]
    assert seen == {"after_import": False, "sdk_loaded_after": [False, False, True]}
    # and every invocation answered, traced or not
    assert result["answers"] == [{"answer": "0"}, {"answer": "0"}, {"answer": "1"}]
    # and the sampled one sent the handler's subsegment, marked warm (the container had served
    # invocations before), and the DynamoDB call's subsegment inside it, in Lambda's trace
    sent = subsegments(result["documents"])  # type: ignore[arg-type]
    handler, call = sent["## handler"], sent["dynamodb"]
    assert handler["annotations"] == {"ColdStart": False, "Service": "traced"}
    assert call["aws"] == {"operation": "GetItem", "region": "us-east-1", "table_name": "customers"}
    assert call["parent_id"] == handler["id"]
    assert handler["parent_id"] == "53995c3f42cd8ad8"
    assert handler["trace_id"] == call["trace_id"] == "1-5759e988-bd862e3fe1be46a994272793"


def test_a_sampled_first_invocation_is_traced_as_the_cold_start() -> None:
    result = run_container([SAMPLED])

    assert result["seen"] == {"after_import": False, "sdk_loaded_after": [True]}
    handler = subsegments(result["documents"])["## handler"]  # type: ignore[arg-type]
    assert handler["annotations"] == {"ColdStart": True, "Service": "traced"}
