"""The analytics function's environment, parsed once per container (infra/constructs/analytics.py
sets it); a missing or malformed value is one `SettingsError` at cold start."""

from __future__ import annotations

from pydantic import Field

from lambdas.common.settings import ContactHistorySettings, RepeatContactSettings


class AnalyticsSettings(RepeatContactSettings, ContactHistorySettings):
    metrics_table: str = Field(alias="METRICS_TABLE", min_length=3, max_length=255)
    service_level_threshold_seconds: int = Field(
        default=20, alias="SERVICE_LEVEL_THRESHOLD_SECONDS", ge=1, le=3600
    )
    metrics_retention_days: int = Field(default=400, alias="METRICS_RETENTION_DAYS", ge=1)
    # Off only where nobody reads the history (the local rehearsal's KPI stage): without it
    # repeat contacts are not decided, every other KPI is unchanged.
    customer_history: bool = Field(default=True, alias="CUSTOMER_HISTORY")
