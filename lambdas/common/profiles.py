"""Customer profiles and their cross-channel contact history, in one DynamoDB table.

Layout (single table, partition key `pk`, sort key `sk`, TTL attribute `expires_at`):

| item             | pk                      | sk                            | holds                          |
|------------------|-------------------------|-------------------------------|--------------------------------|
| identity         | `ID#<kind>#<normalised>`| `ID`                          | customer id + profile snapshot |
| profile          | `CUST#<customer id>`    | `PROFILE`                     | profile + its identifiers      |
| history entry    | `CUST#<customer id>`    | `CONTACT#<iso time>#<contact>`| one contact, expires by TTL    |

The identity item carries a copy of every field routing and the screen-pop need (name, tier,
language, open issue, last contact), so recognising a caller costs exactly one GetItem, whichever
channel they come from. Writers keep the copies in step: `record_contact` updates the profile and
every identity snapshot, newest contact wins.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from typing import Any

from botocore.exceptions import BotoCoreError, ClientError
from pydantic import BaseModel, ConfigDict, Field

from lambdas.common.identity import IdentifierKind, normalize

PROFILE_SK = "PROFILE"
IDENTITY_SK = "ID"
HISTORY_PREFIX = "CONTACT#"
# BatchGetItem's limit: https://docs.aws.amazon.com/amazondynamodb/latest/APIReference/API_BatchGetItem.html
BATCH_GET_KEYS = 100
TTL_ATTRIBUTE = "expires_at"
SNAPSHOT_FIELDS = (
    "first_name",
    "last_name",
    "tier",
    "language",
    "open_issue",
    "time_zone",
    "sms_opt_in",
    "email_opt_in",
    "last_contact_channel",
    "last_contact_at",
    "last_contact_queue",
    "last_contact_id",
)


class Identifier(BaseModel):
    """A normalised way to reach a customer; build with `Identifier.parse`."""

    model_config = ConfigDict(frozen=True)

    kind: IdentifierKind
    value: str

    @classmethod
    def parse(cls, kind: IdentifierKind, raw: str | None) -> Identifier | None:
        value = normalize(kind, raw)
        return cls(kind=kind, value=value) if value else None

    @property
    def key(self) -> str:
        return f"ID#{self.kind.value}#{self.value}"


class ContactSummary(BaseModel):
    """One contact in the cross-channel history: what the next agent needs to see."""

    contact_id: str
    channel: str
    at: datetime
    queue: str | None = None
    outcome: str | None = None
    summary: str | None = Field(default=None, max_length=500)


class CustomerProfile(BaseModel):
    customer_id: str
    first_name: str | None = None
    last_name: str | None = None
    tier: str = "standard"
    language: str = "en"
    open_issue: str | None = None
    time_zone: str | None = None
    sms_opt_in: bool = False
    email_opt_in: bool = False
    last_contact_channel: str | None = None
    last_contact_at: datetime | None = None
    last_contact_queue: str | None = None
    last_contact_id: str | None = None
    identifiers: list[Identifier] = Field(default_factory=list)

    def is_repeat_contact(self, now: datetime, window: timedelta) -> bool:
        """Another contact within `window` before `now`, on any channel."""
        return self.last_contact_at is not None and now - self.last_contact_at <= window


class Resolution(BaseModel):
    """A customer found by `ProfileRepository.resolve`: `via` is the identifier that matched,
    None when it was our own customer id."""

    profile: CustomerProfile
    via: Identifier | None = None


class LookupIncompleteError(Exception):
    """DynamoDB did not read every candidate key (throttling) and none it read was a customer."""


def new_customer_id() -> str:
    return uuid.uuid4().hex


class ProfileRepository:
    """Data access for profiles and history; `table` is a boto3 DynamoDB Table resource."""

    def __init__(self, table: Any, history_ttl_days: int = 400) -> None:
        self.table = table
        self.history_ttl = timedelta(days=history_ttl_days)
        # (pk, sk) -> item, or None for no such item: what `reading_ahead` read.
        self._read_ahead: dict[tuple[str, str], dict[str, Any] | None] = {}

    @contextmanager
    def reading_ahead(
        self, *, customer_ids: Iterable[str], identifiers: Iterable[Identifier]
    ) -> Iterator[None]:
        """Within the block, `get` and `find` (and so `find_or_create` and `record_contact`)
        answer these customers' profile and identity items from BatchGetItems made now, 100
        keys a request, instead of one GetItem each: for analytics, which reads the customers of
        a whole batch of contacts.

        A key this repository writes inside the block is read again afterwards, so a contact sees
        what an earlier one in the block wrote, exactly as without the read-ahead. Keys DynamoDB
        leaves unprocessed, or a read-ahead that fails, are read one by one as usual (and fail,
        if they do, for their own contact only). Nothing is kept after the block: the repository
        lives as long as the container, the items would go stale.
        """
        keys = list(
            dict.fromkeys(
                [(_customer_key(customer_id), PROFILE_SK) for customer_id in customer_ids]
                + [(identifier.key, IDENTITY_SK) for identifier in identifiers]
            )
        )
        try:
            for start in range(0, len(keys), BATCH_GET_KEYS):
                self._read_ahead.update(self._batch_get(keys[start : start + BATCH_GET_KEYS]))
        except (ClientError, BotoCoreError):
            pass  # the reads happen one by one instead, each failing for its contact only
        try:
            yield
        finally:
            self._read_ahead.clear()

    def _batch_get(
        self, keys: Sequence[tuple[str, str]]
    ) -> dict[tuple[str, str], dict[str, Any] | None]:
        """The processed keys of one BatchGetItem, each to its item or None."""
        response = self.table.meta.client.batch_get_item(
            RequestItems={self.table.name: {"Keys": [{"pk": pk, "sk": sk} for pk, sk in keys]}}
        )
        unprocessed = response.get("UnprocessedKeys", {}).get(self.table.name, {}).get("Keys", [])
        skipped = {(str(key["pk"]), str(key["sk"])) for key in unprocessed}
        found = {
            (str(item["pk"]), str(item["sk"])): item
            for item in response.get("Responses", {}).get(self.table.name, [])
        }
        return {key: found.get(key) for key in keys if key not in skipped}

    def _item(self, pk: str, sk: str) -> dict[str, Any] | None:
        if (pk, sk) in self._read_ahead:
            return self._read_ahead[(pk, sk)]
        item: dict[str, Any] | None = self.table.get_item(Key={"pk": pk, "sk": sk}).get("Item")
        return item

    def _written(self, *keys: tuple[str, str]) -> None:
        """Keys this repository has just written: read ahead no longer."""
        for key in keys:
            self._read_ahead.pop(key, None)

    def find(self, identifier: Identifier) -> CustomerProfile | None:
        """One GetItem: the identity item carries the profile snapshot."""
        item = self._item(identifier.key, IDENTITY_SK)
        if not item:
            return None
        return _profile_from_item(item, identifiers=[identifier])

    def resolve(
        self, identifiers: Sequence[Identifier], *, customer_id: str | None = None
    ) -> Resolution | None:
        """The best-ranked candidate that names a customer, in ONE round trip however many.

        Candidates rank `customer_id` (our own id, set by our functions) first, then
        `identifiers` in the order given. One candidate is one GetItem, exactly like `find`/`get`;
        several (a chat whose pre-chat form gave an email and a phone) go in one BatchGetItem,
        so an unknown customer costs no more than a known one. Keys DynamoDB leaves unprocessed
        (throttling) are misses when another candidate hit; with no hit at all they raise
        `LookupIncompleteError`, because "unknown customer" would then be a guess.
        """
        candidates: list[tuple[dict[str, str], Identifier | None]] = []
        if customer_id:
            candidates.append(({"pk": _customer_key(customer_id), "sk": PROFILE_SK}, None))
        for identifier in dict.fromkeys(identifiers):
            candidates.append(({"pk": identifier.key, "sk": IDENTITY_SK}, identifier))
        if not candidates:
            return None
        if len(candidates) == 1:
            key, via = candidates[0]
            item = self.table.get_item(Key=key).get("Item")
            return _resolution(item, via) if item else None
        response = self.table.meta.client.batch_get_item(
            RequestItems={self.table.name: {"Keys": [key for key, _ in candidates]}}
        )
        found = {
            (str(item["pk"]), str(item["sk"])): item
            for item in response.get("Responses", {}).get(self.table.name, [])
        }
        for key, via in candidates:
            item = found.get((key["pk"], key["sk"]))
            if item:
                return _resolution(item, via)
        if response.get("UnprocessedKeys", {}).get(self.table.name):
            raise LookupIncompleteError("DynamoDB left keys unprocessed and none of the others hit")
        return None

    def get(self, customer_id: str) -> CustomerProfile | None:
        item = self._item(_customer_key(customer_id), PROFILE_SK)
        return _profile_from_item(item) if item else None

    def save(self, profile: CustomerProfile) -> None:
        """Writes the profile and one identity item per identifier in one transaction."""
        items = [_profile_item(profile)] + [
            _identity_item(profile, identifier) for identifier in profile.identifiers
        ]
        self._written(*((item["pk"], item["sk"]) for item in items))
        client = self.table.meta.client
        client.transact_write_items(
            TransactItems=[{"Put": {"TableName": self.table.name, "Item": item}} for item in items]
        )

    def save_all(self, profiles: Iterable[CustomerProfile]) -> None:
        """`save` for bulk loads (seeding, migrations): the same items through BatchWriteItem.

        Not atomic per profile, so only for loads no reader races; in exchange it costs half the
        write units of a transaction and 25 items per request.
        """
        with self.table.batch_writer() as batch:
            for profile in profiles:
                items = [_profile_item(profile)]
                items += [_identity_item(profile, identifier) for identifier in profile.identifiers]
                self._written(*((item["pk"], item["sk"]) for item in items))
                for item in items:
                    batch.put_item(Item=item)

    def find_or_create(
        self,
        identifier: Identifier,
        first_contact: ContactSummary | None = None,
        /,  # so that no key of `defaults` can be taken for them
        **defaults: Any,
    ) -> tuple[CustomerProfile, bool]:
        """The customer behind `identifier`, created with `defaults` if unknown; (profile, created).

        `first_contact`, the contact that brought an unknown customer, goes into the creating
        transaction as their first history entry and last contact: what `record_contact` would
        write afterwards, without its three requests (the history put, one update per snapshot).
        A customer found instead is returned untouched; recording the contact is then the
        caller's `record_contact`.
        """
        existing = self.find(identifier)
        if existing is not None:
            return existing, False
        if first_contact is not None:
            defaults = {**defaults, **_last_contact_fields(first_contact)}
        profile = CustomerProfile(
            customer_id=new_customer_id(), identifiers=[identifier], **defaults
        )
        writes: list[dict[str, Any]] = [
            {"Put": {"TableName": self.table.name, "Item": _profile_item(profile)}},
            {
                "Put": {
                    "TableName": self.table.name,
                    "Item": _identity_item(profile, identifier),
                    "ConditionExpression": "attribute_not_exists(pk)",
                }
            },
        ]
        if first_contact is not None:
            # A new customer id has no history yet: no condition needed on the entry.
            entry = self._history_entry(profile.customer_id, first_contact)
            writes.append({"Put": {"TableName": self.table.name, "Item": entry}})
        self._written(
            (_customer_key(profile.customer_id), PROFILE_SK), (identifier.key, IDENTITY_SK)
        )
        try:
            self.table.meta.client.transact_write_items(TransactItems=writes)
        except ClientError as error:
            if error.response["Error"]["Code"] != "TransactionCanceledException":
                raise
            # Another contact created this identity a moment ago: use theirs.
            raced = self.find(identifier)
            if raced is None:
                raise
            return raced, False
        return profile, True

    def link(self, customer_id: str, identifier: Identifier) -> CustomerProfile | None:
        """Adds a new way to reach an existing customer (e.g. the email they typed in chat)."""
        profile = self.get(customer_id)
        if profile is None:
            return None
        if identifier not in profile.identifiers:
            profile.identifiers.append(identifier)
            self.save(profile)
        return profile

    def record_contact(
        self,
        customer_id: str,
        contact: ContactSummary,
        *,
        identifiers: Sequence[Identifier] | None = None,
    ) -> bool:
        """Appends a history entry once per contact id; False when it was already recorded
        (the "last contact" snapshots are moved either way).

        The profile and identity snapshots move to this contact only if it is the newest, so
        records arriving out of order never roll the "last contact" back. A caller that has just
        read the profile passes its `identifiers` and saves the GetItem that would find them.
        """
        entry = self._history_entry(customer_id, contact)
        appended = True
        try:
            self.table.put_item(Item=entry, ConditionExpression="attribute_not_exists(pk)")
        except ClientError as error:
            if error.response["Error"]["Code"] != "ConditionalCheckFailedException":
                raise
            # Recorded before, maybe by an attempt that failed before the snapshots moved (a
            # throttled UpdateItem): a retry must still move them, or the profile never shows
            # this contact. The moves are conditional, so where they were made nothing changes.
            appended = False
        if identifiers is None:
            profile = self.get(customer_id)
            identifiers = profile.identifiers if profile is not None else []
        keys = [(_customer_key(customer_id), PROFILE_SK)]
        keys += [(identifier.key, IDENTITY_SK) for identifier in identifiers]
        for pk, sk in keys:
            self._move_last_contact(pk, sk, contact)
        return appended

    def _history_entry(self, customer_id: str, contact: ContactSummary) -> dict[str, Any]:
        expires = int((contact.at + self.history_ttl).timestamp())
        return {
            "pk": _customer_key(customer_id),
            "sk": f"{HISTORY_PREFIX}{_iso(contact.at)}#{contact.contact_id}",
            TTL_ATTRIBUTE: expires,
            **{k: v for k, v in contact.model_dump(mode="json").items() if v is not None},
        }

    def history(self, customer_id: str, limit: int = 10) -> list[ContactSummary]:
        response = self.table.query(
            KeyConditionExpression="pk = :pk AND begins_with(sk, :prefix)",
            ExpressionAttributeValues={
                ":pk": _customer_key(customer_id),
                ":prefix": HISTORY_PREFIX,
            },
            ScanIndexForward=False,
            Limit=limit,
        )
        return [ContactSummary.model_validate(item) for item in response.get("Items", [])]

    def _move_last_contact(self, pk: str, sk: str, contact: ContactSummary) -> None:
        self._written((pk, sk))
        try:
            self.table.update_item(
                Key={"pk": pk, "sk": sk},
                UpdateExpression=(
                    "SET last_contact_channel = :channel, last_contact_at = :at, "
                    "last_contact_queue = :queue, last_contact_id = :id"
                ),
                ConditionExpression=(
                    "attribute_exists(pk) AND "
                    "(attribute_not_exists(last_contact_at) OR last_contact_at < :at)"
                ),
                ExpressionAttributeValues={
                    ":channel": contact.channel,
                    ":at": _iso(contact.at),
                    ":queue": contact.queue,
                    ":id": contact.contact_id,
                },
            )
        except ClientError as error:
            if error.response["Error"]["Code"] != "ConditionalCheckFailedException":
                raise


def _customer_key(customer_id: str) -> str:
    return f"CUST#{customer_id}"


def _last_contact_fields(contact: ContactSummary) -> dict[str, Any]:
    """The profile fields `_move_last_contact` sets, for a profile whose last contact this is."""
    return {
        "last_contact_channel": contact.channel,
        "last_contact_at": contact.at,
        "last_contact_queue": contact.queue,
        "last_contact_id": contact.contact_id,
    }


def _iso(moment: datetime) -> str:
    """UTC, fixed width, so ISO strings sort and compare like the instants they name."""
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def _snapshot(profile: CustomerProfile) -> dict[str, Any]:
    data = profile.model_dump(mode="json", include=set(SNAPSHOT_FIELDS))
    if profile.last_contact_at is not None:
        data["last_contact_at"] = _iso(profile.last_contact_at)
    return {k: v for k, v in data.items() if v is not None}


def _profile_item(profile: CustomerProfile) -> dict[str, Any]:
    return {
        "pk": _customer_key(profile.customer_id),
        "sk": PROFILE_SK,
        "customer_id": profile.customer_id,
        "identifiers": [f"{i.kind.value}#{i.value}" for i in profile.identifiers],
        **_snapshot(profile),
    }


def _identity_item(profile: CustomerProfile, identifier: Identifier) -> dict[str, Any]:
    return {
        "pk": identifier.key,
        "sk": IDENTITY_SK,
        "customer_id": profile.customer_id,
        **_snapshot(profile),
    }


def _resolution(item: dict[str, Any], via: Identifier | None) -> Resolution:
    return Resolution(profile=_profile_from_item(item, identifiers=[via] if via else None), via=via)


def _profile_from_item(
    item: dict[str, Any], identifiers: Iterable[Identifier] | None = None
) -> CustomerProfile:
    stored = item.get("identifiers")
    if stored is not None:
        parsed = []
        for entry in stored:
            kind, _, value = str(entry).partition("#")
            parsed.append(Identifier(kind=IdentifierKind(kind), value=value))
        identifiers = parsed
    fields = {k: item[k] for k in SNAPSHOT_FIELDS if k in item}
    return CustomerProfile(
        customer_id=str(item["customer_id"]), identifiers=list(identifiers or []), **fields
    )
