"""The one local Lambda runtime: a handler run outside Lambda the way Lambda runs it.

Everything that runs one of our functions on this machine (the flow interpreter's Lambdas, the
chat engines' chat_start, the rehearsal, the benchmarks) goes through `LocalLambda`:

    chat_start = LocalLambda("lambdas.chat_start.handler", {"CHAT_FLOW_ID": ..., ...})
    invocation = chat_start.invoke(api_gateway_event("POST", "/chats", body=form))
    invocation.answer, invocation.error, invocation.output, invocation.readable_output()

- Context: `LocalLambdaContext`, a Powertools `LambdaContext` with the function's name, memory,
  ARN in the local region and account, a request id of its own per invocation, Lambda's log
  group and stream names, and the remaining time of the function's timeout.
- Environment: for each invocation the function's variables (and what Lambda's runtime sets:
  the region, the function's name) are set over the process's environment, and the whole
  environment is put back afterwards (`isolated_environment`), even when the handler raised or
  set variables itself. When one function's call leads to another's (chat_start's
  StartChatContact starts the chat flow and its Lambdas), the inner one sees the process's
  environment and its own variables, not the outer function's.
- Cold start: the handler module is imported on first use inside the function's environment, as
  Lambda imports it, so Powertools reads its service name, log level and metrics namespace
  then. What a function builds once per container is, by our handlers' convention, the value
  of a module-level `functools.cache` (or `lru_cache`) function: `settings()`, `runtime()`,
  `counter()`, `queue()`, `suppressions()` in the handler modules and `dynamodb_table()`,
  `client()` in `lambdas.common.aws`. A cold start (the first use, and `cold_start()`) clears
  every such function in the function's package (`lambdas.<name>.*`) and in the shared code
  (`lambdas.common.*`), so the next invocation reads its settings and builds its clients again.
- Logs: what the function writes to stdout (Powertools' JSON logs and EMF metrics, which
  CloudWatch Logs receives in AWS) is captured per invocation (`Invocation.output`) and never
  reaches the console; `readable_output` makes console lines of it. A Powertools Logger keeps
  the stream it found at import and may be shared by service name with other modules, so for
  each invocation its handler writes to the capture and its level is the one the function's
  `POWERTOOLS_LOG_LEVEL` names; both are put back afterwards.
- HTTP: `api_gateway_event` is the API Gateway REST (Lambda proxy) event an HTTP-invoked
  function (chat_start) receives.

One invocation at a time per process (`invocation_lock`): the environment and stdout are the
process's. The lock is re-entrant, so a function may cause another's invocation.
"""

from __future__ import annotations

import contextlib
import importlib
import io
import json
import logging
import os
import sys
import threading
import time
import uuid
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from types import ModuleType
from typing import Any

from aws_lambda_powertools import Logger
from aws_lambda_powertools.utilities.typing import LambdaContext

from local_connect.runtime.environment import isolated_environment
from local_connect.runtime.local_aws import LOCAL_ACCOUNT_ID, LOCAL_REGION

Handler = Callable[[Any, Any], Any]

# Lambda's own defaults; callers pass what infra gives the function where it matters.
DEFAULT_TIMEOUT_SECONDS = 3.0
DEFAULT_MEMORY_MB = 128
# Shared by every function: its module-level caches are container state too.
SHARED_PACKAGES = ("lambdas.common",)
# Powertools reads these when a handler module is imported and when it flushes metrics. Quiet
# logs keep a terminal or a rehearsal of 15,000 contacts fast and readable (what is logged is
# captured anyway). Metrics stay on: POWERTOOLS_METRICS_DISABLED makes Powertools keep every
# value and print them all at the 100th; the runtime captures what functions print instead.
QUIET_POWERTOOLS = {
    "POWERTOOLS_LOG_LEVEL": "WARNING",
    "POWERTOOLS_TRACE_DISABLED": "true",
    "POWERTOOLS_METRICS_NAMESPACE": "ContactCenterLocal",
}

invocation_lock = threading.RLock()
# The environment before the outermost invocation in progress, for invocations it causes.
_outer_environments: list[Mapping[str, str]] = []


