"""The self-service bot as code: the model of a bot file (`bots/<name>.yaml`), read and checked.

A bot file holds everything a Lex V2 bot is built from (intents, sample utterances, slots and
their types, prompts, confirmations) and every sentence the fulfillment function says, each in
every locale the bot speaks. The CDK construct (infra/constructs/self_service.py) builds the
bot from it, the fulfillment function gets its sentences as JSON rendered from it
(`fulfillment_bundle`), and the local engine matches utterances against it.

Limits quoted here are Lex V2's own: the locale ids of "Languages and locales supported by
Amazon Lex V2" (https://docs.aws.amazon.com/lexv2/latest/dg/how-languages.html), the built-in
slot types and their locales of https://docs.aws.amazon.com/lexv2/latest/dg/built-in-slots.html,
and the name patterns and lengths of the CreateBot, CreateIntent and CreateSlot API references.
"""

from __future__ import annotations

import json
import re
import string
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any, Self

import yaml
from pydantic import Field, ValidationError, field_validator, model_validator

from config.lex import BUILTIN_SLOT_TYPES, LEX_LOCALES
from config.loader import ConfigError, describe_problems
from config.model import ContactCenterConfig
from config.primitives import StrictModel

BOTS_DIR = Path(__file__).resolve().parent.parent / "bots"

# CreateBot/CreateIntent/CreateSlot/CreateSlotType name pattern: ^([0-9a-zA-Z][_-]?){1,100}$
LEX_NAME = r"^([0-9a-zA-Z][_-]?){1,100}$"
# Message and utterance lengths Lex accepts (Message.content 1..1000; SampleUtterance 1..200).
MAX_MESSAGE = 1000
MAX_UTTERANCE = 200
# Lex reserves this name for the built-in intent every bot must have.
FALLBACK_INTENT = "FallbackIntent"

Localized = dict[str, str]


class LocaleSettings(StrictModel):
    voice: str = Field(
        min_length=1, max_length=50, description="Amazon Polly voice id the bot speaks with."
    )
    engine: str = Field(default="neural", pattern=r"^(standard|neural|long-form|generative)$")


class CalendarNames(StrictModel):
    """How a locale names days and months, for the sentences that say a date."""

    weekdays: list[str] = Field(min_length=7, max_length=7, description="Monday first.")
    months: list[str] = Field(min_length=12, max_length=12, description="January first.")


class SlotValue(StrictModel):
    """One value of a custom slot type: what the function receives, and what callers say."""

    value: str = Field(min_length=1, max_length=140)
    synonyms: dict[str, list[str]] = Field(
        default_factory=dict, description="Per locale: other words that mean this value."
    )


class SlotTypeDefinition(StrictModel):
    description: str = ""
    values: list[SlotValue] = Field(min_length=1, max_length=10_000)


class SlotDefinition(StrictModel):
    type: str = Field(description="A built-in AMAZON.* type or a name in `slot_types`.")
    prompt: Localized = Field(description="What the bot asks, per locale.")
    required: bool = True
    sensitive: bool = Field(
        default=False,
        description="Carries personal data: obfuscated in conversation logs and never copied "
        "into session or contact attributes.",
    )
    description: str = ""


class IntentDefinition(StrictModel):
    description: str = Field(min_length=1, max_length=200)
    fulfillment: str = Field(
        pattern=r"^[a-z][a-z_]{0,62}$",
        description="Which of the fulfillment function's answers this intent gets "
        "(docs/self-service.md lists them).",
    )
    utterances: dict[str, list[str]] = Field(description="Sample utterances per locale.")
    slots: dict[str, SlotDefinition] = Field(
        default_factory=dict, description="Asked in this order."
    )
    confirmation: Localized | None = Field(
        default=None, description="Asked before fulfilling; may name slots as {slot}."
    )
    declined: Localized | None = Field(
        default=None, description="Said when the caller answers no to the confirmation."
    )
    messages: dict[str, Localized] = Field(
        default_factory=dict, description="The fulfillment's sentences by name, per locale."
    )

    @model_validator(mode="after")
    def _declined_needs_confirmation(self) -> Self:
        if (self.confirmation is None) != (self.declined is None):
            raise ValueError("confirmation and declined go together: give both or neither")
        return self

    def sensitive_slots(self) -> list[str]:
        return [name for name, slot in self.slots.items() if slot.sensitive]


