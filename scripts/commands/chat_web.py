"""`ccaas chat --web`: the customer's chat widget in your browser, against the local engine.

Serves the same page the CloudFront site serves (web/, chatjs vendored from web/node_modules),
the start-chat API through the real chat_start handler, and a local stand-in for Connect's
participant service, so the widget exchanges messages with the stage's chat flow played by the
local flow engine. Nothing listens beyond 127.0.0.1. Ctrl-C stops it.

This module extends the `chat` command (registered by `chat`, whose description covers both)
with `--web` and `--port`. The console shows one readable line per thing a handler printed:
Powertools' EMF metrics are CloudWatch's business in AWS, not a wall of JSON here.

Exit codes: 0 served until Ctrl-C; 2 bad arguments, a stage without chat, a port that cannot
be listened on, or a missing dependency (named, with how to install it).
"""

from __future__ import annotations

import argparse
import errno
import subprocess
import threading
import warnings
from collections.abc import Callable
from typing import Any

from config import ContactCenterConfig, load_stage
from scripts.cli_support import CommandError, port_number
from scripts.commands.chat import require_chat

DEFAULT_PORT = 8080
Handler = Callable[[argparse.Namespace], int]
# Powertools warns on every CORS preflight, which adds no metric; in AWS it is a log line.
EMPTY_METRICS_WARNING = "No application metrics to publish"


def register(subparsers: Any) -> None:
    chat = subparsers.choices["chat"]
    terminal: Handler = chat.get_default("handler")
    chat.add_argument(
        "--web", action="store_true", help="serve the chat widget on 127.0.0.1 and chat there"
    )
    chat.add_argument(
        "--port",
        type=port_number,
        default=DEFAULT_PORT,
        help=f"with --web: the port on 127.0.0.1 (default: {DEFAULT_PORT})",
    )

    def handle(args: argparse.Namespace) -> int:
        return run_web(args) if args.web else terminal(args)

    chat.set_defaults(handler=handle)


def run_web(args: argparse.Namespace, stop: threading.Event | None = None) -> int:
    config = load_stage(args.stage)
    require_chat(config, args.stage)
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", message=EMPTY_METRICS_WARNING, category=UserWarning)
        server = _server(config, args.port)
        try:
            server.start()
        except OSError as error:
            raise _cannot_serve(error, args.port) from None
        except subprocess.CalledProcessError as error:
            raise CommandError(
                f"building the chat widget failed (node web/build.mjs exited {error.returncode})",
                "run `npm ci` in web/ and try again",
            ) from None
        assert config.chat is not None
        print(f"{config.organisation} web chat ({config.stage}, flow '{config.chat.flow}')")
        print(f"Open {server.url}/ in your browser. Ctrl-C to stop.", flush=True)
        try:
            (stop or threading.Event()).wait()
        except KeyboardInterrupt:
            pass
        finally:
            server.stop()
    return 0


def _server(config: ContactCenterConfig, port: int) -> Any:
    try:
        from local_connect.chat.flow_peer import flow_peer_factory
        from local_connect.chat.server import LocalChatServer
    except ModuleNotFoundError as missing:
        package = (missing.name or "").split(".")[0]
        raise CommandError(
            f"--web needs the Python package '{package}'", f"pip install {package}"
        ) from None
    return LocalChatServer(
        config, peer_factory=flow_peer_factory(config), port=port, console=_console
    )


def _console(line: str) -> None:
    print(line, flush=True)


def _cannot_serve(error: OSError, port: int) -> CommandError:
    if isinstance(error, FileNotFoundError) and error.filename == "node":
        return CommandError(
            "--web needs Node.js to build the chat widget", "install Node.js 20 or later"
        )
    reason = "the port is in use" if error.errno == errno.EADDRINUSE else error.strerror or error
    return CommandError(f"cannot listen on 127.0.0.1:{port}: {reason}", "choose another --port")
