"""EU consolidated list in the obsolete FSF v1.0 XML layout (WHOLE/ENTITY, used until 2017).

Each ENTITY (Type P person, E enterprise) holds NAME, BIRTH, PASSPORT, CITIZEN and ADDRESS
children; countries are ISO 3166 alpha-3 codes. Kept so that archived lists still load and
can be compared with current ones.

Names: the first NAME is the primary one, the others aliases; names in a non-Latin script are
original-script names and a name repeated for several languages is kept once.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from pathlib import Path

from lxml import etree

from lists.countries import country_name, to_iso
from lists.dates import iso_date, parse_birth_date
from lists.errors import ListFormatError
from lists.formats import FormatSpec, one_file
from lists.identifiers import kind_of, make_identifier
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
    dedupe_names,
)
from lists.un import is_latin, script_lang, squash
from lists.xmlsafe import (
    child_text,
    children,
    root_attribute,
    stream_records,
)

FORMAT = "eu_fsf_v1"
DEFAULT_LIST_ID = "eu_fsf"

_ROOT = "WHOLE"
_SCHEMAS = {"P": Schema.PERSON, "E": Schema.ORGANIZATION}
_GENDERS = {"M": "male", "F": "female"}
_APPROX = re.compile(r"\s*\(approximative\)\s*", re.I)
# "AD001095 (passport-National passport) ((passport))": number, type code, type text, notes.
_DOCUMENT = re.compile(r"(?s)(?P<number>.+?)\s*\((?P<code>[a-z]+)-(?P<type>[^)]*)\)\s*(?P<rest>.*)")
_DOCUMENT_KINDS = {"passport": IdKind.PASSPORT, "id": IdKind.NATIONAL_ID, "ssn": IdKind.NATIONAL_ID}
_UNKNOWN_NUMBERS = {"unknown", "n/a", "na"}


def _text(element: etree._Element, name: str) -> str | None:
    return squash(child_text(element, name))


def _country(element: etree._Element, warnings: set[str]) -> str | None:
    value = _text(element, "COUNTRY")
    if value is None:
        return None
    code = to_iso(value)
    if code is None:
        warnings.add(f"unknown country {value!r}")
    return code


def _name(element: etree._Element) -> Name | None:
    parts = [_text(element, key) for key in ("FIRSTNAME", "MIDDLENAME", "LASTNAME")]
    full = _text(element, "WHOLENAME") or " ".join(part for part in parts if part) or None
    if full is None:
        return None
    language = _text(element, "LANGUAGE")
    latin = is_latin(full)
    return Name(
        full=full,
        kind=NameKind.ALIAS if latin else NameKind.ORIGINAL_SCRIPT,
        lang=language.lower() if language else (None if latin else script_lang(full)),
        first=parts[0],
        middle=parts[1],
        last=parts[2],
    )


def _names(element: etree._Element) -> list[Name]:
    names = [name for child in children(element, "NAME") if (name := _name(child))]
    if names:
        names[0].kind = NameKind.PRIMARY
    return dedupe_names(names)


def _birth_date(text: str | None) -> BirthDate | None:
    """"1937-04-28", "1958", "1958 (approximative)" or "1960 - 1962 (approximative)"."""
    if text is None:
        return None
    approximate = bool(_APPROX.search(text))
    parsed = parse_birth_date(_APPROX.sub("", text))
    if parsed is not None and approximate:
        parsed.approximate = True
    return parsed


def _document(element: etree._Element, warnings: set[str]) -> Identifier | None:
    text = _text(element, "NUMBER")
    if text is None:
        return None
    match = _DOCUMENT.fullmatch(text)
    number, code, raw_type, rest = (
        (match["number"], match["code"], squash(match["type"]), squash(match["rest"]))
        if match
        else (text, "", None, None)
    )
    if number.casefold() in _UNKNOWN_NUMBERS:
        return None
    return make_identifier(
        raw_type,
        number,
        country=_country(element, warnings),
        note=rest,
        kind=_DOCUMENT_KINDS.get(code) or kind_of(raw_type),
    )


def _address(element: etree._Element, warnings: set[str]) -> Address | None:
    code = _country(element, warnings)
    fields = ("NUMBER", "STREET", "ZIPCODE", "CITY", "OTHER")
    parts = [_text(element, field) for field in fields]
    parts.append(country_name(code) if code else None)
    text = ", ".join(part for part in parts if part) or None
    if text is None:
        return None
    return Address(text=text, city=_text(element, "CITY"), country=code)


def _remarks(element: etree._Element) -> str | None:
    lines = [squash(element.get("remark"))]
    if legal_basis := squash(element.get("legal_basis")):
        lines.append(f"Legal basis: {legal_basis}")
    for label, field in (("Title", "TITLE"), ("Function", "FUNCTION")):
        values = list(dict.fromkeys(v for n in children(element, "NAME") if (v := _text(n, field))))
        if values:
            lines.append(f"{label}: {'; '.join(values)}")
    return "\n".join(line for line in lines if line) or None


def _add_details(element: etree._Element, entity: Entity, warnings: set[str]) -> None:
    for birth in children(element, "BIRTH"):
        parsed = _birth_date(_text(birth, "DATE"))
        if parsed is not None and parsed not in entity.birth_dates:
            entity.birth_dates.append(parsed)
        code = _country(birth, warnings)
        parts = [_text(birth, "PLACE"), country_name(code) if code else None]
        place = ", ".join(part for part in parts if part)
        if place and place not in entity.birth_places:
            entity.birth_places.append(place)
    for citizen in children(element, "CITIZEN"):
        code = _country(citizen, warnings)
        if code and code not in entity.nationalities:
            entity.nationalities.append(code)
    for address_element in children(element, "ADDRESS"):
        address = _address(address_element, warnings)
        if address is not None and address not in entity.addresses:
            entity.addresses.append(address)
            if address.country and address.country not in entity.countries:
                entity.countries.append(address.country)
    for passport in children(element, "PASSPORT"):
        identifier = _document(passport, warnings)
        if identifier is not None and identifier not in entity.identifiers:
            entity.identifiers.append(identifier)


def _entity(element: etree._Element, list_id: str, warnings: set[str]) -> Entity:
    entity_id = squash(element.get("Id"))
    if entity_id is None:
        raise ListFormatError("", "ENTITY without Id", record=f"line {element.sourceline}")
    schema = _SCHEMAS.get((element.get("Type") or "").strip().upper())
    if schema is None:
        raise ListFormatError("", f"unknown ENTITY Type {element.get('Type')!r}", entity_id)
    names = _names(element)
    if not names:
        raise ListFormatError("", "ENTITY without a NAME", entity_id)
    genders = [_GENDERS.get(_text(n, "GENDER") or "") for n in children(element, "NAME")]
    entity = Entity(
        entity_id=entity_id,
        list_id=list_id,
        schema=schema,
        names=names,
        gender=next((gender for gender in genders if gender), None),
        listed_on=iso_date(element.get("reg_date")),
        remarks=_remarks(element),
        source_url=squash(element.get("pdf_link")),
    )
    if programme := squash(element.get("programme")):
        entity.programs.append(programme)
    _add_details(element, entity, warnings)
    return entity


def load(paths: Sequence[Path], list_id: str | None = None) -> ParsedList:
    """Read one v1.0 XML file, streaming ENTITY by ENTITY."""
    path = one_file(paths, "the EU v1.0 list is one XML file")
    resolved_id = list_id or DEFAULT_LIST_ID
    warnings: set[str] = set()
    entities, date = stream_records(
        path,
        {"ENTITY"},
        lambda element: _entity(element, resolved_id, warnings),
        lambda element: root_attribute(element, path, _ROOT, "Date"),
        "no ENTITY records (not an EU FSF v1.0 file?)",
    )
    published = iso_date(date, dayfirst=True)
    return ParsedList(
        list_id=resolved_id,
        format=FORMAT,
        entities=entities,
        published=published,
        warnings=sorted(warnings),
    )


def sniff(path: Path, head: bytes) -> bool:
    """v1.0: a <WHOLE Date=...> root whose ENTITY elements carry legal_basis attributes."""
    return b"<WHOLE" in head and b"<ENTITY" in head and b"legal_basis=" in head


SPEC = FormatSpec(
    name=FORMAT,
    title="EU consolidated list, obsolete FSF v1.0 XML (WHOLE/ENTITY)",
    default_list_id=DEFAULT_LIST_ID,
    sniff=sniff,
    load=load,
)
