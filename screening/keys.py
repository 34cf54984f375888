"""Blocking keys of name tokens.

Each distinct token gets a handful of keys; a query token and a list token that share a key are
candidates for scoring. Keys are computed once per distinct token (tokens repeat a lot), never
per row:
- ``c:`` the variant-group form (Mohammed/Muhammad, Qaddafi/Gadhafi...),
- ``p:`` a phonetic key of that form,
- ``d:`` the spelling and the variant-group form with one letter deleted (symmetric deletion:
  any single edit or adjacent transposition between two tokens of three letters or more leaves
  a shared key), and the form whole (two letters or more);
- ``e:`` the spelling with one or two letters deleted, where four letters or more are left,
  and the spelling whole (four letters or more):
  two edits between such tokens leave a shared key ("Tadicx"/"Radic", "Zubair"/"Zufar",
  "Rahkar"/"Raka"),
  which the scorer, comparing spellings, may still find close (shorter keys would meet
  hundreds of tokens for nothing).
  Apart from ``d:`` so that the keys of one edit stay as sharp as they were.
- ``w:`` a three-letter spelling with each letter in turn left open ("i?b"): one letter changed
  in so short a word ("EP-IOB"/"EP-ITB", "Soe"/"Son") leaves a shared two-letter deletion
  too, but those meet so many words that the index drops them;
- ``f:`` and ``s:`` the first and the last AFFIX_LETTERS letters of a spelling of
  AFFIX_MIN_LEN letters or more: words that share a long start or end may be similar for the
  scorer however far apart their other letters ("Bahar"/"Bahaziq", "Hesong"/"Chilsong",
  "Salem"/"Mossalem"), which no deletion key reaches.
- ``h:`` each full name a token belongs to ("bob" and "robert": ``h:robert``;
  screening.nicknames).

``e:``, ``f:`` and ``s:`` are wide keys: they meet many words that are not similar, so the
index keeps only the sharp ones (few tokens each), and they never make a word lend its weight.
"""

from __future__ import annotations

import polars as pl

from screening.nicknames import nickname_frames, nickname_keys
from screening.phonetic import phonetic_key
from screening.variants import canonical_token, canonical_tokens

_MIN_DELETE_LEN = 3
_MIN_WHOLE_LEN = 2
_MIN_EDIT2_KEY_LEN = 4
EDIT2_PREFIX = "e:"
_SUBSTITUTION_LEN = 3
AFFIX_LETTERS = 4
AFFIX_MIN_LEN = 5
# Keys that meet words far apart (see the module's docstring).
WIDE_PREFIXES = (EDIT2_PREFIX, "f:", "s:")


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
    forms = list(dict.fromkeys((canonical, token)))
    for form in forms:
        if len(form) >= _MIN_DELETE_LEN:
            keys.extend(f"d:{form[:i]}{form[i + 1:]}" for i in range(len(form)))
        if len(form) >= _MIN_WHOLE_LEN:
            keys.append(f"d:{form}")
    keys.extend(f"e:{_without(token, i, j)}" for i, j in _deletions(len(token)))
    if len(token) >= _MIN_EDIT2_KEY_LEN:
        # Whole, so that a word two letters longer meets it ("rahkar" -> e:raka, "raka").
        keys.append(f"{EDIT2_PREFIX}{token}")
    if len(token) == _SUBSTITUTION_LEN:
        keys.extend(f"w:{token[:i]}?{token[i + 1:]}" for i in range(len(token)))
    if len(token) >= AFFIX_MIN_LEN:
        keys.extend((f"f:{token[:AFFIX_LETTERS]}", f"s:{token[-AFFIX_LETTERS:]}"))
    keys.extend(nickname_keys(token, canonical))
    return list(dict.fromkeys(keys))


def _deletions(size: int) -> list[tuple[int, int]]:
    """Positions (i, j), i <= j, of one (i == j) or two letters deleted from a form of
    ``size`` letters that leave _MIN_EDIT2_KEY_LEN letters or more, in key order."""
    return [
        (i, j) for i in range(size) for j in range(i, size)
        if size - 1 - (i != j) >= _MIN_EDIT2_KEY_LEN
    ]


def _without(form: str, i: int, j: int) -> str:
    if i == j:
        return form[:i] + form[i + 1:]
    return form[:i] + form[i + 1:j] + form[j + 1:]


def is_wide_key(key: pl.Expr) -> pl.Expr:
    """Whether a key is a wide key (``e:``, ``f:`` or ``s:``)."""
    return key.str.slice(0, 2).is_in(WIDE_PREFIXES)


def token_table(tokens: pl.Series) -> pl.DataFrame:
    """For distinct tokens: the token, its canonical form and its blocking keys (list).

    The keys are those of ``token_keys``, in its order; the one-letter deletions are spelt
    out by Polars over every token at once.
    """
    unique = tokens.drop_nulls().unique(maintain_order=True)
    distinct = unique.to_list()
    # Variant groups over the column at once; they are remembered for canonical_token, which
    # phonetic_key below (and is_common) then only looks up.
    canonical = canonical_tokens(unique).to_list()
    # Numbers and class tokens have no phonetic key and no deletion keys.
    spelt = [not t.startswith("#") and not t.isdigit() for t in distinct]
    base = pl.DataFrame(
        [
            pl.Series("token", distinct, dtype=pl.Utf8),
            pl.Series("canonical", canonical, dtype=pl.Utf8),
            pl.Series("word", [not t.startswith("#") for t in distinct], dtype=pl.Boolean),
            pl.Series("spelt", spelt, dtype=pl.Boolean),
            pl.Series(
                "phonetic",
                [phonetic_key(t) if s else "" for t, s in zip(distinct, spelt, strict=True)],
                dtype=pl.Utf8,
            ),
        ]
    ).with_row_index("row")
    # A row's keys come in token_keys order (each part in order, the parts one after the
    # other, and a group keeps the order of its rows); repeats go, the first one kept.
    keys = (
        _key_rows(base)
        .group_by("row")
        .agg("key")
        .with_columns(pl.col("key").list.unique(maintain_order=True))
    )
    return (
        base.join(keys, on="row", how="left", maintain_order="left")
        .select(
            "token", "canonical",
            pl.col("key").fill_null(pl.lit([], dtype=pl.List(pl.Utf8))).alias("keys"),
        )
    )


