"""EU consolidated list, obsolete FSF v1.0 XML: the real truncated 2016 fixture and bad input.

The manifest calls the file "truncated": it holds 595 of the ~2,000 entities of the day, but the
XML itself is complete (it ends with </WHOLE>), so it loads as a subset; a file cut mid-way is
a different matter and is refused (see test_file_cut_mid_way).
"""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import pytest

from lists import eu_v1
from lists.errors import ListFormatError
from lists.model import Address, BirthDate, Entity, IdKind, NameKind, ParsedList, Schema

V1_FILE = "eu/fixtures_2016_v1_0/eu_global_2016-02-11_truncated.xml"
HEAD = '<?xml version="1.0" encoding="UTF-8"?>\n'
ONE_ENTITY = (
    '<WHOLE Date="11/02/2016"><ENTITY Id="7" Type="P" legal_basis="1/2000 (OJ L1)" '
    'reg_date="2000-01-01" pdf_link="" programme="TERR" remark="">'
    "<NAME><LASTNAME/><FIRSTNAME/><MIDDLENAME/><WHOLENAME>{name}</WHOLENAME></NAME>"
    "</ENTITY></WHOLE>"
)


@pytest.fixture(scope="module")
def v1_path(shared_data: Path) -> Path:
    return shared_data / V1_FILE


@pytest.fixture(scope="module")
def v1(v1_path: Path) -> ParsedList:
    return eu_v1.load([v1_path])


def _by_id(parsed: ParsedList, entity_id: str) -> Entity:
    return next(entity for entity in parsed.entities if entity.entity_id == entity_id)


def test_file_is_well_formed_and_ends_properly(v1_path: Path) -> None:
    assert v1_path.read_bytes().rstrip().endswith(b"</ENTITY>\n</WHOLE>")


def test_counts(v1: ParsedList, v1_path: Path) -> None:
    # Counted with regular expressions on the raw text: 595 <ENTITY (319 Type="P", 276 "E"),
    # 2,993 <NAME of which 2,682 are distinct per entity (case-insensitive WHOLENAME), 127 of
    # those in a non-Latin script (Bulgarian and Greek spellings).
    text = v1_path.read_text(encoding="utf-8")
    assert text.count("<ENTITY ") == 595 and text.count("<NAME ") == 2993
    assert v1.list_id == "eu_fsf"
    assert v1.format == "eu_fsf_v1"
    assert v1.published == "2016-02-11"
    assert Counter(e.schema for e in v1.entities) == {
        Schema.PERSON: 319, Schema.ORGANIZATION: 276,
    }
    kinds = Counter(name.kind for e in v1.entities for name in e.names)
    assert kinds == {NameKind.PRIMARY: 595, NameKind.ALIAS: 1960, NameKind.ORIGINAL_SCRIPT: 127}
    assert sum(kinds.values()) == 2682
    assert Counter(p for e in v1.entities for p in e.programs) == {
        "IRQ": 292, "TAQA": 155, "AFG": 108, "TERR": 22, "COD": 16, "ZWE": 2,
    }
    # Distinct DATE texts per entity (some BIRTH elements hide theirs behind a comment).
    dates = Counter(
        b.precision + ("~" if b.approximate else "") for e in v1.entities for b in e.birth_dates
    )
    assert dates == {"day": 169, "year": 120, "year~": 100, "range~": 17}
    # 137 PASSPORT elements, one of them "UNKNOWN"; type codes passport 78, id 28 + ssn 1,
    # other 26 - 1 + drivinglicence 2 + travelcardid 2.
    identifiers = Counter(i.kind for e in v1.entities for i in e.identifiers)
    assert identifiers == {IdKind.PASSPORT: 78, IdKind.NATIONAL_ID: 29, IdKind.OTHER: 29}
    # ISO alpha-3 codes all map except the defunct Yugoslavia, which is reported.
    assert v1.warnings == ["unknown country 'YUG'"]


def test_person_field_by_field(v1: ParsedList) -> None:
    entity = _by_id(v1, "13")
    assert entity.schema == Schema.PERSON
    primary = entity.names[0]
    assert (primary.full, primary.first, primary.last) == (
        "Saddam Hussein Al-Tikriti", "Saddam", "Hussein Al-Tikriti",
    )
    assert [(n.full, n.kind, n.lang) for n in entity.names[1:]] == [
        ("Abu Ali", NameKind.ALIAS, None),
        ("Abou Ali", NameKind.ALIAS, "fr"),
    ]
    assert entity.gender == "male"
    assert entity.birth_dates == [BirthDate(value="1937-04-28")]
    assert entity.birth_places == ["al-Awja, near Tikrit, Iraq"]
    assert entity.nationalities == ["IQ"]
    assert entity.programs == ["IRQ"]
    assert entity.listed_on == "2003-07-07"
    assert entity.remarks == "(UNSC RESOLUTION 1483)\nLegal basis: 1210/2003 (OJ L169)"
    assert entity.source_url == (
        "http://eur-lex.europa.eu/LexUriServ/LexUriServ.do?uri=OJ:L:2003:169:0006:0023:EN:PDF"
    )


