"""`ccaas chat --web`: registered beside the terminal chat, refuses what it cannot serve, and
serves the widget until told to stop."""

from __future__ import annotations

import argparse
import socket
import threading
import urllib.request

import pytest

from config import ContactCenterConfig
from scripts import cli
from scripts.commands import chat_web


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
    assert chat_web.run_web(args(stage="nosuchstage")) == 2
    assert "nosuchstage" in capsys.readouterr().err


def test_a_stage_without_chat_is_refused_by_name(
    voice_only_config: ContactCenterConfig,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    monkeypatch.setattr(chat_web, "load_stage", lambda stage: voice_only_config)
    assert chat_web.run_web(args()) == 2
    assert "channels.chat is off in config/dev.yaml" in capsys.readouterr().err


def test_a_taken_port_is_refused_with_the_address(capsys: pytest.CaptureFixture[str]) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        assert chat_web.run_web(args(port=port)) == 2
    assert f"cannot listen on 127.0.0.1:{port}" in capsys.readouterr().err


def test_serves_the_widget_until_stopped(capsys: pytest.CaptureFixture[str]) -> None:
    stop = threading.Event()
    result: list[int] = []
    runner = threading.Thread(target=lambda: result.append(chat_web.run_web(args(), stop)))
    runner.start()
    try:
        url = ""
        for _ in range(600):
            printed = capsys.readouterr().out
            if "Open " in printed:
                url = printed.split("Open ", 1)[1].split(" ", 1)[0].rstrip("/")
                break
            stop.wait(0.05)
        assert url.startswith("http://127.0.0.1:")
        with urllib.request.urlopen(f"{url}/config.json", timeout=5) as response:
            assert b'"organisation": "Riverside Public Utilities"' in response.read()
    finally:
        stop.set()
        runner.join(timeout=30)
    assert result == [0]
