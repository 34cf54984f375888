"""Name normalisation: one case table per DOMAIN.md 2.1 category, and the vectorised form."""

from __future__ import annotations

import csv
import re
from pathlib import Path

import polars as pl
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from screening import refdata
from screening.normalise import name_tokens, name_variants, raw_pieces, tokenise_names
from screening.variants import canonical_token

TOKEN = re.compile(r"[a-z0-9]+|#lf")

CASES: dict[str, list[tuple[str, str, list[str]]]] = {
    "titles": [
        ("Mr. Rami Makhlouf", "Person", ["rami", "makhlouf"]),
        ("Dr Rami Makhlouf", "Person", ["rami", "makhlouf"]),
        ("President Erdoğan", "Person", ["erdogan"]),
        ("Sheikh Ahmed Yassin", "Person", ["ahmed", "yassin"]),
        ("Mullah Mohammad Omar", "Person", ["mohammad", "omar"]),
        ("His Excellency General Ali", "Person", ["ali"]),
        ("Sayed Ahmad", "Person", ["sayed", "ahmad"]),  # Sayed is also a name: kept
        ("Ahmed Sheikh Mohamed", "Person", ["ahmed", "sheikh", "mohamed"]),  # leading only
        ("Sheikh", "Person", ["sheikh"]),  # a title alone stays
        ("General Trading", "Organization", ["general", "trading"]),  # no titles for companies
    ],
    "legal_forms": [
        ("LLC", "Organization", ["#lf"]),
        ("A-B-C Company", "Organization", ["a", "b", "c", "#lf"]),
        ("Rosneft Oil Company PJSC", "Organization", ["rosneft", "oil", "#lf"]),
        ("Samsung Co. Ltd.", "Organization", ["samsung", "#lf"]),
        ("Banco X S.A. de C.V.", "Organization", ["banco", "x", "#lf"]),
        ("OOO Romashka", "Organization", ["#lf", "romashka"]),
        ("ООО Ромашка", "Organization", ["#lf", "romashka"]),
        ("AO Almaz", "Organization", ["#lf", "almaz"]),
        ("As-Sahab Media", "Organization", ["as", "sahab", "media"]),  # "as" only trailing
        ("Nordic AS", "Organization", ["nordic", "#lf"]),
        ("Delta Shipping GmbH & Co. KG", "Organization", ["delta", "shipping", "#lf"]),
        ("Nicolás Maduro SA", "Person", ["nicolas", "maduro", "#lf"]),
        ("Nicolás Maduro LLC", "Person", ["nicolas", "maduro", "#lf"]),
        ("Wei Ao", "Person", ["wei", "ao"]),  # short ambiguous form on a short person name
        ("Vessel Co", "Vessel", ["vessel", "#lf"]),
    ],
    "abbreviations": [
        ("ABC Comp", "Organization", ["abc", "#lf"]),
        ("ABC Grp", "Organization", ["abc", "group"]),
        ("Gulf Srvces Intl", "Organization", ["gulf", "services", "international"]),
        ("Gulf Svcs Tech Mfg", "Organization", ["gulf", "services", "technology", "manufacturing"]),
        ("Smith Bros & Sons", "Organization", ["smith", "brothers", "and", "sons"]),
        ("Natl Assn Dept", "Organization", ["national", "association", "department"]),
        ("Ind Tech", "Person", ["ind", "tech"]),  # organisation words only
    ],
    "punctuation_nbsp": [
        ("Margarita-Simonyan", "Person", ["margarita", "simonyan"]),
        ("Margarita\u00a0Simonyan", "Person", ["margarita", "simonyan"]),
        ("Margarita\u2009Simonyan", "Person", ["margarita", "simonyan"]),
        ("Margarita\u3000Simonyan", "Person", ["margarita", "simonyan"]),
        ("Cho'n", "Person", ["chon"]),
        ("Cho\u2019n", "Person", ["chon"]),
        ("O'Neill", "Person", ["oneill"]),
        ("J.-C. Juncker", "Person", ["j", "c", "juncker"]),
        ("  al_Qaida\t(AQ) ", "Organization", ["al", "qaida", "aq"]),
    ],
    "diacritics": [
        ("Schrödinger", "Person", ["schrodinger"]),
        ("Simonyán", "Person", ["simonyan"]),
        ("Straße", "Person", ["strasse"]),
        ("Søren Kierkegård", "Person", ["soren", "kierkegard"]),
        ("Łukasz Żółć", "Person", ["lukasz", "zolc"]),
        ("Ærø Œuvre", "Person", ["aero", "oeuvre"]),
        ("Jose\u0301", "Person", ["jose"]),  # decomposed accent
    ],
    "homoglyphs": [
        ("Ig0r Sech1n", "Person", ["igor", "sechin"]),
        ("0liver", "Person", ["oliver"]),
        ("A1i", "Person", ["ali"]),
        ("IGОR", "Person", ["igor"]),  # Cyrillic О
        ("Рutin", "Person", ["putin"]),  # Cyrillic Р
        ("Ⅿaria", "Person", ["maria"]),  # Roman numeral M (NFKC)
        ("Ｍａｒｉａ", "Person", ["maria"]),  # full-width
    ],
    "numbers_kept": [
        ("1st International Bank", "Organization", ["1st", "international", "bank"]),
        ("Brigade 44", "Organization", ["brigade", "44"]),
        ("3%ers", "Organization", ["3", "ers"]),
        ("11420 CORP.", "Organization", ["11420", "#lf"]),
        ("Connemara 1 Farm", "Organization", ["connemara", "1", "farm"]),
        ("Unit 8200", "Organization", ["unit", "8200"]),
        ("B52 Mi6 Covid19", "Organization", ["b52", "mi6", "covid19"]),
        ("٣ سبتمبر", "Organization", ["3", "sabtmbr"]),
    ],
    "comma_inversion": [
        ("Biden, Joe", "Person", ["joe", "biden"]),
        ("MAKHLOUF, Dr Rami", "Person", ["rami", "makhlouf"]),
        ("AL-ASSAD, Bashar", "Person", ["bashar", "al", "assad"]),
        ("Smith, Jr.", "Person", ["smith", "jr"]),
        ("Acme, Inc.", "Organization", ["acme", "#lf"]),
        ("Biden, Joe, Jr", "Person", ["biden", "joe", "jr"]),  # two commas: no inversion
    ],
    "joined_words": [
        ("AlisherUsmanov", "Person", ["alisher", "usmanov"]),
        ("AlisherBurkhanovichUsmanov", "Person", ["alisher", "burkhanovich", "usmanov"]),
        ("McDonald", "Person", ["mcdonald"]),
        ("MacArthur", "Person", ["macarthur"]),
        ("ЮлияЩеглова", "Person", ["iuliia", "shcheglova"]),
        ("Nikolai Patr ushev", "Person", ["nikolai", "patr", "ushev"]),
    ],
    "spelling": [
        ("ORGANISATION", "Organization", ["organization"]),
        ("Centre for Defence", "Organization", ["center", "for", "defense"]),
        ("Mobilisation Front", "Organization", ["mobilization", "front"]),
    ],
    "scripts": [
        ("Юлия Щеглова", "Person", ["iuliia", "shcheglova"]),
        ("Сергей Шойгу", "Person", ["sergei", "shoigu"]),
        ("محمد", "Person", ["muhammad"]),
        ("عبد الرحمن", "Person", ["abdalrahman"]),
        ("Νίκος Αναστασιάδης", "Person", ["nikos", "anastasiadis"]),
        ("习近平", "Person", ["xi", "jinping"]),
        ("김정은", "Person", ["gim", "jeongeun"]),
    ],
    "theophoric": [
        ("Abd al-Rahman", "Person", ["abdalrahman"]),
        ("Abdul Rahman", "Person", ["abdalrahman"]),
        ("Abdel Rahman", "Person", ["abdalrahman"]),
        ("Abd-ur-Rahman", "Person", ["abdalrahman"]),
        ("Abderrahmane", "Person", ["abdalrahman"]),
        ("Abdulrahman", "Person", ["abdalrahman"]),
        ("Abdel Kader", "Person", ["abdalqadir"]),
        ("Abdullah", "Person", ["abdallah"]),
        ("Abdul Ahmed", "Person", ["abdul", "ahmed"]),
    ],
}

