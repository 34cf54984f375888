"""OFAC advanced XML loader (sdn_advanced.xml schema).

FIXTURE-TESTED ONLY: no real sdn_advanced.xml is available offline (over 4 MiB, see the shared
data MANIFEST), so these tests run on a hand-written fixture that is validated against the
official XSD here; real files may use reference values the fixture does not show.
"""

from __future__ import annotations

import re
from collections import Counter
from pathlib import Path

import pytest
from lxml import etree

from lists import ofac_xml
from lists.errors import ListFormatError
from lists.model import (
    Address,
    BirthDate,
    Entity,
    Identifier,
    IdKind,
    Name,
    NameKind,
    ParsedList,
    Schema,
)
from lists.ofac_advanced import SPEC, load_file, sniff

FIXTURE = Path(__file__).parent.parent / "fixtures/ofac_advanced/sdn_advanced_sample.xml"
XSD = "schemas/ofac_sdn_advanced.xsd"
OFAC_NS = "https://sanctionslistservice.ofac.treas.gov/api/PublicationPreview/exports/ADVANCED_XML"


@pytest.fixture(scope="module")
def parsed() -> ParsedList:
    return load_file(FIXTURE)


def _by_id(result: ParsedList) -> dict[str, Entity]:
    return {entity.entity_id: entity for entity in result.entities}


def _text() -> str:
    return FIXTURE.read_text(encoding="utf-8")


def _write(tmp_path: Path, text: str | bytes, name: str = "sdn_advanced.xml") -> Path:
    path = tmp_path / name
    if isinstance(text, str):
        path.write_text(text, encoding="utf-8")
    else:
        path.write_bytes(text)
    return path


# --- the fixture is faithful to the official schema ------------------------------------------


def test_fixture_is_valid_against_the_official_xsd(shared_data: Path) -> None:
    schema = etree.XMLSchema(etree.parse(str(shared_data / XSD)))
    assert schema.validate(etree.parse(str(FIXTURE))), schema.error_log
    # The validation is not vacuous: a required attribute missing is caught.
    broken = etree.fromstring(_text().replace(' LowQuality="true"', "", 1).encode())
    assert not schema.validate(broken)
    # And so is a reference to a reference value that does not exist (keyref).
    dangling = etree.fromstring(_text().replace('AliasTypeID="1401"', 'AliasTypeID="9"').encode())
    assert not schema.validate(dangling)


# --- counts and parties field by field -------------------------------------------------------


def test_counts(parsed: ParsedList) -> None:
    assert parsed.format == "ofac_advanced"
    assert parsed.list_id == "us_ofac_sdn"
    assert parsed.published == "2024-05-06"
    assert parsed.warnings == []
    assert [e.entity_id for e in parsed.entities] == [
        "10001", "10002", "10003", "10004", "10005", "10006",
    ]
    assert Counter(e.schema for e in parsed.entities) == {
        Schema.PERSON: 2, Schema.ORGANIZATION: 2, Schema.VESSEL: 1, Schema.AIRCRAFT: 1,
    }
    assert Counter(n.kind for e in parsed.entities for n in e.names) == {
        NameKind.PRIMARY: 6, NameKind.ALIAS: 3, NameKind.FORMER: 2,
        NameKind.WEAK_ALIAS: 1, NameKind.ORIGINAL_SCRIPT: 2,
    }
    assert Counter(i.kind for e in parsed.entities for i in e.identifiers) == {
        IdKind.PASSPORT: 2, IdKind.REGISTRATION: 1, IdKind.BIC: 1, IdKind.EMAIL: 1,
        IdKind.IMO: 1, IdKind.MMSI: 1, IdKind.CALL_SIGN: 1, IdKind.OTHER: 2,
        IdKind.WALLET: 2, IdKind.NATIONAL_ID: 1,
    }


