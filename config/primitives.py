"""Building blocks every section of the config shares: strict models and validated names.

They live apart from the stage model so that sections kept in their own modules (people) can
use them without importing the model that includes them.
"""

from __future__ import annotations

import re
from typing import Annotated

from pydantic import AfterValidator, BaseModel, ConfigDict

NAME = re.compile(r"^[a-z][a-z0-9_]{0,62}$")
E164_NUMBER = re.compile(r"^\+[1-9]\d{1,14}$")
EMAIL_ADDRESS = re.compile(r"^[^@\s]+@[^@\s]+\.[a-z]{2,}$")


def _e164_prefix(value: str) -> str:
    if not re.match(r"^\+[1-9]\d{0,10}$", value):
        raise ValueError(f"'{value}' is not an E.164 prefix (a '+', the country code, then digits)")
    return value


def _e164_number(value: str) -> str:
    if not E164_NUMBER.match(value):
        raise ValueError(
            f"'{value}' is not an E.164 phone number (a '+', the country code, then up to 14 "
            "digits, no spaces)"
        )
    return value


def _name(value: str) -> str:
    if not NAME.match(value):
        raise ValueError(
            f"'{value}' is not a valid name: use lower-case letters, digits and '_', "
            "starting with a letter (at most 63 characters)"
        )
    return value


E164Prefix = Annotated[str, AfterValidator(_e164_prefix)]
E164Number = Annotated[str, AfterValidator(_e164_number)]
ResourceName = Annotated[str, AfterValidator(_name)]


class StrictModel(BaseModel):
    """Unknown keys are typos in a hand-edited file: reject them rather than ignore them."""

    model_config = ConfigDict(extra="forbid", frozen=True, use_enum_values=False)
