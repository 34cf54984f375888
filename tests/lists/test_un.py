"""UN Security Council consolidated list (XML): real 2026 and 2018 files, and bad input."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import pytest

from lists import un
from lists.errors import ListFormatError
from lists.model import Address, BirthDate, Entity, IdKind, NameKind, ParsedList, Schema

UN_2026 = "consolidated_2026-02-27.xml"
UN_2018 = "consolidated_2018-10-29.xml"
HEAD = '<?xml version="1.0" encoding="UTF-8"?>\n'
ONE_ENTRY = (
    '<CONSOLIDATED_LIST dateGenerated="2020-01-01T00:00:00Z"><INDIVIDUALS><INDIVIDUAL>'
    "<DATAID>1</DATAID><VERSIONNUM>1</VERSIONNUM><FIRST_NAME>{name}</FIRST_NAME>"
    "<SECOND_NAME>DOE</SECOND_NAME><UN_LIST_TYPE>Al-Qaida</UN_LIST_TYPE>"
    "<REFERENCE_NUMBER>QDi.999</REFERENCE_NUMBER><LISTED_ON>2020-01-01</LISTED_ON>"
    "</INDIVIDUAL></INDIVIDUALS><ENTITIES/></CONSOLIDATED_LIST>"
)


@pytest.fixture(scope="module")
def un_2026(shared_data: Path) -> ParsedList:
    return un.load([shared_data / "un" / UN_2026])


@pytest.fixture(scope="module")
def un_2018(shared_data: Path) -> ParsedList:
    return un.load([shared_data / "un" / UN_2018])


def _by_ref(parsed: ParsedList, reference: str) -> Entity:
    return next(entity for entity in parsed.entities if entity.reference == reference)


def _kinds(parsed: ParsedList) -> Counter[NameKind]:
    return Counter(name.kind for entity in parsed.entities for name in entity.names)


# --- real files: counts -------------------------------------------------------------------
# Expected numbers were counted with grep on the raw files: <INDIVIDUAL>, <ENTITY>,
# <QUALITY>Good/Low/a.k.a./f.k.a.</QUALITY>, non-empty <NAME_ORIGINAL_SCRIPT>, the five
# "(original script: ...)" aliases, <TYPE_OF_DATE>BETWEEN/APPROXIMATELY</TYPE_OF_DATE> (minus
# the APPROXIMATELY entries that only hold a note such as "29 years old") and <NUMBER>.


def test_2026_counts(un_2026: ParsedList) -> None:
    assert un_2026.list_id == "un_sc"
    assert un_2026.format == "un_xml"
    assert un_2026.published == "2026-02-27T00:00:09.554Z"
    assert len(un_2026.entities) == 1003
    assert Counter(e.schema for e in un_2026.entities) == {
        Schema.PERSON: 730, Schema.ORGANIZATION: 273,
    }
    assert len({e.entity_id for e in un_2026.entities}) == 1003
    assert _kinds(un_2026) == {
        NameKind.PRIMARY: 1003,
        NameKind.ALIAS: 1524 + 594,  # individual "Good" + entity "a.k.a."
        NameKind.WEAK_ALIAS: 615,  # individual "Low"
        NameKind.FORMER: 19,  # entity "f.k.a."
        NameKind.ORIGINAL_SCRIPT: 378 + 5,
    }
    dates = [b for e in un_2026.entities for b in e.birth_dates]
    assert sum(1 for b in dates if b.until is not None) == 31  # BETWEEN
    assert sum(1 for b in dates if b.approximate) == 116  # APPROXIMATELY with a YEAR
    identifiers = [i for e in un_2026.entities for i in e.identifiers]
    assert len(identifiers) == 454  # every non-empty <NUMBER>
    assert Counter(i.kind for i in identifiers) == {
        IdKind.PASSPORT: 315, IdKind.NATIONAL_ID: 139,
    }
    programs = Counter(p for e in un_2026.entities for p in e.programs)
    assert programs["Al-Qaida"] == 341 and programs["Taliban"] == 140
    # Only two country spellings are left unknown, reported rather than dropped silently.
    assert un_2026.warnings == [
        "unknown country 'China, Hong Kong Special Administrative Region'",
        "unknown country 'former Soviet Union'",
    ]


def test_2018_counts(un_2018: ParsedList) -> None:
    assert un_2018.published == "2018-10-29T19:09:49.856-04:00"
    assert Counter(e.schema for e in un_2018.entities) == {
        Schema.PERSON: 703, Schema.ORGANIZATION: 390,
    }
    assert _kinds(un_2018) == {
        NameKind.PRIMARY: 1093,
        NameKind.ALIAS: 1491 + 562,
        NameKind.WEAK_ALIAS: 595,
        NameKind.FORMER: 15,
        NameKind.ORIGINAL_SCRIPT: 411 + 5,  # 412 tags, one of them blank
    }
    dates = [b for e in un_2018.entities for b in e.birth_dates]
    assert sum(1 for b in dates if b.until is not None) == 31
    assert sum(1 for b in dates if b.approximate) == 122  # 124 minus two note-only ages
    assert sum(len(e.identifiers) for e in un_2018.entities) == 408


# --- real files: entries field by field ---------------------------------------------------


def test_al_qaida_individual_with_arabic_script(un_2026: ParsedList) -> None:
    entity = _by_ref(un_2026, "QDi.006")
    assert entity.entity_id == "111923"
    assert entity.schema == Schema.PERSON
    primary = entity.names[0]
    assert primary.kind == NameKind.PRIMARY
    assert primary.full == "AIMAN MUHAMMED RABI AL-ZAWAHIRI"  # FIRST..FOURTH_NAME, no title
    assert (primary.first, primary.middle, primary.last) == (
        "AIMAN", "MUHAMMED RABI", "AL-ZAWAHIRI",
    )
    original = [n for n in entity.names if n.kind == NameKind.ORIGINAL_SCRIPT]
    assert [(n.full, n.lang) for n in original] == [("أيمن محمد ربيع الظواهري", "ar")]
    assert sum(1 for n in entity.names if n.kind == NameKind.ALIAS) == 13
    weak = [n.full for n in entity.names if n.kind == NameKind.WEAK_ALIAS]
    assert weak == ["Abu Fatma", "Abu Mohammed"]
    assert entity.birth_dates == [BirthDate(value="1951-06-19")]
    assert entity.birth_places == ["Giza, Egypt"]
    assert entity.nationalities == ["EG"]
    assert [(i.kind, i.value, i.country) for i in entity.identifiers] == [
        (IdKind.PASSPORT, "1084010", "EG"),
        (IdKind.PASSPORT, "19820215", None),
    ]
    assert entity.programs == ["Al-Qaida"]
    assert entity.listed_on == "2001-01-25"
    assert entity.remarks is not None and entity.remarks.endswith("Title: Doctor; Dr.")
    assert entity.source_url == f"{un.LIST_PAGE}#QDi.006"


def test_between_birth_date(un_2026: ParsedList) -> None:
    entity = _by_ref(un_2026, "CDi.030")
    assert entity.caption == "BOSCO TAGANDA"
    assert entity.gender == "male"
    assert entity.birth_dates == [BirthDate(value="1973", until="1974")]
    assert entity.birth_dates[0].precision == "range"
    assert entity.birth_places == ["Bigogwe, Rwanda"]
    assert entity.nationalities == ["CD"]
    assert entity.addresses == [Address(text="Belgium", country="BE")]
    assert entity.countries == ["BE"]
    weak = [n.full for n in entity.names if n.kind == NameKind.WEAK_ALIAS]
    assert weak == ["Lydia", "Terminator", "Tango Romeo", "Romeo", "Major"]


def test_approximate_birth_date_next_to_exact(un_2026: ParsedList) -> None:
    entity = _by_ref(un_2026, "CDi.014")
    assert entity.birth_dates == [
        BirthDate(value="1962-03-17"),
        BirthDate(value="1966", approximate=True),
    ]
    assert entity.remarks is not None
    assert entity.remarks.endswith(
        "Designation: FDLR-FOCA Chief of Staff; FDLR-FOCA Interim Deputy Commander"
    )
    assert entity.addresses == [
        Address(text="Kinshasa, Democratic Republic of the Congo", city=None, country="CD")
    ]


def test_entity_with_original_script_and_aliases(un_2026: ParsedList) -> None:
    entity = _by_ref(un_2026, "QDe.004")
    assert entity.schema == Schema.ORGANIZATION
    assert entity.caption == "AL-QAIDA"
    assert entity.gender is None and entity.birth_dates == []
    assert [(n.full, n.lang) for n in entity.names if n.kind == NameKind.ORIGINAL_SCRIPT] == [
        ("القاعدة", "ar")
    ]
    aliases = [n.full for n in entity.names if n.kind == NameKind.ALIAS]
    assert len(aliases) == 10
    assert aliases[0] == '"The Base"' and aliases[-1] == "Al Qa’ida/Islamic Army"


def test_alias_with_original_script_note_is_split(un_2026: ParsedList) -> None:
    entity = _by_ref(un_2026, "QDi.396")
    assert [(n.full, n.kind, n.lang) for n in entity.names[2:]] == [
        ("Amir Khazmat", NameKind.WEAK_ALIAS, None),
        ("Амир Хазмат", NameKind.ORIGINAL_SCRIPT, "ru"),
        ("Abubakar", NameKind.WEAK_ALIAS, None),
        ("Абубакар", NameKind.ORIGINAL_SCRIPT, "ru"),
    ]


def test_2018_values_padded_with_spaces_are_stripped(un_2018: ParsedList) -> None:
    entity = _by_ref(un_2018, "KPi.033")  # <FIRST_NAME> RI </FIRST_NAME>, <NUMBER> 381310014
    assert entity.caption == "RI WON HO"
    assert (entity.names[0].first, entity.names[0].last) == ("RI", "WON HO")
    assert [i.value for i in entity.identifiers] == ["381310014"]
    assert entity.nationalities == ["KP"]
    assert entity.birth_dates == [BirthDate(value="1964-07-17")]


def test_spec_sniffs_un_files_only(shared_data: Path) -> None:
    assert un.SPEC.name == "un_xml" and un.SPEC.default_list_id == "un_sc"
    head = (shared_data / "un" / UN_2018).read_bytes()[:65536]
    assert un.SPEC.sniff(Path("x.xml"), head)
    eu_head = (shared_data / "eu" / "fixtures_2016_v1_0" / "eu_global_2016-02-11_truncated.xml")
    assert not un.SPEC.sniff(eu_head, eu_head.read_bytes()[:65536])
    assert not un.SPEC.sniff(Path("x.xml"), b"<html><body>CONSOLIDATED_LIST</body></html>")


def test_list_id_override(shared_data: Path) -> None:
    parsed = un.load([shared_data / "un" / UN_2018], "un_test")
    assert parsed.list_id == "un_test"
    assert {e.list_id for e in parsed.entities} == {"un_test"}


# --- bad input ----------------------------------------------------------------------------


def _write(tmp_path: Path, text: str | bytes, name: str = "un.xml") -> Path:
    path = tmp_path / name
    if isinstance(text, str):
        path.write_text(text, encoding="utf-8")
    else:
        path.write_bytes(text)
    return path


def test_truncated_file(shared_data: Path, tmp_path: Path) -> None:
    data = (shared_data / "un" / UN_2026).read_bytes()
    path = _write(tmp_path, data[: len(data) // 2])
    with pytest.raises(ListFormatError, match="malformed XML") as error:
        un.load([path])
    assert error.value.path == str(path)
    assert str(error.value.record).startswith("line ")


def test_empty_file(tmp_path: Path) -> None:
    with pytest.raises(ListFormatError, match="malformed XML"):
        un.load([_write(tmp_path, b"")])


def test_no_entries(tmp_path: Path) -> None:
    text = HEAD + '<CONSOLIDATED_LIST dateGenerated="2020-01-01T00:00:00Z"/>'
    with pytest.raises(ListFormatError, match="no INDIVIDUAL or ENTITY"):
        un.load([_write(tmp_path, text)])


def test_wrong_root_element(tmp_path: Path) -> None:
    text = HEAD + ONE_ENTRY.format(name="JOHN").replace("CONSOLIDATED_LIST", "OTHER_LIST")
    with pytest.raises(ListFormatError, match="root element is <OTHER_LIST>"):
        un.load([_write(tmp_path, text)])


def test_entry_without_dataid_names_its_line(tmp_path: Path) -> None:
    text = HEAD + ONE_ENTRY.format(name="JOHN").replace("<DATAID>1</DATAID>", "")
    with pytest.raises(ListFormatError, match="without DATAID") as error:
        un.load([_write(tmp_path, text)])
    assert error.value.record == "line 2"


def test_entry_without_name_names_its_reference(tmp_path: Path) -> None:
    text = HEAD + ONE_ENTRY.format(name=" ").replace("<SECOND_NAME>DOE</SECOND_NAME>", "")
    with pytest.raises(ListFormatError, match="without a name") as error:
        un.load([_write(tmp_path, text)])
    assert error.value.record == "QDi.999"
    assert error.value.path.endswith("un.xml")


def test_xxe_is_refused(tmp_path: Path) -> None:
    doctype = '<!DOCTYPE CONSOLIDATED_LIST [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>\n'
    path = _write(tmp_path, HEAD + doctype + ONE_ENTRY.format(name="&xxe;"))
    with pytest.raises(ListFormatError, match="refused for safety"):
        un.load([path])


def test_xxe_hidden_behind_a_long_comment_is_refused(tmp_path: Path) -> None:
    doctype = '<!DOCTYPE CONSOLIDATED_LIST [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>\n'
    padding = "<!--" + "x" * 10_000 + "-->\n"
    path = _write(tmp_path, HEAD + padding + doctype + ONE_ENTRY.format(name="&xxe;"))
    with pytest.raises(ListFormatError, match="refused for safety"):
        un.load([path])


def test_billion_laughs_is_refused(tmp_path: Path) -> None:
    entities = ['<!ENTITY lol0 "lol">'] + [
        f'<!ENTITY lol{i} "{f"&lol{i - 1};" * 10}">' for i in range(1, 10)
    ]
    doctype = f"<!DOCTYPE CONSOLIDATED_LIST [{''.join(entities)}]>\n"
    path = _write(tmp_path, HEAD + doctype + ONE_ENTRY.format(name="&lol9;"))
    with pytest.raises(ListFormatError, match="refused for safety"):
        un.load([path])


def test_oversized_text_node_is_refused(tmp_path: Path) -> None:
    # libxml2 refuses text nodes over 10 MB unless huge_tree is on; ours stays off.
    path = _write(tmp_path, HEAD + ONE_ENTRY.format(name="A" * 11_000_000))
    with pytest.raises(ListFormatError, match="malformed XML"):
        un.load([path])


def test_html_error_page(tmp_path: Path) -> None:
    path = _write(tmp_path, "<html><head><title>502</title></head><body>Bad gateway</body></html>")
    with pytest.raises(ListFormatError, match="no INDIVIDUAL or ENTITY"):
        un.load([path])


def test_several_files_are_refused(shared_data: Path) -> None:
    path = shared_data / "un" / UN_2018
    with pytest.raises(ListFormatError, match="one XML file"):
        un.load([path, path])
