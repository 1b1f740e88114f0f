"""`ccaas chat --web`: the widget, the start-chat API and the participant service on 127.0.0.1.

One process holds the whole local deployment:

- the widget site, built by `node web/build.mjs` exactly as the CDK builds it, with a
  `config.json` pointing the page at this server (and chatjs's participant endpoint here too);
- `POST /api/chats`: the real chat_start handler in the local Lambda runtime, invoked with an
  API Gateway REST proxy event; its DynamoDB is moto and its `connect:StartChatContact` is the
  local emulation (local_connect.emulation), so the handler runs unmodified. What the deployed
  web ACL refuses is refused first, from the headers, with its status and body: a body over
  `MAX_CHAT_BODY_BYTES` (413, never read) and a POST that is not `application/json` (415);
- `/participant/*` and a WebSocket: `ParticipantService`, Connect's participant service as the
  browser sees it. When the emulation starts a chat contact, the conversation is opened with a
  `ChatPeer` from `peer_factory` (the local flow engine) that plays the chat flow.

Nothing listens beyond 127.0.0.1, and the process's environment is chat_start's only while it
runs. What chat_start prints (Powertools' EMF metrics, which CloudWatch reads in AWS) and
requests that fail reach `console` as readable lines when one is given; without one, the
handler's prints are dropped and http.server reports failures its own way.
"""

from __future__ import annotations

import json
import mimetypes
import subprocess
import sys
import tempfile
import threading
import uuid
from collections.abc import Callable, Iterator
from contextlib import ExitStack, contextmanager, suppress
from email.message import Message
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import botocore.session
from moto import mock_aws
from websockets.exceptions import ConnectionClosed
from websockets.sync.server import Server, ServerConnection, serve

from config import ContactCenterConfig
from config.chat_settings import (
    BODY_TOO_LARGE,
    CHAT_CONTENT_TYPE,
    CHATS_PATH,
    MAX_CHAT_BODY_BYTES,
    NOT_JSON,
    Refusal,
    chat_topics,
)
from lambdas.common.masking import mask_text
from local_connect.chat.chat_start import chat_start_function
from local_connect.chat.participant import (
    ChatPeer,
    Conversation,
    ParticipantError,
    ParticipantService,
    websocket_answer,
    websocket_frame,
)
from local_connect.emulation import AwsWorld, EmulatedContact, emulate_aws
from local_connect.runtime.lambda_runtime import LocalLambda, api_gateway_event
from local_connect.runtime.resources import CUSTOMERS_TABLE, create_customers_table

HOST = "127.0.0.1"
PROJECT_ROOT = Path(__file__).resolve().parents[2]
WEB_DIR = PROJECT_ROOT / "web"
API_PREFIX = "/api"
PeerFactory = Callable[[AwsWorld, EmulatedContact], ChatPeer | None]
Console = Callable[[str], None]
_PARTICIPANT_ROUTES = {
    operation.http["requestUri"]: name
    for name in (
        "CreateParticipantConnection",
        "SendMessage",
        "SendEvent",
        "GetTranscript",
        "DisconnectParticipant",
    )
    for operation in [
        botocore.session.get_session().get_service_model("connectparticipant").operation_model(name)
    ]
}


def build_site(outdir: Path) -> Path:
    """The widget exactly as deployed (chatjs vendored from web/node_modules)."""
    subprocess.run(
        ["node", str(WEB_DIR / "build.mjs"), str(outdir)], check=True, stdout=subprocess.DEVNULL
    )
    return outdir