class BotDefinition(StrictModel):
    """A bot file: checked whole, every problem named by its field path."""

    name: str = Field(pattern=LEX_NAME, max_length=100)
    description: str = Field(default="", max_length=200)
    idle_session_ttl_seconds: int = Field(default=300, ge=60, le=86_400)
    nlu_confidence_threshold: float = Field(default=0.4, ge=0, le=1)
    locales: dict[str, LocaleSettings] = Field(min_length=1)
    messages: dict[str, Localized] = Field(
        description="Sentences every intent may use (failed, escalate, fallback...)."
    )
    calendar: dict[str, CalendarNames] = Field(
        description="Day and month names per locale, for the sentences that say a date."
    )
    slot_types: dict[str, SlotTypeDefinition] = Field(default_factory=dict)
    intents: dict[str, IntentDefinition] = Field(min_length=1)
    fallback: Localized = Field(
        description="What the bot says when nothing matched (Lex's built-in FallbackIntent)."
    )

    @field_validator("locales")
    @classmethod
    def _lex_locales(cls, locales: dict[str, LocaleSettings]) -> dict[str, LocaleSettings]:
        unknown = sorted(set(locales) - LEX_LOCALES)
        if unknown:
            raise ValueError(f"{', '.join(unknown)}: not a Lex V2 locale id (like en_US, es_US)")
        return locales

    @model_validator(mode="after")
    def _complete_and_consistent(self) -> Self:
        problems = list(self._problems())
        if problems:
            raise ValueError("; ".join(f"{path}: {reason}" for path, reason in problems))
        return self

    def _problems(self) -> Iterator[tuple[str, str]]:
        locales = list(self.locales)
        for name, text in self.messages.items():
            yield from _localized(f"messages.{name}", text, locales, set())
        yield from _localized("fallback", self.fallback, locales, set())
        yield from _exactly_locales("calendar", self.calendar, locales)
        for name, slot_type in self.slot_types.items():
            if not re.match(LEX_NAME, name) or name.startswith("AMAZON."):
                yield f"slot_types.{name}", "not a Lex name (letters, digits, _ or -)"
            for index, value in enumerate(slot_type.values):
                unknown = sorted(set(value.synonyms) - set(locales))
                if unknown:
                    yield (
                        f"slot_types.{name}.values.{index}.synonyms",
                        f"locale {', '.join(unknown)} is not one of the bot's",
                    )
        if FALLBACK_INTENT in self.intents:
            yield f"intents.{FALLBACK_INTENT}", "is Lex's built-in: set its words in `fallback`"
        for name, intent in self.intents.items():
            yield from self._intent_problems(f"intents.{name}", name, intent, locales)
        yield from self._utterances_unique(locales)

    def _intent_problems(
        self, path: str, name: str, intent: IntentDefinition, locales: list[str]
    ) -> Iterator[tuple[str, str]]:
        if not re.match(LEX_NAME, name):
            yield path, "not a Lex intent name (letters, digits, _ or -, at most 100)"
        yield from _exactly_locales(f"{path}.utterances", intent.utterances, locales)
        for locale, utterances in intent.utterances.items():
            if not utterances:
                yield f"{path}.utterances.{locale}", "needs at least one sample utterance"
            for index, utterance in enumerate(utterances):
                where = f"{path}.utterances.{locale}.{index}"
                if not 0 < len(utterance) <= MAX_UTTERANCE:
                    yield where, f"must be 1 to {MAX_UTTERANCE} characters"
                try:
                    named = _placeholders(utterance)
                except ValueError as error:
                    yield where, f"unbalanced braces ({error})"
                    continue
                for slot_name in named:
                    if slot_name not in intent.slots:
                        yield where, f"names {{{slot_name}}}, which is not a slot of {name}"
        slot_names = set(intent.slots)
        for slot_name, slot in intent.slots.items():
            where = f"{path}.slots.{slot_name}"
            if not re.match(LEX_NAME, slot_name):
                yield where, "not a Lex slot name (letters, digits, _ or -)"
            yield from _localized(f"{where}.prompt", slot.prompt, locales, slot_names)
            yield from self._slot_type_problems(f"{where}.type", slot.type, locales)
        for field_name in ("confirmation", "declined"):
            text = getattr(intent, field_name)
            if text is not None:
                yield from _localized(f"{path}.{field_name}", text, locales, slot_names)
        for message_name, text in intent.messages.items():
            yield from _localized(f"{path}.messages.{message_name}", text, locales, None)

    def _slot_type_problems(
        self, path: str, slot_type: str, locales: list[str]
    ) -> Iterator[tuple[str, str]]:
        if slot_type in self.slot_types:
            return
        builtin = BUILTIN_SLOT_TYPES.get(slot_type)
        if builtin is None:
            known = ", ".join([*sorted(self.slot_types), "AMAZON.*"])
            yield path, f"unknown slot type '{slot_type}' (known: {known})"
            return
        unsupported = [locale for locale in locales if not builtin.supports(locale)]
        if unsupported:
            yield path, f"{slot_type} is not available in {', '.join(unsupported)}"

    def _utterances_unique(self, locales: list[str]) -> Iterator[tuple[str, str]]:
        """Lex refuses a locale whose intents share a sample utterance: it cannot tell them apart."""
        for locale in locales:
            seen: dict[str, str] = {}
            for name, intent in self.intents.items():
                for utterance in intent.utterances.get(locale, []):
                    key = " ".join(utterance.lower().split())
                    if key in seen and seen[key] != name:
                        yield (
                            f"intents.{name}.utterances.{locale}",
                            f"'{utterance}' is also an utterance of {seen[key]}",
                        )
                    seen.setdefault(key, name)

    def message(self, intent: str, name: str) -> Localized | None:
        """An intent's sentence by name, else the bot-wide one of that name."""
        definition = self.intents.get(intent)
        if definition is not None and name in definition.messages:
            return definition.messages[name]
        return self.messages.get(name)


