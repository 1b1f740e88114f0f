"""The local chat server refuses what the deployed web ACL refuses, before the handler runs:
bodies over the limit (413, judged from Content-Length, the body never read) and POSTs that are
not JSON (415), with the web ACL's own status and body (config/chat_settings.py)."""

from __future__ import annotations

import http.client
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from config import ContactCenterConfig
from config.chat_settings import BODY_TOO_LARGE, MAX_CHAT_BODY_BYTES, NOT_JSON
from local_connect.chat.server import LocalChatServer

CHATS = "/api/chats"


class Counted(LocalChatServer):
    """The real server, counting the requests that reach chat_start."""

    invocations = 0

    def invoke_chat_start(
        self, method: str, path: str, headers: dict[str, str], body: str | None
    ) -> dict[str, Any]:
        self.invocations += 1
        return super().invoke_chat_start(method, path, headers, body)


@pytest.fixture(scope="module")
def server(
    dev_config: ContactCenterConfig, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Counted]:
    site: Path = tmp_path_factory.mktemp("site")  # the widget itself is not under test here
    counted = Counted(dev_config, site_dir=site)
    with counted:
        yield counted


def send(
    server: LocalChatServer,
    headers: dict[str, str],
    body: bytes = b"",
    method: str = "POST",
) -> tuple[int, dict[str, str], bytes]:
    """One request on a fresh connection; only `body` is sent after the headers, whatever
    Content-Length says, so a server that tried to read a promised body would hang here."""
    host, port = server.url.removeprefix("http://").split(":")
    connection = http.client.HTTPConnection(host, int(port), timeout=10)
    try:
        connection.putrequest(method, CHATS)
        for name, value in {"Origin": server.url, **headers}.items():
            connection.putheader(name, value)
        connection.endheaders(body or None)
        response = connection.getresponse()
        return response.status, dict(response.getheaders()), response.read()
    finally:
        connection.close()


def test_a_body_over_the_limit_is_refused_before_it_is_read(server: Counted) -> None:
    # Given a client that announces 5 MB and sends none of it
    before = server.invocations
    status, headers, body = send(
        server, {"Content-Type": "application/json", "Content-Length": str(5 * 1024 * 1024)}
    )
    # Then the answer comes from the headers alone: 413 with the web ACL's body, and the
    # connection closes (its unread body cannot be taken for the next request)
    assert status == BODY_TOO_LARGE.status
    assert json.loads(body) == json.loads(BODY_TOO_LARGE.body)
    assert headers["Connection"] == "close"
    assert server.invocations == before


def test_one_byte_over_the_limit_is_refused_and_the_limit_itself_reaches_the_handler(
    server: Counted,
) -> None:
    padding = MAX_CHAT_BODY_BYTES - len(json.dumps({"name": "", "topic": "billing"}))
    at_limit = json.dumps({"name": "x" * padding, "topic": "billing"}).encode()
    assert len(at_limit) == MAX_CHAT_BODY_BYTES
    json_type = {"Content-Type": "application/json"}

    status, _, _ = send(server, {**json_type, "Content-Length": str(len(at_limit) + 1)})
    assert status == 413

    before = server.invocations
    status, _, answer = send(server, {**json_type, "Content-Length": str(len(at_limit))}, at_limit)
    # The handler ran and refused the over-long name itself: the limit is not the edge's.
    assert (status, json.loads(answer)["error"]) == (400, "invalid_request")
    assert server.invocations == before + 1


@pytest.mark.parametrize(
    "content_type", [None, "text/plain", "application/x-www-form-urlencoded", "json"]
)
def test_a_post_that_is_not_json_is_refused(server: Counted, content_type: str | None) -> None:
    form = json.dumps({"name": "Ana", "topic": "billing"}).encode()
    headers = {"Content-Length": str(len(form))}
    if content_type is not None:
        headers["Content-Type"] = content_type
    before = server.invocations
    status, _, body = send(server, headers, form)
    assert (status, json.loads(body)) == (NOT_JSON.status, json.loads(NOT_JSON.body))
    assert server.invocations == before


@pytest.mark.parametrize("content_type", ["application/json; charset=utf-8", "Application/JSON"])
def test_json_with_parameters_or_any_case_reaches_the_handler(
    server: Counted, content_type: str
) -> None:
    body = b'{"name": ""}'
    before = server.invocations
    status, _, _ = send(server, {"Content-Type": content_type, "Content-Length": "12"}, body)
    assert status == 400  # the form's own validation, from the handler
    assert server.invocations == before + 1


@pytest.mark.parametrize("length", ["lots", "-1"])
def test_a_malformed_content_length_is_refused(server: Counted, length: str) -> None:
    status, _, body = send(server, {"Content-Type": "application/json", "Content-Length": length})
    assert (status, json.loads(body)["error"]) == (400, "invalid_request")


def test_preflights_are_not_held_to_the_body_rules(server: Counted) -> None:
    status, _, _ = send(
        server,
        {"Access-Control-Request-Method": "POST", "Content-Length": "0"},
        method="OPTIONS",
    )
    assert status == 204
