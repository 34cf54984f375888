"""Variant groups, theophoric units and the fixed list of common tokens."""

from __future__ import annotations

from collections import Counter

import polars as pl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from screening import refdata
from screening.variants import (
    _polars_steps,
    abbreviated_unit_forms,
    canonical_token,
    canonical_tokens,
    fold_key,
    fold_keys,
    is_common,
    joined_unit,
    merge_units,
)

SAME_GROUP = {
    "qadhafi": ["gaddafi", "qaddafi", "kadafi", "gadhafi", "qadhafi", "kaddafi", "gheddafi",
                "khadafi", "ghadafi", "qadafi", "gadafi"],
    "muhammad": ["muhammad", "mohammed", "mohamed", "mohamad", "muhammed", "mohammad", "mahomet",
                 "md", "mohd", "muhd", "mouhamad", "mohammud", "muhamed"],
    "husayn": ["hussein", "husayn", "hossein", "hussain", "houssein", "huseyin", "husain"],
    "usama": ["osama", "usama", "oussama", "usamah", "ousama"],
    "yusuf": ["yusuf", "youssef", "yousef", "yousif", "youssouf", "yusef"],
    "qasim": ["qasem", "kassem", "ghasem", "qasim", "kasim", "kacem", "gasem"],
    "abdalrahman": ["abdalrahman", "abdulrahman", "abderrahmane", "abdurrahman", "abdelrahman"],
    "bin": ["bin", "ibn", "ben", "bint", "binti", "b"],
    "abu": ["abu", "abou", "abo"],
    "sergei": ["sergei", "sergey", "sergej", "serguei"],
    "ladin": ["laden", "ladin"],
    "fatima": ["fatima", "fatimah", "fatma"],
    "uthman": ["uthman", "othman", "osman", "usman"],
    "siddiqi": ["siddiqui", "siddiqi", "sdiqi"],  # "sdiqi": Arabic script as written
}  # fmt: skip


@pytest.mark.parametrize(
    ("group", "token"), [(group, token) for group, tokens in SAME_GROUP.items() for token in tokens]
)
def test_variants_share_a_group(group: str, token: str) -> None:
    assert canonical_token(token) == group


@pytest.mark.parametrize(
    ("one", "other"),
    [("crosswell", "kruswil"), ("belic", "bilik"), ("veroli", "firuli"), ("petra", "bitra"),
     ("pasha", "basha"), ("smirnoff", "smirnov"), ("velasquez", "velaskez"),
     ("enrique", "enrike"), ("nicolas", "nikolas"), ("clara", "klara")],
)  # fmt: skip
def test_letters_another_script_does_not_tell_apart(one: str, other: str) -> None:
    """Arabic script has no p, v or c: "Petra" is written back as "bitra", "Veroli" as
    "firuli"; c sounds as k before a consonant, a back vowel or at the end of a word."""
    assert canonical_token(one) == canonical_token(other)


@pytest.mark.parametrize(
    ("one", "other"),
    [("ivan", "ivanov"), ("ali", "alia"), ("jon", "joan"), ("hasan", "husayn"),
     ("ahmad", "muhammad"), ("omar", "amer"), ("said", "sayf"), ("karim", "kamal"),
     ("alexander", "exander"), ("albert", "bert"), ("jamal", "kamal"), ("smith", "smyth2"),
     ("cecil", "kekil"), ("lucia", "luka")],
)  # fmt: skip
def test_unrelated_names_stay_apart(one: str, other: str) -> None:
    assert canonical_token(one) != canonical_token(other)


@pytest.mark.parametrize(
    ("token", "expected"),
    [("alhouri", "huri"), ("houri", "huri"), ("almasri", "masri"), ("elkader", "kadir"),
     ("alexander", "aleksandr"), ("albert", "albirt"), ("elena", "ilina"), ("alia", "alia")],
)  # fmt: skip
def test_attached_article(token: str, expected: str) -> None:
    assert canonical_token(token) == expected


@pytest.mark.parametrize("token", ["#lf", "1st", "44", "", "x1"])
def test_non_alphabetic_tokens_unchanged(token: str) -> None:
    assert canonical_token(token) == token


@pytest.mark.parametrize(
    ("tokens", "merged"),
    [
        (["abd", "al", "rahman"], ["abdalrahman"]),
        (["abdul", "rahman"], ["abdalrahman"]),
        (["abdel", "rahman"], ["abdalrahman"]),
        (["abd", "ur", "rahman"], ["abdalrahman"]),
        (["abdulrahman"], ["abdalrahman"]),
        (["abderrahmane"], ["abdalrahman"]),
        (["abd", "el", "kader", "ali"], ["abdalqadir", "ali"]),
        (["abdelkader"], ["abdalqadir"]),
        (["abdul", "aziz", "bin", "abdullah"], ["abdalaziz", "bin", "abdallah"]),
        (["abdoulaye", "wade"], ["abdallah", "wade"]),
        (["abdul", "ahmed"], ["abdul", "ahmed"]),  # Ahmed is no divine name
        (["abd", "al"], ["abd", "al"]),  # incomplete
        (["abdi", "rashid"], ["abdalrashid"]),
        (["ahmed", "abdo"], ["ahmed", "abdo"]),
        # One slip in a divine name of six letters or more is still the unit.
        (["abdul", "hamiid", "abdul", "aziz"], ["abdalhamid", "abdalaziz"]),
        (["abdurranman"], ["abdalrahman"]),
        (["abd", "al", "rahmen"], ["abdalrahman"]),
        # Not in five letters ("basir" is a name of its own), nor a letter added at the end.
        (["abdul", "basir"], ["abdul", "basir"]),
        (["abdul", "hamidi"], ["abdul", "hamidi"]),
        (["abdel", "rahmani"], ["abdel", "rahmani"]),
    ],
)
def test_merge_units(tokens: list[str], merged: list[str]) -> None:
    assert merge_units(tokens) == merged


