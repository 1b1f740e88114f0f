"""Hypothesis strategies for every Lambda's input, in one place (issue 19's fuzzing).

Each function's strategy draws what its source delivers in AWS (a Connect flow event, a Lex V2
code hook event, a Kinesis batch of contact records, an SNS, SES or SQS event, an API Gateway
request), built by the same event builders as the handler tests, then damages some of them:
fields replaced by anything JSON can hold, records that are not contact records, bodies that
are not JSON. Personal data is planted throughout (phone numbers, email addresses, names) from
a closed set (`PEOPLE`, the `AREA_CODES` 555 numbers), so a reader of the logs can tell a leak
from chance: nothing else the functions log looks like them.

Inbound SMS has no function of its own: Connect delivers a text as a chat contact with the
`connect:SMS` subtype, which the flow events draw, and its delivery events arrive on the SNS
topic that delivery_events reads.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from hypothesis import strategies as st

from config import load_stage
from lambdas.common.notifications import NotificationChannel
from tests.lambdas.analytics import ctr
from tests.lambdas.chat_start.conftest import SITE, rest_event
from tests.lambdas.connect_events import flow_event
from tests.lambdas.customers import JANE_EMAIL, JANE_PHONE
from tests.lambdas.delivery_events.test_handler import SMS_DELIVERED, _event_publishing, sns_event
from tests.lambdas.inbound_email.test_handler import ses_event
from tests.lambdas.self_service.events import lex_event

# -- personal data ----------------------------------------------------------------------------
AREA_CODES = ("312", "415", "646", "773")


@dataclass(frozen=True)
class Person:
    customer_id: str
    first_name: str
    last_name: str
    phone: str
    email: str


def _person(index: int, first_name: str, last_name: str) -> Person:
    return Person(
        customer_id=f"c-fuzz-{index}",
        first_name=first_name,
        last_name=last_name,
        phone=f"+1{AREA_CODES[index % len(AREA_CODES)]}555{index + 170:04d}",
        email=f"{first_name}.{last_name}@example.com".lower(),
    )


# Names no log line has any other reason to hold; the seeded profiles carry them too.
PEOPLE = tuple(
    _person(index, first, last)
    for index, (first, last) in enumerate(
        [
            ("Zebulon", "Quartermaine"),
            ("Ottoline", "Vanterpool"),
            ("Ignatius", "Fairweather"),
            ("Marisol", "Thistlewood"),
            ("Perpetua", "Okonkwo"),
            ("Leopold", "Grimsditch"),
        ]
    )
)
PHONE_FORMATS = (
    "{e164}",
    "{national}",
    "({area}) 555-{line}",
    "+1 {area} 555 {line}",
    "1{national}",
)

# Anything JSON can hold, kept small: generating it is most of a case's cost.
json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=20),
    lambda children: (
        st.lists(children, max_size=3) | st.dictionaries(st.text(max_size=8), children, max_size=3)
    ),
    max_leaves=6,
)


@st.composite
def phone_numbers(draw: st.DrawFn) -> str:
    """A seeded customer's number or a stranger's, written the ways people and carriers do."""
    area = draw(st.sampled_from(AREA_CODES))
    line = draw(
        st.sampled_from([p.phone[-4:] for p in PEOPLE]) | st.integers(0, 9999).map("{:04d}".format)
    )
    national = f"{area}555{line}"
    form = draw(st.sampled_from(PHONE_FORMATS))
    return form.format(e164=f"+1{national}", national=national, area=area, line=line)


people = st.sampled_from(PEOPLE)
names = people.map(lambda p: f"{p.first_name} {p.last_name}")
emails = st.builds(
    lambda person, separator, number, domain, upper: (
        (f"{person.first_name}{separator}{person.last_name}{number}@{domain}").upper()
        if upper
        else f"{person.first_name}{separator}{person.last_name}{number}@{domain}".lower()
    ),
    people,
    st.sampled_from([".", "_", ""]),
    st.sampled_from(["", "7", "1984"]),
    st.sampled_from(["example.com", "mail.example.org"]),
    st.booleans(),
) | people.map(lambda p: p.email)
personal_data = phone_numbers() | emails | names
# Free text a customer types: their details inside sentences, in any order.
customer_text = st.lists(personal_data | st.text(max_size=15), min_size=1, max_size=4).map(" ".join)

# -- Connect flow events: crm_lookup, routing ------------------------------------------------
CONTACT_FIELDS = (
    "Attributes",
    "Channel",
    "ContactId",
    "CustomerEndpoint",
    "InitialContactId",
    "InstanceARN",
    "PreviousContactId",
    "Queue",
    "SystemEndpoint",
    "SegmentAttributes",
    "MediaStreams",
)
identity_text = (
    st.sampled_from(
        [JANE_PHONE, "+1 (312) 555-0143", JANE_EMAIL, "c-jane", "", " ", "\x00", "+"]
        + [p.customer_id for p in PEOPLE]
    )
    | phone_numbers()
    | emails
    | st.text(max_size=60)
)
ATTRIBUTE_NAMES = st.sampled_from(
    ["customerId", "email", "phone", "chatCustomerId", "language", "customerName", "intent"]
)


@st.composite
def flow_events(draw: st.DrawFn) -> dict[str, Any]:
    """A Connect flow event (voice, chat, an inbound text, email, task) with some fields
    replaced by anything JSON can hold; now and then not even its `Details` survive."""
    event = flow_event(
        channel=draw(st.sampled_from(["VOICE", "CHAT", "TASK", "EMAIL", "Voice", "SMS", ""])),
        customer=draw(identity_text),
        customer_type=draw(st.sampled_from(["TELEPHONE_NUMBER", "EMAIL_ADDRESS", "OTHER"])),
        subtype=draw(st.sampled_from([None, "connect:SMS", "connect:Chat", "connect:Email"])),
        attributes=draw(
            st.dictionaries(
                ATTRIBUTE_NAMES | st.text(max_size=10),
                identity_text | customer_text | json_values,
                max_size=5,
            )
        ),
        parameters=draw(
            st.dictionaries(
                st.sampled_from(["intent", "language"]) | st.text(max_size=10),
                st.sampled_from(["billing", "outage", "other", "es"]) | customer_text | json_values,
                max_size=3,
            )
        ),
    )
    contact_data = event["Details"]["ContactData"]
    for field in draw(st.lists(st.sampled_from(CONTACT_FIELDS), max_size=4, unique=True)):
        if draw(st.booleans()):
            contact_data[field] = draw(json_values)
        else:
            contact_data.pop(field, None)
    if draw(st.integers(0, 9)) == 7:  # hypothesis favours 0; 7 keeps this rare
        event["Details"] = draw(json_values)
    return event


# -- Lex V2 code hook events: self_service ----------------------------------------------------
INTENTS = st.sampled_from(
    [
        "CheckAppointment",
        "RescheduleAppointment",
        "CancelAppointment",
        "OutageStatus",
        "CheckBalance",
        "OpeningHours",
        "TalkToAgent",
        "FallbackIntent",
        "",
    ]
) | st.text(max_size=20)
slot_text = (
    st.sampled_from(["2026-11-30", "14:30", "60601", "0143", "", "tomorrow", "25:99"])
    | customer_text
    | st.text(max_size=30)
)
LEX_PATHS = (
    ("bot",),
    ("bot", "localeId"),
    ("sessionState",),
    ("sessionState", "intent"),
    ("sessionState", "intent", "slots"),
    ("sessionState", "sessionAttributes"),
    ("invocationSource",),
    ("inputTranscript",),
)


@st.composite
def lex_events(draw: st.DrawFn) -> Any:
    """A Lex V2 event with what the caller said in it, some fields replaced by anything JSON
    can hold; or not a Lex event at all."""
    event = lex_event(
        draw(INTENTS),
        slots=draw(
            st.dictionaries(
                st.sampled_from(["new_date", "new_time", "postal_code", "account_last4"]),
                st.none() | slot_text,
                max_size=3,
            )
        ),
        customer_id=draw(
            st.none()
            | st.sampled_from(["c-jane", "c-luis", "", *(p.customer_id for p in PEOPLE)])
            | st.text(max_size=8)
        ),
        locale=draw(st.sampled_from(["en_US", "es_US", "fr_FR", ""])),
        source=draw(st.sampled_from(["DialogCodeHook", "FulfillmentCodeHook", "Other"])),
        confirmation=draw(st.sampled_from(["None", "Confirmed", "Denied", "Maybe"])),
        attributes=draw(
            st.dictionaries(
                st.sampled_from(["customerPhone", "customerEmail", "customerName"]),
                personal_data,
                max_size=2,
            )
        ),
    )
    event["inputTranscript"] = draw(customer_text)
    for path in draw(st.lists(st.sampled_from(LEX_PATHS), max_size=2)):
        target: Any = event
        for key in path[:-1]:
            target = target.get(key) if isinstance(target, dict) else None
        if isinstance(target, dict):
            target[path[-1]] = draw(json_values)
    return draw(st.just(event) | json_values.map(lambda _: event) | json_values)


# -- Kinesis batches of contact records: analytics, follow_up -----------------------------------
CONTACT_RECORD_FIELDS = (
    "Agent",
    "Attributes",
    "Channel",
    "ContactId",
    "CustomerEndpoint",
    "DisconnectTimestamp",
    "InitiationTimestamp",
    "LastUpdateTimestamp",
    "Queue",
    "SegmentAttributes",
)


@st.composite
def contact_records(draw: st.DrawFn) -> dict[str, Any]:
    """A contact record as Connect streams it, for a customer with personal details, now and
    then with some fields replaced by anything JSON can hold."""
    channel = draw(st.sampled_from(["VOICE", "CHAT", "TASK", "EMAIL"]))
    queued = draw(st.booleans())
    record = ctr.ctr(
        draw(st.sampled_from(["c-1", "c-2", "c-3"]) | st.uuids().map(str)),
        started=ctr.at(
            draw(st.integers(0, 23)), draw(st.integers(0, 59)), day=draw(st.integers(0, 2))
        ),
        channel=channel,
        queue=draw(st.sampled_from(["billing", "support"])) if queued else None,
        wait=draw(st.integers(0, 900)),
        talk=draw(st.none() | st.integers(0, 1800)) if queued else None,
        hold=draw(st.integers(0, 120)),
        acw=draw(st.integers(0, 300)),
        caller=draw(st.none() | phone_numbers()),
        email=draw(emails) if channel == "EMAIL" else None,
        subtype=draw(st.sampled_from([None, "connect:SMS"])) if channel == "CHAT" else None,
        attributes=draw(
            st.dictionaries(
                st.sampled_from(
                    ["followUpRequested", "customerId", "customerName", "phone", "email", "intent"]
                ),
                st.sampled_from(["sms", "email", "survey", "true", ""])
                | st.sampled_from([p.customer_id for p in PEOPLE])
                | personal_data,
                max_size=4,
            )
        ),
        updated_after=draw(st.integers(0, 600)),
    )
    for field in draw(st.lists(st.sampled_from(CONTACT_RECORD_FIELDS), max_size=2, unique=True)):
        record[field] = draw(json_values)
    return record


# What else reaches a stream: truncated JSON, other JSON, bytes that are not text at all.
poison_records = (
    contact_records().map(
        lambda record: json.dumps(record).encode()[: len(json.dumps(record)) // 2]
    )
    | json_values.map(lambda value: json.dumps(value).encode())
    | customer_text.map(str.encode)
    | st.binary(max_size=64)
)
kinesis_batches = st.lists(contact_records() | poison_records, min_size=1, max_size=5).map(
    lambda payloads: ctr.kinesis_event(*payloads)
)

# -- SNS: delivery_events (SES feedback and SMS delivery events) --------------------------------


@st.composite
def ses_feedback(draw: st.DrawFn) -> dict[str, Any]:
    addresses = draw(st.lists(emails, min_size=1, max_size=3))
    kind = draw(st.sampled_from(["Bounce", "Complaint", "Delivery", "Send", "Reject"]))
    detail: dict[str, Any] = {}
    if kind == "Bounce":
        detail["bounce"] = {
            "bounceType": draw(st.sampled_from(["Permanent", "Transient", "Undetermined"])),
            "bounceSubType": "General",
            "bouncedRecipients": [
                {"emailAddress": a, "diagnosticCode": draw(customer_text)} for a in addresses
            ],
            "timestamp": "2026-12-01T16:00:01.000Z",
            "feedbackId": "0100018c-feedback",
        }
    elif kind == "Complaint":
        detail["complaint"] = {
            "complainedRecipients": [{"emailAddress": a} for a in addresses],
            "complaintFeedbackType": draw(st.sampled_from(["abuse", "not-spam", None])),
            "timestamp": "2026-12-01T16:00:01.000Z",
            "feedbackId": "0100018c-feedback",
        }
    message = _event_publishing(kind, **detail)
    message["mail"]["destination"] = addresses
    return message


@st.composite
def sms_events(draw: st.DrawFn) -> dict[str, Any]:
    return {
        **SMS_DELIVERED,
        "eventType": draw(
            st.sampled_from(
                ["TEXT_DELIVERED", "TEXT_PENDING", "TEXT_BLOCKED", "TEXT_UNREACHABLE", "TEXT_SPAM"]
            )
        ),
        "isFinal": draw(st.booleans()),
        "destinationPhoneNumber": draw(phone_numbers()),
        "messageStatusDescription": draw(customer_text),
        "totalMessagePrice": draw(st.floats(0, 1)),
    }


def _damaged(message: st.SearchStrategy[dict[str, Any]]) -> st.SearchStrategy[Any]:
    """The message, sometimes with one of its top-level fields replaced by any JSON value."""

    @st.composite
    def damage(draw: st.DrawFn) -> Any:
        value = draw(message)
        if value and draw(st.integers(0, 3)) == 3:
            value[draw(st.sampled_from(sorted(value)))] = draw(json_values)
        return value

    return damage()


sns_messages = _damaged(ses_feedback()) | _damaged(sms_events()) | customer_text | json_values
sns_events = (
    st.lists(sns_messages, min_size=1, max_size=3).map(
        # SNS delivers every message body as a string
        lambda messages: sns_event(
            *(m if isinstance(m, str | dict) else json.dumps(m) for m in messages)
        )
    )
    | json_values
)

# -- SES receipt events: inbound_email --------------------------------------------------------
_EMAIL = load_stage("dev").email
assert _EMAIL is not None
# The fuzz world's Connect email addresses (tests/fuzz/harness.py runs the dev stage).
OUR_ADDRESSES = [f"{address.local_part}@{_EMAIL.domain}" for address in _EMAIL.addresses]


@st.composite
def ses_receipts(draw: st.DrawFn) -> Any:
    """An SES receipt event from a customer (named or not), to our addresses or others, spam
    or not; sometimes damaged, sometimes not SES at all."""
    address = draw(emails)
    sender = draw(
        st.sampled_from(["{name} <{address}>", "{address}", '"{name}" <{address}>', "{name}"])
    )
    event = ses_event(
        draw(st.sampled_from(["m-1", "m-2"]) | st.text(min_size=1, max_size=20)),
        sender=sender.format(name=draw(names), address=address),
        recipients=tuple(
            draw(st.lists(st.sampled_from(OUR_ADDRESSES) | emails, min_size=1, max_size=2))
        ),
        spam=draw(st.sampled_from(["PASS", "FAIL", "GRAY"])),
        headers=tuple(
            draw(
                st.lists(
                    st.tuples(
                        st.sampled_from(["Auto-Submitted", "Reply-To", "X-Phone"]), customer_text
                    ),
                    max_size=2,
                )
            )
        ),
    )
    mail = event["Records"][0]["ses"]["mail"]
    mail["commonHeaders"]["subject"] = draw(customer_text)
    if draw(st.integers(0, 4)) == 4:
        mail[draw(st.sampled_from(sorted(mail)))] = draw(json_values)
    return draw(st.just(event) | json_values)


# -- SQS: notify ------------------------------------------------------------------------------
NOW = datetime(2026, 12, 1, 16, 0, tzinfo=UTC)


@st.composite
def notifications(draw: st.DrawFn) -> dict[str, Any]:
    """A notification as producers queue it, to a customer by id, number or address."""
    person = draw(people)
    kind = draw(
        st.sampled_from(
            ["appointment_reminder", "callback_confirmation", "survey_invitation", "text_follow_up"]
        )
    )
    content: dict[str, Any] = {"kind": kind}
    if kind == "appointment_reminder":
        content |= {
            "appointment_id": "apt-1",
            "starts_at": (NOW + timedelta(days=1)).isoformat(),
            "location": draw(customer_text)[:120],
        }
    else:
        content["contact_id"] = "contact-1"
    body: dict[str, Any] = {
        "notification_id": draw(st.from_regex(r"[a-z0-9#-]{1,40}", fullmatch=True)),
        "channel": draw(st.sampled_from(list(NotificationChannel))).value,
        "content": content,
    }
    for field, value in (
        ("customer_id", person.customer_id),
        ("phone", draw(phone_numbers())),
        ("email", draw(emails)),
    ):
        if draw(st.booleans()):
            body[field] = value
    return body


notify_bodies = (
    notifications().map(json.dumps)
    | _damaged(notifications()).map(json.dumps)
    | customer_text
    | json_values.map(json.dumps)
)


def sqs_records(bodies: list[str]) -> dict[str, Any]:
    """Lambda's SQS event around message bodies, shaped as its poller delivers them."""
    return {
        "Records": [
            {
                "messageId": f"00000000-0000-4000-8000-{index:012d}",
                "receiptHandle": f"receipt-{index}",
                "body": body,
                "attributes": {
                    "ApproximateReceiveCount": "1",
                    "SentTimestamp": "1764604800000",
                    "SenderId": "AIDAFUZZ",
                    "ApproximateFirstReceiveTimestamp": "1764604800001",
                },
                "messageAttributes": {},
                "md5OfBody": "0" * 32,
                "eventSource": "aws:sqs",
                "eventSourceARN": "arn:aws:sqs:us-east-1:123456789012:notify",
                "awsRegion": "us-east-1",
            }
            for index, body in enumerate(bodies)
        ]
    }


