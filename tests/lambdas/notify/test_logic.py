"""Quiet hours, expiry, recipients and SMS segments: pure rules, tested exhaustively."""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given
from hypothesis import strategies as st

from lambdas.common.identity import IdentifierKind
from lambdas.common.notifications import (
    CallbackConfirmation,
    Notification,
    NotificationChannel,
)
from lambdas.common.profiles import CustomerProfile, Identifier
from lambdas.notify.logic import (
    MAX_DEFER_SECONDS,
    DeliveryDeferred,
    SendingWindow,
    resolve_recipient,
    sms_segments,
    time_zone,
)

CHICAGO = ZoneInfo("America/Chicago")
WINDOW = SendingWindow(time(8), time(21))


def test_inside_the_window_sends_now() -> None:
    assert WINDOW.next_opening(datetime(2026, 12, 1, 16, 0, tzinfo=UTC), CHICAGO) is None


def test_before_the_window_waits_for_this_morning() -> None:
    early = datetime(2026, 12, 1, 7, 59, tzinfo=CHICAGO)
    assert WINDOW.next_opening(early, CHICAGO) == datetime(2026, 12, 1, 8, 0, tzinfo=CHICAGO)


def test_at_closing_time_waits_for_tomorrow_morning() -> None:
    closing = datetime(2026, 12, 1, 21, 0, tzinfo=CHICAGO)
    assert WINDOW.next_opening(closing, CHICAGO) == datetime(2026, 12, 2, 8, 0, tzinfo=CHICAGO)


def test_the_night_the_clocks_go_back_is_an_hour_longer() -> None:
    # US daylight saving ends on Sunday 1 November 2026 at 02:00 local.
    night = datetime(2026, 10, 31, 22, 0, tzinfo=CHICAGO)
    opening = WINDOW.next_opening(night, CHICAGO)
    assert opening is not None
    assert opening.astimezone(UTC) - night.astimezone(UTC) == timedelta(hours=11)


def test_a_window_opening_inside_the_spring_forward_gap_opens_after_it() -> None:
    window = SendingWindow(time(2, 30), time(21))
    night = datetime(2026, 3, 7, 23, 0, tzinfo=CHICAGO)  # 02:30 on 8 March does not exist
    opening = window.next_opening(night, CHICAGO)
    assert opening is not None
    assert opening.astimezone(UTC) == datetime(2026, 3, 8, 8, 30, tzinfo=UTC)  # 03:30 CDT


def test_a_window_the_spring_forward_gap_swallows_opens_the_next_day() -> None:
    window = SendingWindow(time(2), time(3))  # 02:00-03:00 on 14 March 2027 does not exist
    night = datetime(2027, 3, 13, 23, 0, tzinfo=CHICAGO)
    opening = window.next_opening(night, CHICAGO)
    assert opening == datetime(2027, 3, 15, 2, 0, tzinfo=CHICAGO)


@given(
    now=st.datetimes(
        min_value=datetime(2026, 1, 1), max_value=datetime(2028, 12, 31), timezones=st.just(UTC)
    ),
    zone=st.sampled_from(["America/Chicago", "America/Los_Angeles", "Europe/Madrid", "UTC"]),
    start=st.integers(min_value=0, max_value=12),
    length=st.integers(min_value=1, max_value=11),
)
def test_next_opening_is_the_first_instant_inside_the_window(
    now: datetime, zone: str, start: int, length: int
) -> None:
    window = SendingWindow(time(start), time(start + length))
    tz = ZoneInfo(zone)
    opening = window.next_opening(now, tz)
    if opening is None:
        assert window.start <= now.astimezone(tz).time() < window.end
        return
    assert opening > now
    assert window.start <= opening.astimezone(tz).time() < window.end
    # Nothing earlier was open: the real minute before the opening (UTC arithmetic, since local
    # arithmetic could land in a spring-forward gap) is still closed.
    assert window.next_opening(opening.astimezone(UTC) - timedelta(minutes=1), tz) is not None
    # A day away at most, two when a spring-forward gap swallows that day's whole window.
    assert opening - now <= timedelta(hours=49)


