"""The analytics function end to end on moto: Kinesis event in, totals and history out.

Every expected total below is computed by hand from the contacts in `ctr.py` (their docstrings
give each contact's share), not by the code under test.
"""

from __future__ import annotations

import json
from typing import Any

import pytest
from aws_lambda_powertools.utilities.batch.exceptions import BatchProcessingError

from lambdas.analytics import handler as analytics_handler
from lambdas.common.identity import IdentifierKind
from lambdas.common.profiles import CustomerProfile, Identifier
from lambdas.common.settings import SettingsError
from tests.lambdas.analytics import ctr
from tests.lambdas.analytics.conftest import Analytics

WITHIN = "answered_within_20s"
DEQUEUED = "dequeued_within_20s"


def the_day() -> list[dict[str, Any]]:
    return [
        ctr.voice_handled(),
        ctr.voice_abandoned(),
        ctr.chat_handled(),
        ctr.transfer(),
        ctr.callback_request(),
        ctr.callback(),
        ctr.self_service(),
    ]


EXPECTED_DAY = {
    # voice_handled + voice_abandoned, both enqueued between 10:00 and 10:15.
    ("10:00", "VOICE", "support"): {
        "contacts": 2,
        "inbound": 2,
        "queued": 2,
        "answered": 1,
        "handled": 1,
        "abandoned": 1,
        "queue_wait_handled": 12,
        "queue_wait_abandoned": 45,
        "talk": 300,
        "hold": 30,
        "acw": 60,
        WITHIN: 1,
        DEQUEUED: 1,
        "identified": 2,
    },
    # The transfer: a continuation, so neither inbound nor part of the repeat population.
    ("10:00", "VOICE", "billing"): {
        "contacts": 1,
        "queued": 1,
        "answered": 1,
        "handled": 1,
        "queue_wait_handled": 5,
        "talk": 120,
        WITHIN: 1,
        DEQUEUED: 1,
    },
    # Jane's chat: answered after 25 s, outside the 20 s threshold.
    ("10:00", "CHAT", "support"): {
        "contacts": 1,
        "inbound": 1,
        "queued": 1,
        "answered": 1,
        "handled": 1,
        "queue_wait_handled": 25,
        "talk": 600,
        "acw": 30,
        "identified": 1,
    },
    # The callback request (inbound, same caller as 10:01: a repeat) and the callback itself.
    ("10:15", "VOICE", "support"): {
        "contacts": 2,
        "inbound": 1,
        "queued": 2,
        "callbacks_requested": 1,
        "answered": 1,
        "handled": 1,
        "queue_wait_handled": 300,
        "talk": 200,
        "acw": 20,
        "identified": 1,
        "repeat": 1,
    },
    ("10:30", "VOICE", ""): {
        "contacts": 1,
        "inbound": 1,
        "self_service": 1,
        "identified": 1,
    },
}


def seed_jane(analytics: Analytics) -> None:
    analytics.profiles.save(
        CustomerProfile(
            customer_id="c-jane",
            first_name="Jane",
            identifiers=[Identifier(kind=IdentifierKind.EMAIL, value="jane.doe@example.com")],
        )
    )


def test_a_day_of_contacts_adds_up_to_the_hand_computed_totals(analytics: Analytics) -> None:
    seed_jane(analytics)
    response = analytics.invoke(ctr.kinesis_event(*the_day()))
    assert response == {"batchItemFailures": []}
    assert analytics.rows() == EXPECTED_DAY


def test_replaying_a_batch_changes_no_total_and_no_history(analytics: Analytics) -> None:
    seed_jane(analytics)
    event = ctr.kinesis_event(*the_day())
    analytics.invoke(event)
    caller = analytics.profiles.find(Identifier(kind=IdentifierKind.PHONE, value=ctr.CALLER))
    assert caller is not None
    history_before = analytics.profiles.history(caller.customer_id, limit=50)

    assert analytics.invoke(event) == {"batchItemFailures": []}
    assert analytics.invoke(ctr.kinesis_event(*reversed(the_day()), first_sequence=90)) == {
        "batchItemFailures": []
    }

    assert analytics.rows() == EXPECTED_DAY
    assert analytics.profiles.history(caller.customer_id, limit=50) == history_before


