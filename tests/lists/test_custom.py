"""The mapping-driven custom loader: Pakistan NACTA (real), a CSV fixture and an XLSX mock."""

from __future__ import annotations

import datetime as dt
import json
from collections import Counter
from pathlib import Path

import pytest
from openpyxl import Workbook

from lists import custom
from lists.errors import ListFormatError
from lists.model import IdKind, NameKind, ParsedList, Schema

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures" / "custom"
NL_CSV = FIXTURES / "nl_sanctieregeling_sample.csv"


# --- Pakistan NACTA, real file, shipped mapping --------------------------------------------


@pytest.fixture(scope="module")
def nacta(shared_data: Path) -> ParsedList:
    path = shared_data / "national" / "pakistan" / "nacta_proscribed_persons_source.json"
    return custom.load_with_mapping(path, custom.shipped_mapping("pk_nacta"))


def test_nacta_counts(shared_data: Path, nacta: ParsedList) -> None:
    path = shared_data / "national" / "pakistan" / "nacta_proscribed_persons_source.json"
    assert len(json.loads(path.read_text(encoding="utf-8"))) == 4665
    # 4,665 records; 3 are exact repeats of an earlier record (same digest): merged.
    assert len(nacta.entities) == 4662
    assert nacta.warnings == ["3 records merged into an earlier record with the same id"]
    assert nacta.list_id == "pk_nacta"
    assert nacta.title == "Pakistan NACTA Fourth Schedule proscribed persons"
    assert nacta.confidential is False
    assert {e.schema for e in nacta.entities} == {Schema.PERSON}
    # 131 inline aliases written "X @ Y" or "X alias Y" in the Name cell.
    kinds = Counter(n.kind for e in nacta.entities for n in e.names)
    assert kinds == {NameKind.PRIMARY: 4662, NameKind.ALIAS: 131}
    # 13-digit CNICs, placeholders 1234567890000/1234567891011 and "None" left out.
    assert sum(len(e.identifiers) for e in nacta.entities) == 4641
    assert len({e.entity_id for e in nacta.entities}) == 4662


def test_nacta_fields(nacta: ParsedList) -> None:
    first = nacta.entities[0]
    assert first.caption == "Muhammad Muzamil"  # trailing space trimmed
    assert [(i.kind, i.value, i.country, i.raw_type) for i in first.identifiers] == [
        (IdKind.NATIONAL_ID, "3230416384111", "PK", "CNIC"),
    ]
    assert [(a.text, a.country) for a in first.addresses] == [("MUZAFFARGARH, Punjab", "PK")]
    assert first.remarks == "Father's name: Abdul Karim"
    assert first.programs == ["PK-NACTA-4TH-SCHEDULE"]
    ismail = next(e for e in nacta.entities if e.caption == "Ismail")
    assert [(n.full, n.kind) for n in ismail.names] == [
        ("Ismail", NameKind.PRIMARY), ("Dur Muhammad", NameKind.ALIAS),
    ]
    azhar = next(e for e in nacta.entities if e.caption == "Maulana Masood Azhar")
    assert azhar.identifiers == []  # placeholder CNIC 1234567890000


def test_nacta_id_is_stable(shared_data: Path, nacta: ParsedList) -> None:
    path = shared_data / "national" / "pakistan" / "nacta_proscribed_persons_source.json"
    again = custom.load_with_mapping(path, custom.shipped_mapping("pk_nacta"), list_id="x")
    assert again.list_id == "x"
    assert [e.entity_id for e in again.entities] == [e.entity_id for e in nacta.entities]


# --- CSV fixture with a sibling mapping ---------------------------------------------------


def test_csv_fixture_through_sibling_mapping() -> None:
    assert custom.SPEC.sniff(NL_CSV, NL_CSV.read_bytes())
    parsed = custom.load([NL_CSV])
    assert parsed.list_id == "nl_sanctieregeling"
    assert [e.entity_id for e in parsed.entities] == ["1", "2", "3"]
    assert [e.schema for e in parsed.entities] == [
        Schema.PERSON, Schema.PERSON, Schema.ORGANIZATION,
    ]
    jansen = parsed.entities[0]
    assert (jansen.names[0].full, jansen.names[0].first, jansen.names[0].last) == (
        "Pieter Willem JANSEN", "Pieter Willem", "JANSEN",
    )
    assert [n.full for n in jansen.names[1:]] == ["Abu Test", "P. Jansen"]
    assert [b.value for b in jansen.birth_dates] == ["1985-04-03"]  # 03-04-1985, day first
    assert jansen.listed_on == "2016-06-12"
    assert jansen.birth_places == ["Rotterdam"]
    de_vries = parsed.entities[1]
    assert de_vries.nationalities == ["NL", "MA"]  # "Nederland|Marokko"
    assert [b.value for b in de_vries.birth_dates] == ["1990"]  # 00-00-1990
    assert parsed.entities[2].names[0].first is None


