"""Flow-invoked Lambda functions, called in-process the way Connect calls them.

Connect sends a `ContactFlowEvent` (built by the interpreter), waits at most the block's
`InvocationTimeLimitSeconds`, and takes the block's Error branch when the function raises, runs
longer than the limit, or answers something the block's `ResponseValidation` refuses:
- `STRING_MAP` (the default): a flat JSON object whose values are strings (numbers and booleans
  are accepted as their JSON text), under 32 KB;
- `JSON`: any JSON object, nested values reachable as `$.External.a.b`.
The event and the answer both go through JSON, as they would over the wire, so a handler never
shares objects with the engine.

Handlers are found as `lambdas/<name>/handler.py`'s `handler` (imported once, on first use);
tests register their own functions under a name.
"""

from __future__ import annotations

import contextlib
import importlib
import io
import json
import time
import uuid
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

# https://docs.aws.amazon.com/connect/latest/adminguide/connect-lambda-functions.html
MAX_ANSWER_BYTES = 32 * 1024
DEFAULT_TIME_LIMIT_SECONDS = 3

Handler = Callable[[dict[str, Any], Any], Any]


@dataclass
class FakeLambdaContext:
    """What Powertools' `inject_lambda_context` and handlers read from the Lambda context."""

    function_name: str
    time_limit_seconds: float
    timer: Callable[[], float] = time.perf_counter
    function_version: str = "$LATEST"
    memory_limit_in_mb: int = 256
    aws_request_id: str = field(default_factory=lambda: str(uuid.uuid4()))
    invoked_function_arn: str = ""
    log_group_name: str = ""
    log_stream_name: str = "local"
    _started: float = 0.0

    def __post_init__(self) -> None:
        self._started = self.timer()
        self.log_group_name = self.log_group_name or f"/aws/lambda/{self.function_name}"

    def get_remaining_time_in_millis(self) -> int:
        elapsed = self.timer() - self._started
        return max(0, int((self.time_limit_seconds - elapsed) * 1000))


@dataclass(frozen=True)
class LambdaCall:
    """One invocation, for the flow's outcome: which function, how long, and what went wrong."""

    action: str
    function: str
    seconds: float
    error: str | None = None  # "raised: KeyError", "timed out after 3 s", "invalid answer: ..."
    output: str = ""  # what the function printed (Powertools' metrics), when captured


class LambdaRegistry:
    """Function name -> handler. Unknown names are imported from `lambdas.<name>.handler`."""

    def __init__(
        self,
        handlers: Mapping[str, Handler] | None = None,
        *,
        package: str = "lambdas",
        timer: Callable[[], float] = time.perf_counter,
        discover: bool = True,
        capture_output: bool = True,
    ) -> None:
        self._handlers: dict[str, Handler] = dict(handlers or {})
        self.package = package
        self.timer = timer
        self.discover = discover
        # A function's prints (EMF metrics) go to its log in AWS, not the terminal.
        self.capture_output = capture_output

    def register(self, name: str, handler: Handler) -> None:
        self._handlers[name] = handler

    def cold_start(self) -> None:
        """Forget what the functions built once per container (their cached `runtime()`), as
        a new Lambda container would: the next call reads the environment again."""
        for handler in self._handlers.values():
            module = importlib.import_module(handler.__module__)
            runtime = getattr(module, "runtime", None)
            if callable(getattr(runtime, "cache_clear", None)):
                runtime.cache_clear()  # type: ignore[union-attr]

    def handler(self, name: str) -> Handler | None:
        if name not in self._handlers and self.discover:
            try:
                module = importlib.import_module(f"{self.package}.{name}.handler")
            except ModuleNotFoundError:
                return None
            self._handlers[name] = module.handler
        return self._handlers.get(name)

    def invoke(
        self,
        name: str,
        event: dict[str, Any],
        *,
        time_limit: float,
        response_type: str,
        action: str,
        function_arn: str = "",
    ) -> tuple[dict[str, Any] | None, LambdaCall]:
        """(answer, call). The answer is None when Connect would take the Error branch."""
        handler = self.handler(name)
        if handler is None:
            return None, LambdaCall(action, name, 0.0, "no such function")
        context = FakeLambdaContext(
            function_name=name,
            time_limit_seconds=time_limit,
            timer=self.timer,
            invoked_function_arn=function_arn,
        )
        printed = io.StringIO()
        capture = contextlib.redirect_stdout(printed) if self.capture_output else None
        started = self.timer()
        try:
            with capture or contextlib.nullcontext():
                raw = handler(json.loads(json.dumps(event)), context)
        except Exception as error:  # any function error is Connect's Error branch
            seconds = self.timer() - started
            problem = f"raised {type(error).__name__}"
            return None, LambdaCall(action, name, seconds, problem, printed.getvalue())
        seconds = self.timer() - started
        if seconds > time_limit:
            problem = f"timed out after {time_limit:g} s"
            return None, LambdaCall(action, name, seconds, problem, printed.getvalue())
        answer, invalid = validate_answer(raw, response_type)
        if invalid is not None:
            problem = f"invalid answer: {invalid}"
            return None, LambdaCall(action, name, seconds, problem, printed.getvalue())
        return answer, LambdaCall(action, name, seconds, output=printed.getvalue())


def validate_answer(raw: Any, response_type: str) -> tuple[dict[str, Any] | None, str | None]:
    """(answer as Connect stores it under $.External, or the reason the block errors)."""
    try:
        text = json.dumps(raw)
    except (TypeError, ValueError) as error:
        return None, f"not JSON ({error})"
    if len(text.encode()) > MAX_ANSWER_BYTES:
        return None, f"{len(text.encode())} bytes, over Connect's 32 KB"
    answer = json.loads(text)
    if answer is None:
        return {}, None
    if not isinstance(answer, dict):
        return None, f"a {type(answer).__name__}, not a JSON object"
    if response_type.upper() == "JSON":
        return answer, None
    flat: dict[str, Any] = {}
    for key, value in answer.items():
        if isinstance(value, dict | list):
            return None, f"'{key}' is nested; STRING_MAP takes flat string values"
        if value is None:
            continue
        flat[key] = value if isinstance(value, str) else json.dumps(value)
    return flat, None
