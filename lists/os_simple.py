"""OpenSanctions "targets.simple.csv" exports (one row per sanctioned target).

Columns: ``id, schema, name, aliases, birth_date, countries, addresses, identifiers,
sanctions, phones, emails, [program_ids,] dataset, first_seen, last_seen, last_change``;
older exports (e.g. the 2025 INTERPOL one) have no ``program_ids``. Multi-valued cells join
values with ``;``, and a value containing ``;`` or a newline is itself quoted inside the cell
(``"Red Notice - murder; theft"``), so cells are split with a quote-aware reader.

The ``dataset`` column holds the dataset TITLE ("Ukraine War and Sanctions"), kept as the list
title. List id: the ``list_id`` argument, else ``os_<name>`` from a file named
``<name>.targets.simple.csv`` (OpenSanctions' dataset name), else ``os_`` + the slugged title.
``countries`` mixes nationality and residence, so it fills ``countries`` only.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Sequence
from pathlib import Path

from lists.countries import to_iso
from lists.dates import parse_birth_date
from lists.errors import ListFormatError
from lists.formats import FormatSpec, one_file
from lists.identifiers import make_identifier
from lists.model import Address, BirthDate, Entity, Identifier, IdKind, Name, NameKind, ParsedList
from lists.model import Schema as EntitySchema
from lists.uk_conlist import read_csv_table

FORMAT_NAME = "os_simple_csv"
DEFAULT_LIST_ID = "opensanctions"
REQUIRED_COLUMNS = (
    "id", "schema", "name", "aliases", "birth_date", "countries", "addresses", "identifiers",
    "sanctions", "phones", "emails", "dataset",
)
SCHEMAS = {
    "Person": EntitySchema.PERSON,
    "Organization": EntitySchema.ORGANIZATION,
    "Company": EntitySchema.ORGANIZATION,
    "LegalEntity": EntitySchema.ORGANIZATION,
    "PublicBody": EntitySchema.ORGANIZATION,
    "Vessel": EntitySchema.VESSEL,
    "Airplane": EntitySchema.AIRCRAFT,
}
_FILE_NAME = re.compile(r"^(?P<name>[\w-]+)\.targets\.simple\.csv$")
_IMO = re.compile(r"^IMO\d{7}$")


def sniff(path: Path, head: bytes) -> bool:
    first = head.lstrip(b"\xef\xbb\xbf").split(b"\n", 1)[0]
    return first.startswith(b'"id","schema","name","aliases"') or first.startswith(
        b"id,schema,name,aliases"
    )


def split_values(cell: str) -> list[str]:
    """The values of a ';'-joined cell; quoted values keep their ';' and newlines."""
    if not cell.strip():
        return []
    try:
        rows = list(csv.reader(io.StringIO(cell, newline=""), delimiter=";", strict=True))
    except csv.Error:
        rows = [cell.split(";")]
    values: list[str] = []
    for index, row in enumerate(rows):
        if index and values and row:  # an unquoted newline inside a value: join it back
            values[-1] += "\n" + row[0]
            row = row[1:]
        values.extend(row)
    cleaned = [value.strip() for value in values]
    return [value for value in cleaned if value]


def _names(row: dict[str, str]) -> list[Name]:
    names: dict[str, Name] = {}
    primary = " ".join(row["name"].split())
    if primary:
        names[primary.casefold()] = Name(full=primary)
    for alias in split_values(row["aliases"]):
        alias = " ".join(alias.split())
        names.setdefault(alias.casefold(), Name(full=alias, kind=NameKind.ALIAS))
    return list(names.values())


def _identifiers(row: dict[str, str]) -> list[Identifier]:
    found = [
        make_identifier(None, value, kind=IdKind.IMO if _IMO.match(value) else IdKind.OTHER)
        for value in split_values(row["identifiers"])
    ]
    found += [make_identifier("phone", v, kind=IdKind.PHONE) for v in split_values(row["phones"])]
    found += [make_identifier("email", v, kind=IdKind.EMAIL) for v in split_values(row["emails"])]
    return found


def _birth_dates(cell: str) -> list[BirthDate]:
    dates: list[BirthDate] = []
    for value in split_values(cell):
        parsed = parse_birth_date(value, dayfirst=False)
        if parsed is not None and parsed not in dates:
            dates.append(parsed)
    return dates


def _entity(path: Path, line: int, row: dict[str, str], list_id: str) -> Entity:
    entity_id, schema = row["id"].strip(), SCHEMAS.get(row["schema"].strip())
    names = _names(row)
    if schema is None:
        raise ListFormatError(path, f"unknown schema {row['schema']!r}", record=f"line {line}")
    if not entity_id or not names:
        raise ListFormatError(path, "row without id or name", record=f"line {line}")
    countries = [code for code in map(to_iso, split_values(row["countries"])) if code]
    return Entity(
        entity_id=entity_id, list_id=list_id, schema=schema, names=names,
        birth_dates=_birth_dates(row["birth_date"]), countries=list(dict.fromkeys(countries)),
        addresses=[Address(text=text) for text in split_values(row["addresses"])],
        identifiers=_identifiers(row), programs=split_values(row.get("program_ids", "")),
        remarks="\n".join(split_values(row["sanctions"])) or None,
    )


def _list_id(path: Path, title: str | None) -> str:
    match = _FILE_NAME.match(path.name)
    if match is not None and match["name"] != "targets":
        return f"os_{match['name']}"
    slug = re.sub(r"[^a-z0-9]+", "_", (title or "").casefold()).strip("_")
    return f"os_{slug}" if slug else DEFAULT_LIST_ID


def load(paths: Sequence[Path], list_id: str | None = None) -> ParsedList:
    """Load one targets.simple.csv export; one entity per row."""
    path = one_file(paths, "one targets.simple.csv at a time")
    _, rows = read_csv_table(path, "utf-8", REQUIRED_COLUMNS)
    titles = list(dict.fromkeys(row["dataset"].strip() for _, row in rows if row["dataset"]))
    title = titles[0] if titles else None
    target_list = list_id or _list_id(path, title)
    entities: dict[str, Entity] = {}
    for line, row in rows:
        entity = _entity(path, line, row, target_list)
        if entity.entity_id in entities:
            raise ListFormatError(
                path, f"duplicate entity id {entity.entity_id}", record=f"line {line}"
            )
        entities[entity.entity_id] = entity
    seen = [row.get("last_seen", "") for _, row in rows if row.get("last_seen")]
    warnings = [f"several datasets in one file: {', '.join(titles)}"] if len(titles) > 1 else []
    return ParsedList(
        list_id=target_list, format=FORMAT_NAME, entities=list(entities.values()),
        published=max(seen) if seen else None, warnings=warnings, title=title,
    )


SPEC = FormatSpec(
    name=FORMAT_NAME,
    title="OpenSanctions targets.simple.csv",
    default_list_id=DEFAULT_LIST_ID,
    sniff=sniff,
    load=load,
)
