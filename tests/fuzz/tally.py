"""Fuzz counts (a plugin tests/conftest.py loads): each target records the cases it ran, and
the run's summary prints them per function with the failures found.

The counts travel as the tests' `user_properties`, which pytest-xdist sends from its workers to
the controller, where the summary is written.
"""

from __future__ import annotations

from collections import Counter

import pytest

CASES_PROPERTY = "fuzz_cases"
FUNCTION_PROPERTY = "fuzz_function"
_cases: Counter[str] = Counter()
_failures: Counter[str] = Counter()


def pytest_runtest_logreport(report: pytest.TestReport) -> None:
    properties = dict(report.user_properties)
    function = properties.get(FUNCTION_PROPERTY)
    if function is None or report.when != "call":
        return
    cases = properties.get(CASES_PROPERTY, 0)
    _cases[str(function)] += cases if isinstance(cases, int) else 0
    if report.failed:
        _failures[str(function)] += 1


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    if not _cases:
        return
    terminalreporter.section("fuzz: cases tried per function")
    for function in sorted(_cases):
        terminalreporter.write_line(
            f"{function:<16} {_cases[function]:>7} cases  {_failures[function]} failures found"
        )
