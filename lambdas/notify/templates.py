"""What customers read: one template per kind, channel and language (English and Spanish).

Pure: no I/O, no clock. Dates are written in the customer's own time zone and language by hand
(no Babel: it would cost cold start for two languages). Every SMS names the organisation and
says how to opt out, as US carriers expect of application-to-person messages.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from urllib.parse import urlencode
from zoneinfo import ZoneInfo

from lambdas.common.notifications import (
    AppointmentReminder,
    CallbackConfirmation,
    NotificationChannel,
    SurveyInvitation,
    TextFollowUp,
)

DEFAULT_LANGUAGE = "en"
SUPPORTED_LANGUAGES = ("en", "es")

_EN_DAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
_EN_MONTHS = (
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
)
_ES_DAYS = ("lunes", "martes", "miércoles", "jueves", "viernes", "sábado", "domingo")
_ES_MONTHS = (
    "enero",
    "febrero",
    "marzo",
    "abril",
    "mayo",
    "junio",
    "julio",
    "agosto",
    "septiembre",
    "octubre",
    "noviembre",
    "diciembre",
)

Content = AppointmentReminder | CallbackConfirmation | SurveyInvitation | TextFollowUp


@dataclass(frozen=True)
class RenderedMessage:
    body: str
    subject: str | None = None


def choose_language(*candidates: str | None) -> str:
    """First supported language among the candidates (`es-US` counts as `es`), else English."""
    for candidate in candidates:
        if candidate:
            primary = candidate.strip().lower().replace("_", "-").split("-")[0]
            if primary in SUPPORTED_LANGUAGES:
                return primary
    return DEFAULT_LANGUAGE


def _time(moment: datetime, language: str) -> str:
    if language == "es":
        return f"{moment.hour}:{moment.minute:02d}"
    hour = moment.hour % 12 or 12
    return f"{hour}:{moment.minute:02d} {'AM' if moment.hour < 12 else 'PM'}"


def format_day_and_time(moment: datetime, language: str) -> str:
    """`on Tuesday, December 1 at 9:30 AM` / `el martes 1 de diciembre a las 9:30`."""
    if language == "es":
        return (
            f"el {_ES_DAYS[moment.weekday()]} {moment.day} de {_ES_MONTHS[moment.month - 1]} "
            f"a las {_time(moment, language)}"
        )
    return (
        f"on {_EN_DAYS[moment.weekday()]}, {_EN_MONTHS[moment.month - 1]} {moment.day} "
        f"at {_time(moment, language)}"
    )


def survey_url(link: str, contact_id: str) -> str:
    separator = "&" if "?" in link else "?"
    return f"{link}{separator}{urlencode({'contact': contact_id})}"


def render(
    content: Content,
    *,
    channel: NotificationChannel,
    language: str,
    organisation: str,
    zone: ZoneInfo,
    survey_link: str | None = None,
) -> RenderedMessage:
    """The message for `content`; raises ValueError when a survey has no link to send."""
    language = choose_language(language)
    spanish = language == "es"
    if isinstance(content, AppointmentReminder):
        when = format_day_and_time(content.starts_at.astimezone(zone), language)
        where = ""
        if content.location:
            where = f" en {content.location}" if spanish else f" at {content.location}"
        if spanish:
            line = f"le recordamos su cita {when}{where}."
            reply = "Responda a este mensaje para hablar con nosotros."
            subject = "Recordatorio de su cita"
        else:
            line = f"reminder of your appointment {when}{where}."
            reply = "Reply to this text to reach us."
            subject = "Your appointment reminder"
        return _compose(
            channel,
            organisation=organisation,
            line=line,
            reply=reply,
            subject=subject,
            spanish=spanish,
        )
    if isinstance(content, CallbackConfirmation):
        if content.expected_at is None:
            when = "en breve" if spanish else "shortly"
        else:
            local = content.expected_at.astimezone(zone)
            when = (
                f"hacia las {_time(local, language)}"
                if spanish
                else f"around {_time(local, language)}"
            )
        if spanish:
            line = f"recibimos su solicitud de llamada. Un agente le va a llamar {when}."
            subject = "Su solicitud de llamada"
        else:
            line = f"we got your callback request. An agent will call you {when}."
            subject = "Your callback request"
        return _compose(
            channel,
            organisation=organisation,
            line=line,
            reply=None,
            subject=subject,
            spanish=spanish,
        )
    if isinstance(content, SurveyInvitation):
        link = content.link or survey_link
        if not link:
            raise ValueError("survey invitation without a link (set survey.link in the config)")
        url = survey_url(link, content.contact_id)
        if spanish:
            line = f"gracias por contactarnos. Cuéntenos qué tal lo hicimos: {url}"
            subject = "¿Cómo lo hicimos?"
        else:
            line = f"thanks for contacting us. Tell us how we did: {url}"
            subject = "How did we do?"
        return _compose(
            channel,
            organisation=organisation,
            line=line,
            reply=None,
            subject=subject,
            spanish=spanish,
        )
    if isinstance(content, TextFollowUp):
        if spanish:
            line = "le escribimos por texto, tal y como nos dijo."
            reply = "Cuéntenos por este medio qué necesita y un agente le va a contestar."
            subject = "Seguimos en contacto"
        else:
            line = "you asked us to text you."
            reply = "Tell us here what you need and an agent will answer."
            subject = "Following up"
        return _compose(
            channel,
            organisation=organisation,
            line=line,
            reply=reply,
            subject=subject,
            spanish=spanish,
        )
    raise TypeError(f"no template for {type(content).__name__}")  # pragma: no cover


def _compose(
    channel: NotificationChannel,
    *,
    organisation: str,
    line: str,
    reply: str | None,
    subject: str,
    spanish: bool,
) -> RenderedMessage:
    if channel is NotificationChannel.SMS:
        opt_out = "Responda STOP para cancelar." if spanish else "Reply STOP to opt out."
        parts = [f"{organisation}: {line}", reply, opt_out]
        return RenderedMessage(body=" ".join(part for part in parts if part))
    greeting = "Hola:" if spanish else "Hello,"
    sentence = line[0].upper() + line[1:]
    closing = "Atentamente," if spanish else "Kind regards,"
    body = f"{greeting}\n\n{sentence}\n\n{closing}\n{organisation}\n"
    return RenderedMessage(body=body, subject=f"{organisation}: {subject}")
