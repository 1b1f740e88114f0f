"""The local participant service: the wire format boto3's own `connectparticipant` client and
chatjs expect, tokens, transcript, events, and the WebSocket gateway's frames.

The server tests drive `LocalChatServer` over real HTTP on 127.0.0.1 with boto3 (unsigned, as
the widget calls it), so botocore's response parsers check our answers.
"""

from __future__ import annotations

import json
import urllib.request
from collections.abc import Iterator
from typing import Any

import boto3
import pytest
from botocore import UNSIGNED
from botocore.config import Config
from botocore.exceptions import ClientError
from websockets.sync.client import connect as ws_connect

from config import ContactCenterConfig
from local_connect.chat.participant import (
    Conversation,
    ParticipantError,
    ParticipantService,
    websocket_answer,
    websocket_frame,
)
from local_connect.chat.server import LocalChatServer


class EchoPeer:
    """Stands in for the flow in these tests only (the browser test plays the real flow)."""

    def __init__(self) -> None:
        self.heard: list[str] = []
        self.left = False

    def chat_started(self, conversation: Conversation) -> None:
        conversation.system_message("Hi, thanks for contacting us.")

    def customer_message(self, conversation: Conversation, text: str) -> None:
        self.heard.append(text)
        conversation.system_message(f"echo: {text}")

    def customer_left(self, conversation: Conversation) -> None:
        self.left = True


@pytest.fixture()
def service() -> tuple[ParticipantService, EchoPeer]:
    peer = EchoPeer()
    service = ParticipantService(lambda token: f"ws://127.0.0.1:9/chat?token={token}")
    service.open(
        contact_id="contact-1",
        participant_id="customer-1",
        participant_token="participant-token",
        customer_name="Jane",
        peer=peer,
    )
    return service, peer


def connect(service: ParticipantService) -> str:
    answer = service.call(
        "CreateParticipantConnection",
        {"X-Amz-Bearer": "participant-token"},
        {"Type": ["WEBSOCKET", "CONNECTION_CREDENTIALS"]},
    )
    assert answer["Websocket"]["Url"].startswith("ws://127.0.0.1:")
    return str(answer["ConnectionCredentials"]["ConnectionToken"])


def test_flow_messages_sent_before_the_customer_connects_wait_in_the_transcript(
    service: tuple[ParticipantService, EchoPeer],
) -> None:
    participants, _ = service
    token = connect(participants)

    transcript = participants.call(
        "GetTranscript", {"x-amz-bearer": token}, {"SortOrder": "ASCENDING"}
    )["Transcript"]

    assert [item.get("Content") or item["ContentType"] for item in transcript] == [
        "Hi, thanks for contacting us.",
        "application/vnd.amazonaws.connect.event.participant.joined",
    ]
    assert transcript[0]["ParticipantRole"] == "SYSTEM"


def test_customer_messages_reach_the_peer_and_the_transcript(
    service: tuple[ParticipantService, EchoPeer],
) -> None:
    participants, peer = service
    token = connect(participants)

    sent = participants.call(
        "SendMessage", {"X-Amz-Bearer": token}, {"ContentType": "text/plain", "Content": "hello"}
    )

    assert peer.heard == ["hello"]
    contents = [item.get("Content") for item in participants.conversation("contact-1").transcript]
    assert contents[-2:] == ["hello", "echo: hello"]
    assert sent["Id"] == participants.conversation("contact-1").transcript[-2]["Id"]


def test_unknown_tokens_are_access_denied(service: tuple[ParticipantService, EchoPeer]) -> None:
    participants, _ = service
    with pytest.raises(ParticipantError) as refused:
        participants.call(
            "CreateParticipantConnection", {"X-Amz-Bearer": "forged"}, {"Type": ["WEBSOCKET"]}
        )
    assert (refused.value.code, refused.value.status) == ("AccessDeniedException", 403)
    with pytest.raises(ParticipantError, match="Access denied"):
        participants.call(
            "SendMessage", {"X-Amz-Bearer": "forged"}, {"ContentType": "text/plain", "Content": "x"}
        )


def test_requests_are_validated_against_the_service_model(
    service: tuple[ParticipantService, EchoPeer],
) -> None:
    participants, _ = service
    token = connect(participants)
    with pytest.raises(ParticipantError) as refused:
        participants.call("SendMessage", {"X-Amz-Bearer": token}, {"Content": "no type"})
    assert refused.value.code == "ValidationException"
    assert "ContentType" in refused.value.message


