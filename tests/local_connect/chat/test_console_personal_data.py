"""`ccaas chat --web` prints a console meant to be shared: no personal data in it unmasked.

The console gets chat_start's log lines for every request and one line per request that failed;
both are read back with the fuzz suite's detector (tests/fuzz/personal_data.py) after chats
started and refused with a customer's name, number and address in the form.
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Mapping
from http.server import BaseHTTPRequestHandler
from pathlib import Path

import pytest

from config import ContactCenterConfig
from local_connect.chat.server import LocalChatServer, _HttpServer
from tests.fuzz.personal_data import unmasked_personal_data
from tests.fuzz.strategies import PEOPLE
from tests.scripts.test_chat_web import post

CUSTOMER = PEOPLE[1]


@pytest.fixture()
def console(dev_config: ContactCenterConfig, tmp_path: Path) -> Iterator[tuple[str, list[str]]]:
    lines: list[str] = []
    with LocalChatServer(dev_config, site_dir=tmp_path, console=lines.append) as server:
        yield server.url, lines


def post_form(url: str, form: Mapping[str, object]) -> int:
    return post(f"{url}/api/chats", json.dumps(form).encode())


def test_chats_started_and_refused_leave_no_personal_data_on_the_console(
    console: tuple[str, list[str]],
) -> None:
    url, lines = console
    name = f"{CUSTOMER.first_name} {CUSTOMER.last_name}"
    # Given a customer who starts a chat, and one whose form is refused field by field
    form = {"name": name, "email": CUSTOMER.email, "phone": CUSTOMER.phone, "topic": "billing"}
    started = post_form(url, form)
    refused = post_form(url, {**form, "email": CUSTOMER.phone, "phone": CUSTOMER.email})

    # Then both reached chat_start, whose lines are on the console, without their details
    assert (started, refused) == (200, 400)
    assert any(line.startswith("chat_start:") for line in lines)
    assert unmasked_personal_data("\n".join(lines)) == []


def test_a_failed_request_is_reported_with_its_details_masked() -> None:
    lines: list[str] = []
    server = _HttpServer(("127.0.0.1", 0), BaseHTTPRequestHandler, lines.append)
    try:
        # Given an error whose text quotes what the customer sent
        try:
            raise ValueError(f"cannot start a chat for {CUSTOMER.phone} {CUSTOMER.email}")
        except ValueError:
            server.handle_error(None, ("127.0.0.1", 0))
    finally:
        server.server_close()

    # Then the console line names the error with the number and address masked
    (line,) = lines
    assert line.startswith("request failed: ValueError: cannot start a chat for +1")
    assert unmasked_personal_data(line) == []
