"""Example outputs in the README and docs/ are what the commands print today.

An example is a fenced block right after a line `<!-- output of: ccaas ... -->`. The test runs
that command in-process and compares its stdout with the block. Lines of the block that start
with `you> ` are what the user typed: they are fed to the command's prompts, in order. Elapsed
times (`4.5 s`) are the only thing allowed to differ.

An excerpt of a run too long for the suite (a whole rehearsed day) follows a line
`<!-- columns of: ccaas report -->`: its first line must be the header `ccaas report` prints.
"""

from __future__ import annotations

import re
import shlex
from dataclasses import dataclass
from pathlib import Path

import pytest

from scripts.cli import main

ROOT = Path(__file__).resolve().parent.parent
PROMPT = "you> "
MARKER = re.compile(
    r"^<!-- output of: (?P<command>ccaas [^>]+?) -->\n```\w*\n(?P<output>.*?)^```", re.M | re.S
)
COLUMNS_OF_REPORT = re.compile(r"^<!-- columns of: ccaas report -->\n```\w*\n(?P<header>.*)$", re.M)
ELAPSED = re.compile(r"\b\d+(\.\d+)? s\b")


@dataclass(frozen=True)
class Example:
    page: str
    command: str
    output: str


def examples() -> list[Example]:
    pages = [ROOT / "README.md", *sorted((ROOT / "docs").rglob("*.md"))]
    return [
        Example(str(page.relative_to(ROOT)), match["command"], match["output"])
        for page in pages
        for match in MARKER.finditer(page.read_text(encoding="utf-8"))
    ]


def test_the_docs_show_example_outputs() -> None:
    commands = {example.command.split()[1] for example in examples()}
    assert {"seed-profiles", "chat", "validate-flows"} <= commands


@pytest.mark.parametrize("example", examples(), ids=lambda e: f"{e.page}:{e.command}")
def test_an_example_output_is_what_the_command_prints(
    example: Example, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    typed = [line[len(PROMPT) :] for line in example.output.splitlines() if line.startswith(PROMPT)]

    def type_next(prompt: str = "") -> str:
        if not typed:
            raise EOFError
        answer = typed.pop(0)
        print(f"{prompt}{answer}")
        return answer

    monkeypatch.setattr("builtins.input", type_next)
    monkeypatch.chdir(ROOT)
    code = main(shlex.split(example.command)[1:])
    printed = capsys.readouterr().out
    assert code == 0
    assert ELAPSED.sub("N s", printed) == ELAPSED.sub("N s", example.output)


def test_report_excerpts_have_the_columns_report_prints() -> None:
    from datetime import UTC, datetime
    from zoneinfo import ZoneInfo

    from scripts.commands.report import report_text

    moment = datetime(2026, 12, 1, tzinfo=UTC)
    empty = report_text([], threshold_seconds=20, start=moment, end=moment, zone=ZoneInfo("UTC"))
    header = empty.splitlines()[2]
    pages = [ROOT / "README.md", *sorted((ROOT / "docs").rglob("*.md"))]
    excerpts = [
        match["header"]
        for page in pages
        for match in COLUMNS_OF_REPORT.finditer(page.read_text(encoding="utf-8"))
    ]
    assert excerpts, "no report excerpt found"
    assert all(excerpt == header for excerpt in excerpts), (excerpts, header)