def _exactly_locales(
    path: str, per_locale: Mapping[str, object], locales: list[str]
) -> Iterator[tuple[str, str]]:
    missing = [locale for locale in locales if locale not in per_locale]
    extra = [locale for locale in per_locale if locale not in locales]
    if missing:
        yield path, f"missing the bot's locale {', '.join(missing)}"
    if extra:
        yield path, f"{', '.join(extra)} is not one of the bot's locales ({', '.join(locales)})"


def _localized(
    path: str, text: Localized, locales: list[str], allowed: set[str] | None
) -> Iterator[tuple[str, str]]:
    """Every locale present, the same {placeholders} in each, and (when `allowed` is given, for
    texts Lex speaks itself) only names of the intent's slots."""
    yield from _exactly_locales(path, text, locales)
    names: dict[str, set[str]] = {}
    for locale, sentence in text.items():
        if not 0 < len(sentence) <= MAX_MESSAGE:
            yield f"{path}.{locale}", f"must be 1 to {MAX_MESSAGE} characters"
        try:
            names[locale] = set(_placeholders(sentence))
        except ValueError as error:
            yield f"{path}.{locale}", f"unbalanced braces ({error})"
            continue
        if allowed is not None:
            for name in sorted(names[locale] - allowed):
                yield f"{path}.{locale}", f"names {{{name}}}, which is not a slot of the intent"
    distinct = {frozenset(found) for found in names.values()}
    if len(distinct) > 1:
        listed = " vs ".join(f"{loc}: {sorted(found)}" for loc, found in names.items())
        yield path, f"the locales name different placeholders ({listed})"


def _placeholders(text: str) -> list[str]:
    return [field for _, field, _, _ in string.Formatter().parse(text) if field]


def load_bot(path: Path) -> BotDefinition:
    """The bot file at `path`, or a ConfigError with one line per problem."""
    try:
        raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    except OSError as error:
        raise ConfigError(str(path), [f"cannot read: {error.strerror}"]) from None
    except UnicodeDecodeError as error:
        raise ConfigError(str(path), [f"not a UTF-8 text file (byte {error.start})"]) from None
    except yaml.YAMLError as error:
        raise ConfigError(str(path), [f"not valid YAML: {error}"]) from None
    return parse_bot(raw, source=str(path))


