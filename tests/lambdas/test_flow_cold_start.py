"""A flow Lambda's cold start is silence for a caller on the line: the handler modules a flow
invokes do not import what they do not need (docs/performance.md, "Flow Lambda cold start")."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
FLOW_HANDLERS = ("lambdas.crm_lookup.handler", "lambdas.routing.handler")
# Packages these handlers leave out of their import, with what each would cost:
# - Powertools' `utilities.data_classes`: its `__init__` imports every event class, whichever
#   one is asked for (lambdas/common/flow_events.py reads the flow event's dicts itself);
# - the X-Ray SDK: loaded on the first sampled invocation only (lambdas/common/tracing.py).
NOT_ON_THE_COLD_PATH = ("aws_lambda_powertools.utilities.data_classes", "aws_xray_sdk")


@pytest.mark.parametrize("handler", FLOW_HANDLERS)
def test_a_flow_handler_module_imports_nothing_it_does_not_need(handler: str) -> None:
    # Given a fresh interpreter in Lambda's environment, as a new container starts
    probe = (
        "import sys\n"
        f"import {handler}\n"
        f"print(' '.join(m for m in {NOT_ON_THE_COLD_PATH!r} if m in sys.modules))\n"
    )
    # When it imports the handler module, Then none of those packages was imported
    result = subprocess.run(
        [sys.executable, "-c", probe],
        cwd=ROOT,
        # What tells Powertools and the X-Ray SDK they run in Lambda
        env={**os.environ, "LAMBDA_TASK_ROOT": str(ROOT), "AWS_LAMBDA_FUNCTION_NAME": "cold"},
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )
    assert result.stdout.split() == []