def test_no_sibling_mapping(tmp_path: Path) -> None:
    data = tmp_path / "list.csv"
    data.write_text("Name\nA\n", encoding="utf-8")
    assert not custom.SPEC.sniff(data, data.read_bytes())
    with pytest.raises(ListFormatError, match=r"no mapping file: expected .*list\.mapping\.yml"):
        custom.load([data])


# --- XLSX mock of a Belgian national list, confidential ------------------------------------

BE_MAPPING = """
list_id: be_national
title: Liste nationale (maquette de test)
confidential: true
sheet: Liste
header_row: 2
schema: Person
id_column: Numéro de registre national
name: {first: Prénom, last: Nom}
birth_date: {column: Date de naissance}
birth_place: Lieu de naissance
nationality: [Nationalité]
gender: Sexe
identifiers:
  - {column: Numéro de registre national, kind: national_id, country: BE,
     type: Numéro de registre national}
listed_on: {column: Date de la décision, format: "%d/%m/%Y"}
remarks: [{column: Motif, label: Motif}]
"""

BE_HEADER = (
    "Nom", "Prénom", "Date de naissance", "Lieu de naissance", "Nationalité", "Sexe",
    "Numéro de registre national", "Date de la décision", "Motif",
)


def _belgian_workbook(path: Path, rows: list[tuple[object, ...]]) -> Path:
    workbook = Workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet.title = "Liste"
    sheet.append(("Liste nationale - document de test, toutes les valeurs sont fictives",))
    sheet.append(BE_HEADER)
    for row in rows:
        sheet.append(row)
    workbook.save(path)
    (path.with_name(path.stem + ".mapping.yml")).write_text(BE_MAPPING, encoding="utf-8")
    return path


BE_ROWS: list[tuple[object, ...]] = [
    ("DUPONT", "Jean", dt.datetime(1980, 5, 17), "Bruxelles", "Belgique", "M",
     "80051712345", "03/02/2016", "Participation à un groupe terroriste"),
    ("EXEMPLE", "Fatima", "00/00/1975", "Anvers", "Maroc", "F", 75000012345.0, None, None),
    (None, None, None, None, None, None, None, None, None),  # blank line in the sheet
]


def test_xlsx_confidential(tmp_path: Path) -> None:
    path = _belgian_workbook(tmp_path / "be_liste.xlsx", BE_ROWS)
    assert custom.SPEC.sniff(path, path.read_bytes()[:65536])
    parsed = custom.load([path])
    assert parsed.confidential is True
    assert parsed.title == "Liste nationale (maquette de test)"
    assert [e.entity_id for e in parsed.entities] == ["80051712345", "75000012345"]
    dupont, exemple = parsed.entities
    assert dupont.caption == "Jean DUPONT"
    assert [b.value for b in dupont.birth_dates] == ["1980-05-17"]  # a real date cell
    assert dupont.nationalities == ["BE"]
    assert dupont.gender == "male"
    assert dupont.listed_on == "2016-02-03"
    assert dupont.remarks == "Motif: Participation à un groupe terroriste"
    assert [(i.kind, i.value, i.country) for i in dupont.identifiers] == [
        (IdKind.NATIONAL_ID, "80051712345", "BE"),
    ]
    assert [b.value for b in exemple.birth_dates] == ["1975"]
    assert exemple.nationalities == ["MA"]
    assert exemple.gender == "female"
    assert exemple.identifiers[0].value == "75000012345"  # number cell 75000012345.0


def test_xlsx_duplicate_id_refused(tmp_path: Path) -> None:
    path = _belgian_workbook(tmp_path / "be_liste.xlsx", [BE_ROWS[0], BE_ROWS[0]])
    with pytest.raises(ListFormatError, match="duplicate id 80051712345") as info:
        custom.load([path])
    assert info.value.record == "row 4"


def test_xlsx_not_a_zip(tmp_path: Path) -> None:
    path = tmp_path / "be_liste.xlsx"
    path.write_bytes(b"Nom;Prenom\nDUPONT;Jean\n")
    path.with_name("be_liste.mapping.yml").write_text(BE_MAPPING, encoding="utf-8")
    with pytest.raises(ListFormatError, match="not a readable XLSX workbook"):
        custom.load([path])


