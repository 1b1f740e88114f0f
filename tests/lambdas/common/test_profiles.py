"""The profile store: one round trip to recognise a customer, history that survives replays."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from lambdas.common.identity import IdentifierKind
from lambdas.common.profiles import ContactSummary, CustomerProfile, Identifier, ProfileRepository

PHONE = Identifier(kind=IdentifierKind.PHONE, value="+13125550143")
EMAIL = Identifier(kind=IdentifierKind.EMAIL, value="jane.doe@example.com")
CHAT = Identifier(kind=IdentifierKind.CHAT, value="web-7f3a")
T0 = datetime(2026, 11, 20, 15, 0, tzinfo=UTC)


@pytest.fixture()
def repository(tables: Any) -> ProfileRepository:
    repo = ProfileRepository(tables.customers)
    repo.save(
        CustomerProfile(
            customer_id="c-jane",
            first_name="Jane",
            tier="vip",
            language="es",
            identifiers=[PHONE, EMAIL],
        )
    )
    return repo


def test_customer_found_by_each_identifier(repository: ProfileRepository) -> None:
    by_phone, by_email = repository.find(PHONE), repository.find(EMAIL)
    assert by_phone is not None and by_email is not None
    assert by_phone.customer_id == by_email.customer_id == "c-jane"
    assert (by_phone.first_name, by_phone.tier, by_phone.language) == ("Jane", "vip", "es")
    assert repository.find(CHAT) is None


def test_identifier_parse_normalises_what_people_type() -> None:
    assert Identifier.parse(IdentifierKind.PHONE, "(312) 555-0143") == PHONE
    assert Identifier.parse(IdentifierKind.EMAIL, "Jane.Doe@EXAMPLE.com") == EMAIL
    assert Identifier.parse(IdentifierKind.PHONE, "12") is None


def test_find_costs_one_round_trip(
    repository: ProfileRepository, monkeypatch: pytest.MonkeyPatch
) -> None:
    calls: list[str] = []
    client = repository.table.meta.client
    client.meta.events.register(
        "before-call.dynamodb.*", lambda model, **_: calls.append(model.name)
    )
    repository.find(EMAIL)
    assert calls == ["GetItem"]


def test_a_contact_on_one_channel_is_visible_from_every_other(
    repository: ProfileRepository,
) -> None:
    assert repository.record_contact(
        "c-jane", ContactSummary(contact_id="k1", channel="EMAIL", at=T0, queue="billing")
    )
    seen_by_phone = repository.find(PHONE)
    assert seen_by_phone is not None
    assert seen_by_phone.last_contact_channel == "EMAIL"
    assert seen_by_phone.last_contact_queue == "billing"
    assert seen_by_phone.is_repeat_contact(T0 + timedelta(hours=47), timedelta(hours=48))
    assert not seen_by_phone.is_repeat_contact(T0 + timedelta(hours=49), timedelta(hours=48))


def test_a_caller_holding_the_profile_records_a_contact_without_reading_it_again(
    repository: ProfileRepository,
) -> None:
    calls: list[str] = []
    client = repository.table.meta.client
    client.meta.events.register(
        "before-call.dynamodb.*", lambda model, **_: calls.append(model.name)
    )
    contact = ContactSummary(contact_id="k1", channel="SMS", at=T0, queue="billing")
    assert repository.record_contact("c-jane", contact, identifiers=[PHONE, EMAIL])
    # the history entry, then the profile's and each identity's "last contact"
    assert calls == ["PutItem", "UpdateItem", "UpdateItem", "UpdateItem"]
    found = repository.find(PHONE)
    assert found is not None and found.last_contact_id == "k1"

    calls.clear()
    later = ContactSummary(contact_id="k2", channel="VOICE", at=T0 + timedelta(hours=1))
    assert repository.record_contact("c-jane", later)
    assert calls == ["PutItem", "GetItem", "UpdateItem", "UpdateItem", "UpdateItem"]


def test_recording_the_same_contact_twice_changes_nothing(repository: ProfileRepository) -> None:
    contact = ContactSummary(contact_id="k1", channel="CHAT", at=T0, queue="support")
    assert repository.record_contact("c-jane", contact) is True
    assert repository.record_contact("c-jane", contact) is False
    assert [c.contact_id for c in repository.history("c-jane")] == ["k1"]


def test_an_older_contact_arriving_late_does_not_roll_back_last_contact(
    repository: ProfileRepository,
) -> None:
    repository.record_contact("c-jane", ContactSummary(contact_id="new", channel="VOICE", at=T0))
    repository.record_contact(
        "c-jane", ContactSummary(contact_id="old", channel="EMAIL", at=T0 - timedelta(days=1))
    )
    profile = repository.find(EMAIL)
    assert profile is not None and profile.last_contact_id == "new"
    assert [c.contact_id for c in repository.history("c-jane")] == ["new", "old"]


def test_history_entries_expire_by_ttl(repository: ProfileRepository) -> None:
    repository.record_contact("c-jane", ContactSummary(contact_id="k1", channel="VOICE", at=T0))
    (item,) = repository.table.query(
        KeyConditionExpression="pk = :pk AND begins_with(sk, :p)",
        ExpressionAttributeValues={":pk": "CUST#c-jane", ":p": "CONTACT#"},
    )["Items"]
    assert int(item["expires_at"]) == int((T0 + timedelta(days=400)).timestamp())


def test_unknown_sender_gets_a_profile_once(repository: ProfileRepository) -> None:
    stranger = Identifier(kind=IdentifierKind.PHONE, value="+13125550199")
    created, was_new = repository.find_or_create(stranger, first_name="Sam")
    again, was_new_again = repository.find_or_create(stranger)
    assert was_new and not was_new_again
    assert again.customer_id == created.customer_id and again.first_name == "Sam"


def test_a_new_customer_and_their_first_contact_cost_one_write_request(
    repository: ProfileRepository,
) -> None:
    """Given an unknown caller, when analytics creates them with the contact that brought them,
    then the find and one transaction read back exactly as creating them and then recording the
    contact (which costs three more requests)."""
    first = Identifier(kind=IdentifierKind.PHONE, value="+13125550198")
    second = Identifier(kind=IdentifierKind.PHONE, value="+13125550199")
    contact = ContactSummary(contact_id="k1", channel="VOICE", at=T0, queue="billing")
    calls: list[str] = []
    repository.table.meta.client.meta.events.register(
        "before-call.dynamodb.*", lambda model, **_: calls.append(model.name)
    )

    at_once, created = repository.find_or_create(first, contact)
    assert created and calls == ["GetItem", "TransactWriteItems"]
    afterwards, _ = repository.find_or_create(second)
    repository.record_contact(afterwards.customer_id, contact, identifiers=[second])

    def read_back(customer_id: str, identifier: Identifier) -> list[Any]:
        found, stored = repository.find(identifier), repository.get(customer_id)
        assert found is not None and stored is not None
        ignored = {"customer_id", "identifiers"}
        return [
            found.model_dump(exclude=ignored),
            stored.model_dump(exclude=ignored),
            repository.history(customer_id),
        ]

    assert read_back(at_once.customer_id, first) == read_back(afterwards.customer_id, second)
    assert at_once.last_contact_id == "k1"


def test_reading_ahead_answers_from_one_request_until_the_repository_writes(
    repository: ProfileRepository,
) -> None:
    """Given analytics' read-ahead of a batch's customers, reads cost one BatchGetItem, an item
    the repository writes is read again, and nothing is kept after the block."""
    calls: list[str] = []
    repository.table.meta.client.meta.events.register(
        "before-call.dynamodb.*", lambda model, **_: calls.append(model.name)
    )
    contact = ContactSummary(contact_id="k1", channel="VOICE", at=T0)
    with repository.reading_ahead(customer_ids=["c-jane"], identifiers=[PHONE, CHAT]):
        jane, by_phone = repository.get("c-jane"), repository.find(PHONE)
        assert jane is not None and by_phone is not None and jane.first_name == "Jane"
        assert repository.find(CHAT) is None and calls == ["BatchGetItem"]
        repository.record_contact("c-jane", contact, identifiers=[PHONE, EMAIL])
        again = repository.find(PHONE)
        assert again is not None and again.last_contact_id == "k1"
    assert calls[-1] == "GetItem"
    assert repository.find(CHAT) is None and calls[-1] == "GetItem"


def test_linking_a_new_identifier_makes_it_resolve(repository: ProfileRepository) -> None:
    repository.link("c-jane", CHAT)
    found = repository.find(CHAT)
    assert found is not None and found.customer_id == "c-jane" and found.tier == "vip"
    profile = repository.get("c-jane")
    assert profile is not None and CHAT in profile.identifiers
