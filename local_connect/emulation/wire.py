"""The services' wire protocols, read and written from botocore's own service models.

The emulation sits where moto sits: on botocore's `before-send` event, after the client has
validated the parameters and serialized the request. So it reads the request as the service
would (the URI, query string, headers and JSON body of `rest-json`; the `X-Amz-Target` JSON
body of `json`) and answers with the bytes the service would send, which the client then parses
through the same model. Nothing here knows a particular operation.

botocore's client-side validation checks only types, required members and minimums; the
services also enforce maximum lengths, ranges, enums and patterns. `constraint_problems`
applies those, so an over-long attribute value is refused here as Connect refuses it.
"""

from __future__ import annotations

import base64
import json
import re
import uuid
from collections.abc import Iterator, Mapping
from datetime import UTC, datetime
from functools import cache
from io import BytesIO
from typing import Any
from urllib.parse import parse_qsl, unquote, urlsplit
from xml.sax.saxutils import escape

import botocore.session
from botocore.awsrequest import AWSPreparedRequest, AWSResponse
from botocore.model import NoShapeFoundError, OperationModel, ServiceModel, Shape, StructureShape

_URI_LABEL = re.compile(r"\{([^}+]+)\+?\}")


class ServiceError(Exception):
    """An error the service answers with: a modeled error code, a message and modeled fields.

    `fields` are the error shape's extra members (End User Messaging's `Reason`,
    `ResourceType`, `ResourceId`...), which botocore parses into `error.response`.
    """

    def __init__(self, code: str, message: str, **fields: Any) -> None:
        super().__init__(f"{code}: {message}")
        self.code = code
        self.message = message
        self.fields = fields


@cache
def service_model(service: str) -> ServiceModel:
    """One loaded model per service for the process (loading costs tens of milliseconds)."""
    return botocore.session.get_session().get_service_model(service)


# -- requests ------------------------------------------------------------------------------------


def decode_request(operation: OperationModel, request: AWSPreparedRequest) -> dict[str, Any]:
    """The operation's input parameters as the client meant them, read back from the wire."""
    shape = operation.input_shape
    if shape is None:
        return {}
    body = _json_body(request.body)
    protocol = operation.service_model.protocol
    if protocol == "json":
        return _from_json(shape, body)
    if protocol != "rest-json":
        raise NotImplementedError(f"protocol {protocol} is not emulated")
    params: dict[str, Any] = {}
    parts = urlsplit(request.url)
    labels = _match_uri(operation.http["requestUri"], parts.path)
    query = dict(parse_qsl(parts.query, keep_blank_values=True))
    headers = {key.lower(): _text(value) for key, value in request.headers.items()}
    for name, member in shape.members.items():
        location = member.serialization.get("location")
        wire_name = member.serialization.get("name", name)
        if location == "uri":
            if wire_name in labels:
                params[name] = _scalar(member, labels[wire_name])
        elif location == "querystring":
            if wire_name in query:
                params[name] = _scalar(member, query[wire_name])
        elif location == "header":
            if wire_name.lower() in headers:
                params[name] = _scalar(member, headers[wire_name.lower()])
        elif location is None and isinstance(body, dict) and wire_name in body:
            params[name] = _from_json(member, body[wire_name])
    return params


def _match_uri(template: str, path: str) -> dict[str, str]:
    """`/contact/attributes/{InstanceId}/{InitialContactId}` against the request's path."""
    template_path = template.split("?", 1)[0]
    pattern = "^" + _URI_LABEL.sub(lambda m: f"(?P<{m.group(1)}>[^/]+)", template_path) + "$"
    match = re.match(pattern, path)
    if match is None:
        return {}
    return {name: unquote(value) for name, value in match.groupdict().items()}


def _json_body(body: Any) -> Any:
    if body is None or body in (b"", ""):
        return {}
    if hasattr(body, "read"):
        body = body.read()
    if isinstance(body, bytes):
        body = body.decode("utf-8")
    return json.loads(body)


def _text(value: Any) -> str:
    return value.decode("utf-8") if isinstance(value, bytes) else str(value)


def _scalar(shape: Shape, text: str) -> Any:
    if shape.type_name in ("integer", "long"):
        return int(text)
    if shape.type_name in ("float", "double"):
        return float(text)
    if shape.type_name == "boolean":
        return text.lower() == "true"
    if shape.type_name == "timestamp":
        return _timestamp(text)
    return text


