"""Every variation category: deterministic, applies only where it should, category properties."""

from __future__ import annotations

import random
import unicodedata

import polars as pl
import pytest

from benchmarks import variations as v
from benchmarks.common import script_of

PERSON_NAMES = (
    "Bashar Hafez AL-ASSAD",
    "MOHAMMED bin Abdul QASIM",
    "Schrödinger Müller",
    "AZIZI, Amir Ali",
    "Philippe Jacques Moussaoui",
)
ORG_NAMES = (
    "International Trading Company LLC",
    "AL-QAIDA IN THE ARABIAN PENINSULA (AQAP) ORGANIZATION",
    "Eastern Shipping Group",
)


def _apply(func: v.VariationFn, name: str, schema: str, seed: int = 7) -> str | None:
    return func(name, random.Random(seed), schema)


@pytest.mark.parametrize("category", sorted(v.NAME_VARIATIONS))
def test_every_category_is_deterministic_non_empty_and_changes_the_name(category: str) -> None:
    func = v.NAME_VARIATIONS[category]
    applied = 0
    for schema, names in (("Person", PERSON_NAMES), ("Organization", ORG_NAMES)):
        for name in names:
            first = _apply(func, name, schema)
            assert first == _apply(func, name, schema)
            if first is None:
                continue
            applied += 1
            assert first.strip()
            assert first != name
    # the sample names were chosen so that every category applies to at least one of them,
    # except diacritics_lost/truncation which need specific names (tested below)
    assert applied >= 1


def test_seed_changes_the_choice() -> None:
    outputs = {_apply(v.typo_substitution, "Bashar Hafez AL-ASSAD", "Person", s) for s in range(20)}
    assert len(outputs) > 5


def _one_char_diff(a: str, b: str) -> int:
    return sum(1 for x, y in zip(a, b, strict=True) if x != y)


def test_typos_change_length_by_one_and_keep_case() -> None:
    name = "BASHAR AL-ASSAD"
    for seed in range(30):
        inserted = _apply(v.typo_insertion, name, "Person", seed)
        deleted = _apply(v.typo_deletion, name, "Person", seed)
        substituted = _apply(v.typo_substitution, name, "Person", seed)
        assert inserted is not None and len(inserted) == len(name) + 1 and inserted.isupper()
        assert deleted is not None and len(deleted) == len(name) - 1
        assert substituted is not None and _one_char_diff(substituted, name) == 1


def test_typos_do_not_apply_to_non_latin_names() -> None:
    assert _apply(v.typo_insertion, "محمد علي", "Person") is None
    assert _apply(v.typo_substitution, "Гусейнов Ильяс", "Person") is None


def test_transposition_swaps_two_adjacent_letters() -> None:
    out = _apply(v.transposition, "Biden", "Person")
    assert out is not None and sorted(out) == sorted("Biden") and _one_char_diff(out, "Biden") == 2


def test_repetition_and_double_to_single() -> None:
    assert _apply(v.double_to_single, "Picasso", "Person") == "Picaso"
    assert _apply(v.double_to_single, "Pablo", "Person") is None
    repeated = _apply(v.char_repetition, "Kim", "Person")
    assert repeated in {"KKim", "Kiim", "Kimm"}


def test_vowel_replacement_swaps_one_vowel_for_another() -> None:
    out = _apply(v.vowel_replacement, "Pablo", "Person")
    assert out is not None and len(out) == 5 and _one_char_diff(out, "Pablo") == 1
    assert _apply(v.vowel_replacement, "Brr", "Person") is None


def test_phonetic_replacement_uses_the_table() -> None:
    assert _apply(v.phonetic_replacement, "Philip", "Person") in {
        "Filip", "Phylip", "Philyp", "Pheelip", "Phileep",
    }  # fmt: skip
    assert _apply(v.phonetic_replacement, "1234", "Person") is None


@pytest.mark.parametrize("seed", range(10))
def test_homoglyph_swaps_exactly_one_character_for_a_digit(seed: int) -> None:
    name = "Igor Sechin"
    out = _apply(v.homoglyph, name, "Person", seed)
    assert out is not None and len(out) == len(name)
    diffs = [(a, b) for a, b in zip(name, out, strict=True) if a != b]
    assert len(diffs) == 1 and diffs[0][1] in "01235"
    assert _apply(v.homoglyph, "Kym Byrd", "Person") is None


