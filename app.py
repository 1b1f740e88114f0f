#!/usr/bin/env python3
"""Builds the stacks for one stage: `cdk synth -c stage=dev` reads config/dev.yaml."""

import os
import sys

from aws_cdk import Environment

from config import ConfigError, load_stage
from infra.stacks import build_app, new_app


def main() -> None:
    app = new_app()
    stage = app.node.try_get_context("stage") or "dev"
    try:
        config = load_stage(stage)
    except ConfigError as error:
        print(error, file=sys.stderr)
        raise SystemExit(2) from None
    env = Environment(
        account=os.environ.get("CDK_DEFAULT_ACCOUNT"), region=os.environ.get("CDK_DEFAULT_REGION")
    )
    build_app(app, config, env=env)
    app.synth()


if __name__ == "__main__":
    main()
