"""UK loaders: the HMT/OFSI ConList (real 2018 file) and the FCDO UK Sanctions List (fixture)."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import pytest

from lists import uk_conlist, uk_sanctions_list
from lists.errors import ListFormatError
from lists.model import Entity, IdKind, NameKind, ParsedList, Schema

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures" / "uk"
FCDO_SAMPLE = FIXTURES / "uk_sanctions_list_sample.csv"
CONLIST_HEADER = ",".join(uk_conlist.COLUMNS)


@pytest.fixture(scope="module")
def conlist(shared_data: Path) -> ParsedList:
    return uk_conlist.load([shared_data / "uk" / "sanctionsconlist_2018-04-13.csv"])


def _by_id(parsed: ParsedList, entity_id: str) -> Entity:
    return next(entity for entity in parsed.entities if entity.entity_id == entity_id)


# --- ConList, real file -------------------------------------------------------------------


def test_conlist_counts(conlist: ParsedList) -> None:
    # Counted independently with csv.reader: 9,487 alias rows in 2,106 Group IDs.
    assert conlist.list_id == "gb_hmt"
    assert conlist.format == "uk_conlist"
    assert conlist.published == "2018-04-13"
    assert len(conlist.entities) == 2106
    assert Counter(e.schema for e in conlist.entities) == {
        Schema.PERSON: 1426, Schema.ORGANIZATION: 680,
    }
    # Distinct spellings per group (case-insensitive), the strongest alias type kept.
    kinds = Counter(name.kind for e in conlist.entities for name in e.names)
    assert kinds == {NameKind.PRIMARY: 2106, NameKind.ALIAS: 3431, NameKind.FORMER: 9}
    assert all(e.names[0].kind == NameKind.PRIMARY for e in conlist.entities)
    # Distinct (Group ID, DOB) pairs in the file.
    assert sum(len(e.birth_dates) for e in conlist.entities) == 1478


def test_conlist_entry_field_by_field(conlist: ParsedList) -> None:
    entity = _by_id(conlist, "13349")
    assert entity.schema == Schema.PERSON
    assert entity.caption == "Nayef Salam Muhammad Ujaym AL-HABABI"
    primary = entity.names[0]
    assert (primary.first, primary.middle, primary.last) == (
        "Nayef", "Salam Muhammad Ujaym", "AL-HABABI",
    )
    assert "Sheikh Farooq AL-QAHTANI" in {n.full for n in entity.names}
    assert [b.value for b in entity.birth_dates] == ["1980", "1981"]  # 00/00/1980, 00/00/1981
    assert entity.nationalities == ["SA", "QA"]  # "1) Saudi Arabia 2) Qatar"
    assert entity.birth_places == ["Saudi Arabia"]
    assert entity.countries == ["AF"]  # "Afghanistan (since 2009)"
    assert [(i.kind, i.value) for i in entity.identifiers] == [(IdKind.PASSPORT, "592667")]
    assert entity.programs == ["The ISIL (Da'esh) and Al-Qaida organisations"]
    assert entity.listed_on == "2016-04-01"
    assert entity.reference == "QDe.004"
    assert entity.remarks is not None and entity.remarks.startswith("UN Ref QDe.004.")


def test_conlist_many_rows_one_target(conlist: ParsedList) -> None:
    # Joseph KONY: 240 rows (10 DOBs x names x addresses) fold into one entity.
    entity = _by_id(conlist, "13344")
    assert [n.full for n in entity.names] == ["Joseph KONY", "Josef KONY", "Joseph Rao KONY"]
    assert len(entity.birth_dates) == 10
    assert "1964-09-18" in {b.value for b in entity.birth_dates}
    assert {a.country for a in entity.addresses} == {"CD", "CF", None}


def test_conlist_organisation_and_former_name(conlist: ParsedList) -> None:
    entity = _by_id(conlist, "12871")
    assert entity.schema == Schema.ORGANIZATION
    assert entity.caption == "SECOND ACADEMY OF NATURAL SCIENCES"
    assert "2ND ACADEMY OF NATURAL SCIENCES" in {n.full for n in entity.names[1:]}
    assert all(n.first is None and n.last is None for n in entity.names)
    former = [e for e in conlist.entities if any(n.kind == NameKind.FORMER for n in e.names)]
    assert len(former) == 7  # 7 Group IDs have FKA rows (9 distinct former names)


def test_conlist_sniff(shared_data: Path) -> None:
    path = shared_data / "uk" / "sanctionsconlist_2018-04-13.csv"
    head = path.read_bytes()[:65536]
    assert uk_conlist.SPEC.sniff(path, head)
    assert not uk_sanctions_list.SPEC.sniff(path, head)
    fcdo_head = FCDO_SAMPLE.read_bytes()
    assert not uk_conlist.SPEC.sniff(FCDO_SAMPLE, fcdo_head)


# --- ConList, bad input -------------------------------------------------------------------


def _conlist_row(group_id: str, name: str, alias_type: str = "Prime Alias") -> str:
    values = [""] * len(uk_conlist.COLUMNS)
    index = {column: i for i, column in enumerate(uk_conlist.COLUMNS)}
    values[index["Name 6"]] = name
    values[index["Group Type"]] = "Individual"
    values[index["Alias Type"]] = alias_type
    values[index["Regime"]] = "Test"
    values[index["Group ID"]] = group_id
    return ",".join(values)


def _write(tmp_path: Path, content: bytes, name: str = "conlist.csv") -> Path:
    path = tmp_path / name
    path.write_bytes(content)
    return path


def test_conlist_duplicate_group_rows_merge(tmp_path: Path) -> None:
    text = "\n".join([
        "Last Updated,01/02/2020", CONLIST_HEADER, _conlist_row("7", "ONE"),
        _conlist_row("7", "UNO", "AKA"), _conlist_row("8", "TWO"),
    ])
    parsed = uk_conlist.load([_write(tmp_path, text.encode("cp1252"))])
    assert [e.entity_id for e in parsed.entities] == ["7", "8"]
    assert [(n.full, n.kind) for n in parsed.entities[0].names] == [
        ("ONE", NameKind.PRIMARY), ("UNO", NameKind.ALIAS),
    ]
    assert parsed.published == "2020-02-01"


def test_conlist_empty_file(tmp_path: Path) -> None:
    with pytest.raises(ListFormatError, match="empty"):
        uk_conlist.load([_write(tmp_path, b"  \n")])


def test_conlist_missing_columns_named(tmp_path: Path) -> None:
    header = CONLIST_HEADER.replace(",Group ID", "").replace("Alias Type,", "")
    path = _write(tmp_path, f"Last Updated,01/02/2020\n{header}\n".encode())
    with pytest.raises(ListFormatError, match="missing columns: Alias Type, Group ID") as info:
        uk_conlist.load([path])
    assert info.value.record == "line 2"
    assert str(path) in str(info.value)


def test_conlist_wrong_encoding(tmp_path: Path) -> None:
    # 0x81 is undefined in cp1252: a file in another encoding, not a ConList.
    body = f"Last Updated,01/02/2020\n{CONLIST_HEADER}\n".encode() + b"\x81\x81,\n"
    with pytest.raises(ListFormatError, match="not cp1252 text") as info:
        uk_conlist.load([_write(tmp_path, body)])
    assert info.value.record == "line 3"


def test_conlist_unbalanced_quote(tmp_path: Path) -> None:
    text = f'Last Updated,01/02/2020\n{CONLIST_HEADER}\n{_conlist_row("1", "A")}\n"BROKEN,\n'
    with pytest.raises(ListFormatError, match="malformed CSV"):
        uk_conlist.load([_write(tmp_path, text.encode())])


def test_conlist_truncated_row(tmp_path: Path) -> None:
    text = f'Last Updated,01/02/2020\n{CONLIST_HEADER}\n{_conlist_row("1", "A")}\nSMITH,John,\n'
    with pytest.raises(ListFormatError, match="expected 29 fields, found 3") as info:
        uk_conlist.load([_write(tmp_path, text.encode())])
    assert info.value.record == "line 4"


def test_conlist_oversized_field(tmp_path: Path) -> None:
    row = _conlist_row("1", "A" * 2_000_000)
    text = f"Last Updated,01/02/2020\n{CONLIST_HEADER}\n{row}\n"
    with pytest.raises(ListFormatError, match="field") as info:
        uk_conlist.load([_write(tmp_path, text.encode())])
    assert info.value.record == "line 3"


def test_conlist_unknown_group_type(tmp_path: Path) -> None:
    row = _conlist_row("1", "A").replace("Individual", "Spaceship")
    text = f"Last Updated,01/02/2020\n{CONLIST_HEADER}\n{row}\n"
    with pytest.raises(ListFormatError, match="Spaceship") as info:
        uk_conlist.load([_write(tmp_path, text.encode())])
    assert info.value.record == "line 3"


# --- helpers --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("1) Saudi Arabia 2) Qatar", ["SA", "QA"]),
        ("(a) Jordanian (b) American", ["JO", "US"]),
        ("Iraq (previous)", ["IQ"]),
        ("Isfahan, Iran (Islamic Republic of)", ["IR"]),
        ("Possibly Ethiopian", ["ET"]),
        ("In Syria as at June 2013", ["SY"]),
        ("Afgan", ["AF"]),
        ("", []),
    ],
)
def test_country_codes(text: str, expected: list[str]) -> None:
    unresolved: list[str] = []
    assert uk_conlist.country_codes(text, unresolved) == expected
    assert unresolved == []


def test_identifiers_in_free_text() -> None:
    found = uk_conlist.identifiers_in(
        "(1) K929139 (Tunisian). Issued on 14 Feb 1995. (2) 00319547 (Tunisian) Issued on "
        "8 December 1994.", IdKind.PASSPORT, "Passport",
    )
    assert [i.value for i in found] == ["K929139", "00319547"]
    assert found[0].note is not None and found[0].note.startswith("K929139 (Tunisian)")


# --- FCDO UK Sanctions List, fixture ------------------------------------------------------


def test_fcdo_fixture() -> None:
    parsed = uk_sanctions_list.load([FCDO_SAMPLE])
    assert parsed.list_id == "gb_fcdo"
    assert parsed.published == "2026-10-08"
    assert parsed.warnings == []
    assert [e.entity_id for e in parsed.entities] == ["AFG0001", "AFG0006", "RUS2176", "CTE0010"]
    assert [e.schema for e in parsed.entities] == [
        Schema.ORGANIZATION, Schema.PERSON, Schema.VESSEL, Schema.PERSON,
    ]
    kinds = Counter(n.kind for e in parsed.entities for n in e.names)
    assert kinds == {
        NameKind.PRIMARY: 4, NameKind.ALIAS: 2, NameKind.WEAK_ALIAS: 1,
        NameKind.ORIGINAL_SCRIPT: 2,
    }


def test_fcdo_person_fields() -> None:
    person = _by_id(uk_sanctions_list.load([FCDO_SAMPLE]), "AFG0006")
    assert person.caption == "Mohammad Hassan AKHUND"
    weak = [n.full for n in person.names if n.kind == NameKind.WEAK_ALIAS]
    assert weak == ["Hassan AKHUND"]
    script = [n for n in person.names if n.kind == NameKind.ORIGINAL_SCRIPT]
    assert [(n.full, n.lang) for n in script] == [("محمد حسن آخوند", "Pashto")]
    assert [b.value for b in person.birth_dates] == ["1958", "1960-01-01"]
    assert person.nationalities == ["AF", "PK"]
    assert person.gender == "male"
    assert person.birth_places == ["Kandahar, Afghanistan"]
    assert [(i.kind, i.value, i.note) for i in person.identifiers] == [
        (IdKind.PASSPORT, "A1234567", "Afghan passport"),
        (IdKind.NATIONAL_ID, "12345", "Afghan identity card"),
    ]
    assert person.listed_on == "2001-01-25"
    assert person.reference == "TAi.002"
    assert person.remarks is not None and "Sanctions Imposed: Asset freeze; Travel Ban" in (
        person.remarks
    )


def test_fcdo_ship_and_entity_fields() -> None:
    parsed = uk_sanctions_list.load([FCDO_SAMPLE])
    ship = _by_id(parsed, "RUS2176")
    assert [(i.kind, i.value) for i in ship.identifiers] == [(IdKind.IMO, "IMO9826902")]
    assert ship.countries == ["GA"]
    entity = _by_id(parsed, "AFG0001")
    assert [a.country for a in entity.addresses] == ["PK", "AF"]
    assert entity.addresses[0].text == "Chaman Central Bazaar, Chaman, Baluchistan Province"
    variation = _by_id(parsed, "CTE0010")
    assert [(n.full, n.kind) for n in variation.names] == [
        ("Abu Test AL-EXAMPLE", NameKind.PRIMARY), ("Abou Test AL EXAMPLE", NameKind.ALIAS),
    ]
    assert [b.value for b in variation.birth_dates] == ["1975"]  # "dd/mm/1975"


def test_fcdo_sniff() -> None:
    assert uk_sanctions_list.SPEC.sniff(FCDO_SAMPLE, FCDO_SAMPLE.read_bytes())


def test_fcdo_bad_utf8(tmp_path: Path) -> None:
    body = FCDO_SAMPLE.read_bytes() + b"\xff\xfe broken\n"
    with pytest.raises(ListFormatError, match="not utf-8 text"):
        uk_sanctions_list.load([_write(tmp_path, body, "fcdo.csv")])


def test_fcdo_missing_columns(tmp_path: Path) -> None:
    body = b"Report Date: 08-Oct-2026\nLast Updated,Unique ID,Name 6\n01/01/2020,X1,A\n"
    with pytest.raises(ListFormatError, match="missing columns: Name 1, Name type, Regime Name"):
        uk_sanctions_list.load([_write(tmp_path, body, "fcdo.csv")])


def test_fcdo_empty_and_unbalanced(tmp_path: Path) -> None:
    with pytest.raises(ListFormatError, match="empty"):
        uk_sanctions_list.load([_write(tmp_path, b"", "empty.csv")])
    body = FCDO_SAMPLE.read_bytes() + b'12/01/2022,"AFG0099,\n'
    with pytest.raises(ListFormatError, match="malformed CSV"):
        uk_sanctions_list.load([_write(tmp_path, body, "fcdo.csv")])


def test_registry_detects(shared_data: Path) -> None:
    from lists.registry import detect

    assert detect(shared_data / "uk" / "sanctionsconlist_2018-04-13.csv").name == "uk_conlist"
    assert detect(FCDO_SAMPLE).name == "uk_sanctions_list"
