"""Environment variables, parsed once per container into a validated model.

Infra sets these (infra/constructs/*); every function reads them through a subclass of
`EnvironmentSettings`, built in its cached runtime, so a missing or malformed value is one
clear error and logic never reads os.environ. This is the only module under lambdas/ that does.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from typing import Self

from pydantic import BaseModel, ConfigDict, Field, ValidationError


class SettingsError(ValueError):
    """The environment does not hold valid settings: a deployment fault, not bad input.

    Its text names each offending variable and pydantic's error type, never a value. A
    ValidationError's own text quotes its input (`input_value=...`), and the input here is the
    whole environment, where Lambda keeps the function's AWS credentials; this error's text ends
    up in Lambda's error report, Powertools' batch warnings, the flow fallback's log line and
    X-Ray, so it carries only names.
    """

    def __init__(self, settings: str, error: ValidationError) -> None:
        self.problems = problems_of(error)
        super().__init__(f"{settings}: invalid environment: {listed(self.problems)}")


def problems_of(error: ValidationError) -> tuple[tuple[str, str], ...]:
    """Each failing field's dotted location and pydantic's error type, never its input: what
    may be logged of any ValidationError (whose own text quotes the input it refused)."""
    found = error.errors(include_url=False, include_context=False, include_input=False)
    return tuple(
        (".".join(str(part) for part in problem["loc"]), problem["type"]) for problem in found
    )


def listed(problems: tuple[tuple[str, str], ...]) -> str:
    """`name (type), ...`: how SettingsError and the logs write `problems_of`."""
    return ", ".join(f"{name} ({kind})" for name, kind in problems)


class EnvironmentSettings(BaseModel):
    """Base for a function's settings: fields carry the variable name as their alias."""

    model_config = ConfigDict(frozen=True, extra="ignore", populate_by_name=True)

    @classmethod
    def from_environ(cls, environ: Mapping[str, str] | None = None) -> Self:
        """The settings in `environ` (default: this process's environment), or `SettingsError`."""
        try:
            return cls.model_validate(dict(os.environ if environ is None else environ))
        except ValidationError as error:
            invalid = SettingsError(cls.__name__, error)
        # Raised outside the except block, so the ValidationError (and the environment it
        # quotes) is not even the new error's __context__, which tracebacks would print.
        raise invalid


class CustomersTableSettings(EnvironmentSettings):
    """For functions that read or write the customers table (profiles, history, suppressions)."""

    customers_table: str = Field(alias="CUSTOMERS_TABLE", min_length=3, max_length=255)


class RepeatContactSettings(CustomersTableSettings):
    """For functions that decide whether a contact repeats an earlier one: crm_lookup's screen
    pop, routing's last-queue rule and analytics' repeat-contact KPI must use the same window."""

    repeat_window_hours: int = Field(default=48, alias="REPEAT_WINDOW_HOURS", ge=1, le=720)


class ContactHistorySettings(CustomersTableSettings):
    """For functions that add contacts to a customer's history, kept this many days."""

    contact_history_days: int = Field(default=400, alias="CONTACT_HISTORY_DAYS", ge=1)
