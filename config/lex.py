"""Facts about Amazon Lex V2 that the config and the bot files are checked against.

Locale ids: "Languages and locales supported by Amazon Lex V2"
(https://docs.aws.amazon.com/lexv2/latest/dg/how-languages.html). Built-in slot types and the
locales each works in: https://docs.aws.amazon.com/lexv2/latest/dg/built-in-slots.html.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

# Every locale id Lex V2 lists as supported (how-languages.html as read in December 2026; the
# ids it starred are newer additions). A locale AWS adds later goes here.
LEX_LOCALES = frozenset(
    {
        "af_ZA", "ar_AE", "ar_SA", "bg_BG", "ca_ES", "cs_CZ", "cy_GB", "da_DK", "de_AT",
        "de_CH", "de_DE", "en_AB", "en_AU", "en_GB", "en_IE", "en_IN", "en_NZ", "en_US",
        "en_WL", "en_ZA", "es_419", "es_ES", "es_MX", "es_US", "et_ET", "fa_IR", "fi_FI",
        "fr_BE", "fr_CA", "fr_FR", "he_IL", "hi_IN", "hr_HR", "hu_HU", "id_ID", "is_IS",
        "it_IT", "ja_JP", "km_KH", "ko_KR", "lt_LT", "lv_LV", "ms_MY", "nl_BE", "nl_NL",
        "no_NO", "pl_PL", "pt_BR", "pt_PT", "sv_SE", "zh_CN", "zh_HK",
    }
)  # fmt: skip

_ENGLISH = frozenset({"en_US", "en_GB", "en_AU", "en_IN", "en_ZA"})
_SPANISH = frozenset({"es_419", "es_ES", "es_US"})


@dataclass(frozen=True)
class BuiltinSlotType:
    """Where a built-in slot type works: `only` these locales (None: all), never `excluded`."""

    only: frozenset[str] | None = None
    excluded: frozenset[str] = frozenset()

    def supports(self, locale: str) -> bool:
        return (self.only is None or locale in self.only) and locale not in self.excluded


BUILTIN_SLOT_TYPES: Mapping[str, BuiltinSlotType] = {
    "AMAZON.AlphaNumeric": BuiltinSlotType(excluded=frozenset({"ko_KR"})),
    "AMAZON.City": BuiltinSlotType(),
    "AMAZON.Confirmation": BuiltinSlotType(only=_ENGLISH),
    "AMAZON.Country": BuiltinSlotType(),
    "AMAZON.Currency": BuiltinSlotType(only=_ENGLISH | _SPANISH),
    "AMAZON.Date": BuiltinSlotType(),
    "AMAZON.Duration": BuiltinSlotType(),
    "AMAZON.EmailAddress": BuiltinSlotType(),
    "AMAZON.FirstName": BuiltinSlotType(),
    "AMAZON.FreeFormInput": BuiltinSlotType(),
    "AMAZON.LastName": BuiltinSlotType(),
    "AMAZON.Number": BuiltinSlotType(),
    "AMAZON.Percentage": BuiltinSlotType(),
    "AMAZON.PhoneNumber": BuiltinSlotType(),
    "AMAZON.State": BuiltinSlotType(),
    "AMAZON.StreetName": BuiltinSlotType(),
    "AMAZON.Time": BuiltinSlotType(),
    "AMAZON.UKPostalCode": BuiltinSlotType(only=frozenset({"en_GB"})),
}
