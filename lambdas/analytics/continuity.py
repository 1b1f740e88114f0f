"""Continuity: each newly counted contact joins its customer's cross-channel history.

The customer is the one the contact names: our `customerId` contact attribute when our flows or
backends set it (crm_lookup, chat-start, inbound-email), else the endpoint Connect observed
(caller ID, SMS sender, email sender). An unknown endpoint gets a new profile
(`ProfileRepository.find_or_create`), so the customer's next contact, on any channel, is
recognised and screen-popped with this one as "last contact".

Repeat contacts are decided here, once per contact, before it is counted, and then stored with
the contact's state (so later versions of the contact reuse the decision instead of seeing
themselves in the history). The identity item already carries the customer's newest contact
(`last_contact_at`/`last_contact_id`): when that contact is older than this one, it alone
decides; when it is this contact (a replay after a partial failure) or a later one (records
arriving out of order), the history itself is read. Contacts of a batch are taken in the order
they started, so two contacts of one customer in one batch see each other.

Limit, stated: a previous contact whose record arrives after this one's (across batches) is not
seen, so this contact is not counted as a repeat. Connect delivers records at disconnect, in
roughly the order contacts end, which keeps this rare.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

from lambdas.analytics.logic import (
    CUSTOMER_ID_ATTRIBUTE,
    CustomerFacts,
    contact_chain,
    history_channel,
    is_inbound,
    is_repeat,
    outcome,
    queue_name,
)
from lambdas.common.contact_records import ContactRecord
from lambdas.common.identification import WITHHELD_NUMBERS
from lambdas.common.identity import IdentifierKind
from lambdas.common.profiles import ContactSummary, CustomerProfile, Identifier, ProfileRepository

# History entries read when the identity snapshot cannot decide (replays, out-of-order records).
HISTORY_PROBE = 20
_NO_START = datetime.min.replace(tzinfo=UTC)


@dataclass
class ContinuityResult:
    facts: dict[str, CustomerFacts] = field(default_factory=dict)
    failures: dict[str, Exception] = field(default_factory=dict)
    profiles_created: int = 0


class ContinuityRecorder:
    """Identifies each contact's customer, decides repeat contacts and appends the history."""

    def __init__(self, profiles: ProfileRepository, *, repeat_window: timedelta) -> None:
        self.profiles = profiles
        self.window = repeat_window

    def record(self, records: Iterable[ContactRecord]) -> ContinuityResult:
        """Facts per ContactId; a contact whose profile calls failed is in `failures` instead."""
        result = ContinuityResult()
        ordered = sorted(records, key=lambda r: (r.started_at or _NO_START, r.contact_id))
        customer_ids = (record.attributes.get(CUSTOMER_ID_ATTRIBUTE) for record in ordered)
        identifiers = (endpoint_identifier(record) for record in ordered)
        with self.profiles.reading_ahead(
            customer_ids=[customer_id for customer_id in customer_ids if customer_id],
            identifiers=[identifier for identifier in identifiers if identifier is not None],
        ):
            for record in ordered:
                try:
                    result.facts[record.contact_id] = self._record_one(record, result)
                except Exception as error:  # one customer's failure must not fail the others
                    result.failures[record.contact_id] = error
        return result

    def _record_one(self, record: ContactRecord, result: ContinuityResult) -> CustomerFacts:
        started = record.started_at
        contact = (
            ContactSummary(
                contact_id=record.contact_id,
                channel=history_channel(record),
                at=started,
                queue=queue_name(record) or None,
                outcome=outcome(record),
            )
            if started is not None
            else None
        )
        identified = self._identify(record, contact, result)
        if identified is None:
            return CustomerFacts()
        profile, complete, created = identified
        inbound = is_inbound(record)
        if created:
            # A new customer has no earlier contact, and creating them recorded this one.
            return CustomerFacts(customer_id=profile.customer_id, repeat=False if inbound else None)
        repeat = self._is_repeat(record, profile) if inbound else None
        if contact is not None:
            self.profiles.record_contact(
                profile.customer_id,
                contact,
                # A profile found through one identity names only that one: the repository
                # reads the full list then, so every identity's "last contact" moves.
                identifiers=profile.identifiers if complete else None,
            )
        return CustomerFacts(customer_id=profile.customer_id, repeat=repeat)

    def _identify(
        self, record: ContactRecord, contact: ContactSummary | None, result: ContinuityResult
    ) -> tuple[CustomerProfile, bool, bool] | None:
        """The contact's customer; whether the profile lists all their identifiers (read from
        the profile item) rather than the one it was found by; and whether it was created now,
        with `contact` as its first (`ProfileRepository.find_or_create`)."""
        customer_id = record.attributes.get(CUSTOMER_ID_ATTRIBUTE)
        if customer_id:
            profile = self.profiles.get(customer_id)
            if profile is not None:
                return profile, True, False
        identifier = endpoint_identifier(record)
        if identifier is None:
            return None
        profile, created = self.profiles.find_or_create(identifier, contact)
        result.profiles_created += int(created)
        return profile, False, created

    def _is_repeat(self, record: ContactRecord, profile: CustomerProfile) -> bool:
        started = record.started_at
        last_at, last_id = profile.last_contact_at, profile.last_contact_id
        if started is None or last_at is None:
            return False
        chain = contact_chain(record)
        if last_id in chain or last_at >= started:
            history = self.profiles.history(profile.customer_id, limit=HISTORY_PROBE)
            previous = [(entry.contact_id, entry.at) for entry in history]
        else:
            previous = [(last_id or "", last_at)]
        return is_repeat(started, previous, window=self.window, exclude=chain)


def endpoint_identifier(record: ContactRecord) -> Identifier | None:
    """The customer endpoint as a profile identifier: phone (voice, SMS) or email."""
    endpoint = record.customer_endpoint
    if endpoint is None or not endpoint.address:
        return None
    if endpoint.type == "TELEPHONE_NUMBER":
        identifier = Identifier.parse(IdentifierKind.PHONE, endpoint.address)
        if identifier is None or identifier.value in WITHHELD_NUMBERS:
            return None
        return identifier
    if endpoint.type == "EMAIL_ADDRESS":
        return Identifier.parse(IdentifierKind.EMAIL, endpoint.address)
    return None
