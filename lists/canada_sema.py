"""Canada's Consolidated Special Economic Measures Act (SEMA) / Magnitsky sanctions list (XML).

Layout (checked on the 2020-04 file): ``<data-set>`` of ``<record>`` elements with
``Country`` (the regime, bilingual "Syria / Syrie", or the JVCFOR regulations for Magnitsky
designations), either ``Entity`` or ``LastName``/``GivenName``, optional ``Title``,
``Aliases`` (comma-separated), ``DateOfBirth`` (yyyy, yyyy-mm, yyyy-mm-dd, or two dates joined
by " or "), ``Schedule`` and ``Item``. Values may carry trailing (non-breaking) spaces.

The file has no record id. The entity id is built from the regime, the schedule and the item
number, which together identify a listing in the regulations: ``SYRIA-2-80``,
``JVCFOR-1-54``, ``RUSSIA-1PART2-12`` (regime = the abbreviation in parentheses when the
regime names one, else the English country name in capitals; an absent schedule is ``X``).
The loader refuses a file in which two records get the same id.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from pathlib import Path

from lxml import etree

from lists.countries import to_iso
from lists.dates import parse_birth_date
from lists.errors import ListFormatError
from lists.formats import FormatSpec, one_file
from lists.model import BirthDate, Entity, Name, NameKind, ParsedList, Schema
from lists.xmlsafe import child_text, iter_elements

FORMAT_NAME = "canada_sema"
DEFAULT_LIST_ID = "ca_sema"
_ABBREVIATION = re.compile(r"\(([A-Z]{3,})\)")
_NON_ALNUM = re.compile(r"[^0-9A-Za-z]+")
_PARENTHESES = re.compile(r"\([^)]*\)")


def sniff(path: Path, head: bytes) -> bool:
    return b"<data-set" in head and b"<record>" in head and b"<Item>" in head


def _text(record: etree._Element, name: str) -> str:
    """Child text with inner whitespace collapsed ("Mohammad\\xa0" -> "Mohammad")."""
    return " ".join((child_text(record, name) or "").split())


def regime_english(country: str) -> str:
    """The English half of a bilingual regime label ("Syria / Syrie" -> "Syria")."""
    return country.split(" / ", 1)[0].strip()


def regime_key(english: str) -> str:
    match = _ABBREVIATION.search(english)
    if match is not None:
        return match.group(1)
    return _NON_ALNUM.sub("_", english).strip("_").upper()


def entity_id_of(english: str, schedule: str, item: str) -> str:
    schedule_key = _NON_ALNUM.sub("", schedule).upper() or "X"
    return f"{regime_key(english)}-{schedule_key}-{item}"


def bilingual_names(text: str) -> list[Name]:
    """"Iranian Army/Armée iranienne" -> English primary name + French alias.

    Only one slash, outside parentheses and without spaces around it, marks the two
    languages; "MEC Steel Mills (Hmaw Bi/Pyi/Ywama)" stays whole.
    """
    if text.count("/") == 1 and _PARENTHESES.sub("", text).count("/") == 1:
        english, french = (part.strip() for part in text.split("/"))
        if " " in english and " " in french and not text.count(" /") + text.count("/ "):
            french_name = Name(full=french, kind=NameKind.ALIAS, lang="fr")
            return [Name(full=english, lang="en"), french_name]
    return [Name(full=text)]


def _names(record: etree._Element) -> tuple[Schema, list[Name]]:
    entity = _text(record, "Entity")
    if entity:
        schema, names = Schema.ORGANIZATION, bilingual_names(entity)
    else:
        last, given = _text(record, "LastName"), _text(record, "GivenName")
        full = " ".join(part for part in (given, last) if part)
        schema = Schema.PERSON
        names = [Name(full=full, first=given or None, last=last or None)] if full else []
    seen = {name.full.casefold() for name in names}
    for alias in _text(record, "Aliases").split(","):
        alias = alias.strip()
        if alias and alias.casefold() not in seen:
            seen.add(alias.casefold())
            names.append(Name(full=alias, kind=NameKind.ALIAS))
    return schema, names


def _birth_dates(text: str) -> tuple[list[BirthDate], bool]:
    """Dates of birth and whether every part was readable."""
    dates: list[BirthDate] = []
    readable = True
    for part in re.split(r"\s+or\s+|;", text):
        if not part.strip():
            continue
        parsed = parse_birth_date(part, dayfirst=False)
        if parsed is None:
            readable = False
        elif parsed not in dates:
            dates.append(parsed)
    return dates, readable


def _entity(
    path: Path, number: int, record: etree._Element, list_id: str, warnings: list[str]
) -> Entity:
    country, item = _text(record, "Country"), _text(record, "Item")
    schema, names = _names(record)
    if not country or not item or not names:
        raise ListFormatError(
            path, "record without Country, Item or any name", record=f"record {number}"
        )
    english = regime_english(country)
    schedule = _text(record, "Schedule")
    entity_id = entity_id_of(english, schedule, item)
    births, readable = _birth_dates(_text(record, "DateOfBirth"))
    if not readable:
        warnings.append(f"{entity_id}: unreadable DateOfBirth {_text(record, 'DateOfBirth')!r}")
    code = to_iso(english)
    title = _text(record, "Title")
    return Entity(
        entity_id=entity_id, list_id=list_id, schema=schema, names=names, birth_dates=births,
        countries=[code] if code else [], programs=[english],
        remarks=f"Title: {title}" if title else None,
        reference=f"{english}, Schedule {schedule or '-'}, Item {item}",
    )


def load(paths: Sequence[Path], list_id: str | None = None) -> ParsedList:
    """Load one SEMA XML file; one entity per record."""
    path = one_file(paths, "the SEMA list is a single XML file")
    if path.stat().st_size == 0:
        raise ListFormatError(path, "file is empty")
    target_list = list_id or DEFAULT_LIST_ID
    warnings: list[str] = []
    entities: dict[str, Entity] = {}
    for number, record in enumerate(iter_elements(path, {"record"}), start=1):
        entity = _entity(path, number, record, target_list, warnings)
        if entity.entity_id in entities:
            raise ListFormatError(
                path, f"duplicate entity id {entity.entity_id}", record=f"record {number}"
            )
        entities[entity.entity_id] = entity
    if not entities:
        raise ListFormatError(path, "no <record> elements: not a SEMA list")
    return ParsedList(
        list_id=target_list, format=FORMAT_NAME, entities=list(entities.values()),
        warnings=warnings, title="Canada Consolidated Autonomous Sanctions List (SEMA/JVCFOR)",
    )


SPEC = FormatSpec(
    name=FORMAT_NAME,
    title="Canada SEMA consolidated autonomous sanctions (XML)",
    default_list_id=DEFAULT_LIST_ID,
    sniff=sniff,
    load=load,
)
