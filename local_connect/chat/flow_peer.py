"""The chat flow behind the web widget: `LocalChatServer(peer_factory=flow_peer_factory(config))`.

The server creates its emulated AWS world when it starts, so the flow engine is made on the
first chat contact, bound to that world (its instance ARNs, its moto tables).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from config import ContactCenterConfig
from local_connect.chat.session import FlowChatPeer, LocalChatEngine
from local_connect.emulation import AwsWorld, EmulatedContact


def flow_peer_factory(
    config: ContactCenterConfig, *, clock: Callable[[], datetime] | None = None
) -> Callable[[AwsWorld, EmulatedContact], FlowChatPeer | None]:
    """Each chat contact of the server's world gets a `FlowChatPeer` playing the stage's flows.

    `clock` fixes the flows' time (hours checks) for tests; by default it is the real time.
    """
    engines: dict[int, LocalChatEngine] = {}

    def factory(world: AwsWorld, emulated: EmulatedContact) -> FlowChatPeer | None:
        engine = engines.get(id(world))
        if engine is None:
            engine = engines[id(world)] = LocalChatEngine(config, world, clock=clock)
        return engine.peer_factory()(world, emulated)

    return factory
