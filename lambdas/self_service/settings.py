"""The self-service function's environment, parsed once per container (infra/constructs/
self_service.py sets it); a missing or malformed value is one `SettingsError` at cold start."""

from __future__ import annotations

from pydantic import Field, Json

from lambdas.common.settings import CustomersTableSettings
from lambdas.self_service.opening_hours import Schedule


class SelfServiceSettings(CustomersTableSettings):
    appointments_table: str = Field(alias="APPOINTMENTS_TABLE", min_length=3, max_length=255)
    outages_table: str = Field(alias="OUTAGES_TABLE", min_length=3, max_length=255)
    # The rendering of bots/<name>.yaml beside the function (lambdas/self_service/bots/).
    bot_texts: str = Field(alias="BOT_TEXTS", pattern=r"^[A-Za-z0-9_-]{1,64}$")
    opening_hours: Json[Schedule] = Field(alias="OPENING_HOURS")
