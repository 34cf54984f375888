"""OpenSanctions / FollowTheMoney entities as JSON lines (``*.entities.ftm.json``).

One JSON object per line: ``id``, ``schema``, ``properties`` (every value a list of
strings), ``datasets``, ``target``, ``first_seen``/``last_seen``. Only "thing" schemas that can
be screened become entities (Person; Organization, Company, LegalEntity, PublicBody;
Vessel; Airplane), and of those only the ones marked ``"target": true`` when the flag is
present: OpenSanctions exports also carry related, unsanctioned companies (owners, subsidiaries)
that would only make noise in screening. The other schemas enrich the target they point to:

* ``Sanction.entity`` -> programmes (``program``/``programId``) and ``listed_on``
  (earliest ``listingDate``/``startDate``);
* ``Address`` via the target's ``addressEntity`` -> an Address;
* ``Passport``/``Identification.holder`` -> identifiers (``passportNumber``/``number``).

List id: the ``list_id`` argument, else ``os_<dataset>`` when every loaded target comes from one
OpenSanctions dataset, else ``os_<file name before .entities.ftm.json>``.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

from lists.countries import to_iso
from lists.dates import iso_date, parse_birth_date
from lists.errors import ListFormatError
from lists.formats import FormatSpec
from lists.identifiers import make_identifier
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

FORMAT_NAME = "ftm_json"
DEFAULT_LIST_ID = "opensanctions"
TARGET_SCHEMAS = {
    "Person": Schema.PERSON,
    "Organization": Schema.ORGANIZATION,
    "Company": Schema.ORGANIZATION,
    "LegalEntity": Schema.ORGANIZATION,
    "PublicBody": Schema.ORGANIZATION,
    "Vessel": Schema.VESSEL,
    "Airplane": Schema.AIRCRAFT,
}
NAME_PROPERTIES = (
    ("name", NameKind.PRIMARY),
    ("alias", NameKind.ALIAS),
    ("previousName", NameKind.FORMER),
    ("weakAlias", NameKind.WEAK_ALIAS),
)
IDENTIFIER_PROPERTIES = (
    ("passportNumber", IdKind.PASSPORT),
    ("innCode", IdKind.TAX_ID),
    ("taxNumber", IdKind.TAX_ID),
    ("vatCode", IdKind.TAX_ID),
    ("registrationNumber", IdKind.REGISTRATION),
    ("ogrnCode", IdKind.REGISTRATION),
    ("imoNumber", IdKind.IMO),
    ("mmsi", IdKind.MMSI),
    ("callSign", IdKind.CALL_SIGN),
    ("swiftBic", IdKind.BIC),
    ("leiCode", IdKind.LEI),
    ("email", IdKind.EMAIL),
    ("phone", IdKind.PHONE),
)
_MAX_LINE = 10_000_000  # one entity line larger than this is a broken file
_SUFFIX = re.compile(r"(\.entities)?(\.ftm)?\.jsonl?$")

Record = dict[str, Any]


def sniff(path: Path, head: bytes) -> bool:
    first = head.lstrip().split(b"\n", 1)[0]
    return first.startswith(b"{") and all(
        key in first for key in (b'"schema"', b'"properties"', b'"id"')
    )


def _values(record: Record, prop: str) -> list[str]:
    values = record.get("properties", {}).get(prop, [])
    return [" ".join(str(v).split()) for v in values if str(v).strip()]


def read_records(path: Path) -> list[tuple[int, Record]]:
    """Every entity of a JSON-lines file with its line number, validated in shape."""
    records: list[tuple[int, Record]] = []
    with path.open("rb") as handle:
        for number, raw in enumerate(handle, start=1):
            if len(raw) > _MAX_LINE:
                raise ListFormatError(path, "line too long", record=f"line {number}")
            if not raw.strip():
                continue
            try:
                record = json.loads(raw.decode("utf-8"))
            except UnicodeDecodeError as exc:
                raise ListFormatError(path, "not UTF-8 text", record=f"line {number}") from exc
            except json.JSONDecodeError as exc:
                where = f"line {number}"
                raise ListFormatError(path, f"invalid JSON: {exc}", record=where) from exc
            if not isinstance(record, dict) or not isinstance(record.get("properties"), dict):
                raise ListFormatError(path, "not a FtM entity object", record=f"line {number}")
            missing = [key for key in ("id", "schema") if not record.get(key)]
            if missing:
                raise ListFormatError(
                    path, f"entity without {', '.join(missing)}", record=f"line {number}"
                )
            records.append((number, record))
    if not records:
        raise ListFormatError(path, "file is empty")
    return records


def _names(record: Record) -> list[Name]:
    firsts = {v.casefold(): v for v in _values(record, "firstName")}
    lasts = {v.casefold(): v for v in _values(record, "lastName")}
    caption = str(record.get("caption") or "")
    names: dict[str, Name] = {}
    for prop, kind in NAME_PROPERTIES:
        values = _values(record, prop)
        if prop == "name" and caption in values:  # the caption first: it is the display name
            values = [caption, *[v for v in values if v != caption]]
        for value in values:
            names.setdefault(value.casefold(), Name(full=value, kind=kind))
    for name in names.values():
        for first_key, first in firsts.items():
            rest = name.full.casefold().removeprefix(first_key + " ")
            if rest != name.full.casefold() and rest in lasts:
                name.first, name.last = first, lasts[rest]
    return list(names.values())


def _birth_dates(record: Record) -> list[BirthDate]:
    dates: list[BirthDate] = []
    for value in _values(record, "birthDate"):
        parsed = parse_birth_date(value, dayfirst=False)
        if parsed is not None and parsed not in dates:
            dates.append(parsed)
    return dates


def _codes(record: Record, *props: str) -> list[str]:
    codes: list[str] = []
    for prop in props:
        for value in _values(record, prop):
            code = to_iso(value)
            if code is not None and code not in codes:
                codes.append(code)
    return codes


def _identifiers(record: Record, schema: Schema) -> list[Identifier]:
    pairs = list(IDENTIFIER_PROPERTIES)
    # idNumber is a person's national id but a company's registration number.
    id_kind = IdKind.NATIONAL_ID if schema == Schema.PERSON else IdKind.REGISTRATION
    pairs.append(("idNumber", id_kind))
    return [
        make_identifier(prop, value, kind=kind) for prop, kind in pairs
        for value in _values(record, prop)
    ]


def _remarks(record: Record) -> str | None:
    lines = [f"Position: {v}" for v in _values(record, "position")]
    lines += [f"Title: {v}" for v in _values(record, "title")]
    topics = _values(record, "topics")
    if topics:
        lines.append(f"Topics: {', '.join(topics)}")
    lines += _values(record, "notes")
    return "\n".join(dict.fromkeys(lines)) or None


def _address(record: Record) -> Address:
    codes = _codes(record, "country")
    text = next(iter(_values(record, "full")), None)
    if text is None:
        parts = [_values(record, prop) for prop in ("street", "postalCode", "city")]
        text = ", ".join(value for part in parts for value in part) or None
    city = next(iter(_values(record, "city")), None)
    return Address(text=text, city=city, country=codes[0] if codes else None)


def _target(record: Record, list_id: str, schema: Schema, by_id: dict[str, Record]) -> Entity:
    addresses = [Address(text=text) for text in _values(record, "address")]
    for ref in _values(record, "addressEntity"):
        if ref in by_id:
            addresses.insert(0, _address(by_id[ref]))
    countries = _codes(record, "country", "jurisdiction")
    for address in addresses:
        if address.country and address.country not in countries:
            countries.append(address.country)
    genders = [g for g in map(str.casefold, _values(record, "gender")) if g in ("male", "female")]
    return Entity(
        entity_id=str(record["id"]), list_id=list_id, schema=schema, names=_names(record),
        gender=genders[0] if genders else None, birth_dates=_birth_dates(record),
        birth_places=_values(record, "birthPlace"),
        nationalities=_codes(record, "nationality", "citizenship"), countries=countries,
        addresses=addresses, identifiers=_identifiers(record, schema),
        programs=_values(record, "programId"), remarks=_remarks(record),
        source_url=next(iter(_values(record, "sourceUrl")), None),
    )


def _enrich(entity: Entity, link: Record) -> None:
    """Fold a Sanction, Passport or Identification that points at the entity into it."""
    schema = link["schema"]
    if schema == "Sanction":
        for program in _values(link, "programId") or _values(link, "program"):
            if program not in entity.programs:
                entity.programs.append(program)
        dates = [iso_date(v) for v in [*_values(link, "listingDate"), *_values(link, "startDate")]]
        known = [d for d in dates if d is not None]
        if entity.listed_on is not None:
            known.append(entity.listed_on)
        entity.listed_on = min(known) if known else None
    elif schema in ("Passport", "Identification"):
        kind = IdKind.PASSPORT if schema == "Passport" else IdKind.NATIONAL_ID
        codes = _codes(link, "country")
        for value in [*_values(link, "passportNumber"), *_values(link, "number")]:
            identifier = make_identifier(
                schema, value, country=codes[0] if codes else None, kind=kind,
                note=next(iter(_values(link, "type")), None),
            )
            entity.identifiers.append(identifier)


_LINK_PROPERTY = {"Sanction": "entity", "Passport": "holder", "Identification": "holder"}


def _dedupe_identifiers(entity: Entity) -> None:
    seen: dict[tuple[IdKind, str], Identifier] = {}
    for identifier in entity.identifiers:
        seen.setdefault((identifier.kind, identifier.value), identifier)
    entity.identifiers = list(seen.values())


def _list_id(paths: Sequence[Path], targets: Iterable[Record]) -> str:
    datasets = {dataset for record in targets for dataset in record.get("datasets") or []}
    if len(datasets) == 1:
        return f"os_{datasets.pop()}"
    return f"os_{_SUFFIX.sub('', paths[0].name)}"


def load(paths: Sequence[Path], list_id: str | None = None) -> ParsedList:
    """Load FtM JSON-lines files; every line is validated, targets become entities."""
    records: list[tuple[Path, int, Record]] = []
    for path in paths:
        records += [(path, number, record) for number, record in read_records(path)]
    by_id: dict[str, Record] = {}
    for path, number, record in records:
        if str(record["id"]) in by_id:
            message = f"duplicate entity id {record['id']}"
            raise ListFormatError(path, message, record=f"line {number}")
        by_id[str(record["id"])] = record
    targets = [
        record for _, _, record in records
        if record["schema"] in TARGET_SCHEMAS and record.get("target", True) is not False
    ]
    target_list = list_id or _list_id(paths, targets)
    entities = {
        str(r["id"]): _target(r, target_list, TARGET_SCHEMAS[r["schema"]], by_id) for r in targets
    }
    for _, _, record in records:
        prop = _LINK_PROPERTY.get(record["schema"])
        for ref in _values(record, prop) if prop else []:
            if ref in entities:
                _enrich(entities[ref], record)
    for entity in entities.values():
        _dedupe_identifiers(entity)
    skipped = sum(
        1 for _, _, r in records if r["schema"] in TARGET_SCHEMAS and r.get("target") is False
    )
    warnings = [f"{skipped} non-target entities skipped (related parties, not listed)"]
    seen = [str(r["last_seen"]) for _, _, r in records if r.get("last_seen")]
    return ParsedList(
        list_id=target_list, format=FORMAT_NAME, entities=list(entities.values()),
        published=max(seen) if seen else None, warnings=warnings if skipped else [],
    )


SPEC = FormatSpec(
    name=FORMAT_NAME,
    title="OpenSanctions FollowTheMoney entities (JSON lines)",
    default_list_id=DEFAULT_LIST_ID,
    sniff=sniff,
    load=load,
)
