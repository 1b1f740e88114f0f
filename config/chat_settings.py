"""Web chat settings derived from the config, shared by the Chat construct
(`infra/constructs/chat.py`) and the local chat engines (`ccaas chat`, `ccaas chat --web`).

Kept free of aws_cdk so the local engines start without importing the CDK (seconds).
"""

from __future__ import annotations

from config import ContactCenterConfig

API_STAGE = "v1"
CHATS_PATH = "chats"


def chat_topics(config: ContactCenterConfig) -> list[dict[str, str]]:
    """The pre-chat form's topics: the IVR menu's intents and labels, else every routing intent."""
    rules = config.routing
    if rules.menu:
        return [{"intent": option.intent, "label": option.label} for option in rules.menu]
    return [
        {"intent": intent, "label": intent.replace("_", " ").capitalize()}
        for intent in rules.intents
    ]
