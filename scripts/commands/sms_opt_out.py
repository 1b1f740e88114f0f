"""`ccaas sms-opt-out NUMBER`: put a customer on (or take them off) the stage's SMS opt-out list.

Texting STOP opts a customer out by itself (End User Messaging answers the keyword and adds the
number to the list). This command is for the customer who asks an agent instead, on the phone
or by email: the number goes on the same list, so `notify` and every other sender skip it.

    ccaas sms-opt-out "+1 312 555 0143" --stage prod      # opt out
    ccaas sms-opt-out +13125550143 --stage prod --status  # is it opted out?
    ccaas sms-opt-out +13125550143 --stage prod --undo    # only for numbers added this way

Exit codes: 0 done; 1 AWS refused (the reason is printed); 2 bad arguments or no SMS channel.
The number is printed masked, like everywhere else in this project.
"""

from __future__ import annotations

import argparse
import sys
from typing import Any

import boto3
from botocore.config import Config
from botocore.exceptions import BotoCoreError, ClientError

from config import ConfigError, load_stage
from lambdas.common.identity import normalize_phone
from lambdas.common.masking import mask_phone
from lambdas.notify.gateways import SmsGateway

EXIT_REFUSED = 1
EXIT_FAILED = 2
CLIENT_CONFIG = Config(retries={"max_attempts": 5, "mode": "standard"}, connect_timeout=5)


def register(subparsers: Any) -> None:
    parser = subparsers.add_parser(
        "sms-opt-out", help="add a phone number to (or remove it from) the SMS opt-out list"
    )
    parser.add_argument("number", help="the customer's phone number (E.164 or national)")
    parser.add_argument("--stage", default="dev", help="config/<stage>.yaml (default: dev)")
    action = parser.add_mutually_exclusive_group()
    action.add_argument("--undo", action="store_true", help="opt the number back in")
    action.add_argument("--status", action="store_true", help="only say whether it is opted out")
    parser.add_argument("--region", help="AWS region (default: from the environment)")
    parser.add_argument("--profile", help="AWS named profile")
    parser.set_defaults(handler=run)


def run(args: argparse.Namespace, client: Any = None) -> int:
    try:
        config = load_stage(args.stage)
    except ConfigError as error:
        print(error, file=sys.stderr)
        return EXIT_FAILED
    if not config.channels.sms or config.sms is None:
        print(f"sms-opt-out: channels.sms is off in config/{args.stage}.yaml", file=sys.stderr)
        return EXIT_FAILED
    phone = normalize_phone(args.number)
    if phone is None:
        print(f"sms-opt-out: '{args.number}' is not a phone number", file=sys.stderr)
        return EXIT_FAILED
    if client is None:
        session = boto3.Session(profile_name=args.profile, region_name=args.region)
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
        reason = error.response.get("Reason") or error.response["Error"].get("Message", "")
        print(f"sms-opt-out: {error.response['Error']['Code']} {reason}".rstrip(), file=sys.stderr)
        return EXIT_REFUSED
    except BotoCoreError as error:
        print(f"sms-opt-out: {error}", file=sys.stderr)
        return EXIT_FAILED
    return 0
