"""chat-start: API Gateway (REST, Lambda proxy) -> pre-chat form -> profile -> StartChatContact.

POST /chats with the pre-chat form as JSON answers what amazon-connect-chatjs needs to join the
chat (ContactId, ParticipantId, ParticipantToken) and the region of Connect's participant
service. Errors are JSON `{"error": code, "message": words, "fields": [...]}` and never carry
exception text, ARNs or stack traces. CORS answers only the stage's widget origins.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import cache
from http import HTTPStatus
from typing import Any

import boto3
from aws_lambda_powertools import Logger, Metrics
from aws_lambda_powertools.event_handler import (
    APIGatewayRestResolver,
    CORSConfig,
    Response,
    content_types,
)
from aws_lambda_powertools.logging import correlation_paths
from aws_lambda_powertools.metrics import MetricUnit
from aws_lambda_powertools.utilities.typing import LambdaContext
from botocore.config import Config
from pydantic import Field, Json, ValidationError

from lambdas.chat_start.logic import describe_problems, parse_form, parse_topics
from lambdas.chat_start.models import Topic
from lambdas.chat_start.service import (
    ChatBusyError,
    ChatSettings,
    ChatStarter,
    ChatUnavailableError,
)
from lambdas.common import tracing
from lambdas.common.aws import dynamodb_table
from lambdas.common.profiles import ProfileRepository
from lambdas.common.settings import ContactHistorySettings

logger = Logger()
metrics = Metrics()

# The customer watches a spinner meanwhile: StartChatContact usually answers in well under a
# second; two tries with short timeouts stay far inside API Gateway's 29 s integration limit.
CONNECT_CALL_CONFIG = Config(
    connect_timeout=2, read_timeout=4, retries={"max_attempts": 2, "mode": "standard"}
)
CHATS_PATH = "/chats"
PREFLIGHT_MAX_AGE_SECONDS = 600


class Environment(ContactHistorySettings):
    """Validated once per container; while it is invalid the function raises and API Gateway
    answers 502 without detail (the log names the variables, never their values)."""

    instance_id: str = Field(alias="CONNECT_INSTANCE_ID", min_length=1)
    flow_id: str = Field(alias="CHAT_FLOW_ID", min_length=1)
    allowed_origins: Json[list[str]] = Field(alias="ALLOWED_ORIGINS", min_length=1)
    topics: Json[list[Topic]] = Field(alias="CHAT_TOPICS", min_length=1)


def error_response(status: HTTPStatus, code: str, message: str, **extra: Any) -> Response:
    return Response(
        status_code=status.value,
        content_type=content_types.APPLICATION_JSON,
        body={"error": code, "message": message, **extra},
    )


def create_app(env: Environment, starter: ChatStarter) -> APIGatewayRestResolver:
    """The REST API: routes, CORS limited to the widget origins, errors as JSON."""
    origins = env.allowed_origins
    app = APIGatewayRestResolver(
        cors=CORSConfig(
            allow_origin=origins[0],
            extra_origins=origins[1:],
            allow_headers=["Content-Type"],
            max_age=PREFLIGHT_MAX_AGE_SECONDS,
        )
    )
    topics = parse_topics(topic.model_dump() for topic in env.topics)

    @app.post(CHATS_PATH)
    def start_chat() -> Response:
        origin = app.current_event.headers.get("Origin")
        if origin is not None and origin not in origins:
            # Browsers skip the preflight for a text/plain "simple request", so another site's
            # page could still open chats on our instance; it never gets past this line.
            metrics.add_metric(name="ChatStartForeignOrigin", unit=MetricUnit.Count, value=1)
            return error_response(
                HTTPStatus.FORBIDDEN, "origin_not_allowed", "This site may not start chats."
            )
        try:
            body = app.current_event.json_body
        except (json.JSONDecodeError, TypeError):
            metrics.add_metric(name="ChatStartRejected", unit=MetricUnit.Count, value=1)
            return error_response(
                HTTPStatus.BAD_REQUEST, "invalid_request", "The body must be a JSON object."
            )
        try:
            form = parse_form(body, topics)
        except ValidationError as error:
            metrics.add_metric(name="ChatStartRejected", unit=MetricUnit.Count, value=1)
            return error_response(
                HTTPStatus.BAD_REQUEST,
                "invalid_request",
                "Some fields of the pre-chat form need attention.",
                fields=describe_problems(error),
            )
        started = starter.start(form)
        metrics.add_metric(name="ChatStarted", unit=MetricUnit.Count, value=1)
        return Response(
            status_code=HTTPStatus.OK.value,
            content_type=content_types.APPLICATION_JSON,
            body=started.model_dump(),
            headers={"Cache-Control": "no-store"},
        )

    @app.exception_handler(ChatBusyError)
    def busy(_: ChatBusyError) -> Response:
        metrics.add_metric(name="ChatStartBusy", unit=MetricUnit.Count, value=1)
        response = error_response(
            HTTPStatus.TOO_MANY_REQUESTS,
            "busy",
            "Our chat is very busy right now. Please try again in a minute.",
        )
        response.headers["Retry-After"] = "30"
        return response

    @app.exception_handler(ChatUnavailableError)
    def unavailable(_: ChatUnavailableError) -> Response:
        metrics.add_metric(name="ChatStartFailed", unit=MetricUnit.Count, value=1)
        return error_response(
            HTTPStatus.SERVICE_UNAVAILABLE,
            "unavailable",
            "Chat is unavailable right now. Please try again later.",
        )

    @app.exception_handler(Exception)
    def unexpected(error: Exception) -> Response:
        logger.exception("unexpected error starting a chat")
        metrics.add_metric(name="ChatStartFailed", unit=MetricUnit.Count, value=1)
        return error_response(
            HTTPStatus.INTERNAL_SERVER_ERROR,
            "internal",
            "Something went wrong on our side. Please try again later.",
        )

    @app.not_found
    def not_found(_: Exception) -> Response:
        metrics.add_metric(name="ChatApiNotFound", unit=MetricUnit.Count, value=1)
        return error_response(HTTPStatus.NOT_FOUND, "not_found", "No such endpoint.")

    return app


@dataclass
class Runtime:
    env: Environment
    app: APIGatewayRestResolver
    starter: ChatStarter


@cache
def runtime() -> Runtime:
    """Clients and the app, created once per container and reused across invocations."""
    env = Environment.from_environ()
    starter = ChatStarter(
        settings=ChatSettings(
            instance_id=env.instance_id,
            flow_id=env.flow_id,
            topics=parse_topics(topic.model_dump() for topic in env.topics),
        ),
        profiles=ProfileRepository(
            dynamodb_table(env.customers_table), history_ttl_days=env.contact_history_days
        ),
        connect=boto3.client("connect", config=CONNECT_CALL_CONFIG),
    )
    return Runtime(env=env, app=create_app(env, starter), starter=starter)


@logger.inject_lambda_context(
    correlation_id_path=correlation_paths.API_GATEWAY_REST, clear_state=True
)
@tracing.capture_lambda_handler
@metrics.log_metrics
def handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    return runtime().app.resolve(event, context)
