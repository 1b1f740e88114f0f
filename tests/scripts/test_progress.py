"""Progress goes to stderr as plain step lines when stderr is not a terminal."""

from __future__ import annotations

import io

import pytest

from scripts.progress import Reporter


def test_plain_progress_says_each_step_and_each_quarter() -> None:
    stream = io.StringIO()
    reporter = Reporter("rehearse", stream, live=False)
    reporter.step("loading scenario dmv")
    with reporter.task("routing contacts", total=8) as task:
        for _ in range(8):
            task.advance()
    assert stream.getvalue().splitlines() == [
        "ccaas rehearse: loading scenario dmv",
        "ccaas rehearse: routing contacts (8)",
        "  2/8",
        "  4/8",
        "  6/8",
        "  8/8",
    ]


def test_plain_progress_says_each_count_once_when_work_comes_in_big_pieces() -> None:
    stream = io.StringIO()
    reporter = Reporter("report", stream, live=False)
    with reporter.task("counting records", total=2) as task:
        task.advance()
        task.advance()
    assert stream.getvalue().splitlines()[1:] == ["  1/2", "  2/2"]


def test_a_live_bar_leaves_only_the_step_lines_behind() -> None:
    stream = io.StringIO()
    reporter = Reporter("report", stream, live=True)
    with reporter.task("counting records", total=3) as task:
        task.advance(3)
    assert "ccaas report: counting records (3)" in stream.getvalue()


def test_a_quiet_reporter_says_nothing(capsys: pytest.CaptureFixture[str]) -> None:
    reporter = Reporter.quiet()
    reporter.step("anything")
    with reporter.task("counting", total=4) as task:
        task.advance(4)
    assert capsys.readouterr().err == ""
