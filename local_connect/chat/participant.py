"""A local stand-in for Amazon Connect's participant service, for the customer side of a chat.

What the widget (amazon-connect-chatjs) calls, by botocore's `connectparticipant` model:
CreateParticipantConnection (participant token in `X-Amz-Bearer`), SendMessage, SendEvent,
GetTranscript and DisconnectParticipant (connection token in `X-Amz-Bearer`). Requests are
validated against the model (botocore's ParamValidator) and errors use the service's own codes.

Messages reach the browser over a WebSocket in the shape Connect's message gateway uses:
`{"topic": "aws/chat", "contentType": "application/json", "content": "<JSON of an Item>"}`,
after the client's `aws/subscribe`; `aws/heartbeat` and `aws/ping` are answered so chatjs keeps
the connection. chatjs accepts `ws://127.0.0.1:` (besides `wss://`), which is what we serve.

The other side of each chat (the flow, later an agent) is a `ChatPeer`: it is told when the
customer joins, writes and leaves, and answers through the `Conversation` it is given.
"""

from __future__ import annotations

import json
import secrets
import threading
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any, Protocol

import botocore.session
from botocore.validate import ParamValidator

EVENT_PREFIX = "application/vnd.amazonaws.connect.event."
CONNECTION_LIFETIME = timedelta(hours=24)
# chatjs refuses connection details that expire sooner than five minutes.
WEBSOCKET_LIFETIME = timedelta(hours=1)
SYSTEM_DISPLAY_NAME = "SYSTEM_MESSAGE"
_MODEL = botocore.session.get_session().get_service_model("connectparticipant")


class ParticipantError(Exception):
    """An error the real service would answer: code, HTTP status, message."""

    def __init__(self, code: str, status: int, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.status = status
        self.message = message


class ChatPeer(Protocol):
    """The rest of the chat: the flow running in the local engine (and agents, if any)."""

    def chat_started(self, conversation: Conversation) -> None:
        """StartChatContact: Connect runs the flow at once, whether or not the customer's
        browser has connected yet (its messages wait in the transcript)."""

    def customer_message(self, conversation: Conversation, text: str) -> None: ...

    def customer_left(self, conversation: Conversation) -> None: ...


def _now() -> str:
    return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3] + "Z"


@dataclass
class Conversation:
    """One chat contact as its participants see it: the transcript and who is listening."""

    contact_id: str
    customer_id: str
    customer_name: str
    peer: ChatPeer | None = None
    transcript: list[dict[str, Any]] = field(default_factory=list)
    listeners: list[Callable[[dict[str, Any]], None]] = field(default_factory=list)
    joined: bool = False
    ended: bool = False
    lock: threading.RLock = field(default_factory=threading.RLock)

    def post(self, item: dict[str, Any]) -> dict[str, Any]:
        item = {"Id": str(uuid.uuid4()), "AbsoluteTime": _now(), **item}
        item.setdefault("ContactId", self.contact_id)
        with self.lock:
            self.transcript.append(item)
            listeners = list(self.listeners)
        for listener in listeners:
            listener(item)
        return item

    # -- what the other side says --------------------------------------------------------------
    def system_message(self, text: str) -> dict[str, Any]:
        """A flow's MessageParticipant: Connect shows it as the SYSTEM participant."""
        return self.post(
            {
                "Type": "MESSAGE",
                "ContentType": "text/plain",
                "Content": text,
                "ParticipantRole": "SYSTEM",
                "DisplayName": SYSTEM_DISPLAY_NAME,
                "ParticipantId": "system",
            }
        )

    def agent_message(self, display_name: str, text: str, participant_id: str = "agent") -> None:
        self.post(
            {
                "Type": "MESSAGE",
                "ContentType": "text/plain",
                "Content": text,
                "ParticipantRole": "AGENT",
                "DisplayName": display_name,
                "ParticipantId": participant_id,
            }
        )

    def event(self, kind: str, *, role: str = "SYSTEM", display_name: str = "") -> None:
        """`kind` as in Connect's content types: participant.joined, chat.ended, ..."""
        self.post(
            {
                "Type": "EVENT",
                "ContentType": f"{EVENT_PREFIX}{kind}",
                "ParticipantRole": role,
                "DisplayName": display_name,
                "ParticipantId": "system" if role == "SYSTEM" else self.customer_id,
            }
        )

    def end(self) -> None:
        """The flow or an agent disconnected the customer."""
        with self.lock:
            if self.ended:
                return
            self.ended = True
        self.event("chat.ended")


