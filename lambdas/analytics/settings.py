"""The analytics function's environment, parsed once per container (infra/constructs/analytics.py
sets it); a missing or malformed value is one validation error at cold start."""

from __future__ import annotations

import os
from collections.abc import Mapping
from typing import Self

from pydantic import BaseModel, ConfigDict, Field


class AnalyticsSettings(BaseModel):
    model_config = ConfigDict(frozen=True, extra="ignore", populate_by_name=True)

    metrics_table: str = Field(alias="METRICS_TABLE", min_length=3, max_length=255)
    customers_table: str = Field(alias="CUSTOMERS_TABLE", min_length=3, max_length=255)
    service_level_threshold_seconds: int = Field(
        default=20, alias="SERVICE_LEVEL_THRESHOLD_SECONDS", ge=1, le=3600
    )
    repeat_window_hours: int = Field(default=48, alias="REPEAT_WINDOW_HOURS", ge=1, le=720)
    metrics_retention_days: int = Field(default=400, alias="METRICS_RETENTION_DAYS", ge=1)
    contact_history_days: int = Field(default=400, alias="CONTACT_HISTORY_DAYS", ge=1)
    # Off only where nobody reads the history (the local rehearsal's KPI stage): without it
    # repeat contacts are not decided, every other KPI is unchanged.
    customer_history: bool = Field(default=True, alias="CUSTOMER_HISTORY")

    @classmethod
    def from_environ(cls, environ: Mapping[str, str] | None = None) -> Self:
        return cls.model_validate(dict(os.environ if environ is None else environ))
