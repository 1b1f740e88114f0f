"""What the bot says, from the bot file's texts rendered to JSON beside this module.

The function ships without PyYAML and without `config/`, so `scripts/render_bots.py` renders
each bot file (bots/<name>.yaml) to `lambdas/self_service/bots/<name>.json` (its sentences per
locale, its intents' fulfillment names and which slots are sensitive), and the synth refuses a
rendering that no longer matches its bot file. At 4.5 KB for the shipped bot it would not fit in
Lambda's 4 KB of environment variables, and a file in the bundle costs no call at cold start.
"""

from __future__ import annotations

import json
from datetime import date, datetime, time
from pathlib import Path
from string import Formatter

from pydantic import BaseModel, ConfigDict, Field

BUNDLE_DIR = Path(__file__).resolve().parent / "bots"

Localized = dict[str, str]


class _Bundle(BaseModel):
    model_config = ConfigDict(extra="ignore", frozen=True)


class CalendarNames(_Bundle):
    weekdays: list[str] = Field(min_length=7, max_length=7)
    months: list[str] = Field(min_length=12, max_length=12)


class IntentTexts(_Bundle):
    fulfillment: str
    messages: dict[str, Localized] = Field(default_factory=dict)
    slots: list[str] = Field(default_factory=list)
    sensitive_slots: list[str] = Field(default_factory=list)


class BotTexts(_Bundle):
    """One rendered bot file (config.bot.fulfillment_bundle's shape)."""

    bot: str
    locales: list[str] = Field(min_length=1)
    messages: dict[str, Localized]
    calendar: dict[str, CalendarNames]
    intents: dict[str, IntentTexts]

    def locale(self, requested: str) -> str:
        """The caller's locale when the bot file has it, else the bot's first."""
        return requested if requested in self.locales else self.locales[0]

    def say(self, intent: str, name: str, locale: str, **values: str) -> str:
        """The sentence `name` of `intent` (else the bot-wide one) in `locale`, filled in.

        A placeholder the sentence names but `values` lacks is left out rather than raising:
        a sentence with a gap beats no answer on a live call.
        """
        definition = self.intents.get(intent)
        texts = definition.messages.get(name) if definition is not None else None
        texts = texts or self.messages.get(name)
        if texts is None:
            raise KeyError(f"no sentence '{name}' for intent '{intent}' or the whole bot")
        chosen = self.locale(locale)
        template = texts.get(chosen) or next(iter(texts.values()))
        return _fill(template, values)

    def date_words(self, locale: str, moment: date | datetime) -> dict[str, str]:
        """`weekday`, `day`, `month` (and `time` for a datetime) as this locale says them."""
        names = self.calendar[self.locale(locale)]
        words = {
            "weekday": names.weekdays[moment.weekday()],
            "day": str(moment.day),
            "month": names.months[moment.month - 1],
        }
        if isinstance(moment, datetime):
            words["time"] = clock(moment.time())
        return words

    def weekday(self, locale: str, day: date) -> str:
        return self.calendar[self.locale(locale)].weekdays[day.weekday()]

    def sensitive_slots(self, intent: str) -> list[str]:
        definition = self.intents.get(intent)
        return definition.sensitive_slots if definition is not None else []


def clock(moment: time) -> str:
    """24-hour `HH:MM`, which Polly reads correctly in English and Spanish alike."""
    return f"{moment.hour:02d}:{moment.minute:02d}"


def _fill(template: str, values: dict[str, str]) -> str:
    parts = []
    for literal, field, _, _ in Formatter().parse(template):
        parts.append(literal)
        if field:
            parts.append(values.get(field, ""))
    return " ".join("".join(parts).split())


def load_bot_texts(name: str, directory: Path = BUNDLE_DIR) -> BotTexts:
    """The rendering of bots/<name>.yaml; `name` comes from infra's BOT_TEXTS variable."""
    path = directory / f"{name}.json"
    return BotTexts.model_validate(json.loads(path.read_text(encoding="utf-8")))
