"""The detector: personal data of the fuzz strategies' closed set, found unmasked in log text.

The strategies plant only `PEOPLE` (names no log line holds otherwise, in their email addresses
too) and 555 numbers of `AREA_CODES`, so any of them in a log is a leak, however it got there.
What the project's masking leaves (`+1*******170`, `z***@example.com`) is not a finding: the
number's digits are cut, and the address keeps one letter of its local part.
"""

from __future__ import annotations

import re

from tests.fuzz.strategies import AREA_CODES, PEOPLE

# A number of the set in any of the ways it can be written: +1 312 555 0170, (312) 555-0170,
# 3125550170 (digits of national numbers may be separated by spaces, dots, dashes, brackets).
_PHONE = re.compile(
    r"(?<!\d)(?:\+?1[\s.()-]*)?\(?(?:" + "|".join(AREA_CODES) + r")\)?[\s.-]*555[\s.-]*\d{4}(?!\d)"
)
_NAMES = re.compile(
    r"|".join(re.escape(part) for p in PEOPLE for part in (p.first_name, p.last_name)),
    re.IGNORECASE,
)


def unmasked_personal_data(text: str) -> list[str]:
    """Every phone number and name (alone or inside an email address) of the set in `text`."""
    return _PHONE.findall(text) + _NAMES.findall(text)
