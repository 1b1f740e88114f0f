#!/usr/bin/env python3
"""Builds the stacks for one stage: `cdk synth -c stage=dev` reads config/dev.yaml."""

import sys

from config import ConfigError, load_stage
from infra.stacks import build_app, deploy_environment, new_app


def main() -> None:
    app = new_app()
    stage = app.node.try_get_context("stage") or "dev"
    try:
        config = load_stage(stage)
    except ConfigError as error:
        print(error, file=sys.stderr)
        raise SystemExit(2) from None
    build_app(app, config, env=deploy_environment())
    app.synth()


if __name__ == "__main__":
    main()