ALL_CASES = [
    pytest.param(text, schema, expected, id=f"{category}:{text}")
    for category, rows in CASES.items()
    for text, schema, expected in rows
]


@pytest.mark.parametrize(("text", "schema", "expected"), ALL_CASES)
def test_name_tokens_cases(text: str, schema: str, expected: list[str]) -> None:
    assert name_tokens(text, schema) == expected


@pytest.mark.parametrize(("text", "schema", "expected"), ALL_CASES)
def test_tokenise_names_agrees_on_cases(text: str, schema: str, expected: list[str]) -> None:
    assert tokenise_names(pl.Series([text]), schema).to_list() == [expected]


def test_bin_laden_arabic_and_latin_share_canonical_tokens() -> None:
    arabic = [canonical_token(t) for t in name_tokens("أسامة بن لادن")]
    latin = [canonical_token(t) for t in name_tokens("Usama bin Laden")]
    assert arabic == latin == ["usama", "bin", "ladin"]


def test_name_variants_cyrillic_schemes() -> None:
    variants = name_variants("Юлия Щеглова")
    assert variants[0] == name_tokens("Юлия Щеглова") == ["iuliia", "shcheglova"]
    assert ["yuliya", "shcheglova"] in variants
    assert ["julija", "sceglova"] in variants
    assert ["iouliia", "chtcheglova"] in variants
    assert len(variants) == len({tuple(v) for v in variants}) == 4


