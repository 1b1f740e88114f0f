"""`ccaas outage set|clear|list --stage S`: the outages the self-service bot tells callers about.

An operator posts an outage for a postal code with what callers should hear (one text for
every locale, or one per locale) and, if known, when service should be back; the bot's
OutageStatus answer reads it with one GetItem (lambdas/self_service/repository.py, the same
class writes here). An outage with an end time expires by itself: the bot stops reading it at
that time and DynamoDB's TTL deletes it a day later; `clear` removes it at once.

Exit codes: 0 done; 1 AWS refused or the stage is not deployed; 2 bad arguments, self-service
off, or no AWS region or credentials.
"""

from __future__ import annotations

import argparse
import re
from datetime import UTC, datetime
from typing import Any
from zoneinfo import ZoneInfo

from config import ContactCenterConfig, load_stage
from config.bot import opening_hours_name
from lambdas.self_service.repository import ANY_LOCALE, DynamoOutages, Outage, normalize_postal_code
from scripts.cli_support import (
    CommandError,
    ProblemsFound,
    add_aws_options,
    aws_session,
    data_table_name,
)

# A postal code anywhere: letters and digits once spaces and dashes are gone (UK codes are 7).
POSTAL_CODE = re.compile(r"^[0-9A-Z]{3,10}$")
LOCALE_TEXT = re.compile(r"^(?P<locale>[a-z]{2}_[A-Z0-9]{2,3})=(?P<text>.+)$", re.DOTALL)
MAX_DETAILS = 300  # one or two sentences read out on a call; longer texts lose the caller
DESCRIPTION = """\
Posts, clears or lists the outages the self-service bot reads out to callers who ask about
their postal code. `set` takes the text callers hear (--message, once for every language or as
LOCALE=TEXT per language) and optionally when service should be back (--until, local time of
the stage's opening hours unless it carries an offset). Reads config/<stage>.yaml and the
stage's Data stack; writes the outages table. Needs dynamodb:PutItem, DeleteItem and Scan on
it, and cloudformation:DescribeStackResources unless --table names it.

examples:
  ccaas outage set 60601 --message "Crews are repairing a line." --until 2026-12-03T18:00 --stage prod
  ccaas outage set 60601 --message "Crews are on site." --message "es_US=Hay cuadrillas en el lugar." --stage prod
  ccaas outage clear 60601 --stage prod
  ccaas outage list --stage prod
"""


