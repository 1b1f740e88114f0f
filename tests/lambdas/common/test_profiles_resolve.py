"""`ProfileRepository.resolve`: several candidate keys, one round trip, the best-ranked hit."""

from __future__ import annotations

from typing import Any

import pytest
from botocore.stub import Stubber

from lambdas.common.identity import IdentifierKind
from lambdas.common.profiles import (
    CustomerProfile,
    Identifier,
    LookupIncompleteError,
    ProfileRepository,
)

PHONE = Identifier(kind=IdentifierKind.PHONE, value="+13125550143")
EMAIL = Identifier(kind=IdentifierKind.EMAIL, value="jane.doe@example.com")
OTHER_EMAIL = Identifier(kind=IdentifierKind.EMAIL, value="sam@example.org")
STRANGER = Identifier(kind=IdentifierKind.PHONE, value="+13125550199")


@pytest.fixture()
def repository(tables: Any) -> ProfileRepository:
    repo = ProfileRepository(tables.customers)
    repo.save(CustomerProfile(customer_id="c-jane", first_name="Jane", identifiers=[PHONE, EMAIL]))
    repo.save(CustomerProfile(customer_id="c-sam", first_name="Sam", identifiers=[OTHER_EMAIL]))
    return repo


def calls_of(repository: ProfileRepository) -> list[str]:
    calls: list[str] = []
    repository.table.meta.client.meta.events.register(
        "before-call.dynamodb.*", lambda model, **_: calls.append(model.name)
    )
    return calls


def test_one_candidate_is_one_getitem(repository: ProfileRepository) -> None:
    calls = calls_of(repository)
    found = repository.resolve([PHONE])
    assert found is not None and found.profile.customer_id == "c-jane" and found.via == PHONE
    assert calls == ["GetItem"]


def test_our_customer_id_alone_reads_the_profile_item(repository: ProfileRepository) -> None:
    found = repository.resolve([], customer_id="c-sam")
    assert found is not None and found.via is None
    assert found.profile.identifiers == [OTHER_EMAIL]


def test_several_candidates_are_one_batch_and_the_best_ranked_hit_wins(
    repository: ProfileRepository,
) -> None:
    calls = calls_of(repository)
    found = repository.resolve([STRANGER, OTHER_EMAIL, PHONE])
    assert found is not None and found.profile.customer_id == "c-sam" and found.via == OTHER_EMAIL
    assert calls == ["BatchGetItem"]
    first = repository.resolve([PHONE, OTHER_EMAIL], customer_id="c-missing")
    assert first is not None and first.profile.customer_id == "c-jane"


def test_no_candidate_hits_is_none_and_no_candidate_is_no_call(
    repository: ProfileRepository,
) -> None:
    calls = calls_of(repository)
    assert repository.resolve([STRANGER, Identifier(kind=IdentifierKind.CHAT, value="w1")]) is None
    assert repository.resolve([]) is None
    assert calls == ["BatchGetItem"]


def test_unprocessed_keys_without_a_hit_raise_rather_than_guess(
    repository: ProfileRepository,
) -> None:
    with Stubber(repository.table.meta.client) as stubber:
        stubber.add_response(
            "batch_get_item",
            {
                "Responses": {repository.table.name: []},
                "UnprocessedKeys": {
                    repository.table.name: {"Keys": [{"pk": {"S": PHONE.key}, "sk": {"S": "ID"}}]}
                },
            },
        )
        with pytest.raises(LookupIncompleteError):
            repository.resolve([STRANGER, PHONE])
