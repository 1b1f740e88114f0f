"""`ccaas validate-config FILE`: the config model, then the flows it names, with all rules."""

from __future__ import annotations

import argparse
from datetime import date
from pathlib import Path
from typing import Any

from config import ConfigError, ContactCenterConfig, load_config
from config.bot import BOTS_DIR, fulfillment_problems, load_stage_bot
from flowlang.context import StageFlows, discover_lambdas
from flowlang.validator import validate_stage
from infra.paths import CONTACT_FLOWS_DIR, LAMBDAS_DIR
from lambdas.self_service.logic import FAILED_MESSAGE, FULFILLMENT_MESSAGES
from scripts.cli_support import EXIT_OK, EXIT_PROBLEMS
from scripts.commands.validate_flows import report_problems

DESCRIPTION = """\
Checks a stage's config file without building anything: every field against the config model
(names, references between sections, hours, channels), the self-service bot file it names
(bots/, when self_service is enabled), then every flow the config names:
its file in contact_flows/ must exist and pass `ccaas validate-flows` with all rules for this
config: these are the stage's own flows, so warnings fail as errors do.

Reads FILE, bots/ and contact_flows/; writes nothing. A config that cannot be read is one line on
stderr (exit 2); flow findings are one line each on stdout, `error: ...` or `warning: ...`,
with their counts on stderr (exit 1). What is valid but probably not meant (a holiday already
in the past) is a `warning: FILE: field: reason` line on stdout that does not change the exit
code.

Examples:
  ccaas validate-config config/prod.yaml
  ccaas validate-config my-stage.yaml && ccaas synth --config my-stage.yaml
"""


def register(subparsers: Any) -> None:
    parser = subparsers.add_parser(
        "validate-config",
        help="validate a config YAML file and the flows it names",
        description=DESCRIPTION,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument(
        "file", type=Path, metavar="FILE", help="a config file, e.g. config/dev.yaml"
    )
    parser.set_defaults(handler=run)


def today() -> date:
    """The day holidays are compared with (a test pins it)."""
    return date.today()


def run(args: argparse.Namespace) -> int:
    config = load_config(args.file)
    bot_summary = check_bot(config)
    stage = StageFlows(config, discover_lambdas(LAMBDAS_DIR), CONTACT_FLOWS_DIR)
    if report_problems(validate_stage(stage), len(config.flows), strict=True):
        return EXIT_PROBLEMS
    for field, reason in config.warnings(today()):
        print(f"warning: {args.file}: {field}: {reason}")
    channels = ", ".join(channel.value for channel in config.channels.enabled())
    print(
        f"{args.file}: valid. stage={config.stage}, channels: {channels}; "
        f"{len(config.queues)} queues, {len(config.routing_profiles)} routing profiles, "
        f"{len(config.phone_numbers)} phone numbers, {len(config.flows)} flows (all valid)"
        f"{bot_summary}"
    )
    return EXIT_OK


def check_bot(config: ContactCenterConfig) -> str:
    """The self-service bot file, when the stage deploys one: its model, the stage's locales,
    and a sentence for everything the fulfillment function may say. Its summary, or ""."""
    if not config.self_service.enabled:
        return ""
    bot = load_stage_bot(config)
    problems = fulfillment_problems(bot, FULFILLMENT_MESSAGES, frozenset({FAILED_MESSAGE}))
    if problems:
        raise ConfigError(str(BOTS_DIR / config.self_service.bot_file), problems)
    locales = ", ".join(config.self_service.locales)
    return f"; self-service bot {bot.name}: {len(bot.intents)} intents in {locales}"
