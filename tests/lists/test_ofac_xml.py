"""OFAC sdn.xml-schema loader on the real consolidated.xml files (2018 and 2024 namespaces).

Expected counts were taken from the files independently of the loader (grep of the tags and
an lxml xpath count of idType values), e.g. for 2024: ``grep -c '<sdnEntry>'`` = 443,
``<category>weak`` = 66, f.k.a. strong = 141, a.k.a. strong = 919.
"""

from __future__ import annotations

import time
from collections import Counter
from pathlib import Path

import pytest

from lists.errors import ListFormatError
from lists.model import BirthDate, Entity, Identifier, IdKind, NameKind, ParsedList, Schema
from lists.ofac_xml import SPEC, TypeRole, classify_type, load_file, root_tag, sniff

XML_2024 = "ofac/consolidated_xml_2024-05-06/consolidated.xml"
XML_2018 = "ofac/consolidated_xml_2018-04-06/consolidated.xml"


@pytest.fixture(scope="module")
def cons_2024(shared_data: Path) -> ParsedList:
    return load_file(shared_data / XML_2024)


@pytest.fixture(scope="module")
def cons_2018(shared_data: Path) -> ParsedList:
    return load_file(shared_data / XML_2018)


def _by_id(parsed: ParsedList) -> dict[str, Entity]:
    return {entity.entity_id: entity for entity in parsed.entities}


def _count(parsed: ParsedList) -> Counter[str]:
    counts: Counter[str] = Counter()
    for entity in parsed.entities:
        counts[f"schema:{entity.schema}"] += 1
        counts.update(f"name:{name.kind}" for name in entity.names)
        counts.update(f"id:{ident.kind}" for ident in entity.identifiers)
        counts["addresses"] += len(entity.addresses)
        counts["birth_dates"] += len(entity.birth_dates)
        counts["birth_places"] += len(entity.birth_places)
        counts["nationalities"] += len(entity.nationalities)
        counts["programs"] += len(entity.programs)
        counts["gender"] += entity.gender is not None
    return counts


# --- real files: exact counts ----------------------------------------------------------------


def test_2024_header_and_counts(cons_2024: ParsedList) -> None:
    assert cons_2024.list_id == "us_ofac_cons"  # "consolidated.xml": non-SDN list
    assert cons_2024.format == "ofac_xml"
    assert cons_2024.published == "2024-05-06"
    assert len(cons_2024.entities) == 443  # = Record_Count
    assert cons_2024.warnings == []
    assert _count(cons_2024) == Counter(
        {
            "schema:Organization": 364,
            "schema:Person": 79,
            "name:primary": 443,
            "name:alias": 919,  # a.k.a. strong: 836 without + 83 with firstName
            "name:weak_alias": 66,  # 63 a.k.a. weak + 3 f.k.a. weak
            "name:former": 141,  # f.k.a. strong
            # idType counts: Registration ID 209 + Government Gazette Number 154 + USCC 58 +
            # Registration Number 29 + Public Registration Number 7 + Business Registration
            # Number 2 + Company Number 1 + C.R. No. 1
            "id:registration": 461,
            "id:tax_id": 212,  # Tax ID No. 211 + V.A.T. Number 1
            "id:other": 172,  # ISIN 165 + BIK (RU) 6 + License 1
            "id:email": 126,
            "id:bic": 33,
            "id:lei": 9,
            "id:passport": 1,
            "addresses": 503,
            "birth_dates": 74,
            "birth_places": 20,
            "nationalities": 2,  # 1 nationality + 1 citizenship
            "programs": 512,
            "gender": 2,
        }
    )