def test_duplicates_in_one_batch_count_once(analytics: Analytics) -> None:
    record = ctr.voice_handled()
    analytics.invoke(ctr.kinesis_event(record, record, record))
    assert analytics.rows()[("10:00", "VOICE", "support")]["contacts"] == 1
    assert analytics.rows()[("10:00", "VOICE", "support")]["talk"] == 300


def test_an_updated_record_replaces_the_first_version(analytics: Analytics) -> None:
    # Connect sends the record at disconnect, then again when after-contact work ends.
    at_disconnect = ctr.ctr("c-1", started=ctr.at(9, 0), queue="support", wait=8, talk=200)
    after_acw = ctr.ctr(
        "c-1", started=ctr.at(9, 0), queue="support", wait=8, talk=200, acw=75, updated_after=5
    )
    analytics.invoke(ctr.kinesis_event(at_disconnect))
    analytics.invoke(ctr.kinesis_event(after_acw, first_sequence=2))
    # A late copy of the first version changes nothing: it is older.
    analytics.invoke(ctr.kinesis_event(at_disconnect, first_sequence=3))

    assert analytics.rows() == {
        ("09:00", "VOICE", "support"): {
            "contacts": 1,
            "inbound": 1,
            "queued": 1,
            "answered": 1,
            "handled": 1,
            "queue_wait_handled": 8,
            "talk": 200,
            "acw": 75,
            WITHIN: 1,
            DEQUEUED: 1,
            "identified": 1,
        }
    }


def test_an_update_that_moves_the_contact_subtracts_it_from_its_old_row(
    analytics: Analytics,
) -> None:
    first = ctr.ctr("c-2", started=ctr.at(9, 10), queue="support", wait=30)
    moved = ctr.ctr("c-2", started=ctr.at(9, 10), queue="billing", wait=30, updated_after=60)
    analytics.invoke(ctr.kinesis_event(first))
    analytics.invoke(ctr.kinesis_event(moved, first_sequence=2))
    rows = analytics.rows()
    assert ("09:00", "VOICE", "support") not in rows  # every counter back to zero
    assert rows[("09:00", "VOICE", "billing")]["abandoned"] == 1
    assert rows[("09:00", "VOICE", "billing")]["queued"] == 1


def test_newest_version_wins_whatever_the_arrival_order(analytics: Analytics) -> None:
    versions = [
        ctr.ctr(
            "c-3",
            started=ctr.at(11, 0),
            queue="support",
            wait=3,
            talk=60,
            acw=acw,
            updated_after=acw,
        )
        for acw in (0, 40, 90)
    ]
    analytics.invoke(ctr.kinesis_event(versions[2], versions[0]))
    analytics.invoke(ctr.kinesis_event(versions[1], first_sequence=3))
    assert analytics.rows()[("11:00", "VOICE", "support")]["acw"] == 90


def test_poison_records_fail_alone_and_the_good_ones_are_counted(analytics: Analytics) -> None:
    no_contact_id = {k: v for k, v in ctr.voice_abandoned().items() if k != "ContactId"}
    no_time_at_all = {"ContactId": "c-timeless", "Channel": "VOICE"}
    negative_wait = ctr.ctr("c-negative", started=ctr.at(10, 0), queue="support", wait=-5)
    event = ctr.kinesis_event(
        ctr.voice_handled(),
        b"{not json",
        no_contact_id,
        no_time_at_all,
        negative_wait,
        ctr.self_service(),
    )
    response = analytics.invoke(event)

    poison = ctr.sequence_numbers(event)[1:5]
    assert response == {"batchItemFailures": [{"itemIdentifier": s} for s in poison]}
    rows = analytics.rows()
    assert rows[("10:00", "VOICE", "support")]["contacts"] == 1
    assert rows[("10:30", "VOICE", "")]["self_service"] == 1


def test_a_batch_of_nothing_but_poison_raises_so_lambda_bisects_it(analytics: Analytics) -> None:
    with pytest.raises(BatchProcessingError):
        analytics.invoke(ctr.kinesis_event(b"garbage", b"[]"))


