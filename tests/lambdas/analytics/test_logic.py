"""Pure aggregation: one record's contribution, versions, net deltas, chunks, repeats, KPIs."""

from __future__ import annotations

from collections import defaultdict
from datetime import UTC, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from lambdas.analytics import logic
from lambdas.analytics.logic import (
    AggregateKey,
    Change,
    ContactState,
    Contribution,
    CustomerFacts,
    Kpis,
    chunk_changes,
    contribution,
    interval_start,
    is_repeat,
    latest_versions,
    net_deltas,
    plan_change,
    version_of,
)
from lambdas.common.contact_records import ContactRecord
from tests.lambdas.analytics import ctr

NOBODY = CustomerFacts()


def parse(record: dict) -> ContactRecord:
    return ContactRecord.model_validate(record)


def counters(record: dict, customer: CustomerFacts = NOBODY) -> dict[str, int]:
    return dict(contribution(parse(record), threshold_seconds=20, customer=customer).counters)


def test_intervals_are_quarter_hours_in_utc() -> None:
    local = datetime(2026, 12, 1, 4, 29, 59, tzinfo=UTC).astimezone(ZoneInfo("America/Chicago"))
    assert interval_start(local) == datetime(2026, 12, 1, 4, 15, tzinfo=UTC)


def test_a_handled_call_counts_queue_wait_and_handle_time() -> None:
    assert counters(ctr.voice_handled(), CustomerFacts("c-1", repeat=False)) == {
        "contacts": 1,
        "inbound": 1,
        "identified": 1,
        "queued": 1,
        "answered": 1,
        "handled": 1,
        "queue_wait_handled": 12,
        "answered_within_20s": 1,
        "dequeued_within_20s": 1,
        "talk": 300,
        "hold": 30,
        "acw": 60,
    }


def test_an_abandoned_call_is_queued_and_abandoned_only() -> None:
    assert counters(ctr.voice_abandoned()) == {
        "contacts": 1,
        "inbound": 1,
        "queued": 1,
        "abandoned": 1,
        "queue_wait_abandoned": 45,
    }


def test_a_callback_request_is_not_abandoned_and_the_callback_is_not_inbound() -> None:
    assert counters(ctr.callback_request()) == {
        "contacts": 1,
        "inbound": 1,
        "queued": 1,
        "callbacks_requested": 1,
    }
    callback = counters(ctr.callback())
    assert "inbound" not in callback and callback["answered"] == 1


def test_a_contact_routed_to_a_full_queue_is_not_self_service() -> None:
    refused = ctr.ctr("c-full", started=ctr.at(9, 0), attributes={"queueName": "appointments"})
    key_and_counters = contribution(parse(refused), threshold_seconds=20, customer=NOBODY)
    assert key_and_counters.key.queue == "appointments"
    assert dict(key_and_counters.counters) == {"contacts": 1, "inbound": 1, "queue_full": 1}


def test_an_outbound_api_call_is_not_self_service() -> None:
    outbound = ctr.ctr("c-out", started=ctr.at(9, 0), method="API")
    assert counters(outbound) == {"contacts": 1}


def test_the_threshold_is_inclusive_and_named_in_the_counter() -> None:
    exactly = ctr.ctr("c-20", started=ctr.at(9, 0), queue="support", wait=20, talk=10)
    assert counters(exactly)["answered_within_20s"] == 1
    late = ctr.ctr("c-21", started=ctr.at(9, 0), queue="support", wait=21, talk=10)
    assert "answered_within_20s" not in counters(late)


def test_versions_order_by_last_update_then_content() -> None:
    first = parse(ctr.ctr("c", started=ctr.at(9, 0), queue="q", wait=1, talk=5))
    later = parse(ctr.ctr("c", started=ctr.at(9, 0), queue="q", wait=1, talk=5, updated_after=9))
    same_second = parse(
        {**ctr.ctr("c", started=ctr.at(9, 0), queue="q", wait=1, talk=5), "Attributes": {"a": "b"}}
    )
    assert version_of(later) > version_of(first)
    assert version_of(first) == version_of(
        parse(ctr.ctr("c", started=ctr.at(9, 0), queue="q", wait=1, talk=5))
    )
    assert version_of(same_second) != version_of(first)
    assert version_of(same_second)[:20] == version_of(first)[:20]  # same timestamp prefix


