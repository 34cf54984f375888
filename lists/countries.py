"""Country names and codes to ISO 3166 alpha-2.

Names come from CLDR (through babel) in English and French, plus our own aliases file for the
forms official lists use ("Iran (Islamic Republic of)", "Syrian Arab Republic", "Burma").
"""

from __future__ import annotations

import re
import unicodedata
from functools import cache, lru_cache
from pathlib import Path

import yaml
from babel import Locale
from babel.core import get_global

_ALIASES_FILE = Path(__file__).parent / "data" / "country_aliases.yml"
_LOCALES = ("en", "fr", "de", "nl", "es")


def _key(text: str) -> str:
    folded = unicodedata.normalize("NFKD", text.casefold())
    folded = "".join(ch for ch in folded if not unicodedata.combining(ch))
    folded = folded.replace("&", " and ")
    folded = re.sub(r"[^a-z0-9]+", " ", folded)
    return re.sub(r"^the ", "", folded.strip())


@cache
def _table() -> dict[str, str]:
    table: dict[str, str] = {}
    for locale in _LOCALES:
        for code, name in Locale(locale).territories.items():
            if isinstance(code, str) and len(code) == 2 and code.isalpha():
                table.setdefault(_key(str(name)), code)
    for code in Locale("en").territories:
        if isinstance(code, str) and len(code) == 2 and code.isalpha():
            table.setdefault(code.lower(), code)
    # ISO alpha-3 codes ("IRQ", "DEU"): CLDR lists them as aliases of the alpha-2 code.
    for alias, targets in get_global("territory_aliases").items():
        if len(alias) == 3 and alias.isalpha() and len(targets) == 1 and len(targets[0]) == 2:
            table.setdefault(alias.lower(), str(targets[0]))
    aliases = yaml.safe_load(_ALIASES_FILE.read_text(encoding="utf-8")) or {}
    for code, names in aliases.items():
        for name in names:
            table[_key(str(name))] = str(code)
    return table


def to_iso(value: str | None) -> str | None:
    """ISO alpha-2 code for a country name or code, or None when unknown or blank."""
    if value is None:
        return None
    return _to_iso(value)


@lru_cache(maxsize=65536)
def _to_iso(value: str) -> str | None:
    # Lists repeat the same few hundred country spellings thousands of times.
    key = _key(value)
    if not key:
        return None
    return _table().get(key)


def country_name(code: str) -> str:
    """English display name of an ISO alpha-2 code (the code itself when unknown)."""
    return str(Locale("en").territories.get(code.upper(), code))
