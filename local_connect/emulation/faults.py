"""Faults for any boto3 client: throttling, 5xx, refusals, timeouts and slowness, on demand.

moto never throttles, never times out and is never slow, so without help a test cannot see what
our functions do when AWS does. A `FaultInjector` answers chosen attempts of chosen operations of
any service instead of the service (moto, the local emulation or AWS itself), from the same
place moto answers: botocore's `before-send` event, after the client validated and serialized
the request and before any connection. So botocore's own retry logic, retry quota and error
parsing run exactly as against AWS:

    clock = FakeClock()
    faults = FaultInjector(clock=clock)
    faults.inject("dynamodb", "GetItem", service_error("ProvisionedThroughputExceededException"))
    faults.inject("dynamodb", "GetItem", read_timeout(after=0.4), times=ALWAYS)
    faults.inject("sesv2", "SendEmail", service_error("TooManyRequestsException"), times=2)
    with faults.active():
        ...                       # every client in the process meets the faults
    faults.injected               # [Injected("dynamodb", "GetItem", fault), ...] in order

- A service error is the error response the service would send (its modeled code, HTTP status
  and fields, in the service's protocol), parsed by botocore into a `ClientError`.
- A timeout is botocore's own `ReadTimeoutError`/`ConnectTimeoutError`, raised where urllib3's
  would be; nothing sleeps.
- Time is a `FakeClock`: a fault may take `delay` seconds of it (a slow DynamoDB), a timeout
  takes its `after`, and botocore's backoff between retries sleeps on it while `active()`. Give
  the same clock to `LocalLambdaContext(timer=clock)` and a handler's remaining time shrinks by
  exactly what the faults cost.
- A fault answers the next `times` attempts (`ALWAYS`: every attempt), then the operation is
  answered as usual; faults armed for one operation take their turns in the order armed.

The handler is registered once, under `before-send.*.*`: botocore calls a handler registered
with wildcards before those of the service (the emulation's) and those of every service (moto's),
so an injected fault wins whoever would have answered. botocore still calls the later handlers
(it emits to all and takes the first answer), and moto would then perform the operation the
client was told failed (a "throttled" PutItem written after all). So an attempt a fault answers
gets its URL replaced by `ANSWERED_URL`, which moto matches to no service and the emulation
skips (`answered`). Sessions created after this module was imported copy the handler from
botocore's built-in handlers; `attach` gives it to a client made earlier.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from types import ModuleType
from typing import Any, Literal
from unittest import mock

from botocore.awsrequest import AWSPreparedRequest
from botocore.exceptions import ConnectTimeoutError, ReadTimeoutError
from botocore.handlers import BUILTIN_HANDLERS
from botocore.model import OperationModel

from local_connect.emulation.wire import ServiceError, encode_error, service_model, wire_response

EVENT = "before-send.*.*"
# Where an attempt a fault answered is pointed, so nothing after us performs it.
ANSWERED_URL = "https://fault-injected.local-connect.invalid/"
_UNIQUE_ID = "local-connect-faults"
ALWAYS: None = None  # `times=ALWAYS`: the fault answers every attempt


class FakeClock:
    """Seconds that pass only when told to: by a fault's delay, a timeout, a retry's backoff.

    Callable, so it is a `timer` for `LocalLambdaContext` (the remaining time of a fake
    invocation) as `time.perf_counter` is for a real one.
    """

    def __init__(self, start: float = 0.0) -> None:
        self.seconds = start

    def __call__(self) -> float:
        return self.seconds

    def sleep(self, seconds: float) -> None:
        self.seconds += max(0.0, seconds)

    advance = sleep


@dataclass(frozen=True)
class Fault:
    """What one attempt meets: after `delay` seconds, the service's error `code` (with `status`
    and the error shape's `fields`), or a botocore `timeout`; with neither, the usual answer
    (late by `delay`). Build with `service_error`, `read_timeout`, `connect_timeout`, `slow`."""

    code: str | None = None
    message: str = ""
    status: int | None = None
    fields: Mapping[str, Any] = field(default_factory=dict)
    timeout: Literal["read", "connect"] | None = None
    delay: float = 0.0

    @property
    def name(self) -> str:
        """How the fault shows in `injected` and in logs: the code, `ReadTimeout`, or `slow`."""
        if self.code is not None:
            return self.code
        if self.timeout is not None:
            return f"{self.timeout.capitalize()}Timeout"
        return "slow"


def service_error(
    code: str,
    message: str = "",
    *,
    status: int | None = None,
    delay: float = 0.0,
    **fields: Any,
) -> Fault:
    """The service answers `code`. `status` defaults to the one the service's model gives the
    code, else 400; pass 500 (or 503) for a server fault the model declares without one (as
    DynamoDB's `InternalServerError`), which botocore retries as a 5xx."""
    return Fault(
        code=code, message=message or f"injected {code}", status=status, fields=fields, delay=delay
    )


def read_timeout(*, after: float = 0.0) -> Fault:
    """The request was sent and the socket stayed silent for `after` seconds (pass the client's
    `read_timeout`)."""
    return Fault(timeout="read", delay=after)


def connect_timeout(*, after: float = 0.0) -> Fault:
    """No connection within `after` seconds (pass the client's `connect_timeout`)."""
    return Fault(timeout="connect", delay=after)


def slow(seconds: float) -> Fault:
    """The call succeeds, `seconds` late."""
    return Fault(delay=seconds)


@dataclass(frozen=True)
class Injected:
    """One attempt a fault answered: `service` as boto3 names it (`dynamodb`, `sesv2`...)."""

    service: str
    operation: str
    fault: Fault


@dataclass
class _Armed:
    service: str
    operation: OperationModel
    fault: Fault
    remaining: int | None


Listener = Callable[[Injected, AWSPreparedRequest], None]


class FaultInjector:
    """The faults of one test or one local run, and the attempts they answered."""

    def __init__(self, *, clock: FakeClock | None = None) -> None:
        self.clock = clock
        self.injected: list[Injected] = []
        self._armed: dict[tuple[str, str], list[_Armed]] = {}
        self._listeners: list[Listener] = []
        self._lock = threading.Lock()

    def inject(self, service: str, operation: str, fault: Fault, *, times: int | None = 1) -> None:
        """The next `times` attempts of `service`'s `operation` (boto3's service name, the API's
        operation name: `"dynamodb", "GetItem"`) meet `fault`; `times=ALWAYS` every attempt."""
        if times is not None and times < 1:
            raise ValueError("times is at least 1, or ALWAYS")
        model = service_model(service)
        event_service = model.service_id.hyphenize()
        operation_model = model.operation_model(operation)  # unknown names fail here, loudly
        with self._lock:
            self._armed.setdefault((event_service, operation), []).append(
                _Armed(service, operation_model, fault, times)
            )

    def clear(self) -> None:
        """Disarms every fault (what was injected stays on record)."""
        with self._lock:
            self._armed.clear()

    def on_injected(self, listener: Listener) -> None:
        """`listener(injected, request)` after each attempt a fault answered."""
        self._listeners.append(listener)

    def count(self, operation: str, *, service: str | None = None) -> int:
        return sum(
            1
            for injected in self.injected
            if injected.operation == operation and service in (None, injected.service)
        )

    @contextmanager
    def active(self) -> Iterator[FaultInjector]:
        """Inside the block the faults answer every client's attempts, and with a clock,
        botocore's backoff between retries passes on it instead of sleeping."""
        install()
        register_on_default_session()
        dispatcher.push(self)
        try:
            if self.clock is None:
                yield self
            else:
                with mock.patch("botocore.endpoint.time", _ClockTime(self.clock)):
                    yield self
        finally:
            dispatcher.pop(self)

    # -- called by the dispatcher ------------------------------------------------------------
    def answer(self, event_service: str, operation: str, request: AWSPreparedRequest) -> Any:
        """The fault's answer for this attempt (a response, or a raised timeout), or None to let
        the attempt through."""
        with self._lock:
            queue = self._armed.get((event_service, operation))
            if not queue:
                return None
            armed = queue[0]
            if armed.remaining is not None:
                armed.remaining -= 1
                if armed.remaining == 0:
                    queue.pop(0)
        fault = armed.fault
        injected = Injected(armed.service, operation, fault)
        self.injected.append(injected)
        for listener in self._listeners:
            listener(injected, request)
        if self.clock is not None:
            self.clock.advance(fault.delay)
        if fault.timeout == "read":
            raise ReadTimeoutError(endpoint_url=request.url)
        if fault.timeout == "connect":
            raise ConnectTimeoutError(endpoint_url=request.url)
        if fault.code is None:
            return None
        status, headers, body = encode_error(
            armed.operation,
            ServiceError(fault.code, fault.message, **fault.fields),
            status=fault.status,
        )
        response = wire_response(request.url, status, headers, body)
        request.url = ANSWERED_URL
        return response


def answered(request: AWSPreparedRequest) -> bool:
    """A fault answered this attempt: whoever is asked after it must not perform it."""
    return request.url == ANSWERED_URL


class _ClockTime(ModuleType):
    """`botocore.endpoint`'s `time` while a clock is active: `sleep` passes on the clock."""

    def __init__(self, clock: FakeClock) -> None:
        super().__init__("time")
        self.sleep = clock.sleep

    def __getattr__(self, name: str) -> Any:
        return getattr(time, name)


class Dispatcher:
    """The `before-send` handler: asks the active injectors, innermost first."""

    def __init__(self) -> None:
        self._injectors: list[FaultInjector] = []
        self._lock = threading.Lock()
        # A session holding the handler twice (a built-in, and `register_on_default_session`)
        # calls it twice per attempt: the second call repeats the first one's answer, so one
        # attempt never consumes two faults nor moves the clock twice.
        self._last = threading.local()

    def push(self, injector: FaultInjector) -> None:
        with self._lock:
            self._injectors.append(injector)

    def pop(self, injector: FaultInjector) -> None:
        with self._lock:
            self._injectors.remove(injector)

    def __call__(self, event_name: str, request: AWSPreparedRequest, **_: Any) -> Any:
        if not self._injectors:
            return None
        last = getattr(self._last, "attempt", None)
        if last is not None and last[0] is request:
            return last[1]
        _prefix, event_service, operation = event_name.split(".", 2)
        answer = None
        for injector in reversed(list(self._injectors)):
            self._last.attempt = (request, None)  # a raised timeout ends the emit anyway
            answer = injector.answer(event_service, operation, request)
            if answer is not None:
                break
        self._last.attempt = (request, answer)
        return answer


dispatcher = Dispatcher()


def install() -> None:
    """Adds the handler to botocore's built-ins once per process (new sessions copy it)."""
    entry = (EVENT, dispatcher)
    if entry not in BUILTIN_HANDLERS:
        BUILTIN_HANDLERS.append(entry)


def register_on_default_session() -> None:
    """A boto3 default session created before `install` lacks the handler: give it one."""
    import boto3

    session = boto3.DEFAULT_SESSION
    if session is not None:
        # The stubs type handlers as returning None; before-send handlers return responses.
        session.events.register(EVENT, dispatcher, unique_id=_UNIQUE_ID)  # type: ignore[arg-type]


def attach(client: Any) -> Any:
    """For a client created before this module was imported; returns the client."""
    client.meta.events.register(EVENT, dispatcher, unique_id=_UNIQUE_ID)
    return client


install()
