"""Legal-form words met outside a recognised legal form."""

from __future__ import annotations

import polars as pl

from screening.api import compare, index_from_names
from screening.legal_words import (
    form_slips_in,
    is_form_slip,
    is_legal_form_word,
    is_short_form_slip,
    legal_form_words_in,
    stray_short_forms,
)


def test_long_legal_form_words_and_their_slips_are_found() -> None:
    found = set(legal_form_words_in(pl.Series(["compny", "obshchestvo", "ivanova", "limted"])))
    assert found == {"compny", "obshchestvo", "limted"}
    assert is_legal_form_word("corporatio") and not is_legal_form_word("corp")


def test_short_forms_that_are_also_names_keep_their_weight() -> None:
    forms = set(stray_short_forms())
    assert {"joint", "stock", "gmbh", "pjsc"} <= forms
    assert not {"prat", "open", "pat", "sal"} & forms  # "Jordi Prat", "Pat Smith"


def test_short_form_slips_are_one_edit_from_a_short_form() -> None:
    assert is_short_form_slip("djsc") and is_short_form_slip("zzao")
    assert is_short_form_slip("joiint") and not is_short_form_slip("ivan")
    assert not is_short_form_slip("ab")  # too short to tell


def test_a_slip_of_a_legal_form_word_weighs_nothing_only_in_an_organisations_name() -> None:
    """"Hartung" is one slip from "haftung": in a person's name it is a surname that must
    count, in a company's name a misspelt legal form that must not."""
    assert is_legal_form_word("hartung")
    assert compare("Olga Hartung", "OLGA").score < 0.7  # the surname is not found
    assert compare("Olga Hartung", "Olga HARTUNG").score == 1.0
    assert compare("ACME TRADING COMPNY", "ACME TRADING", schema="Organization").match


def test_a_listed_persons_name_one_slip_from_a_legal_form_keeps_its_weight() -> None:
    frame = pl.DataFrame(
        {"entity_id": ["p1", "c1"], "list_id": ["l", "l"], "schema": ["Person", "Organization"],
         "name": ["Hans HARTUNG", "NORDIC GROUP LIMTED"], "kind": ["primary", "primary"]}
    )
    weights = dict(index_from_names(frame).token_info.select("token", "weight").iter_rows())
    assert weights["hartung"] > 0.3
    assert weights["limted"] == 0.0


def test_the_batch_test_of_form_slips_agrees_with_the_one_word_test() -> None:
    words = ["djsc", "zzao", "joiint", "compny", "limted", "obshchestvo", "hartung", "ivan",
             "ivanova", "ab", "corp", "corporatio", "gmbh", "acme", "trading"]
    found = set(form_slips_in(pl.Series([*words, "compny"])))
    assert found == {word for word in words if is_form_slip(word)}
    assert {"djsc", "compny", "hartung"} <= found and not {"ivan", "acme"} & found
    assert form_slips_in(pl.Series([], dtype=pl.Utf8)).len() == 0
    # Tested words are remembered: asked again, alone or with new ones, the answers hold.
    again = form_slips_in(pl.Series(["compny", "ivan", "zzao", "limitd", "acme"]))
    assert set(again) == {"compny", "zzao", "limitd"}
