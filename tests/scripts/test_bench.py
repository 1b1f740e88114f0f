"""`ccaas bench --quick`: every figure is measured and is a finite, positive number.

The one run of the benchmarks in the suite (the full run is on demand): it checks the command
and every benchmark it drives still work, not the figures themselves, which depend on the machine
and its load.
"""

from __future__ import annotations

import json
import math
from pathlib import Path

import pytest

from scripts.cli import main
from scripts.commands.bench import FIGURES


@pytest.mark.long
def test_a_quick_bench_writes_every_figure_finite_and_positive(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    written = tmp_path / "bench.json"

    code = main(["bench", "--quick", "--json", str(written)])

    assert code == 0
    figures = json.loads(written.read_text(encoding="utf-8"))
    assert sorted(figures) == sorted(
        [
            "cold_import_vs_boto3",
            "handler_vs_getitem",
            "rehearsal_day_vs_getitems",
            "report_record_vs_getitem",
            "analytics_write_calls_vs_naive",
            "rehearsal_peak_mb",
            "synth_seconds",
            "cpu_count",
        ]
    )
    assert all(math.isfinite(value) and value > 0 for value in figures.values()), figures
    table = capsys.readouterr().out
    assert all(figure.key in table for figure in FIGURES), table
