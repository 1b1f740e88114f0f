"""`ccaas`: one entry point; each module in `scripts/commands/` adds its own subcommand.

A command module defines `register(subparsers)`, which adds a parser whose `handler` default is a
function taking the parsed arguments and returning an exit code. A command that works only on
this machine sets `offline=True`: it then runs in the local engine's fixed AWS environment,
whatever the user's own AWS settings are. Adding a command never touches this file.
"""

from __future__ import annotations

import argparse
import contextlib
import importlib
import os
import pkgutil
import sys
from collections.abc import Sequence
from importlib.metadata import PackageNotFoundError, version
from typing import Any, NoReturn

from config import ConfigError
from scripts import commands
from scripts.cli_support import EXIT_PROBLEMS, EXIT_USAGE, CommandError, aws_failure

DEBUG_VARIABLE = "CCAAS_DEBUG"  # set to 1 to see the traceback of an unexpected error


class OneLineParser(argparse.ArgumentParser):
    """argparse, with usage errors in the one-line form every other error has, and no
    abbreviated options: `rehearse --records DIR` must not quietly mean `--records-out`."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("allow_abbrev", False)
        super().__init__(*args, **kwargs)

    def error(self, message: str) -> NoReturn:
        self.exit(EXIT_USAGE, f"{self.prog}: {message} (see `{self.prog} --help`)\n")


def build_parser() -> argparse.ArgumentParser:
    parser = OneLineParser(
        prog="ccaas",
        description="Serverless omnichannel contact center on Amazon Connect: validate, "
        "rehearse offline, synthesize, and operate a deployed stage.",
        epilog="Exit codes: 0 success; 1 the command found problems or AWS refused; "
        "2 bad usage or input. `ccaas COMMAND --help` describes each command.",
    )
    parser.add_argument("--version", action="version", version=f"%(prog)s {_version()}")
    subparsers = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    for module in sorted(pkgutil.iter_modules(commands.__path__), key=lambda m: m.name):
        importlib.import_module(f"{commands.__name__}.{module.name}").register(subparsers)
    return parser


def subcommands(parser: argparse.ArgumentParser) -> dict[str, argparse.ArgumentParser]:
    """Each command's name and parser, for the tests and the generated reference pages."""
    action = next(a for a in parser._actions if isinstance(a, argparse._SubParsersAction))
    return dict(sorted(action.choices.items()))


def _version() -> str:
    try:
        return version("serverless-contact-center")
    except PackageNotFoundError:
        return "(not installed)"


def main(argv: Sequence[str] | None = None) -> int:
    # jsii prints a multi-line banner on every run under Node 20; it is noise for our users.
    os.environ.setdefault("JSII_SILENCE_WARNING_END_OF_LIFE_NODE_VERSION", "20")
    args = build_parser().parse_args(argv)
    try:
        with _environment(args):
            return int(args.handler(args))
    except CommandError as error:
        return _fail(args.command, str(error), error.exit_code)
    except ConfigError as error:
        return _fail(
            args.command, f"invalid config {error.source}: {'; '.join(error.problems)}", EXIT_USAGE
        )
    except KeyboardInterrupt:
        return _fail(args.command, "interrupted", 130)
    except Exception as error:  # the last line of defence: one line, never a traceback
        from botocore.exceptions import BotoCoreError, ClientError

        if isinstance(error, BotoCoreError | ClientError):
            translated = aws_failure(error)
            return _fail(args.command, str(translated), translated.exit_code)
        if os.environ.get(DEBUG_VARIABLE) == "1":
            raise
        return _fail(
            args.command,
            f"unexpected {type(error).__name__}: {error}",
            EXIT_PROBLEMS,
            hint=f"rerun with {DEBUG_VARIABLE}=1 for the traceback, and please report it",
        )


def _environment(args: argparse.Namespace) -> contextlib.AbstractContextManager[None]:
    if getattr(args, "offline", False):
        from local_connect.runtime.local_aws import offline_aws

        return offline_aws()
    return contextlib.nullcontext()


def _fail(command: str, message: str, code: int, hint: str | None = None) -> int:
    text = f"ccaas {command}: {message}" + (f" ({hint})" if hint else "")
    print(" ".join(text.split()), file=sys.stderr, flush=True)
    return code


if __name__ == "__main__":
    raise SystemExit(main())
