"""What every `ccaas` command shares: exit codes, one-line errors, input and output checks, AWS.

The rules users of the CDK and Terraform command lines expect:
- exit 0 on success, 1 when the command ran and found problems (an invalid flow, a failed smoke
  test, AWS refusing a call), 2 for bad usage or input (a bad flag, an unreadable file, no region
  or credentials);
- an error is one line on stderr, `ccaas <command>: <what> (<how to fix>)`, never a traceback;
- every output path is checked before the work starts, so a typo does not cost minutes of work.
"""

from __future__ import annotations

import argparse
import json
import os
import tempfile
from collections.abc import Callable, Iterator
from functools import partial
from pathlib import Path
from typing import Any

from config.stack_names import DATA, stack_name

EXIT_OK = 0
EXIT_PROBLEMS = 1
EXIT_USAGE = 2


class CommandError(Exception):
    """A failure the user can act on: printed as `ccaas <command>: <what> (<hint>)`."""

    exit_code = EXIT_USAGE

    def __init__(self, what: str, hint: str | None = None) -> None:
        super().__init__(what)
        self.what = what
        self.hint = hint

    def __str__(self) -> str:
        return f"{self.what} ({self.hint})" if self.hint else self.what


class NoRegionError(CommandError):
    """No AWS region anywhere: a usage error, except to commands whose AWS part is optional."""


class ProblemsFound(CommandError):  # noqa: N818 - an outcome, not a fault: "ccaas validate-flows found problems"
    """The command ran and what it checked or called failed: exit code 1."""

    exit_code = EXIT_PROBLEMS


# -- numbers -----------------------------------------------------------------------------------


def positive_int(text: str) -> int:
    """An argparse type: a whole number of at least 1."""
    return _bounded_int(text, minimum=1)


def non_negative_int(text: str) -> int:
    """An argparse type: a whole number of at least 0."""
    return _bounded_int(text, minimum=0)


def int_between(minimum: int, maximum: int) -> Callable[[str], int]:
    """An argparse type: a whole number from `minimum` to `maximum`."""
    return partial(_bounded_int, minimum=minimum, maximum=maximum)


def port_number(text: str) -> int:
    """An argparse type: a TCP port, 1 to 65535."""
    return _bounded_int(text, minimum=1, maximum=65535)


def _bounded_int(text: str, *, minimum: int, maximum: int | None = None) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"'{text}' is not a whole number") from None
    if value < minimum or (maximum is not None and value > maximum):
        bounds = f"at least {minimum}" if maximum is None else f"{minimum} to {maximum}"
        raise argparse.ArgumentTypeError(f"{value} is out of range ({bounds})")
    return value


# -- inputs ------------------------------------------------------------------------------------


def read_text(path: Path, what: str) -> str:
    """A UTF-8 text file's content, or a CommandError naming the file and what is wrong."""
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        raise CommandError(f"{path}: no such file", f"check the {what} path") from None
    except IsADirectoryError:
        raise CommandError(f"{path} is a folder, not a {what}") from None
    except OSError as error:
        raise CommandError(f"cannot read {path}: {error.strerror}") from None
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError as error:
        raise CommandError(
            f"{path} is not a UTF-8 text file (byte {error.start})", f"expected a {what}"
        ) from None


def json_lines(path: Path, what: str) -> Iterator[tuple[int, Any]]:
    """(line number, parsed value) for every non-blank line; a line that is not JSON yields
    (line number, `NOT_JSON`) so the caller can name it and go on with the rest."""
    for number, line in enumerate(read_text(path, what).splitlines(), start=1):
        if not line.strip():
            continue
        try:
            yield number, json.loads(line)
        except json.JSONDecodeError:
            yield number, NOT_JSON


NOT_JSON = object()


# -- outputs -----------------------------------------------------------------------------------


def writable_file(path: Path, flag: str) -> Path:
    """Checks, before any work, that `path` can be written (its folder is created if missing)."""
    if path.is_dir():
        raise CommandError(f"{flag} {path} is a folder", "name a file")
    _probe(path.parent, flag, path)
    return path


def writable_dir(path: Path, flag: str) -> Path:
    """Checks, before any work, that files can be written into the folder `path` (created if
    missing)."""
    if path.exists() and not path.is_dir():
        raise CommandError(f"{flag} {path} is a file", "name a folder")
    _probe(path, flag, path)
    return path


