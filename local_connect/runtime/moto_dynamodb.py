"""moto's DynamoDB item operations without moto's HTTP dispatch: same answers, a third the cost.

A rehearsed day makes tens of thousands of DynamoDB calls (crm_lookup's GetItem per contact, the
analytics handler's reads and transactions). Under moto each call goes through botocore (request
validation, serialization, signing; response parsing), then moto's generic dispatch: a werkzeug
request, the URL matched against every service, the class's methods listed by `inspect`, the
body parsed, and the answer written by a serializer that looks every member of the output shape
up under several aliases. The dispatch and the serializer cost more than everything else.

`fast_dynamodb()` answers the item operations (`FAST_OPERATIONS`) from botocore's `before-send`
event for the block, as moto's own stubber does, but directly: the body is parsed by moto's own
JSON parser, the action is moto's own `DynamoHandler` method over moto's own backend (so every
validation, condition, expression and error is moto's), and the result is written to the wire by
walking the output shape once. botocore still validates and serializes the request and parses
the response, so callers see exactly what moto's full path gives them; errors are written by
moto's own serializer. `tests/local_connect/runtime/test_moto_dynamodb.py` checks that
property against moto's full path with generated items and requests.

Everything else (other operations and services, moto's request recorder or IAM authentication
switched on, no moto mock active) falls through to moto's normal path.

`SeedingTable` goes one step further for bulk loads before a run (the rehearsal's known
customers): a repository's `batch_writer()` puts go straight into moto's backend, skipping
botocore too, since nobody is there to read an answer.
"""

from __future__ import annotations

import base64
import json
import os
from collections.abc import Iterator
from contextlib import AbstractContextManager, contextmanager
from enum import Enum
from functools import cache
from types import SimpleNamespace
from typing import Any, cast

from boto3.dynamodb.types import TypeSerializer
from botocore.awsrequest import AWSPreparedRequest
from botocore.compat import HTTPHeaders
from botocore.model import Shape, StructureShape
from moto import settings
from moto.core import DEFAULT_ACCOUNT_ID
from moto.core import models as moto_models
from moto.core.botocore_stubber import BotocoreStubber
from moto.core.config import default_user_config
from moto.core.exceptions import ServiceException
from moto.core.model import OperationModel
from moto.core.parse import JSONParser
from moto.core.responses import ActionResult
from moto.core.utils import camelcase_to_underscores, get_service_model, utcnow
from moto.dynamodb.models import dynamodb_backends
from moto.dynamodb.responses import DynamoHandler
from moto.iam.models import mark_account_as_visited
from moto.moto_api import recorder
from moto.utilities.aws_headers import gen_amz_crc32
from werkzeug.exceptions import HTTPException
from werkzeug.http import http_date

from local_connect.runtime.shared_patch import SharedPatch

# The data plane the local engine's handlers use; the control plane (CreateTable...) is rare.
FAST_OPERATIONS = frozenset(
    {
        "BatchGetItem",
        "BatchWriteItem",
        "DeleteItem",
        "GetItem",
        "PutItem",
        "Query",
        "Scan",
        "TransactGetItems",
        "TransactWriteItems",
        "UpdateItem",
    }
)
_TARGET_PREFIX = "DynamoDB_20120810"  # X-Amz-Target: DynamoDB_20120810.GetItem
_JSON_CONTENT_TYPE = "application/x-amz-json-1.0"


class _FastHandler(DynamoHandler):
    """moto's DynamoDB actions, set up from the request without moto's generic dispatch."""

    def answer(
        self, operation: OperationModel, request: AWSPreparedRequest
    ) -> tuple[int, Any, Any]:
        # What `BaseResponse.setup_class` and `call_action` do for a JSON-protocol request.
        # moto reads headers case-insensitively, as text (`Request.from_primitives`).
        self.headers = HTTPHeaders()
        for name, value in request.headers.items():
            self.headers[name] = value.decode("utf-8") if isinstance(value, bytes) else value
        self.querystring: dict[str, Any] = {}
        self.uri_match = {}
        # It reads only the request's headers (the user agent, the signature's scope).
        self.region = self.get_region_from_url(SimpleNamespace(headers=self.headers), request.url)
        self.access_key = self.get_access_key()
        self.current_account = self.get_current_account()
        mark_account_as_visited(
            account_id=self.current_account,
            access_key=self.access_key,
            service=self.service_name,  # type: ignore[arg-type]
            region=self.region,
        )
        self.params = JSONParser(operation).parse(
            {
                "method": request.method,
                "values": {},  # type: ignore[typeddict-item]
                "headers": self.headers,
                "body": cast(bytes, request.body),  # botocore sends JSON bodies as bytes
                "url_path": "/",
                "url_params": {},
            }
        )
        self.body = self.params
        self.response_headers = {"server": "amazon.com", "date": http_date(utcnow())}
        headers: dict[str, Any] = self.response_headers
        try:
            response = getattr(self, camelcase_to_underscores(operation.name))()
        except ServiceException as error:
            status, headers, body = self.serialized(ActionResult(error))
            headers["status"] = status
            response = body, headers
        except HTTPException as error:
            error_headers: dict[str, Any] = dict(error.get_headers() or [])
            error_headers["status"] = error.code
            response = error.description, error_headers
        if isinstance(response, ActionResult) and not isinstance(response.result, Exception):
            headers = {"Content-Type": _JSON_CONTENT_TYPE, **self.response_headers}
            status, body = 200, _encode(operation, response)
        else:
            status, headers, body = self._transform_response(headers, response)
        headers, body = self._enrich_response(headers, body)
        if "status" in headers:
            headers["status"] = str(headers["status"])
        gen_amz_crc32(body, headers)  # botocore checks DynamoDB's checksum header
        return status, headers, body