def test_person_with_original_script_weak_alias_range_and_documents(parsed: ParsedList) -> None:
    entity = _by_id(parsed)["10001"]
    assert entity.schema == Schema.PERSON
    assert entity.names == [
        Name("Ahmad Yusuf AL-SAMPLE", NameKind.PRIMARY, first="Ahmad Yusuf", last="AL-SAMPLE"),
        Name("أحمد يوسف السامبل", NameKind.ORIGINAL_SCRIPT, first="أحمد يوسف", last="السامبل"),
        Name("Ahmed AL-SAMPEL", NameKind.ALIAS, first="Ahmed", last="AL-SAMPEL"),
        Name("ABU YUSUF", NameKind.WEAK_ALIAS, last="ABU YUSUF"),
    ]
    assert entity.birth_dates == [BirthDate("1960", until="1962"), BirthDate("1961-05-03")]
    assert entity.birth_places == ["Samplebad, Iraq"]
    assert entity.nationalities == ["JO"]
    assert entity.gender == "male"
    assert entity.addresses == [Address("12 Example Street, 11118", "Amman", "JO")]
    assert entity.countries == ["JO"]
    assert entity.identifiers == [
        Identifier(IdKind.PASSPORT, "K1234567", "JO", "issued 2010-01-15, expires 2020-01-14",
                   "Passport"),
        # Issuer "Burma" has no ISO2 attribute: its name is looked up instead.
        Identifier(IdKind.PASSPORT, "MB 998877", "MM", "fraudulent", "Passport"),
    ]
    assert entity.programs == ["SDGT"]  # the "Block" measure is not a program
    assert entity.listed_on == "2003-08-22"
    assert entity.remarks == (
        "Fictitious test record.; Additional Sanctions Information - Subject to Secondary"
        " Sanctions"
    )
    assert entity.source_url == "https://sanctionssearch.ofac.treas.gov/Details.aspx?id=10001"


def test_entity_with_former_name_and_contact_points(parsed: ParsedList) -> None:
    entity = _by_id(parsed)["10002"]
    assert entity.schema == Schema.ORGANIZATION
    assert entity.names == [
        Name("SAMPLE RELIEF FOUNDATION", NameKind.PRIMARY),
        Name("SRF", NameKind.ALIAS),
        Name("OLD SAMPLE CHARITY", NameKind.FORMER),
    ]
    assert entity.identifiers == [
        Identifier(IdKind.REGISTRATION, "PK-REG-4455", "PK", None, "Registration ID"),
        Identifier(IdKind.BIC, "SMPL PK KA", None, None, "SWIFT/BIC"),
        Identifier(IdKind.EMAIL, "info@sample-relief.example", None, None, "Email Address"),
    ]  # the website feature is skipped
    assert entity.addresses == [
        Address("House 7, Sample Road, Khyber Pakhtunkhwa", "Peshawar", "PK")
    ]
    assert entity.programs == ["SDGT", "IRGC"]
    assert entity.listed_on == "2008-06-11"
    assert entity.remarks == (
        "Organization Established Date: 1998-03-02; Secondary sanctions risk: Section 1(b) -"
        " Executive Order 13224, as amended"
    )


def test_vessel(parsed: ParsedList) -> None:
    entity = _by_id(parsed)["10003"]
    assert entity.schema == Schema.VESSEL
    assert [(n.full, n.kind) for n in entity.names] == [
        ("OCEAN SAMPLE", NameKind.PRIMARY), ("SEA EXAMPLE", NameKind.FORMER),
    ]
    assert [(i.kind, i.value) for i in entity.identifiers] == [
        (IdKind.IMO, "9123456"), (IdKind.MMSI, "422012345"), (IdKind.CALL_SIGN, "9BXX1"),
    ]
    assert entity.countries == ["IR"]  # Vessel Flag, as in the sdn.xml loader
    assert entity.remarks == (
        "Vessel Type: Crude Oil Tanker; Vessel Owner: SAMPLE SHIPPING CO; Vessel Tonnage: 150000"
    )


def test_aircraft(parsed: ParsedList) -> None:
    entity = _by_id(parsed)["10004"]
    assert entity.schema == Schema.AIRCRAFT
    assert entity.caption == "EP-SMP"
    assert [(i.kind, i.value, i.raw_type) for i in entity.identifiers] == [
        (IdKind.OTHER, "30012", "Aircraft Manufacturer's Serial Number (MSN)"),
        (IdKind.OTHER, "EP-SMP", "Aircraft Tail Number"),
    ]
    assert entity.remarks == "Aircraft Model: Airbus A300B4"


