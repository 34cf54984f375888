"""A query name written in another script is read in every romanisation, as the index reads
list names, by compare, match and screen (both paths), and the explanation says which reading
met the list name."""

from __future__ import annotations

from functools import cache

import polars as pl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from benchmarks.pairs import anetac_pairs
from screening.api import compare, index_from_names
from screening.index import ScreeningIndex
from screening.readings import (
    allah_forms,
    explained,
    further_readings,
    reading_records,
    reading_rows,
    with_readings,
)
from screening.screener import Screener
from screening.transliterate import romanise


def test_latin_queries_are_left_alone() -> None:
    assert with_readings("John Smith") == ("John Smith", {})
    query = {"name": ["Jean Dupont"], "birthDate": "1970"}
    assert with_readings(query) == (query, {})


def test_further_romanisations_become_names() -> None:
    query, readings = with_readings("فيصل الشريف")
    assert query == {"name": ["فيصل الشريف", "faycal el cherif", "faysal alshrif"]}
    assert readings == {"faycal el cherif": "فيصل الشريف", "faysal alshrif": "فيصل الشريف"}


def test_dict_queries_keep_their_other_properties() -> None:
    ftm = {"schema": "Person", "properties": {"name": ["اليزا"], "birthDate": ["1970"]}}
    query, readings = with_readings(ftm)
    assert isinstance(query, dict)
    assert query["schema"] == "Person"
    assert query["properties"] == {"name": ["اليزا", "el yaza", "aliza"], "birthDate": ["1970"]}
    assert set(readings) == {"el yaza", "aliza"}
    flat, _ = with_readings({"name": "Васильев Александр", "country": "RU"})
    assert isinstance(flat, dict) and flat["country"] == "RU"
    assert flat["name"][0] == "Васильев Александр" and len(flat["name"]) > 1


def test_the_explanation_names_the_query_and_its_reading() -> None:
    text = "Query name 'aliza' compared with the primary name 'Aliza'."
    assert explained(text, {"aliza": "اليزا"}) == (
        "Query name 'اليزا' (read as 'aliza') compared with the primary name 'Aliza'."
    )
    assert explained(text, {"other": "اليزا"}) == text


def test_an_arabic_query_finds_the_latin_spelling() -> None:
    """ANETAC pairs: foreign names written in Arabic script, and the Latin candidate."""
    for arabic, latin in [("اليزا", "Aliza"), ("تريزا", "Trezza"), ("فيصل الشريف",
                                                                    "Faycal el Cherif")]:
        result = compare(arabic, latin)
        assert result.match, (arabic, result.score)
        assert result.explanation.startswith(f"Query name '{arabic}'")
    plain = compare("اليزا", "Aliza")
    assert "(read as 'aliza')" in plain.explanation and plain.score == 1.0


def test_both_directions_agree_on_a_cross_script_pair() -> None:
    for arabic, latin in [("اليزا", "Aliza"), ("كلاس", "Klass"), ("ديغو", "Diego")]:
        assert compare(arabic, latin).score == compare(latin, arabic).score


def test_reading_rows_add_one_row_per_further_reading() -> None:
    rows = pl.DataFrame({"row": [0, 1], "name": ["John Smith", "فيصل الشريف"],
                         "country": ["BE", "FR"]}, schema_overrides={"row": pl.UInt32})
    read = reading_rows(rows)
    assert read.select("row", "of_row", "name", "read_from", "country").rows() == [
        (0, 0, "John Smith", None, "BE"),
        (1, 1, "فيصل الشريف", None, "FR"),
        (2, 1, "faycal el cherif", "فيصل الشريف", "FR"),
        (3, 1, "faysal alshrif", "فيصل الشريف", "FR"),
    ]
    latin = reading_rows(rows.head(1))
    assert latin.height == 1 and latin["read_from"].to_list() == [None]


@cache
def _anetac(count: int) -> tuple[ScreeningIndex, pl.DataFrame]:
    """An index of ``count`` ANETAC English names, and their Arabic spellings as parties
    (``want``: the entity of the party's own English name)."""
    pairs = [p for p in anetac_pairs(count, seed=5)["anetac ar->en"] if p.positive]
    names = pl.DataFrame({
        "entity_id": [f"e{i}" for i in range(len(pairs))], "list_id": "anetac",
        "schema": [p.schema for p in pairs], "name": [str(p.candidate["name"]) for p in pairs],
        "kind": "primary",
    })
    parties = pl.DataFrame({
        "name": [str(p.query["name"]) for p in pairs], "schema": [p.schema for p in pairs],
        "want": names["entity_id"],
    })
    return index_from_names(names), parties


def _best_scores(hits: pl.DataFrame) -> dict[tuple[int, str], float]:
    return {(r, e): s for r, e, s in hits.select("row", "entity_id", "score").iter_rows()}


def test_screen_takes_the_best_reading_of_each_party() -> None:
    """A party's hits are those of the best of its readings, screened one by one (the name
    as written reads as its first romanisation)."""
    index, parties = _anetac(120)
    screener = Screener(index, fast=False)
    hits = screener.screen(parties, limit=None)
    readings = [(row, form) for row, name in enumerate(parties["name"]) for form in romanise(name)]
    one_by_one = screener.screen(
        pl.DataFrame({"name": [f for _, f in readings],
                      "schema": [parties["schema"][r] for r, _ in readings]}),
        limit=None,
    )
    best: dict[tuple[int, str], float] = {}
    for (reading, entity), score in _best_scores(one_by_one).items():
        key = (readings[reading][0], entity)
        best[key] = max(best.get(key, 0.0), score)
    assert _best_scores(hits) == pytest.approx(best)
    assert hits["query_name"].to_list() == [parties["name"][r] for r in hits["row"]]