def test_2018_header_and_counts(cons_2018: ParsedList) -> None:
    assert cons_2018.list_id == "us_ofac_cons"
    assert cons_2018.published == "2018-04-06"
    assert len(cons_2018.entities) == 639
    assert cons_2018.warnings == []
    assert _count(cons_2018) == Counter(
        {
            "schema:Organization": 471,
            "schema:Person": 94,
            "schema:Vessel": 74,
            "name:primary": 639,
            "name:alias": 1024,
            "name:weak_alias": 46,  # 45 a.k.a. + 1 f.k.a.
            "name:former": 185,
            # Registration ID 242 + Government Gazette Number 151 + Public Registration
            # Number 14 + UK Company Number 9 + 4 singles (Company Number, Commercial
            # Registry Number, Business Registration Document #, Trade License No.)
            "id:registration": 420,
            "id:tax_id": 181,  # Tax ID No. 180 + V.A.T. Number 1
            "id:email": 150,
            "id:imo": 74,  # Vessel Registration Identification
            "id:call_sign": 53,  # vesselInfo/callSign
            "id:bic": 49,
            "id:mmsi": 45,
            "id:passport": 14,
            "id:other": 4,  # BIK (RU) 3 + License 1
            "addresses": 711,
            "birth_dates": 87,
            "birth_places": 22,
            "nationalities": 11,  # 4 nationality + 7 citizenship
            "programs": 647,
        }
    )


def test_websites_are_skipped(cons_2024: ParsedList) -> None:
    # 177 Website idList items in the file; none becomes an identifier or a remark.
    assert not any("www." in (i.value or "") for e in cons_2024.entities for i in e.identifiers)
    assert not any("Website" in (e.remarks or "") for e in cons_2024.entities)


# --- real files: entries field by field ------------------------------------------------------


def test_person_with_strong_aliases(cons_2024: ParsedList) -> None:
    entity = _by_id(cons_2024)["9639"]
    assert entity.schema == Schema.PERSON
    assert [(n.full, n.kind, n.first, n.last) for n in entity.names] == [
        ("Ismail Abdul Salah HANIYA", NameKind.PRIMARY, "Ismail Abdul Salah", "HANIYA"),
        ("Ismail HANIYA", NameKind.ALIAS, "Ismail", "HANIYA"),
        ("Ismaeel HANIYYA", NameKind.ALIAS, "Ismaeel", "HANIYYA"),
    ]
    assert entity.birth_dates == [BirthDate("1962")]
    assert entity.birth_places == ["Shati"]
    assert entity.programs == ["NS-PLC"]
    assert entity.source_url == "https://sanctionssearch.ofac.treas.gov/Details.aspx?id=9639"
    assert entity.remarks is None


def test_weak_aliases_gender_region_and_sanctions_note(cons_2024: ParsedList) -> None:
    entity = _by_id(cons_2024)["9647"]
    assert [(n.full, n.kind) for n in entity.names] == [
        ("Mahmoud Khaled ZAHHAR", NameKind.PRIMARY),
        ("Mahmoud Khaled AL ZAHAR", NameKind.ALIAS),
        # lastName "ZAHAR, Mahmoud" (legacy order) split into its parts
        ("Mahmoud ZAHAR", NameKind.WEAK_ALIAS),
        ("Mahmoud AL-ZAHAR", NameKind.WEAK_ALIAS),
    ]
    assert (entity.names[2].first, entity.names[2].last) == ("Mahmoud", "ZAHAR")
    assert entity.gender == "male"
    assert entity.nationalities == ["PS"]  # "Palestinian"
    assert entity.countries == ["PS"]  # address country "Region: Gaza"
    assert entity.programs == ["NS-PLC", "SDGT"]
    assert entity.identifiers == []
    assert entity.remarks == (
        "(Linked To: HAMAS); Secondary sanctions risk: section 1(b) of Executive Order 13224,"
        " as amended by Executive Order 13886"
    )


def test_passport_citizenship_and_day_birth_date(cons_2024: ParsedList) -> None:
    entity = _by_id(cons_2024)["26182"]
    assert entity.caption == "Evren KAYAKIRAN"
    assert entity.identifiers == [
        Identifier(IdKind.PASSPORT, "U00242309", country="TR", raw_type="Passport")
    ]
    assert entity.gender == "male"
    assert entity.birth_dates == [BirthDate("1980-02-08")]
    assert entity.nationalities == ["TR"]
    assert [(a.text, a.city, a.country) for a in entity.addresses] == [(None, None, "TR")]
    assert entity.programs == ["FSE-IR"]


