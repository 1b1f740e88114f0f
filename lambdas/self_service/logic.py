"""The self-service bot's decisions, without I/O: what to say, and what the flow learns.

CONTRACT with the contact flows (contact_flows/*, ConnectParticipantWithLexBot) and analytics:

- In: session attribute `customer_id`, the customer id crm_lookup found (its `customerId`
  answer), which the flow passes to the bot; empty or absent means an unidentified caller, who
  never hears a balance or an appointment.
- Out: every answer that ends the conversation (dialogAction Close) sets these session
  attributes, which the flow copies into contact attributes for the agent's screen pop and the
  contact record:
  - `self_service_intent`: the intent's name (e.g. `CheckAppointment`);
  - `self_service_outcome`: `fulfilled` (the bot answered: contained), `escalate` (the caller
    needs an agent: asked for one, unidentified, or not verified) or `failed` (something broke:
    escalate too);
  - `self_service_detail`: a short code, never personal (`found`, `not_found`, `moved`,
    `cancelled`, `declined`, `outage`, `no_outage`, `balance_given`, `nothing_due`,
    `unidentified`, `not_verified`, `no_account`, `open`, `closed`, `requested`, `answered`,
    `error`);
  - `self_service_slots`: the non-sensitive slots the caller gave, `name=value;name=value`.
  Slots the bot file marks `sensitive` are never copied, and are emptied in the closing intent
  Lex hands to Connect (`$.Lex.Slots`), so a flow cannot copy them by mistake either.
  The intent's state is `Fulfilled` exactly when the outcome is `fulfilled`, else `Failed`.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Literal

from lambdas.self_service.messages import clock
from lambdas.self_service.opening_hours import OpeningStatus
from lambdas.self_service.repository import Appointment, Balance, Outage

Outcome = Literal["fulfilled", "escalate", "failed"]

CUSTOMER_ID_ATTRIBUTE = "customer_id"
INTENT_ATTRIBUTE = "self_service_intent"
OUTCOME_ATTRIBUTE = "self_service_outcome"
DETAIL_ATTRIBUTE = "self_service_detail"
SLOTS_ATTRIBUTE = "self_service_slots"

# The fulfillment names a bot file's intents may use, and the sentences each may say (in the
# intent's `messages` or the bot-wide ones). `ccaas validate-config` checks bot files against it.
FULFILLMENT_MESSAGES: Mapping[str, frozenset[str]] = {
    "check_appointment": frozenset({"found", "not_found", "unidentified"}),
    "reschedule_appointment": frozenset({"moved", "not_found", "date_in_past", "unidentified"}),
    "cancel_appointment": frozenset({"cancelled", "not_found", "unidentified"}),
    "outage_status": frozenset({"outage", "outage_until", "no_outage"}),
    "check_balance": frozenset(
        {"balance", "nothing_due", "unidentified", "not_verified", "escalate"}
    ),
    "opening_hours": frozenset({"open_now", "opens_later", "closed"}),
    "talk_to_agent": frozenset({"escalate"}),
    "answer": frozenset({"answer"}),
}
# Every intent may end with this one when anything breaks, so every bot file needs it.
FAILED_MESSAGE = "failed"
# Answers that read a customer's own records: only for a caller crm_lookup identified.
NEEDS_CUSTOMER = frozenset(
    {"check_appointment", "reschedule_appointment", "cancel_appointment", "check_balance"}
)


@dataclass(frozen=True)
class Answer:
    """How the conversation ends: what to say (a sentence name and its values) and the outcome.

    `moment` is a time or day the sentence names; the service says it in the caller's locale
    (weekday, day, month, time) in the contact center's time zone.
    """

    outcome: Outcome
    detail: str
    message: str
    moment: datetime | date | None = None
    values: Mapping[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class AskAgain:
    """Ask for `slot` again with the sentence `message`, after emptying `clear`."""

    slot: str
    message: str
    clear: tuple[str, ...]


def failed() -> Answer:
    return Answer(outcome="failed", detail="error", message=FAILED_MESSAGE)


def unidentified() -> Answer:
    return Answer(outcome="escalate", detail="unidentified", message="unidentified")


def is_identified(customer_id: str | None) -> bool:
    return bool(customer_id and customer_id.strip())


def before_slots(
    fulfillment: str, *, customer_id: str | None, new_start: datetime | None, now: datetime
) -> Answer | AskAgain | None:
    """The dialog hook, on each turn before fulfilment: stop early or let Lex carry on (None).

    An unidentified caller is told at once, before the bot asks for anything; a new appointment
    time already past is asked again rather than confirmed.
    """
    if fulfillment in NEEDS_CUSTOMER and not is_identified(customer_id):
        return unidentified()
    if fulfillment == "reschedule_appointment" and new_start is not None and new_start <= now:
        return AskAgain(slot="new_date", message="date_in_past", clear=("new_date", "new_time"))
    return None


def appointment_found(appointment: Appointment | None) -> Answer:
    if appointment is None:
        return Answer(outcome="fulfilled", detail="not_found", message="not_found")
    return Answer(
        outcome="fulfilled", detail="found", message="found", moment=appointment.starts_at
    )


def appointment_moved(appointment: Appointment) -> Answer:
    return Answer(
        outcome="fulfilled", detail="moved", message="moved", moment=appointment.starts_at
    )


def appointment_cancelled(appointment: Appointment) -> Answer:
    return Answer(
        outcome="fulfilled", detail="cancelled", message="cancelled", moment=appointment.starts_at
    )


def no_appointment() -> Answer:
    return Answer(outcome="fulfilled", detail="not_found", message="not_found")


def outage_answer(postal_code: str, outage: Outage | None, locale: str) -> Answer:
    if outage is None:
        return Answer(
            outcome="fulfilled",
            detail="no_outage",
            message="no_outage",
            values={"postal_code": postal_code},
        )
    values = {"postal_code": postal_code, "details": outage.details_in(locale)}
    if outage.until is None:
        return Answer(outcome="fulfilled", detail="outage", message="outage", values=values)
    return Answer(
        outcome="fulfilled",
        detail="outage",
        message="outage_until",
        moment=outage.until,
        values=values,
    )


def balance_answer(customer_id: str | None, last4: str | None, balance: Balance | None) -> Answer:
    """Read out only to an identified caller whose account digits match."""
    if not is_identified(customer_id):
        return unidentified()
    if balance is None:
        return Answer(outcome="escalate", detail="no_account", message="escalate")
    if not last4 or "".join(ch for ch in last4 if ch.isalnum()) != balance.account_last4:
        return Answer(outcome="escalate", detail="not_verified", message="not_verified")
    if balance.balance_cents <= 0:
        return Answer(outcome="fulfilled", detail="nothing_due", message="nothing_due")
    return Answer(
        outcome="fulfilled",
        detail="balance_given",
        message="balance",
        moment=balance.due_date,
        values={"amount": amount_words(balance.balance_cents, balance.currency)},
    )


def opening_answer(status: OpeningStatus) -> Answer:
    if status.state == "open_now" and status.at is not None:
        return Answer(
            outcome="fulfilled",
            detail="open",
            message="open_now",
            values={"closes": clock(status.at.time())},
        )
    if status.state == "opens_later" and status.at is not None:
        return Answer(
            outcome="fulfilled",
            detail="closed",
            message="opens_later",
            moment=status.at.date(),
            values={"opens": clock(status.at.time())},
        )
    return Answer(outcome="fulfilled", detail="closed", message="closed")


def declined() -> Answer:
    """The caller said no to the confirmation (keep the appointment): nothing changed."""
    return Answer(outcome="fulfilled", detail="declined", message="declined")


def agent_requested() -> Answer:
    return Answer(outcome="escalate", detail="requested", message="escalate")


def static_answer() -> Answer:
    return Answer(outcome="fulfilled", detail="answered", message="answer")


def amount_words(cents: int, currency: str) -> str:
    """`$42.50` for dollars, `42.50 EUR` for anything else: what Polly reads as money."""
    figure = f"{abs(cents) // 100:,}.{abs(cents) % 100:02d}"
    return f"${figure}" if currency == "USD" else f"{figure} {currency}"


def closing_attributes(
    *,
    received: Mapping[str, str],
    intent: str,
    answer: Answer,
    slots: Mapping[str, str | None],
    sensitive: list[str],
) -> dict[str, str]:
    """The session attributes the conversation ends with: the caller's own plus the contract's."""
    given = [
        f"{name}={_attribute_safe(value)}"
        for name, value in slots.items()
        if value and name not in sensitive
    ]
    return {
        **{key: value for key, value in received.items() if key not in sensitive},
        INTENT_ATTRIBUTE: intent,
        OUTCOME_ATTRIBUTE: answer.outcome,
        DETAIL_ATTRIBUTE: answer.detail,
        SLOTS_ATTRIBUTE: ";".join(given),
    }


def _attribute_safe(value: str) -> str:
    return "".join(ch for ch in value if ch not in ";=\n\r")[:100]
