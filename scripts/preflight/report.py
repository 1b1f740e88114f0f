"""One check's outcome, and the one-line form every check is printed in.

`pass|warn|fail  <check>  <detail>`, with the fix on the next line for a warn or a fail: the
shape of `terraform validate` and `cfn-lint` output, which teams grep and paste into tickets.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any


class Status(StrEnum):
    PASS = "pass"
    WARN = "warn"
    FAIL = "fail"


@dataclass(frozen=True)
class Check:
    """`findings` are the lines under a check that found several things (flow errors, cdk-nag
    findings); `fix` says what to do about a warn or a fail."""

    name: str
    status: Status
    detail: str
    fix: str | None = None
    findings: tuple[str, ...] = field(default_factory=tuple)

    def lines(self) -> list[str]:
        lines = [f"{self.status.value:<5} {self.name:<22} {self.detail}"]
        lines += [f"      {finding}" for finding in self.findings]
        if self.fix and self.status is not Status.PASS:
            lines.append(f"      fix: {self.fix}")
        return lines

    def as_dict(self) -> dict[str, Any]:
        return {
            "check": self.name,
            "status": self.status.value,
            "detail": self.detail,
            "fix": self.fix,
            "findings": list(self.findings),
        }


def passed(name: str, detail: str) -> Check:
    return Check(name, Status.PASS, detail)


def warned(name: str, detail: str, fix: str) -> Check:
    return Check(name, Status.WARN, detail, fix)


def failed(name: str, detail: str, fix: str, findings: Iterable[str] = ()) -> Check:
    return Check(name, Status.FAIL, detail, fix, tuple(findings))


def any_failed(checks: Iterable[Check]) -> bool:
    return any(check.status is Status.FAIL for check in checks)


def summary(checks: list[Check]) -> str:
    counts = {status: sum(c.status is status for c in checks) for status in Status}
    return ", ".join(f"{counts[status]} {status.value}" for status in Status)
