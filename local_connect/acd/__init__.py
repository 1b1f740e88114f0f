"""The ACD simulator: a deterministic discrete-event model of Connect's queues and agents."""

from local_connect.acd.engine import SimulationError, Simulator
from local_connect.acd.model import (
    CHAT,
    EMAIL,
    TASK,
    VOICE,
    CallbackPolicy,
    ContactRequest,
    ContactResult,
    Outcome,
    ProfileQueue,
    QueueSample,
    RoutingProfile,
    SimulationResult,
    StaffingStep,
    profiles_from_config,
)

__all__ = [
    "CHAT",
    "EMAIL",
    "TASK",
    "VOICE",
    "CallbackPolicy",
    "ContactRequest",
    "ContactResult",
    "Outcome",
    "ProfileQueue",
    "QueueSample",
    "RoutingProfile",
    "SimulationError",
    "SimulationResult",
    "Simulator",
    "StaffingStep",
    "profiles_from_config",
]