def test_name_variants_sergei_and_arabic() -> None:
    assert name_variants("Сергей") == [["sergei"], ["sergey"], ["sergej"], ["serguei"]]
    assert name_variants("عبد القادر") == [["abdalqadir"]]  # both schemes merge to one unit
    assert name_variants("محمد بن سلمان") == [
        ["muhammad", "bin", "salman"],
        ["mohamed", "ben", "salmane"],
    ]
    assert name_variants("John Smith") == [["john", "smith"]]


@pytest.mark.parametrize(
    ("text", "schema"),
    [("Sheikh", "Person"), ("LLC", "Organization"), ("Mr Dr", "Person"), ("ǃ", "Person"),
     ("Ltd Co", "Company"), ("His Excellency", "Person"), ("Abd", "Person"), ("٣", "Person")],
)  # fmt: skip
def test_names_with_letters_or_digits_never_vanish(text: str, schema: str) -> None:
    tokens = name_tokens(text, schema)
    assert tokens and all(TOKEN.fullmatch(t) for t in tokens)


def test_names_without_letters_are_empty() -> None:
    assert name_tokens(" - , . ") == []
    assert tokenise_names(pl.Series([None, "", "Ali"], dtype=pl.Utf8)).to_list() == [
        [],
        [],
        ["ali"],
    ]


def test_tokenise_names_schema_column_and_repeats() -> None:
    names = pl.Series("name", ["Acme LLC", "Acme LLC", "Mr Acme", "Mr Acme"])
    schemas = pl.Series(["Organization", "Person", "Person", "Organization"])
    result = tokenise_names(names, schemas)
    assert result.dtype == pl.List(pl.Utf8)
    assert result.name == "name"
    assert result.to_list() == [["acme", "#lf"], ["acme", "#lf"], ["acme"], ["mr", "acme"]]


def test_raw_pieces_keep_marks_inside_words() -> None:
    assert raw_pieces("مُحَمَّد") == ["مُحَمَّد"]
    assert raw_pieces("नरेन्द्र मोदी") == ["नरेन्द्र", "मोदी"]
    assert name_tokens("مُحَمَّد") == ["muhammad"]


def test_reference_lists_are_in_normalised_form() -> None:
    phrases = [
        *refdata.string_list("legal_forms", "anywhere"),
        *refdata.string_list("legal_forms", "trailing"),
        *refdata.string_list("legal_forms", "leading"),
        *refdata.string_list("titles", "titles"),
    ]
    for phrase in phrases:
        assert re.fullmatch(r"[a-z0-9]+( [a-z0-9]+)*", phrase), phrase
    for key, value in refdata.string_map("abbreviations", "organisation").items():
        assert TOKEN.fullmatch(key) and TOKEN.fullmatch(value), key