def test_entity_address_and_notes_2018(cons_2018: ParsedList) -> None:
    entity = _by_id(cons_2018)["4632"]
    assert entity.schema == Schema.ORGANIZATION
    assert [n.full for n in entity.names] == [
        "BANK MARKAZI JOMHOURI ISLAMI IRAN",
        "CENTRAL BANK OF THE ISLAMIC REPUBLIC OF IRAN",
        "BANK MARKAZI IRAN",
        "CENTRAL BANK OF IRAN",
    ]
    assert all(n.first is None and n.last is None for n in entity.names)
    assert [(a.text, a.city, a.country) for a in entity.addresses] == [
        ("PO Box 15875/7177, 144 Mirdamad Blvd", "Tehran", "IR"),
        ("213 Ferdowsi Avenue, 11365", "Tehran", "IR"),
    ]
    assert entity.countries == ["IR"]
    assert entity.identifiers == []  # both idList items are sanctions notes
    assert entity.remarks is not None
    assert entity.remarks.startswith("Additional Sanctions Information - Not on the SDN List")
    assert entity.remarks.endswith(
        "For more information, please see: "
        "https://www.treasury.gov/resource-center/sanctions/Programs/Documents/jcpoa_faqs.pdf"
    )


def test_vessel_2018(cons_2018: ParsedList) -> None:
    entity = _by_id(cons_2018)["15036"]
    assert entity.schema == Schema.VESSEL
    assert [(n.full, n.kind) for n in entity.names] == [
        ("SHONA", NameKind.PRIMARY), ("ABADAN", NameKind.FORMER), ("ALPHA", NameKind.FORMER),
    ]
    assert [(i.kind, i.value) for i in entity.identifiers] == [
        (IdKind.MMSI, "572469210"),
        (IdKind.IMO, "9187629"),  # "IMO 9187629" cleaned
        (IdKind.CALL_SIGN, "T2EU4"),
    ]
    assert entity.countries == ["TZ"]  # vesselFlag Tanzania; former flags are notes only
    assert entity.remarks is not None
    assert "Former Vessel Flag: Malta" in entity.remarks
    assert entity.remarks.endswith(
        "Vessel type: Crude/Oil Products Tanker; Tonnage: 99144; GRT: 56068"
    )


def test_title_and_birth_year_range_2018(cons_2018: ParsedList) -> None:
    entity = _by_id(cons_2018)["15960"]
    assert entity.birth_dates == [BirthDate("1953", until="1954")]  # 01 Jan 1953 to 31 Dec 1954
    assert entity.identifiers == [
        Identifier(IdKind.PASSPORT, "H20676140", country="IR", raw_type="Passport")
    ]
    assert entity.remarks is not None
    assert entity.remarks.startswith("Title: Managing Director, National Iranian Oil Company;")


# --- list id, format spec, sniffing ----------------------------------------------------------


def test_list_id_from_file_name_or_argument(shared_data: Path, tmp_path: Path) -> None:
    sdn = tmp_path / "sdn.xml"
    sdn.write_bytes((shared_data / XML_2024).read_bytes())
    assert load_file(sdn).list_id == "us_ofac_sdn"
    parsed = SPEC.load([sdn], "my_list")
    assert parsed.list_id == "my_list"
    assert {e.list_id for e in parsed.entities} == {"my_list"}
    with pytest.raises(ListFormatError, match="reads one file, got 2"):
        SPEC.load([sdn, sdn], None)


def test_sniff_claims_both_namespaces_and_nothing_else(shared_data: Path) -> None:
    for relative in (XML_2024, XML_2018):
        path = shared_data / relative
        assert sniff(path, path.read_bytes()[:65536])
    un = shared_data / "un/consolidated_2026-02-27.xml"
    assert not sniff(un, un.read_bytes()[:65536])
    fixture = Path(__file__).parent.parent / "fixtures/ofac_advanced/sdn_advanced_sample.xml"
    assert not sniff(fixture, fixture.read_bytes()[:65536])
    assert not sniff(Path("x.xml"), b'<?xml version="1.0"?><sdnList xmlns="urn:other"/>')
    assert not sniff(Path("x.xml"), b"<sdnList><sdnEntry>")  # no namespace: not OFAC's
    assert not sniff(Path("x.csv"), b"not xml at all")
    head = b'<sdnList xmlns="https://sanctionslistservice.ofac.treas.gov/api/x/exports/XML">'
    assert sniff(Path("x.xml"), head)
    assert root_tag(b"<!DOCTYPE a [<!ENTITY e 'x'>]><sdnList/>") is None