def test_repeated_names_and_passport_text(v1: ParsedList) -> None:
    entity = _by_id(v1, "1")
    assert [n.full for n in entity.names] == ["Robert Gabriel Mugabe"]  # given twice
    assert entity.remarks is not None and "Function: President; president" in entity.remarks
    assert entity.birth_places == ["Kutama"]
    passport = entity.identifiers[0]
    # "AD001095 (passport-National passport) ((passport))"
    assert (passport.kind, passport.value, passport.raw_type, passport.note) == (
        IdKind.PASSPORT, "AD001095", "National passport", "((passport))",
    )


def test_travel_document_address_and_countries(v1: ParsedList) -> None:
    entity = _by_id(v1, "3221")
    assert [n.full for n in entity.names] == [
        "Dieman Abdulkadir Izzat", "Deiman Alhasenben Ali Aljabbari",
    ]
    assert entity.addresses == [Address(text="[Bavaria], Germany", city="[Bavaria]", country="DE")]
    assert entity.countries == ["DE"]
    assert entity.nationalities == ["IQ"]
    assert entity.birth_places == ["Kirkuk, Iraq"]
    document = entity.identifiers[0]
    assert (document.kind, document.value, document.country, document.raw_type) == (
        IdKind.OTHER, "A 0141062", "DE", "Temporary Travel Document",
    )


def test_enterprise_and_approximate_range(v1: ParsedList) -> None:
    organisation = _by_id(v1, "201")
    assert organisation.schema == Schema.ORGANIZATION
    assert organisation.caption == "Abu Nidal Organisation"
    assert "Conseil révolutionnaire du Fatah" in {n.full for n in organisation.names}
    ranges = [
        b for e in v1.entities for b in e.birth_dates if b.until is not None
    ]
    assert len(ranges) == 17
    assert all(b.approximate for b in ranges)  # "1960 - 1962 (approximative)"


def test_spec(v1_path: Path, shared_data: Path) -> None:
    assert eu_v1.SPEC.name == "eu_fsf_v1" and eu_v1.SPEC.default_list_id == "eu_fsf"
    assert eu_v1.SPEC.sniff(v1_path, v1_path.read_bytes()[:65536])
    un_file = shared_data / "un" / "consolidated_2018-10-29.xml"
    assert not eu_v1.SPEC.sniff(un_file, un_file.read_bytes()[:65536])


# --- bad input ----------------------------------------------------------------------------


def _write(tmp_path: Path, text: str | bytes) -> Path:
    path = tmp_path / "eu_v1.xml"
    if isinstance(text, str):
        path.write_text(text, encoding="utf-8")
    else:
        path.write_bytes(text)
    return path


def test_file_cut_mid_way(v1_path: Path, tmp_path: Path) -> None:
    data = v1_path.read_bytes()
    path = _write(tmp_path, data[: len(data) // 3])
    with pytest.raises(ListFormatError, match="malformed XML") as error:
        eu_v1.load([path])
    assert error.value.path == str(path)
    assert str(error.value.record).startswith("line ")


def test_empty_file(tmp_path: Path) -> None:
    with pytest.raises(ListFormatError, match="malformed XML"):
        eu_v1.load([_write(tmp_path, b"")])


def test_wrong_root_element(tmp_path: Path) -> None:
    text = HEAD + ONE_ENTITY.format(name="X").replace("WHOLE", "PART")
    with pytest.raises(ListFormatError, match="root element is <PART>"):
        eu_v1.load([_write(tmp_path, text)])


def test_no_entities(tmp_path: Path) -> None:
    with pytest.raises(ListFormatError, match="no ENTITY"):
        eu_v1.load([_write(tmp_path, HEAD + '<WHOLE Date="11/02/2016"></WHOLE>')])


def test_unknown_type_names_the_entity(tmp_path: Path) -> None:
    text = HEAD + ONE_ENTITY.format(name="X").replace('Type="P"', 'Type="Z"')
    with pytest.raises(ListFormatError, match="unknown ENTITY Type 'Z'") as error:
        eu_v1.load([_write(tmp_path, text)])
    assert error.value.record == "7"


def test_entity_without_name(tmp_path: Path) -> None:
    with pytest.raises(ListFormatError, match="without a NAME") as error:
        eu_v1.load([_write(tmp_path, HEAD + ONE_ENTITY.format(name=" "))])
    assert error.value.record == "7"


def test_xxe_is_refused(tmp_path: Path) -> None:
    doctype = '<!DOCTYPE WHOLE [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>\n'
    path = _write(tmp_path, HEAD + doctype + ONE_ENTITY.format(name="&xxe;"))
    with pytest.raises(ListFormatError, match="refused for safety"):
        eu_v1.load([path])


def test_billion_laughs_is_refused(tmp_path: Path) -> None:
    entities = ['<!ENTITY lol0 "lol">'] + [
        f'<!ENTITY lol{i} "{f"&lol{i - 1};" * 10}">' for i in range(1, 10)
    ]
    doctype = f"<!DOCTYPE WHOLE [{''.join(entities)}]>\n"
    path = _write(tmp_path, HEAD + doctype + ONE_ENTITY.format(name="&lol9;"))
    with pytest.raises(ListFormatError, match="refused for safety"):
        eu_v1.load([path])