def test_a_stored_state_at_this_version_or_newer_means_nothing_to_do() -> None:
    record = parse(ctr.voice_handled())
    version = version_of(record)
    state = ContactState(
        contact_id=record.contact_id,
        version=version,
        contribution=contribution(record, threshold_seconds=20, customer=NOBODY),
    )
    assert plan_change(record, version, state, threshold_seconds=20, customer=NOBODY) is None
    older = ContactState(record.contact_id, "2000-01-01T00:00:00Z#0", state.contribution)
    change = plan_change(record, version, older, threshold_seconds=20, customer=NOBODY)
    assert change is not None and change.expected_version == older.version


def test_net_deltas_subtract_the_replaced_contribution_and_drop_zeros() -> None:
    key_a = AggregateKey(ctr.at(9, 0), "VOICE", "a")
    key_b = AggregateKey(ctr.at(9, 0), "VOICE", "b")
    moved = Change(
        contact_id="c1",
        version="v2",
        expected_version="v1",
        old=Contribution(key_a, {"contacts": 1, "queued": 1}),
        new=Contribution(key_b, {"contacts": 1, "queued": 1, "abandoned": 1}),
        customer=NOBODY,
    )
    refreshed = Change(
        contact_id="c2",
        version="v2",
        expected_version="v1",
        old=Contribution(key_b, {"contacts": 1, "acw": 0, "talk": 10}),
        new=Contribution(key_b, {"contacts": 1, "acw": 30, "talk": 10}),
        customer=NOBODY,
    )
    assert net_deltas([moved, refreshed]) == {
        key_a: {"contacts": -1, "queued": -1},
        key_b: {"contacts": 1, "queued": 1, "abandoned": 1, "acw": 30},
    }


def test_chunks_fit_a_transaction_and_carry_every_change() -> None:
    changes = [
        Change(
            contact_id=f"c{i:03d}",
            version="v",
            expected_version=None,
            old=None,
            new=Contribution(AggregateKey(ctr.at(9, 15 * (i % 7)), "VOICE", "q"), {"contacts": 1}),
            customer=NOBODY,
        )
        for i in range(500)
    ]
    chunks = list(chunk_changes(changes))
    assert sorted(c.contact_id for chunk in chunks for c in chunk) == sorted(
        c.contact_id for c in changes
    )
    for chunk in chunks:
        keys = {key for change in chunk for key in change.keys}
        assert len(chunk) + len(keys) <= logic.TRANSACTION_ITEM_LIMIT
    # Sorted by key: 500 contacts over 7 keys need 6 transactions, not 500.
    assert len(chunks) == 6


def test_repeat_window_is_before_the_contact_and_excludes_its_own_chain() -> None:
    now = ctr.at(12, 0)
    window = timedelta(hours=48)
    assert is_repeat(now, [("a", now - timedelta(hours=47))], window=window)
    assert not is_repeat(now, [("a", now - timedelta(hours=49))], window=window)
    assert not is_repeat(now, [("a", now + timedelta(minutes=1))], window=window)
    assert not is_repeat(now, [("self", now - timedelta(hours=1))], window=window, exclude=["self"])


def test_kpis_are_derived_from_sums_at_read_time() -> None:
    kpis = Kpis.from_counters(
        {
            "queued": 10,
            "answered": 8,
            "handled": 8,
            "abandoned": 2,
            "queue_wait_handled": 160,
            "talk": 2000,
            "hold": 100,
            "acw": 300,
            "answered_within_20s": 6,
            "dequeued_within_20s": 7,
            "inbound": 12,
            "self_service": 3,
            "identified": 10,
            "repeat": 2,
        },
        threshold_seconds=20,
    )
    assert kpis.abandonment_rate == pytest.approx(0.2)
    assert kpis.average_speed_of_answer == pytest.approx(20.0)
    assert kpis.average_handle_time == pytest.approx(300.0)
    assert kpis.service_level == pytest.approx(0.6)
    assert kpis.connect_service_level == pytest.approx(0.7)
    assert kpis.self_service_rate == pytest.approx(0.25)
    assert kpis.repeat_rate == pytest.approx(0.2)
    assert kpis.first_contact_resolution == pytest.approx(0.8)
    assert Kpis().abandonment_rate is None and Kpis().average_handle_time is None
    other_threshold = Kpis.from_counters(
        {"answered_within_30s": 9, "queued": 10}, threshold_seconds=20
    )
    assert other_threshold.service_level == 0