def test_type_classification() -> None:
    assert classify_type("Website")[0] is TypeRole.SKIP
    assert classify_type("Gender")[0] is TypeRole.GENDER
    assert classify_type("Nationality of Registration")[0] is TypeRole.COUNTRY
    assert classify_type("Executive Order 13662 Directive Determination -")[0] is TypeRole.INFO
    assert classify_type("Digital Currency Address - XBT") == (
        TypeRole.IDENTIFIER, IdKind.WALLET, True
    )
    assert classify_type("V.A.T. Number") == (TypeRole.IDENTIFIER, IdKind.TAX_ID, True)
    assert classify_type("Brand New Number") == (TypeRole.IDENTIFIER, IdKind.OTHER, False)


def test_parses_2024_file_well_under_a_second(shared_data: Path) -> None:
    load_file(shared_data / XML_2024)  # warm caches (country table)
    started = time.perf_counter()
    load_file(shared_data / XML_2024)
    assert time.perf_counter() - started < 1.0


# --- bad input --------------------------------------------------------------------------------


def _write(tmp_path: Path, name: str, content: str | bytes) -> Path:
    path = tmp_path / name
    if isinstance(content, str):
        path.write_text(content, encoding="utf-8")
    else:
        path.write_bytes(content)
    return path


def _mini(entries: str, count: int = 1) -> str:
    return (
        '<?xml version="1.0"?><sdnList xmlns="http://tempuri.org/sdnList.xsd">'
        f"<publshInformation><Publish_Date>01/02/2024</Publish_Date>"
        f"<Record_Count>{count}</Record_Count></publshInformation>{entries}</sdnList>"
    )


_ENTRY = (
    "<sdnEntry><uid>1</uid><lastName>{name}</lastName><sdnType>Entity</sdnType>"
    "<programList><program>SDGT</program></programList></sdnEntry>"
)


def test_minimal_document_loads(tmp_path: Path) -> None:
    parsed = load_file(_write(tmp_path, "sdn.xml", _mini(_ENTRY.format(name="ACME"))))
    assert parsed.published == "2024-01-02"
    assert [e.caption for e in parsed.entities] == ["ACME"]