def _timestamp(value: Any) -> datetime:
    if isinstance(value, int | float):
        return datetime.fromtimestamp(value, UTC)
    return datetime.fromisoformat(str(value).replace("Z", "+00:00"))


def _from_json(shape: Shape, value: Any) -> Any:
    if value is None:
        return None
    kind = shape.type_name
    if kind == "structure" and isinstance(value, dict):
        assert isinstance(shape, StructureShape)
        result = {}
        for name, member in shape.members.items():
            wire_name = member.serialization.get("name", name)
            if wire_name in value:
                result[name] = _from_json(member, value[wire_name])
        return result
    if kind == "list" and isinstance(value, list):
        return [_from_json(shape.member, item) for item in value]  # type: ignore[attr-defined]
    if kind == "map" and isinstance(value, dict):
        return {key: _from_json(shape.value, item) for key, item in value.items()}  # type: ignore[attr-defined]
    if kind == "timestamp":
        return _timestamp(value)
    if kind == "blob" and isinstance(value, str):
        return base64.b64decode(value)
    return value


# -- constraints the service enforces and botocore does not ----------------------------------------


def constraint_problems(shape: Shape | None, value: Any, path: str = "") -> list[str]:
    """Maximums, enums and patterns of the model, as `path: problem` strings (empty when valid).

    Smithy patterns are not anchored (a match anywhere in the value passes), so they are
    searched, not matched.
    """
    if shape is None or value is None:
        return []
    problems: list[str] = []
    meta = shape.metadata
    kind = shape.type_name
    where = path or shape.name
    if kind == "string" and isinstance(value, str):
        if "max" in meta and len(value) > meta["max"]:
            problems.append(f"{where}: length {len(value)} is over the maximum {meta['max']}")
        enum = getattr(shape, "enum", None)
        if enum and value not in enum:
            problems.append(f"{where}: '{value}' is not one of {', '.join(enum)}")
        if "pattern" in meta and not _pattern(meta["pattern"]).search(value):
            problems.append(f"{where}: does not match the pattern {meta['pattern']}")
    elif kind in ("integer", "long", "float", "double") and isinstance(value, int | float):
        if "max" in meta and value > meta["max"]:
            problems.append(f"{where}: {value} is over the maximum {meta['max']}")
    elif kind == "list" and isinstance(value, list):
        if "max" in meta and len(value) > meta["max"]:
            problems.append(f"{where}: {len(value)} items, at most {meta['max']} allowed")
        for index, item in enumerate(value):
            problems += constraint_problems(shape.member, item, f"{where}[{index}]")  # type: ignore[attr-defined]
    elif kind == "map" and isinstance(value, dict):
        if "max" in meta and len(value) > meta["max"]:
            problems.append(f"{where}: {len(value)} entries, at most {meta['max']} allowed")
        for key, item in value.items():
            problems += constraint_problems(shape.key, key, f"{where} key")  # type: ignore[attr-defined]
            problems += constraint_problems(shape.value, item, f"{where}.{key}")  # type: ignore[attr-defined]
    elif kind == "structure" and isinstance(value, dict):
        assert isinstance(shape, StructureShape)
        for name, member in shape.members.items():
            if name in value:
                problems += constraint_problems(
                    member, value[name], f"{path}.{name}" if path else name
                )
    return problems


@cache
def _pattern(pattern: str) -> re.Pattern[str]:
    # Some of Connect's model patterns are escaped twice, as Java source writes them: the
    # model's `\\+[1-9]\\d{1,14}$` means `\+[1-9]\d{1,14}$`.
    pattern = pattern.replace("\\\\", "\\")
    try:
        return re.compile(pattern)
    except re.error:
        # Python's `re` has no Unicode classes (`\p{L}`): such a pattern constrains nothing here.
        return re.compile("")


class RawBody(BytesIO):
    """What botocore reads a response body from (urllib3's `stream` included)."""

    def stream(self, **_: Any) -> Iterator[bytes]:
        contents = self.read()
        while contents:
            yield contents
            contents = self.read()


def wire_response(url: str, status: int, headers: Mapping[str, str], body: bytes) -> AWSResponse:
    """An answer botocore parses as if it had come over HTTP."""
    # botocore's stubs type the raw body as urllib3's HTTPResponse; RawBody offers what botocore
    # reads of one.
    return AWSResponse(url, status, headers, RawBody(body))  # type: ignore[arg-type]


# -- responses -----------------------------------------------------------------------------------