def test_xlsx_missing_sheet(tmp_path: Path) -> None:
    path = _belgian_workbook(tmp_path / "be_liste.xlsx", BE_ROWS[:1])
    mapping = path.with_name("be_liste.mapping.yml")
    mapping.write_text(BE_MAPPING.replace("sheet: Liste", "sheet: Feuil9"), encoding="utf-8")
    with pytest.raises(ListFormatError, match="no sheet 'Feuil9'"):
        custom.load([path])


# --- bad input ------------------------------------------------------------------------------


def _pair(tmp_path: Path, data: bytes, mapping: str, suffix: str = ".csv") -> Path:
    path = tmp_path / f"list{suffix}"
    path.write_bytes(data)
    (tmp_path / "list.mapping.yml").write_text(mapping, encoding="utf-8")
    return path


SIMPLE_MAPPING = "list_id: t\nid_column: ID\nname: {full: Name}\n"


def test_mapping_names_absent_column(tmp_path: Path) -> None:
    mapping = SIMPLE_MAPPING + "birth_date: {column: DOB}\nnationality: [Nationality]\n"
    path = _pair(tmp_path, b"ID,Name\n1,A\n", mapping)
    with pytest.raises(ListFormatError, match="absent from the file: DOB, Nationality"):
        custom.load([path])


def test_json_mapping_names_absent_column(tmp_path: Path) -> None:
    path = _pair(tmp_path, b'[{"ID": "1", "Nom": "A"}]', SIMPLE_MAPPING, ".json")
    with pytest.raises(ListFormatError, match="absent from the file: Name"):
        custom.load([path])


def test_csv_duplicate_id_refused(tmp_path: Path) -> None:
    path = _pair(tmp_path, b"ID,Name\n7,A\n8,B\n7,C\n", SIMPLE_MAPPING)
    with pytest.raises(ListFormatError, match="duplicate id 7") as info:
        custom.load([path])
    assert info.value.record == "line 4"


def test_json_lines_and_duplicate_merge(tmp_path: Path) -> None:
    lines = b'{"ID": 1, "Name": "A"}\n\n{"ID": 2, "Name": "B"}\n{"ID": 1, "Name": "A2"}\n'
    path = _pair(tmp_path, lines, SIMPLE_MAPPING + "duplicates: merge\n", ".jsonl")
    parsed = custom.load([path])
    assert [e.entity_id for e in parsed.entities] == ["1", "2"]
    assert [n.full for n in parsed.entities[0].names] == ["A", "A2"]


@pytest.mark.parametrize(
    ("data", "suffix", "message", "record"),
    [
        (b"", ".csv", "empty", None),
        (b"ID,Name\n1,\xff\xfe\n", ".csv", "not utf-8 text", "line 2"),
        (b'ID,Name\n1,"A\n', ".csv", "malformed CSV", "line 2"),
        (b"ID,Name\n1,A,extra\n", ".csv", "expected 2 fields, found 3", "line 2"),
        (b"ID,Name\n1,\n", ".csv", "record without a name", "line 2"),
        (b'[{"ID": "1", "Name": "A"}, 5]', ".json", "not a JSON object", "record 2"),
        (b'{"ID": "1", "Name": "A"}\n{"ID": "2", ', ".json", "invalid JSON", "line 2"),
        (b'{"ID": "1"}', ".json", "JSON must be an array", None),
    ],
)
def test_bad_data(
    tmp_path: Path, data: bytes, suffix: str, message: str, record: str | None
) -> None:
    path = _pair(tmp_path, data, SIMPLE_MAPPING, suffix)
    with pytest.raises(ListFormatError, match=message) as info:
        custom.load([path])
    assert info.value.record == record
    assert str(path) in str(info.value)


@pytest.mark.parametrize(
    ("mapping", "message"),
    [
        ("name: {full: Name}\n", "list_id is required"),
        ("list_id: t\n", "name needs a full or a last column"),
        (SIMPLE_MAPPING + "identifiers: [{column: ID, kind: dna}]\n", "unknown kind 'dna'"),
        (SIMPLE_MAPPING + "schema: Spaceship\n", "unknown schema 'Spaceship'"),
        ("list_id: [unclosed\n", "invalid mapping"),
    ],
)
def test_bad_mapping(tmp_path: Path, mapping: str, message: str) -> None:
    path = _pair(tmp_path, b"ID,Name\n1,A\n", mapping)
    with pytest.raises(ListFormatError, match=message) as info:
        custom.load([path])
    assert "list.mapping.yml" in str(info.value)


def test_shipped_mapping_claims_the_official_file_name(shared_data: Path) -> None:
    from lists.registry import detect

    path = shared_data / "national" / "pakistan" / "nacta_proscribed_persons_source.json"
    assert custom.sibling_mapping(path) == custom.shipped_mapping("pk_nacta")
    assert detect(path).name == "custom"
    assert len(custom.load([path]).entities) == 4662