def test_truncated_real_file(shared_data: Path, tmp_path: Path) -> None:
    data = (shared_data / XML_2024).read_bytes()
    path = _write(tmp_path, "consolidated.xml", data[: len(data) // 2])
    with pytest.raises(ListFormatError, match=r"consolidated\.xml \(record line \d+\): malformed"):
        load_file(path)


def test_record_count_mismatch_is_refused(shared_data: Path, tmp_path: Path) -> None:
    text = (shared_data / XML_2024).read_text(encoding="utf-8")
    cut = text.rindex("<sdnEntry>")
    # Well-formed but one entry short: only Record_Count reveals it.
    path = _write(tmp_path, "consolidated.xml", text[:cut] + "</sdnList>\n")
    with pytest.raises(ListFormatError, match="Record_Count says 443 entries but 442") as error:
        load_file(path)
    assert error.value.record == "publshInformation"
    assert error.value.path == str(path)


def test_record_count_not_a_number(tmp_path: Path) -> None:
    path = _write(tmp_path, "sdn.xml", _mini(_ENTRY.format(name="A")).replace(
        "<Record_Count>1<", "<Record_Count>many<"))
    with pytest.raises(ListFormatError, match="Record_Count 'many' is not a number"):
        load_file(path)


def test_empty_file(tmp_path: Path) -> None:
    path = _write(tmp_path, "sdn.xml", b"")
    with pytest.raises(ListFormatError, match=r"sdn\.xml \(record line 1\): file is empty"):
        load_file(path)


def test_garbage(tmp_path: Path) -> None:
    path = _write(tmp_path, "sdn.xml", b"\x00\x01PK\x03\x04 this is not xml" * 20)
    with pytest.raises(ListFormatError, match=r"sdn\.xml \(record line 1\): malformed XML"):
        load_file(path)


def test_wrong_root(shared_data: Path) -> None:
    un = shared_data / "un/consolidated_2026-02-27.xml"
    with pytest.raises(ListFormatError, match="root element is <CONSOLIDATED_LIST>"):
        load_file(un)


def test_xxe_is_refused_and_nothing_read(tmp_path: Path) -> None:
    xxe = (
        '<?xml version="1.0"?><!DOCTYPE sdnList [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>'
        + _mini(_ENTRY.format(name="&xxe;")).split("?>", 1)[1]
    )
    path = _write(tmp_path, "sdn.xml", xxe)
    with pytest.raises(ListFormatError, match="refused for safety") as error:
        load_file(path)
    assert "root:" not in str(error.value)


def test_xxe_after_a_long_prolog_is_not_expanded(tmp_path: Path) -> None:
    # The DOCTYPE sits past the quick head check: the parser itself must not resolve it.
    xxe = (
        '<?xml version="1.0"?><!--' + "x" * 8000 + '-->'
        '<!DOCTYPE sdnList [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>'
        + _mini(_ENTRY.format(name="&xxe;")).split("?>", 1)[1]
    )
    path = _write(tmp_path, "sdn.xml", xxe)
    with pytest.raises(ListFormatError, match=r"sdn\.xml") as error:
        load_file(path)
    assert "root:" not in str(error.value)


def _laughs() -> str:
    entities = '<!ENTITY lol0 "lol">' + "".join(
        f'<!ENTITY lol{i} "{f"&lol{i - 1};" * 10}">' for i in range(1, 10)
    )
    return f"<!DOCTYPE sdnList [{entities}]>"


def test_billion_laughs(tmp_path: Path) -> None:
    doc = '<?xml version="1.0"?>' + _laughs() + _mini(_ENTRY.format(name="&lol9;")).split(
        "?>", 1)[1]
    with pytest.raises(ListFormatError, match="refused for safety"):
        load_file(_write(tmp_path, "sdn.xml", doc))


def test_billion_laughs_after_a_long_prolog(tmp_path: Path) -> None:
    doc = ('<?xml version="1.0"?><!--' + "x" * 8000 + "-->" + _laughs()
           + _mini(_ENTRY.format(name="&lol9;")).split("?>", 1)[1])
    # Refused by the DTD check or stopped by libxml2's amplification limit: either way a
    # clean error naming the file.
    with pytest.raises(ListFormatError, match=r"sdn\.xml.*(refused for safety|malformed XML)"):
        load_file(_write(tmp_path, "sdn.xml", doc))


def test_huge_text_node(tmp_path: Path) -> None:
    doc = _mini(_ENTRY.format(name="A" * (11 * 1024 * 1024)))
    with pytest.raises(ListFormatError, match=r"sdn\.xml \(record line 1\): malformed XML"):
        load_file(_write(tmp_path, "sdn.xml", doc))


def test_entry_without_uid(tmp_path: Path) -> None:
    doc = _mini(_ENTRY.format(name="A").replace("<uid>1</uid>", ""))
    with pytest.raises(ListFormatError, match=r"\(record line 1\): sdnEntry without a numeric uid"):
        load_file(_write(tmp_path, "sdn.xml", doc))


def test_duplicate_uid(tmp_path: Path) -> None:
    doc = _mini(_ENTRY.format(name="A") + _ENTRY.format(name="B"), count=2)
    with pytest.raises(ListFormatError, match=r"\(record uid 1\): duplicate uid"):
        load_file(_write(tmp_path, "sdn.xml", doc))


def test_unknown_types_are_warned_once(tmp_path: Path) -> None:
    entry = _ENTRY.format(name="A").replace(
        "<sdnType>Entity</sdnType>",
        "<sdnType>Spaceship</sdnType><idList><id><uid>2</uid><idType>Brand New Number</idType>"
        "<idNumber>X-1</idNumber><idCountry>Atlantis</idCountry></id></idList>",
    )
    parsed = load_file(_write(tmp_path, "sdn.xml", _mini(entry)))
    assert parsed.entities[0].schema == Schema.ORGANIZATION
    assert parsed.entities[0].identifiers == [
        Identifier(IdKind.OTHER, "X-1", raw_type="Brand New Number")
    ]
    assert parsed.warnings == [
        "uid 1: unknown sdnType 'Spaceship', read as an organisation",
        "unknown country 'Atlantis'",
        "unrecognised type 'Brand New Number' kept as an identifier",
    ]
