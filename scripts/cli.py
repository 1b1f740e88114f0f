"""`ccaas`: one entry point; each module in `scripts/commands/` adds its own subcommand.

A command module defines `register(subparsers)`, which adds a parser whose `handler` default is a
function taking the parsed arguments and returning an exit code. Adding a command never touches
this file.
"""

from __future__ import annotations

import argparse
import importlib
import os
import pkgutil
import sys
from collections.abc import Sequence

from scripts import commands

EXIT_USAGE = 2


class CommandError(Exception):
    """A failure the user can fix; printed as one line, exit code 2."""


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="ccaas", description="Serverless omnichannel contact center on Amazon Connect."
    )
    subparsers = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    for module in sorted(pkgutil.iter_modules(commands.__path__), key=lambda m: m.name):
        importlib.import_module(f"{commands.__name__}.{module.name}").register(subparsers)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    # jsii prints a multi-line banner on every run under Node 20; it is noise for our users.
    os.environ.setdefault("JSII_SILENCE_WARNING_END_OF_LIFE_NODE_VERSION", "20")
    args = build_parser().parse_args(argv)
    try:
        return int(args.handler(args))
    except CommandError as error:
        print(f"ccaas {args.command}: {error}", file=sys.stderr)
        return EXIT_USAGE


if __name__ == "__main__":
    raise SystemExit(main())
