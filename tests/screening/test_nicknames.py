"""Familiar forms of given names ("Bob"/"Robert") align as close spellings, and blocking finds
the full name from its familiar form."""

from __future__ import annotations

import random
import string

import polars as pl
import pytest

from screening import refdata
from screening.algorithms import DEFAULT
from screening.api import compare, index_from_names
from screening.keys import token_keys, token_table
from screening.nicknames import NICKNAME_SIM
from screening.scoring import token_similarity
from screening.screener import Screener
from screening.single import token_sim
from screening.variants import canonical_token


@pytest.mark.parametrize(
    ("left", "right", "alike"),
    [
        ("bob", "robert", True),
        ("bobby", "rob", True),  # two familiar forms of one full name
        ("sasha", "aleksandr", True),  # a variant of the full name ("Alexander")
        ("peggy", "margaret", True),
        ("dima", "dmitriy", True),
        ("albert", "alfred", False),  # full names are never alike through a shared form
        ("rebecca", "bike", False),  # "becky" and "bike" fold alike; forms count as spelt
        ("robert", "richard", False),
    ],
)
def test_a_familiar_form_is_alike_its_full_name(left: str, right: str, alike: bool) -> None:
    canon = [canonical_token(left), canonical_token(right)]
    sim = token_similarity(pl.Series([left]), pl.Series([right]), pl.Series(canon[:1]),
                           pl.Series(canon[1:]))[0]
    assert bool(sim >= NICKNAME_SIM) == alike
    assert bool(sim >= DEFAULT.token_floor) == alike
    assert token_sim(left, right, *canon) == pytest.approx(sim, abs=1e-12)


def test_the_explanation_names_the_familiar_form() -> None:
    result = compare("Bobby Smith", "Robert Smith", schema="Person")
    assert result.match
    assert "bobby=robert (familiar form 0.90)" in result.explanation
    assert not compare("Albert Smith", "Alfred Smith", schema="Person").match


def test_familiar_forms_share_a_blocking_key_on_both_paths() -> None:
    for token in ("bob", "robert", "sasha", "aleksandr", "margaret", "smith"):
        table = token_table(pl.Series([token]))
        assert table["keys"].to_list()[0] == token_keys(token)
    assert "h:robert" in token_keys("bob")
    assert "h:robert" in token_keys("robert")
    assert "h:alexander" in token_keys("aleksandr")
    assert not any(key.startswith("h:") for key in token_keys("smith"))


def _word(rng: random.Random) -> str:
    return "".join(rng.choice(string.ascii_lowercase) for _ in range(7)).capitalize()


def test_a_familiar_form_finds_the_full_name_behind_a_common_surname() -> None:
    """"Smith" is in a third of the names, so it creates no candidates: only the familiar
    form's key leads "Bob Smith" to "Robert Smith", on the batch and on the fast path."""
    rng = random.Random(3)
    rows = [(f"f{i}", f"{_word(rng)} {_word(rng)}") for i in range(700)]
    rows += [(f"c{i}", f"{_word(rng)} Smith") for i in range(300)]
    rows += [("x", "Robert Smith")]
    index = index_from_names(
        pl.DataFrame(rows, schema=["entity_id", "name"], orient="row").with_columns(
            pl.lit("Person").alias("schema"), pl.lit("test").alias("list_id"),
            pl.lit("primary").alias("kind"),
        )
    )
    query = pl.DataFrame({"name": ["Bob Smith", "Sasha Smith"], "schema": ["Person"] * 2})
    for screener in (Screener(index, blocking=False), Screener(index), Screener(index, fast=False)):
        hits = screener.screen(query, limit=None)
        assert hits.select("row", "entity_id").rows() == [(0, "x")]


def test_the_table_holds_lower_case_forms_of_three_letters_or_more() -> None:
    table = refdata.list_map("nicknames", "nicknames")
    assert len(table) >= 80
    for full, forms in table.items():
        assert forms, full
        for token in (full, *forms):
            assert token.isascii() and token.isalpha() and token.islower(), token
            assert len(token) >= 3, token