class LocalLambdaContext(LambdaContext):
    """The context object a handler receives, as Lambda's Python runtime fills it."""

    def __init__(
        self,
        function_name: str,
        *,
        invoked_function_arn: str | None = None,
        memory_limit_in_mb: int = DEFAULT_MEMORY_MB,
        timeout_seconds: float = DEFAULT_TIMEOUT_SECONDS,
        aws_request_id: str | None = None,
        function_version: str = "$LATEST",
        log_stream_name: str | None = None,
        region: str = LOCAL_REGION,
        account_id: str = LOCAL_ACCOUNT_ID,
        timer: Callable[[], float] = time.perf_counter,
    ) -> None:
        self._function_name = function_name
        self._function_version = function_version
        self._invoked_function_arn = invoked_function_arn or function_arn(
            function_name, region=region, account_id=account_id
        )
        self._memory_limit_in_mb = memory_limit_in_mb
        self._aws_request_id = aws_request_id or str(uuid.uuid4())
        self._log_group_name = f"/aws/lambda/{function_name}"
        self._log_stream_name = log_stream_name or new_log_stream_name(function_version)
        self.timeout_seconds = timeout_seconds
        self._timer = timer
        self._started = timer()

    # Powertools' typing class declares it static (it has no clock); Lambda's is per context.
    def get_remaining_time_in_millis(self) -> int:  # type: ignore[override]
        elapsed = self._timer() - self._started
        return max(0, int((self.timeout_seconds - elapsed) * 1000))


def function_arn(
    name: str, *, region: str = LOCAL_REGION, account_id: str = LOCAL_ACCOUNT_ID
) -> str:
    return f"arn:aws:lambda:{region}:{account_id}:function:{name}"


def new_log_stream_name(version: str = "$LATEST") -> str:
    """One per container, in Lambda's format: `2026/12/01/[$LATEST]0123...`."""
    return f"{datetime.now(UTC):%Y/%m/%d}/[{version}]{uuid.uuid4().hex}"


@dataclass(frozen=True)
class Invocation:
    """One invocation's outcome, as Lambda's Invoke API reports it: the answer, or the error
    the function raised, and what it wrote to its log."""

    function: str
    request_id: str
    seconds: float  # the handler's own time, without the runtime's set-up
    answer: Any = None
    error: Exception | None = None
    output: str = ""  # Powertools' JSON logs and EMF metrics, as CloudWatch Logs would get them

    def result(self) -> Any:
        """The answer, or the function's error raised again."""
        if self.error is not None:
            raise self.error
        return self.answer

    def readable_output(self) -> list[str]:
        return readable_output(self.output)