@dataclass
class Connection:
    token: str
    conversation: Conversation
    expires: datetime


class ParticipantService:
    """The customer's side of every local chat; thread-safe (one HTTP thread per request)."""

    def __init__(self, websocket_url: Callable[[str], str]) -> None:
        self._websocket_url = websocket_url
        self._by_participant_token: dict[str, Conversation] = {}
        self._by_connection_token: dict[str, Connection] = {}
        self._conversations: dict[str, Conversation] = {}
        self._lock = threading.Lock()

    # -- the engine side -----------------------------------------------------------------------
    def open(
        self,
        *,
        contact_id: str,
        participant_id: str,
        participant_token: str,
        customer_name: str,
        peer: ChatPeer | None = None,
    ) -> Conversation:
        """A chat was started (StartChatContact): its customer may now connect."""
        conversation = Conversation(contact_id, participant_id, customer_name, peer)
        with self._lock:
            self._by_participant_token[participant_token] = conversation
            self._conversations[contact_id] = conversation
        if peer is not None:
            peer.chat_started(conversation)
        return conversation

    def conversation(self, contact_id: str) -> Conversation:
        return self._conversations[contact_id]

    def for_websocket(self, connection_token: str) -> Conversation:
        return self._connection(connection_token).conversation

    # -- the API -------------------------------------------------------------------------------
    def call(self, operation: str, headers: dict[str, str], body: dict[str, Any]) -> dict[str, Any]:
        """One participant-service request; raises ParticipantError like the service would."""
        shape = _MODEL.operation_model(operation).input_shape
        assert shape is not None  # every participant operation takes input
        params = dict(body)
        for name, member in shape.members.items():
            if member.serialization.get("location") == "header":
                value = _header(headers, member.serialization["name"])
                if value is not None:
                    params[name] = value
        report = ParamValidator().validate(params, shape)
        if report.has_errors():
            raise ParticipantError("ValidationException", 400, report.generate_report())
        handler: Callable[[dict[str, Any]], dict[str, Any]] = getattr(self, f"_{_snake(operation)}")
        return handler(params)

    def _create_participant_connection(self, params: dict[str, Any]) -> dict[str, Any]:
        conversation = self._by_participant_token.get(params["ParticipantToken"])
        if conversation is None:
            raise ParticipantError("AccessDeniedException", 403, "Access denied")
        token = secrets.token_urlsafe(48)
        now = datetime.now(UTC)
        with self._lock:
            self._by_connection_token[token] = Connection(
                token, conversation, now + CONNECTION_LIFETIME
            )
        answer: dict[str, Any] = {}
        if "CONNECTION_CREDENTIALS" in params["Type"]:
            answer["ConnectionCredentials"] = {
                "ConnectionToken": token,
                "Expiry": _iso(now + CONNECTION_LIFETIME),
            }
        if "WEBSOCKET" in params["Type"]:
            answer["Websocket"] = {
                "Url": self._websocket_url(token),
                "ConnectionExpiry": _iso(now + WEBSOCKET_LIFETIME),
            }
        # A streaming customer (chatjs asks for WEBSOCKET) is connected by creating the
        # connection; ConnectParticipant is how non-streaming clients say the same.
        streaming = "WEBSOCKET" in params["Type"] or params.get("ConnectParticipant")
        if streaming and not conversation.joined:
            conversation.joined = True
            conversation.event(
                "participant.joined", role="CUSTOMER", display_name=conversation.customer_name
            )
        return answer

    def _send_message(self, params: dict[str, Any]) -> dict[str, Any]:
        conversation = self._active(params["ConnectionToken"])
        if params["ContentType"] not in ("text/plain", "text/markdown"):
            raise ParticipantError(
                "ValidationException", 400, f"Unsupported content type {params['ContentType']}"
            )
        item = conversation.post(
            {
                "Type": "MESSAGE",
                "ContentType": params["ContentType"],
                "Content": params["Content"],
                "ParticipantRole": "CUSTOMER",
                "DisplayName": conversation.customer_name,
                "ParticipantId": conversation.customer_id,
            }
        )
        if conversation.peer is not None:
            conversation.peer.customer_message(conversation, params["Content"])
        return {"Id": item["Id"], "AbsoluteTime": item["AbsoluteTime"]}

    def _send_event(self, params: dict[str, Any]) -> dict[str, Any]:
        # Typing indicators and read receipts: acknowledged; the flow does not read them.
        self._connection(params["ConnectionToken"])
        return {"Id": str(uuid.uuid4()), "AbsoluteTime": _now()}

    def _get_transcript(self, params: dict[str, Any]) -> dict[str, Any]:
        conversation = self._connection(params["ConnectionToken"]).conversation
        with conversation.lock:
            items = list(conversation.transcript)
        if params.get("SortOrder") == "DESCENDING":
            items.reverse()
        limit = int(params.get("MaxResults") or 15)
        return {"InitialContactId": conversation.contact_id, "Transcript": items[:limit]}

    def _disconnect_participant(self, params: dict[str, Any]) -> dict[str, Any]:
        conversation = self._active(params["ConnectionToken"])
        conversation.event(
            "participant.left", role="CUSTOMER", display_name=conversation.customer_name
        )
        if conversation.peer is not None:
            conversation.peer.customer_left(conversation)
        conversation.end()
        return {}

    # -- helpers -------------------------------------------------------------------------------
    def _connection(self, token: str) -> Connection:
        connection = self._by_connection_token.get(token)
        if connection is None or connection.expires < datetime.now(UTC):
            raise ParticipantError("AccessDeniedException", 403, "Access denied")
        return connection

    def _active(self, token: str) -> Conversation:
        conversation = self._connection(token).conversation
        if conversation.ended:
            raise ParticipantError(
                "AccessDeniedException", 403, "The chat has ended for this participant"
            )
        return conversation


