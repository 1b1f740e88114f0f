"""chat_start as both chat engines run it: the real handler in the local Lambda runtime, with
the environment infra gives it (`infra/constructs/chat.py`), pointed at the emulated world."""

from __future__ import annotations

import json

from config import ContactCenterConfig
from config.chat_settings import chat_topics
from local_connect.emulation import AwsWorld
from local_connect.runtime.lambda_runtime import QUIET_POWERTOOLS, LocalLambda
from local_connect.runtime.resources import CUSTOMERS_TABLE

FUNCTION_NAME = "chat-start-local"
# As infra/constructs/chat.py deploys it.
MEMORY_MB = 512
TIMEOUT_SECONDS = 10


def chat_start_function(
    config: ContactCenterConfig, world: AwsWorld, *, origin: str
) -> LocalLambda:
    """chat_start for the stage's chat flow in `world`, answering the widget at `origin`."""
    assert config.chat is not None
    environment = {
        "CONNECT_INSTANCE_ID": world.instance.id,
        "CHAT_FLOW_ID": world.instance.flow(config.chat.flow).id,
        "CUSTOMERS_TABLE": CUSTOMERS_TABLE,
        "ALLOWED_ORIGINS": json.dumps([origin]),
        "CHAT_TOPICS": json.dumps(chat_topics(config)),
        "CONTACT_HISTORY_DAYS": str(config.retention.contact_history_days),
        "POWERTOOLS_SERVICE_NAME": FUNCTION_NAME,
        **QUIET_POWERTOOLS,
    }
    return LocalLambda(
        "lambdas.chat_start.handler",
        environment,
        name=FUNCTION_NAME,
        memory_mb=MEMORY_MB,
        timeout_seconds=TIMEOUT_SECONDS,
        region=world.region,
        account_id=world.account_id,
    )
