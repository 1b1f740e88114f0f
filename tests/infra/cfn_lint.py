"""cfn-lint over synthesized templates, in the test's own process.

The same checks as the `cfn-lint` command (its API reads the project's settings the same way),
without a new interpreter importing cfn-lint and its resource schemas for every template set.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

from cfnlint.api import lint_file


def lint_findings(templates: Iterable[Path]) -> list[str]:
    """Every finding cfn-lint reports for these template files, one line each."""
    return [str(match) for template in templates for match in lint_file(template)]


def stage_templates(outdir: Path) -> list[Path]:
    return sorted(outdir.glob("*.template.json"))