def test_unknown_fields_and_null_sections_are_tolerated(analytics: Analytics) -> None:
    record = ctr.voice_handled()
    record["SomethingAwsAddsNextYear"] = {"Nested": [1, 2]}
    record["Attributes"] = None
    record["SegmentAttributes"] = None
    record["Channel"] = "Voice"  # some exports spell it so
    assert analytics.invoke(ctr.kinesis_event(record)) == {"batchItemFailures": []}
    assert analytics.rows()[("10:00", "VOICE", "support")]["handled"] == 1


def test_each_contact_joins_the_customers_history_and_repeats_are_within_48h(
    analytics: Analytics,
) -> None:
    call = ctr.ctr("k-call", started=ctr.at(10, 0), queue="support", wait=5, talk=60)
    # Next day, 23 h later, the same number texts in: SMS is a CHAT with subtype connect:SMS.
    text = ctr.ctr(
        "k-sms",
        started=ctr.at(9, 0, day=1),
        channel="CHAT",
        method="INBOUND",
        queue="support",
        wait=10,
        talk=100,
        subtype="connect:SMS",
    )
    # 49 h after the text: outside the window, not a repeat.
    later = ctr.ctr("k-later", started=ctr.at(10, 0, day=3), queue="billing", wait=5, talk=30)
    analytics.invoke(ctr.kinesis_event(call))
    analytics.invoke(ctr.kinesis_event(text, first_sequence=2))
    analytics.invoke(ctr.kinesis_event(later, first_sequence=3))

    rows = analytics.rows()
    assert rows[("10:00", "VOICE", "support")].get("repeat", 0) == 0
    assert rows[("D+1 09:00", "CHAT", "support")]["repeat"] == 1
    assert rows[("D+3 10:00", "VOICE", "billing")].get("repeat", 0) == 0
    assert all(rows[key]["identified"] == 1 for key in rows)

    customer = analytics.profiles.find(Identifier(kind=IdentifierKind.PHONE, value=ctr.CALLER))
    assert customer is not None
    history = analytics.profiles.history(customer.customer_id)
    assert [(h.contact_id, h.channel, h.queue, h.outcome) for h in history] == [
        ("k-later", "VOICE", "billing", "handled"),
        ("k-sms", "SMS", "support", "handled"),
        ("k-call", "VOICE", "support", "handled"),
    ]
    assert customer.last_contact_id == "k-later"
    assert customer.last_contact_channel == "VOICE"


def test_a_call_recognised_by_its_number_moves_last_contact_for_every_identifier(
    analytics: Analytics,
) -> None:
    # Jane is known by phone and email; her call names no customerId, only her caller ID.
    phone = Identifier(kind=IdentifierKind.PHONE, value=ctr.CALLER)
    email = Identifier(kind=IdentifierKind.EMAIL, value="jane.doe@example.com")
    analytics.profiles.save(
        CustomerProfile(customer_id="c-jane", first_name="Jane", identifiers=[phone, email])
    )
    call = ctr.ctr("k-call", started=ctr.at(10, 0), queue="support", wait=5, talk=60)
    analytics.invoke(ctr.kinesis_event(call))

    by_email = analytics.profiles.find(email)
    assert by_email is not None and by_email.last_contact_id == "k-call"
    profile = analytics.profiles.get("c-jane")
    assert profile is not None and profile.last_contact_id == "k-call"


def test_contacts_of_one_customer_in_one_batch_see_each_other(analytics: Analytics) -> None:
    first = ctr.ctr("k-a", started=ctr.at(8, 0), queue="support", wait=5, talk=60)
    second = ctr.ctr("k-b", started=ctr.at(8, 40), queue="support", wait=5, talk=60)
    analytics.invoke(ctr.kinesis_event(second, first))  # arrival order reversed
    rows = analytics.rows()
    assert rows[("08:00", "VOICE", "support")].get("repeat", 0) == 0
    assert rows[("08:30", "VOICE", "support")]["repeat"] == 1