def encode_response(
    operation: OperationModel, output: Mapping[str, Any]
) -> tuple[int, dict[str, str], bytes]:
    """(status, headers, body) of a successful answer carrying `output`."""
    headers = {"x-amzn-RequestId": str(uuid.uuid4())}
    shape = operation.output_shape
    protocol = operation.service_model.protocol
    status = 200
    body: dict[str, Any] = {}
    if shape is not None:
        assert isinstance(shape, StructureShape)
        for name, member in shape.members.items():
            if name not in output or output[name] is None:
                continue
            location = member.serialization.get("location")
            wire_name = member.serialization.get("name", name)
            if protocol == "rest-json" and location == "header":
                headers[wire_name] = str(output[name])
            elif protocol == "rest-json" and location == "statusCode":
                status = int(output[name])
            else:
                body[wire_name] = _to_json(member, output[name])
    if protocol == "json":
        target = operation.service_model.metadata.get("jsonVersion", "1.0")
        headers["Content-Type"] = f"application/x-amz-json-{target}"
    else:
        headers["Content-Type"] = "application/json"
    return status, headers, json.dumps(body).encode("utf-8")


def encode_error(
    operation: OperationModel, error: ServiceError, *, status: int | None = None
) -> tuple[int, dict[str, str], bytes]:
    """(status, headers, body) of an error answer, the way each protocol carries the code.

    The status is `status` when given, else the one the model gives the code, else 400.
    """
    model = operation.service_model
    shape = _error_shape(model, error.code)
    if status is None:
        status = 400
        if shape is not None:
            status = int(shape.metadata.get("error", {}).get("httpStatusCode", 400))
    headers = {"x-amzn-RequestId": str(uuid.uuid4())}
    if model.protocol in ("query", "ec2", "rest-xml"):
        headers["Content-Type"] = "text/xml"
        return status, headers, _xml_error(model.protocol, error, headers["x-amzn-RequestId"])
    body: dict[str, Any] = {"Message": error.message}
    for name, value in error.fields.items():
        member = shape.members.get(name) if isinstance(shape, StructureShape) else None
        body[name] = _to_json(member, value) if member is not None else value
    if model.protocol == "json":
        body["__type"] = error.code
        headers["Content-Type"] = (
            f"application/x-amz-json-{model.metadata.get('jsonVersion', '1.0')}"
        )
    else:
        headers["x-amzn-ErrorType"] = error.code
        headers["Content-Type"] = "application/json"
    return status, headers, json.dumps(body).encode("utf-8")


def _xml_error(protocol: str, error: ServiceError, request_id: str) -> bytes:
    """The XML error documents of the query (SES, SNS), ec2 and rest-xml (S3) protocols."""
    detail = "".join(
        f"<{tag}>{escape(str(value))}</{tag}>"
        for tag, value in {"Code": error.code, "Message": error.message, **error.fields}.items()
    )
    if protocol == "rest-xml":
        document = f"<Error>{detail}<RequestId>{request_id}</RequestId></Error>"
    elif protocol == "ec2":
        document = (
            f"<Response><Errors><Error>{detail}</Error></Errors>"
            f"<RequestID>{request_id}</RequestID></Response>"
        )
    else:
        document = (
            f"<ErrorResponse><Error><Type>Sender</Type>{detail}</Error>"
            f"<RequestId>{request_id}</RequestId></ErrorResponse>"
        )
    return document.encode("utf-8")


def _error_shape(model: ServiceModel, code: str) -> Shape | None:
    try:
        return model.shape_for(code)
    except NoShapeFoundError:  # an error code the model does not declare
        return None


def _to_json(shape: Shape | None, value: Any) -> Any:
    if shape is None or value is None:
        return value
    kind = shape.type_name
    if kind == "structure" and isinstance(value, Mapping):
        assert isinstance(shape, StructureShape)
        result = {}
        for name, member in shape.members.items():
            if name in value and value[name] is not None:
                result[member.serialization.get("name", name)] = _to_json(member, value[name])
        return result
    if kind == "list":
        return [_to_json(shape.member, item) for item in value]  # type: ignore[attr-defined]
    if kind == "map":
        return {key: _to_json(shape.value, item) for key, item in value.items()}  # type: ignore[attr-defined]
    if kind == "timestamp" and isinstance(value, datetime):
        # rest-json and json bodies carry timestamps as epoch seconds unless the model says so.
        if shape.serialization.get("timestampFormat") == "iso8601":
            return value.astimezone(UTC).isoformat().replace("+00:00", "Z")
        return value.timestamp()
    if kind == "blob" and isinstance(value, bytes):
        return base64.b64encode(value).decode("ascii")
    return value
