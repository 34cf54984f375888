"""EU FSF XML 1.1: the schema-valid hand-made fixture, streaming, and bad input."""

from __future__ import annotations

import re
from collections import Counter
from pathlib import Path

import pytest
from lxml import etree

from lists import eu_fsf
from lists.errors import ListFormatError
from lists.model import Address, BirthDate, Entity, IdKind, NameKind, ParsedList, Schema

FIXTURE = Path(__file__).resolve().parent.parent / "fixtures" / "eu_fsf" / "eu_fsf_sample.xml"
HEAD = '<?xml version="1.0" encoding="UTF-8"?>\n'


@pytest.fixture(scope="module")
def sample() -> ParsedList:
    return eu_fsf.load([FIXTURE])


def _by_id(parsed: ParsedList, entity_id: str) -> Entity:
    return next(entity for entity in parsed.entities if entity.entity_id == entity_id)


def _fixture_text() -> str:
    return FIXTURE.read_text(encoding="utf-8")


def test_fixture_is_valid_against_the_official_schema(shared_data: Path) -> None:
    schema = etree.XMLSchema(etree.parse(str(shared_data / "schemas" / "eu_fsf_schema_1_1.xsd")))
    document = etree.parse(str(FIXTURE))
    assert schema.validate(document), schema.error_log
    # And the schema does reject a broken export, so the check above means something.
    broken = etree.fromstring(_fixture_text().encode().replace(b' globalFileId="150011"', b""))
    assert not schema.validate(broken)


def test_counts(sample: ParsedList) -> None:
    assert sample.list_id == "eu_fsf"
    assert sample.format == "eu_fsf"
    assert sample.published == "2024-05-03T17:28:26.521+02:00"
    assert len(sample.entities) == 8
    assert Counter(e.schema for e in sample.entities) == {
        Schema.PERSON: 5, Schema.ORGANIZATION: 3,
    }
    # 27 nameAlias elements; "Hamed ABDOLLAHI" is repeated for the French regulation.
    assert _fixture_text().count("<nameAlias ") == 27
    kinds = Counter(name.kind for e in sample.entities for name in e.names)
    assert kinds == {
        NameKind.PRIMARY: 8,
        NameKind.ALIAS: 8,
        NameKind.WEAK_ALIAS: 6,  # strong="false"
        NameKind.ORIGINAL_SCRIPT: 4,  # two AR persons, one RU person, Hamas in Arabic
    }
    programs = Counter(p for e in sample.entities for p in e.programs)
    assert programs == {"TAQA": 5, "TERR": 2, "AFG": 1}
    identifiers = Counter(i.kind for e in sample.entities for i in e.identifiers)
    assert identifiers == {
        IdKind.PASSPORT: 4, IdKind.NATIONAL_ID: 1, IdKind.OTHER: 1,
        IdKind.REGISTRATION: 1, IdKind.PHONE: 1, IdKind.EMAIL: 1,
    }
    assert sample.warnings == ["120004: ISLAMIC calendar birth date skipped"]


def test_person_with_exact_birth_date_and_passport(sample: ParsedList) -> None:
    entity = _by_id(sample, "120001")
    assert entity.reference == "EU.5210.37"
    assert entity.programs == ["TERR"]
    assert entity.listed_on == "2018-10-22"
    assert entity.source_url == "https://eur-lex.europa.eu/legal-content/EN/TXT/PDF/?uri=CELEX:32019R0024"
    primary = entity.names[0]
    assert (primary.full, primary.first, primary.last) == ("Hamed ABDOLLAHI", "Hamed", "ABDOLLAHI")
    assert [n.full for n in entity.names] == ["Hamed ABDOLLAHI", "Mustafa Abdullahi"]
    assert entity.gender == "male"
    assert entity.birth_dates == [BirthDate(value="1960-08-11")]
    assert entity.birth_places == ["Iran"]
    assert entity.nationalities == ["IR"]
    assert [(i.kind, i.value, i.country) for i in entity.identifiers] == [
        (IdKind.PASSPORT, "D9004878", "IR")
    ]
    assert entity.remarks is None