def test_readings_find_more_of_the_latin_names() -> None:
    """Parties met only through a further reading: their own English name is found, and the
    explanation names the party as written and the reading."""
    index, parties = _anetac(120)
    hits = Screener(index, fast=False).screen(parties)
    own = hits.join(parties.with_row_index("row"), on="row").filter(
        pl.col("entity_id") == pl.col("want")
    )
    as_written = Screener(index, fast=False).screen(
        parties.with_columns(pl.col("name").map_elements(lambda n: romanise(n)[0],
                                                         return_dtype=pl.Utf8))
    ).join(parties.with_row_index("row"), on="row").filter(pl.col("entity_id") == pl.col("want"))
    assert own.height > as_written.height
    assert set(as_written["row"]) <= set(own["row"])
    read = own.filter(pl.col("explanation").str.contains(" (read as '", literal=True))
    assert read.height >= own.height - as_written.height > 0
    for name, text in read.select("name", "explanation").iter_rows():
        assert text.startswith(f"Query name '{name}' (read as '")


def test_both_paths_and_match_agree_on_readings() -> None:
    index, parties = _anetac(60)
    batch = Screener(index, fast=False).screen(parties)
    fast = Screener(index)
    records = [
        hit for row, party in enumerate(parties.select("name", "schema").to_dicts())
        for hit in [{**h, "row": row} for h in fast.screen_records([party])]
    ]
    columns = ["row", "entity_id", "query_name", "matched_name", "explanation"]
    assert sorted(tuple(h[c] for c in columns) for h in records) == sorted(
        batch.select(columns).rows()
    )
    assert [h["score"] for h in sorted(records, key=lambda h: (h["row"], h["entity_id"]))] == (
        pytest.approx(batch.sort("row", "entity_id")["score"].to_list())
    )
    for row, party in enumerate(parties.select("name", "schema").to_dicts()):
        found = fast.match(party["name"], schema=party["schema"], limit=50)
        expected = batch.filter(pl.col("row") == row)
        assert {h.entity_id: h.score for h in found} == pytest.approx(
            dict(expected.select("entity_id", "score").iter_rows())
        )
        assert {h.explanation for h in found} == set(expected["explanation"])


@pytest.mark.parametrize(
    ("name", "forms"),
    [
        ("Habib Allah Rashad", ["Habibullah Rashad"]),
        ("HABIBULLAH RESHAD", ["HABIB allah RESHAD"]),
        ("Najib-Ullah Haqqani", ["Najibullah Haqqani"]),
        ("Hizballah", ["Hizb allah"]),
        ("Abdullah Azzam", []),  # an Abd name: abd_units reads it
        ("Abu Allah", []),  # not after a particle
        ("Allah Dad Tayeb", []),  # a name that opens with Allah
        ("Mullah Omar", []),
        ("Callahan", []),
    ],
)
def test_allah_endings_are_read_joined_and_apart(name: str, forms: list[str]) -> None:
    assert allah_forms(name) == forms


def test_names_in_another_script_are_also_read_with_their_allah_names_joined() -> None:
    readings = further_readings("حبیب الله رشاد")
    assert "habibullah rashad" in readings and "habib allah rachad" in readings


@pytest.mark.parametrize(
    ("query", "listed"),
    [("Rashad, Habib Allah", "HABIBULLAH RESHAD"), ("Habibullah Reshad", "Habib Allah Rashad"),
     ("Hezbollah", "Hizb Allah"), ("حبیب الله رشاد", "HABIBULLAH RESHAD")],
)
def test_a_name_ending_in_allah_meets_its_other_spelling(query: str, listed: str) -> None:
    result = compare(query, listed)
    assert result.match, result.explanation
    assert " (read as '" in result.explanation


@pytest.mark.parametrize(
    ("query", "listed"),
    [("김정은", "KIM JONG UN"), ("최룡해", "Choe Ryong-hae"), ("장성택", "JANG Song-Taek"),
     ("יגאל עמיר", "Yigal Amir"), ("בנימין נתניהו", "Benjamin Netanyahu")],
)
def test_korean_and_hebrew_names_meet_the_lists_spelling(query: str, listed: str) -> None:
    assert compare(query, listed).match


def test_korean_names_written_apart_are_not_read_again() -> None:
    assert further_readings("김정은") == ("Kimjongun",)
    assert further_readings("정은 김") == ()


def test_a_name_ending_in_allah_still_meets_its_parts() -> None:
    """The list names keep their words: "Habib A. Rashad" is still "Habib Allah Rashad"."""
    assert compare("Habib A. Rashad", "Habib Allah Rashad").score > 0.9
    assert compare("Najib Haqqani", "Najib Allah Haqqani").match


_PIECES = ["Jan", "Peeters", "Saddam", "Hussein", "&", "en/of", "M.", "et", "Mme", "born", "Date",
           "12", "2000", "Kerkstraat", "Rue", ",", ";", "/", "(deceased)", "(Igor)", "Allah",
           "محمد", "Citizen", "(a.k.a. Abu Omar)"]


@settings(max_examples=300, deadline=None)
@given(
    words=st.lists(st.sampled_from(_PIECES), min_size=1, max_size=7),
    schema=st.sampled_from(["Person", "Organization", "Vessel"]),
)
def test_both_paths_read_a_party_alike(words: list[str], schema: str) -> None:
    """The batch path's cheap first test lets through every name the record path reads."""
    name = " ".join(words)
    rows = pl.DataFrame({"row": [0], "name": [name], "schema": [schema]},
                        schema_overrides={"row": pl.UInt32})
    batch = reading_rows(rows).filter(pl.col("row") > 0)["name"].to_list()
    records, _ = reading_records([{"row": 0, "name": name, "schema": schema}])
    assert batch == [r["name"] for r in records[1:]]
