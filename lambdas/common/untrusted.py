"""Parsing what customers and other systems send, with errors that never quote it.

A pydantic ValidationError's text quotes the input it refused (`input_value=...`): for a
contact record or a queued notification that input holds phone numbers, addresses and names.
The batch utility logs a failed record's error and traceback and Lambda reports a raised one,
so the functions parse their records here and fail with `MalformedInputError`, whose text names
the failing fields and pydantic's error types only (as SettingsError does for the environment).
"""

from __future__ import annotations

from typing import TypeVar

from pydantic import BaseModel, ValidationError

from lambdas.common.settings import listed, problems_of

Model = TypeVar("Model", bound=BaseModel)


class MalformedInputError(ValueError):
    """A record or message that is not what its source promised: bad input, not a fault."""


def parse_json(model: type[Model], data: str | bytes) -> Model:
    """`data` as `model`, or MalformedInputError naming the fields that failed."""
    try:
        return model.model_validate_json(data)
    except ValidationError as error:
        malformed = MalformedInputError(f"{model.__name__}: {listed(problems_of(error))}")
    # Raised outside the except block, so the ValidationError is not even its __context__,
    # which tracebacks would print.
    raise malformed