def test_diacritics_lost_and_added() -> None:
    assert _apply(v.diacritics_lost, "Schrödinger Simonyán", "Person") == "Schrodinger Simonyan"
    assert _apply(v.diacritics_lost, "Plain Name", "Person") is None
    added = _apply(v.diacritics_added, "Pablo", "Person")
    assert added is not None and not added.isascii() and v.strip_diacritics(added) == "Pablo"


def test_punctuation_and_nbsp() -> None:
    out = _apply(v.punctuation, "Margarita Simonyan", "Person")
    assert out in {"Margarita-Simonyan", "M'argarita Simonyan", "Margarita S'imonyan"}
    assert _apply(v.punctuation, "Cho'n Il", "Person", 1) is not None
    spaced = _apply(v.nbsp, "Joe Biden", "Person")
    assert spaced == "Joe\u00a0Biden"
    assert _apply(v.nbsp, "Madonna", "Person") is None


def test_word_reorder_keeps_the_tokens() -> None:
    out = _apply(v.word_reorder, "Mohammed bin Salman", "Person")
    assert out is not None and out != "Mohammed bin Salman"
    assert sorted(out.split()) == ["Mohammed", "Salman", "bin"]
    assert _apply(v.word_reorder, "Madonna", "Person") is None


def test_comma_inversion_both_ways_and_persons_only() -> None:
    assert _apply(v.comma_inversion, "Joe Biden", "Person") == "Biden, Joe"
    assert _apply(v.comma_inversion, "AZIZI, Amir Ali", "Person") == "Amir Ali AZIZI"
    assert _apply(v.comma_inversion, "Acme Trading", "Organization") is None


def test_joined_and_split_words() -> None:
    assert _apply(v.joined_words, "Alisher Usmanov", "Person") == "AlisherUsmanov"
    split = _apply(v.split_word, "Patrushev", "Person")
    assert split is not None and split.replace(" ", "") == "Patrushev" and split.count(" ") == 1
    assert all(len(part) >= 3 for part in split.split())
    assert _apply(v.split_word, "Al Ali", "Person") is None


def test_dropped_token_only_for_three_tokens_or_more() -> None:
    assert _apply(v.dropped_token, "Bashar Hafez AL-ASSAD", "Person") == "Bashar AL-ASSAD"
    assert _apply(v.dropped_token, "Bashar AL-ASSAD", "Person") is None


def test_extra_token_adds_one_token() -> None:
    for seed in range(10):
        out = _apply(v.extra_token, "Sergey Shoigu", "Person", seed)
        assert out is not None and len(out.split()) == 3
    org = _apply(v.extra_token, "Acme Trading", "Organization")
    assert org in {"Acme Acme Trading", "Acme Trading Trading"}


def test_initials() -> None:
    assert _apply(v.initials, "Ali Khamenei", "Person") == "A. Khamenei"
    assert _apply(v.initials, "JUNCKER, Jean-Claude", "Person") == "JUNCKER, J."
    assert _apply(v.initials, "Khamenei", "Person") is None
    assert _apply(v.initials, "Acme Trading", "Organization") is None


def test_title_added_persons_only() -> None:
    out = _apply(v.title_added, "Rami Makhlouf", "Person")
    assert out is not None and out.endswith(" Rami Makhlouf") and len(out.split()) == 3
    assert _apply(v.title_added, "Acme Trading", "Organization") is None


def test_legal_form_added_removed_or_swapped_for_organisations() -> None:
    assert _apply(v.legal_form, "Nicolas Maduro", "Person") is None
    added = _apply(v.legal_form, "Acme Trading", "Organization")
    assert added is not None and added.startswith("Acme Trading ") and len(added.split()) == 3
    outputs = {_apply(v.legal_form, "Acme Trading LLC", "Organization", s) for s in range(20)}
    assert "Acme Trading" in outputs
    assert any(o and o.startswith("Acme Trading ") and not o.endswith("LLC") for o in outputs)


def test_abbreviation() -> None:
    assert _apply(v.abbreviation, "Global Technology Group", "Organization") in {
        "Global Tech Group",
        "Global Technology Grp",
    }
    assert _apply(v.abbreviation, "Internationalist", "Organization") is None


def test_transliteration_arabic_origin_spellings() -> None:
    outs = {_apply(v.transliteration, "Mohammed bin Abdul Rahman", "Person", s) for s in range(40)}
    assert "Muhammad bin Abdul Rahman" in outs or "Mohamed bin Abdul Rahman" in outs
    assert "Mohammed ibn Abdul Rahman" in outs
    assert None not in outs


