"""A customer's chat through the local engine: chat_start, the chat flow, the Lambdas, the queue."""

from __future__ import annotations

import argparse
from collections.abc import Iterator
from datetime import UTC, datetime

import boto3
import pytest

from config import ContactCenterConfig
from lambdas.common.identity import IdentifierKind
from lambdas.common.profiles import CustomerProfile, Identifier
from local_connect.chat.session import (
    ChatEndedError,
    ChatMessage,
    ChatRefusedError,
    ChatSession,
    FlowChatPeer,
)
from scripts.commands import chat as chat_command
from tests.conftest import config_with

OPEN = datetime(2026, 11, 24, 16, 0, tzinfo=UTC)  # Tuesday 10:00 in Chicago
THANKSGIVING = datetime(2026, 11, 26, 16, 0, tzinfo=UTC)
JANE = "jane.vip@example.com"


@pytest.fixture(scope="session")
def dev_config(dev_config: ContactCenterConfig) -> ContactCenterConfig:
    """dev with the self-service bot off: these tests follow the chat flow's topics and queues
    (the bot's chats: tests/local_connect/flows/test_interpreter_bot.py, tests/scripts/test_chat.py)."""
    return config_with(
        dev_config, self_service={**dev_config.self_service.model_dump(), "enabled": False}
    )


@pytest.fixture()
def session(dev_config: ContactCenterConfig) -> Iterator[ChatSession]:
    with ChatSession(dev_config, at=OPEN, waiting={"billing": 2}) as opened:
        yield opened


def texts(messages: list[ChatMessage]) -> list[str]:
    return [message.text for message in messages if message.role == "SYSTEM"]


def test_a_new_customer_is_greeted_routed_and_told_their_place_in_line(
    session: ChatSession,
) -> None:
    messages = session.start("Ana Diaz", email="ana@example.com", topic="billing")

    assert texts(messages)[0] == "Hi, thanks for contacting Riverside Public Utilities."
    assert texts(messages)[-1].startswith("You are in line. Customers waiting, including you: 3.")
    state = session.state
    assert (state.phase, state.queue, state.position) == ("queued", "billing", 3)
    assert state.attributes["intent"] == "billing"
    assert state.attributes["routingReason"] == "intent:billing"


def test_what_the_flow_set_is_what_connects_api_reports(session: ChatSession) -> None:
    session.start("Ana Diaz", email="ana@example.com", topic="outage")
    connect = boto3.client("connect", region_name="us-east-1")
    contact_id = session.state.contact_id

    attributes = connect.get_contact_attributes(
        InstanceId=session.world.instance.id, InitialContactId=contact_id
    )["Attributes"]
    described = connect.describe_contact(InstanceId=session.world.instance.id, ContactId=contact_id)

    assert attributes["queueName"] == "support"
    assert described["Contact"]["QueueInfo"]["Id"] == session.world.instance.queue("support").id


def test_a_vip_customer_the_crm_knows_is_welcomed_by_name_and_served_first(
    session: ChatSession,
) -> None:
    session.profiles.save(
        CustomerProfile(
            customer_id="c-jane",
            first_name="Jane",
            tier="vip",
            identifiers=[Identifier(kind=IdentifierKind.EMAIL, value=JANE)],
        )
    )
    messages = session.start("Jane Doe", email=JANE, topic="billing")
    assert "Welcome back, Jane!" in texts(messages)
    assert session.state.priority == 1
    assert session.state.attributes["tier"] == "vip"


def test_after_hours_the_chat_is_closed_by_the_flow(dev_config: ContactCenterConfig) -> None:
    with ChatSession(dev_config, at=THANKSGIVING) as session:
        messages = session.start("Ana Diaz", topic="billing")
        assert texts(messages)[-1].startswith("Our chat team is away right now.")
        assert messages[-1] == ChatMessage("EVENT", "chat.ended")
        assert session.state.phase == "ended"
        contact = session.world.connect.contacts[session.state.contact_id]
        assert contact.disconnect_reason == "CONTACT_FLOW_DISCONNECT"
        with pytest.raises(ChatEndedError):
            session.send("hello?")


def test_the_pre_chat_form_is_checked_by_the_real_start_chat_api(session: ChatSession) -> None:
    with pytest.raises(ChatRefusedError) as refused:
        session.start("Ana", email="not-an-email", topic="billing")
    assert refused.value.status == 400
    assert [field["field"] for field in refused.value.body["fields"]] == ["email"]
    assert session.world.connect.chats == []


