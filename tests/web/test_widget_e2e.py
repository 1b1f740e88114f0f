"""The widget in headless Chromium against `ccaas chat --web`'s server and the real chat flow.

A person's path: open the page, fill the pre-chat form, start the chat, read the flow's
messages, write to it, and land in the queue the routing rules name. The page runs the vendored
amazon-connect-chatjs unmodified; the flow (contact_flows/inbound_chat.json) runs in the local
engine with the real crm_lookup and routing Lambdas.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from config import ContactCenterConfig
from local_connect.chat.flow_peer import flow_peer_factory
from local_connect.chat.server import LocalChatServer
from tests.conftest import config_with

# A Tuesday at 10:00 in the business hours' time zone: the chat flow checks hours first.
OPEN_HOURS = datetime(2026, 12, 1, 10, 0, tzinfo=ZoneInfo("America/Chicago"))


@pytest.fixture(scope="session")
def dev_config(dev_config: ContactCenterConfig) -> ContactCenterConfig:
    """dev with the self-service bot off: these tests follow the chat flow's topics and queues
    (the bot's chats: tests/local_connect/flows/test_interpreter_bot.py, tests/scripts/test_chat.py)."""
    return config_with(
        dev_config, self_service={**dev_config.self_service.model_dump(), "enabled": False}
    )


@pytest.fixture()
def server(dev_config: ContactCenterConfig) -> Iterator[LocalChatServer]:
    with LocalChatServer(
        dev_config, peer_factory=flow_peer_factory(dev_config, clock=lambda: OPEN_HOURS)
    ) as running:
        yield running


def start_chat(page: Any, server: LocalChatServer, *, topic: str, **fields: str) -> None:
    page.goto(f"{server.url}/")
    page.get_by_label("Your name").fill(fields.get("name", "Jane Doe"))
    if "email" in fields:
        page.get_by_label("Email").fill(fields["email"])
    page.get_by_label("What can we help with?").select_option(topic)
    page.get_by_role("button", name="Start chat").click()


def test_customer_chats_with_the_flow_and_reaches_the_billing_queue(
    page: Any, server: LocalChatServer
) -> None:
    start_chat(page, server, topic="billing", email="jane.doe@example.com")

    transcript = page.locator("#transcript")
    transcript.get_by_text("Hi, thanks for contacting Riverside Public Utilities.").wait_for()
    transcript.get_by_text("Thanks, we are finding the right person to help you.").wait_for()
    transcript.get_by_text("An agent will join this chat", exact=False).wait_for()
    page.get_by_label("Message").fill("My bill doubled this month")
    page.get_by_role("button", name="Send").click()
    transcript.locator("li.customer").get_by_text("My bill doubled this month").wait_for()

    (chat,) = server.world.connect.chats
    assert chat.attributes["intent"] == "billing"
    assert chat.queue is not None and chat.queue.name == "billing"
    assert page.locator("#status").inner_text() == "Connected"
    # Jane had never been in touch: chat_start made her profile, and the flow knows she is new.
    assert "Welcome back" not in transcript.inner_text()


def test_an_outage_reported_in_chat_reaches_the_support_queue(
    page: Any, server: LocalChatServer, dev_config: ContactCenterConfig
) -> None:
    start_chat(page, server, topic="outage", name="Sam Lee")

    page.locator("#transcript").get_by_text("An agent will join this chat", exact=False).wait_for()
    (chat,) = server.world.connect.chats
    assert chat.queue is not None
    assert chat.queue.name == dev_config.routing.intents["outage"] == "support"


def test_invalid_form_shows_the_apis_field_errors_and_starts_nothing(
    page: Any, server: LocalChatServer
) -> None:
    start_chat(page, server, topic="outage", name="Sam", email="sam@example")

    page.locator('[data-error-for="email"]').get_by_text("is not an email address").wait_for()
    assert server.world.connect.chats == []
    assert page.locator("#prechat").is_visible()