def test_deferral_never_asks_sqs_for_more_than_twelve_hours() -> None:
    now = datetime(2026, 12, 1, 12, 0, tzinfo=UTC)
    assert DeliveryDeferred("n", now + timedelta(hours=20), now).delay_seconds == MAX_DEFER_SECONDS
    assert MAX_DEFER_SECONDS < 12 * 3600
    assert DeliveryDeferred("n", now + timedelta(seconds=0.2), now).delay_seconds == 1


def test_sending_window_is_parsed_from_the_environment() -> None:
    assert SendingWindow.parse("08:00-21:00") == WINDOW
    assert SendingWindow.parse("") is None
    with pytest.raises(ValueError, match="must end after"):
        SendingWindow.parse("21:00-08:00")


def _callback(**fields: object) -> Notification:
    return Notification(
        notification_id="callback#1",
        channel=NotificationChannel.SMS,
        content=CallbackConfirmation(contact_id="c1"),
        **fields,  # type: ignore[arg-type]
    )


PROFILE = CustomerProfile(
    customer_id="c",
    language="es-US",
    time_zone="America/Denver",
    identifiers=[
        Identifier(kind=IdentifierKind.PHONE, value="+13125550143"),
        Identifier(kind=IdentifierKind.EMAIL, value="jane@example.com"),
    ],
)


def test_profile_supplies_address_language_and_time_zone() -> None:
    recipient = resolve_recipient(
        _callback(customer_id="c"), PROFILE, default_time_zone="America/Chicago"
    )
    assert (recipient.address, recipient.language, recipient.zone.key) == (
        "+13125550143",
        "es",
        "America/Denver",
    )


def test_explicit_fields_win_over_the_profile() -> None:
    recipient = resolve_recipient(
        _callback(customer_id="c", phone="(773) 555-0199", language="en", time_zone="UTC"),
        PROFILE,
        default_time_zone="America/Chicago",
    )
    assert (recipient.address, recipient.language, recipient.zone.key) == (
        "+17735550199",
        "en",
        "UTC",
    )


def test_unknown_customer_without_an_address_has_none_and_defaults_apply() -> None:
    profile = CustomerProfile(customer_id="c", time_zone="Mars/Olympus_Mons")
    recipient = resolve_recipient(
        _callback(customer_id="c"), profile, default_time_zone="America/Chicago"
    )
    assert (recipient.address, recipient.language, recipient.zone.key) == (
        None,
        "en",
        "America/Chicago",
    )


def test_invalid_addresses_are_refused_at_the_door() -> None:
    with pytest.raises(ValueError, match="not a phone number"):
        _callback(phone="12")
    with pytest.raises(ValueError, match="needs a customer_id"):
        _callback()


def test_time_zone_skips_invalid_candidates() -> None:
    assert time_zone(None, "Nowhere/Land", "Europe/Madrid", default="UTC").key == "Europe/Madrid"


@pytest.mark.parametrize(
    ("body", "segments"),
    [
        ("a" * 160, 1),
        ("a" * 161, 2),
        ("a" * 306, 2),
        ("a" * 307, 3),
        ("€" * 80, 1),  # extension characters take two septets each
        ("€" * 81, 2),
        ("é" * 160, 1),  # é is in the GSM 03.38 alphabet
        ("á" * 70, 1),  # á is not: UCS-2
        ("á" * 71, 2),
        ("a" * 134 + "á", 3),  # one accent turns the whole message into UCS-2
        ("😀" * 35, 1),  # emoji take two UTF-16 units
        ("😀" * 36, 2),
    ],
)
def test_sms_segments_follow_the_encoding(body: str, segments: int) -> None:
    assert sms_segments(body) == segments
