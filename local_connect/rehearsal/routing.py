"""Where a contact's entry flow left it, and who runs the entry flows for the rehearsal.

`FlowOutcome` is what the ACD plays on (a queue with priority and attributes, or the end of the
flow); an `EntryRouter` produces it for each contact (the real one is
`local_connect.rehearsal.flow_router`) and tallies how contacts left the flows for the report.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Protocol

from config import ContactCenterConfig
from local_connect.scenarios.traffic import ArrivingContact, Customer

DEFAULT_PRIORITY = 5  # Connect's default queue priority when a flow sets none


@dataclass(frozen=True)
class FlowOutcome:
    """Where a contact's entry flow left it: a queue (with priority) or the end of the flow."""

    queue: str | None
    priority: int = DEFAULT_PRIORITY
    attributes: Mapping[str, str] = field(default_factory=dict)
    disconnect_reason: str = "CONTACT_FLOW_DISCONNECT"
    recorded: bool = False  # the flow turned call recording on


LAMBDA_ERRORS = "Lambda errors"


class EntryRouter(Protocol):
    """Runs a contact's entry flow; `tally` counts how contacts left the flows, for the report
    (where each ended, and `LAMBDA_ERRORS`), so the tallies of a day's parts add up."""

    def route(self, contact: ArrivingContact, at: datetime) -> FlowOutcome: ...

    def tally(self) -> Counter[str]: ...


def routing_summary(tally: Mapping[str, int]) -> str:
    outcomes = Counter({what: n for what, n in tally.items() if what != LAMBDA_ERRORS})
    parts = ", ".join(f"{count:,} {what}" for what, count in outcomes.most_common())
    errors = tally.get(LAMBDA_ERRORS, 0)
    return f"entry flows run with their Lambdas: {parts}" + (
        f"; {errors:,} {LAMBDA_ERRORS}" if errors else ""
    )


RouterFactory = Callable[[ContactCenterConfig, Sequence[Customer]], EntryRouter]
