"""inbound-email against moto (DynamoDB, S3) with Connect's StartEmailContact stubbed: moto
has no Connect data plane, and botocore's Stubber checks each request against the model."""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import boto3
import pytest
from botocore.stub import Stubber

DOMAIN = "support.riverside-utilities.example"
HELP = f"help@{DOMAIN}"
BILLING = f"billing@{DOMAIN}"
BUCKET = "riverside-inbound-mail"
PREFIX = "inbound/"
INSTANCE_ID = "11111111-2222-3333-4444-555555555555"


@dataclass
class ConnectStub:
    stubber: Stubber
    requests: list[dict[str, Any]]

    def expect_contact(self, contact_id: str = "contact-1") -> None:
        self.stubber.add_response("start_email_contact", {"ContactId": contact_id})


@pytest.fixture()
def connect(tables: Any, monkeypatch: pytest.MonkeyPatch) -> Iterator[ConnectStub]:
    boto3.client("s3").create_bucket(Bucket=BUCKET)
    env = {
        "CUSTOMERS_TABLE": "customers",
        "CONNECT_INSTANCE_ID": INSTANCE_ID,
        "INBOUND_BUCKET": BUCKET,
        "INBOUND_PREFIX": PREFIX,
        "EMAIL_DOMAIN": DOMAIN,
        "INBOUND_ADDRESSES": json.dumps(
            [{"address": HELP, "intent": "other"}, {"address": BILLING, "intent": "billing"}]
        ),
    }
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    from lambdas.inbound_email import handler

    handler.runtime.cache_clear()
    client = handler.runtime().connect
    stub = ConnectStub(stubber=Stubber(client), requests=[])
    client.meta.events.register(
        "provide-client-params.connect.StartEmailContact",
        lambda params, **_: stub.requests.append(params),
    )
    with stub.stubber:
        yield stub
    handler.runtime.cache_clear()