def load_stage_bot(config: ContactCenterConfig) -> BotDefinition:
    """The bot a stage deploys, checked to speak every locale the stage asks of it."""
    path = BOTS_DIR / config.self_service.bot_file
    bot = load_bot(path)
    missing = [locale for locale in config.self_service.locales if locale not in bot.locales]
    if missing:
        raise ConfigError(
            str(path),
            [
                f"self_service.locales: {', '.join(missing)} is not a locale of this bot file "
                f"(it has {', '.join(bot.locales)}); add its texts or drop the locale"
            ],
        )
    return bot


def fulfillment_problems(
    bot: BotDefinition, needs: Mapping[str, frozenset[str]], every_intent: frozenset[str]
) -> list[str]:
    """Each intent names a fulfillment the function has (`needs`: fulfillment -> the sentences
    it may say) and has every sentence it may say, its own or the bot-wide one; `every_intent`
    are the sentences any intent may end with. The function's table lives with the function
    (lambdas/self_service/logic.py), which ships alone: the caller passes it in."""
    problems = []
    for name, intent in bot.intents.items():
        if intent.fulfillment not in needs:
            problems.append(
                f"intents.{name}.fulfillment: unknown '{intent.fulfillment}' "
                f"(known: {', '.join(sorted(needs))})"
            )
            continue
        missing = sorted(
            message
            for message in needs[intent.fulfillment] | every_intent
            if bot.message(name, message) is None
        )
        if missing:
            problems.append(
                f"intents.{name}.messages: {intent.fulfillment} may say {', '.join(missing)}, "
                "which neither the intent nor the bot-wide messages define"
            )
    return problems


def opening_hours_name(config: ContactCenterConfig) -> str:
    """The `hours` entry the OpeningHours answer reads: the configured one, else the default
    queue's (the queue a caller would otherwise wait in)."""
    chosen = config.self_service.hours
    return chosen if chosen is not None else config.queues[config.routing.default_queue].hours


def opening_hours_document(config: ContactCenterConfig) -> dict[str, Any]:
    """The hours the OpeningHours answer reads (lambdas/self_service/opening_hours.py), as its
    OPENING_HOURS variable holds them in AWS (infra) and locally (the local Lex): weekly ranges
    and every holiday date with its own ranges (empty: closed), recurrences expanded."""
    hours = config.hours[opening_hours_name(config)]

    def ranges(entries: list[Any]) -> list[list[str]]:
        return [[f"{r.start:%H:%M}", f"{r.end:%H:%M}"] for r in entries]

    return {
        "time_zone": hours.time_zone,
        "weekly": {day.value: ranges(entries) for day, entries in hours.weekly.items()},
        "days": {
            day.isoformat(): ranges(holiday.open)
            for holiday in hours.holidays
            for day in holiday.dates()
        },
    }


def parse_bot(raw: Any, source: str = "<bot>") -> BotDefinition:
    if not isinstance(raw, dict):
        raise ConfigError(source, ["the file must hold a mapping at its top level"])
    try:
        return BotDefinition.model_validate(raw)
    except ValidationError as error:
        raise ConfigError(source, describe_problems(error)) from None


def render_bot_texts(bot: BotDefinition) -> str:
    """`fulfillment_bundle` as the file the function reads: stable, so a diff shows real edits."""
    return json.dumps(fulfillment_bundle(bot), ensure_ascii=False, indent=1, sort_keys=True) + "\n"


def fulfillment_bundle(bot: BotDefinition) -> dict[str, Any]:
    """What the fulfillment function needs of the bot file at run time, as plain JSON.

    The function ships without PyYAML and without `config/`, so synth cannot hand it the file:
    `scripts/render_bots.py` writes this next to the function (lambdas/self_service/bots/), and
    the synth refuses a bundle that no longer matches its bot file.
    """
    return {
        "bot": bot.name,
        "locales": list(bot.locales),
        "messages": bot.messages,
        "calendar": {locale: names.model_dump() for locale, names in bot.calendar.items()},
        "intents": {
            name: {
                "fulfillment": intent.fulfillment,
                # The declined answer is Lex's own prompt, and the function's too: it ends the
                # conversation itself when the caller says no, to set the session attributes.
                "messages": {
                    **intent.messages,
                    **({"declined": intent.declined} if intent.declined else {}),
                },
                "slots": list(intent.slots),
                "sensitive_slots": intent.sensitive_slots(),
            }
            for name, intent in bot.intents.items()
        },
    }
