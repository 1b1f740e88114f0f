"""The emulated AWS world: Connect, End User Messaging and Lex state, a clock, the call log."""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from botocore.awsrequest import AWSPreparedRequest
from botocore.model import OperationModel

from local_connect.emulation import hooks
from local_connect.emulation.connect import ConnectEmulator, ConnectInstance
from local_connect.emulation.faults import FaultInjector, Injected, service_error
from local_connect.emulation.lex import CONNECT_SOURCE_HEADER, LexEmulator
from local_connect.emulation.sms import SmsEmulator, SmsPhoneNumber
from local_connect.emulation.wire import ServiceError, decode_request, service_model
from local_connect.runtime.local_aws import LOCAL_ACCOUNT_ID, LOCAL_REGION

if TYPE_CHECKING:
    from config import ContactCenterConfig

DEFAULT_ACCOUNT = LOCAL_ACCOUNT_ID
# Fictional numbers (North American 555-01xx) for the stage's claimed numbers.
_FICTIONAL_NUMBERS = [f"+1800555{index:04d}" for index in range(100, 200)]
SMS_NUMBER = "+18335550142"


@dataclass(frozen=True)
class Call:
    """One request the emulation answered: what was asked and the error code, if any."""

    service: str
    operation: str
    params: dict[str, Any]
    error: str | None


class AwsWorld:
    """What the emulated services know, and everything they were asked.

    `clock` gives every timestamp (a rehearsal passes its simulated clock). `fail_next` makes
    the next call of an operation fail with a real error code, so callers' error handling can
    be exercised (throttling, an unknown instance...); it arms `faults`, the world's
    `FaultInjector` (local_connect/emulation/faults.py), which answers any service's calls and
    is active inside `emulate_aws`: arm timeouts, repeated or slow faults there.
    """

    def __init__(
        self,
        *,
        account_id: str = DEFAULT_ACCOUNT,
        region: str = LOCAL_REGION,
        clock: Callable[[], datetime] | None = None,
    ) -> None:
        self.account_id = account_id
        self.region = region
        self.clock: Callable[[], datetime] = clock or (lambda: datetime.now(UTC))
        self.connect = ConnectEmulator(account_id=account_id, region=region, clock=self._now)
        self.sms = SmsEmulator(account_id=account_id, region=region, clock=self._now)
        self.lex = LexEmulator(account_id=account_id, region=region, clock=self._now)
        self.calls: list[Call] = []
        self.faults = FaultInjector()
        self.faults.on_injected(self._record_injected)

    def _now(self) -> datetime:
        return self.clock()

    @classmethod
    def from_config(cls, config: ContactCenterConfig, **kwargs: Any) -> AwsWorld:
        """A Connect instance with the stage's flows, queues, numbers and email addresses, and
        the SMS number and opt-out list when SMS is on; ids are stable across runs."""
        world = cls(**kwargs)
        instance = world.connect.add_instance(config.instance.alias)
        for name, flow in config.flows.items():
            instance.add_flow(name, flow.type.value)
        for name in config.queues:
            instance.add_queue(name)
        for index, number in enumerate(config.phone_numbers):
            instance.add_phone_number(number.name, _FICTIONAL_NUMBERS[index], number.flow)
        if config.email is not None:
            instance.email_addresses = {
                f"{address.local_part}@{config.email.domain}" for address in config.email.addresses
            }
            instance.email_flow_id = instance.flow(config.email.flow).id
        if config.sms is not None and config.channels.sms:
            world.sms.add_phone_number(
                SMS_NUMBER,
                opt_out_list=config.sms.opt_out_list,
                number_type="SIMULATOR"
                if config.sms.number_type == "SIMULATOR"
                else config.sms.number_type,
            )
            instance.add_phone_number("sms", SMS_NUMBER, config.sms.flow)
        if config.self_service.enabled:
            world.lex.add_stage_bot(config, connect_instance=instance.arn)
        return world

    # -- conveniences for tests and the engine -------------------------------------------------
    @property
    def instance(self) -> ConnectInstance:
        return self.connect.instance

    @property
    def sms_number(self) -> SmsPhoneNumber:
        """The (first) SMS origination number."""
        return next(iter(self.sms.phone_numbers.values()))

    def fail_next(
        self, service: str, operation: str, code: str, message: str = "", **fields: Any
    ) -> None:
        """The next `operation` call answers this error instead (one call per `fail_next`)."""
        self.faults.inject(service, operation, service_error(code, message, **fields))

    def calls_to(self, operation: str) -> list[Call]:
        return [call for call in self.calls if call.operation == operation]

    # -- called by the before-send hook --------------------------------------------------------
    def backend(self, service: str) -> hooks.Backend:
        backends: dict[str, hooks.Backend] = {
            "connect": self.connect,
            "pinpoint-sms-voice-v2": self.sms,
            "lexv2-runtime": self.lex,
        }
        return backends[service]

    def answer(
        self,
        service: str,
        operation: OperationModel,
        params: dict[str, Any],
        request: AWSPreparedRequest,
    ) -> dict[str, Any]:
        try:
            backend = self.backend(service)
            if isinstance(backend, LexEmulator):
                source = request.headers.get(CONNECT_SOURCE_HEADER)
                output = backend.answer(
                    operation,
                    params,
                    connect_instance=source.decode() if isinstance(source, bytes) else source,
                )
            else:
                output = backend.answer(operation, params)
        except ServiceError as error:
            self.calls.append(Call(service, operation.name, params, error.code))
            raise
        self.calls.append(Call(service, operation.name, params, None))
        return output

    def _record_injected(self, injected: Injected, request: AWSPreparedRequest) -> None:
        """An emulated service's call a fault answered is one of `calls` too."""
        if injected.service not in hooks.EMULATED_SERVICES:
            return
        operation = service_model(injected.service).operation_model(injected.operation)
        params = decode_request(operation, request)
        self.calls.append(Call(injected.service, injected.operation, params, injected.fault.name))


@contextmanager
def emulate_aws(world: AwsWorld | None = None) -> Iterator[AwsWorld]:
    """Answer `connect` and `pinpoint-sms-voice-v2` calls from `world` inside the block, and
    any service's calls from `world.faults` where a fault is armed.

    Works inside or outside moto's `mock_aws`; inside, the operations not emulated here still
    reach moto. Outside moto, fake credentials are set for the block when none exist, so a
    client can sign requests that never leave the process.
    """
    world = world or AwsWorld()
    hooks.install()
    hooks.register_on_default_session()
    fake = {
        "AWS_ACCESS_KEY_ID": "local-connect",
        "AWS_SECRET_ACCESS_KEY": "local-connect",
        "AWS_DEFAULT_REGION": world.region,
    }
    added = {key: value for key, value in fake.items() if key not in os.environ}
    os.environ.update(added)
    hooks.dispatcher.push(world)
    try:
        with world.faults.active():
            yield world
    finally:
        hooks.dispatcher.pop(world)
        for key in added:
            os.environ.pop(key, None)