def test_digital_currency(parsed: ParsedList) -> None:
    entity = _by_id(parsed)["10005"]
    assert [(i.kind, i.value, i.note) for i in entity.identifiers] == [
        (IdKind.WALLET, "bc1qsampleaddressxyz0000000000000000000000", "XBT"),
        (IdKind.WALLET, "0xAbCdEf0123456789aBcDeF0123456789AbCdEf01", "ETH"),  # case kept
    ]
    assert entity.addresses == [Address(None, None, "AE")]
    assert entity.programs == ["CYBER2"]


def test_person_cyrillic_patronymic_and_approximate_year(parsed: ParsedList) -> None:
    entity = _by_id(parsed)["10006"]
    assert entity.names == [
        Name("Olga Ivanovna PRIMEROVA", NameKind.PRIMARY, first="Olga", middle="Ivanovna",
             last="PRIMEROVA"),
        # Original script keeps the published part order.
        Name("ПРИМЕРОВА Ольга Ивановна", NameKind.ORIGINAL_SCRIPT, first="Ольга",
             middle="Ивановна", last="ПРИМЕРОВА"),
        Name("Olga SAMPLOVA", NameKind.ALIAS, first="Olga", last="SAMPLOVA"),  # n.k.a.
    ]
    assert entity.birth_dates == [BirthDate("1975", approximate=True)]
    assert entity.nationalities == ["RU"]  # Citizenship Country
    assert entity.gender == "female"
    assert entity.identifiers == [
        Identifier(IdKind.NATIONAL_ID, "4501 123456", "RU", None, "National ID No.")
    ]
    assert entity.remarks == "Title: Director, Sample Cyber Unit"
    assert entity.listed_on == "2021-03-02"


# --- list id, namespaces, sniffing ------------------------------------------------------------


def test_ofac_namespace_and_cons_file_name(tmp_path: Path, parsed: ParsedList) -> None:
    text = _text().replace('xmlns="http://www.un.org/sanctions/1.0"', f'xmlns="{OFAC_NS}"')
    path = _write(tmp_path, text, "cons_advanced.xml")
    assert sniff(path, path.read_bytes()[:65536])
    result = load_file(path)
    assert result.list_id == "us_ofac_cons"
    assert [e.names for e in result.entities] == [e.names for e in parsed.entities]
    assert SPEC.load([path], "custom_id").list_id == "custom_id"


def test_sniff_is_precise(shared_data: Path) -> None:
    assert sniff(FIXTURE, FIXTURE.read_bytes()[:65536])
    assert not ofac_xml.sniff(FIXTURE, FIXTURE.read_bytes()[:65536])
    for relative in ("ofac/consolidated_xml_2024-05-06/consolidated.xml",
                     "un/consolidated_2026-02-27.xml"):
        path = shared_data / relative
        assert not sniff(path, path.read_bytes()[:65536])
    assert not sniff(Path("x.xml"), b'<Sanctions xmlns="urn:someone-else"/>')
    assert not sniff(Path("x.xml"), b"<Sanctions>")
    assert not sniff(Path("x.xml"), b"garbage")


def test_many_parties_stream(tmp_path: Path) -> None:
    # 3,000 copies of the vessel party with fresh ids load with every entity.
    text = _text()
    party = re.search(r"    <DistinctParty FixedRef=\"10003\">.*?</DistinctParty>\n", text, re.S)
    assert party is not None
    copies = "".join(
        party[0].replace('"10003"', f'"{900000 + i}"').replace('"50003"', f'"{800000 + i}"')
        for i in range(3000)
    )
    path = _write(tmp_path, text.replace("  </DistinctParties>", copies + "  </DistinctParties>"))
    result = load_file(path)
    assert len(result.entities) == 6 + 3000
    assert result.warnings == [
        "3000 profiles have no SanctionsEntry: "
        + ", ".join(str(900000 + i) for i in range(10)) + ", ..."
    ]


