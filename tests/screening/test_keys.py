"""Blocking keys of tokens: one- and two-edit keys, the same from both builders."""

from __future__ import annotations

import polars as pl
import pytest

from screening.keys import WIDE_PREFIXES, token_keys, token_table

TOKENS = [
    "tadicx", "radic", "ic", "ice", "al", "mohammed", "muhammad", "#lf", "2559", "yvb2559", "a",
    "abdalhamid", "hamiid", "zufar", "zubair", "abcd", "aeis", "tekhnopromeksport", "iob", "soe",
]


def test_token_table_gives_token_keys_in_order() -> None:
    table = token_table(pl.Series(TOKENS))
    assert table["token"].to_list() == TOKENS
    for token, keys in zip(table["token"], table["keys"], strict=True):
        assert list(keys) == token_keys(token)


@pytest.mark.parametrize(
    ("left", "right"),
    [("tadicx", "radic"), ("zubair", "zufar"), ("rahkar", "rahat"), ("doris", "dorita")],
)
def test_two_edits_share_a_two_edit_key(left: str, right: str) -> None:
    shared = set(token_keys(left)) & set(token_keys(right))
    assert any(k.startswith("e:") for k in shared)
    assert all(k.startswith(WIDE_PREFIXES) for k in shared)


@pytest.mark.parametrize(
    ("left", "right"),
    [("bahar", "bahaziq"), ("hesong", "chilsong"), ("salem", "mossalem")],
)
def test_a_long_shared_start_or_end_is_a_wide_key(left: str, right: str) -> None:
    shared = set(token_keys(left)) & set(token_keys(right))
    assert shared
    assert all(k.startswith(("f:", "s:")) for k in shared)


def test_affix_keys_need_five_letters() -> None:
    assert [k for k in token_keys("salem") if k[:2] in ("f:", "s:")] == ["f:sale", "s:alem"]
    assert not [k for k in token_keys("alem") if k[:2] in ("f:", "s:")]


def test_two_edit_keys_keep_four_letters() -> None:
    keys = [k for k in token_keys("zufar") if k.startswith("e:")]
    assert keys == ["e:ufar", "e:zfar", "e:zuar", "e:zufr", "e:zufa", "e:zufar"]
    assert [k for k in token_keys("abcd") if k.startswith("e:")] == ["e:abcd"]
    assert not [k for k in token_keys("abc") if k.startswith("e:")]
    assert all(len(k) >= 6 for t in TOKENS for k in token_keys(t) if k.startswith("e:"))


@pytest.mark.parametrize(
    ("longer", "shorter"), [("rahkar", "raka"), ("medicales", "medical")]
)
def test_a_word_two_letters_longer_meets_the_word_whole(longer: str, shorter: str) -> None:
    """Two letters deleted from one word leave the other whole (real pairs: the query
    'Rahkar Compaany' and the listed 'RAKA', which the scorer finds 0.79 alike)."""
    assert f"e:{shorter}" in token_keys(longer)
    assert f"e:{shorter}" in token_keys(shorter)


def test_a_two_letter_word_meets_the_three_letter_words_it_starts() -> None:
    assert "d:ic" in token_keys("ic")
    assert "d:ic" in token_keys("ice")
    assert not [k for k in token_keys("a") if k.startswith(("d:", "e:"))]


def test_class_tokens_have_no_keys_and_numbers_only_their_own() -> None:
    assert token_keys("#lf") == []
    assert token_keys("2559") == ["c:2559"]


def test_token_table_keeps_the_first_of_repeated_keys() -> None:
    """Double letters and variant groups repeat keys; each key is kept once, where
    token_keys first has it."""
    tokens = ["anna", "aa", "aab", "mohammed", "abba", "mississippi", "zz", "ab", "alhouri", "1"]
    table = token_table(pl.Series(tokens))
    for token, keys in zip(table["token"], table["keys"], strict=True):
        assert list(keys) == token_keys(token)
        assert len(set(keys)) == len(keys)
    assert token_table(pl.Series([], dtype=pl.Utf8)).height == 0


def test_one_letter_changed_in_three_shares_a_substitution_key() -> None:
    assert set(token_keys("iob")) & set(token_keys("itb")) >= {"w:i?b"}
    assert [k for k in token_keys("soe") if k.startswith("w:")] == ["w:?oe", "w:s?e", "w:so?"]
    assert not [k for k in token_keys("sone") if k.startswith("w:")]