def test_asa_is_over_answered_contacts_and_self_service_over_customer_started_ones() -> None:
    # Given a call answered after 30 s in queue and an outbound call an agent handled unqueued
    kpis = Kpis(contacts=2, inbound=1, queued=1, answered=1, handled=2, queue_wait_handled=30)
    kpis.talk, kpis.acw = 400, 200
    # Then ASA divides by the one answered, AHT by both handled
    assert kpis.average_speed_of_answer == 30
    assert kpis.average_handle_time == 300
    # And self-service divides by the contacts customers started, not by every contact
    assert Kpis(contacts=4, inbound=2, self_service=1).self_service_rate == 0.5


# -- exactly once, as a property ----------------------------------------------------------------

contact_ids = st.sampled_from([f"c{i}" for i in range(6)])
version_specs = st.tuples(
    contact_ids,
    st.integers(min_value=0, max_value=3),  # which version (later = newer)
    st.sampled_from(["support", "billing"]),
    st.integers(min_value=0, max_value=60),  # queue wait
    st.one_of(st.none(), st.integers(min_value=1, max_value=600)),  # talk (None: abandoned)
)


def spec_record(spec: tuple[str, int, str, int, int | None]) -> ContactRecord:
    contact_id, version, queue, wait, talk = spec
    # The contact's start is fixed by its id; versions differ in content and LastUpdateTimestamp.
    started = ctr.at(9, int(contact_id[1:]) * 7)
    return parse(
        ctr.ctr(
            contact_id,
            started=started,
            queue=queue,
            wait=wait,
            talk=talk,
            updated_after=version * 3600,
        )
    )


