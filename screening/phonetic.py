"""Phonetic keys of normalised tokens, computed once per unique token.

`phonetic_keys` gives the classic codes (Metaphone, NYSIIS, Soundex, Match Rating codex) for
the index; `phonetic_key` gives the single blocking key: the Metaphone code of the token's
variant group (screening.variants.canonical_token), so Qaddafi, Kadafi and Gadhafi share it.
Numbers and the legal-form class token have no phonetic key.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import lru_cache

import jellyfish
import polars as pl

from screening.variants import canonical_token

_CODES: dict[str, Callable[[str], str]] = {
    "metaphone": jellyfish.metaphone,
    "nysiis": jellyfish.nysiis,
    "soundex": jellyfish.soundex,
    "mrc": jellyfish.match_rating_codex,
}


def _has_sound(token: str) -> bool:
    """Only tokens of letters have a sound; numbers and "#lf" do not."""
    return token.isascii() and token.isalpha()


def phonetic_keys(tokens: pl.Series) -> pl.DataFrame:
    """One row per unique non-null token: token, metaphone, nysiis, soundex, mrc.

    Codes are null for tokens without letters only (numbers, "#lf", mixed like "1st").
    """
    unique = tokens.cast(pl.Utf8).drop_nulls().unique(maintain_order=True).to_list()
    columns: dict[str, pl.Series] = {"token": pl.Series(unique, dtype=pl.Utf8)}
    for name, code in _CODES.items():
        values = [code(token) if _has_sound(token) else None for token in unique]
        columns[name] = pl.Series(values, dtype=pl.Utf8)
    return pl.DataFrame(columns)


@lru_cache(maxsize=1 << 20)
def phonetic_key(token: str) -> str:
    """The blocking key of one token: Metaphone of its variant group; "" for numbers/"#lf"."""
    if not _has_sound(token):
        return ""
    return str(jellyfish.metaphone(canonical_token(token)))
