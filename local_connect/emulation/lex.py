"""Amazon Lex V2's runtime (`lexv2-runtime`) for a bot built from a bot file, over boto3.

The conversation follows Lex V2's documented turn order
(https://docs.aws.amazon.com/lexv2/latest/dg/building-bots.html, the code hook input and
response formats of https://docs.aws.amazon.com/lexv2/latest/dg/lambda-input-format.html and
lambda-response-format.html): with no intent in progress the text is matched to an intent
(`lex_matching`, a documented stand-in for Lex's NLU); then the intent's dialog code hook runs
(Delegate lets Lex go on, ElicitSlot or Close decide), Lex asks for each required slot still
empty with the slot's prompt, asks the confirmation when the intent has one (a "no" closes with
the `declined` sentence), and calls the fulfillment code hook, whose Close ends the
conversation. FallbackIntent closes at once with the bot's fallback sentence. The code hook is
the real fulfillment function, run through the local Lambda runtime by the world.

Operations: RecognizeText, and GetSession / DeleteSession / PutSession (session attributes and
state). RecognizeUtterance and StartConversation (audio, a bidirectional stream) are not.
Errors are the service's: ResourceNotFoundException for an unknown bot or alias, or a session
GetSession does not know; ValidationException (HTTP 400, the runtime's "BadRequestException")
for a locale the bot does not have or the alias does not enable; AccessDeniedException when
Amazon Connect calls for an instance the alias's resource policy does not name (the bot is not
associated with it); DependencyFailedException when the code hook raises or answers something
that is not a Lex answer.

Connect's calls are told apart by the instance they carry (`connect_lex_client`): the flow
interpreter of `ccaas chat` and `ccaas run-flow --stage` converses as the world's instance. A
client without it stands for a caller with IAM permissions of its own (a test, a web app).
"""

from __future__ import annotations

import copy
import json
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from botocore.model import OperationModel

from config import ContactCenterConfig
from config.bot import FALLBACK_INTENT, BotDefinition, load_stage_bot, opening_hours_document
from local_connect.emulation.lex_matching import answer_to_confirmation, match_intent, resolve_slot
from local_connect.emulation.wire import ServiceError
from local_connect.runtime.lambda_runtime import QUIET_POWERTOOLS, LocalLambda
from local_connect.runtime.local_aws import LOCAL_BOT_ALIAS, lex_bot_alias
from local_connect.runtime.resources import APPOINTMENTS_TABLE, CUSTOMERS_TABLE, OUTAGES_TABLE

CodeHook = Callable[[dict[str, Any]], Any]
# The instance on whose behalf Connect calls Lex (aws:SourceArn of the alias's resource policy).
CONNECT_SOURCE_HEADER = "x-local-connect-source-arn"
FULFILLMENT_HANDLER = "lambdas.self_service.handler"
OPERATIONS = frozenset({"RecognizeText", "GetSession", "DeleteSession", "PutSession"})


@dataclass
class EmulatedBot:
    """One bot and its alias: the bot file, the locales the alias serves, and its code hook."""

    definition: BotDefinition
    bot_id: str
    alias_id: str
    alias_name: str
    locales: tuple[str, ...]
    code_hook: CodeHook
    alias_arn: str
    # Instances whose Connect may converse: the alias's resource policy and the instance's
    # LEX_BOT association, which infra/constructs/self_service.py creates together.
    connect_instances: set[str] = field(default_factory=set)


@dataclass
class _Session:
    locale: str
    state: dict[str, Any] = field(default_factory=dict)
    eliciting: str | None = None
    confirming: bool = False

    @property
    def intent(self) -> dict[str, Any] | None:
        return self.state.get("intent")

    @property
    def attributes(self) -> dict[str, str]:
        attributes: dict[str, str] = self.state.setdefault("sessionAttributes", {})
        return attributes


def fulfillment_environment(config: ContactCenterConfig, region: str) -> dict[str, str]:
    """The self-service function's variables, as infra/constructs/self_service.py sets them,
    naming the local tables (`local_connect.runtime.resources`)."""
    return {
        "AWS_REGION": region,
        "AWS_DEFAULT_REGION": region,
        "CUSTOMERS_TABLE": CUSTOMERS_TABLE,
        "APPOINTMENTS_TABLE": APPOINTMENTS_TABLE,
        "OUTAGES_TABLE": OUTAGES_TABLE,
        "BOT_TEXTS": config.self_service.bot_file.removesuffix(".yaml"),
        "OPENING_HOURS": json.dumps(opening_hours_document(config), separators=(",", ":")),
        **QUIET_POWERTOOLS,
    }