def _probe(folder: Path, flag: str, named: Path) -> None:
    """Creates the folder and a scratch file in it: the only check that `/proc`, read-only
    mounts and permission bits all answer truthfully."""
    try:
        folder.mkdir(parents=True, exist_ok=True)
        with tempfile.NamedTemporaryFile(dir=folder, prefix=".ccaas-probe-"):
            pass
    except OSError as error:
        reason = error.strerror or type(error).__name__
        raise CommandError(
            f"{flag} {named} cannot be written: {reason}", "choose another path"
        ) from None


# -- AWS ---------------------------------------------------------------------------------------


def add_aws_options(parser: argparse.ArgumentParser, *, used: str | None = None) -> None:
    """`--profile` and `--region`, worded alike in every command that talks to an account;
    `used` says when they apply (e.g. "with --table") for commands that also work offline."""
    when = f"{used}; " if used else ""
    parser.add_argument(
        "--profile", default=None, help=f"AWS named profile ({when}default: AWS_PROFILE)"
    )
    parser.add_argument(
        "--region",
        default=None,
        help=f"AWS region ({when}default: AWS_REGION, AWS_DEFAULT_REGION or the profile's)",
    )


def aws_session(profile: str | None, region: str | None) -> Any:
    """A boto3 session for commands that talk to a real account, with the CLI's own fallbacks
    (`AWS_REGION` as well as `AWS_DEFAULT_REGION`) and one-line errors for what is missing."""
    import boto3
    from botocore.exceptions import ProfileNotFound

    try:
        session = boto3.Session(
            profile_name=profile, region_name=region or os.environ.get("AWS_REGION") or None
        )
    except ProfileNotFound as error:
        raise CommandError(
            f"AWS profile '{error.kwargs.get('profile', profile)}' not found",
            "list yours with `aws configure list-profiles`, or drop --profile",
        ) from None
    if not session.region_name:
        raise NoRegionError(
            "no AWS region", "pass --region, or set AWS_REGION or AWS_DEFAULT_REGION"
        )
    return session


def aws_failure(error: Exception) -> CommandError:
    """botocore's own errors as one line: missing credentials are the user's to fix (exit 2);
    a refusal or an unreachable endpoint means the command failed (exit 1)."""
    from botocore.exceptions import (
        ClientError,
        NoCredentialsError,
        NoRegionError,
        PartialCredentialsError,
        ProfileNotFound,
    )

    if isinstance(error, NoCredentialsError | PartialCredentialsError):
        return CommandError(
            "no AWS credentials", "run `aws configure` or `aws sso login`, or set AWS_PROFILE"
        )
    if isinstance(error, NoRegionError):
        return CommandError(
            "no AWS region", "pass --region, or set AWS_REGION or AWS_DEFAULT_REGION"
        )
    if isinstance(error, ProfileNotFound):
        return CommandError(f"{error}", "list yours with `aws configure list-profiles`")
    if isinstance(error, ClientError):
        details = error.response.get("Error", {})
        return ProblemsFound(f"AWS refused: {details.get('Code')}: {details.get('Message')}")
    return ProblemsFound(f"cannot reach AWS: {error}")


def data_table_name(cloudformation: Any, stage: str, table: str, *, missing: str) -> str:
    """The physical name of one of the stage's tables (`table`: its id in the Data stack, such as
    "Metrics"), from the deployed Data stack's resources; `missing` says what to do without it."""
    from botocore.exceptions import ClientError

    stack = stack_name(stage, DATA)
    try:
        resources = cloudformation.describe_stack_resources(StackName=stack)["StackResources"]
    except ClientError as error:
        raise ProblemsFound(
            f"cannot read stack {stack}: {error.response['Error']['Message']}",
            "deployed? right --profile/--region? or pass --table",
        ) from None
    for resource in resources:
        if resource["ResourceType"] == "AWS::DynamoDB::Table" and resource[
            "LogicalResourceId"
        ].startswith(f"{DATA}{table}"):
            return str(resource["PhysicalResourceId"])
    raise ProblemsFound(f"stack {stack} has no {table.lower()} table", missing)