def _encode(operation: OperationModel, result: ActionResult) -> str:
    """The result on the wire, as moto's JSON serializer writes it for DynamoDB's outputs."""
    shape = operation.output_shape
    body = _to_wire(shape, result.result) if shape is not None else {}
    return json.dumps(body)


def _to_wire(shape: Shape, value: Any) -> Any:
    kind = shape.type_name
    if kind == "structure":
        assert isinstance(shape, StructureShape)
        members = _members(shape)
        return {
            wire_name: _to_wire(member, value[name])
            for name, (wire_name, member) in members.items()
            if value.get(name) is not None
        }
    if kind == "map":
        return {key: _to_wire(shape.value, item) for key, item in value.items()}  # type: ignore[attr-defined]
    if kind == "list":
        return [_to_wire(shape.member, item) for item in value]  # type: ignore[attr-defined]
    if kind == "string":
        if isinstance(value, Enum):
            value = value.value
        return str(value) if value not in (None, {}, []) else value
    if kind == "blob":
        raw = value.encode("utf-8") if isinstance(value, str) else value
        return base64.b64encode(raw).strip().decode("utf-8")
    if kind in ("integer", "long"):
        return int(value)
    if kind in ("float", "double"):
        return float(value)
    if kind == "boolean":
        return value
    raise TypeError(f"no fast encoding for {kind} shapes ({shape.name})")


@cache
def _members(shape: StructureShape) -> dict[str, tuple[str, Shape]]:
    return {
        name: (member.serialization.get("name", name), member)
        for name, member in shape.members.items()
    }


@cache
def _operation(name: str) -> OperationModel:
    return get_service_model("dynamodb").operation_model(name)


def _fast_operation(request: AWSPreparedRequest) -> OperationModel | None:
    """The DynamoDB operation to answer here, or None for moto's normal path."""
    target = request.headers.get("X-Amz-Target")
    if isinstance(target, bytes):
        target = target.decode("utf-8")
    prefix, _, name = (target or "").partition(".")
    if prefix != _TARGET_PREFIX or name not in FAST_OPERATIONS:
        return None
    # moto features not reproduced here: its request recorder, IAM authentication, and the
    # user config's passthrough and service allow-list.
    core = default_user_config.get("core", {})
    passthrough = core.get("passthrough") or {}
    if (
        recorder._user_enabled
        or float("inf") != settings.INITIAL_NO_AUTH_ACTION_COUNT
        or passthrough.get("urls")
        or passthrough.get("services")
        or core.get("service_whitelist") is not None
    ):
        return None
    return _operation(name)


def _process_request(request: AWSPreparedRequest) -> Any:
    """`BotocoreStubber.process_request` inside `fast_dynamodb`."""
    operation = _fast_operation(request)
    if operation is None:
        return BotocoreStubber.process_request(moto_models.botocore_stubber, request)
    return _FastHandler().answer(operation, request)


def _switch_on() -> None:
    # An instance attribute in front of the class's method, which mypy takes for assigning one.
    moto_models.botocore_stubber.process_request = _process_request  # type: ignore[method-assign]


def _switch_off() -> None:
    del moto_models.botocore_stubber.process_request


_FAST = SharedPatch(_switch_on, _switch_off)


def fast_dynamodb() -> AbstractContextManager[None]:
    """For the block, moto answers DynamoDB's item operations without its HTTP dispatch.

    moto answers every request from one `before-send` handler (botocore calls every handler of
    the event, so a second one in front would not stop moto from answering too): the block
    gives that handler's instance this module's `process_request`, which passes everything but
    the fast operations on to moto's own.
    """
    return _FAST.applied()


class SeedingTable:
    """Stands in for a boto3 Table resource where a repository only bulk-loads through
    `batch_writer()`: each item (plain Python values, as the resource takes them) is typed by
    boto3's own serializer and put into the active moto's table directly, in the account moto
    gives requests without IAM keys of its own (`MOTO_ACCOUNT_ID`, else its default)."""

    def __init__(self, name: str, *, region: str) -> None:
        self.name = name
        account = os.environ.get("MOTO_ACCOUNT_ID", DEFAULT_ACCOUNT_ID)
        self._backend = dynamodb_backends[account][region]
        self._serializer = TypeSerializer()

    @contextmanager
    def batch_writer(self) -> Iterator[SeedingTable]:
        yield self

    def put_item(self, Item: dict[str, Any]) -> None:  # noqa: N803 - boto3's keyword
        typed = {name: self._serializer.serialize(value) for name, value in Item.items()}
        self._backend.put_item(self.name, typed)
