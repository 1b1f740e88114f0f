"""`ccaas chat --web`: registered beside the terminal chat, refuses what it cannot serve, and
serves the widget until told to stop."""

from __future__ import annotations

import argparse
import socket
import sys
import threading
import urllib.error
import urllib.request

import pytest

from local_connect.chat.server import LocalChatServer
from scripts import cli
from scripts.commands import chat_web
from tests.scripts.cli_checks import one_error_line


def args(**values: object) -> argparse.Namespace:
    return argparse.Namespace(**{"stage": "dev", "web": True, "port": 0, **values})


def test_chat_help_offers_both_the_terminal_and_the_browser(
    capsys: pytest.CaptureFixture[str],
) -> None:
    with pytest.raises(SystemExit):
        cli.main(["chat", "--help"])
    usage = capsys.readouterr().out
    assert "--web" in usage and "--port" in usage and "--topic" in usage


def test_an_unknown_stage_is_a_one_line_error(capsys: pytest.CaptureFixture[str]) -> None:
    assert cli.main(["chat", "--web", "--stage", "nosuchstage"]) == 2
    line = one_error_line(capsys)
    assert line.startswith("ccaas chat: ") and "nosuchstage" in line


def test_a_port_out_of_range_is_refused_by_the_parser(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exit_:
        cli.main(["chat", "--web", "--port", "99999"])
    assert exit_.value.code == 2
    assert "99999 is out of range (1 to 65535)" in one_error_line(capsys)


def test_a_taken_port_is_one_line_exit_2(capsys: pytest.CaptureFixture[str]) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        assert cli.main(["chat", "--web", "--port", str(port)]) == 2
    assert one_error_line(capsys) == (
        f"ccaas chat: cannot listen on 127.0.0.1:{port}: the port is in use (choose another --port)"
    )


def test_a_missing_package_is_named_with_how_to_install_it(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    # A None in sys.modules makes importing that module raise ModuleNotFoundError.
    monkeypatch.delitem(sys.modules, "local_connect.chat.server", raising=False)
    monkeypatch.setitem(sys.modules, "websockets.sync.server", None)
    assert cli.main(["chat", "--web"]) == 2
    assert one_error_line(capsys) == (
        "ccaas chat: --web needs the Python package 'websockets' (pip install websockets)"
    )


def post(url: str, body: bytes, method: str = "POST") -> int:
    request = urllib.request.Request(
        url,
        data=body or None,
        method=method,
        headers={
            "Content-Type": "application/json",
            "Origin": url.split("/api/", 1)[0],
            "Access-Control-Request-Method": "POST",
        },
    )
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            return int(response.status)
    except urllib.error.HTTPError as error:
        return error.code


def test_serves_the_widget_with_a_readable_console_until_stopped(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    stop = threading.Event()
    result: list[int] = []
    runner = threading.Thread(target=lambda: result.append(chat_web.run_web(args(), stop)))
    runner.start()
    printed = ""
    try:
        url = ""
        for _ in range(600):
            printed += capsys.readouterr().out
            if "Open " in printed:
                url = printed.split("Open ", 1)[1].split(" ", 1)[0].rstrip("/")
                break
            stop.wait(0.05)
        assert url.startswith("http://127.0.0.1:")
        with urllib.request.urlopen(f"{url}/config.json", timeout=5) as response:
            assert b'"organisation": "Riverside Public Utilities"' in response.read()
        chats = f"{url}/api/chats"
        assert post(chats, b"", method="OPTIONS") == 204  # the browser's preflight: no metric
        assert post(chats, b'{"name": ""}') == 400

        def broken(*_: object) -> dict[str, object]:
            raise RuntimeError("boom")

        monkeypatch.setattr(LocalChatServer, "invoke_chat_start", broken)
        with pytest.raises((ConnectionError, urllib.error.URLError)):
            post(chats, b'{"name": "Ana", "topic": "billing"}')
    finally:
        stop.set()
        runner.join(timeout=30)
    out, err = capsys.readouterr()
    assert result == [0]
    console = (printed + out).splitlines()[2:]
    assert console == [
        "chat_start: metric ChatStartRejected = 1",
        "request failed: RuntimeError: boom",
    ]
    assert err == ""
