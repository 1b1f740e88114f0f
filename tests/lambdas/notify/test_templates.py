"""Every kind, channel and language renders; SMS stay short enough to be cheap."""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import pytest

from lambdas.common.notifications import (
    AppointmentReminder,
    CallbackConfirmation,
    NotificationChannel,
    SurveyInvitation,
    TextFollowUp,
)
from lambdas.notify.logic import sms_segments
from lambdas.notify.templates import choose_language, format_day_and_time, render, survey_url

ORG = "Riverside Public Utilities"
CHICAGO = ZoneInfo("America/Chicago")
STARTS = datetime(2026, 12, 5, 21, 0, tzinfo=UTC)  # Saturday 15:00 in Chicago
CONTENTS = [
    AppointmentReminder(appointment_id="a1", starts_at=STARTS, location="Riverside Service Center"),
    CallbackConfirmation(contact_id="c1", expected_at=STARTS),
    CallbackConfirmation(contact_id="c1"),
    SurveyInvitation(contact_id="3f1c2a9e-5b7d-4e21-9c3f-8a6b0d4e2f17"),
    TextFollowUp(contact_id="c1"),
]


@pytest.mark.parametrize("language", ["en", "es"])
@pytest.mark.parametrize("content", CONTENTS, ids=lambda c: type(c).__name__)
def test_every_sms_names_us_says_how_to_stop_and_stays_within_three_parts(
    content: AppointmentReminder | CallbackConfirmation | SurveyInvitation | TextFollowUp,
    language: str,
) -> None:
    message = render(
        content,
        channel=NotificationChannel.SMS,
        language=language,
        organisation=ORG,
        zone=CHICAGO,
        survey_link="https://survey.riverside-utilities.example/s",
    )
    assert message.body.startswith(f"{ORG}: ")
    assert "STOP" in message.body
    assert message.subject is None
    assert sms_segments(message.body) <= 3


@pytest.mark.parametrize("language", ["en", "es"])
@pytest.mark.parametrize("content", CONTENTS, ids=lambda c: type(c).__name__)
def test_every_email_has_a_subject_and_a_signature(
    content: AppointmentReminder | CallbackConfirmation | SurveyInvitation, language: str
) -> None:
    message = render(
        content,
        channel=NotificationChannel.EMAIL,
        language=language,
        organisation=ORG,
        zone=CHICAGO,
        survey_link="https://survey.riverside-utilities.example/s",
    )
    assert message.subject is not None and message.subject.startswith(ORG)
    assert message.body.rstrip().endswith(ORG)
    assert "STOP" not in message.body


def test_dates_are_written_in_the_customers_zone_and_language() -> None:
    local = STARTS.astimezone(CHICAGO)
    assert format_day_and_time(local, "en") == "on Saturday, December 5 at 3:00 PM"
    assert format_day_and_time(local, "es") == "el sábado 5 de diciembre a las 15:00"
    tokyo = STARTS.astimezone(ZoneInfo("Asia/Tokyo"))
    assert format_day_and_time(tokyo, "en") == "on Sunday, December 6 at 6:00 AM"


def test_callback_time_is_local() -> None:
    message = render(
        CallbackConfirmation(contact_id="c1", expected_at=STARTS),
        channel=NotificationChannel.SMS,
        language="en",
        organisation=ORG,
        zone=CHICAGO,
    )
    assert "An agent will call you around 3:00 PM." in message.body


def test_survey_link_carries_the_contact_id() -> None:
    assert survey_url("https://s.example/s", "c 1") == "https://s.example/s?contact=c+1"
    assert (
        survey_url("https://s.example/s?src=sms", "c1") == "https://s.example/s?src=sms&contact=c1"
    )
    own = render(
        SurveyInvitation(contact_id="c1", link="https://other.example/q"),
        channel=NotificationChannel.SMS,
        language="en",
        organisation=ORG,
        zone=CHICAGO,
        survey_link="https://survey.example/s",
    )
    assert "https://other.example/q?contact=c1" in own.body


def test_survey_without_any_link_is_refused() -> None:
    with pytest.raises(ValueError, match=r"survey\.link"):
        render(
            SurveyInvitation(contact_id="c1"),
            channel=NotificationChannel.EMAIL,
            language="en",
            organisation=ORG,
            zone=CHICAGO,
        )


@pytest.mark.parametrize(
    ("candidates", "chosen"),
    [
        (("es-US",), "es"),
        (("fr", "es"), "es"),
        ((None, "ES_mx"), "es"),
        (("de",), "en"),
        ((), "en"),
    ],
)
def test_language_falls_back_to_english(candidates: tuple[str | None, ...], chosen: str) -> None:
    assert choose_language(*candidates) == chosen


def test_texts_stay_in_the_cheap_alphabet_unless_a_date_needs_an_accent() -> None:
    """One `ó` turns a text into UCS-2 (70 characters a part): wording avoids it where it can."""
    weekday = datetime(2026, 12, 2, 15, 30, tzinfo=UTC)  # Wednesday: "miércoles" is GSM-7
    for content in [
        AppointmentReminder(
            appointment_id="a1", starts_at=weekday, location="Riverside Service Center"
        ),
        CallbackConfirmation(contact_id="c1"),
        SurveyInvitation(contact_id="3f1c2a9e-5b7d-4e21-9c3f-8a6b0d4e2f17"),
        TextFollowUp(contact_id="c1"),
    ]:
        for language in ("en", "es"):
            body = render(
                content,
                channel=NotificationChannel.SMS,
                language=language,
                organisation=ORG,
                zone=CHICAGO,
                survey_link="https://survey.riverside-utilities.example/s",
            ).body
            assert sms_segments(body) <= 2, (language, body)