class LocalLambda:
    """One function: its handler, its environment, its container state.

    `handler` is the handler module's dotted path (`"lambdas.analytics.handler"`, whose
    `handler` function Lambda calls), or a callable to run as it is (a test's stand-in: no
    module to import, no container state to clear).
    """

    def __init__(
        self,
        handler: str | Handler,
        environment: Mapping[str, str] | None = None,
        *,
        name: str | None = None,
        entry_point: str = "handler",
        timeout_seconds: float = DEFAULT_TIMEOUT_SECONDS,
        memory_mb: int = DEFAULT_MEMORY_MB,
        region: str = LOCAL_REGION,
        account_id: str = LOCAL_ACCOUNT_ID,
        timer: Callable[[], float] = time.perf_counter,
        shared_packages: Sequence[str] = SHARED_PACKAGES,
    ) -> None:
        if isinstance(handler, str):
            self.module_name: str | None = handler
            self._handler: Handler | None = None
            default_name = handler.removesuffix(".handler").rsplit(".", 1)[-1]
        else:
            self.module_name = None
            self._handler = handler
            default_name = getattr(handler, "__name__", "function")
        self.name = name or default_name
        self.entry_point = entry_point
        self.timeout_seconds = timeout_seconds
        self.memory_mb = memory_mb
        self.region = region
        self.account_id = account_id
        self.timer = timer
        self.shared_packages = tuple(shared_packages)
        # What Lambda's runtime sets, then the function's own (which may override the region).
        self.environment: dict[str, str] = {
            "AWS_REGION": region,
            "AWS_DEFAULT_REGION": region,
            "AWS_LAMBDA_FUNCTION_NAME": self.name,
            "AWS_LAMBDA_FUNCTION_MEMORY_SIZE": str(memory_mb),
            "AWS_LAMBDA_FUNCTION_VERSION": "$LATEST",
            **dict(environment or {}),
        }
        self._module: ModuleType | None = None
        self._caches: list[Any] = []
        self._loggers: list[Logger] = []
        self._log_stream = new_log_stream_name()

    @property
    def arn(self) -> str:
        return function_arn(self.name, region=self.region, account_id=self.account_id)

    @property
    def module(self) -> ModuleType | None:
        """The handler module, imported (a cold start) on first use; None for a callable."""
        self._load()
        return self._module

    @property
    def handler(self) -> Handler:
        self._load()
        assert self._handler is not None
        return self._handler

    # -- container lifecycle -----------------------------------------------------------------
    def cold_start(self) -> None:
        """The next invocation runs in a new container: the function's module-level caches
        (its settings, clients, repositories) are cleared, so they are read and built again.
        Nothing to do before the first invocation, which starts cold anyway."""
        if self._module is None:
            return
        self._find_container_state()
        for cached in self._caches:
            cached.cache_clear()
        self._log_stream = new_log_stream_name()

    def _load(self) -> None:
        if self._handler is not None or self.module_name is None:
            return
        with invocation_lock, self._function_environment():
            self._module = importlib.import_module(self.module_name)
        self._handler = getattr(self._module, self.entry_point)
        self.cold_start()  # imported earlier elsewhere, the module may hold another's state

    def _find_container_state(self) -> None:
        """The module-level caches and Powertools loggers of the function's package and of the
        shared code, among the modules imported so far."""
        assert self.module_name is not None
        package = self.module_name.rpartition(".")[0] or self.module_name
        prefixes = (package, *self.shared_packages)
        modules = [
            module
            for name, module in list(sys.modules.items())
            if module is not None
            and any(name == prefix or name.startswith(prefix + ".") for prefix in prefixes)
        ]
        self._caches = []
        self._loggers = []
        for module in modules:
            for value in list(vars(module).values()):
                if isinstance(value, Logger):
                    self._loggers.append(value)
                elif _is_module_cache(value, module):
                    self._caches.append(value)

    # -- invoking ----------------------------------------------------------------------------
    def context(self, *, invoked_function_arn: str | None = None) -> LocalLambdaContext:
        """A new context: one per invocation, with its own request id."""
        return LocalLambdaContext(
            self.name,
            invoked_function_arn=invoked_function_arn or self.arn,
            memory_limit_in_mb=self.memory_mb,
            timeout_seconds=self.timeout_seconds,
            log_stream_name=self._log_stream,
            region=self.region,
            account_id=self.account_id,
            timer=self.timer,
        )

    def invoke(self, event: Any, *, invoked_function_arn: str | None = None) -> Invocation:
        """Runs the handler once. The event goes through JSON, as it does on the wire, so the
        function never shares objects with its caller. A function that raises (or cannot be
        imported, Lambda's `Runtime.ImportModuleError`) gives an Invocation with the error."""
        captured = io.StringIO()
        request_id = ""
        with invocation_lock:
            seconds = 0.0
            answer: Any = None
            error: Exception | None = None
            try:
                self._load()
                payload = json.loads(json.dumps(event))
            except Exception as failed:
                error = failed
            else:
                context = self.context(invoked_function_arn=invoked_function_arn)
                request_id = context.aws_request_id
                with self._function_environment(), self._captured(captured):
                    started = self.timer()
                    try:
                        answer = self.handler(payload, context)
                    except Exception as raised:  # the function's error, as Lambda reports it
                        error = raised
                    seconds = self.timer() - started
        return Invocation(self.name, request_id, seconds, answer, error, captured.getvalue())

    @contextlib.contextmanager
    def _function_environment(self) -> Iterator[None]:
        variables: dict[str, str] = dict(self.environment)
        drop: list[str] = []
        if _outer_environments:  # called from inside another function's invocation
            process = _outer_environments[0]
            drop = [name for name in os.environ if name not in process]
            changed = {
                name: value for name, value in process.items() if os.environ.get(name) != value
            }
            variables = {**changed, **self.environment}
        with isolated_environment(variables, drop=drop) as before:
            _outer_environments.append(before)
            try:
                yield
            finally:
                _outer_environments.pop()

    @contextlib.contextmanager
    def _captured(self, sink: io.StringIO) -> Iterator[None]:
        streams: dict[int, tuple[logging.StreamHandler[Any], Any]] = {}
        for logger in self._loggers:
            handler = logger.registered_handler
            if isinstance(handler, logging.StreamHandler) and id(handler) not in streams:
                streams[id(handler)] = (handler, handler.stream)
        level = self.environment.get("POWERTOOLS_LOG_LEVEL")
        wanted = logging.getLevelName(level.upper()) if level else None
        levels = [
            (logger, logger.log_level)
            for logger in self._loggers
            if isinstance(wanted, int) and logger.log_level != wanted
        ]
        for handler, _ in streams.values():
            _point(handler, sink)
        for logger, _ in levels:
            logger.setLevel(wanted)
        try:
            with contextlib.redirect_stdout(sink):
                yield
        finally:
            for logger, previous_level in levels:
                logger.setLevel(previous_level)
            for handler, stream in streams.values():
                _point(handler, stream)


