"""`ccaas chat --web`: the customer's chat widget in your browser, against the local engine.

    ccaas chat --web                 # http://127.0.0.1:8080/ (stage dev)
    ccaas chat --web --stage prod --port 9000

Serves the same page the CloudFront site serves (web/, chatjs vendored from web/node_modules),
the start-chat API through the real chat_start handler, and a local stand-in for Connect's
participant service, so the widget exchanges messages with the stage's chat flow played by the
local flow engine. Nothing listens beyond 127.0.0.1. Ctrl-C stops it.

This module extends the `chat` command with `--web` (and `--port`) when another module has
registered `chat` (the terminal chat); otherwise it registers `chat` itself.
"""

from __future__ import annotations

import argparse
import sys
import threading
from collections.abc import Callable
from typing import Any

from config import ConfigError, load_stage

DEFAULT_PORT = 8080
Handler = Callable[[argparse.Namespace], int]


def register(subparsers: Any) -> None:
    chat = subparsers.choices.get("chat")
    terminal: Handler | None = None
    if chat is None:
        chat = subparsers.add_parser(
            "chat", help="chat with the stage's flows (--web: in a browser, with the real widget)"
        )
    else:
        terminal = chat.get_default("handler")
    options = chat._option_string_actions
    if "--stage" not in options:
        chat.add_argument("--stage", default="dev", help="config/<stage>.yaml (default: dev)")
    chat.add_argument(
        "--web", action="store_true", help="serve the chat widget on 127.0.0.1 and chat there"
    )
    if "--port" not in options:
        chat.add_argument(
            "--port", type=int, default=DEFAULT_PORT, help=f"with --web (default: {DEFAULT_PORT})"
        )

    def handle(args: argparse.Namespace) -> int:
        if args.web:
            return run_web(args)
        if terminal is None:
            print("ccaas chat: add --web to chat in the browser", file=sys.stderr)
            return 2
        return terminal(args)

    chat.set_defaults(handler=handle)


def run_web(args: argparse.Namespace, stop: threading.Event | None = None) -> int:
    try:
        config = load_stage(args.stage)
    except ConfigError as error:
        print(error, file=sys.stderr)
        return 2
    if not config.channels.chat or config.chat is None:
        print(
            f"ccaas chat --web: channels.chat is off in config/{args.stage}.yaml", file=sys.stderr
        )
        return 2
    from local_connect.webchat.flow_peer import flow_peer_factory
    from local_connect.webchat.server import LocalChatServer

    server = LocalChatServer(
        config, peer_factory=flow_peer_factory(config), port=getattr(args, "port", DEFAULT_PORT)
    )
    try:
        server.start()
    except OSError as error:
        print(f"ccaas chat --web: cannot listen on 127.0.0.1:{args.port}: {error}", file=sys.stderr)
        return 2
    print(f"{config.organisation} web chat ({config.stage}, flow '{config.chat.flow}')")
    print(f"Open {server.url}/ in your browser. Ctrl-C to stop.", flush=True)
    try:
        (stop or threading.Event()).wait()
    except KeyboardInterrupt:
        pass
    finally:
        server.stop()
    return 0