def test_person_with_arabic_name_and_weak_aliases(sample: ParsedList) -> None:
    entity = _by_id(sample, "120002")
    assert [(n.full, n.kind, n.lang) for n in entity.names] == [
        ("Aiman Muhammed Rabi al-Zawahiri", NameKind.PRIMARY, None),
        ("أيمن محمد ربيع الظواهري", NameKind.ORIGINAL_SCRIPT, "ar"),
        ("Ayman Al-Zawahari", NameKind.ALIAS, None),
        ("Abu Fatma", NameKind.WEAK_ALIAS, None),
        ("Abu Mohammed", NameKind.WEAK_ALIAS, None),
    ]
    assert entity.names[0].middle == "Muhammed Rabi"
    assert entity.remarks == (
        "Leader of Al-Qaida. Former operational and military leader of Egyptian Islamic Jihad.\n"
        "UN reference: QDi.006\nTitle: Dr\nFunction: Operational and military leader of Jihad Group"
    )
    # countryIso2Code="00" (UNKNOWN) gives no country.
    assert [(i.kind, i.value, i.country) for i in entity.identifiers] == [
        (IdKind.PASSPORT, "1084010", "EG"),
        (IdKind.OTHER, "19820215", None),
    ]
    assert entity.birth_places == ["Giza, Egypt"]


def test_person_with_cyrillic_name_passport_and_national_id(sample: ParsedList) -> None:
    entity = _by_id(sample, "120003")
    original = entity.names[1]
    assert (original.full, original.kind, original.lang) == (
        "Абдурахманов Магомед Магомедзакирович", NameKind.ORIGINAL_SCRIPT, "ru",
    )
    assert original.last == "Абдурахманов"
    assert entity.addresses == [
        Address(text="Türkiye", country="TR"), Address(text="Syria", country="SY"),
    ]
    assert entity.countries == ["TR", "SY"]
    passport, national_id = entity.identifiers
    assert (passport.kind, passport.value, passport.country) == (IdKind.PASSPORT, "515458008", "RU")
    assert passport.note == "Russian foreign travel passport; knownExpired"
    assert (national_id.kind, national_id.value) == (IdKind.NATIONAL_ID, "8200203535")
    assert entity.birth_places == [
        "Khadzhalmahi Village, Levashinskiy District, Republic of Dagestan, Russia"
    ]


def test_circa_year_month_and_islamic_birth_dates(sample: ParsedList) -> None:
    entity = _by_id(sample, "120004")
    # circa year, a year+month date, and an ISLAMIC-calendar year that is skipped.
    assert entity.birth_dates == [
        BirthDate(value="1948", approximate=True),
        BirthDate(value="1948-04"),
    ]
    assert [(n.full, n.lang) for n in entity.names] == [
        ("Mohammed Ali Hasan Al-Moayad", None),
        ("Mohamed Ali Hassan Al Mouayad", "fr"),
    ]


def test_year_range_birth_date(sample: ParsedList) -> None:
    entity = _by_id(sample, "120005")
    assert entity.birth_dates == [BirthDate(value="1967", until="1968")]
    assert entity.programs == ["AFG"]
    assert [n.kind for n in entity.names] == [
        NameKind.PRIMARY, NameKind.ORIGINAL_SCRIPT, NameKind.ALIAS, NameKind.WEAK_ALIAS,
    ]


def test_enterprises(sample: ParsedList) -> None:
    group = _by_id(sample, "120006")
    assert group.schema == Schema.ORGANIZATION and group.gender is None
    assert group.addresses == [
        Address(text="Zamboanga City, Mindanao, Philippines", city="Zamboanga City", country="PH")
    ]
    hamas = _by_id(sample, "120007")
    assert hamas.caption == "Hamas"
    assert hamas.remarks == "including 'Hamas-Izz al-Din al-Qassem'"
    army = _by_id(sample, "120008")
    assert [(i.kind, i.value) for i in army.identifiers] == [
        (IdKind.PHONE, "+963 936 016 952"),
        (IdKind.EMAIL, "media@jkw.example"),
        (IdKind.REGISTRATION, "REG-2016-0042"),
    ]