class LocalChatServer:
    """Start with `start()` (or use as a context manager); `url` is the widget's address."""

    def __init__(
        self,
        config: ContactCenterConfig,
        *,
        peer_factory: PeerFactory | None = None,
        port: int = 0,
        site_dir: Path | None = None,
        world: AwsWorld | None = None,
        console: Console | None = None,
    ) -> None:
        if config.chat is None or not config.channels.chat:
            raise ValueError(f"channels.chat is off in stage '{config.stage}'")
        self.config = config
        self.peer_factory = peer_factory
        self.port = port
        self.site_dir = site_dir
        self.world = world or AwsWorld.from_config(config)
        self.console = console
        self.participants = ParticipantService(self._websocket_url)
        self._stack = ExitStack()
        self._http: ThreadingHTTPServer | None = None
        self._serving = False
        self._ws: Server | None = None
        self.chat_start: LocalLambda | None = None  # made once the server knows its address
        self._lock = threading.Lock()

    # -- lifecycle -----------------------------------------------------------------------------
    def start(self) -> LocalChatServer:
        """Everything up, or (on any failure, e.g. a taken port) everything back down."""
        try:
            return self._start()
        except BaseException:
            self.stop()
            raise

    def _start(self) -> LocalChatServer:
        if self.site_dir is None:
            tmp = self._stack.enter_context(tempfile.TemporaryDirectory(prefix="chat-widget-"))
            self.site_dir = build_site(Path(tmp))
        self._stack.enter_context(mock_aws())
        self._stack.enter_context(emulate_aws(self.world))
        self._create_customers_table()
        self.world.connect.on_contact_started(self._contact_started)

        self._http = _HttpServer((HOST, self.port), _handler_for(self), self.console)
        self._ws = serve(self._websocket, HOST, 0)
        for target in (self._http.serve_forever, self._ws.serve_forever):
            threading.Thread(target=target, daemon=True).start()
        self._serving = True
        self.chat_start = chat_start_function(self.config, self.world, origin=self.url)
        return self

    def stop(self) -> None:
        # shutdown() waits for serve_forever to notice, so only a server that serves is asked.
        if self._http is not None:
            if self._serving:
                self._http.shutdown()
            self._http.server_close()
        if self._ws is not None:
            self._ws.shutdown()
        self._serving = False
        if self.chat_start is not None:
            self.chat_start.cold_start()  # no client of this server's moto outlives it
        self._stack.close()

    def __enter__(self) -> LocalChatServer:
        return self.start()

    def __exit__(self, *_: object) -> None:
        self.stop()

    @property
    def url(self) -> str:
        assert self._http is not None, "start() the server first"
        return f"http://{HOST}:{self._http.server_address[1]}"

    def contact(self, contact_id: str) -> EmulatedContact:
        return self.world.connect.contacts[contact_id]

    # -- wiring --------------------------------------------------------------------------------
    def _create_customers_table(self) -> None:
        create_customers_table(self.world.region, CUSTOMERS_TABLE)

    def _contact_started(self, contact: EmulatedContact) -> None:
        if contact.channel != "CHAT" or not contact.participant_token:
            return
        name = (contact.request.get("ParticipantDetails") or {}).get("DisplayName", "Customer")
        peer = self.peer_factory(self.world, contact) if self.peer_factory else None
        self.participants.open(
            contact_id=contact.id,
            participant_id=contact.participant_id or str(uuid.uuid4()),
            participant_token=contact.participant_token,
            customer_name=name,
            peer=peer,
        )

    def _websocket_url(self, connection_token: str) -> str:
        assert self._ws is not None
        port = self._ws.socket.getsockname()[1]
        return f"ws://{HOST}:{port}/chat?token={connection_token}"

    def _websocket(self, connection: ServerConnection) -> None:
        request = connection.request
        token = parse_qs(urlsplit(request.path if request else "").query).get("token", [""])[0]
        try:
            conversation = self.participants.for_websocket(token)
        except ParticipantError:
            connection.close(code=4003, reason="Access denied")
            return
        with _listening(conversation, lambda item: _send_quietly(connection, item)):
            try:
                for raw in connection:
                    answer = websocket_answer(str(raw))
                    if answer is not None:
                        connection.send(answer)
            except ConnectionClosed:
                pass

    # -- HTTP ----------------------------------------------------------------------------------
    def site_config(self) -> dict[str, Any]:
        return {
            "apiUrl": f"{self.url}{API_PREFIX}",
            "organisation": self.config.organisation,
            "topics": chat_topics(self.config),
            "participantEndpoint": self.url,
        }

    def invoke_chat_start(
        self, method: str, path: str, headers: dict[str, str], body: str | None
    ) -> dict[str, Any]:
        assert self.chat_start is not None, "start() the server first"
        event = api_gateway_event(
            method, path.removeprefix(API_PREFIX) or "/", headers=headers, body=body
        )
        invocation = self.chat_start.invoke(event)
        if self.console is not None:
            for line in invocation.readable_output():
                self.console(f"chat_start: {line}")
        return dict(invocation.result())


class _HttpServer(ThreadingHTTPServer):
    """One line on the console for a request that fails, not http.server's traceback."""

    daemon_threads = True

    def __init__(
        self,
        address: tuple[str, int],
        handler: type[BaseHTTPRequestHandler],
        console: Console | None,
    ) -> None:
        super().__init__(address, handler)
        self.console = console

    def handle_error(self, request: Any, client_address: Any) -> None:
        if self.console is None:
            super().handle_error(request, client_address)
            return
        error = sys.exc_info()[1]
        # The console is meant to be shared (pasted into an issue): an error's text may quote
        # what the customer typed, so it is masked as the functions mask their logs.
        self.console(f"request failed: {type(error).__name__}: {mask_text(str(error))}")


@contextmanager
def _listening(
    conversation: Conversation, listener: Callable[[dict[str, Any]], None]
) -> Iterator[None]:
    with conversation.lock:
        conversation.listeners.append(listener)
    try:
        yield
    finally:
        with conversation.lock:
            conversation.listeners.remove(listener)


