"""The party type guessed for names that come without one."""

from __future__ import annotations

import polars as pl

from screening.inputs.schema import has_legal_form, inferred_schema


def test_a_legal_form_makes_an_unknown_party_an_organisation() -> None:
    names = pl.Series("name", ["PERSIA INTL BANK PLC", "Omar Hussain", "ALPHA LLC", None, "Bo SA"])
    schemas = pl.Series("schema", [None, None, "Person", None, None], dtype=pl.Utf8)
    assert inferred_schema(names, schemas).to_list() == [
        "Organization", None, "Person", None, "Organization"]
    assert has_legal_form(pl.Series(["Ayman al Zawahiri", "GAZPROM OAO"])).to_list() == [
        False, True]
    known = pl.Series("schema", ["Person"] * 5)
    assert inferred_schema(names, known).to_list() == ["Person"] * 5
