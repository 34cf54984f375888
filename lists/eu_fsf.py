"""EU Financial Sanctions Files (FSF), XML 1.1 (export/sanctionEntity), the EU consolidated list.

Schema: eu_fsf_schema_1_1.xsd, namespace http://eu.europa.ec/fpi/fsd/export. Every detail is an
attribute; empty attributes mean unknown and country code "00" means an unknown country. The
real file is about 25 MB, so it is streamed one sanctionEntity at a time.

Names: the first strong Latin-script nameAlias is the primary name; other strong names are
aliases, ``strong="false"`` ones weak aliases, and names in a non-Latin script are
original-script names. The same name repeated in several regulation languages is kept once.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from lxml import etree

from lists.countries import country_name, to_iso
from lists.dates import iso_date
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
    text_of,
)

FORMAT = "eu_fsf"
DEFAULT_LIST_ID = "eu_fsf"
NAMESPACE = "http://eu.europa.ec/fpi/fsd/export"

_ROOT = "export"
_SCHEMAS = {"P": Schema.PERSON, "E": Schema.ORGANIZATION}
_GENDERS = {"M": "male", "F": "female"}
# identificationTypeCode values of the FSF export; others fall back to the description text.
_ID_KINDS = {
    "passport": IdKind.PASSPORT,
    "id": IdKind.NATIONAL_ID,
    "ssn": IdKind.NATIONAL_ID,
    "fiscalcode": IdKind.TAX_ID,
    "regnumber": IdKind.REGISTRATION,
    "swiftbic": IdKind.BIC,
    "imo": IdKind.IMO,
}
_CONTACT_KINDS = {"PHONE": IdKind.PHONE, "FAX": IdKind.PHONE, "EMAIL": IdKind.EMAIL}
_ID_FLAGS = ("diplomatic", "knownExpired", "knownFalse", "reportedLost", "revokedByIssuer")


def _attr(element: etree._Element, name: str) -> str | None:
    return squash(element.get(name))


def _country(element: etree._Element) -> str | None:
    """ISO code from countryIso2Code, or from countryDescription when the code is unusable."""
    return to_iso(_attr(element, "countryIso2Code")) or to_iso(
        _attr(element, "countryDescription")
    )


def _name(element: etree._Element) -> Name | None:
    whole = _attr(element, "wholeName")
    parts = [_attr(element, key) for key in ("firstName", "middleName", "lastName")]
    full = whole or " ".join(part for part in parts if part) or None
    if full is None:
        return None
    latin = is_latin(full)
    lang_attr = _attr(element, "nameLanguage")
    if not latin:
        kind = NameKind.ORIGINAL_SCRIPT
    elif element.get("strong", "true").strip().casefold() == "false":
        kind = NameKind.WEAK_ALIAS
    else:
        kind = NameKind.ALIAS
    return Name(
        full=full,
        kind=kind,
        lang=lang_attr.lower() if lang_attr else (None if latin else script_lang(full)),
        first=parts[0],
        middle=parts[1],
        last=parts[2],
    )


def _names(entity_element: etree._Element) -> list[Name]:
    names = [
        name for alias in children(entity_element, "nameAlias") if (name := _name(alias))
    ]
    for name in names:
        if name.kind == NameKind.ALIAS:
            name.kind = NameKind.PRIMARY
            names.remove(name)
            names.insert(0, name)
            break
    else:
        if names:
            names[0].kind = NameKind.PRIMARY
    return dedupe_names(names)


def _birth_date(element: etree._Element, warnings: set[str], record: str) -> BirthDate | None:
    calendar = element.get("calendarType", "GREGORIAN")
    if calendar != "GREGORIAN":
        warnings.add(f"{record}: {calendar} calendar birth date skipped")
        return None
    approximate = element.get("circa", "false").strip().casefold() == "true"
    exact = iso_date(_attr(element, "birthdate"))
    if exact is not None:
        return BirthDate(value=exact, approximate=approximate)
    year, month, day = (_attr(element, key) for key in ("year", "monthOfYear", "dayOfMonth"))
    if year is not None:
        known = [part for part in (year, month, day) if part and part.isdigit()]
        value = iso_date("-".join(part.zfill(2) for part in known))
        return BirthDate(value=value, approximate=approximate) if value else None
    low = iso_date(_attr(element, "yearRangeFrom"))
    high = iso_date(_attr(element, "yearRangeTo"))
    if low is not None and high is not None:
        return BirthDate(value=low, until=high, approximate=approximate)
    return None


def _place(element: etree._Element, fields: Sequence[str]) -> str | None:
    parts = [_attr(element, field) for field in fields]
    code = _country(element)
    parts.append(country_name(code) if code else None)
    return ", ".join(part for part in parts if part) or None


def _identifier(element: etree._Element) -> Identifier | None:
    number = _attr(element, "number") or _attr(element, "latinNumber")
    if number is None:
        return None
    code = (_attr(element, "identificationTypeCode") or "").casefold()
    description = _attr(element, "identificationTypeDescription")
    flags = [flag for flag in _ID_FLAGS if element.get(flag, "").strip() == "true"]
    notes = [text_of(remark) for remark in children(element, "remark")] + flags
    return make_identifier(
        description or code or None,
        number,
        country=_country(element),
        note="; ".join(note for note in notes if note) or None,
        kind=_ID_KINDS.get(code) or kind_of(description),
    )


def _add_details(element: etree._Element, entity: Entity, warnings: set[str]) -> None:
    for citizenship in children(element, "citizenship"):
        code = _country(citizenship)
        if code and code not in entity.nationalities:
            entity.nationalities.append(code)
    for birth in children(element, "birthdate"):
        parsed = _birth_date(birth, warnings, entity.entity_id)
        if parsed is not None and parsed not in entity.birth_dates:
            entity.birth_dates.append(parsed)
        place = _place(birth, ("city", "place", "region"))
        if place and place not in entity.birth_places:
            entity.birth_places.append(place)
    for address_element in children(element, "address"):
        text = _place(address_element, ("street", "poBox", "zipCode", "city", "place", "region"))
        country = _country(address_element)
        address = Address(text=text, city=_attr(address_element, "city"), country=country)
        if text and address not in entity.addresses:
            entity.addresses.append(address)
        if country and country not in entity.countries:
            entity.countries.append(country)
        for contact in children(address_element, "contactInfo"):
            kind = _CONTACT_KINDS.get((contact.get("key") or "").upper())
            value = _attr(contact, "value")
            if kind is not None and value:
                entity.identifiers.append(make_identifier(contact.get("key"), value, kind=kind))
    for id_element in children(element, "identification"):
        identifier = _identifier(id_element)
        if identifier is not None and identifier not in entity.identifiers:
            entity.identifiers.append(identifier)


def _remarks(element: etree._Element) -> str | None:
    lines = [text_of(remark) for remark in children(element, "remark")]
    if un_id := _attr(element, "unitedNationId"):
        lines.append(f"UN reference: {un_id}")
    for label, key in (("Title", "title"), ("Function", "function")):
        found = (_attr(alias, key) for alias in children(element, "nameAlias"))
        values = list(dict.fromkeys(value for value in found if value))
        if values:
            lines.append(f"{label}: {'; '.join(values)}")
    return "\n".join(line for line in lines if line) or None


def _entity(element: etree._Element, list_id: str, warnings: set[str]) -> Entity:
    entity_id = _attr(element, "logicalId")
    if entity_id is None:
        raise ListFormatError("", "sanctionEntity without logicalId", f"line {element.sourceline}")
    subject = next(iter(children(element, "subjectType")), None)
    classification = (subject.get("classificationCode") or "") if subject is not None else ""
    schema = _SCHEMAS.get(classification.strip().upper())
    if schema is None:
        raise ListFormatError("", f"unknown subjectType {classification!r}", entity_id)
    names = _names(element)
    if not names:
        raise ListFormatError("", "sanctionEntity without a name", entity_id)
    regulations = children(element, "regulation")
    entity = Entity(
        entity_id=entity_id,
        list_id=list_id,
        schema=schema,
        names=names,
        listed_on=iso_date(_attr(element, "designationDate")),
        remarks=_remarks(element),
        reference=_attr(element, "euReferenceNumber"),
        source_url=next(
            (url for r in regulations if (url := child_text(r, "publicationUrl"))),
            None,
        ),
        programs=list(dict.fromkeys(p for r in regulations if (p := _attr(r, "programme")))),
    )
    genders = [_GENDERS.get(a.get("gender", "")) for a in children(element, "nameAlias")]
    entity.gender = next((gender for gender in genders if gender), None)
    _add_details(element, entity, warnings)
    return entity


def load(paths: Sequence[Path], list_id: str | None = None) -> ParsedList:
    """Read one FSF 1.1 XML export, streaming sanctionEntity by sanctionEntity."""
    path = one_file(paths, "the EU FSF list is one XML file")
    resolved_id = list_id or DEFAULT_LIST_ID
    warnings: set[str] = set()
    entities, published = stream_records(
        path,
        {"sanctionEntity"},
        lambda element: _entity(element, resolved_id, warnings),
        lambda element: root_attribute(element, path, _ROOT, "generationDate"),
        "no sanctionEntity records (not an EU FSF 1.1 export?)",
    )
    return ParsedList(
        list_id=resolved_id,
        format=FORMAT,
        entities=entities,
        published=published,
        warnings=sorted(warnings),
    )


def sniff(path: Path, head: bytes) -> bool:
    """FSF 1.1: an <export> root in the fsd/export namespace."""
    return NAMESPACE.encode() in head and b"export" in head and b"<WHOLE" not in head


SPEC = FormatSpec(
    name=FORMAT,
    title="EU Financial Sanctions Files, XML 1.1",
    default_list_id=DEFAULT_LIST_ID,
    sniff=sniff,
    load=load,
)