def register(subparsers: Any) -> None:
    parser = subparsers.add_parser(
        "outage",
        help="post, clear or list the outages the self-service bot tells callers about",
        description=DESCRIPTION,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    actions = parser.add_subparsers(dest="action", required=True, metavar="ACTION")
    posting = actions.add_parser("set", help="post (or replace) the outage of a postal code")
    posting.add_argument("postal_code", metavar="POSTAL_CODE")
    posting.add_argument(
        "--message",
        action="append",
        required=True,
        metavar="[LOCALE=]TEXT",
        help="what callers hear; repeat as LOCALE=TEXT for each language",
    )
    posting.add_argument(
        "--until", metavar="WHEN", help="expected end, e.g. 2026-12-03T18:00 (local time)"
    )
    clearing = actions.add_parser("clear", help="remove the outage of a postal code")
    clearing.add_argument("postal_code", metavar="POSTAL_CODE")
    listing = actions.add_parser("list", help="every posted outage")
    for sub in (posting, clearing, listing):
        sub.add_argument("--stage", default="dev", help="config/<stage>.yaml (default: dev)")
        sub.add_argument("--table", help="the outages table's name (default: from the stack)")
        add_aws_options(sub)
    parser.set_defaults(handler=run)


def run(args: argparse.Namespace, table: Any = None) -> int:
    config = load_stage(args.stage)
    if not config.self_service.enabled:
        raise CommandError(
            f"self_service is off in config/{args.stage}.yaml",
            "the stage has no bot and no outages table",
        )
    zone = ZoneInfo(config.hours[opening_hours_name(config)].time_zone)
    # Every argument is checked before AWS is asked anything.
    postal_code = _postal_code(args.postal_code) if args.action != "list" else ""
    posted = (
        Outage(
            postal_code=postal_code,
            details=_details(args.message, config),
            until=_until(args.until, zone) if args.until else None,
            updated_at=datetime.now(UTC),
        )
        if args.action == "set"
        else None
    )
    outages = DynamoOutages(table if table is not None else _table(args, config))
    if posted is not None:
        outages.put(posted)
        print(f"{postal_code}: outage posted{_ending(posted, zone)}")
    elif args.action == "clear":
        if not outages.clear(postal_code):
            raise ProblemsFound(f"{postal_code}: no outage was posted")
        print(f"{postal_code}: outage cleared")
    else:
        _print_all(outages.all(), zone)
    return 0


def _postal_code(raw: str) -> str:
    code = normalize_postal_code(raw)
    if not POSTAL_CODE.match(code) or not re.fullmatch(r"[0-9A-Za-z -]+", raw.strip()):
        raise CommandError(
            f"'{raw}' is not a postal code", "letters and digits, e.g. 60601 or SW1A1AA"
        )
    return code


def _details(messages: list[str], config: ContactCenterConfig) -> dict[str, str]:
    locales = config.self_service.locales
    details: dict[str, str] = {}
    for message in messages:
        found = LOCALE_TEXT.match(message.strip())
        locale, text = (found["locale"], found["text"]) if found else (ANY_LOCALE, message)
        text = " ".join(text.split())
        if locale != ANY_LOCALE and locale not in locales:
            raise CommandError(
                f"--message {locale}=...: the bot of stage {config.stage} does not speak {locale}",
                f"use one of {', '.join(locales)}, or no prefix for every language",
            )
        if not 0 < len(text) <= MAX_DETAILS:
            raise CommandError(f"--message must be 1 to {MAX_DETAILS} characters", None)
        if locale in details:
            raise CommandError(f"--message gives {locale} twice", None)
        details[locale] = text
    if ANY_LOCALE not in details and not all(locale in details for locale in locales):
        missing = [locale for locale in locales if locale not in details]
        raise CommandError(
            f"--message: no text for {', '.join(missing)}",
            "give one without a LOCALE= prefix for every language",
        )
    return details


def _until(raw: str, zone: ZoneInfo) -> datetime:
    try:
        moment = datetime.fromisoformat(raw)
    except ValueError:
        raise CommandError(
            f"--until '{raw}' is not a date and time", "e.g. 2026-12-03T18:00"
        ) from None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=zone)
    if moment <= datetime.now(UTC):
        raise CommandError(f"--until {raw} is already past", "give when service should be back")
    return moment


def _ending(outage: Outage, zone: ZoneInfo) -> str:
    if outage.until is None:
        return " (no end given: clear it when service is back)"
    return f" until {outage.until.astimezone(zone):%Y-%m-%d %H:%M %Z}"


def _print_all(outages: list[Outage], zone: ZoneInfo) -> None:
    if not outages:
        print("no outages posted")
        return
    now = datetime.now(UTC)
    for outage in outages:
        state = "" if outage.is_current(now) else " (ended; expires from the table)"
        texts = "; ".join(
            text if locale == ANY_LOCALE else f"{locale}: {text}"
            for locale, text in sorted(outage.details.items())
        )
        print(f"{outage.postal_code}{_ending(outage, zone)}{state}: {texts}")


def _table(args: argparse.Namespace, config: ContactCenterConfig) -> Any:
    session = aws_session(args.profile, args.region)
    name = args.table or data_table_name(
        session.client("cloudformation"),
        config.stage,
        "Outages",
        missing="deploy the stage with self_service enabled",
    )
    return session.resource("dynamodb").Table(name)
