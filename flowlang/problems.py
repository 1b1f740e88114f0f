"""What the loader and the validator report: one finding names its level, the file, the action and
the reason.

Two levels: an error is something Connect refuses (or a flow that cannot run: a transition to
nowhere, a placeholder the stage cannot resolve); a warning is this project's style (a branch
for every error, no dead end, no unreachable action...). A stage's own flows are held to both;
a file you import is refused only for errors unless you ask for `--strict`.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Literal

Level = Literal["error", "warning"]
ERROR: Level = "error"
WARNING: Level = "warning"


@dataclass(frozen=True, order=True)
class Problem:
    """`action` is the action's Identifier, or None when the problem is about the whole flow."""

    file: str
    action: str | None
    reason: str
    level: Level = ERROR

    def __str__(self) -> str:
        where = f"action '{self.action}'" if self.action is not None else "flow"
        return f"{self.level}: {self.file}: {where}: {self.reason}"

    @property
    def is_error(self) -> bool:
        return self.level == ERROR


def failures(problems: Iterable[Problem], *, strict: bool) -> list[Problem]:
    """The problems that fail a check: errors, and warnings too when `strict`."""
    return [problem for problem in problems if strict or problem.is_error]


def count(problems: Iterable[Problem]) -> tuple[int, int]:
    """(errors, warnings)."""
    found = list(problems)
    errors = sum(problem.is_error for problem in found)
    return errors, len(found) - errors


class FlowFormatError(ValueError):
    """The document cannot be read as a flow at all (not JSON, legacy format, wrong shape)."""

    def __init__(self, problems: list[Problem]) -> None:
        self.problems = problems
        super().__init__("\n".join(str(problem) for problem in problems))


class FlowValidationError(RuntimeError):
    """Raised by callers that refuse to go on with an invalid flow (the synth: `ccaas synth`
    reports RuntimeErrors as a failed synth, the same way as a cdk-nag finding)."""

    def __init__(self, problems: list[Problem]) -> None:
        self.problems = problems
        listing = "\n".join(f"  - {problem}" for problem in problems)
        super().__init__(f"{len(problems)} problem(s) in contact flows:\n{listing}")
