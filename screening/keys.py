"""Blocking keys of name tokens.

Each distinct token gets a handful of keys; a query token and a list token that share a key are
candidates for scoring. Keys are computed once per distinct token (tokens repeat a lot), never
per row:
- ``c:`` the variant-group form (Mohammed/Muhammad, Qaddafi/Gadhafi...),
- ``p:`` a phonetic key of that form,
- ``d:`` the spelling and the variant-group form with one letter deleted (symmetric deletion:
  any single edit or adjacent transposition between two tokens of three letters or more leaves
  a shared key).
"""

from __future__ import annotations

import polars as pl

from screening.phonetic import phonetic_key
from screening.variants import canonical_token

_MIN_DELETE_LEN = 3


def token_keys(token: str) -> list[str]:
    """Every blocking key of one normalised token."""
    if token.startswith("#"):
        return []
    canonical = canonical_token(token)
    keys = [f"c:{canonical}"]
    if token.isdigit():
        return keys
    phonetic = phonetic_key(token)
    if phonetic:
        keys.append(f"p:{phonetic}")
    # Deletions of both the spelling and its variant group: folding can shorten a token
    # ("aeis" -> "is") and so hide a one-letter typo.
    for form in dict.fromkeys((canonical, token)):
        if len(form) >= _MIN_DELETE_LEN:
            keys.extend(f"d:{form[:i]}{form[i + 1:]}" for i in range(len(form)))
            keys.append(f"d:{form}")
    return list(dict.fromkeys(keys))


def token_table(tokens: pl.Series) -> pl.DataFrame:
    """For distinct tokens: the token, its canonical form and its blocking keys (list)."""
    distinct = tokens.drop_nulls().unique().to_list()
    return pl.DataFrame(
        {
            "token": distinct,
            "canonical": [canonical_token(t) if not t.startswith("#") else t for t in distinct],
            "keys": [token_keys(t) for t in distinct],
        },
        schema={"token": pl.Utf8, "canonical": pl.Utf8, "keys": pl.List(pl.Utf8)},
    )