def test_a_withheld_caller_id_is_nobody(analytics: Analytics) -> None:
    anonymous = [
        ctr.ctr(
            f"k-anon-{i}",
            started=ctr.at(12, i),
            caller="+266696687",
            queue="support",
            wait=3,
            talk=30,
        )
        for i in range(3)
    ]
    analytics.invoke(ctr.kinesis_event(*anonymous))
    row = analytics.rows()[("12:00", "VOICE", "support")]
    assert row["inbound"] == 3
    assert "identified" not in row and "repeat" not in row
    assert (
        analytics.profiles.find(Identifier(kind=IdentifierKind.PHONE, value="+266696687")) is None
    )


def test_kpis_are_published_as_emf_metrics_per_channel(
    analytics: Analytics, capsys: pytest.CaptureFixture[str]
) -> None:
    seed_jane(analytics)
    analytics.invoke(ctr.kinesis_event(*the_day()))
    documents = [
        json.loads(line)
        for line in capsys.readouterr().out.splitlines()
        if line.startswith("{") and "_aws" in line
    ]
    per_channel = {d["Channel"]: d for d in documents if "Channel" in d}
    assert set(per_channel) == {"VOICE", "CHAT"}
    voice = {name: emf_value(per_channel["VOICE"], name) for name in per_channel["VOICE"]}
    # VOICE over the day: queued 2 + 1 + 2, abandoned 1, answered 1 + 1 + 1 (waits 12 + 5 + 300),
    # answered within 20 s 2, handle time 390 + 120 + 220.
    assert voice["ContactsQueued"] == 5
    assert voice["ContactsAbandoned"] == 1
    assert voice["ContactsAnswered"] == 3
    assert voice["QueueAnswerTime"] == 317
    assert voice["ContactsAnsweredInThreshold"] == 2
    assert voice["HandleTime"] == 730
    assert per_channel["VOICE"]["service"] == "analytics"
    assert emf_value(per_channel["CHAT"], "ContactsQueued") == 1
    batch = next(d for d in documents if "ContactsCounted" in d)
    assert emf_value(batch, "ContactsCounted") == 7


def emf_value(document: dict[str, Any], name: str) -> Any:
    """EMF carries a metric's values as a list (one per add_metric); dimensions as strings."""
    value = document[name]
    return sum(value) if isinstance(value, list) else value


def test_settings_are_read_once_per_container(
    analytics: Analytics, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Given a container that has counted a batch
    analytics.invoke(ctr.kinesis_event(ctr.voice_handled()))
    first = analytics_handler.settings()

    # When the environment changes under it (as it never does in Lambda)
    monkeypatch.setenv("METRICS_TABLE", "no-such-table")
    response = analytics.invoke(ctr.kinesis_event(ctr.self_service(), first_sequence=2))

    # Then the container keeps counting into the table it read
    assert response == {"batchItemFailures": []}
    assert analytics_handler.settings() is first
    assert analytics.rows()[("10:30", "VOICE", "")]["self_service"] == 1


@pytest.mark.parametrize(
    ("name", "value", "problem"),
    [
        ("METRICS_TABLE", None, "missing"),
        ("SERVICE_LEVEL_THRESHOLD_SECONDS", "0", "greater_than_equal"),
        ("CUSTOMER_HISTORY", "maybe", "bool_parsing"),
    ],
)
def test_invalid_settings_fail_the_whole_batch_so_kinesis_retries_it(
    analytics: Analytics,
    monkeypatch: pytest.MonkeyPatch,
    name: str,
    value: str | None,
    problem: str,
) -> None:
    # Given a container whose environment lacks or garbles a variable
    if value is None:
        monkeypatch.delenv(name)
    else:
        monkeypatch.setenv(name, value)
    analytics_handler.settings.cache_clear()
    analytics_handler.counter.cache_clear()

    # When a batch arrives, Then the invocation raises by the variable's name, counting nothing
    with pytest.raises(SettingsError, match=rf"{name} \({problem}\)"):
        analytics.invoke(ctr.kinesis_event(ctr.voice_handled()))
    assert analytics.rows() == {}
