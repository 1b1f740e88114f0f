"""`ccaas sms-opt-out` against End User Messaging through botocore's Stubber (model-checked)."""

from __future__ import annotations

import argparse
from datetime import datetime

import boto3
import pytest
from botocore.stub import Stubber

from scripts.cli import build_parser
from scripts.commands.sms_opt_out import EXIT_FAILED, EXIT_REFUSED, run

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


def test_a_customer_who_texted_stop_cannot_be_opted_back_in_by_us(
    client: object, capsys: pytest.CaptureFixture[str]
) -> None:
    with Stubber(client) as stub:  # type: ignore[arg-type]
        stub.add_client_error(
            "delete_opted_out_number",
            service_error_code="ValidationException",
            http_status_code=400,
            modeled_fields={"Reason": "PHONE_NUMBER_CANNOT_BE_OPTED_IN"},
        )
        assert run(args(PHONE, "--undo"), client=client) == EXIT_REFUSED
    assert "PHONE_NUMBER_CANNOT_BE_OPTED_IN" in capsys.readouterr().err


def test_bad_numbers_and_stages_without_sms_are_refused_before_any_call(
    client: object, capsys: pytest.CaptureFixture[str]
) -> None:
    with Stubber(client):  # type: ignore[arg-type]  # any call would fail: nothing is stubbed
        assert run(args("12"), client=client) == EXIT_FAILED
        assert run(args(PHONE, "--stage", "prod"), client=client) == EXIT_FAILED
    err = capsys.readouterr().err
    assert "'12' is not a phone number" in err
    assert "channels.sms is off in config/prod.yaml" in err
