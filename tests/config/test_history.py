"""The `history:` section: defaults that cost only storage, and limits AWS would refuse anyway."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
import yaml

from config import CONFIG_DIR, ConfigError
from config.loader import parse_config

Problems = Callable[..., list[str]]


@pytest.fixture()
def with_history() -> Problems:
    """The problems `ccaas validate-config` reports for dev.yaml with this `history:`."""

    def problems(**history: Any) -> list[str]:
        raw = yaml.safe_load((CONFIG_DIR / "dev.yaml").read_text())
        raw["history"] = history
        try:
            parse_config(raw)
        except ConfigError as error:
            return list(error.problems)
        return []

    return problems


def test_history_is_on_by_default_with_a_scan_limit(with_history: Problems) -> None:
    assert with_history() == []


def test_athena_refuses_a_scan_limit_under_10_mb(with_history: Problems) -> None:
    (problem,) = with_history(bytes_scanned_limit_mb=9)
    assert problem.startswith("history.bytes_scanned_limit_mb: Input should be greater than")


def test_s3_moves_nothing_to_standard_ia_before_30_days(with_history: Problems) -> None:
    (problem,) = with_history(infrequent_access_after_days=7)
    assert problem.startswith("history.infrequent_access_after_days:")


def test_expiry_must_come_after_the_move_to_infrequent_access(with_history: Problems) -> None:
    (problem,) = with_history(infrequent_access_after_days=90, expire_after_days=90)
    assert "expire_after_days (90) must be later than infrequent_access_after_days (90)" in problem
    assert problem.startswith("history")
    assert with_history(expire_after_days=None) == []


def test_raw_error_records_are_kept_a_month_at_most(with_history: Problems) -> None:
    (problem,) = with_history(error_records_days=90)
    assert problem.startswith("history.error_records_days:")
