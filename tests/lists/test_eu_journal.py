"""OpenSanctions transcriptions of EU journal annexes (CSV): the two real files and bad input."""

from __future__ import annotations

import csv
import hashlib
from collections import Counter
from pathlib import Path

import pytest

from lists import eu_journal
from lists.errors import ListFormatError
from lists.model import Address, BirthDate, Entity, IdKind, NameKind, ParsedList, Schema

FOLDER = "eu/opensanctions_journal_extracts"


@pytest.fixture(scope="module")
def terr_path(shared_data: Path) -> Path:
    return shared_data / FOLDER / "32001R2580.csv"


@pytest.fixture(scope="module")
def taqa_path(shared_data: Path) -> Path:
    return shared_data / FOLDER / "32002R0881.csv"


@pytest.fixture(scope="module")
def terr(terr_path: Path) -> ParsedList:
    return eu_journal.load([terr_path])


@pytest.fixture(scope="module")
def taqa(taqa_path: Path) -> ParsedList:
    return eu_journal.load([taqa_path])


def _rows(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def _by_id(parsed: ParsedList, entity_id: str) -> Entity:
    return next(entity for entity in parsed.entities if entity.entity_id == entity_id)


def _split_count(rows: list[dict[str, str]], column: str) -> int:
    return sum(len([v for v in row[column].split(";") if v.strip()]) for row in rows)


# --- Reg. 2580/2001 (EU terrorist list) ---------------------------------------------------


def test_terr_counts(terr: ParsedList, terr_path: Path) -> None:
    rows = _rows(terr_path)
    assert len(rows) == 36 and Counter(r["schema"] for r in rows) == {
        "Person": 13, "Organization": 23,
    }
    assert terr.list_id == "eu_terr_2580"
    assert terr.format == "eu_journal_csv"
    assert terr.published is None
    assert Counter(e.schema for e in terr.entities) == {
        Schema.PERSON: 13, Schema.ORGANIZATION: 23,
    }
    # recordId restarts in annex part II.B, so the id carries the part.
    assert [e.entity_id for e in terr.entities] == [
        *(f"32001R2580-II.A.{n}" for n in range(1, 14)),
        *(f"32001R2580-II.B.{n}" for n in range(1, 24)),
    ]
    assert _split_count(rows, "alias") == 61
    kinds = Counter(name.kind for e in terr.entities for name in e.names)
    assert kinds == {NameKind.PRIMARY: 36, NameKind.ALIAS: 61}
    assert {p for e in terr.entities for p in e.programs} == {"EU-TERR"}
    identifiers = Counter(i.kind for e in terr.entities for i in e.identifiers)
    assert identifiers == {IdKind.PASSPORT: 8, IdKind.NATIONAL_ID: 1}


def test_terr_person_field_by_field(terr: ParsedList) -> None:
    entity = _by_id(terr, "32001R2580-II.A.1")
    primary = entity.names[0]
    # The annex writes the family name first, in capitals.
    assert (primary.full, primary.first, primary.last) == ("ABDOLLAHI Hamed", "Hamed", "ABDOLLAHI")
    assert [n.full for n in entity.names[1:]] == ["Mustafa Abdullahi"]
    assert entity.birth_dates == [BirthDate(value="1960-08-11")]  # 11.8.1960
    assert entity.birth_places == ["Iran"]
    assert [(i.kind, i.value) for i in entity.identifiers] == [(IdKind.PASSPORT, "D9004878")]
    assert entity.reference == "II.A.1"
    assert entity.source_url == "https://eur-lex.europa.eu/legal-content/EN/TXT/?uri=CELEX:32001R2580"


def test_terr_alternative_birth_dates_and_passports(terr: ParsedList) -> None:
    entity = _by_id(terr, "32001R2580-II.A.5")  # "6.3.1955 or 15.3.1955"; "C2002515 (Iran); ..."
    assert entity.birth_dates == [BirthDate(value="1955-03-06"), BirthDate(value="1955-03-15")]
    assert [(i.kind, i.value, i.note) for i in entity.identifiers] == [
        (IdKind.PASSPORT, "C2002515", "C2002515 (Iran)"),
        (IdKind.PASSPORT, "477845448", "477845448 (USA)"),
        (IdKind.NATIONAL_ID, "07442833", None),
    ]


def test_terr_organisation(terr: ParsedList) -> None:
    entity = _by_id(terr, "32001R2580-II.B.14")
    assert entity.schema == Schema.ORGANIZATION
    names = [n.full for n in entity.names]
    assert names == ["Kurdistan Workers’ Party", "PKK", "KADEK", "KONGRA-GEL"]
    assert entity.names[0].last is None  # name parts only for persons


# --- Reg. 881/2002 (ISIL/Al-Qaida) --------------------------------------------------------


def test_taqa_counts(taqa: ParsedList, taqa_path: Path) -> None:
    rows = _rows(taqa_path)
    assert len(rows) == 350 and Counter(r["schema"] for r in rows) == {
        "Person": 262, "LegalEntity": 88,
    }
    assert taqa.list_id == "eu_taqa_881"
    assert Counter(e.schema for e in taqa.entities) == {
        Schema.PERSON: 262, Schema.ORGANIZATION: 88,
    }
    # No recordId: ids come from schema and name; the annex repeats two persons.
    assert len({e.entity_id for e in taqa.entities}) == 350
    assert sorted(e.entity_id for e in taqa.entities if e.entity_id.endswith("-2")) == [
        "32002R0881-53458aedd0c4-2", "32002R0881-58c493697d61-2",
    ]
    # Raw ;-separated values: 1,562 aliases, 166 weak aliases, 1 previous name.
    assert (_split_count(rows, "alias"), _split_count(rows, "weakAlias")) == (1562, 166)
    assert _split_count(rows, "previousName") == 1
    # After splitting "(a) ... (b) ..." enumerations, separating "(original script: ...)" and
    # dropping repeats within a record (the previous name repeats an alias):
    kinds = Counter(name.kind for e in taqa.entities for name in e.names)
    assert kinds == {
        NameKind.PRIMARY: 350,
        NameKind.ALIAS: 1482,
        NameKind.WEAK_ALIAS: 162,
        NameKind.ORIGINAL_SCRIPT: 79,
    }
    assert sum(len(e.birth_dates) for e in taqa.entities) == 339
    identifiers = Counter(i.kind for e in taqa.entities for i in e.identifiers)
    assert identifiers == {
        IdKind.PASSPORT: 164, IdKind.NATIONAL_ID: 57, IdKind.OTHER: 22,
        IdKind.TAX_ID: 5, IdKind.REGISTRATION: 1, IdKind.PHONE: 1,
    }


def test_taqa_fallback_id_is_derived_from_schema_and_name(taqa: ParsedList) -> None:
    digest = hashlib.sha1(b"LegalEntity|abu sayyaf group", usedforsecurity=False).hexdigest()
    entity = _by_id(taqa, f"32002R0881-{digest[:12]}")
    assert entity.caption == "Abu Sayyaf Group"
    assert entity.reference is None
    assert entity.listed_on == "2001-10-06"
    assert entity.addresses == [Address(text="Philippines", country="PH")]
    assert entity.remarks == (
        "Associated with Jemaah Islamiyah (JI); Current leader is Radulan Sahiron"
    )


def test_taqa_enumerated_values(taqa: ParsedList) -> None:
    entity = next(e for e in taqa.entities if e.caption == "‘Abdulpatta Escalon Abubakar")
    # "(a) 3.3.1965, (b) 1.1.1965, (c) 11.1.1965"
    assert [b.value for b in entity.birth_dates] == ["1965-03-03", "1965-01-01", "1965-01-11"]
    assert [(i.kind, i.value) for i in entity.identifiers] == [
        (IdKind.PASSPORT, "EC6530802"),  # "(a) Philippines number EC6530802 (expires ...)"
        (IdKind.PASSPORT, "EB2778599"),
        (IdKind.NATIONAL_ID, "2135314355"),  # "(a) Saudi Arabia 2135314355"
        (IdKind.NATIONAL_ID, "202112421"),
    ]
    assert entity.nationalities == ["PH"]
    assert entity.addresses[1] == Address(
        text="Jeddah, Saudi Arabia (previous address)", country="SA"
    )


def test_taqa_original_script_notes(taqa: ParsedList) -> None:
    entity = next(e for e in taqa.entities if e.caption == "Merai Abdefattah Khalil Zoghbi")
    assert [(n.kind, n.full) for n in entity.names] == [
        (NameKind.PRIMARY, "Merai Abdefattah Khalil Zoghbi"),
        (NameKind.ORIGINAL_SCRIPT, "مرعي عبدفتاح خليل زغبي"),
        (NameKind.ALIAS, "Mohamed Lebachir"),  # "(born on 14.1.1968 in Morocco)" dropped
        (NameKind.ALIAS, "Meri Albdelfattah Zgbye"),
        (NameKind.ALIAS, "Zoghbai Merai Abdul Fattah"),
        (NameKind.ALIAS, "Lazrag Faraj"),
        (NameKind.ALIAS, "Larzg Ben Ila"),
        (NameKind.ALIAS, "Muhammed El Besir"),
        (NameKind.ALIAS, "Merai Zoghbai"),  # "(as previously listed, in Arabic: مرعي زغبي)"
        (NameKind.ORIGINAL_SCRIPT, "مرعي زغبي"),
        (NameKind.WEAK_ALIAS, "F'raji di Singapore"),
        (NameKind.WEAK_ALIAS, "F'raji il Libico"),
        (NameKind.WEAK_ALIAS, "Farag"),
        (NameKind.WEAK_ALIAS, "Fredj"),
    ]
    assert entity.names[1].lang == "ar"


def test_split_values() -> None:
    assert eu_journal.split_values('"(a) Malaysia, (b) Indonesia"') == ["Malaysia", "Indonesia"]
    assert eu_journal.split_values("a) 1 Jun. 1976; b) 1976") == ["1 Jun. 1976", "1976"]
    assert eu_journal.split_values("Karachi (Tel. (a) 668; (b) 0300); Lahore") == [
        "Karachi (Tel. (a) 668; (b) 0300)", "Lahore",
    ]
    assert eu_journal.split_values("") == []


def test_spec(terr_path: Path, shared_data: Path) -> None:
    assert eu_journal.SPEC.name == "eu_journal_csv"
    assert eu_journal.SPEC.sniff(terr_path, terr_path.read_bytes()[:65536])
    other = shared_data / "uk" / "sanctionsconlist_2018-04-13.csv"
    assert not eu_journal.SPEC.sniff(other, other.read_bytes()[:65536])


def test_list_id_override_and_unknown_celex(terr_path: Path, tmp_path: Path) -> None:
    assert eu_journal.load([terr_path], "my_list").list_id == "my_list"
    path = tmp_path / "32099R0001.csv"
    path.write_bytes(terr_path.read_bytes().replace(b"32001R2580", b"32099R0001"))
    parsed = eu_journal.load([path])
    assert parsed.list_id == "eu_journal_32099r0001"
    assert parsed.entities[0].entity_id == "32099R0001-II.A.1"


# --- bad input ----------------------------------------------------------------------------


def _header(path: Path) -> str:
    return path.read_text(encoding="utf-8").splitlines()[0]


def test_missing_columns_are_named(terr_path: Path, tmp_path: Path) -> None:
    header = _header(terr_path).replace(",alias,", ",aliases,").replace(",passportNumber,", ",pp,")
    path = tmp_path / "bad.csv"
    path.write_text(header + "\n", encoding="utf-8")
    with pytest.raises(ListFormatError, match=r"missing columns: alias, passportNumber$"):
        eu_journal.load([path])


def test_cp1252_byte_is_refused_with_its_line(terr_path: Path, tmp_path: Path) -> None:
    data = terr_path.read_bytes().replace("Sa’id".encode(), b"Sa\x92id")  # cp1252 quote
    path = tmp_path / "cp1252.csv"
    path.write_bytes(data)
    with pytest.raises(ListFormatError, match="not UTF-8: byte 0x92") as error:
        eu_journal.load([path])
    assert error.value.record == "line 3"


def test_empty_file(tmp_path: Path) -> None:
    path = tmp_path / "empty.csv"
    path.write_bytes(b"")
    with pytest.raises(ListFormatError, match="file is empty"):
        eu_journal.load([path])


def test_header_only(terr_path: Path, tmp_path: Path) -> None:
    path = tmp_path / "header.csv"
    path.write_text(_header(terr_path) + "\r\n", encoding="utf-8")
    with pytest.raises(ListFormatError, match="no records after the header"):
        eu_journal.load([path])


def test_unknown_schema_names_the_line(terr_path: Path, tmp_path: Path) -> None:
    text = terr_path.read_text(encoding="utf-8").replace(",Person,AL-DIN", ",Spaceship,AL-DIN")
    path = tmp_path / "schema.csv"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(ListFormatError, match="unknown schema 'Spaceship'") as error:
        eu_journal.load([path])
    assert error.value.record == "line 3"


def test_oversized_field(terr_path: Path, tmp_path: Path) -> None:
    header = _header(terr_path)
    row = ["32001R2580", "1", "EU-TERR", "", "", "", "", "Person", "X" * 200_000]
    path = tmp_path / "big.csv"
    path.write_text(header + "\n" + ",".join(row + [""] * 37) + "\n", encoding="utf-8")
    with pytest.raises(ListFormatError, match="malformed CSV: field larger") as error:
        eu_journal.load([path])
    assert error.value.record == "line 2"


def test_row_with_extra_cells(terr_path: Path, tmp_path: Path) -> None:
    lines = terr_path.read_text(encoding="utf-8").splitlines()
    path = tmp_path / "extra.csv"
    path.write_text("\n".join([lines[0], lines[1] + ",surplus"]) + "\n", encoding="utf-8")
    with pytest.raises(ListFormatError, match="extra cells") as error:
        eu_journal.load([path])
    assert error.value.record == "line 2"
