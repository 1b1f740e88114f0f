"""The flow interpreter: our `contact_flows/*.json` run as Amazon Connect runs them.

Usage::

    library = FlowLibrary.for_stage(config, instance_arn=world.instance.arn)  # flows cached
    engine = FlowInterpreter(library, queues=monitor, clock=simulated_clock)
    outcome = engine.run(
        "inbound_voice",
        Contact(channel="VOICE", customer_endpoint=Contact.phone("+15555550123")),
        customer=ScriptedCustomer(["1"]),          # answers to prompts; silence after
        at=datetime(2026, 11, 24, 10, 0, tzinfo=UTC),
    )
    outcome.queue, outcome.priority, outcome.attributes, outcome.reached_queue
    outcome.said(), outcome.errors, outcome.lambda_calls, outcome.callback

A flow from another instance runs with `FlowInterpreter(..., foreign=ForeignResources(...))`:
its queues go to mapped or default local queues, its hours to an hours file (or always open),
each guess a warning in `outcome.warnings`; `trace=True` keeps each action in `outcome.steps`
(what `ccaas run-flow` prints). Actions needing services the engine lacks are simulated
(`SIMULATED_ACTIONS`) and named in `outcome.simulated`.

`engine.start(...)` returns a `FlowRun` that pauses at each prompt (`run.prompt`,
`run.answer(text)`), for interactive sessions. Flow Lambdas are the real handlers
(`lambdas/<name>/handler.py`), called in-process with Connect's event shape and the block's time
limit (`LambdaRegistry`; register stand-ins by name). Placeholders resolve to the ARNs of the
emulated instance (`local_connect.emulation`), so both agree on what a queue ARN names.
"""

from local_connect.flows.foreign import ForeignResources
from local_connect.flows.interpreter import (
    INTERPRETED_ACTIONS,
    SIMULATED_ACTIONS,
    SUPPORTED_ACTIONS,
    FlowInterpreter,
    FlowRun,
    QueueMonitor,
    StaticQueues,
)
from local_connect.flows.lambdas import LambdaCall, LambdaRegistry
from local_connect.flows.library import FlowLibrary, Named
from local_connect.flows.model import (
    HANG_UP,
    CallbackRequest,
    Contact,
    Customer,
    ErrorTaken,
    FlowError,
    FlowLoopError,
    FlowOutcome,
    Prompt,
    ScriptedCustomer,
    Step,
    Turn,
    UnsupportedActionError,
)

__all__ = [
    "HANG_UP",
    "INTERPRETED_ACTIONS",
    "SIMULATED_ACTIONS",
    "SUPPORTED_ACTIONS",
    "CallbackRequest",
    "Contact",
    "Customer",
    "ErrorTaken",
    "FlowError",
    "FlowInterpreter",
    "FlowLibrary",
    "FlowLoopError",
    "FlowOutcome",
    "FlowRun",
    "ForeignResources",
    "LambdaCall",
    "LambdaRegistry",
    "Named",
    "Prompt",
    "QueueMonitor",
    "ScriptedCustomer",
    "StaticQueues",
    "Step",
    "Turn",
    "UnsupportedActionError",
]
