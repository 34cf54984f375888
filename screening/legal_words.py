"""Words of legal forms met outside a recognised legal form, and their misspellings.

A legal form written in full ("OBSHCHESTVO S OGRANICHENNOI OTVETSTVENNOSTYU") becomes the
class token ``#lf``, which weighs nothing. The same words left over elsewhere, or misspelt so
that the phrase is not recognised ("OTVETSTVENNSTYU", "compny"), must weigh nothing too: they
never tell one company from another.
"""

from __future__ import annotations

from functools import cache, lru_cache

import numpy as np
import polars as pl
from rapidfuzz import process
from rapidfuzz.distance import OSA

from screening.refdata import load

# One slip in a word of six letters or more still spells the legal-form word.
LEGAL_FORM_SLIP = 0.8
_MIN_LEN = 6
# Short forms (jsc, zao, llc, joint) count at one edit, in organisation names only, and only for
# words no list name holds: "DJSC", "ZZAO", "JOIINT".
_SHORT_MIN_LEN = 3
_PERSON = "Person"


@cache
def _words(shortest: int, longest: int) -> list[str]:
    sections = load("legal_forms")
    words = {
        word
        for key in ("anywhere", "trailing", "leading", "edges")
        for phrase in sections.get(key, []) or []
        for word in str(phrase).split()
        if shortest <= len(word) <= longest and word.isalpha()
    }
    return sorted(words)


def legal_form_words() -> list[str]:
    """Single words of legal forms of six letters or more (company, limited, aktsionernoe)."""
    return _words(_MIN_LEN, 1 << 30)


def _short_forms() -> list[str]:
    return _words(_SHORT_MIN_LEN, _MIN_LEN - 1)


# Four- and five-letter forms that are also ordinary words or names ("Jordi Prat").
_ALSO_NAMES = frozenset({"open", "prat", "comm", "godo", "chup", "sapa", "spol", "jusik", "yugen"})


def stray_short_forms() -> list[str]:
    """Four- and five-letter legal-form words (joint, stock, gmbh, pjsc) that weigh nothing
    wherever they stand; three-letter ones (pat, sal) are too often names."""
    return [word for word in _words(4, _MIN_LEN - 1) if word not in _ALSO_NAMES]


def legal_form_words_in(tokens: pl.Series) -> pl.Series:
    """The distinct tokens that are a legal-form word or one slip from one ("compny")."""
    candidates = tokens.filter(tokens.str.len_chars() >= _MIN_LEN).unique()
    return candidates.filter(_best_at_least(candidates, legal_form_words(), LEGAL_FORM_SLIP))


def _best_at_least(candidates: pl.Series, forms: list[str], cutoff: float) -> pl.Series:
    """Whether each candidate's best OSA similarity to ``forms`` reaches ``cutoff``.

    Float64 scores: the one-word test (``is_legal_form_word``) compares Python floats, and a
    score of exactly ``cutoff`` must be judged alike.
    """
    if candidates.len() == 0 or not forms:
        return pl.Series([False] * candidates.len(), dtype=pl.Boolean)
    best = process.cdist(
        candidates.to_list(), forms, scorer=OSA.normalized_similarity, dtype=np.float64,
        workers=-1,
    ).max(axis=1)
    return pl.Series(best >= cutoff)


def _short_slips_in(candidates: pl.Series) -> pl.Series:
    """Whether each candidate (three to six letters) is one edit at most from a short form."""
    forms = _short_forms()
    if candidates.len() == 0 or not forms:
        return pl.Series([False] * candidates.len(), dtype=pl.Boolean)
    nearest = process.cdist(
        candidates.to_list(), forms, scorer=OSA.distance, dtype=np.int32, workers=-1
    ).min(axis=1)
    return pl.Series(nearest <= 1)


# Words already tested by ``form_slips_in`` and the slips among them, kept across batches
# (a batch screened again, or the same parties next day, tests none again); replaced whole,
# never changed in place, so a reader always sees a matching pair.
_tested: tuple[pl.Series, pl.Series] = (
    pl.Series("token", [], dtype=pl.Utf8), pl.Series("token", [], dtype=pl.Utf8)
)
_MAX_TESTED = 1 << 18


def form_slips_in(tokens: pl.Series) -> pl.Series:
    """The distinct tokens for which ``is_form_slip`` holds, the untested ones tested at once."""
    global _tested
    seen, slips = _tested
    distinct = tokens.drop_nulls().unique().rename("token")
    untested = distinct.filter(~distinct.is_in(seen.implode()))
    if untested.len():
        found = _slips_among(untested)
        if seen.len() + untested.len() > _MAX_TESTED:
            seen, slips = seen.clear(), slips.clear()
        seen, slips = pl.concat([seen, untested]), pl.concat([slips, found])
        _tested = (seen, slips)
    return distinct.filter(distinct.is_in(slips.implode()))


def _slips_among(distinct: pl.Series) -> pl.Series:
    """``is_form_slip`` over distinct tokens: rapidfuzz's cdist, not a call per word."""
    size = distinct.str.len_chars()
    short = distinct.filter((size >= _SHORT_MIN_LEN) & (size <= _MIN_LEN))
    long = distinct.filter(size >= _MIN_LEN)
    return pl.concat([
        short.filter(_short_slips_in(short)),
        long.filter(_best_at_least(long, legal_form_words(), LEGAL_FORM_SLIP)),
    ]).unique()


@lru_cache(maxsize=1 << 16)
def is_legal_form_word(token: str) -> bool:
    """``legal_form_words_in`` for one token (the single-query path): cached per token."""
    forms = legal_form_words()
    if len(token) < _MIN_LEN or not forms:
        return False
    best = process.extractOne(token, forms, scorer=OSA.normalized_similarity)
    return best is not None and best[1] >= LEGAL_FORM_SLIP


@lru_cache(maxsize=1 << 16)
def is_short_form_slip(token: str) -> bool:
    """A word of three to six letters at most one edit from a short legal form ("djsc")."""
    if not _SHORT_MIN_LEN <= len(token) <= _MIN_LEN or not _short_forms():
        return False
    best = process.extractOne(token, _short_forms(), scorer=OSA.distance)
    return best is not None and best[1] <= 1


def is_form_slip(token: str) -> bool:
    """A legal-form word or a slip of one: weightless in an organisation's name only.

    In a person's name such a word is a name: "Hartung" is one slip from "haftung", "Keisha"
    from "kaisha".
    """
    return is_short_form_slip(token) or is_legal_form_word(token)


def unseen_form_slips(
    names: pl.DataFrame, tokens: pl.DataFrame, seen_tokens: int
) -> pl.DataFrame:
    """``tokens`` (qid, token, tid, weight...) with unseen legal-form words and slips of them
    (``is_form_slip``) in organisation names weighing nothing. ``seen_tokens``: token ids
    below this are the index's own."""
    organisations = names.filter(pl.col("schema") != _PERSON).select("qid")
    if organisations.height == 0:
        return tokens
    # Every unseen word of the batch is tested at once (rapidfuzz's cdist, not a call per word).
    slips = form_slips_in(tokens.filter(pl.col("tid") >= seen_tokens)["token"])
    return tokens.with_columns(
        pl.when(
            pl.col("token").is_in(slips.implode())
            & pl.col("qid").is_in(organisations["qid"].implode())
        )
        .then(0.0)
        .otherwise(pl.col("weight"))
        .alias("weight")
    )