class LexEmulator:
    """`bots` by id; `add_bot` builds one from a bot file. Every turn is kept in `turns`."""

    def __init__(self, *, account_id: str, region: str, clock: Callable[[], datetime]) -> None:
        self.account_id = account_id
        self.region = region
        self.clock = clock
        self.bots: dict[str, EmulatedBot] = {}
        self.sessions: dict[tuple[str, str, str, str], _Session] = {}
        self.turns: list[tuple[str, dict[str, Any]]] = []  # (customer's text, Lex's answer)

    def add_stage_bot(
        self, config: ContactCenterConfig, *, connect_instance: str | None = None
    ) -> EmulatedBot:
        """The stage's self-service bot, its code hook the real fulfillment function run in the
        local Lambda runtime (it reads the tables `create_self_service_tables` makes), associated
        with `connect_instance` as the stage's deployment associates it."""
        fulfillment = LocalLambda(
            FULFILLMENT_HANDLER,
            fulfillment_environment(config, self.region),
            name="self_service",
        )
        bot = self.add_bot(
            load_stage_bot(config),
            locales=tuple(config.self_service.locales),
            code_hook=lambda event: fulfillment.invoke(event).result(),
        )
        if connect_instance is not None:
            bot.connect_instances.add(connect_instance)
        return bot

    def add_bot(
        self,
        definition: BotDefinition,
        *,
        locales: tuple[str, ...],
        code_hook: CodeHook,
        alias_name: str = LOCAL_BOT_ALIAS,
    ) -> EmulatedBot:
        bot_id, alias_id, arn = lex_bot_alias(
            definition.name, alias_name, account_id=self.account_id, region=self.region
        )
        bot = EmulatedBot(definition, bot_id, alias_id, alias_name, locales, code_hook, arn)
        self.bots[bot_id] = bot
        return bot

    # -- the backend protocol ------------------------------------------------------------------
    def handles(self, operation: str) -> bool:
        return operation in OPERATIONS

    def answer(
        self,
        operation: OperationModel,
        params: dict[str, Any],
        *,
        connect_instance: str | None = None,
    ) -> dict[str, Any]:
        """`connect_instance`: the instance Amazon Connect calls for; None: not Connect."""
        bot = self._bot(params)
        if connect_instance is not None and connect_instance not in bot.connect_instances:
            # Connect calls as its service principal, which the alias's resource policy allows
            # only for the instances the bot is associated with
            # (https://docs.aws.amazon.com/lexv2/latest/dg/security_iam_resource-based-policy-examples.html).
            raise ServiceError(
                "AccessDeniedException",
                f"connect.amazonaws.com is not authorized to perform: lex:{operation.name} on "
                f"resource: {bot.alias_arn} for {connect_instance}: the bot alias is not "
                "associated with this Amazon Connect instance",
            )
        key = (bot.bot_id, bot.alias_id, params["localeId"], params["sessionId"])
        if operation.name == "DeleteSession":
            self._known(key)
            del self.sessions[key]
            return {key_name: params[key_name] for key_name in ("botId", "botAliasId", "localeId")}
        if operation.name == "GetSession":
            session = self._known(key)
            return {"sessionId": params["sessionId"], "sessionState": copy.deepcopy(session.state)}
        session = self.sessions.setdefault(key, _Session(params["localeId"]))
        if operation.name == "PutSession":
            session.state = copy.deepcopy(params.get("sessionState") or {})
            session.eliciting, session.confirming = None, False
            return {"sessionId": params["sessionId"], "sessionState": copy.deepcopy(session.state)}
        answer = _Turn(self, bot, session, params).run()
        self.turns.append((params.get("text", ""), answer))
        return answer

    def _bot(self, params: dict[str, Any]) -> EmulatedBot:
        bot = self.bots.get(params["botId"])
        if bot is None:
            raise ServiceError("ResourceNotFoundException", f"Bot {params['botId']} not found")
        if params["botAliasId"] != bot.alias_id:
            raise ServiceError(
                "ResourceNotFoundException",
                f"Bot alias {params['botAliasId']} of bot {bot.bot_id} not found",
            )
        # "If the locale doesn't exist in the bot, or if the locale hasn't been enabled for the
        # alias, you receive a BadRequestException" (HTTP 400; the V2 runtime's model names its
        # 400 error ValidationException):
        # https://docs.aws.amazon.com/lexv2/latest/APIReference/API_runtime_DeleteSession.html
        locale = params["localeId"]
        if locale not in bot.definition.locales:
            raise ServiceError(
                "ValidationException",
                f"Bot {bot.bot_id} has no locale {locale} "
                f"(it has {', '.join(bot.definition.locales)})",
            )
        if locale not in bot.locales:
            raise ServiceError(
                "ValidationException",
                f"Locale {locale} is not enabled for alias {bot.alias_id} "
                f"(it serves {', '.join(bot.locales)})",
            )
        return bot

    def _known(self, key: tuple[str, str, str, str]) -> _Session:
        session = self.sessions.get(key)
        if session is None:
            raise ServiceError("ResourceNotFoundException", f"Session {key[3]} not found")
        return session


