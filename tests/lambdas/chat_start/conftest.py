"""Real-shaped API Gateway REST proxy events and a chat-start runtime over moto and Stubber.

DynamoDB is moto (the tables fixture shapes it like the deployed table); Connect's data plane is
not in moto, so StartChatContact goes through botocore's Stubber, which validates every request
against Connect's service model. Each request is also recorded for assertions.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import pytest
from botocore.stub import Stubber

from local_connect.runtime.lambda_runtime import LocalLambdaContext

INSTANCE_ID = "11111111-2222-3333-4444-555555555555"
FLOW_ID = "99999999-8888-7777-6666-555555555555"
SITE = "https://www.riverside-utilities.example"
WIDGET = "https://d111111abcdef8.cloudfront.net"
TOPICS = [
    {"intent": "billing", "label": "Bills and payments"},
    {"intent": "outage", "label": "Report an outage or service problem"},
    {"intent": "other", "label": "Anything else"},
]


def rest_event(
    method: str = "POST",
    path: str = "/chats",
    *,
    body: Any = None,
    origin: str | None = SITE,
    raw_body: str | None = None,
    headers: dict[str, str] | None = None,
) -> dict[str, Any]:
    """An API Gateway REST API (v1) Lambda proxy event, as the `prod` stage delivers it."""
    all_headers = {
        "Accept": "application/json",
        "Content-Type": "application/json",
        "Host": "abcdef1234.execute-api.us-east-1.amazonaws.com",
        "User-Agent": "Mozilla/5.0",
        "X-Forwarded-For": "203.0.113.7",
        "X-Forwarded-Port": "443",
        "X-Forwarded-Proto": "https",
        **({"Origin": origin} if origin else {}),
        **(headers or {}),
    }
    text = raw_body if raw_body is not None else (None if body is None else json.dumps(body))
    return {
        "resource": path,
        "path": path,
        "httpMethod": method,
        "headers": all_headers,
        "multiValueHeaders": {k: [v] for k, v in all_headers.items()},
        "queryStringParameters": None,
        "multiValueQueryStringParameters": None,
        "pathParameters": None,
        "stageVariables": None,
        "requestContext": {
            "accountId": "123456789012",
            "apiId": "abcdef1234",
            "domainName": "abcdef1234.execute-api.us-east-1.amazonaws.com",
            "httpMethod": method,
            "identity": {"sourceIp": "203.0.113.7", "userAgent": "Mozilla/5.0"},
            "path": f"/prod{path}",
            "protocol": "HTTP/1.1",
            "requestId": "c6af9ac6-7b61-11e6-9a41-93e8deadbeef",
            "requestTime": "01/Dec/2026:16:00:00 +0000",
            "requestTimeEpoch": 1796140800000,
            "resourceId": "abc123",
            "resourcePath": path,
            "stage": "prod",
        },
        "body": text,
        "isBase64Encoded": False,
    }


def form(**changes: Any) -> dict[str, Any]:
    base: dict[str, Any] = {
        "name": "Jane Doe",
        "email": "Jane.Doe@Example.com",
        "phone": "(312) 555-0143",
        "topic": "billing",
    }
    base.update(changes)
    return {k: v for k, v in base.items() if v is not None}


@dataclass
class ConnectStub:
    stubber: Stubber
    requests: list[dict[str, Any]] = field(default_factory=list)

    def expect_chat(self, contact_id: str = "contact-1") -> None:
        self.stubber.add_response(
            "start_chat_contact",
            {
                "ContactId": contact_id,
                "ParticipantId": f"participant-{contact_id}",
                "ParticipantToken": f"token-{contact_id}",
            },
        )

    def refuse(self, code: str, status: int = 400) -> None:
        self.stubber.add_client_error(
            "start_chat_contact",
            service_error_code=code,
            service_message=f"arn:aws:connect:us-east-1:123456789012:instance/{INSTANCE_ID} {code}",
            http_status_code=status,
        )


@pytest.fixture()
def chat_env(monkeypatch: pytest.MonkeyPatch) -> dict[str, str]:
    env = {
        "CONNECT_INSTANCE_ID": INSTANCE_ID,
        "CHAT_FLOW_ID": FLOW_ID,
        "CUSTOMERS_TABLE": "customers",
        "ALLOWED_ORIGINS": json.dumps([SITE, WIDGET]),
        "CHAT_TOPICS": json.dumps(TOPICS),
    }
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    return env


@pytest.fixture()
def connect(tables: Any, chat_env: dict[str, str]) -> Iterator[ConnectStub]:
    from lambdas.chat_start import handler
    from lambdas.common.aws import dynamodb_table

    # Both caches hold clients made inside an earlier test's moto context.
    dynamodb_table.cache_clear()
    handler.runtime.cache_clear()
    client = handler.runtime().starter.connect
    stub = ConnectStub(stubber=Stubber(client))
    client.meta.events.register(
        "provide-client-params.connect.StartChatContact",
        lambda params, **_: stub.requests.append(params),
    )
    with stub.stubber:
        yield stub
    handler.runtime.cache_clear()


def invoke(event: dict[str, Any]) -> tuple[int, dict[str, str], Any]:
    """(status, headers, parsed JSON body) of the handler's proxy response."""
    from lambdas.chat_start import handler

    response = handler.handler(event, LocalLambdaContext("chat-start"))
    headers = {k: v for k, v in (response.get("headers") or {}).items()}
    for name, values in (response.get("multiValueHeaders") or {}).items():
        headers.setdefault(name, ",".join(values))
    body = json.loads(response["body"]) if response.get("body") else None
    return response["statusCode"], headers, body