# --- bad input --------------------------------------------------------------------------------


def test_truncated(tmp_path: Path) -> None:
    data = FIXTURE.read_bytes()
    path = _write(tmp_path, data[: len(data) // 2])
    with pytest.raises(ListFormatError, match=r"sdn_advanced\.xml \(record line \d+\): malformed"):
        load_file(path)


def test_empty(tmp_path: Path) -> None:
    with pytest.raises(ListFormatError, match=r"advanced\.xml \(record line 1\): file is empty"):
        load_file(_write(tmp_path, b"  \n"))


def test_garbage(tmp_path: Path) -> None:
    with pytest.raises(ListFormatError, match=r"\(record line 1\): malformed XML"):
        load_file(_write(tmp_path, b"%PDF-1.4 not xml\x00\x01" * 50))


def test_wrong_root(shared_data: Path) -> None:
    path = shared_data / "ofac/consolidated_xml_2024-05-06/consolidated.xml"
    with pytest.raises(ListFormatError, match="root element is <sdnList>, expected <Sanctions>"):
        load_file(path)


def test_xxe(tmp_path: Path) -> None:
    text = _text().replace(
        "<Sanctions ",
        '<!DOCTYPE Sanctions [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>\n<Sanctions ', 1,
    ).replace("Fictitious test record.", "&xxe;")
    with pytest.raises(ListFormatError, match=r"sdn_advanced\.xml") as error:
        load_file(_write(tmp_path, text))
    assert "root:" not in str(error.value)


def test_billion_laughs(tmp_path: Path) -> None:
    entities = '<!ENTITY lol0 "lol">' + "".join(
        f'<!ENTITY lol{i} "{f"&lol{i - 1};" * 10}">' for i in range(1, 10)
    )
    text = _text().replace(
        "<Sanctions ", f"<!DOCTYPE Sanctions [{entities}]>\n<Sanctions ", 1
    ).replace("Fictitious test record.", "&lol9;")
    with pytest.raises(ListFormatError, match=r"sdn_advanced\.xml"):
        load_file(_write(tmp_path, text))


def test_huge_text_node(tmp_path: Path) -> None:
    text = _text().replace("Fictitious test record.", "A" * (11 * 1024 * 1024))
    with pytest.raises(ListFormatError, match=r"\(record line \d+\): malformed XML"):
        load_file(_write(tmp_path, text))


def test_parties_before_reference_values(tmp_path: Path) -> None:
    text = _text()
    start, end = text.index("  <ReferenceValueSets>"), text.index("  <Locations>")
    moved = text[:start] + text[end:]
    moved = moved.replace("  <SanctionsEntryLinks/>", text[start:end] + "  <SanctionsEntryLinks/>")
    with pytest.raises(ListFormatError, match=r"\(record Location 20001\): ReferenceValueSets"):
        load_file(_write(tmp_path, moved))


def test_unknown_reference_value(tmp_path: Path) -> None:
    text = _text().replace('AliasTypeID="1401"', 'AliasTypeID="9999"', 1)
    with pytest.raises(
        ListFormatError, match=r"\(record DistinctParty 10002\): unknown AliasTypeID '9999'"
    ):
        load_file(_write(tmp_path, text))


def test_unknown_location(tmp_path: Path) -> None:
    text = _text().replace('<VersionLocation LocationID="20004"/>',
                           '<VersionLocation LocationID="29999"/>')
    with pytest.raises(ListFormatError, match=r"DistinctParty 10002\): unknown LocationID"):
        load_file(_write(tmp_path, text))


def test_sanctions_entry_without_party_is_a_warning(tmp_path: Path) -> None:
    text = _text().replace('ProfileID="10006" ListID', 'ProfileID="77777" ListID')
    result = load_file(_write(tmp_path, text))
    assert result.warnings == [
        "SanctionsEntry 40006: ProfileID '77777' has no party",
        "1 profiles have no SanctionsEntry: 10006",
    ]
    assert _by_id(result)["10006"].programs == []