def _key_rows(base: pl.DataFrame) -> pl.DataFrame:
    """(row, key) for every key of every token; a row's keys in token_keys order, repeats
    left in. The parts are concatenated in token_keys order, each part in row order."""
    word, spelt = pl.col("word"), pl.col("spelt")
    heads = [
        base.filter(word).select("row", (pl.lit("c:") + pl.col("canonical")).alias("key")),
        base.filter(spelt & (pl.col("phonetic") != "")).select(
            "row", (pl.lit("p:") + pl.col("phonetic")).alias("key")
        ),
    ]
    # The variant group first, then the spelling when it differs (token_keys' order).
    forms = [
        base.filter(spelt).select("row", pl.col("canonical").alias("form")),
        base.filter(spelt & (pl.col("token") != pl.col("canonical"))).select(
            "row", pl.col("token").alias("form")
        ),
    ]
    spellings = base.filter(spelt).select("row", pl.col("token").alias("form"))
    return pl.concat([
        *heads, *(_one_deletions(form) for form in forms), _two_deletions(spellings),
        spellings.filter(pl.col("form").str.len_chars() >= _MIN_EDIT2_KEY_LEN).select(
            "row", (pl.lit(EDIT2_PREFIX) + pl.col("form")).alias("key")
        ),
        _substitutions(spellings),
        _affixes(spellings),
        _nickname_keys(base.filter(spelt)),
    ])


def _nickname_keys(base: pl.DataFrame) -> pl.DataFrame:
    """(row, key): the ``h:`` keys of the tokens (row, token, canonical), sorted within a
    row as nickname_keys gives them."""
    spelt, grouped = nickname_frames()
    return (
        pl.concat([
            base.join(spelt, on="token").select("row", "key"),
            base.join(grouped, on="canonical").select("row", "key"),
        ])
        .unique()
        .sort("row", "key")
    )


def _substitutions(forms: pl.DataFrame) -> pl.DataFrame:
    """(row, key): the ``w:`` keys of three-letter spellings, one part per open letter (the
    parts in token_keys order, each in row order, as _key_rows wants them)."""
    short = forms.filter(pl.col("form").str.len_chars() == _SUBSTITUTION_LEN)
    form = pl.col("form")
    return pl.concat([
        short.select(
            "row",
            pl.concat_str(
                pl.lit("w:"), form.str.slice(0, at), pl.lit("?"), form.str.slice(at + 1)
            ).alias("key"),
        )
        for at in range(_SUBSTITUTION_LEN)
    ])


def _affixes(forms: pl.DataFrame) -> pl.DataFrame:
    """(row, key): the ``f:`` keys, then the ``s:`` keys, of the spellings long enough."""
    long = forms.filter(pl.col("form").str.len_chars() >= AFFIX_MIN_LEN)
    form = pl.col("form")
    return pl.concat([
        long.select("row", (pl.lit("f:") + form.str.slice(0, AFFIX_LETTERS)).alias("key")),
        long.select("row", (pl.lit("s:") + form.str.slice(-AFFIX_LETTERS)).alias("key")),
    ])


def _one_deletions(forms: pl.DataFrame) -> pl.DataFrame:
    """(row, key): the ``d:`` keys of (row, form) rows, in token_keys order: position ``at``
    deleted (forms of _MIN_DELETE_LEN letters or more), then the whole form."""
    size, at, form = pl.col("form").str.len_chars(), pl.col("at"), pl.col("form")
    first = pl.when(size >= _MIN_DELETE_LEN).then(0).otherwise(size)
    # Deleting at == size (past the end) leaves the whole form.
    return (
        forms.filter(size >= _MIN_WHOLE_LEN)
        .with_columns(pl.int_ranges(first, size + 1).alias("at"))
        .explode("at")
        .select(
            "row",
            pl.concat_str(pl.lit("d:"), form.str.slice(0, at), form.str.slice(at + 1)).alias(
                "key"
            ),
        )
    )


def _two_deletions(forms: pl.DataFrame) -> pl.DataFrame:
    """(row, key): the ``e:`` keys of spellings (row, form), in token_keys order ((i, j)
    order, after every d: key)."""
    size = pl.col("form").str.len_chars()
    i, j, form = pl.col("i"), pl.col("j"), pl.col("form")
    spelt = (
        forms.filter(size > _MIN_EDIT2_KEY_LEN)
        .with_columns(pl.int_ranges(size).alias("i"))
        .explode("i")
        .with_columns(pl.int_ranges(pl.col("i"), size).alias("j"))
        .explode("j")
        .filter(size - 1 - (i != j).cast(pl.Int64) >= _MIN_EDIT2_KEY_LEN)
    )
    # form[:i] + form[i + 1:j] + form[j + 1:]; the middle is empty when i == j.
    middle = form.str.slice(i + 1, (j - i - 1).clip(lower_bound=0))
    removed = pl.concat_str(pl.lit("e:"), form.str.slice(0, i), middle, form.str.slice(j + 1))
    return spelt.select("row", removed.alias("key"))
