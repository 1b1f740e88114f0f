"""What the local Lex emulation understands: a deterministic stand-in for Lex's NLU, not NLU.

An utterance matches an intent by its sample utterances in the bot file (`config.bot`):
1. Text and samples are normalized: lower case, accents removed ("cuándo" = "cuando"),
   punctuation dropped, whitespace collapsed.
2. A sample matching the whole text wins, its `{slot}` parts capturing the slot values
   ("move my appointment to {new_date}" matches "move my appointment to tomorrow"). Confidence 1.
3. Otherwise the sample sharing the most words wins, scored by the Dice coefficient of the two
   word sets (2 x shared / (words in text + words in sample)); at or above the bot's
   `nlu_confidence_threshold` it is the intent, with that score as its confidence. Ties go to
   the intent listed first in the bot file.
4. Nothing: `FallbackIntent`.

Slot values resolve by type: a custom type's values and their synonyms (whole words of the text);
`AMAZON.Date` as an ISO date, today/tomorrow (hoy/mañana) or a weekday name (the next one);
`AMAZON.Time` as 24-hour `HH:MM` from "3 pm", "15:30", "3:30pm"; `AMAZON.Number` and
`AMAZON.AlphaNumeric` as their digits and letters; any other built-in type as the text said.

What this does not do, unlike Lex: recognise paraphrases that share no words with a sample,
tolerate misspellings, weigh words (a shared "my" counts like a shared "appointment"), fill
slots from anywhere but a sample's `{slot}` place or the answer to the slot's prompt, or read
dates like "next Friday" and "the 3rd". Write the sample utterances callers actually say.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from datetime import date, timedelta

from config.bot import FALLBACK_INTENT, BotDefinition, SlotDefinition

_SLOT = re.compile(r"\{([A-Za-z0-9_-]+)\}")
_WEEKDAYS = {
    "en": ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"),
    "es": ("lunes", "martes", "miercoles", "jueves", "viernes", "sabado", "domingo"),
}
_TODAY = {"today", "hoy"}
_TOMORROW = {"tomorrow", "manana"}
_YES = {"yes", "yeah", "yep", "sure", "correct", "ok", "okay", "si", "claro", "vale", "de acuerdo"}
_NO = {"no", "nope", "nah", "cancel", "no gracias"}
_TIME = re.compile(r"^(\d{1,2})(?::(\d{2}))?\s*(am|pm|a m|p m)?$")


@dataclass(frozen=True)
class Match:
    """The intent an utterance names, how sure the matcher is, and the slot values it carried."""

    intent: str
    confidence: float
    slots: dict[str, str]


def normalize(text: str) -> str:
    """Lower case, no accents, no punctuation, single spaces."""
    decomposed = unicodedata.normalize("NFKD", text.lower())
    plain = "".join(char for char in decomposed if not unicodedata.combining(char))
    return " ".join(re.sub(r"[^\w{}\s:-]", " ", plain).split())


def match_intent(bot: BotDefinition, locale: str, text: str) -> Match:
    """The intent `text` names in `locale` (FallbackIntent when none is close enough)."""
    said = normalize(text)
    words = set(said.split())
    best: tuple[float, str] | None = None
    for name, intent in bot.intents.items():
        for sample in intent.utterances.get(locale, []):
            captured = _whole_match(normalize(sample), said)
            if captured is not None:
                return Match(name, 1.0, captured)
            sample_words = set(_SLOT.sub(" ", normalize(sample)).split())
            if not sample_words or not words:
                continue
            score = 2 * len(words & sample_words) / (len(words) + len(sample_words))
            if best is None or score > best[0]:
                best = (score, name)
    if best is not None and best[0] >= bot.nlu_confidence_threshold:
        return Match(best[1], round(best[0], 2), {})
    return Match(FALLBACK_INTENT, 1.0, {})


def _whole_match(sample: str, said: str) -> dict[str, str] | None:
    pattern = ""
    position = 0
    for found in _SLOT.finditer(sample):
        pattern += re.escape(sample[position : found.start()])
        pattern += f"(?P<{found.group(1).replace('-', '_')}>.+?)"
        position = found.end()
    pattern += re.escape(sample[position:])
    matched = re.fullmatch(pattern, said)
    if matched is None:
        return None
    names = {name.replace("-", "_"): name for name in _SLOT.findall(sample)}
    return {names[key]: value for key, value in matched.groupdict().items()}


def resolve_slot(
    bot: BotDefinition, slot: SlotDefinition, locale: str, text: str, today: date
) -> str | None:
    """The slot's interpreted value from what the customer said; None when it names none."""
    said = normalize(text)
    if not said:
        return None
    custom = bot.slot_types.get(slot.type)
    if custom is not None:
        words = f" {said} "
        for value in custom.values:
            for name in (value.value, *value.synonyms.get(locale, [])):
                if f" {normalize(name)} " in words:
                    return value.value
        return None
    if slot.type == "AMAZON.Date":
        return _date(said, today)
    if slot.type == "AMAZON.Time":
        return _time(said)
    if slot.type == "AMAZON.Number":
        digits = re.sub(r"\D", "", said)
        return digits or None
    if slot.type == "AMAZON.AlphaNumeric":
        return re.sub(r"[^0-9A-Za-z]", "", text).upper() or None
    return text.strip()


def answer_to_confirmation(text: str) -> bool | None:
    """True for yes, False for no, None for anything else (Lex asks again)."""
    said = normalize(text)
    if said in _YES or said.split()[:1] == ["yes"]:
        return True
    if said in _NO or said.split()[:1] == ["no"]:
        return False
    return None


def _date(said: str, today: date) -> str | None:
    if re.fullmatch(r"\d{4}-\d{2}-\d{2}", said):
        try:
            return date.fromisoformat(said).isoformat()
        except ValueError:
            return None
    if said in _TODAY:
        return today.isoformat()
    if said in _TOMORROW:
        return (today + timedelta(days=1)).isoformat()
    for names in _WEEKDAYS.values():
        if said in names:
            ahead = (names.index(said) - today.weekday()) % 7 or 7
            return (today + timedelta(days=ahead)).isoformat()
    return None


def _time(said: str) -> str | None:
    found = _TIME.fullmatch(said.replace(".", ""))
    if found is None:
        return None
    hour, minute = int(found.group(1)), int(found.group(2) or 0)
    half = (found.group(3) or "").replace(" ", "")
    if half == "pm" and hour < 12:
        hour += 12
    elif half == "am" and hour == 12:
        hour = 0
    if hour > 23 or minute > 59:
        return None
    return f"{hour:02d}:{minute:02d}"
