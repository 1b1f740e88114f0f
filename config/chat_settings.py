"""Web chat settings derived from the config, shared by the Chat construct
(`infra/constructs/chat.py`) and the local chat engines (`ccaas chat`, `ccaas chat --web`).

Kept free of aws_cdk so the local engines start without importing the CDK (seconds).
"""

from __future__ import annotations

import json
from dataclasses import dataclass

from config import ContactCenterConfig

API_STAGE = "v1"
CHATS_PATH = "chats"
# The largest request body the start-chat API takes. The pre-chat form is well under 1 KB (a
# name of 100 characters, an email of 254, a phone of 32, a topic and a client token), so 4 KB
# leaves room for JSON escaping. The web ACL refuses larger bodies before API Gateway or the
# function is paid for, and the local server mirrors it. It must stay below WAF's 16 KB body
# inspection limit for API Gateway so that WAF measures whole bodies; beyond that limit the rule's
# oversize handling (MATCH) refuses them unmeasured:
# https://docs.aws.amazon.com/waf/latest/developerguide/web-acl-setting-body-inspection-limit.html
MAX_CHAT_BODY_BYTES = 4096
# The one media type the API's body model and the function read.
CHAT_CONTENT_TYPE = "application/json"


@dataclass(frozen=True)
class Refusal:
    """An answer given at the edge, before any code of ours runs: same status and JSON body from
    the web ACL in AWS and from the local server."""

    status: int
    error: str
    message: str

    @property
    def body(self) -> str:
        return json.dumps({"error": self.error, "message": self.message})


BODY_TOO_LARGE = Refusal(413, "too_large", "The request is too large.")
NOT_JSON = Refusal(415, "unsupported_media_type", f"Send the form as {CHAT_CONTENT_TYPE}.")


def chat_topics(config: ContactCenterConfig) -> list[dict[str, str]]:
    """The pre-chat form's topics: the IVR menu's intents and labels, else every routing intent."""
    rules = config.routing
    if rules.menu:
        return [{"intent": option.intent, "label": option.label} for option in rules.menu]
    return [
        {"intent": intent, "label": intent.replace("_", " ").capitalize()}
        for intent in rules.intents
    ]
