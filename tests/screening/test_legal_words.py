"""Legal-form words met outside a recognised legal form."""

from __future__ import annotations

import polars as pl

from screening.legal_words import (
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
