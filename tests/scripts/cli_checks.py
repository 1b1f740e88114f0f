"""What the commands' error tests share: one line on stderr and no traceback, and an AWS
environment with nothing in it but what the test names."""

from __future__ import annotations

import os

import pytest


def one_error_line(capsys: pytest.CaptureFixture[str]) -> str:
    """The single stderr line a command printed (asserting there is exactly one)."""
    out, err = capsys.readouterr()
    assert "Traceback" not in out + err
    lines = err.strip().splitlines()
    assert len(lines) == 1, err
    return lines[0]


def only_aws_settings(monkeypatch: pytest.MonkeyPatch, **variables: str) -> None:
    """No AWS_* variable but `variables`, empty AWS config files, and no instance metadata
    (which botocore would otherwise ask for credentials over the network)."""
    for name in [name for name in os.environ if name.startswith("AWS_")]:
        monkeypatch.delenv(name)
    monkeypatch.setenv("AWS_CONFIG_FILE", os.devnull)
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", os.devnull)
    monkeypatch.setenv("AWS_EC2_METADATA_DISABLED", "true")
    for name, value in variables.items():
        monkeypatch.setenv(name, value)
