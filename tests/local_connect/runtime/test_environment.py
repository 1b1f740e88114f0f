"""Environment variables for a block: set, then put back."""

from __future__ import annotations

import os

import pytest

from local_connect.runtime.environment import environment, isolated_environment
from local_connect.runtime.local_aws import LOCAL_REGION, offline_aws


def test_environment_puts_back_the_variables_it_set(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CCAAS_KEPT", "before")
    monkeypatch.delenv("CCAAS_NEW", raising=False)
    with environment({"CCAAS_KEPT": "during", "CCAAS_NEW": "during"}):
        assert os.environ["CCAAS_KEPT"] == os.environ["CCAAS_NEW"] == "during"
        os.environ["CCAAS_SET_INSIDE"] = "stays"
    assert os.environ["CCAAS_KEPT"] == "before"
    assert "CCAAS_NEW" not in os.environ
    assert os.environ.pop("CCAAS_SET_INSIDE") == "stays"  # only the named variables go back


def test_isolated_environment_puts_back_everything(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CCAAS_DROPPED", "before")
    before = dict(os.environ)
    with isolated_environment({"CCAAS_NEW": "during"}, drop=["CCAAS_DROPPED"]):
        assert os.environ["CCAAS_NEW"] == "during"
        assert "CCAAS_DROPPED" not in os.environ
        os.environ["CCAAS_SET_INSIDE"] = "goes"
    assert dict(os.environ) == before


def test_offline_aws_ignores_the_users_profile_and_region(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("AWS_PROFILE", "someone-elses")
    monkeypatch.setenv("AWS_DEFAULT_REGION", "eu-west-2")
    monkeypatch.setenv("AWS_ENDPOINT_URL_DYNAMODB", "http://localhost:8000")
    with offline_aws():
        assert os.environ["AWS_DEFAULT_REGION"] == os.environ["AWS_REGION"] == LOCAL_REGION
        assert "AWS_PROFILE" not in os.environ
        assert "AWS_ENDPOINT_URL_DYNAMODB" not in os.environ
    assert os.environ["AWS_PROFILE"] == "someone-elses"
    assert os.environ["AWS_DEFAULT_REGION"] == "eu-west-2"
