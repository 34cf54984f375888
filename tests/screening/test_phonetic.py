"""Phonetic keys per unique token and the single blocking key."""

from __future__ import annotations

import jellyfish
import polars as pl
import pytest

from screening.phonetic import phonetic_key, phonetic_keys


def test_phonetic_keys_unique_tokens_and_null_codes() -> None:
    tokens = pl.Series(["qaddafi", "kadafi", "qaddafi", "44", "#lf", None, "1st", "smith"])
    frame = phonetic_keys(tokens)
    assert frame.columns == ["token", "metaphone", "nysiis", "soundex", "mrc"]
    assert frame.get_column("token").to_list() == ["qaddafi", "kadafi", "44", "#lf", "1st", "smith"]
    assert all(dtype == pl.Utf8 for dtype in frame.dtypes)
    no_sound = frame.filter(pl.col("token").is_in(["44", "#lf", "1st"]))
    assert no_sound.select(pl.all().exclude("token").is_null().all()).row(0) == (True,) * 4
    smith = frame.filter(pl.col("token") == "smith").row(0, named=True)
    assert smith == {
        "token": "smith",
        "metaphone": jellyfish.metaphone("smith"),
        "nysiis": jellyfish.nysiis("smith"),
        "soundex": "S530",
        "mrc": jellyfish.match_rating_codex("smith"),
    }


def test_phonetic_keys_empty_series() -> None:
    frame = phonetic_keys(pl.Series([], dtype=pl.Utf8))
    assert frame.height == 0
    assert frame.columns == ["token", "metaphone", "nysiis", "soundex", "mrc"]


@pytest.mark.parametrize(
    "family",
    [
        ["gaddafi", "qaddafi", "kadafi", "gadhafi", "qadhafi", "gheddafi", "khadafi"],
        ["muhammad", "mohammed", "mohamed", "md", "mohd", "mahomet"],
        ["hussein", "husayn", "hossein", "hussain"],
        ["osama", "usama", "oussama"],
        ["yusuf", "youssef", "yousef"],
        ["qasem", "kassem", "ghasem"],
        ["alhouri", "houri"],
    ],
)
def test_variant_families_share_one_blocking_key(family: list[str]) -> None:
    keys = {phonetic_key(token) for token in family}
    assert len(keys) == 1 and keys != {""}


def test_blocking_key_separates_distinct_names() -> None:
    assert phonetic_key("ivan") != phonetic_key("ivanov")
    assert phonetic_key("bush") != phonetic_key("habbash")
    assert phonetic_key("qaddafi") == jellyfish.metaphone("qadhafi")


@pytest.mark.parametrize("token", ["44", "#lf", "1st"])
def test_no_blocking_key_without_letters(token: str) -> None:
    assert phonetic_key(token) == ""