def _send_quietly(connection: ServerConnection, item: dict[str, Any]) -> None:
    with suppress(ConnectionClosed):
        connection.send(websocket_frame(item))


INVALID_LENGTH = Refusal(400, "invalid_request", "The request was refused.")


def _edge_refusal(headers: Message) -> Refusal | None:
    """What the deployed web ACL answers before API Gateway sees the request, in its order
    (size, then media type), judged from the headers alone: nothing of the body is read."""
    try:
        length = int(headers.get("Content-Length") or 0)
    except ValueError:
        return INVALID_LENGTH
    if length < 0:
        return INVALID_LENGTH
    if length > MAX_CHAT_BODY_BYTES:
        return BODY_TOO_LARGE
    if not str(headers.get("Content-Type") or "").lower().startswith(CHAT_CONTENT_TYPE):
        return NOT_JSON
    return None


def _handler_for(server: LocalChatServer) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, format: str, *args: Any) -> None:
            """Quiet: the terminal belongs to the person chatting."""

        def do_GET(self) -> None:
            path = urlsplit(self.path).path
            if path == "/config.json":
                self._send(
                    HTTPStatus.OK, json.dumps(server.site_config()).encode(), "application/json"
                )
                return
            self._static(path)

        def do_OPTIONS(self) -> None:
            self._api("OPTIONS")

        def do_POST(self) -> None:
            path = urlsplit(self.path).path
            if path.startswith(API_PREFIX):
                self._api("POST")
            elif path in _PARTICIPANT_ROUTES:
                self._participant(_PARTICIPANT_ROUTES[path])
            else:
                self._send(HTTPStatus.NOT_FOUND, b'{"message":"Not found"}', "application/json")

        # -- routes ----------------------------------------------------------------------------
        def _api(self, method: str) -> None:
            path = urlsplit(self.path).path
            if path != f"{API_PREFIX}/{CHATS_PATH}":
                self._send(HTTPStatus.NOT_FOUND, b'{"message":"Not found"}', "application/json")
                return
            if method == "POST":
                refusal = _edge_refusal(self.headers)
                if refusal is not None:
                    # The body stays unread, so this connection cannot carry another request.
                    self.close_connection = True
                    self._send(
                        refusal.status,
                        refusal.body.encode(),
                        "application/json",
                        {"Connection": "close"},
                    )
                    return
            body = self._body()
            answer = server.invoke_chat_start(
                method, path, dict(self.headers.items()), body.decode() if body else None
            )
            headers = dict(answer.get("headers") or {})
            for name, values in (answer.get("multiValueHeaders") or {}).items():
                headers.setdefault(name, ",".join(values))
            payload = (answer.get("body") or "").encode()
            self._send(answer["statusCode"], payload, headers.pop("Content-Type", None), headers)

        def _participant(self, operation: str) -> None:
            raw = self._body()
            try:
                body = json.loads(raw) if raw else {}
                answer = server.participants.call(operation, dict(self.headers.items()), body)
            except ValueError:
                self._error(HTTPStatus.BAD_REQUEST, "ValidationException", "Body is not JSON")
                return
            except ParticipantError as error:
                self._error(error.status, error.code, error.message)
                return
            self._send(HTTPStatus.OK, json.dumps(answer).encode(), "application/json")

        def _static(self, path: str) -> None:
            assert server.site_dir is not None
            root = server.site_dir.resolve()
            target = (root / (path.lstrip("/") or "index.html")).resolve()
            if not target.is_relative_to(root) or not target.is_file():
                self._send(HTTPStatus.NOT_FOUND, b"Not found", "text/plain")
                return
            content_type = mimetypes.guess_type(target.name)[0] or "application/octet-stream"
            self._send(HTTPStatus.OK, target.read_bytes(), content_type)

        # -- plumbing --------------------------------------------------------------------------
        def _body(self) -> bytes:
            length = int(self.headers.get("Content-Length") or 0)
            return self.rfile.read(length) if length else b""

        def _error(self, status: int, code: str, message: str) -> None:
            """The wire format of a restJson error: the code in a header, the message in JSON."""
            body = json.dumps({"message": message}).encode()
            self._send(status, body, "application/json", {"x-amzn-ErrorType": code})

        def _send(
            self,
            status: int,
            body: bytes,
            content_type: str | None,
            headers: dict[str, str] | None = None,
        ) -> None:
            self.send_response(status)
            if content_type:
                self.send_header("Content-Type", content_type)
            self.send_header("Content-Length", str(len(body)))
            self.send_header("Cache-Control", "no-store")
            for name, value in (headers or {}).items():
                self.send_header(name, value)
            self.end_headers()
            self.wfile.write(body)

    return Handler