def test_joined_unit_rejects_non_units() -> None:
    assert joined_unit("abdullah") == "abdallah"
    assert joined_unit("abdo") is None
    assert joined_unit("abdication") is None
    assert canonical_token("abdalrahman") == "abdalrahman"


@pytest.mark.parametrize(
    "token",
    ["al", "el", "bin", "ibn", "abu", "abd", "muhammad", "mohammed", "mohd", "ahmed", "ali",
     "hassan", "abdul", "the", "of", "and", "#lf", "company", "group", "international",
     "trading", "abdalrahman", "abdallah"],
)  # fmt: skip
def test_common_tokens(token: str) -> None:
    assert is_common(token)


@pytest.mark.parametrize("token", ["qadhafi", "laden", "makhlouf", "shoigu", "rosneft", "houri"])
def test_rare_tokens_are_not_common(token: str) -> None:
    assert not is_common(token)


def test_families_are_disjoint_and_their_keys_do_not_clash() -> None:
    families = refdata.list_map("name_variants", "families")
    assert len(families) == 43
    members = Counter(m for family, spellings in families.items() for m in {family, *spellings})
    assert [m for m, n in members.items() if n > 1] == []
    owner: dict[str, str] = {}
    for family, spellings in families.items():
        for member in (family, *spellings):
            if member.isalpha() and len(member) > 2:
                assert owner.setdefault(fold_key(member), family) == family, member


def test_every_family_member_maps_to_its_family() -> None:
    for family, spellings in refdata.list_map("name_variants", "families").items():
        for member in spellings:
            assert canonical_token(member) == family, member


@pytest.mark.parametrize(
    ("tokens", "expected"),
    [
        (["abful", "rahman"], ["abdalrahman"]),  # a letter changed
        (["obdul", "manan"], ["abdalmannan"]),
        (["adbul", "haq"], ["abdalhaqq"]),  # two letters swapped
        (["abdulk", "salam"], ["abdalsalam"]),  # a letter added
        (["abu", "rahman"], ["abu", "rahman"]),  # Abu is a kunya, not a slipped Abd
        (["abful", "smith"], ["abful", "smith"]),  # only before a divine name
    ],
)
def test_slipped_abd_prefix_still_makes_one_unit(tokens: list[str], expected: list[str]) -> None:
    assert merge_units(tokens) == expected


@pytest.mark.parametrize(
    ("token", "unit"),
    [
        ("ubdurrahman", "abdalrahman"),  # a letter of "abd" changed
        ("ibdurrahman", "abdalrahman"),
        ("adbulrahman", "abdalrahman"),  # two letters swapped
        ("ebdullah", "abdallah"),
        ("aburrahman", None),  # "abu" starts a kunya
        ("ubdurrahmxn", None),  # a slip in "abd" and another in the divine name
        ("ebdallah", "abdallah"),
        ("obdalla", None),  # too short to read a slip in
    ],
)
def test_a_unit_written_as_one_word_with_a_slip_in_abd(token: str, unit: str | None) -> None:
    assert joined_unit(token) == unit
    assert merge_units([token, "omar"]) == [unit or token, "omar"]


def test_abd_units_are_also_indexed_as_an_initial_and_the_divine_name() -> None:
    assert abbreviated_unit_forms(["abdalrahman", "sindhi"]) == [["a", "rahman", "sindhi"]]
    assert abbreviated_unit_forms(["abdallah", "abdalqadir"]) == [
        ["abdallah", "a", "qadir"]  # Abd + Allah keeps its own form
    ]
    assert abbreviated_unit_forms(["omar", "sindhi"]) == []


LETTER_WORDS = st.text(st.sampled_from("aeiouyjhqcgktdzsnlrphwAEQH"), min_size=1, max_size=14)


def test_every_fold_rule_runs_in_polars() -> None:
    """A rule without a Polars form sends every column through fold_key, one token at a time
    (a rule added without one made blocking's fold step five times slower)."""
    assert _polars_steps() is not None


@settings(max_examples=200, deadline=None)
@given(st.lists(LETTER_WORDS, min_size=1, max_size=30))
def test_fold_keys_and_canonical_tokens_equal_the_one_token_forms(words: list[str]) -> None:
    """The column forms run the fold rules in Polars (lookarounds rewritten, repeated letters
    collapsed without a back-reference); every key and group id is the one-token one."""
    series = pl.Series(words, dtype=pl.Utf8)
    assert fold_keys(series).to_list() == [fold_key(word) for word in words]
    assert canonical_tokens(series).to_list() == [canonical_token(word) for word in words]


def test_canonical_tokens_of_every_kind_of_token() -> None:
    tokens = ["mohammed", "gaddafi", "alhouri", "elhouri", "albert", "abdulrahman", "abdullah",
              "#lf", "1990", "1st", "guegue", "cacao", "boutiquee", "mississippi", "hajj", "e",
              "mohammed", None]  # fmt: skip
    found = canonical_tokens(pl.Series(tokens, dtype=pl.Utf8)).to_list()
    assert found == [None if t is None else canonical_token(t) for t in tokens]
    assert found[0] == "muhammad" and found[2] == canonical_token("houri")
