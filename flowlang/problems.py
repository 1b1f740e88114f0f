"""What the loader and the validator report: one problem names the file, the action and the reason."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, order=True)
class Problem:
    """`action` is the action's Identifier, or None when the problem is about the whole flow."""

    file: str
    action: str | None
    reason: str

    def __str__(self) -> str:
        where = f"action '{self.action}'" if self.action is not None else "flow"
        return f"{self.file}: {where}: {self.reason}"


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
