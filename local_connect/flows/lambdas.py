"""Flow-invoked Lambda functions, called in-process the way Connect calls them.

Connect sends a `ContactFlowEvent` (built by the interpreter), waits at most the block's
`InvocationTimeLimitSeconds`, and takes the block's Error branch when the function raises, runs
longer than the limit, or answers something the block's `ResponseValidation` refuses:
- `STRING_MAP` (the default): a flat JSON object whose values are strings (numbers and booleans
  are accepted as their JSON text), under 32 KB;
- `JSON`: any JSON object, nested values reachable as `$.External.a.b`.
The event and the answer both go through JSON, as they would over the wire, so a handler never
shares objects with the engine.

Handlers are found as `lambdas/<name>/handler.py`'s `handler` and run by the local Lambda
runtime (`local_connect.runtime.lambda_runtime`): each function's environment is set for each
invocation, its module imported on first use inside it, its logs and EMF metrics kept with the
call as CloudWatch Logs would keep them. Tests register their own functions under a name.
"""

from __future__ import annotations

import importlib.util
import json
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from local_connect.runtime.lambda_runtime import LocalLambda

# https://docs.aws.amazon.com/connect/latest/adminguide/connect-lambda-functions.html
MAX_ANSWER_BYTES = 32 * 1024
DEFAULT_TIME_LIMIT_SECONDS = 3
# What infra/constructs/functions.py gives the flow functions (FLOW_LAMBDA_*).
FLOW_FUNCTION_MEMORY_MB = 1024
FLOW_FUNCTION_TIMEOUT_SECONDS = 3

Handler = Callable[[dict[str, Any], Any], Any]


@dataclass(frozen=True)
class LambdaCall:
    """One invocation, for the flow's outcome: which function, how long, and what went wrong."""

    action: str
    function: str
    seconds: float
    error: str | None = None  # "raised: KeyError", "timed out after 3 s", "invalid answer: ..."
    output: str = ""  # what the function printed (Powertools' logs and metrics)


class LambdaRegistry:
    """Function name -> `LocalLambda`. Unknown names are found as `lambdas.<name>.handler`.

    `environment`: the flow functions' variables (`flow_lambda_environment`), set for each
    invocation of a discovered function or a registered stand-in.
    """

    def __init__(
        self,
        handlers: Mapping[str, Handler] | None = None,
        *,
        environment: Mapping[str, str] | None = None,
        package: str = "lambdas",
        timer: Callable[[], float] = time.perf_counter,
        discover: bool = True,
    ) -> None:
        self.environment = dict(environment or {})
        self.package = package
        self.timer = timer
        self.discover = discover
        self._functions: dict[str, LocalLambda] = {}
        for name, handler in (handlers or {}).items():
            self.register(name, handler)

    def register(self, name: str, handler: Handler) -> None:
        self._functions[name] = self._local(name, handler)

    def cold_start(self) -> None:
        """Every function's next call starts a new container: it reads its environment and
        builds its clients again (`LocalLambda.cold_start`)."""
        for function in self._functions.values():
            function.cold_start()

    def function(self, name: str) -> LocalLambda | None:
        if name not in self._functions and self.discover:
            module = f"{self.package}.{name}.handler"
            try:
                found = importlib.util.find_spec(module) is not None
            except ModuleNotFoundError:  # no package `lambdas.<name>` either
                found = False
            if not found:
                return None
            self._functions[name] = self._local(name, module)
        return self._functions.get(name)

    def _local(self, name: str, handler: str | Handler) -> LocalLambda:
        return LocalLambda(
            handler,
            self.environment,
            name=name,
            timeout_seconds=FLOW_FUNCTION_TIMEOUT_SECONDS,
            memory_mb=FLOW_FUNCTION_MEMORY_MB,
            timer=self.timer,
        )

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
        function = self.function(name)
        if function is None:
            return None, LambdaCall(action, name, 0.0, "no such function")
        ran = function.invoke(event, invoked_function_arn=function_arn or None)
        if ran.error is not None:  # any function error is Connect's Error branch
            problem = f"raised {type(ran.error).__name__}"
            return None, LambdaCall(action, name, ran.seconds, problem, ran.output)
        if ran.seconds > time_limit:
            problem = f"timed out after {time_limit:g} s"
            return None, LambdaCall(action, name, ran.seconds, problem, ran.output)
        answer, invalid = validate_answer(ran.answer, response_type)
        if invalid is not None:
            problem = f"invalid answer: {invalid}"
            return None, LambdaCall(action, name, ran.seconds, problem, ran.output)
        return answer, LambdaCall(action, name, ran.seconds, output=ran.output)


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
