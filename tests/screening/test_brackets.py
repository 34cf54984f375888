"""List names with brackets are also read without them, with a one-word bracket as the word
before it, and as the names a bracket lists; remarks are never names. Checked on the real UN
list: the name outside the brackets finds its entity."""

from __future__ import annotations

import polars as pl
import pytest

from screening.algorithms import DEFAULT
from screening.api import index_from_names
from screening.brackets import MAX_BRACKET_NAMES, bracket_forms
from screening.screener import Screener
from tests.screening.test_screener import screener, un_db  # noqa: F401 (fixtures)


@pytest.mark.parametrize(
    ("name", "person", "forms"),
    [
        ("AHMAD (AHMED) SANTOS", True, ["AHMAD SANTOS", "AHMED SANTOS"]),
        ("SANTOS, Ahmad (Ahmed)", True, ["SANTOS, Ahmad", "SANTOS, Ahmed"]),
        ("Encep Nurjaman (birth name)", True, ["Encep Nurjaman"]),
        ("Hilarion Santos, III (third)", True, ["Hilarion Santos, III"]),
        ("Qalamuddin, Maulavi (Head of Olympic Committee)", True, ["Qalamuddin, Maulavi"]),
        ("Abdel Ilah Sabri (false identity related to passport number 434021161)", True,
         ["Abdel Ilah Sabri"]),
        ("حاجى مالك نورزى (Hajji Malik Noorzai; Haji Malek Noorzai)", True,
         ["حاجى مالك نورزى", "Hajji Malik Noorzai", "Haji Malek Noorzai"]),
        ("Sayf-Al Adl. (Date of birth: 11.4.1963", True, ["Sayf-Al Adl."]),  # never closed
        # Organisations lose their brackets only: "(PAKISTAN)" names a branch, not the entity.
        ("AL-HARAMAIN FOUNDATION (PAKISTAN)", False, ["AL-HARAMAIN FOUNDATION"]),
        ("ISLAMIC STATE IN IRAQ AND THE LEVANT (ISIL)", False,
         ["ISLAMIC STATE IN IRAQ AND THE LEVANT"]),
        ("John Smith", True, []),
        ("(ISIL)", False, []),
    ],
)
def test_bracket_forms(name: str, person: bool, forms: list[str]) -> None:
    assert bracket_forms(name, person) == forms


def test_a_hostile_name_adds_few_forms() -> None:
    forms = bracket_forms("Jan Peeters " + "(An Janssens) " * 10_000, person=True)
    assert len(forms) <= 2 + MAX_BRACKET_NAMES


def test_the_index_reads_bracketed_names() -> None:
    rows = pl.DataFrame({
        "entity_id": ["e1", "e2", "e3"], "list_id": "test", "schema": "Person",
        "name": ["Ihor (Igor) Venedyktovych PLOTNYTSKYY",
                 "Abdel Ilah Sabri (false identity related to passport number 434021161)",
                 "Encep Nurjaman (birth name)"],
        "kind": "primary",
    })
    small = Screener(index_from_names(rows))
    queries = pl.DataFrame({"name": ["Igor Venedyktovych Plotnytskyy", "Abdel Ilah Sabri",
                                     "Encep Nurjaman", "Igor"]})
    hits = small.screen(queries)
    best = hits.sort("score", descending=True).unique("row", keep="first").sort("row")
    assert best.select("row", "entity_id").rows() == [(0, "e1"), (1, "e2"), (2, "e3")]
    assert (best["score"] >= 0.99).all()
    # The hit names the list entry as the list writes it.
    assert best["matched_name"][1].startswith("Abdel Ilah Sabri (false identity")


def test_the_un_names_outside_their_brackets_find_their_entity(
    screener: Screener,  # noqa: F811
) -> None:
    names = screener.index.names.filter(pl.col("name").str.contains("(", literal=True))
    names = names.unique(["name", "entity_id"]).select("name", "schema", "entity_id", "weak")
    assert names.height >= 100  # the UN list writes acronyms and other scripts in brackets
    queries = names.with_columns(
        pl.col("name").str.replace_all(r"\([^()]*(?:\)|$)", " ").str.strip_chars(" ,;-")
    ).filter(pl.col("name").str.contains(r"[^\W\d_]{2}"))
    hits = screener.screen(queries.select("name", "schema"), limit=None)
    found = hits.join(
        queries.with_row_index("row").select("row", pl.col("entity_id").alias("want")),
        on="row",
    ).filter(pl.col("entity_id") == pl.col("want"))
    missed = queries.with_row_index("row").join(found.select("row"), on="row", how="anti")
    assert missed.height == 0, missed.head(10)
    # As well as the name itself: weak aliases count 0.92 (DEFAULT.weak_alias_factor).
    best = found.group_by("row").agg(pl.col("score").max()).join(
        queries.with_row_index("row").select("row", "weak"), on="row"
    )
    full = pl.when(pl.col("weak")).then(DEFAULT.weak_alias_factor).otherwise(1.0)
    assert best.filter(pl.col("score") < full - 1e-6).height == 0