def test_transliteration_romanises_cyrillic_two_ways() -> None:
    assert v.romanise_cyrillic("Юрий Щукин", 0) == "Iurii Shchukin"
    assert v.romanise_cyrillic("Юрий Щукин", 1) == "Yuriy Shchukin"
    outs = {_apply(v.transliteration, "Юрий Щукин", "Person", s) for s in range(10)}
    assert outs == {"Iurii Shchukin", "Yuriy Shchukin"}
    assert all(script_of(o or "") == "Latin" for o in outs)


def test_truncation_to_35() -> None:
    long = "AL-QAIDA IN THE ARABIAN PENINSULA (AQAP) ORGANIZATION"
    out = _apply(v.truncation, long, "Organization")
    assert out is not None and len(out) <= 35 and long.startswith(out)
    assert _apply(v.truncation, "Short Name", "Organization") is None


def test_dob_perturbations() -> None:
    rng = random.Random(1)
    assert v.dob_year_shift("1971-05-03", rng) in {"1970-05-03", "1972-05-03"}
    assert v.dob_year_shift("1972-02-29", rng) in {"1971-02-28", "1973-02-28"}
    assert v.dob_year_only("1971-05-03", rng) == "1971"
    assert v.dob_day_month_swap("1971-05-03", rng) == "1971-03-05"
    assert v.dob_day_month_swap("1971-05-23", rng) is None
    assert v.dob_day_month_swap("1971-05-05", rng) is None
    assert v.dob_absent("1971-05-03", rng) == ""
    for func in v.DOB_VARIATIONS.values():
        assert func("1971", rng) is None


def test_script_detection() -> None:
    assert script_of("Bashar AL-ASSAD") == "Latin"
    assert script_of("محمد علي") == "Arabic"
    assert script_of("Гусейнов Ильяс") == "Cyrillic"
    assert script_of("金正恩") == "other"
    assert unicodedata.is_normalized("NFC", v.strip_diacritics("Müller"))


def _names() -> pl.DataFrame:
    rows = [
        ("1", "un_sc", "Person", "Bashar Hafez AL-ASSAD", "primary", "1965-09-21", "SY"),
        ("1", "un_sc", "Person", "Bashar al Assad", "alias", "1965-09-21", "SY"),
        ("2", "un_sc", "Organization", "International Trading Company LLC", "primary", None, None),
        ("3", "gb_hmt", "Person", "Юрий Щукин", "original_script", "1960-01-02", "RU"),
        ("3", "gb_hmt", "Person", "Yuri Shchukin", "primary", "1960-01-02", "RU"),
        ("4", "gb_hmt", "Person", "Mohammed Omar Abdul Rahman", "primary", "1970-03-04", None),
    ]
    return pl.DataFrame(
        rows,
        schema=["entity_id", "list_id", "schema", "name", "kind", "birth_date", "nationality"],
        orient="row",
    )


def test_generate_name_queries_is_seeded_and_records_the_source() -> None:
    first = v.generate_name_queries(_names(), 2, seed=5)
    again = v.generate_name_queries(_names(), 2, seed=5)
    assert first.equals(again)
    assert not first.equals(v.generate_name_queries(_names(), 2, seed=6))
    counts = dict(first.group_by("category").len().iter_rows())
    assert max(counts.values()) <= 2
    assert counts["typo_insertion"] == 2 and counts["legal_form"] == 1
    assert set(first.columns) == set(v.QUERY_SCHEMA)
    # original-script names only feed transliteration
    translit = first.filter(pl.col("category") == "transliteration")
    other = first.filter(pl.col("category") != "transliteration")
    assert "Юрий Щукин" not in other["original_name"].to_list()
    assert translit.height == 2
    assert (first["name"] != first["original_name"]).all()


def test_generate_dob_queries_keep_the_exact_name() -> None:
    queries = v.generate_dob_queries(_names(), 5, seed=1)
    counts = dict(queries.group_by("category").len().iter_rows())
    # three persons with a full date; day/month swap applies to 1960-01-02 and 1970-03-04 only
    assert counts == {
        "dob_year_shift": 3, "dob_year_only": 3, "dob_day_month_swap": 2, "dob_absent": 3,
    }  # fmt: skip
    assert (queries["name"] == queries["original_name"]).all()
    absent = queries.filter(pl.col("category") == "dob_absent")
    assert absent["birth_date"].null_count() == 3
