"""`ccaas outage`: what an operator posts is what the bot reads, over a moto outages table shaped
like the synthesized one."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import boto3
import pytest
from botocore.stub import Stubber
from moto import mock_aws

from config import ContactCenterConfig
from lambdas.self_service.repository import DynamoOutages
from scripts.cli import main
from scripts.cli_support import ProblemsFound, data_table_name
from tests.conftest import config_with, create_moto_table


@pytest.fixture()
def outages(table_definitions: dict[str, dict[str, Any]]) -> Iterator[DynamoOutages]:
    with mock_aws():
        dynamodb = boto3.resource("dynamodb")
        yield DynamoOutages(create_moto_table(dynamodb, "outages", table_definitions["outages"]))


def ccaas(*argv: str) -> int:
    return main(["outage", *argv, "--stage", "dev", "--table", "outages"])


def test_a_posted_outage_is_what_the_bot_reads_until_it_ends(
    outages: DynamoOutages, capsys: pytest.CaptureFixture[str]
) -> None:
    until = datetime.now(UTC).replace(second=0, microsecond=0) + timedelta(hours=5)
    # Without an offset, --until is local time of the stage's hours (Chicago in dev).
    chicago = until.astimezone(ZoneInfo("America/Chicago")).replace(tzinfo=None)
    code = ccaas(
        "set",
        "60601-1234",
        "--message",
        "Crews are repairing a line.",
        "--message",
        "es_US=Estamos reparando una línea.",
        "--until",
        chicago.isoformat(timespec="minutes"),
    )
    assert code == 0
    assert capsys.readouterr().out.startswith("60601: outage posted until ")
    posted = outages.current("60601", datetime.now(UTC))
    assert posted is not None
    assert posted.details == {
        "*": "Crews are repairing a line.",
        "es_US": "Estamos reparando una línea.",
    }
    assert posted.until == until
    assert outages.current("60601", until + timedelta(minutes=1)) is None


def test_list_and_clear(outages: DynamoOutages, capsys: pytest.CaptureFixture[str]) -> None:
    assert ccaas("list") == 0
    assert capsys.readouterr().out == "no outages posted\n"
    assert ccaas("set", "60602", "--message", "Storm damage.") == 0
    assert ccaas("list") == 0
    assert capsys.readouterr().out.splitlines()[-1] == (
        "60602 (no end given: clear it when service is back): Storm damage."
    )
    assert ccaas("clear", "60602") == 0
    assert outages.find("60602") is None
    capsys.readouterr()
    assert ccaas("clear", "60602") == 1
    assert capsys.readouterr().err == "ccaas outage: 60602: no outage was posted\n"


@pytest.mark.parametrize(
    ("argv", "says"),
    [
        (["set", "60601", "--message", "es_US=Sólo español."], "--message: no text for en_US"),
        (["set", "60601", "--message", "fr_CA=Panne."], "does not speak fr_CA"),
        (["set", "60601", "--message", "x", "--until", "2020-01-01T10:00"], "already past"),
        (["set", "60601", "--message", "x", "--until", "soon"], "is not a date and time"),
        (["set", "606!", "--message", "x"], "'606!' is not a postal code"),
        (["set", "60601", "--message", "x" * 301], "1 to 300 characters"),
    ],
)
def test_bad_arguments_are_one_line_before_any_write(
    outages: DynamoOutages, capsys: pytest.CaptureFixture[str], argv: list[str], says: str
) -> None:
    assert ccaas(*argv) == 2
    err = capsys.readouterr().err
    assert says in err and len(err.splitlines()) == 1
    assert outages.all() == []


def test_a_stage_without_self_service_has_no_outages(
    dev_config: ContactCenterConfig,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    off = config_with(dev_config, self_service={"enabled": False})
    monkeypatch.setattr("scripts.commands.outage.load_stage", lambda _: off)
    assert ccaas("list") == 2
    assert "self_service is off in config/dev.yaml" in capsys.readouterr().err


def test_the_table_is_found_in_the_stages_data_stack() -> None:
    cloudformation = boto3.client("cloudformation")
    with Stubber(cloudformation) as stub:
        stub.add_response(
            "describe_stack_resources",
            {
                "StackResources": [
                    resource("DataCustomersF252F19A", "prod-Customers-1"),
                    resource("DataOutages0C2B6C2A", "prod-Outages-XYZ"),
                ]
            },
            {"StackName": "ContactCenter-prod-Data"},
        )
        assert (
            data_table_name(cloudformation, "prod", "Outages", missing="deploy it")
            == "prod-Outages-XYZ"
        )
        stub.add_client_error("describe_stack_resources", "ValidationError", "Stack does not exist")
        with pytest.raises(ProblemsFound, match="cannot read stack ContactCenter-prod-Data"):
            data_table_name(cloudformation, "prod", "Outages", missing="deploy it")


def resource(logical_id: str, physical_id: str) -> dict[str, Any]:
    return {
        "LogicalResourceId": logical_id,
        "PhysicalResourceId": physical_id,
        "ResourceType": "AWS::DynamoDB::Table",
        "Timestamp": datetime(2026, 12, 1, tzinfo=UTC),
        "ResourceStatus": "CREATE_COMPLETE",
        "StackName": "ContactCenter-prod-Data",
    }