def test_streams_a_large_export(tmp_path: Path) -> None:
    text = _fixture_text()
    body = text[text.index("<sanctionEntity ") : text.index("</export>")]
    copies = [re.sub(r'logicalId="120(\d+)"', rf'logicalId="{n}\1"', body) for n in range(500)]
    head = text[: text.index("<sanctionEntity ")]
    path = tmp_path / "big.xml"
    path.write_text(head + "".join(copies) + "</export>", encoding="utf-8")
    parsed = eu_fsf.load([path])
    assert len(parsed.entities) == 4000
    assert len({e.entity_id for e in parsed.entities}) == 4000
    assert sum(len(e.names) for e in parsed.entities) == 26 * 500


def test_spec(shared_data: Path) -> None:
    assert eu_fsf.SPEC.name == "eu_fsf" and eu_fsf.SPEC.default_list_id == "eu_fsf"
    head = FIXTURE.read_bytes()[:65536]
    assert eu_fsf.SPEC.sniff(FIXTURE, head)
    un_file = shared_data / "un" / "consolidated_2018-10-29.xml"
    assert not eu_fsf.SPEC.sniff(un_file, un_file.read_bytes()[:65536])
    v1 = shared_data / "eu" / "fixtures_2016_v1_0" / "eu_global_2016-02-11_truncated.xml"
    assert not eu_fsf.SPEC.sniff(v1, v1.read_bytes()[:65536])


# --- bad input ----------------------------------------------------------------------------


def _write(tmp_path: Path, text: str | bytes) -> Path:
    path = tmp_path / "eu.xml"
    if isinstance(text, str):
        path.write_text(text, encoding="utf-8")
    else:
        path.write_bytes(text)
    return path


def test_truncated_file(tmp_path: Path) -> None:
    data = FIXTURE.read_bytes()
    path = _write(tmp_path, data[: len(data) * 2 // 3])
    with pytest.raises(ListFormatError, match="malformed XML") as error:
        eu_fsf.load([path])
    assert error.value.path == str(path)
    assert str(error.value.record).startswith("line ")


def test_empty_file(tmp_path: Path) -> None:
    with pytest.raises(ListFormatError, match="malformed XML"):
        eu_fsf.load([_write(tmp_path, b"")])


def test_export_without_entities(tmp_path: Path) -> None:
    text = HEAD + f'<export xmlns="{eu_fsf.NAMESPACE}" generationDate="2024-01-01T00:00:00" />'
    with pytest.raises(ListFormatError, match="no sanctionEntity"):
        eu_fsf.load([_write(tmp_path, text)])


def test_wrong_root_element(tmp_path: Path) -> None:
    text = _fixture_text().replace("<export ", "<exportList ").replace("</export>", "</exportList>")
    with pytest.raises(ListFormatError, match="root element is <exportList>"):
        eu_fsf.load([_write(tmp_path, text)])


def test_unknown_subject_type_names_the_entity(tmp_path: Path) -> None:
    text = _fixture_text().replace('classificationCode="E"', 'classificationCode="V"', 1)
    with pytest.raises(ListFormatError, match="unknown subjectType 'V'") as error:
        eu_fsf.load([_write(tmp_path, text)])
    assert error.value.record == "120006"


def test_entity_without_logical_id_names_its_line(tmp_path: Path) -> None:
    text = _fixture_text().replace(' logicalId="120002"', "")
    with pytest.raises(ListFormatError, match="without logicalId") as error:
        eu_fsf.load([_write(tmp_path, text)])
    assert str(error.value.record).startswith("line ")


def test_xxe_is_refused(tmp_path: Path) -> None:
    doctype = '<!DOCTYPE export [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>\n'
    text = _fixture_text().replace("<export ", doctype + "<export ", 1)
    text = text.replace('wholeName="Hamas"', 'wholeName="&xxe;"')
    with pytest.raises(ListFormatError, match="refused for safety"):
        eu_fsf.load([_write(tmp_path, text)])


def test_billion_laughs_is_refused(tmp_path: Path) -> None:
    entities = ['<!ENTITY lol0 "lol">'] + [
        f'<!ENTITY lol{i} "{f"&lol{i - 1};" * 10}">' for i in range(1, 10)
    ]
    doctype = f"<!DOCTYPE export [{''.join(entities)}]>\n"
    text = _fixture_text().replace("<export ", doctype + "<export ", 1)
    text = text.replace('wholeName="Hamas"', 'wholeName="&lol9;"')
    with pytest.raises(ListFormatError, match="refused for safety"):
        eu_fsf.load([_write(tmp_path, text)])
