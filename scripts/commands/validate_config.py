"""`ccaas validate-config FILE`: check a config file without building anything."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

from config import ConfigError, load_config


def register(subparsers: Any) -> None:
    parser = subparsers.add_parser("validate-config", help="validate a config YAML file")
    parser.add_argument("file", type=Path)
    parser.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    try:
        config = load_config(args.file)
    except ConfigError as error:
        print(error, file=sys.stderr)
        return 2
    channels = ", ".join(channel.value for channel in config.channels.enabled())
    print(
        f"{args.file}: valid. stage={config.stage}, channels: {channels}; "
        f"{len(config.queues)} queues, {len(config.routing_profiles)} routing profiles, "
        f"{len(config.phone_numbers)} phone numbers, {len(config.flows)} flows"
    )
    return 0