def websocket_frame(item: dict[str, Any]) -> str:
    """How Connect's message gateway wraps a transcript item for the `aws/chat` topic."""
    return json.dumps(
        {"topic": "aws/chat", "contentType": "application/json", "content": json.dumps(item)}
    )


def websocket_answer(raw: str) -> str | None:
    """The gateway's answer to a client frame (subscribe, heartbeat, deep ping), if any."""
    try:
        frame = json.loads(raw)
    except ValueError:
        return None
    topic = frame.get("topic") if isinstance(frame, dict) else None
    if topic == "aws/subscribe":
        topics = (frame.get("content") or {}).get("topics", [])
        return json.dumps(
            {"topic": "aws/subscribe", "content": {"status": "success", "topics": topics}}
        )
    if topic == "aws/heartbeat":
        return json.dumps({"topic": "aws/heartbeat"})
    if topic == "aws/ping":
        return json.dumps({"topic": "aws/ping", "statusCode": 200, "statusContent": "OK"})
    return None


def _header(headers: dict[str, str], name: str) -> str | None:
    lowered = name.lower()
    return next((v for k, v in headers.items() if k.lower() == lowered), None)


def _iso(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3] + "Z"


def _snake(name: str) -> str:
    return "".join(f"_{ch.lower()}" if ch.isupper() else ch for ch in name).lstrip("_")
