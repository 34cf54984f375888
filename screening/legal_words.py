"""Words of legal forms met outside a recognised legal form, and their misspellings.

A legal form written in full ("OBSHCHESTVO S OGRANICHENNOI OTVETSTVENNOSTYU") becomes the
class token ``#lf``, which weighs nothing. The same words left over elsewhere, or misspelt so
that the phrase is not recognised ("OTVETSTVENNSTYU", "compny"), must weigh nothing too: they
never tell one company from another.
"""

from __future__ import annotations

from functools import cache, lru_cache

import polars as pl
from rapidfuzz import process
from rapidfuzz.distance import OSA

from screening.refdata import load

# One slip in a word of six letters or more still spells the legal-form word.
LEGAL_FORM_SLIP = 0.8
_MIN_LEN = 6


@cache
def legal_form_words() -> list[str]:
    """Single words of legal forms of six letters or more (company, limited, aktsionernoe)."""
    sections = load("legal_forms")
    words = {
        word
        for key in ("anywhere", "trailing", "leading")
        for phrase in sections.get(key, []) or []
        for word in str(phrase).split()
        if len(word) >= _MIN_LEN and word.isalpha()
    }
    return sorted(words)


def legal_form_words_in(tokens: pl.Series) -> pl.Series:
    """The distinct tokens that are a legal-form word or one slip from one ("compny")."""
    candidates = tokens.filter(tokens.str.len_chars() >= _MIN_LEN).unique()
    forms = legal_form_words()
    if candidates.len() == 0 or not forms:
        return pl.Series("token", [], dtype=pl.Utf8)
    best = process.cdist(
        candidates.to_list(), forms, scorer=OSA.normalized_similarity, workers=-1
    ).max(axis=1)
    return candidates.filter(pl.Series(best >= LEGAL_FORM_SLIP))


@lru_cache(maxsize=1 << 16)
def is_legal_form_word(token: str) -> bool:
    """``legal_form_words_in`` for one token (the single-query path): cached per token."""
    forms = legal_form_words()
    if len(token) < _MIN_LEN or not forms:
        return False
    best = process.extractOne(token, forms, scorer=OSA.normalized_similarity)
    return best is not None and best[1] >= LEGAL_FORM_SLIP
