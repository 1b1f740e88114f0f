"""Tracing for every function without the X-Ray SDK on the cold start: the SDK loads only when
Lambda samples an invocation.

Why not Powertools' `Tracer()` at module scope: it imports the X-Ray SDK and, in Lambda, patches
botocore and the HTTP libraries at import, which made a flow Lambda's cold start about 2.8x
`import boto3` (docs/performance.md) while a caller listens to silence. Most invocations are not
sampled (X-Ray's default rule: the first request each second, then 5%), and for those the SDK
records nothing.

So the work is split:
- Lambda's active tracing (`tracing=ACTIVE`, infra/constructs/python_function.py) records every
  sampled invocation's function segment (initialization, invocation, overhead) with no SDK in
  the function at all (https://docs.aws.amazon.com/lambda/latest/dg/services-xray.html);
- the first invocation Lambda samples (`Sampled=1` in `_X_AMZN_TRACE_ID`, which the runtime
  sets per invocation:
  https://docs.aws.amazon.com/lambda/latest/dg/configuration-envvars.html#configuration-envvars-runtime)
  creates Powertools' Tracer, which imports the SDK and patches botocore (at class level, so the
  clients made at import are traced too). From then on every invocation goes through Powertools'
  `capture_lambda_handler`: the `## handler` subsegment, the ColdStart and Service annotations,
  and a subsegment per AWS call, as before.
That first sampled invocation pays the SDK import, inside its own trace where it shows.

One import for every handler:

    from lambdas.common import tracing

    @tracing.capture_lambda_handler(capture_response=False)
    def handler(event, context): ...
"""

from __future__ import annotations

import functools
import os
from collections.abc import Callable, Mapping
from typing import Any, TypeVar, overload

from aws_lambda_powertools.shared import constants
from aws_lambda_powertools.shared.functions import resolve_truthy_env_var_choice

Handler = TypeVar("Handler", bound=Callable[..., Any])

TRACE_HEADER_ENV = "_X_AMZN_TRACE_ID"


def trace_sampled(environ: Mapping[str, str] = os.environ) -> bool:
    """Whether Lambda sampled the current invocation and tracing is not switched off.

    The header reads `Root=1-...;Parent=...;Sampled=1`; Lambda always decides (0 or 1) before it
    invokes the function, so anything but `Sampled=1` records nothing.
    """
    if resolve_truthy_env_var_choice(env=environ.get(constants.TRACER_DISABLED_ENV, "false")):
        return False
    fields = (part.strip() for part in environ.get(TRACE_HEADER_ENV, "").split(";"))
    return "Sampled=1" in fields


@overload
def capture_lambda_handler(
    handler: Handler, *, capture_response: bool | None = None
) -> Handler: ...


@overload
def capture_lambda_handler(
    handler: None = None, *, capture_response: bool | None = None
) -> Callable[[Handler], Handler]: ...


def capture_lambda_handler(
    handler: Handler | None = None, *, capture_response: bool | None = None
) -> Handler | Callable[[Handler], Handler]:
    """Powertools' `Tracer().capture_lambda_handler`, created on the first sampled invocation.

    `capture_response=False` keeps the answer out of the trace (flow answers carry names); left
    unset, Powertools' POWERTOOLS_TRACER_CAPTURE_RESPONSE decides, as with its own decorator.
    """
    if handler is None:
        return functools.partial(capture_lambda_handler, capture_response=capture_response)
    traced: Callable[..., Any] | None = None
    invoked = False

    @functools.wraps(handler)
    def run(event: Any, context: Any) -> Any:
        nonlocal traced, invoked
        if traced is None and trace_sampled():
            traced = _powertools_capture(handler, capture_response, cold_start=not invoked)
        invoked = True
        return (traced or handler)(event, context)

    return run  # type: ignore[return-value]  # same signature as `handler`, by functools.wraps


def _powertools_capture(
    handler: Callable[..., Any], capture_response: bool | None, *, cold_start: bool
) -> Callable[..., Any]:
    from aws_lambda_powertools import Tracer
    from aws_lambda_powertools.tracing import tracer as powertools_tracer

    if not cold_start:
        # Powertools annotates ColdStart=true on the first call it wraps; this container already
        # served unsampled invocations, so the first traced one is warm.
        powertools_tracer.is_cold_start = False
    return Tracer().capture_lambda_handler(handler, capture_response=capture_response)
