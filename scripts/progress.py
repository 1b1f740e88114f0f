"""Progress of long commands on stderr: a live bar on a terminal, plain step lines otherwise.

stdout stays the command's result (a report, a summary), so it can be piped or diffed while the
user still sees what the command is doing.
"""

from __future__ import annotations

import sys
from collections.abc import Iterator
from contextlib import contextmanager
from typing import TextIO

from rich.console import Console
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    TaskID,
    TextColumn,
    TimeElapsedColumn,
)

PLAIN_STEPS = 4  # a plain-text task reports at 25, 50, 75 and 100 %


class Task:
    """One counted piece of work; `advance` as items finish."""

    def __init__(
        self, report: Progress | None, task_id: TaskID, total: int, plain: Reporter
    ) -> None:
        self._bar = report
        self._task_id = task_id
        self._total = total
        self._done = 0
        self._plain = plain
        self._next_plain = 1

    def advance(self, count: int = 1) -> None:
        self._done += count
        if self._bar is not None:
            self._bar.update(self._task_id, completed=self._done)
            return
        passed = False
        while self._total and self._done * PLAIN_STEPS >= self._next_plain * self._total:
            self._next_plain += 1
            passed = True
        if passed:
            self._plain.line(f"  {min(self._done, self._total):,}/{self._total:,}")


class Reporter:
    """What a command says about its progress; `Reporter.quiet()` says nothing (tests, pipes of
    other commands)."""

    def __init__(self, command: str, stream: TextIO | None = None, *, live: bool | None = None):
        self.command = command
        self.stream = stream if stream is not None else sys.stderr
        self.live = self.stream.isatty() if live is None else live
        self.enabled = True
        self._bar: Progress | None = None

    @classmethod
    def quiet(cls) -> Reporter:
        reporter = cls("", live=False)
        reporter.enabled = False
        return reporter

    def line(self, text: str) -> None:
        if not self.enabled:
            return
        if self._bar is not None:
            self._bar.console.print(text, highlight=False)
        else:
            print(text, file=self.stream, flush=True)

    def step(self, text: str) -> None:
        """A step that is not counted (loading, synthesizing)."""
        self.line(f"ccaas {self.command}: {text}")

    @contextmanager
    def task(self, text: str, total: int) -> Iterator[Task]:
        """A counted step: a bar on a terminal, a line per quarter otherwise."""
        self.step(f"{text} ({total:,})")
        if not (self.enabled and self.live):
            yield Task(None, TaskID(0), total if self.enabled else 0, self)
            return
        with Progress(
            TextColumn("  {task.description}"),
            BarColumn(),
            MofNCompleteColumn(),
            TimeElapsedColumn(),
            console=Console(file=self.stream),
            transient=True,
        ) as bar:
            self._bar = bar
            try:
                yield Task(bar, bar.add_task(text, total=total), total, self)
            finally:
                self._bar = None