def test_disconnect_tells_the_peer_ends_the_chat_and_refuses_later_messages(
    service: tuple[ParticipantService, EchoPeer],
) -> None:
    participants, peer = service
    token = connect(participants)

    participants.call("DisconnectParticipant", {"X-Amz-Bearer": token}, {})

    assert peer.left
    kinds = [item["ContentType"] for item in participants.conversation("contact-1").transcript]
    assert kinds[-2:] == [
        "application/vnd.amazonaws.connect.event.participant.left",
        "application/vnd.amazonaws.connect.event.chat.ended",
    ]
    with pytest.raises(ParticipantError, match="ended"):
        participants.call(
            "SendMessage", {"X-Amz-Bearer": token}, {"ContentType": "text/plain", "Content": "x"}
        )


def test_gateway_frames_are_what_chatjs_parses() -> None:
    frame = json.loads(websocket_frame({"Id": "1", "Type": "MESSAGE", "Content": "hi"}))
    assert frame["topic"] == "aws/chat"
    assert json.loads(frame["content"]) == {"Id": "1", "Type": "MESSAGE", "Content": "hi"}
    subscribed = json.loads(
        websocket_answer('{"topic":"aws/subscribe","content":{"topics":["aws/chat"]}}') or ""
    )
    assert subscribed == {
        "topic": "aws/subscribe",
        "content": {"status": "success", "topics": ["aws/chat"]},
    }
    assert json.loads(websocket_answer('{"topic":"aws/ping"}') or "")["statusCode"] == 200
    assert websocket_answer('{"topic":"aws/heartbeat"}') == '{"topic": "aws/heartbeat"}'
    assert websocket_answer("not json") is None


@pytest.fixture()
def server(dev_config: ContactCenterConfig) -> Iterator[tuple[LocalChatServer, EchoPeer]]:
    peer = EchoPeer()
    with LocalChatServer(dev_config, peer_factory=lambda world, contact: peer) as running:
        yield running, peer


def post_json(url: str, body: dict[str, Any]) -> dict[str, Any]:
    request = urllib.request.Request(
        url, data=json.dumps(body).encode(), headers={"Content-Type": "application/json"}
    )
    with urllib.request.urlopen(request, timeout=10) as response:
        return json.loads(response.read())


def test_server_starts_chats_with_the_real_handler_and_serves_boto3s_participant_client(
    server: tuple[LocalChatServer, EchoPeer],
) -> None:
    running, _ = server
    chat = post_json(f"{running.url}/api/chats", {"name": "Jane Doe", "topic": "billing"})
    participant = boto3.client(
        "connectparticipant",
        region_name=chat["Region"],
        endpoint_url=running.url,
        config=Config(signature_version=UNSIGNED),
    )

    connection = participant.create_participant_connection(
        ParticipantToken=chat["ParticipantToken"], Type=["WEBSOCKET", "CONNECTION_CREDENTIALS"]
    )
    token = connection["ConnectionCredentials"]["ConnectionToken"]
    with ws_connect(connection["Websocket"]["Url"]) as socket:
        socket.send('{"topic":"aws/subscribe","content":{"topics":["aws/chat"]}}')
        assert json.loads(socket.recv(timeout=5))["content"]["status"] == "success"
        participant.send_message(ConnectionToken=token, ContentType="text/plain", Content="hi")
        pushed = [json.loads(json.loads(socket.recv(timeout=5))["content"]) for _ in range(2)]

    assert [item["Content"] for item in pushed] == ["hi", "echo: hi"]
    contact = running.contact(chat["ContactId"])
    assert contact.attributes["intent"] == "billing"
    assert contact.attributes["customerName"] == "Jane Doe"
    transcript = participant.get_transcript(ConnectionToken=token)["Transcript"]
    assert transcript[0]["Content"] == "Hi, thanks for contacting us."
    with pytest.raises(ClientError) as refused:
        participant.send_message(ConnectionToken="forged", ContentType="text/plain", Content="x")
    assert refused.value.response["Error"]["Code"] == "AccessDeniedException"


def test_server_serves_the_built_widget_and_its_local_config(
    server: tuple[LocalChatServer, EchoPeer], dev_config: ContactCenterConfig
) -> None:
    running, _ = server
    with urllib.request.urlopen(f"{running.url}/config.json", timeout=10) as response:
        config = json.loads(response.read())
    with urllib.request.urlopen(f"{running.url}/index.html", timeout=10) as response:
        page = response.read().decode()
    with urllib.request.urlopen(f"{running.url}/vendor/amazon-connect-chat.js", timeout=10) as r:
        assert r.status == 200

    assert config["apiUrl"] == f"{running.url}/api"
    assert config["participantEndpoint"] == running.url
    assert [t["intent"] for t in config["topics"]] == [o.intent for o in dev_config.routing.menu]
    assert 'src="vendor/amazon-connect-chat.js"' in page
    with pytest.raises(urllib.error.HTTPError) as missing:
        urllib.request.urlopen(f"{running.url}/../pyproject.toml", timeout=10)
    assert missing.value.code == 404
