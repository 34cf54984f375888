"""compare reads a query name written in another script in every romanisation, as the index
reads list names, and says which reading met the candidate."""

from __future__ import annotations

from screening.api import compare
from screening.readings import explained, with_readings


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