def test_the_agent_hears_the_whisper_and_ending_runs_the_survey(session: ChatSession) -> None:
    session.start("Ana Diaz", email="ana@example.com", topic="billing")

    joined = session.agent_joins()
    assert joined == [ChatMessage("EVENT", "participant.joined")]
    assert session.state.whisper == ("Ana, standard customer, about billing.",)
    assert session.engine.queues.sizes["billing"] == 2  # she left the line
    assert session.agent_says("Hi Ana") == [ChatMessage("AGENT", "Hi Ana")]

    ended = session.agent_ends()

    assert texts(ended) == [
        "Thanks for chatting with us. Tell us how we did: https://survey.riverside-utilities.example/s"
    ]
    assert ended[-1] == ChatMessage("EVENT", "chat.ended")
    assert session.state.attributes["surveyLinkSent"] == "true"


def test_leaving_the_queue_frees_the_place(session: ChatSession) -> None:
    session.start("Ana Diaz", topic="billing")
    assert session.engine.queues.sizes["billing"] == 3
    session.leave()
    assert session.state.phase == "ended"
    assert session.engine.queues.sizes["billing"] == 2
    contact = session.world.connect.contacts[session.state.contact_id]
    assert contact.disconnect_reason == "CUSTOMER_DISCONNECT"


class FakeConversation:
    """What the web chat server's Conversation is asked to post."""

    def __init__(self) -> None:
        self.posted: list[tuple[str, str]] = []

    def system_message(self, text: str) -> None:
        self.posted.append(("SYSTEM", text))

    def agent_message(self, name: str, text: str) -> None:
        self.posted.append(("AGENT", text))

    def event(self, kind: str) -> None:
        self.posted.append(("EVENT", kind))


def test_the_web_peer_plays_the_flow_into_the_conversation(session: ChatSession) -> None:
    connect = boto3.client("connect", region_name="us-east-1")
    started = connect.start_chat_contact(
        InstanceId=session.world.instance.id,
        ContactFlowId=session.world.instance.flow("inbound_chat").id,
        ParticipantDetails={"DisplayName": "Web"},
        Attributes={"intent": "appointment"},
    )
    peer = session.engine.peer_factory()(
        session.world, session.world.connect.contacts[started["ContactId"]]
    )
    assert isinstance(peer, FlowChatPeer)
    conversation = FakeConversation()

    peer.chat_started(conversation)
    peer.customer_message(conversation, "I need a meter inspection")
    peer.customer_left(conversation)

    assert conversation.posted[0] == (
        "SYSTEM",
        "Hi, thanks for contacting Riverside Public Utilities.",
    )
    assert conversation.posted[-1][1].startswith("You are in line.")
    assert peer.chat is not None and peer.chat.state.phase == "ended"
    assert peer.chat.customer_messages == ["I need a meter inspection"]


def test_ccaas_chat_in_a_terminal(dev_config: ContactCenterConfig) -> None:
    answers = iter(["Ana Diaz", "1", "hello", "/agent", "/say Hi Ana", "/end"])
    printed: list[str] = []
    args = argparse.Namespace(
        stage="dev", at=None, name=None, email=None, topic=None, known=False, waiting=4
    )

    code = chat_command.chat(
        dev_config, args, at=OPEN, read=lambda _prompt: next(answers), write=printed.append
    )

    output = "\n".join(printed)
    assert code == 0
    assert "[1] Bills and payments" in output
    assert "Riverside Public Utilities: Hi, thanks for contacting" in output
    assert "(waiting in queue 'billing', position 5)" in output
    assert "the whisper told them: New customer, about billing." in output  # no email given
    assert "Agent: Hi Ana" in output
    assert "Tell us how we did" in output and output.endswith("(the chat has ended)")


def test_ccaas_chat_as_a_known_customer_after_hours(dev_config: ContactCenterConfig) -> None:
    printed: list[str] = []
    args = argparse.Namespace(
        stage="dev", at=None, name=None, email=None, topic="outage", known=True, waiting=0
    )
    at = chat_command._local_time(dev_config, datetime.fromisoformat("2026-11-26T10:00"))
    code = chat_command.chat(
        dev_config, args, at=at, read=lambda _prompt: "/quit", write=printed.append
    )
    output = "\n".join(printed)
    assert code == 0
    assert "(seeded customer profiles; you are " in output
    assert "Welcome back, " in output
    assert "(waiting in queue '" in output  # outages are taken on holidays, by some queue


def test_a_stage_without_chat_is_refused(voice_only_config: ContactCenterConfig) -> None:
    with pytest.raises(ValueError, match=r"channels\.chat is off"):
        ChatSession(voice_only_config)
