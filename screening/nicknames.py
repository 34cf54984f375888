"""Familiar forms of given names: "Bob" is "Robert", "Sasha" is "Alexander".

The table (screening/data/nicknames.yml) ties each familiar form to its full names. A token
belongs to a full name when it is the full name or one of its variants (the same variant group:
"Aleksandr" for "Alexander"), or when it is spelt as one of the full name's familiar forms.
Familiar forms are short, so they count as spelt only: folded, "Becky" would be "bike".
Two tokens are nicknames of each other when they are of different variant groups and belong to
one full name: a form and its full name, or two forms of one full name ("Bob"/"Rob"). Two full
names never are through a form they share.
"""

from __future__ import annotations

from functools import cache

import numpy as np
import polars as pl

from screening import refdata
from screening.variants import canonical_token

# A nickname pair aligns as a close spelling does; a variant of one name scores 0.95.
NICKNAME_SIM = 0.9
KEY_PREFIX = "h:"


@cache
def _by_spelling() -> dict[str, frozenset[str]]:
    """Familiar form -> the full names (table spelling) it is a form of."""
    owners: dict[str, set[str]] = {}
    for full, forms in refdata.list_map("nicknames", "nicknames").items():
        for form in forms:
            owners.setdefault(form, set()).add(full)
    return {form: frozenset(names) for form, names in owners.items()}


@cache
def _by_group() -> dict[str, frozenset[str]]:
    """Variant-group form of a full name -> the full names (table spelling) of that group."""
    owners: dict[str, set[str]] = {}
    for full in refdata.list_map("nicknames", "nicknames"):
        owners.setdefault(canonical_token(full), set()).add(full)
    return {form: frozenset(names) for form, names in owners.items()}


def full_names(token: str, canonical: str) -> frozenset[str]:
    """The full names a token (and its variant-group form) belongs to."""
    return _by_spelling().get(token, frozenset()) | _by_group().get(canonical, frozenset())


def are_nicknames(left: str, right: str, left_canon: str, right_canon: str) -> bool:
    """Two tokens of different variant groups that belong to one full name."""
    return left_canon != right_canon and bool(
        full_names(left, left_canon) & full_names(right, right_canon)
    )


def nickname_keys(token: str, canonical: str) -> list[str]:
    """The ``h:`` blocking keys of a token: one per full name it belongs to, sorted."""
    return sorted(KEY_PREFIX + name for name in full_names(token, canonical))


@cache
def nickname_frames() -> tuple[pl.DataFrame, pl.DataFrame]:
    """(token, key) of the familiar forms and (canonical, key) of the full names' variant
    groups: the ``h:`` keys, joined on a token or on its variant-group form."""
    spelt = [(form, KEY_PREFIX + name) for form, names in _by_spelling().items() for name in names]
    grouped = [(form, KEY_PREFIX + name) for form, names in _by_group().items() for name in names]
    return (
        pl.DataFrame(spelt, schema={"token": pl.Utf8, "key": pl.Utf8}, orient="row"),
        pl.DataFrame(grouped, schema={"canonical": pl.Utf8, "key": pl.Utf8}, orient="row"),
    )


@cache
def _table_forms() -> tuple[pl.Series, pl.Series]:
    """The familiar forms and the full names' variant groups, each as one list value."""
    return (
        pl.Series(list(_by_spelling()), dtype=pl.Utf8).implode(),
        pl.Series(list(_by_group()), dtype=pl.Utf8).implode(),
    )


def in_table(tokens: pl.Series, canonical: pl.Series) -> np.ndarray:
    """Whether each token belongs to a full name of the table (``full_names``)."""
    spelt, grouped = _table_forms()
    found: np.ndarray = (
        (tokens.is_in(spelt) | canonical.is_in(grouped)).fill_null(value=False).to_numpy()
    )
    return found


def nickname_pairs(
    left: np.ndarray, right: np.ndarray, left_canon: np.ndarray, right_canon: np.ndarray
) -> np.ndarray:
    """``are_nicknames`` of each pair (object arrays), once per distinct pair: the callers
    give only pairs of tokens both in the table, which are few."""
    columns = ["left", "right", "left_canon", "right_canon"]
    pairs = pl.DataFrame(
        [pl.Series(name, values, dtype=pl.Utf8)
         for name, values in zip(columns, (left, right, left_canon, right_canon), strict=True)]
    )
    distinct = pairs.unique()
    answers = [are_nicknames(*row) for row in distinct.iter_rows()]
    known = distinct.with_columns(pl.Series("nick", answers, dtype=pl.Boolean))
    found: np.ndarray = (
        pairs.join(known, on=columns, how="left", maintain_order="left", nulls_equal=True)["nick"]
        .fill_null(value=False).to_numpy()
    )
    return found