def _point(handler: logging.StreamHandler[Any], stream: Any) -> None:
    """The handler writes to `stream` from now on. Not `setStream`, which flushes the stream it
    had: the one the logger found at import may be closed since (a test's captured stdout)."""
    handler.acquire()
    try:
        handler.stream = stream
    finally:
        handler.release()


def _is_module_cache(value: Any, module: ModuleType) -> bool:
    """A `functools.cache`/`lru_cache` function defined in `module` (not one it imported)."""
    return (
        callable(getattr(value, "cache_clear", None))
        and callable(getattr(value, "cache_info", None))
        and getattr(value, "__module__", None) == module.__name__
    )


def api_gateway_event(
    method: str,
    path: str,
    *,
    headers: Mapping[str, str] | None = None,
    body: str | None = None,
    stage: str = "v1",
    source_ip: str = "127.0.0.1",
    account_id: str = LOCAL_ACCOUNT_ID,
) -> dict[str, Any]:
    """An API Gateway REST (v1) Lambda proxy event for `path` (a resource without path
    parameters) on `stage`, as the deployed API hands it to the function."""
    given = dict(headers or {})
    return {
        "resource": path,
        "path": path,
        "httpMethod": method,
        "headers": given,
        "multiValueHeaders": {name: [value] for name, value in given.items()},
        "queryStringParameters": None,
        "multiValueQueryStringParameters": None,
        "pathParameters": None,
        "stageVariables": None,
        "requestContext": {
            "accountId": account_id,
            "apiId": "local",
            "httpMethod": method,
            "identity": {"sourceIp": source_ip},
            "path": f"/{stage}{path}",
            "protocol": "HTTP/1.1",
            "requestId": str(uuid.uuid4()),
            "resourcePath": path,
            "stage": stage,
        },
        "body": body,
        "isBase64Encoded": False,
    }


def readable_output(printed: str) -> list[str]:
    """What a handler printed, as console lines: each EMF metric as `metric Name = value`, a
    Powertools JSON log as `level: message`, anything else as it was printed."""
    lines: list[str] = []
    for line in printed.splitlines():
        if not line.strip():
            continue
        try:
            record = json.loads(line)
        except ValueError:
            record = None
        if isinstance(record, dict) and isinstance(record.get("_aws"), dict):
            lines.extend(_metric_lines(record))
        elif isinstance(record, dict) and {"level", "message"} <= record.keys():
            lines.append(f"{str(record['level']).lower()}: {record['message']}")
        else:
            lines.append(line)
    return lines


def _metric_lines(record: dict[str, Any]) -> list[str]:
    lines = []
    for directive in record["_aws"].get("CloudWatchMetrics", []):
        for metric in directive.get("Metrics", []):
            name = metric.get("Name")
            value = record.get(name)
            values = value if isinstance(value, list) else [value]
            lines.append(f"metric {name} = {', '.join(_number(v) for v in values)}")
    return lines


def _number(value: Any) -> str:
    return f"{value:g}" if isinstance(value, float) else str(value)
