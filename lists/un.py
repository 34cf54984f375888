"""UN Security Council consolidated list, XML (CONSOLIDATED_LIST/INDIVIDUALS + ENTITIES).

Schema: https://scsanctions.un.org/resources/xml/en/consolidated.xml with sc-sanctions.xsd.
Values are often padded with spaces and empty elements stand for "unknown", so every value is
stripped and blank ones dropped. Individuals become persons, entities organisations.

``source_url``: the UN publishes no stable per-entry page, so each entity links to the
consolidated-list page with its reference number as fragment (``...#QDi.001``); an analyst finds
the entry there by that reference.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence
from pathlib import Path

from lxml import etree

from lists.countries import to_iso
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
)
from lists.xmlsafe import (
    child_text,
    children,
    local_name,
    root_attribute,
    stream_records,
    text_of,
)

FORMAT = "un_xml"
DEFAULT_LIST_ID = "un_sc"
LIST_PAGE = "https://main.un.org/securitycouncil/en/content/un-sc-consolidated-list"

_ROOT = "CONSOLIDATED_LIST"
_NAME_FIELDS = ("FIRST_NAME", "SECOND_NAME", "THIRD_NAME", "FOURTH_NAME")
# Individual aliases carry a quality, entity aliases an a.k.a./f.k.a. marker.
_ALIAS_KINDS = {
    "good": NameKind.ALIAS,
    "low": NameKind.WEAK_ALIAS,
    "a.k.a.": NameKind.ALIAS,
    "f.k.a.": NameKind.FORMER,
    "": NameKind.ALIAS,
}
# "Abubakar (original script: Абубакар)"; the EU journal also writes "(..., in Arabic: ...)".
_ORIGINAL_NOTE = re.compile(r"(.+?)\s*\((?:original script|[^()]*\bin arabic)\s*:\s*(.+?)\)", re.I)
_BIRTH_PLACE_FIELDS = ("STREET", "CITY", "STATE_PROVINCE", "COUNTRY")
_GENDERS = {"male": "male", "female": "female"}
_BLANK_COUNTRIES = {"na", "n/a", "unknown"}  # "na" would otherwise read as Namibia
_SCRIPT_LANGS = {
    "ARABIC": "ar",
    "CYRILLIC": "ru",
    "GREEK": "el",
    "HEBREW": "he",
    "HANGUL": "ko",
    "CJK": "zh",
    "HIRAGANA": "ja",
    "KATAKANA": "ja",
    "THAI": "th",
    "DEVANAGARI": "hi",
    "GEORGIAN": "ka",
    "ARMENIAN": "hy",
}


def squash(value: str | None) -> str | None:
    """Collapse runs of white space (lists pad and wrap values); None when blank."""
    if value is None:
        return None
    text = " ".join(value.split())
    return text or None


def script_lang(text: str) -> str | None:
    """A language guessed from the script of the first letter that is not Latin.

    Only a guess: Arabic script is also Pashto, Dari, Urdu; Cyrillic is also Ukrainian.
    None for Latin-only text.
    """
    for char in text:
        if not char.isalpha():
            continue
        script = unicodedata.name(char, "").split(" ", 1)[0]
        if script in _SCRIPT_LANGS:
            return _SCRIPT_LANGS[script]
    return None


def is_latin(text: str) -> bool:
    """True when every letter of ``text`` is in the Latin script."""
    return all(
        unicodedata.name(char, "").startswith("LATIN") for char in text if char.isalpha()
    )


def _country(value: str | None, warnings: set[str]) -> str | None:
    """ISO code of a UN country text; notes in brackets ("Libya (in custody)") are ignored."""
    text = squash(value)
    if text is None or text.casefold() in _BLANK_COUNTRIES:
        return None
    code = to_iso(text) or to_iso(re.sub(r"\s*\(.*?\)\s*", " ", text))
    if code is None:
        warnings.add(f"unknown country {text!r}")
    return code


def _add(items: list[str], value: str | None) -> None:
    if value is not None and value not in items:
        items.append(value)


def _names(element: etree._Element, warnings: set[str], record: str) -> list[Name]:
    parts = [squash(child_text(element, field)) for field in _NAME_FIELDS]
    known = [part for part in parts if part]
    if not known:
        raise ListFormatError("", "entry without a name", record=record)
    primary = Name(full=" ".join(known), kind=NameKind.PRIMARY)
    if local_name(element.tag) == "INDIVIDUAL" and len(known) > 1:
        primary.first, primary.last = known[0], known[-1]
        primary.middle = " ".join(known[1:-1]) or None
    names = [primary]
    original = squash(child_text(element, "NAME_ORIGINAL_SCRIPT"))
    if original:
        names.append(Name(full=original, kind=NameKind.ORIGINAL_SCRIPT, lang=script_lang(original)))
    for alias in children(element, "INDIVIDUAL_ALIAS") + children(element, "ENTITY_ALIAS"):
        full = squash(child_text(alias, "ALIAS_NAME"))
        if full is None:
            continue
        quality = (child_text(alias, "QUALITY") or "").casefold()
        kind = _ALIAS_KINDS.get(quality)
        if kind is None:
            warnings.add(f"{record}: unknown alias quality {quality!r}, read as alias")
            kind = NameKind.ALIAS
        names.extend(alias_names(full, kind))
    return names


def alias_names(full: str, kind: NameKind) -> list[Name]:
    """An alias; "Abubakar (original script: Абубакар)" also gives the original-script name."""
    match = _ORIGINAL_NOTE.fullmatch(full)
    if match is None:
        return [Name(full=full, kind=kind, lang=None if is_latin(full) else script_lang(full))]
    latin, original = match[1], match[2]
    return [
        Name(full=latin, kind=kind),
        Name(full=original, kind=NameKind.ORIGINAL_SCRIPT, lang=script_lang(original)),
    ]


def _birth_date(element: etree._Element) -> BirthDate | None:
    """One INDIVIDUAL_DATE_OF_BIRTH: EXACT / APPROXIMATELY with DATE or YEAR, or BETWEEN."""
    approximate = (child_text(element, "TYPE_OF_DATE") or "").upper() == "APPROXIMATELY"
    for field in ("DATE", "YEAR"):
        value = iso_date(child_text(element, field))
        if value is not None:
            return BirthDate(value=value, approximate=approximate)
    low = iso_date(child_text(element, "FROM_YEAR"))
    high = iso_date(child_text(element, "TO_YEAR"))
    if low is not None and high is not None:
        return BirthDate(value=low, until=high, approximate=approximate)
    # Some entries only carry a note such as "Nov. 1973" or "August 1961".
    parsed = parse_birth_date(child_text(element, "NOTE"))
    if parsed is not None and approximate:
        parsed.approximate = True
    return parsed


def _place(parts: Sequence[str | None]) -> str | None:
    known = [squash(part) for part in parts]
    return ", ".join(part for part in known if part) or None


def _address(element: etree._Element, warnings: set[str]) -> Address | None:
    fields = ("STREET", "CITY", "STATE_PROVINCE", "ZIP_CODE", "COUNTRY")
    text = _place([child_text(element, field) for field in fields])
    if text is None:
        return None
    return Address(
        text=text,
        city=squash(child_text(element, "CITY")),
        country=_country(child_text(element, "COUNTRY"), warnings),
    )


def _document(element: etree._Element, warnings: set[str]) -> Identifier | None:
    number = squash(child_text(element, "NUMBER"))
    if number is None:
        return None
    main_type = squash(child_text(element, "TYPE_OF_DOCUMENT"))
    sub_type = squash(child_text(element, "TYPE_OF_DOCUMENT2"))
    # The second type is the finer one ("Birth certificate" under "National Identification").
    kind = kind_of(sub_type) if sub_type else IdKind.OTHER
    if kind == IdKind.OTHER:
        kind = kind_of(main_type)
    issuer = child_text(element, "ISSUING_COUNTRY") or child_text(element, "COUNTRY_OF_ISSUE")
    raw_type = " / ".join(t for t in (main_type, sub_type) if t) or None
    return make_identifier(
        raw_type,
        number,
        country=_country(issuer, warnings),
        note=squash(child_text(element, "NOTE")),
        kind=kind,
    )


def _values(element: etree._Element, name: str) -> list[str]:
    found: list[str] = []
    for group in children(element, name):
        for value in children(group, "VALUE"):
            _add(found, squash(text_of(value)))
    return found


def _remarks(element: etree._Element) -> str | None:
    """COMMENTS1, then titles and designations, which are not part of the name."""
    lines = [text_of(element.find("COMMENTS1"))]
    for label, field in (("Title", "TITLE"), ("Designation", "DESIGNATION")):
        values = _values(element, field)
        if values:
            lines.append(f"{label}: {'; '.join(values)}")
    return "\n".join(line for line in lines if line) or None


def _person_details(element: etree._Element, entity: Entity, warnings: set[str]) -> None:
    gender = (child_text(element, "GENDER") or "").casefold()
    entity.gender = _GENDERS.get(gender)
    for value in _values(element, "NATIONALITY"):
        _add(entity.nationalities, _country(value, warnings))
    for dob in children(element, "INDIVIDUAL_DATE_OF_BIRTH"):
        parsed = _birth_date(dob)
        if parsed is not None and parsed not in entity.birth_dates:
            entity.birth_dates.append(parsed)
    for place in children(element, "INDIVIDUAL_PLACE_OF_BIRTH"):
        parts = [child_text(place, field) for field in _BIRTH_PLACE_FIELDS]
        _add(entity.birth_places, _place(parts))
    for alias in children(element, "INDIVIDUAL_ALIAS"):
        # Birth details attached to an alias still describe the person.
        parsed = parse_birth_date(child_text(alias, "DATE_OF_BIRTH"))
        if parsed is not None and parsed not in entity.birth_dates:
            entity.birth_dates.append(parsed)
        parts = [child_text(alias, field) for field in ("CITY_OF_BIRTH", "COUNTRY_OF_BIRTH")]
        _add(entity.birth_places, _place(parts))
    for document in children(element, "INDIVIDUAL_DOCUMENT"):
        identifier = _document(document, warnings)
        if identifier is not None and identifier not in entity.identifiers:
            entity.identifiers.append(identifier)


def _entry(element: etree._Element, list_id: str, warnings: set[str]) -> Entity:
    is_person = local_name(element.tag) == "INDIVIDUAL"
    entity_id = child_text(element, "DATAID")
    if entity_id is None:
        raise ListFormatError("", "entry without DATAID", record=f"line {element.sourceline}")
    reference = squash(child_text(element, "REFERENCE_NUMBER"))
    record = reference or entity_id
    entity = Entity(
        entity_id=entity_id,
        list_id=list_id,
        schema=Schema.PERSON if is_person else Schema.ORGANIZATION,
        names=_names(element, warnings, record),
        listed_on=iso_date(child_text(element, "LISTED_ON")),
        remarks=_remarks(element),
        reference=reference,
        source_url=f"{LIST_PAGE}#{reference}" if reference else LIST_PAGE,
    )
    _add(entity.programs, squash(child_text(element, "UN_LIST_TYPE")))
    address_tag = "INDIVIDUAL_ADDRESS" if is_person else "ENTITY_ADDRESS"
    for address_element in children(element, address_tag):
        address = _address(address_element, warnings)
        if address is not None and address not in entity.addresses:
            entity.addresses.append(address)
            _add(entity.countries, address.country)
    if is_person:
        _person_details(element, entity, warnings)
    return entity


def load(paths: Sequence[Path], list_id: str | None = None) -> ParsedList:
    """Read one UN consolidated XML file, streaming entry by entry."""
    path = one_file(paths, "the UN list is one XML file")
    resolved_id = list_id or DEFAULT_LIST_ID
    warnings: set[str] = set()
    entities, published = stream_records(
        path,
        {"INDIVIDUAL", "ENTITY"},
        lambda element: _entry(element, resolved_id, warnings),
        lambda element: root_attribute(element, path, _ROOT, "dateGenerated"),
        "no INDIVIDUAL or ENTITY entries (not a UN consolidated list?)",
    )
    return ParsedList(
        list_id=resolved_id,
        format=FORMAT,
        entities=entities,
        published=published,
        warnings=sorted(warnings),
    )


def sniff(path: Path, head: bytes) -> bool:
    """A UN file starts with <CONSOLIDATED_LIST ... dateGenerated=...> then INDIVIDUALS."""
    return b"<CONSOLIDATED_LIST" in head and (
        b"<INDIVIDUALS" in head or b"<ENTITIES" in head
    )


SPEC = FormatSpec(
    name=FORMAT,
    title="UN Security Council consolidated list (XML)",
    default_list_id=DEFAULT_LIST_ID,
    sniff=sniff,
    load=load,
)