sqs_events = st.lists(notify_bodies, min_size=1, max_size=4).map(sqs_records)

# -- API Gateway: chat_start ------------------------------------------------------------------


@st.composite
def chat_requests(draw: st.DrawFn) -> dict[str, Any]:
    """POST /chats as the widget sends it, filled in by anyone: the form's fields hold any
    JSON, extra fields, bodies that are not JSON, other paths, methods, origins and types."""
    form: dict[str, Any] = {
        "name": draw(names | customer_text | json_values),
        "email": draw(emails | customer_text | json_values),
        "phone": draw(phone_numbers() | customer_text | json_values),
        "topic": draw(st.sampled_from(["billing", "outage", "other"]) | json_values),
    }
    for field in draw(st.lists(st.sampled_from(sorted(form)), max_size=3, unique=True)):
        del form[field]
    form.update(draw(st.dictionaries(st.text(max_size=10), json_values, max_size=2)))
    body = draw(
        st.just(json.dumps(form))
        | json_values.map(json.dumps)
        | customer_text
        | st.just(json.dumps(form)[:-1])
    )
    return rest_event(
        method=draw(st.sampled_from(["POST", "POST", "POST", "GET", "PUT"])),
        path=draw(st.sampled_from(["/chats", "/chats", "/chats/1", "/"])),
        raw_body=body,
        origin=draw(st.sampled_from([SITE, None, "https://evil.example"])),
        headers={"Content-Type": draw(st.sampled_from(["application/json", "text/plain"]))},
    )
