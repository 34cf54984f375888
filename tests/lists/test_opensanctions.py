"""OpenSanctions loaders: FollowTheMoney JSON lines and the targets.simple.csv export."""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path
from typing import Any

import pytest

from lists import ftm, os_simple
from lists.errors import ListFormatError
from lists.model import Entity, IdKind, NameKind, ParsedList, Schema


def _by_id(parsed: ParsedList, entity_id: str) -> Entity:
    return next(entity for entity in parsed.entities if entity.entity_id == entity_id)


def _schemas_in(path: Path) -> Counter[str]:
    lines = path.read_text(encoding="utf-8").splitlines()
    return Counter(json.loads(line)["schema"] for line in lines if line.strip())


# --- FtM JSON lines, real samples ---------------------------------------------------------


@pytest.fixture(scope="module")
def zala(shared_data: Path) -> ParsedList:
    return ftm.load([shared_data / "opensanctions" / "ftm_samples" / "zala.entities.ftm.json"])


def test_zala_counts(shared_data: Path, zala: ParsedList) -> None:
    path = shared_data / "opensanctions" / "ftm_samples" / "zala.entities.ftm.json"
    assert _schemas_in(path) == {
        "Sanction": 41, "Ownership": 14, "Company": 11, "Address": 11, "Person": 6,
        "Family": 4, "Directorship": 3, "Passport": 1,
    }
    # 17 Person/Company entities, 3 of them related companies with "target": false.
    assert len(zala.entities) == 14
    assert Counter(e.schema for e in zala.entities) == {
        Schema.ORGANIZATION: 8, Schema.PERSON: 6,
    }
    assert zala.warnings == ["3 non-target entities skipped (related parties, not listed)"]
    # Distinct spellings (case-insensitive) of name / alias / weakAlias over the 14 targets.
    kinds = Counter(n.kind for e in zala.entities for n in e.names)
    assert kinds == {NameKind.PRIMARY: 145, NameKind.ALIAS: 60, NameKind.WEAK_ALIAS: 7}
    assert zala.list_id == "os_zala"  # targets come from many datasets: file name
    assert zala.published == "2026-04-29T12:53:04"


def test_zala_person_fields(zala: ParsedList) -> None:
    person = _by_id(zala, "NK-2Tbri3s6GgNtAwsSXh4qpL")
    assert person.caption == "Maria Aleksandrovna Osetrova"
    assert person.birth_dates[0].value == "1988-01-07"
    assert person.gender == "female"
    assert person.nationalities == ["RU"]
    assert person.birth_places == ["Russia", "Izhevsk"]
    assert (IdKind.TAX_ID, "183116181362") in {(i.kind, i.value) for i in person.identifiers}
    assert person.programs[:3] == ["UA-SA1644", "US-RUSHAR", "GB-RUS"]
    assert person.source_url is not None and person.source_url.startswith("https://")
    assert "Zakharova Mariia Oleksandrivna" in {
        n.full for n in person.names if n.kind == NameKind.ALIAS
    }


def test_zala_sanctions_enrich_targets(zala: ParsedList) -> None:
    # Sanction entities pointing at these targets carry their listing dates.
    assert _by_id(zala, "NK-abdzbEBkqyT29GyREbiURZ").listed_on == "2021-10-30"
    assert _by_id(zala, "NK-aU5ybkbRFJucf8YMwsJvDw").listed_on == "2023-07-01"
    kalashnikov = _by_id(zala, "NK-abdzbEBkqyT29GyREbiURZ")
    assert "AU-RUSSIA" in kalashnikov.programs  # from the DFAT Sanction's programId


def test_eu_fsf_sample(shared_data: Path) -> None:
    path = shared_data / "opensanctions" / "ftm_samples" / "eu_fsf_t1.entities.ftm.json"
    assert _schemas_in(path) == {"Person": 4, "Organization": 2, "Address": 1}
    parsed = ftm.load([path])
    assert parsed.list_id == "os_eu_fsf"  # one dataset
    assert Counter(e.schema for e in parsed.entities) == {
        Schema.PERSON: 4, Schema.ORGANIZATION: 2,
    }
    assert sum(len(e.names) for e in parsed.entities) == 35
    tobacco = _by_id(parsed, "NK-2GdmHtZTeNXjNVrBGEXZNj")
    assert tobacco.caption == "RAB „Inter Tobacco“"
    assert "Общество с ограниченной ответственностью “Интер Тобако”" in {
        n.full for n in tobacco.names
    }
    assert [(i.kind, i.value) for i in tobacco.identifiers] == [
        (IdKind.REGISTRATION, "808000714"),
    ]
    assert tobacco.countries == ["BY"]
    assert ftm.load([path], list_id="mine").list_id == "mine"


