"""`ccaas sms-opt-out NUMBER`: put a customer on (or take them off) the stage's SMS opt-out list.

Texting STOP opts a customer out by itself (End User Messaging answers the keyword and adds the
number to the list). This command is for the customer who asks an agent instead: the number goes
on the same list through the same `SmsGateway` `notify` uses, so every sender skips it.

Exit codes: 0 done; 1 AWS refused (the reason is printed); 2 bad arguments, no SMS channel, or
no AWS region or credentials.
"""

from __future__ import annotations

import argparse
from typing import Any

from botocore.config import Config
from botocore.exceptions import BotoCoreError, ClientError

from config import load_stage
from lambdas.common.identity import normalize_phone
from lambdas.common.masking import mask_phone
from lambdas.notify.gateways import SmsGateway
from scripts.cli_support import (
    CommandError,
    ProblemsFound,
    add_aws_options,
    aws_failure,
    aws_session,
)

CLIENT_CONFIG = Config(retries={"max_attempts": 5, "mode": "standard"}, connect_timeout=5)
REASON_HINTS = {
    "PHONE_NUMBER_CANNOT_BE_OPTED_IN": "the customer texted STOP; only their own START undoes it",
}
DESCRIPTION = """\
Puts a phone number on the stage's SMS opt-out list (or takes it off, or says whether it is on
it), for the customer who asks an agent rather than texting STOP. Every text the contact center
sends skips the numbers on that list. Reads config/<stage>.yaml and the list in your AWS
account; prints the number masked.

examples:
  ccaas sms-opt-out "+1 312 555 0143" --stage prod       # opt out
  ccaas sms-opt-out +13125550143 --stage prod --status   # is it opted out?
  ccaas sms-opt-out +13125550143 --stage prod --undo     # only for numbers added this way
"""


def register(subparsers: Any) -> None:
    parser = subparsers.add_parser(
        "sms-opt-out",
        help="add a phone number to (or remove it from) the SMS opt-out list",
        description=DESCRIPTION,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("number", help="the customer's phone number (E.164 or national)")
    parser.add_argument("--stage", default="dev", help="config/<stage>.yaml (default: dev)")
    action = parser.add_mutually_exclusive_group()
    action.add_argument("--undo", action="store_true", help="opt the number back in")
    action.add_argument("--status", action="store_true", help="only say whether it is opted out")
    add_aws_options(parser)
    parser.set_defaults(handler=run)


def run(args: argparse.Namespace, client: Any = None) -> int:
    config = load_stage(args.stage)
    if not config.channels.sms or config.sms is None:
        raise CommandError(
            f"channels.sms is off in config/{args.stage}.yaml", "choose a stage with SMS on"
        )
    phone = normalize_phone(args.number)
    if phone is None:
        raise CommandError(
            f"'{args.number}' is not a phone number", "give it in E.164, e.g. +13125550143"
        )
    if client is None:
        session = aws_session(args.profile, args.region)
        client = session.client("pinpoint-sms-voice-v2", config=CLIENT_CONFIG)
    # Sending is not needed here: the origination identity only matters to `send`.
    gateway = SmsGateway(
        client=client, origination_identity="", opt_out_list=config.sms.opt_out_list
    )
    masked, listed = mask_phone(phone), config.sms.opt_out_list
    try:
        if args.status:
            state = "opted out" if gateway.is_opted_out(phone) else "not opted out"
            print(f"{masked}: {state} ({listed})")
        elif args.undo:
            gateway.opt_in(phone)
            print(f"{masked}: removed from {listed}")
        else:
            gateway.opt_out(phone)
            print(f"{masked}: added to {listed}")
    except ClientError as error:
        # End User Messaging says why in `Reason`, which the generic message leaves out.
        reason = str(error.response.get("Reason") or "")
        if reason:
            code = error.response.get("Error", {}).get("Code")
            raise ProblemsFound(
                f"AWS refused: {code}: {reason}", REASON_HINTS.get(reason)
            ) from None
        raise aws_failure(error) from None
    except BotoCoreError as error:
        raise aws_failure(error) from None
    return 0
