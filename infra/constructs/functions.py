"""The Lambda functions contact flows invoke: crm_lookup and routing.

Both are on the caller's critical path (the caller hears silence while they run), so:
- timeout: `FLOW_LAMBDA_TIMEOUT_SECONDS` (3 s) is the shipped flows' `InvocationTimeLimitSeconds`
  for these blocks (Connect allows at most 8 s). A Lambda that outlives the block only burns money
  while Connect has already taken the Error branch; the DynamoDB calls inside are budgeted to end
  well before (lambdas/common/aws.py: at most 2.4 s in the worst case, milliseconds normally).
- memory: 1024 MB. Lambda allots CPU in proportion to memory (1,769 MB is one vCPU), and a cold
  start here is mostly CPU-bound imports (boto3, pydantic, Powertools) that the caller waits
  for; at 128 MB they take several times as long. A warm invocation runs for tens of ms:
  at arm64 prices ($0.0000133334 per GB-s) that is under $0.01 per 10,000 contacts even at 1 GB,
  next to the $0.20 per million request charge, so memory buys latency almost for free.
- IAM: GetItem and BatchGetItem on the customers table only (no Query, no Scan, no writes:
  both functions only read a snapshot item), kms:Decrypt on the table's key, and Connect may
  invoke them only from this instance (`AWS:SourceArn`).
"""

from __future__ import annotations

import json
from collections.abc import Mapping

from aws_cdk import Stack
from aws_cdk import aws_iam as iam
from aws_cdk import aws_lambda as lambda_
from constructs import Construct

from config import ContactCenterConfig
from infra.constructs.connect_core import ConnectCore
from infra.constructs.data import DataStore
from infra.constructs.python_function import PythonFunction

FLOW_LAMBDA_TIMEOUT_SECONDS = 3
FLOW_LAMBDA_MEMORY_MB = 1024
# Lambda's limit for all environment variables of a function together.
ENVIRONMENT_LIMIT_BYTES = 4 * 1024
# A queue ARN is at most about this long once CloudFormation resolves it (partition, region,
# account, two UUIDs); used to check the rules fit before a deploy finds out.
QUEUE_ARN_LENGTH = 150
TABLE_READ_ACTIONS = ("dynamodb:GetItem", "dynamodb:BatchGetItem")


def routing_rules_document(
    config: ContactCenterConfig, queue_arns: Mapping[str, str]
) -> dict[str, object]:
    """`config.routing` as the routing function reads it (lambdas/common/routing_rules.py).

    Every queue of the config is listed with its ARN, not only those the rules name: a repeat
    contact goes back to whichever queue handled the last contact.
    """
    rules = config.routing
    return {
        "default_queue": rules.default_queue,
        "queues": dict(queue_arns),
        "intents": dict(rules.intents),
        "base_priority": rules.base_priority,
        "tier_priority": dict(rules.tier_priority),
        "languages": dict(rules.languages),
        "repeat_contact": rules.repeat_contact.model_dump(mode="json"),
    }


class FlowFunctions(Construct):
    """Exposes `functions`: the flow-invoked Lambdas by the name flows use (`${lambda:NAME}`)."""

    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        config: ContactCenterConfig,
        connect_core: ConnectCore,
        data: DataStore,
    ) -> None:
        super().__init__(scope, construct_id)
        self.config = config
        profile_environment = {
            "CUSTOMERS_TABLE": data.customers_table.table_name,
            "REPEAT_WINDOW_HOURS": str(config.routing.repeat_contact.window_hours),
        }
        rules = routing_rules_document(
            config, {name: queue.attr_queue_arn for name, queue in connect_core.queues.items()}
        )
        _check_environment_fits(config, rules)
        self.functions: dict[str, lambda_.Function] = {
            "crm_lookup": self._function(
                "CrmLookup",
                handler="lambdas.crm_lookup.handler.handler",
                description="Contact flows: who is this customer (screen-pop, repeat contact)",
                service="crm-lookup",
                environment=profile_environment,
            ),
            "routing": self._function(
                "Routing",
                handler="lambdas.routing.handler.handler",
                description="Contact flows: target queue and priority from the routing rules",
                service="routing",
                environment={
                    **profile_environment,
                    # to_json_string keeps the queue ARNs as CloudFormation references.
                    "ROUTING_RULES": Stack.of(self).to_json_string(rules),
                },
            ),
        }
        for function in self.functions.values():
            data.customers_table.grant(function, *TABLE_READ_ACTIONS)
            data.key.grant_decrypt(function)
            function.add_permission(
                "ConnectInvoke",
                principal=iam.ServicePrincipal("connect.amazonaws.com"),
                source_arn=connect_core.instance_arn,
                source_account=Stack.of(self).account,
            )

    def _function(
        self,
        construct_id: str,
        *,
        handler: str,
        description: str,
        service: str,
        environment: dict[str, str],
    ) -> lambda_.Function:
        function = PythonFunction(
            self,
            construct_id,
            handler=handler,
            description=description,
            log_retention_days=self.config.retention.log_days,
            environment=environment,
            memory_size=FLOW_LAMBDA_MEMORY_MB,
            timeout_seconds=FLOW_LAMBDA_TIMEOUT_SECONDS,
            service_name=service,
        ).function
        return function


def _check_environment_fits(config: ContactCenterConfig, rules: dict[str, object]) -> None:
    """Fails the synth, not the deploy, when the rules outgrow Lambda's 4 KB of variables."""
    estimate = dict(rules, queues={name: "x" * QUEUE_ARN_LENGTH for name in config.queues})
    size = len(json.dumps(estimate, separators=(",", ":"))) + 512  # the other variables
    if size > ENVIRONMENT_LIMIT_BYTES:
        raise ValueError(
            f"routing rules for {len(config.queues)} queues need about {size} bytes of "
            f"environment, over Lambda's {ENVIRONMENT_LIMIT_BYTES}: move ROUTING_RULES to SSM "
            "Parameter Store or AppConfig"
        )
