"""Joint parties: a name field holding two people is also screened as each of them, on every
path (compare, match, screen: the few-rows fast path and the batch path), against the real UN
list."""

from __future__ import annotations

import polars as pl
import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from screening import compare
from screening.normalise import name_tokens
from screening.parties import MAX_PARTS, joint_parts
from screening.readings import party_readings, reading_rows
from screening.screener import FEW_ROWS, Screener
from tests.screening.test_screener import screener, un_db  # noqa: F401 (fixtures)

LISTED = "Ayman al-Zawahiri"


@pytest.mark.parametrize(
    ("name", "parts"),
    [
        ("Jan Peeters & An Janssens", ("Jan Peeters", "An Janssens")),
        ("J. PEETERS EN/OF A. JANSSENS", ("J. PEETERS", "A. JANSSENS")),
        ("Peeters J.&Janssens A.", ("Peeters J", "Janssens A")),
        ("Marie Dubois et Jean Dupont", ("Marie Dubois", "Jean Dupont")),
        ("Hans Muller und Anna Schmidt", ("Hans Muller", "Anna Schmidt")),
        ("John Smith c/o Mary Jones", ("John Smith", "Mary Jones")),
        # The first holder of a couple is a title or an initial: the other part names both.
        ("M. et Mme Jean Dubois", ("Mme Jean Dubois",)),
        ("Dhr en Mevr Peeters-Janssens", ("Mevr Peeters-Janssens",)),
        ("Mr and Mrs John Smith", ("Mrs John Smith",)),
        # Given names alone share the other part's surname, unless it is an organisation.
        ("Jan & An Peeters", ("Jan Peeters", "An Peeters")),
        ("PEETERS, Jan en An", ("PEETERS, Jan", "PEETERS, An")),
        ("Marks & Spencer Group", ()),
        ("Smith & Sons Ltd", ()),
        # One person, or a part of one word: read whole only.
        ("Jan Peeters", ()),
        ("Johnson & Johnson", ()),
        ("Jose Ortega y Gasset", ()),
        ("Moha Ou Hammou", ()),
        ("Anderson Orton", ()),
    ],
)
def test_joint_parts(name: str, parts: tuple[str, ...]) -> None:
    assert joint_parts(name) == parts


_WORD = st.text(alphabet="bcdfgklmnprstvz", min_size=2, max_size=4).map(
    lambda consonants: "".join(c + "a" for c in consonants)
)
_PERSON = st.lists(_WORD, min_size=2, max_size=3).map(" ".join)


@settings(max_examples=200, deadline=None)
@given(left=_PERSON, right=_PERSON, connector=st.sampled_from([" & ", " and ", " en/of ", "+"]))
def test_any_two_people_are_read_apart(left: str, right: str, connector: str) -> None:
    # Words the normaliser keeps as they are (no title, no legal form, no variant spelling).
    assume(name_tokens(left) == left.split() and name_tokens(right) == right.split())
    assume(left != right)
    assert joint_parts(left + connector + right) == (left, right)
    assert joint_parts(left) == ()


def test_organisations_are_read_whole() -> None:
    assert party_readings("Jan Peeters & An Janssens", "Organization") == ()
    assert party_readings("Jan Peeters & An Janssens", None) == ("Jan Peeters", "An Janssens")
    rows = pl.DataFrame(
        {"row": [0, 1], "name": ["Jan Peeters & An Janssens"] * 2,
         "schema": ["Organization", "Person"]},
        schema_overrides={"row": pl.UInt32},
    )
    read = reading_rows(rows)
    assert read.filter(pl.col("of_row") == 0).height == 1
    assert read.filter(pl.col("of_row") == 1)["name"].to_list() == [
        "Jan Peeters & An Janssens", "Jan Peeters", "An Janssens"
    ]


def test_a_hostile_field_adds_no_readings() -> None:
    many = " & ".join(["Jan Peeters"] * (MAX_PARTS + 1))
    assert joint_parts(many) == ()
    huge = "Jan Peeters & " * 50_000 + "An Janssens"
    assert joint_parts(huge) == ()
    assert joint_parts("&&&& + & ") == ()


def test_a_listed_holder_of_a_joint_account_is_found(screener: Screener) -> None:  # noqa: F811
    names = [f"Jan Peeters & {LISTED}", f"{LISTED} en/of An Janssens", f"Jan Peeters & {LISTED}",
             "Jan Peeters & An Janssens"]
    frame = pl.DataFrame(
        {"name": names, "schema": [None, "Person", "Organization", None]},
        schema={"name": pl.Utf8, "schema": pl.Utf8},
    )
    few = screener.screen(frame)
    # The batch path: more rows than the fast path takes.
    batch = screener.screen(pl.concat([frame] * (FEW_ROWS // frame.height + 1)))
    batch = batch.filter(pl.col("row") < frame.height)
    key = ["row", "entity_id", "list_id"]
    for hits in (few, batch):
        assert set(hits["row"].to_list()) == {0, 1}
        best = hits.sort("score", descending=True).unique("row", keep="first").sort("row")
        assert best["query_name"].to_list() == names[:2]
        assert all(score >= 0.99 for score in best["score"].to_list())
        assert all(f"(read as '{LISTED}')" in e for e in best["explanation"].to_list())
    assert few.select(*key, pl.col("score").round(9)).sort(key).equals(
        batch.select(*key, pl.col("score").round(9)).sort(key)
    )


def test_compare_and_match_read_joint_parties(screener: Screener) -> None:  # noqa: F811
    joint = f"M. et Mme {LISTED}"
    assert compare(joint, LISTED).match
    assert compare("Ayman & Umayma al-Zawahiri", LISTED).match
    assert not compare(joint, LISTED, schema="Organization").match
    found = screener.match(f"Jan Peeters & {LISTED}")
    assert found and found[0].score >= 0.99
    assert f"(read as '{LISTED}')" in found[0].explanation
    assert screener.match(f"Jan Peeters & {LISTED}", schema="Organization") == []
