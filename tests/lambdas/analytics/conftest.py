"""The analytics function against moto tables shaped like the deployed ones (conftest `tables`)."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

import pytest
from aws_lambda_powertools.utilities.typing import LambdaContext

from lambdas.analytics import handler as analytics_handler
from lambdas.analytics.logic import AggregateKey
from lambdas.analytics.repository import MetricsRepository
from lambdas.common.profiles import ProfileRepository
from tests.conftest import Tables
from tests.lambdas.analytics.ctr import DAY

THRESHOLD_SECONDS = 20


@dataclass
class Analytics:
    invoke: Callable[[dict[str, Any]], dict[str, Any]]
    metrics: MetricsRepository
    profiles: ProfileRepository
    tables: Tables

    def rows(self, days: int = 4) -> dict[tuple[str, str, str], dict[str, int]]:
        """Aggregate rows as {(HH:MM or D+n HH:MM, channel, queue): counters}, zero counters
        dropped (a replaced contribution leaves zeros behind)."""
        rows = self.metrics.read_intervals(DAY, DAY + timedelta(days=days))
        return {label(key): nonzero(counters) for key, counters in rows if nonzero(counters)}


def label(key: AggregateKey) -> tuple[str, str, str]:
    offset = (key.interval_start.date() - DAY.date()).days
    prefix = f"D+{offset} " if offset else ""
    return (f"{prefix}{key.interval_start:%H:%M}", key.channel, key.queue)


def nonzero(counters: dict[str, int]) -> dict[str, int]:
    return {name: value for name, value in counters.items() if value}


@pytest.fixture()
def analytics(
    tables: Tables, monkeypatch: pytest.MonkeyPatch, lambda_context: LambdaContext
) -> Iterator[Analytics]:
    monkeypatch.setenv("METRICS_TABLE", "metrics")
    monkeypatch.setenv("CUSTOMERS_TABLE", "customers")
    monkeypatch.setenv("SERVICE_LEVEL_THRESHOLD_SECONDS", str(THRESHOLD_SECONDS))
    monkeypatch.setenv("REPEAT_WINDOW_HOURS", "48")
    analytics_handler.settings.cache_clear()
    analytics_handler.counter.cache_clear()

    def invoke(event: dict[str, Any]) -> dict[str, Any]:
        return analytics_handler.handler(event, lambda_context)

    yield Analytics(
        invoke=invoke,
        metrics=MetricsRepository(tables.metrics, retention_days=400),
        profiles=ProfileRepository(tables.customers),
        tables=tables,
    )
    analytics_handler.settings.cache_clear()
    analytics_handler.counter.cache_clear()
