"""Canada SEMA XML loader on the real 2020-04 file, plus hostile and malformed input."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import pytest

from lists import canada_sema
from lists.errors import ListFormatError
from lists.model import Entity, NameKind, ParsedList, Schema


@pytest.fixture(scope="module")
def sema(shared_data: Path) -> ParsedList:
    return canada_sema.load([shared_data / "canada" / "sema-lmes_2020-04.xml"])


def _by_id(parsed: ParsedList, entity_id: str) -> Entity:
    return next(entity for entity in parsed.entities if entity.entity_id == entity_id)


def test_counts(sema: ParsedList) -> None:
    # Counted with lxml: 1,369 <record>, 384 with <Entity>, 985 with LastName/GivenName.
    assert sema.list_id == "ca_sema"
    assert len(sema.entities) == 1369
    assert len({e.entity_id for e in sema.entities}) == 1369
    assert Counter(e.schema for e in sema.entities) == {
        Schema.PERSON: 985, Schema.ORGANIZATION: 384,
    }
    # 156 distinct comma-separated aliases + 41 French halves of bilingual entity names.
    kinds = Counter(n.kind for e in sema.entities for n in e.names)
    assert kinds == {NameKind.PRIMARY: 1369, NameKind.ALIAS: 197}
    assert sum(len(e.birth_dates) for e in sema.entities) == 213
    assert sema.warnings == []


def test_regimes_and_countries(sema: ParsedList) -> None:
    programs = Counter(e.programs[0] for e in sema.entities)
    assert programs["Syria"] == 281
    assert programs["Ukraine"] == 242
    assert programs["Justice for Victims of Corrupt Foreign Officials Regulations (JVCFOR)"] == 70
    countries = Counter(tuple(e.countries) for e in sema.entities)
    assert countries[("SY",)] == 281
    assert countries[("MM",)] == 89  # "Burma / Birmanie"
    assert countries[()] == 70  # the Magnitsky regulations name no country


def test_person_fields(sema: ParsedList) -> None:
    person = _by_id(sema, "JVCFOR-1-54")
    assert person.schema == Schema.PERSON
    assert person.caption == "Mansour Othman ABAHUSSAIN"  # "Mansour Othman " trimmed
    assert (person.names[0].first, person.names[0].last) == ("Mansour Othman", "ABAHUSSAIN")
    assert [b.value for b in person.birth_dates] == ["1972-08-10", "1972-08-11"]
    nbsp = _by_id(sema, "SYRIA-2-80")
    assert nbsp.caption == "Mohammad Al-Jleilati"  # trailing U+00A0 removed


def test_entity_fields(sema: ParsedList) -> None:
    bagan = _by_id(sema, "BURMA-1-1")
    assert [(n.full, n.kind) for n in bagan.names] == [
        ("Air Bagan", NameKind.PRIMARY),
        ("Air Bagan Holdings Pte. Ltd.", NameKind.ALIAS),
        ("Air Bagan Limited", NameKind.ALIAS),
    ]
    assert bagan.reference == "Burma, Schedule 1, Item 1"
    army = next(e for e in sema.entities if e.caption == "Iranian Army")
    assert [(n.full, n.lang) for n in army.names] == [
        ("Iranian Army", "en"), ("Armée iranienne", "fr"),
    ]
    mills = next(e for e in sema.entities if e.caption.startswith("MEC Steel Mills"))
    assert mills.caption == "MEC Steel Mills (Hmaw Bi/Pyi/Ywama)"


def test_sniff(shared_data: Path) -> None:
    path = shared_data / "canada" / "sema-lmes_2020-04.xml"
    assert canada_sema.SPEC.sniff(path, path.read_bytes()[:65536])
    assert not canada_sema.SPEC.sniff(path, b"<?xml version='1.0'?><CONSOLIDATED_LIST/>")


# --- bad input ----------------------------------------------------------------------------

RECORD = (
    "<record><Country>Syria / Syrie</Country><LastName>DOE</LastName>"
    "<GivenName>John</GivenName><Schedule>1</Schedule><Item>{item}</Item></record>"
)


def _write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "sema.xml"
    path.write_text(text, encoding="utf-8")
    return path


def test_duplicate_ids_refused(tmp_path: Path) -> None:
    body = f"<data-set>{RECORD.format(item=1)}{RECORD.format(item=1)}</data-set>"
    with pytest.raises(ListFormatError, match="duplicate entity id SYRIA-1-1") as info:
        canada_sema.load([_write(tmp_path, body)])
    assert info.value.record == "record 2"


def test_record_without_name(tmp_path: Path) -> None:
    body = "<data-set><record><Country>Iran</Country><Item>3</Item></record></data-set>"
    with pytest.raises(ListFormatError, match="without Country, Item or any name") as info:
        canada_sema.load([_write(tmp_path, body)])
    assert info.value.record == "record 1"


def test_empty_file_and_no_records(tmp_path: Path) -> None:
    with pytest.raises(ListFormatError, match="empty"):
        canada_sema.load([_write(tmp_path, "")])
    with pytest.raises(ListFormatError, match="no <record>"):
        canada_sema.load([_write(tmp_path, "<data-set></data-set>")])


def test_truncated_xml(tmp_path: Path) -> None:
    body = f"<data-set>{RECORD.format(item=1)}<record><Country>Iran</Coun"
    with pytest.raises(ListFormatError, match="malformed XML"):
        canada_sema.load([_write(tmp_path, body)])


def test_xxe_refused(tmp_path: Path) -> None:
    secret = tmp_path / "secret.txt"
    secret.write_text("TOP SECRET", encoding="utf-8")
    body = (
        f'<?xml version="1.0"?><!DOCTYPE data-set [<!ENTITY xxe SYSTEM "file://{secret}">]>'
        "<data-set><record><Country>Iran</Country><Entity>&xxe;</Entity><Item>1</Item>"
        "</record></data-set>"
    )
    with pytest.raises(ListFormatError, match="refused"):
        canada_sema.load([_write(tmp_path, body)])


def test_billion_laughs_refused(tmp_path: Path) -> None:
    entities = "".join(
        f'<!ENTITY lol{i} "{("&lol" + str(i - 1) + ";") * 10}">' for i in range(1, 10)
    )
    body = (
        f'<?xml version="1.0"?><!DOCTYPE data-set [<!ENTITY lol0 "lol">{entities}]>'
        "<data-set><record><Country>Iran</Country><Entity>&lol9;</Entity><Item>1</Item>"
        "</record></data-set>"
    )
    with pytest.raises(ListFormatError, match="refused"):
        canada_sema.load([_write(tmp_path, body)])


def test_wrong_encoding(tmp_path: Path) -> None:
    path = tmp_path / "sema.xml"
    path.write_bytes(
        b'<?xml version="1.0" encoding="UTF-8"?><data-set><record><Country>Iran</Country>'
        b"<Entity>Soci\xe9t\xe9</Entity><Item>1</Item></record></data-set>"
    )
    with pytest.raises(ListFormatError, match="malformed XML"):
        canada_sema.load([path])


def test_registry_detects(shared_data: Path) -> None:
    from lists.registry import detect

    assert detect(shared_data / "canada" / "sema-lmes_2020-04.xml").name == "canada_sema"
