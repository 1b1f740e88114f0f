#!/usr/bin/env python3
"""Builds the stacks for one stage: `cdk synth -c stage=dev` reads config/dev.yaml.

What would make the deploy fail (a config or flow error, a template over CloudFormation's size
limit) stops here, in the same words `ccaas synth` uses, before the CDK CLI uploads anything.
"""

import sys
from typing import NoReturn

from config import ConfigError, load_stage
from flowlang.problems import FlowValidationError
from infra.stacks import build_app, deploy_environment, new_app
from infra.synth import oversized_templates


def main() -> None:
    app = new_app()
    stage = app.node.try_get_context("stage") or "dev"
    try:
        config = load_stage(stage)
    except ConfigError as error:
        _fail(f"invalid config {error.source}: {'; '.join(error.problems)}", exit_code=2)
    try:
        build_app(app, config, env=deploy_environment())
    except FlowValidationError as error:
        _fail(*(str(problem) for problem in error.problems))
    oversized = oversized_templates(app.synth().stacks)
    if oversized:
        _fail(*oversized)


def _fail(*lines: str, exit_code: int = 1) -> NoReturn:
    for line in lines:
        print(f"app.py: {line}", file=sys.stderr, flush=True)
    raise SystemExit(exit_code)


if __name__ == "__main__":
    main()
