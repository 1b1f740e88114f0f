"""A function for the local Lambda runtime's tests, shaped like ours: Powertools at module
scope, its settings cached once per container."""

from __future__ import annotations

import os
from functools import cache
from typing import Any

from aws_lambda_powertools import Logger, Metrics
from aws_lambda_powertools.metrics import MetricUnit
from aws_lambda_powertools.utilities.typing import LambdaContext

logger = Logger()
metrics = Metrics()


@cache
def settings() -> dict[str, str]:
    return {"greeting": os.environ["GREETING"]}


@logger.inject_lambda_context
@metrics.log_metrics
def handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    os.environ["SET_BY_THE_HANDLER"] = "yes"
    metrics.add_metric(name="Greeted", unit=MetricUnit.Count, value=1)
    if event.get("fail"):
        raise RuntimeError("asked to fail")
    logger.info("greeting", extra={"who": event.get("who")})
    logger.warning("a warning")
    print("a plain print")
    return {
        "greeting": settings()["greeting"],
        "variables": {name: os.environ.get(name) for name in event.get("show", [])},
        "remaining_ms": context.get_remaining_time_in_millis(),
    }