def test_every_yaml_file_says_who_wrote_it() -> None:
    files = sorted(refdata.DATA_DIR.glob("*.yml"))
    assert len(files) == 7
    for path in files:
        first = path.read_text(encoding="utf-8").splitlines()[0]
        assert first.startswith("#") and "written by this project" in first, path.name


# --- the vectorised form against the reference, on real names and random ones -------------


def _un_positive_names(shared_data: Path) -> list[str]:
    path = shared_data / "eval" / "yente_candidate_generation" / "positives_un_untreated.csv"
    with path.open(encoding="utf-8", newline="") as handle:
        return [row["full_name"] for row in csv.DictReader(handle)]


def _ua_war_names(shared_data: Path) -> tuple[list[str], list[str]]:
    path = shared_data / "opensanctions" / "ua_war_sanctions.targets.simple.csv"
    names: list[str] = []
    schemas: list[str] = []
    with path.open(encoding="utf-8", newline="") as handle:
        for row in csv.DictReader(handle):
            for name in [row["name"], *row["aliases"].split(";")]:
                if name:
                    names.append(name)
                    schemas.append(row["schema"])
    return names, schemas


def test_un_positive_names_all_tokenise(shared_data: Path) -> None:
    names = _un_positive_names(shared_data)
    assert len(names) == 683
    result = tokenise_names(pl.Series(names)).to_list()
    assert result == [name_tokens(name) for name in names]
    assert all(tokens for tokens in result)


def test_ua_war_names_and_aliases_tokenise(shared_data: Path) -> None:
    names, schemas = _ua_war_names(shared_data)
    assert len(names) == 5600 + 7731
    assert sum(bool(re.search("[\u0400-\u04ff]", n)) for n in names) == 3221
    result = tokenise_names(pl.Series(names), pl.Series(schemas)).to_list()
    assert result == [name_tokens(n, s) for n, s in zip(names, schemas, strict=True)]
    assert all(tokens and all(TOKEN.fullmatch(t) for t in tokens) for tokens in result)


WORDS = [
    "LLC", "S.A.", "Ltd", "Co.", "GmbH", "ООО", "Mr", "Dr.", "Sheikh", "Abd", "al-Rahman",
    "Abdul", "bin", "Muhammad", "محمد", "عبد", "الله", "Юлия", "Щеглова", "Ig0r", "1st", "44",
    "AlisherUsmanov", "O'Neill", "Intl", "Grp", "&", ",", "Østergård", "Νίκος", "习近平",
    "McDonald", "ORGANISATION", "Abderrahmane", "Trading", "as", "AO", "co", "َ", "\u00a0",
]  # fmt: skip
ALPHABET = st.characters(
    codec="utf-8", exclude_categories=["Cs"], include_characters="aAzZ0159 ,.-'’&\u00a0"
)
NAME = st.one_of(
    st.lists(st.one_of(st.sampled_from(WORDS), st.text(ALPHABET, max_size=8)), max_size=6).map(
        " ".join
    ),
    st.text(st.sampled_from("abcdefABCDEF xyzXYZ019,-'`&.Ää"), max_size=30),
    st.text(ALPHABET, max_size=20),
)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    st.lists(
        st.tuples(NAME, st.sampled_from(["Person", "Organization", "Vessel"])),
        min_size=1,
        max_size=25,
    )
)
def test_tokenise_names_equals_reference(rows: list[tuple[str, str]]) -> None:
    names = pl.Series([name for name, _ in rows], dtype=pl.Utf8)
    schemas = pl.Series([schema for _, schema in rows], dtype=pl.Utf8)
    expected = [name_tokens(name, schema) for name, schema in rows]
    assert tokenise_names(names, schemas).to_list() == expected
    for name, tokens in zip(names, expected, strict=True):
        assert all(TOKEN.fullmatch(t) for t in tokens)
        if any(char.isalnum() for char in name) and re.search(r"[^\W_]", name):
            assert tokens, name
