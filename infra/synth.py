"""Synthesize a stage into a folder and read back what it made: templates and the validation report."""

from __future__ import annotations

import json
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from aws_cdk import Environment

from config import ContactCenterConfig
from infra.stacks import build_app, new_app


@dataclass(frozen=True)
class Synthesis:
    outdir: Path
    templates: dict[str, dict[str, Any]]
    report: dict[str, Any] = field(default_factory=dict)

    def resource_counts(self, stack: str) -> Counter[str]:
        resources = self.templates[stack].get("Resources", {})
        return Counter(resource["Type"] for resource in resources.values())

    def acknowledgements(self) -> list[dict[str, Any]]:
        """Every finding a plugin reported and we acknowledged, with our reason."""
        return [
            suppressed
            for plugin in self.report.get("pluginReports", [])
            for suppressed in plugin.get("suppressedViolations", [])
        ]


def synthesize(
    config: ContactCenterConfig, outdir: Path, env: Environment | None = None
) -> Synthesis:
    """Raises RuntimeError("ValidationFailed...") when cdk-nag or CloudFormation rules fail.

    `env` as `cdk deploy` gives it (account and region resolved); None synthesizes
    environment-agnostic templates, as without credentials.
    """
    app = new_app(outdir=str(outdir))
    stacks = build_app(app, config, env=env)
    app.synth()
    templates = {
        stack.stack_name: json.loads((outdir / stack.template_file).read_text()) for stack in stacks
    }
    report_file = outdir / "validation-report.json"
    report = json.loads(report_file.read_text()) if report_file.exists() else {}
    return Synthesis(outdir=outdir, templates=templates, report=report)
