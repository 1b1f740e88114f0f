"""The flow Lambdas' environment, locally: what `infra/constructs/functions.py` sets in AWS.

Built from the config without importing the CDK (seconds of import), with the queue ARNs of the
local instance, so `ROUTING_RULES` names the queues the interpreter and the emulated Connect
know. Routing rules are the config's `routing` section as it is, plus the queue map: a field
added to the config reaches the function here as it does through infra. A test compares the
result with infra's own `routing_rules_document`.
"""

from __future__ import annotations

import json

from config import ContactCenterConfig
from local_connect.flows.library import FlowLibrary
from local_connect.runtime.lambda_runtime import QUIET_POWERTOOLS
from local_connect.runtime.resources import CUSTOMERS_TABLE


def routing_rules(config: ContactCenterConfig, library: FlowLibrary) -> dict[str, object]:
    rules: dict[str, object] = config.routing.model_dump(mode="json", exclude={"menu"})
    rules["queues"] = {name: library.arn("queue", name) for name in config.queues}
    return rules


def flow_lambda_environment(
    config: ContactCenterConfig,
    library: FlowLibrary,
    *,
    customers_table: str = CUSTOMERS_TABLE,
    quiet: bool = True,
) -> dict[str, str]:
    environment = {
        # The Lambda runtime always sets the region; boto3 clients in the functions rely on it.
        "AWS_REGION": library.region,
        "AWS_DEFAULT_REGION": library.region,
        "CUSTOMERS_TABLE": customers_table,
        "REPEAT_WINDOW_HOURS": str(config.routing.repeat_contact.window_hours),
        "ROUTING_RULES": json.dumps(routing_rules(config, library), separators=(",", ":")),
    }
    if quiet:
        environment.update(QUIET_POWERTOOLS)
    return environment
