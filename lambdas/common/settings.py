"""Environment variables, parsed once per container into a validated model.

Infra sets these (infra/constructs/functions.py); handlers read them through a model so a missing
or malformed value is one clear validation error in the logs, and logic never reads os.environ.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from typing import Self

from pydantic import BaseModel, ConfigDict, Field


class EnvironmentSettings(BaseModel):
    """Base for a function's settings: fields carry the variable name as their alias."""

    model_config = ConfigDict(frozen=True, extra="ignore", populate_by_name=True)

    @classmethod
    def from_environ(cls, environ: Mapping[str, str] | None = None) -> Self:
        return cls.model_validate(dict(os.environ if environ is None else environ))


class FlowLambdaSettings(EnvironmentSettings):
    """What every flow-invoked function that reads customer profiles needs."""

    customers_table: str = Field(alias="CUSTOMERS_TABLE", min_length=3, max_length=255)
    repeat_window_hours: int = Field(default=48, alias="REPEAT_WINDOW_HOURS", ge=1, le=720)