def _entity(entity_id: str, schema: str, target: bool = False, **props: list[str]) -> str:
    record: dict[str, Any] = {
        "id": entity_id, "schema": schema, "properties": props, "datasets": ["test"],
        "target": target,
    }
    return json.dumps(record, ensure_ascii=False)


def test_links_enrich_target(tmp_path: Path) -> None:
    lines = [
        _entity("p1", "Person", True, name=["John DOE"], firstName=["John"], lastName=["DOE"],
                addressEntity=["a1"], weakAlias=["Johnny"], previousName=["John SMITH"]),
        _entity("a1", "Address", full=["1 Main St, Paris"], city=["Paris"], country=["fr"]),
        _entity("s1", "Sanction", entity=["p1"], programId=["TEST-1"], listingDate=["2020-05-01"]),
        _entity("s2", "Sanction", entity=["p1"], program=["Other"], startDate=["2019-01-02"]),
        _entity("pp", "Passport", holder=["p1"], passportNumber=["X123"], country=["de"]),
        _entity("id", "Identification", holder=["p1"], number=["99-1"], type=["ID card"]),
        _entity("v1", "Vessel", True, name=["SEA STAR"], imoNumber=["IMO1234567"]),
        _entity("air", "Airplane", True, name=["EP-ABC"]),
    ]
    path = tmp_path / "t.entities.ftm.json"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    parsed = ftm.load([path])
    assert parsed.list_id == "os_test"
    person = _by_id(parsed, "p1")
    assert [(n.full, n.kind) for n in person.names] == [
        ("John DOE", NameKind.PRIMARY), ("John SMITH", NameKind.FORMER),
        ("Johnny", NameKind.WEAK_ALIAS),
    ]
    assert (person.names[0].first, person.names[0].last) == ("John", "DOE")
    assert person.programs == ["TEST-1", "Other"]
    assert person.listed_on == "2019-01-02"
    assert [(a.text, a.city, a.country) for a in person.addresses] == [
        ("1 Main St, Paris", "Paris", "FR"),
    ]
    assert person.countries == ["FR"]
    assert [(i.kind, i.value, i.country) for i in person.identifiers] == [
        (IdKind.PASSPORT, "X123", "DE"), (IdKind.NATIONAL_ID, "99-1", None),
    ]
    assert _by_id(parsed, "v1").schema == Schema.VESSEL
    assert _by_id(parsed, "air").schema == Schema.AIRCRAFT
    assert ftm.SPEC.sniff(path, path.read_bytes())


@pytest.mark.parametrize(
    ("content", "message", "record"),
    [
        (b"", "empty", None),
        (b'{"id": "x", "schema": "Person", "properties": {}}\n{"id": "y", broken\n',
         "invalid JSON", "line 2"),
        (b"[1, 2]\n", "not a FtM entity object", "line 1"),
        (b'{"schema": "Person", "properties": {}}\n', "entity without id", "line 1"),
        (b'{"id": "x", "schema": "Person", "properties": {}}\n' * 2, "duplicate entity id x",
         "line 2"),
        (b'{"id": "x", "schema": "Person", "properties": {"name": ["\xe9"]}}\n', "not UTF-8",
         "line 1"),
    ],
)
def test_ftm_bad_input(tmp_path: Path, content: bytes, message: str, record: str | None) -> None:
    path = tmp_path / "bad.ftm.json"
    path.write_bytes(content)
    with pytest.raises(ListFormatError, match=message) as info:
        ftm.load([path])
    assert info.value.record == record
    assert str(path) in str(info.value)


# --- targets.simple.csv, real exports -----------------------------------------------------


@pytest.fixture(scope="module")
def ua_war(shared_data: Path) -> ParsedList:
    return os_simple.load([shared_data / "opensanctions" / "ua_war_sanctions.targets.simple.csv"])


def test_ua_war_counts(ua_war: ParsedList) -> None:
    # Counted with csv.DictReader: 5,600 rows, 16 columns, one dataset.
    assert ua_war.list_id == "os_ua_war_sanctions"
    assert ua_war.title == "Ukraine War and Sanctions"
    assert len(ua_war.entities) == 5600
    assert Counter(e.schema for e in ua_war.entities) == {
        Schema.PERSON: 1543, Schema.ORGANIZATION: 1524 + 1193, Schema.VESSEL: 1340,
    }
    # 5,600 names + 7,730 ';'-separated aliases (quote-aware), case-insensitive de-duplicated.
    kinds = Counter(n.kind for e in ua_war.entities for n in e.names)
    assert kinds == {NameKind.PRIMARY: 5600, NameKind.ALIAS: 7730 - UA_ALIAS_DUPLICATES}
    assert sum(len(e.identifiers) for e in ua_war.entities) == 8743
    assert Counter(i.kind for e in ua_war.entities for i in e.identifiers)[IdKind.IMO] == 2852
    assert sum(len(e.birth_dates) for e in ua_war.entities) == 1491
    assert ua_war.published == "2026-03-13T05:41:01"