class _Turn:
    """One RecognizeText: the customer's text moves the session on by Lex's rules."""

    def __init__(
        self, lex: LexEmulator, bot: EmulatedBot, session: _Session, params: dict[str, Any]
    ) -> None:
        self.lex = lex
        self.bot = bot
        self.definition = bot.definition
        self.session = session
        self.locale = session.locale
        self.text: str = params.get("text", "")
        self.session_id: str = params["sessionId"]
        self.request_attributes = params.get("requestAttributes") or {}
        sent = params.get("sessionState") or {}
        self.session.attributes.update(sent.get("sessionAttributes") or {})
        self.confidence = 1.0

    def run(self) -> dict[str, Any]:
        session = self.session
        intent = session.intent
        if intent is None or intent.get("state") in ("Fulfilled", "Failed", "ReadyForFulfillment"):
            return self._new_intent()
        if session.eliciting is not None:
            return self._slot_answer(intent, session.eliciting)
        if session.confirming:
            return self._confirmation_answer(intent)
        return self._next_step(intent)

    # -- the conversation ---------------------------------------------------------------------
    def _new_intent(self) -> dict[str, Any]:
        found = match_intent(self.definition, self.locale, self.text)
        self.confidence = found.confidence
        if found.intent == FALLBACK_INTENT:
            self.session.state["intent"] = _intent(FALLBACK_INTENT, {}, "ReadyForFulfillment")
            return self._close(self.definition.fallback[self.locale])
        definition = self.definition.intents[found.intent]
        slots: dict[str, Any] = {name: None for name in definition.slots}
        for name, said in found.slots.items():
            slots[name] = self._slot_value(name, said, found.intent)
        self.session.state["intent"] = _intent(found.intent, slots, "InProgress")
        return self._dialog_hook(self.session.state["intent"])

    def _slot_answer(self, intent: dict[str, Any], slot: str) -> dict[str, Any]:
        value = self._slot_value(slot, self.text, intent["name"])
        if value is None:
            return self._elicit(intent, slot)  # Lex asks again for what it could not resolve
        intent["slots"][slot] = value
        self.session.eliciting = None
        return self._dialog_hook(intent)

    def _confirmation_answer(self, intent: dict[str, Any]) -> dict[str, Any]:
        answer = answer_to_confirmation(self.text)
        if answer is None:
            return self._confirm(intent)
        self.session.confirming = False
        intent["confirmationState"] = "Confirmed" if answer else "Denied"
        if answer:
            return self._next_step(intent)
        # Denied: the dialog code hook hears it first; if it leaves it to Lex, Lex closes the
        # intent as failed with the intent's declination response.
        decided = self._code_hook("DialogCodeHook", intent)
        if decided is not None:
            return decided
        intent = self.session.state["intent"]
        intent["state"] = "Failed"
        declined = self.definition.intents[intent["name"]].declined or {}
        return self._close(declined.get(self.locale, ""))

    def _dialog_hook(self, intent: dict[str, Any]) -> dict[str, Any]:
        answer = self._code_hook("DialogCodeHook", intent)
        return answer if answer is not None else self._next_step(intent)

    def _next_step(self, intent: dict[str, Any]) -> dict[str, Any]:
        """Lex's own next move after Delegate: a missing slot, the confirmation, fulfillment."""
        definition = self.definition.intents[intent["name"]]
        for name, slot in definition.slots.items():
            if slot.required and intent["slots"].get(name) is None:
                return self._elicit(intent, name)
        if definition.confirmation is not None and intent["confirmationState"] == "None":
            return self._confirm(intent)
        intent["state"] = "ReadyForFulfillment"
        answer = self._code_hook("FulfillmentCodeHook", intent)
        if answer is None:  # Delegate at fulfillment: Lex closes the intent as fulfilled
            intent["state"] = "Fulfilled"
            return self._close("")
        return answer

    # -- the code hook ------------------------------------------------------------------------
    def _code_hook(self, source: str, intent: dict[str, Any]) -> dict[str, Any] | None:
        """The hook's decision as this turn's answer; None when it delegates back to Lex."""
        event = self._event(source, intent)
        try:
            raw = self.bot.code_hook(event)
            dialog_action = raw["sessionState"]["dialogAction"]
            kind = dialog_action["type"]
            returned = raw["sessionState"].get("intent") or intent
        except Exception as error:
            raise ServiceError(
                "DependencyFailedException",
                f"Invalid Lambda Response: the code hook failed or answered no dialogAction "
                f"({type(error).__name__})",
            ) from None
        self.session.attributes.clear()
        self.session.attributes.update(raw["sessionState"].get("sessionAttributes") or {})
        merged = {**intent, **returned, "slots": {**intent["slots"], **returned.get("slots", {})}}
        self.session.state["intent"] = merged
        messages = [m.get("content", "") for m in raw.get("messages") or []]
        if kind == "Delegate":
            return None
        if kind == "ElicitSlot":
            return self._elicit(merged, dialog_action["slotToElicit"], messages)
        if kind == "ConfirmIntent":
            return self._confirm(merged, messages)
        if kind == "ElicitIntent":
            self.session.state["intent"] = None
            return self._answer({"type": "ElicitIntent"}, None, messages)
        return self._close(*messages, state=merged.get("state"))

    def _event(self, source: str, intent: dict[str, Any]) -> dict[str, Any]:
        definition = self.definition
        state = {
            "sessionAttributes": dict(self.session.attributes),
            "intent": copy.deepcopy(intent),
            "originatingRequestId": str(uuid.uuid4()),
        }
        return {
            "messageVersion": "1.0",
            "invocationSource": source,
            "inputMode": "Text",
            "responseContentType": "text/plain; charset=utf-8",
            "sessionId": self.session_id,
            "inputTranscript": self.text,
            "bot": {
                "id": self.bot.bot_id,
                "name": definition.name,
                "aliasId": self.bot.alias_id,
                "aliasName": self.bot.alias_name,
                "localeId": self.locale,
                "version": "1",
            },
            "interpretations": [
                {"intent": copy.deepcopy(intent), "nluConfidence": self.confidence}
            ],
            "requestAttributes": dict(self.request_attributes),
            "sessionState": state,
            "transcriptions": [],
        }

    # -- answers ------------------------------------------------------------------------------
    def _slot_value(self, slot: str, said: str, intent: str) -> dict[str, Any] | None:
        definition = self.definition.intents[intent].slots[slot]
        today = self.lex.clock().date()
        value = resolve_slot(self.definition, definition, self.locale, said, today)
        if value is None:
            return None
        return {
            "shape": "Scalar",
            "value": {"originalValue": said, "interpretedValue": value, "resolvedValues": [value]},
        }

    def _elicit(
        self, intent: dict[str, Any], slot: str, messages: list[str] | None = None
    ) -> dict[str, Any]:
        self.session.eliciting = slot
        prompt = self.definition.intents[intent["name"]].slots[slot].prompt[self.locale]
        return self._answer(
            {"type": "ElicitSlot", "slotToElicit": slot}, intent, messages or [prompt]
        )

    def _confirm(self, intent: dict[str, Any], messages: list[str] | None = None) -> dict[str, Any]:
        self.session.confirming = True
        confirmation = self.definition.intents[intent["name"]].confirmation or {}
        values = {
            name: (slot or {}).get("value", {}).get("interpretedValue", "")
            for name, slot in intent["slots"].items()
        }
        text = confirmation.get(self.locale, "").format(**values)
        return self._answer({"type": "ConfirmIntent"}, intent, messages or [text])

    def _close(self, *messages: str, state: str | None = None) -> dict[str, Any]:
        intent = self.session.state["intent"]
        if state is not None:
            intent["state"] = state
        return self._answer({"type": "Close"}, intent, [m for m in messages if m])

    def _answer(
        self, dialog_action: dict[str, Any], intent: dict[str, Any] | None, messages: list[str]
    ) -> dict[str, Any]:
        state: dict[str, Any] = {
            "dialogAction": dialog_action,
            "sessionAttributes": dict(self.session.attributes),
        }
        if intent is not None:
            state["intent"] = copy.deepcopy(intent)
        answer: dict[str, Any] = {
            "sessionId": self.session_id,
            "sessionState": state,
            "messages": [{"content": text, "contentType": "PlainText"} for text in messages],
        }
        if intent is not None:
            answer["interpretations"] = [
                {"intent": copy.deepcopy(intent), "nluConfidence": {"score": self.confidence}}
            ]
        return answer


def _intent(name: str, slots: dict[str, Any], state: str) -> dict[str, Any]:
    return {"name": name, "slots": slots, "state": state, "confirmationState": "None"}


def connect_lex_client(region: str, instance_arn: str) -> Any:
    """A `lexv2-runtime` client that calls the emulated Lex as Amazon Connect does for
    `instance_arn`: ConnectParticipantWithLexBot of that instance's flows."""
    import boto3

    client = boto3.client("lexv2-runtime", region_name=region)

    def carry_instance(request: Any, **_: Any) -> None:
        request.headers[CONNECT_SOURCE_HEADER] = instance_arn

    client.meta.events.register("before-sign.lex-runtime-v2", carry_instance)
    return client
