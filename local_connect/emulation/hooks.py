"""Answering boto3 clients from inside botocore, the way moto does.

moto appends its `BotocoreStubber` to botocore's `BUILTIN_HANDLERS` under the `before-send`
event, so every session created afterwards asks it before opening a connection. We register
under `before-send.connect`, `before-send.pinpoint-sms-voice-v2` and
`before-send.lex-runtime-v2`: botocore's emitter calls handlers of a more specific event name
first, so for these services our answer wins, and for
every other service (and for the operations we do not emulate) we return None and moto answers
as usual.

A client created before this module was imported (by a session that existed then) did not copy
our handler: pass it to `patch_client`.
"""

from __future__ import annotations

import threading
from typing import Any, Protocol

from botocore.awsrequest import AWSPreparedRequest, AWSResponse
from botocore.handlers import BUILTIN_HANDLERS
from botocore.model import OperationModel

from local_connect.emulation import faults
from local_connect.emulation.wire import (
    ServiceError,
    decode_request,
    encode_error,
    encode_response,
    service_model,
    wire_response,
)

# botocore service name -> the event-name form of its service id.
EMULATED_SERVICES = {
    "connect": "connect",
    "pinpoint-sms-voice-v2": "pinpoint-sms-voice-v2",
    "lexv2-runtime": "lex-runtime-v2",
}
_UNIQUE_ID = "local-connect-emulation"
# What each service answers for an operation outside the emulation (a code its model declares).
_UNEMULATED_CODES = {
    "pinpoint-sms-voice-v2": "AccessDeniedException",
    "lexv2-runtime": "ValidationException",
}


class Backend(Protocol):
    """One emulated service: which operations it answers, and the answer."""

    def handles(self, operation: str) -> bool: ...

    def answer(self, operation: OperationModel, params: dict[str, Any]) -> dict[str, Any]: ...


class World(Protocol):
    """What the dispatcher asks of the active world (`local_connect.emulation.world.AwsWorld`)."""

    def backend(self, service: str) -> Backend: ...

    def answer(
        self,
        service: str,
        operation: OperationModel,
        params: dict[str, Any],
        request: AWSPreparedRequest,
    ) -> dict[str, Any]: ...


class Dispatcher:
    """The before-send handler: finds the active world and lets its backend answer."""

    def __init__(self) -> None:
        self._worlds: list[World] = []
        self._lock = threading.Lock()
        # botocore's endpoint `emit`s before-send to every handler and takes the first answer,
        # so a session holding the dispatcher twice (as a built-in and through
        # `register_on_default_session`) calls it twice per request: the second call gets the
        # first one's answer, so no operation is performed twice (per thread: requests of
        # other threads interleave).
        self._last = threading.local()

    def push(self, world: World) -> None:
        with self._lock:
            self._worlds.append(world)

    def pop(self, world: World) -> None:
        with self._lock:
            self._worlds.remove(world)

    @property
    def active(self) -> World | None:
        return self._worlds[-1] if self._worlds else None

    def __call__(
        self, event_name: str, request: AWSPreparedRequest, **kwargs: Any
    ) -> AWSResponse | None:
        world = self.active
        if world is None or faults.answered(request):
            return None
        answered = getattr(self._last, "answered", None)
        if answered is not None and answered[0] is request:
            return answered[1]
        response: AWSResponse | None = self._answer(world, event_name, request)
        self._last.answered = (request, response) if response is not None else None
        return response

    def _answer(
        self, world: World, event_name: str, request: AWSPreparedRequest
    ) -> AWSResponse | None:
        _, event_service, operation_name = event_name.split(".", 2)
        service = next(
            (name for name, event in EMULATED_SERVICES.items() if event == event_service), None
        )
        if service is None:
            return None
        operation = service_model(service).operation_model(operation_name)
        backend = world.backend(service)
        if not backend.handles(operation_name):
            if _moto_active():
                return None  # moto's own handler answers (e.g. connect:CreateInstance)
            status, headers, body = encode_error(
                operation,
                ServiceError(
                    _UNEMULATED_CODES.get(service, "InvalidRequestException"),
                    f"{service}:{operation_name} is not emulated by local_connect "
                    "(and no moto mock is active to answer it)",
                ),
            )
            return wire_response(request.url, status, headers, body)
        params = decode_request(operation, request)
        try:
            output = world.answer(service, operation, params, request)
            status, headers, body = encode_response(operation, output)
        except ServiceError as error:
            status, headers, body = encode_error(operation, error)
        return wire_response(request.url, status, headers, body)


def _moto_active() -> bool:
    try:
        from moto.core.models import botocore_stubber
    except ImportError:  # pragma: no cover - moto is a dev dependency
        return False
    return bool(botocore_stubber.enabled)


dispatcher = Dispatcher()


def install() -> None:
    """Adds the handler to botocore's built-ins once per process (new sessions copy it)."""
    for event in EMULATED_SERVICES.values():
        entry = (f"before-send.{event}", dispatcher)
        if entry not in BUILTIN_HANDLERS:
            BUILTIN_HANDLERS.append(entry)


def register_on_default_session() -> None:
    """A boto3 default session created before `install` lacks the handler: give it one."""
    import boto3

    session = boto3.DEFAULT_SESSION
    if session is None:
        return
    for event in EMULATED_SERVICES.values():
        # The stubs type handlers as returning None; before-send handlers return responses.
        session.events.register(
            f"before-send.{event}",
            dispatcher,  # type: ignore[arg-type]
            unique_id=f"{_UNIQUE_ID}-{event}",
        )


def patch_client(client: Any) -> Any:
    """For a client created before the emulation was imported; returns the client (which
    meets injected faults too)."""
    faults.attach(client)
    service = client.meta.service_model.service_name
    if service in EMULATED_SERVICES:
        client.meta.events.register(
            f"before-send.{EMULATED_SERVICES[service]}",
            dispatcher,
            unique_id=f"{_UNIQUE_ID}-{service}",
        )
    return client
