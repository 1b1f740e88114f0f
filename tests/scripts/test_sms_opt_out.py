"""`ccaas sms-opt-out` against End User Messaging through botocore's Stubber (model-checked)."""

from __future__ import annotations

import argparse
from datetime import datetime

import boto3
import pytest
from botocore.stub import Stubber

from scripts.cli import build_parser, main
from scripts.cli_support import CommandError, ProblemsFound
from scripts.commands.sms_opt_out import run
from tests.scripts.cli_checks import one_error_line, only_aws_settings

LIST = "riverside-dev"  # sms.opt_out_list in config/dev.yaml
PHONE = "+13125550143"
ANSWER = {
    "OptOutListArn": f"arn:aws:sms-voice:us-east-1:123456789012:opt-out-list/{LIST}",
    "OptOutListName": LIST,
    "OptedOutNumber": PHONE,
    "OptedOutTimestamp": datetime(2026, 12, 1),
    "EndUserOptedOut": False,
}


def args(*argv: str) -> argparse.Namespace:
    return build_parser().parse_args(["sms-opt-out", *argv])


@pytest.fixture()
def client() -> object:
    return boto3.client("pinpoint-sms-voice-v2", region_name="us-east-1")


def test_a_number_given_to_an_agent_goes_on_the_stage_opt_out_list(
    client: object, capsys: pytest.CaptureFixture[str]
) -> None:
    with Stubber(client) as stub:  # type: ignore[arg-type]
        stub.add_response(
            "put_opted_out_number", ANSWER, {"OptOutListName": LIST, "OptedOutNumber": PHONE}
        )
        assert run(args("(312) 555-0143"), client=client) == 0
        stub.assert_no_pending_responses()
    output = capsys.readouterr().out
    assert output == f"+1*******143: added to {LIST}\n"
    assert PHONE not in output


def test_status_and_undo(client: object, capsys: pytest.CaptureFixture[str]) -> None:
    with Stubber(client) as stub:  # type: ignore[arg-type]
        stub.add_response(
            "describe_opted_out_numbers",
            {
                "OptOutListArn": ANSWER["OptOutListArn"],
                "OptOutListName": LIST,
                "OptedOutNumbers": [
                    {
                        "OptedOutNumber": PHONE,
                        "OptedOutTimestamp": datetime(2026, 12, 1),
                        "EndUserOptedOut": False,
                    }
                ],
            },
            {"OptOutListName": LIST, "OptedOutNumbers": [PHONE]},
        )
        stub.add_response(
            "delete_opted_out_number", ANSWER, {"OptOutListName": LIST, "OptedOutNumber": PHONE}
        )
        assert run(args(PHONE, "--status"), client=client) == 0
        assert run(args(PHONE, "--undo"), client=client) == 0
    assert capsys.readouterr().out.splitlines() == [
        f"+1*******143: opted out ({LIST})",
        f"+1*******143: removed from {LIST}",
    ]


def test_a_customer_who_texted_stop_cannot_be_opted_back_in_by_us(client: object) -> None:
    with Stubber(client) as stub:  # type: ignore[arg-type]
        stub.add_client_error(
            "delete_opted_out_number",
            service_error_code="ValidationException",
            http_status_code=400,
            modeled_fields={"Reason": "PHONE_NUMBER_CANNOT_BE_OPTED_IN"},
        )
        with pytest.raises(ProblemsFound) as refused:
            run(args(PHONE, "--undo"), client=client)
    assert refused.value.exit_code == 1
    assert str(refused.value) == (
        "AWS refused: ValidationException: PHONE_NUMBER_CANNOT_BE_OPTED_IN "
        "(the customer texted STOP; only their own START undoes it)"
    )


def test_any_other_refusal_is_exit_1(client: object) -> None:
    with Stubber(client) as stub:  # type: ignore[arg-type]
        stub.add_client_error(
            "put_opted_out_number",
            service_error_code="ResourceNotFoundException",
            service_message="Opt-out list riverside-dev not found",
            http_status_code=404,
        )
        with pytest.raises(
            ProblemsFound, match="AWS refused: ResourceNotFoundException"
        ) as refused:
            run(args(PHONE), client=client)
    assert refused.value.exit_code == 1


@pytest.mark.parametrize(
    ("argv", "says"),
    [
        (["12"], "'12' is not a phone number"),
        ([PHONE, "--stage", "prod"], "channels.sms is off in config/prod.yaml"),
    ],
)
def test_bad_numbers_and_stages_without_sms_are_refused_before_any_call(
    argv: list[str], says: str, client: object
) -> None:
    # Any call would fail: nothing is stubbed.
    with Stubber(client), pytest.raises(CommandError, match=says) as refused:  # type: ignore[arg-type]
        run(args(*argv), client=client)
    assert refused.value.exit_code == 2


# -- through `main`, as a user runs it ---------------------------------------------------------


@pytest.mark.parametrize(
    ("argv", "variables", "says"),
    [
        ([], {}, "ccaas sms-opt-out: no AWS region (pass --region, or set AWS_REGION"),
        (
            [],
            {"AWS_PROFILE": "does-not-exist", "AWS_DEFAULT_REGION": "eu-west-2"},
            "ccaas sms-opt-out: AWS profile 'does-not-exist' not found",
        ),
        (
            ["--profile", "does-not-exist", "--region", "eu-west-2"],
            {},
            "ccaas sms-opt-out: AWS profile 'does-not-exist' not found",
        ),
        ([], {"AWS_REGION": "eu-west-2"}, "ccaas sms-opt-out: no AWS credentials (run"),
        (["--region", "eu-west-2"], {}, "ccaas sms-opt-out: no AWS credentials (run"),
    ],
    ids=["no-region", "unknown-AWS_PROFILE", "unknown-profile", "AWS_REGION", "--region"],
)
def test_aws_settings_problems_are_one_line_exit_2(
    argv: list[str],
    variables: dict[str, str],
    says: str,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    only_aws_settings(monkeypatch, **variables)
    assert main(["sms-opt-out", PHONE, "--status", *argv]) == 2
    assert one_error_line(capsys).startswith(says)


def test_a_bad_number_through_main_is_one_line_exit_2(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["sms-opt-out", "12"]) == 2
    assert one_error_line(capsys) == (
        "ccaas sms-opt-out: '12' is not a phone number (give it in E.164, e.g. +13125550143)"
    )