@settings(max_examples=60, deadline=None)
@given(
    deliveries=st.lists(version_specs, min_size=1, max_size=25),
    batch_sizes=st.lists(st.integers(min_value=1, max_value=6), min_size=1, max_size=25),
    replays=st.integers(min_value=0, max_value=3),
)
def test_any_order_duplication_and_batching_counts_each_contact_once_from_its_newest_version(
    deliveries: list[tuple[str, int, str, int, int | None]],
    batch_sizes: list[int],
    replays: int,
) -> None:
    """Deliver versions in any order, duplicated, in any batching, replay some batches: the
    totals equal the contributions of each contact's newest version, computed directly."""
    records = [spec_record(spec) for spec in deliveries]
    states: dict[str, ContactState] = {}
    totals: dict[AggregateKey, dict[str, int]] = defaultdict(lambda: defaultdict(int))

    def apply(batch: list[ContactRecord]) -> None:
        latest = latest_versions((index, record) for index, record in enumerate(batch))
        changes = [
            change
            for contact_id, entry in latest.items()
            if (
                change := plan_change(
                    entry.record,
                    entry.version,
                    states.get(contact_id),
                    threshold_seconds=20,
                    customer=NOBODY,
                )
            )
            is not None
        ]
        for chunk in chunk_changes(changes, limit=5):
            for key, delta in net_deltas(chunk).items():
                for name, value in delta.items():
                    totals[key][name] += value
            for change in chunk:
                states[change.contact_id] = change.state()

    batches, position = [], 0
    for size in batch_sizes:
        if position >= len(records):
            break
        batches.append(records[position : position + size])
        position += size
    if position < len(records):
        batches.append(records[position:])
    for batch in batches:
        apply(batch)
    for batch in batches[:replays]:
        apply(batch)

    newest: dict[str, ContactRecord] = {}
    for record in records:
        seen = newest.get(record.contact_id)
        if seen is None or version_of(record) > version_of(seen):
            newest[record.contact_id] = record
    expected: dict[AggregateKey, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    for record in newest.values():
        part = contribution(record, threshold_seconds=20, customer=NOBODY)
        for name, value in part.counters.items():
            expected[part.key][name] += value

    def clean(table: dict[AggregateKey, dict[str, int]]) -> dict[AggregateKey, dict[str, int]]:
        return {
            key: {n: v for n, v in counters.items() if v}
            for key, counters in table.items()
            if any(counters.values())
        }

    assert clean(totals) == clean(expected)


# -- the self-service bot ------------------------------------------------------------------------


def bot_contact(contact_id: str, outcome: str, intent: str = "", **kwargs: Any) -> dict:
    attributes = {"self_service_outcome": outcome}
    if intent:
        attributes["self_service_intent"] = intent
    return ctr.ctr(contact_id, started=ctr.at(9, 0), attributes=attributes, **kwargs)


def test_a_contact_the_bot_fulfilled_without_a_queue_is_contained_under_its_intent() -> None:
    assert counters(bot_contact("c-1", "fulfilled", "CheckAppointment")) == {
        "contacts": 1,
        "inbound": 1,
        "self_service": 1,
        "bot_contacts": 1,
        "bot_contacts:CheckAppointment": 1,
        "bot_contained": 1,
        "bot_contained:CheckAppointment": 1,
    }


def test_a_contact_the_bot_escalated_counts_escalated_in_its_queue() -> None:
    escalated = bot_contact("c-2", "escalate", "TalkToAgent", queue="general", wait=30, talk=60)
    found = counters(escalated)
    assert {name: found[name] for name in found if name.startswith("bot_")} == {
        "bot_contacts": 1,
        "bot_contacts:TalkToAgent": 1,
        "bot_escalated": 1,
        "bot_escalated:TalkToAgent": 1,
    }
    assert found["answered"] == 1


def test_a_fulfilled_contact_that_queued_after_all_is_escalated_not_contained() -> None:
    found = counters(bot_contact("c-3", "fulfilled", "CheckBalance", queue="billing", wait=5))
    assert found["bot_escalated"] == 1 and "bot_contained" not in found


def test_a_contact_that_ended_in_the_bot_is_abandoned_with_no_intent_learnt() -> None:
    found = counters(bot_contact("c-4", "in_bot"))
    assert found["bot_abandoned"] == 1 and found["bot_abandoned:"] == 1


def test_a_contact_that_never_met_the_bot_has_no_bot_counter() -> None:
    assert not [name for name in counters(ctr.voice_handled()) if name.startswith("bot_")]


def test_bot_kpis_from_hand_computed_records() -> None:
    # Given 10 bot contacts: 6 contained (4 appointment, 2 balance), 3 escalated (2 asked for
    # an agent, 1 failed balance), 1 abandoned before saying anything, and a call with no bot.
    records = [bot_contact(f"a{n}", "fulfilled", "CheckAppointment") for n in range(4)]
    records += [bot_contact(f"b{n}", "fulfilled", "CheckBalance") for n in range(2)]
    records += [bot_contact(f"t{n}", "escalate", "TalkToAgent", queue="general") for n in range(2)]
    records += [bot_contact("f0", "failed", "CheckBalance", queue="billing")]
    records += [bot_contact("x0", "in_bot"), ctr.voice_handled()]
    changes = [
        plan_change(
            parse(record), version_of(parse(record)), None, threshold_seconds=20, customer=NOBODY
        )
        for record in records
    ]
    rows = net_deltas(change for change in changes if change is not None)

    total = Kpis()
    for kpis in logic.summarize(rows.items(), threshold_seconds=20, by_queue=False).values():
        total.add(kpis)
    by_intent = logic.bot_intents(rows.items())

    # Then the rates are 6/10, 1/10 and 3/10, and per intent as counted by hand.
    assert (total.bot_contacts, total.bot_contained, total.bot_escalated) == (10, 6, 3)
    assert total.containment_rate == pytest.approx(0.6)
    assert total.bot_abandonment_rate == pytest.approx(0.1)
    assert total.escalation_rate == pytest.approx(0.3)
    assert sorted(by_intent) == ["", "CheckAppointment", "CheckBalance", "TalkToAgent"]
    assert by_intent["CheckBalance"].containment_rate == pytest.approx(2 / 3)
    assert by_intent["TalkToAgent"].escalation_rate == 1.0
    assert by_intent[""].bot_abandonment_rate == 1.0
    assert Kpis().containment_rate is None
