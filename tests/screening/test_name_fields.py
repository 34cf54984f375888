"""A list's name field is also read without its brackets, with a one-word bracket as the word
before it, as the names it lists, and up to the first fact about a person; remarks are never
names. Checked on the real UN list: the name outside the brackets finds its entity."""

from __future__ import annotations

import polars as pl
import pytest

from screening.algorithms import DEFAULT
from screening.api import index_from_names
from screening.name_fields import MAX_FIELD_FORMS, field_forms, written_words
from screening.readings import party_readings
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
        # Several names, apart by ";" (outside brackets), a person's by "/" too.
        ("Mohammad Bakr Zolqadr; Mohammad Baqer Zolqadir", True,
         ["Mohammad Bakr Zolqadr", "Mohammad Baqer Zolqadir"]),
        ("Ahmad Santos/Ahmed Santos", True, ["Ahmad Santos", "Ahmed Santos"]),
        ("Bank Melli Iran; Melli Bank of Iran", False, ["Bank Melli Iran", "Melli Bank of Iran"]),
        ("JOUMAA MONEY LAUNDERING ORGANIZATION / DRUG TRAFFICKING ORGANIZATION", False, []),
        ("MEC Steel Mills (Hmaw Bi/Pyi/Ywama)", False, ["MEC Steel Mills"]),
        # A person up to the first fact about them; a form with a digit is never a name.
        ("Djamal Mostafa, date of birth 31.12.1979 in Mascara, Algeria", True, ["Djamal Mostafa"]),
        ("Abid Hammadou born 12 Dec. 1965 in Touggourt, Wilaya", True, ["Abid Hammadou"]),
        ("Safia Al-Hadad, born 1 Jan. 1953 (Oman passport no.03825239)", True, ["Safia Al-Hadad"]),
        ("11.4.1960, (ii) 11.4.1963. Place of birth: Egypt", True, []),
        # Plain names, and Korean names made of words that are remark words elsewhere.
        ("Pak Chol In", True, []),
        ("HUSSEIN, Saddam", True, []),
        ("John Smith", True, []),
        ("(ISIL)", False, []),
    ],
)
def test_field_forms(name: str, person: bool, forms: list[str]) -> None:
    assert field_forms(name, person) == forms


def test_a_hostile_field_adds_few_forms() -> None:
    assert len(field_forms("Jan Peeters " + "(An Janssens) " * 10_000, person=True)) <= (
        MAX_FIELD_FORMS
    )
    assert len(field_forms("; ".join(["Jan Peeters"] * 10_000), person=True)) <= MAX_FIELD_FORMS


def test_the_index_reads_name_fields() -> None:
    rows = pl.DataFrame({
        "entity_id": ["e1", "e2", "e3"], "list_id": "test", "schema": "Person",
        "name": ["Ihor (Igor) Venedyktovych PLOTNYTSKYY",
                 "Abdel Ilah Sabri (false identity related to passport number 434021161)",
                 "Djamal Mostafa, date of birth 31.12.1979 in Mascara, Algeria"],
        "kind": "primary",
    })
    small = Screener(index_from_names(rows))
    queries = pl.DataFrame({"name": ["Igor Venedyktovych Plotnytskyy", "Abdel Ilah Sabri",
                                     "Djamal Mostafa", "Igor"]})
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
    ).filter(pl.col("name").str.contains(r"[^\W\d_]{2}") & ~pl.col("name").str.contains(r"\d"))
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


@pytest.mark.parametrize(
    ("field", "schema", "read_as"),
    [
        ("Ayman al-Zawahiri (deceased)", None, "Ayman al-Zawahiri"),
        ("Ayman al-Zawahiri (a.k.a. Abu Muhammad)", "Person", "Ayman al-Zawahiri"),
        ("Ayman al-Zawahiri, born 1951", None, "Ayman al-Zawahiri"),
        ("Ayman al-Zawahiri; account holder", None, "Ayman al-Zawahiri"),
    ],
)
def test_a_party_field_is_read_as_a_list_field_is(
    screener: Screener, field: str, schema: str | None, read_as: str,  # noqa: F811
) -> None:
    """The query side reads a name field as the index reads a list's: the party is found by
    the name it holds, and the explanation says so."""
    hits = screener.screen(pl.DataFrame({"name": [field], "schema": [schema]},
                                        schema={"name": pl.Utf8, "schema": pl.Utf8}))
    assert hits.height > 0 and (hits["score"] >= 0.99).any()
    best = hits.sort("score", descending=True).row(0, named=True)
    assert best["query_name"] == field and f"(read as '{read_as}')" in best["explanation"]


def test_words_are_counted_as_written_in_every_script() -> None:
    # Devanagari vowel signs are no letters to a regex's word class: "पाण्डे" is one word.
    assert written_words("योङमी रजनी (पाण्डे)") == ["योङमी", "रजनी", "पाण्डे"]
    assert written_words("Jalil, Abdul") == ["jalil", "abdul"]
    readings = party_readings("योङमी रजनी (पाण्डे)", "Person")
    assert "पाण्डे" not in readings and "योङमी रजनी" in readings
    # A form of one word does not stand for the party.
    assert "मिना" not in party_readings("मिना (धेके)", None)


def test_an_organisations_brackets_are_kept_on_the_query_side() -> None:
    """A branch in brackets tells an organisation apart from the others of its name."""
    assert party_readings("AL-HARAMAYN (ALBANIA BRANCH)", "Organization") == ()
    assert party_readings("Al-Haramain Foundation (Komorurna)", None) == ()
