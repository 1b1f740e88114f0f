"""One Lex turn: read what the answer needs through the ports, decide (logic), say it.

Created once per container with its repositories; tests hand in their own. Errors from the
repositories propagate: the handler turns any of them into the safe failed-fulfillment Close.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime, time
from typing import Any
from zoneinfo import ZoneInfo

from lambdas.self_service import logic
from lambdas.self_service.lex import LexEvent, close, delegate, elicit_slot
from lambdas.self_service.logic import Answer, AskAgain
from lambdas.self_service.messages import BotTexts
from lambdas.self_service.opening_hours import Schedule, opening_status
from lambdas.self_service.repository import (
    AppointmentNotBookableError,
    Appointments,
    Balances,
    Outages,
    normalize_postal_code,
)


@dataclass(frozen=True)
class SelfService:
    texts: BotTexts
    appointments: Appointments
    outages: Outages
    balances: Balances
    schedule: Schedule
    clock: Callable[[], datetime] = lambda: datetime.now(UTC)

    @property
    def zone(self) -> ZoneInfo:
        """The contact center's time zone: appointment times are said in it."""
        return ZoneInfo(self.schedule.time_zone)

    def respond(self, event: LexEvent, raw_intent: Mapping[str, Any]) -> dict[str, Any]:
        intent = event.intent.name
        definition = self.texts.intents.get(intent)
        if definition is None:
            return self.close(event, raw_intent, logic.failed())
        now = self.clock()
        customer_id = event.session_state.session_attributes.get(logic.CUSTOMER_ID_ATTRIBUTE)
        if event.intent.confirmation_state == "Denied" and "declined" in definition.messages:
            return self.close(event, raw_intent, logic.declined())
        if event.invocation_source == "DialogCodeHook":
            step = logic.before_slots(
                definition.fulfillment,
                customer_id=customer_id,
                new_start=self.new_start(event),
                now=now,
            )
            if step is None:
                return delegate(event, raw_intent)
        else:
            step = self.fulfil(definition.fulfillment, event, customer_id, now)
        if isinstance(step, AskAgain):
            message = self.texts.say(intent, step.message, event.locale)
            return elicit_slot(
                event, raw_intent, step.slot, message=message, clear=list(step.clear)
            )
        return self.close(event, raw_intent, step)

    def fulfil(
        self, fulfillment: str, event: LexEvent, customer_id: str | None, now: datetime
    ) -> Answer | AskAgain:
        if fulfillment in logic.NEEDS_CUSTOMER and not logic.is_identified(customer_id):
            return logic.unidentified()
        if fulfillment == "check_appointment":
            return logic.appointment_found(self.appointments.upcoming(str(customer_id), now))
        if fulfillment in ("reschedule_appointment", "cancel_appointment"):
            return self.change_appointment(fulfillment, event, str(customer_id), now)
        if fulfillment == "outage_status":
            postal_code = event.intent.slot("postal_code")
            if not postal_code:
                return logic.failed()
            code = normalize_postal_code(postal_code)
            return logic.outage_answer(code, self.outages.current(code, now), event.locale)
        if fulfillment == "check_balance":
            balance = self.balances.balance(str(customer_id))
            return logic.balance_answer(customer_id, event.intent.slot("account_last4"), balance)
        if fulfillment == "opening_hours":
            return logic.opening_answer(opening_status(self.schedule, now))
        if fulfillment == "talk_to_agent":
            return logic.agent_requested()
        if fulfillment == "answer":
            return logic.static_answer()
        return logic.failed()

    def change_appointment(
        self, fulfillment: str, event: LexEvent, customer_id: str, now: datetime
    ) -> Answer | AskAgain:
        appointment = self.appointments.upcoming(customer_id, now)
        if appointment is None:
            return logic.no_appointment()
        try:
            if fulfillment == "cancel_appointment":
                return logic.appointment_cancelled(self.appointments.cancel(appointment))
            new_start = self.new_start(event)
            if new_start is None:
                return logic.failed()
            check = logic.before_slots(
                fulfillment, customer_id=customer_id, new_start=new_start, now=now
            )
            if check is not None:
                return check
            return logic.appointment_moved(self.appointments.reschedule(appointment, new_start))
        except AppointmentNotBookableError:
            # An agent changed it meanwhile: the caller hears we could not, and gets an agent.
            return logic.failed()

    def new_start(self, event: LexEvent) -> datetime | None:
        """The new appointment time from the AMAZON.Date and AMAZON.Time slots, local time."""
        day, hour = event.intent.slot("new_date"), event.intent.slot("new_time")
        if not day or not hour:
            return None
        try:
            return datetime.combine(date.fromisoformat(day), time.fromisoformat(hour), self.zone)
        except ValueError:
            return None

    def close(
        self, event: LexEvent, raw_intent: Mapping[str, Any], answer: Answer
    ) -> dict[str, Any]:
        intent = event.intent.name
        sensitive = self.texts.sensitive_slots(intent)
        values = dict(answer.values)
        if answer.moment is not None:
            moment = answer.moment
            if isinstance(moment, datetime):
                moment = moment.astimezone(self.zone)
            values.update(self.texts.date_words(event.locale, moment))
        slots = raw_intent.get("slots")
        return close(
            intent,
            state="Fulfilled" if answer.outcome == "fulfilled" else "Failed",
            message=self.texts.say(intent, answer.message, event.locale, **values),
            session_attributes=logic.closing_attributes(
                received=event.session_state.session_attributes,
                intent=intent,
                answer=answer,
                slots={name: event.intent.slot(name) for name in event.intent.slots},
                sensitive=sensitive,
            ),
            slots=(
                {name: None if name in sensitive else value for name, value in slots.items()}
                if isinstance(slots, Mapping)
                else None
            ),
        )