# Aliases equal (ignoring case) to the entity's own name or to an earlier alias.
UA_ALIAS_DUPLICATES = 14


def test_ua_war_fields(ua_war: ParsedList) -> None:
    vessel = _by_id(ua_war, "NK-24cf2zYe7LEKhr2zFck73j")
    assert vessel.schema == Schema.VESSEL
    assert [n.full for n in vessel.names] == ["ROSALIN", "Ceram Sea", "Gold Sun", "Nurkez"]
    assert vessel.countries == ["LR", "PA", "SG", "ST"]
    assert [(i.kind, i.value) for i in vessel.identifiers] == [(IdKind.IMO, "IMO9253325")]
    assert vessel.programs == ["UA-WS-MARE"]
    assert vessel.remarks is None  # the sanctions cell holds one empty quoted value
    person = _by_id(ua_war, "NK-26WkuEefVYLmYk8aTHMC9E")
    assert [n.full for n in person.names] == [
        "IVAKHA Denis Vladimirovich", "ІВАХА Денис Володимирович", "ИВАХА Денис Владимирович",
    ]


def test_interpol_counts(shared_data: Path) -> None:
    path = shared_data / "opensanctions" / "interpol_red_notices.targets.simple.csv"
    parsed = os_simple.load([path])
    assert parsed.list_id == "os_interpol_red_notices"
    assert len(parsed.entities) == 6561
    assert {e.schema for e in parsed.entities} == {Schema.PERSON}
    assert sum(len(e.names) for e in parsed.entities) == 6563
    assert sum(len(e.birth_dates) for e in parsed.entities) == 6557
    first = _by_id(parsed, "NK-224TRezPqwzhQZ37exWxtX")
    assert first.caption == "SANAVBARI NIKITENKO"
    assert first.countries == ["RU", "TJ"]
    assert [b.value for b in first.birth_dates] == ["1992-06-28"]
    # The charge keeps its inner ';' because the value is quoted inside the cell.
    assert first.remarks == (
        "Red Notice - participation in the activity of a terrorist organization; "
        "participation in the activity of an illegal armed formation"
    )
    multiline = _by_id(parsed, "NK-2Ld7pewCoLeyspMtVCMMMo")
    assert multiline.remarks == "Red Notice - 1) Murder\n2) Manslaughter\n3) Aggravated theft"
    assert multiline.programs == []  # older export: no program_ids column


def test_os_simple_sniff(shared_data: Path) -> None:
    path = shared_data / "opensanctions" / "interpol_red_notices.targets.simple.csv"
    assert os_simple.SPEC.sniff(path, path.read_bytes()[:65536])
    assert not ftm.SPEC.sniff(path, path.read_bytes()[:65536])


HEADER = '"id","schema","name","aliases","birth_date","countries","addresses","identifiers",' \
    '"sanctions","phones","emails","dataset","first_seen","last_seen","last_change"\n'


@pytest.mark.parametrize(
    ("content", "message", "record"),
    [
        (b"", "empty", None),
        (b'"id","schema","nom"\n"x","Person","A"\n', "missing columns: name, aliases", "line 1"),
        (HEADER.encode() + b'"x","Person","A","","","","","","","","","D","","",""\n'
         b'"y","Person","B\n', "malformed CSV", "line 3"),
        (HEADER.encode() + b'"x","Person","A"\n', "expected 15 fields, found 3", "line 2"),
        (HEADER.encode() + b'"x","Person","\xff","","","","","","","","","D","","",""\n',
         "not utf-8 text", "line 2"),
        (HEADER.encode() + b'"x","Planet","A","","","","","","","","","D","","",""\n',
         "unknown schema 'Planet'", "line 2"),
        (HEADER.encode() + b'"x","Person","A","","","","","","","","","D","","",""\n' * 2,
         "duplicate entity id x", "line 3"),
    ],
)
def test_os_simple_bad_input(
    tmp_path: Path, content: bytes, message: str, record: str | None
) -> None:
    path = tmp_path / "bad.targets.simple.csv"
    path.write_bytes(content)
    with pytest.raises(ListFormatError, match=message) as info:
        os_simple.load([path])
    assert info.value.record == record


@pytest.mark.parametrize(
    ("relative", "expected"),
    [
        ("opensanctions/ftm_samples/zala.entities.ftm.json", "ftm_json"),
        ("opensanctions/ftm_samples/eu_fsf_t1.entities.ftm.json", "ftm_json"),
        ("opensanctions/ua_war_sanctions.targets.simple.csv", "os_simple_csv"),
        ("opensanctions/interpol_red_notices.targets.simple.csv", "os_simple_csv"),
    ],
)
def test_registry_detects(shared_data: Path, relative: str, expected: str) -> None:
    from lists.registry import detect

    assert detect(shared_data / relative).name == expected
