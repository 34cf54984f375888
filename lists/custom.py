"""National and confidential lists in CSV, JSON or XLSX, read through a column mapping (YAML).

Finding the mapping:

* ``load([data_path])`` (the registry's loader) uses the SIBLING file
  ``<data file stem>.mapping.yml`` (or ``.mapping.yaml``): ``belgium.xlsx`` ->
  ``belgium.mapping.yml``. ``sniff`` accepts a file only when such a sibling exists, so the
  custom format never claims a file by accident.
* ``load_with_mapping(data_path, mapping_path, list_id=None)`` takes any mapping file, e.g.
  one shipped in ``lists/data/mappings/`` (``shipped_mapping("pk_nacta")``).
* Without a sibling, a shipped mapping whose ``files:`` glob patterns match the data file
  NAME is used (``pk_nacta.yml`` claims ``nacta_proscribed_persons*.json``), so the official
  file can be loaded as downloaded.

Mapping keys (only ``list_id`` and ``name`` are required)::

    list_id: be_national          # list id unless the caller overrides it
    files: ["be_liste*.xlsx"]      # shipped mappings only: data file names they apply to
    title: Belgian national list   # -> ParsedList.title
    confidential: true             # -> ParsedList.confidential (hits shown to cleared roles)
    format: xlsx                   # csv | json | xlsx; default from the data file suffix
    encoding: utf-8                # CSV only (default utf-8; a BOM is ignored)
    delimiter: ";"                 # CSV only (default ",")
    sheet: Liste                   # XLSX only (default: first sheet)
    header_row: 1                  # XLSX only: 1-based row holding the column names
    null_values: ["", "N/A"]       # cell values meaning "nothing" (compared trimmed)
    value_separator: "|"           # splits nationality and country cells holding several
    schema: Person                 # fixed schema, or a column and its values:
    schema_column: Type
    schema_values: {P: Person, E: Organization}
    id_column: Ref                 # the record id; or a hash of several columns:
    id_columns: [Name, CNIC]
    duplicates: error              # error (default) | merge (records sharing an id merged)
    name:                          # a full-name column, or parts (last = family name)
      full: Name
      first: Prénom
      middle: Deuxième prénom
      last: Nom
      alias_pattern: '\\s*@\\s*'   # regex splitting "X @ Y" inside the name cell: Y = alias
    aliases: {column: Alias, separator: ";", kind: alias}   # kind: alias | weak_alias | former
    birth_date: {column: Né le, dayfirst: true, format: "%d/%m/%Y"}   # format optional
    birth_place: Lieu de naissance
    gender: Sexe
    nationality: [Nationalité]     # one column or a list; country names or ISO codes
    country: [Pays]
    address: {columns: [Rue, Ville], country_column: Pays, country: BE}
    identifiers:
      - {column: NRN, kind: national_id, type: Numéro de registre national, country: BE,
         ignore: ["00000000000"], min_length: 5}
    programs: [BE-TERR]            # fixed programme names, and/or
    program_column: Programme
    listed_on: {column: Date d'inscription, dayfirst: true}
    remarks: [{column: Motif, label: Motif}]
"""

from __future__ import annotations

import datetime as dt
import fnmatch
import hashlib
import json
import re
import zipfile
from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

import yaml
from openpyxl import load_workbook
from openpyxl.utils.exceptions import InvalidFileException

from lists.countries import to_iso
from lists.dates import iso_date, parse_birth_date
from lists.errors import ListFormatError
from lists.formats import FormatSpec, one_file
from lists.identifiers import make_identifier
from lists.model import (
    Address,
    BirthDate,
    Entity,
    IdKind,
    Name,
    NameKind,
    ParsedList,
    Schema,
)
from lists.uk_conlist import read_csv_table

FORMAT_NAME = "custom"
DEFAULT_LIST_ID = "custom"
MAPPINGS_DIR = Path(__file__).parent / "data" / "mappings"
_MAPPING_SUFFIXES = (".mapping.yml", ".mapping.yaml")
_SUFFIX_FORMATS = {".csv": "csv", ".json": "json", ".jsonl": "json", ".xlsx": "xlsx"}
_ALIAS_KINDS = {"alias": NameKind.ALIAS, "weak_alias": NameKind.WEAK_ALIAS,
                "former": NameKind.FORMER}
_MAX_BYTES = 200 * 1024 * 1024  # a national list this large is a wrong file

Row = dict[str, str | None]


# --- the mapping ----------------------------------------------------------------------------


@dataclass(frozen=True)
class IdentifierSpec:
    column: str
    kind: IdKind
    raw_type: str | None = None
    country: str | None = None
    ignore: frozenset[str] = frozenset()
    min_length: int = 1


@dataclass(frozen=True)
class ColumnMapping:
    """A validated mapping file (see the module docstring for the keys)."""

    path: Path
    list_id: str
    raw: dict[str, Any]
    title: str | None = None
    confidential: bool = False
    identifiers: tuple[IdentifierSpec, ...] = ()
    null_values: frozenset[str] = field(default_factory=lambda: frozenset({""}))

    def get(self, *keys: str) -> Any:
        value: Any = self.raw
        for key in keys:
            value = value.get(key) if isinstance(value, dict) else None
        return value

    def columns(self, *keys: str) -> list[str]:
        """A key holding one column name or a list of them, as a list."""
        value = self.get(*keys)
        if value is None:
            return []
        return [str(v) for v in value] if isinstance(value, list) else [str(value)]

    def referenced_columns(self) -> list[str]:
        """Every column the mapping reads: each must exist in the data file."""
        names: list[str] = []
        for keys in (
            ("schema_column",), ("id_column",), ("id_columns",), ("name", "full"),
            ("name", "first"), ("name", "middle"), ("name", "last"), ("aliases", "column"),
            ("birth_date", "column"), ("birth_place",), ("gender",), ("nationality",),
            ("country",), ("address", "columns"), ("address", "country_column"),
            ("program_column",), ("listed_on", "column"),
        ):
            names += self.columns(*keys)
        names += [spec.column for spec in self.identifiers]
        names += [str(item["column"]) for item in self.get("remarks") or []]
        return list(dict.fromkeys(names))


def _mapping_error(path: Path, message: str) -> ListFormatError:
    return ListFormatError(path, f"invalid mapping: {message}")


def _identifier_specs(path: Path, items: Any) -> tuple[IdentifierSpec, ...]:
    specs: list[IdentifierSpec] = []
    for index, item in enumerate(items or [], start=1):
        if not isinstance(item, dict) or "column" not in item:
            raise _mapping_error(path, f"identifiers[{index}] needs a column")
        try:
            kind = IdKind(str(item.get("kind", "other")))
        except ValueError:
            known = ", ".join(k.value for k in IdKind)
            raise _mapping_error(
                path, f"identifiers[{index}]: unknown kind {item.get('kind')!r} ({known})"
            ) from None
        specs.append(IdentifierSpec(
            column=str(item["column"]), kind=kind, raw_type=item.get("type"),
            country=to_iso(item.get("country")) if item.get("country") else None,
            ignore=frozenset(str(v) for v in item.get("ignore") or []),
            min_length=int(item.get("min_length", 1)),
        ))
    return tuple(specs)


def read_mapping(path: Path) -> ColumnMapping:
    """Parse and validate a mapping file; errors name the file and the faulty key."""
    try:
        raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, yaml.YAMLError) as exc:
        raise _mapping_error(path, str(exc)) from exc
    if not isinstance(raw, dict):
        raise _mapping_error(path, "not a YAML mapping")
    if not raw.get("list_id"):
        raise _mapping_error(path, "list_id is required")
    name = raw.get("name")
    if not isinstance(name, dict) or not (name.get("full") or name.get("last")):
        raise _mapping_error(path, "name needs a full or a last column")
    schema = raw.get("schema")
    if schema is not None and schema not in {s.value for s in Schema}:
        raise _mapping_error(path, f"unknown schema {schema!r}")
    if raw.get("duplicates", "error") not in ("error", "merge"):
        raise _mapping_error(path, "duplicates must be error or merge")
    nulls = frozenset(str(v).strip() for v in raw.get("null_values") or []) | {""}
    return ColumnMapping(
        path=path, list_id=str(raw["list_id"]), raw=raw, title=raw.get("title"),
        confidential=bool(raw.get("confidential", False)),
        identifiers=_identifier_specs(path, raw.get("identifiers")), null_values=nulls,
    )


def sibling_mapping(data_path: Path) -> Path | None:
    """The ``<stem>.mapping.yml`` next to a data file, else a shipped mapping whose
    ``files`` patterns match the file name; None when neither exists."""
    for suffix in _MAPPING_SUFFIXES:
        candidate = data_path.with_name(data_path.stem + suffix)
        if candidate.is_file():
            return candidate
    for mapping_path, patterns in _shipped_patterns():
        if any(fnmatch.fnmatch(data_path.name, pattern) for pattern in patterns):
            return mapping_path
    return None


@cache
def _shipped_patterns() -> tuple[tuple[Path, tuple[str, ...]], ...]:
    """File-name patterns (``files:``) of the mappings shipped in lists/data/mappings."""
    found: list[tuple[Path, tuple[str, ...]]] = []
    for path in sorted(MAPPINGS_DIR.glob("*.yml")):
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
        if isinstance(data, dict) and data.get("files"):
            found.append((path, tuple(str(pattern) for pattern in data["files"])))
    return tuple(found)


def shipped_mapping(name: str) -> Path:
    """A mapping shipped with the project, by name ("pk_nacta")."""
    return MAPPINGS_DIR / f"{name}.yml"


# --- reading the data file ------------------------------------------------------------------


def _cell(value: Any) -> str | None:
    """A spreadsheet or JSON value as text (dates as ISO, 12.0 as "12")."""
    if value is None:
        return None
    if isinstance(value, dt.datetime):
        return value.date().isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, (dict, list)):
        return json.dumps(value, ensure_ascii=False)
    return str(value)


def _read_csv(path: Path, mapping: ColumnMapping) -> tuple[list[str], list[tuple[str, Row]]]:
    encoding = str(mapping.get("encoding") or "utf-8")
    delimiter = str(mapping.get("delimiter") or ",")
    _, rows = read_csv_table(path, encoding, [], delimiter=delimiter)
    header = list(rows[0][1]) if rows else _csv_header(path, encoding, delimiter)
    return header, [(f"line {line}", dict(row)) for line, row in rows]


def _csv_header(path: Path, encoding: str, delimiter: str) -> list[str]:
    first = path.read_text(encoding=encoding).lstrip("\ufeff").splitlines()[0]
    return [column.strip() for column in first.split(delimiter)]


def _read_json(path: Path) -> tuple[list[str], list[tuple[str, Row]]]:
    try:
        text = path.read_text(encoding="utf-8-sig")
    except UnicodeDecodeError as exc:
        raise ListFormatError(path, "not UTF-8 text") from exc
    records: list[tuple[str, Any]]
    try:
        data = json.loads(text)
        if not isinstance(data, list):
            raise ListFormatError(path, "JSON must be an array of objects or JSON lines")
        records = [(f"record {index}", item) for index, item in enumerate(data, start=1)]
    except json.JSONDecodeError as whole_error:
        records = []
        for number, line in enumerate(text.splitlines(), start=1):
            if not line.strip():
                continue
            try:
                records.append((f"line {number}", json.loads(line)))
            except json.JSONDecodeError as exc:
                where = f"line {whole_error.lineno if number == 1 else number}"
                raise ListFormatError(path, f"invalid JSON: {exc}", record=where) from exc
    rows: list[tuple[str, Row]] = []
    header: dict[str, None] = {}
    for label, item in records:
        if not isinstance(item, dict):
            raise ListFormatError(path, "not a JSON object", record=label)
        header.update(dict.fromkeys(str(key) for key in item))
        rows.append((label, {str(key): _cell(value) for key, value in item.items()}))
    return list(header), rows


def _read_xlsx(path: Path, mapping: ColumnMapping) -> tuple[list[str], list[tuple[str, Row]]]:
    try:
        workbook = load_workbook(path, read_only=True, data_only=True)
    except (zipfile.BadZipFile, InvalidFileException, KeyError, OSError) as exc:
        raise ListFormatError(path, f"not a readable XLSX workbook (zip): {exc}") from exc
    try:
        sheet_name = mapping.get("sheet")
        if sheet_name is not None and sheet_name not in workbook.sheetnames:
            known = ", ".join(workbook.sheetnames)
            raise ListFormatError(path, f"no sheet {sheet_name!r} (sheets: {known})")
        sheet = workbook[sheet_name] if sheet_name else workbook.worksheets[0]
        header_row = int(mapping.get("header_row") or 1)
        header: list[str] = []
        rows: list[tuple[str, Row]] = []
        for number, values in enumerate(sheet.iter_rows(values_only=True), start=1):
            if number < header_row:
                continue
            if number == header_row:
                header = [(_cell(value) or "").strip() for value in values]
                continue
            if all(value is None or str(value).strip() == "" for value in values):
                continue
            rows.append((f"row {number}", {
                column: _cell(value) for column, value in zip(header, values, strict=False)
                if column
            }))
    finally:
        workbook.close()
    return header, rows


def read_rows(path: Path, mapping: ColumnMapping) -> list[tuple[str, Row]]:
    """Every record of the data file, checked against the columns the mapping names."""
    if not path.is_file() or path.stat().st_size == 0:
        raise ListFormatError(path, "file is empty or missing")
    if path.stat().st_size > _MAX_BYTES:
        raise ListFormatError(path, f"file larger than {_MAX_BYTES} bytes")
    kind = str(mapping.get("format") or _SUFFIX_FORMATS.get(path.suffix.casefold(), ""))
    if kind == "csv":
        header, rows = _read_csv(path, mapping)
    elif kind == "json":
        header, rows = _read_json(path)
    elif kind == "xlsx":
        header, rows = _read_xlsx(path, mapping)
    else:
        raise ListFormatError(path, "unknown data format: set format: csv|json|xlsx in the mapping")
    missing = [column for column in mapping.referenced_columns() if column not in header]
    if missing:
        raise ListFormatError(
            path, f"mapping {mapping.path.name} names columns absent from the file: "
            f"{', '.join(missing)}",
        )
    return rows


# --- building entities ----------------------------------------------------------------------


class _Record:
    """One row seen through the mapping: null values and padding removed."""

    def __init__(self, row: Row, mapping: ColumnMapping) -> None:
        self.row, self.mapping = row, mapping

    def value(self, column: str | None) -> str | None:
        if column is None:
            return None
        text = " ".join((self.row.get(column) or "").split())
        return None if text in self.mapping.null_values else text

    def values(self, *keys: str) -> list[str]:
        found = [self.value(column) for column in self.mapping.columns(*keys)]
        return [value for value in found if value]

    def split_values(self, *keys: str) -> list[str]:
        """Values of the columns, each cell split on the mapping's ``value_separator``."""
        separator = self.mapping.get("value_separator")
        cells = self.values(*keys)
        if not separator:
            return cells
        parts = [part.strip() for cell in cells for part in cell.split(str(separator))]
        return [part for part in parts if part]


def _schema(record: _Record, mapping: ColumnMapping, path: Path, label: str) -> Schema:
    column = mapping.get("schema_column")
    if column is None:
        return Schema(mapping.get("schema") or "Person")
    raw = record.value(str(column)) or ""
    value = (mapping.get("schema_values") or {}).get(raw, raw)
    try:
        return Schema(value)
    except ValueError:
        raise ListFormatError(path, f"unknown schema value {raw!r}", record=label) from None


def _names(record: _Record, mapping: ColumnMapping, schema: Schema) -> list[Name]:
    full = record.value(mapping.get("name", "full"))
    first = record.value(mapping.get("name", "first"))
    middle = record.value(mapping.get("name", "middle"))
    last = record.value(mapping.get("name", "last"))
    names: list[Name] = []
    pattern = mapping.get("name", "alias_pattern")
    if full is None:
        full = " ".join(part for part in (first, middle, last) if part) or None
    elif pattern and full:
        full, *inline = [p.strip() for p in re.split(str(pattern), full, flags=re.I) if p.strip()]
        names += [Name(full=alias, kind=NameKind.ALIAS) for alias in inline]
    if full is None:
        return []
    primary = Name(full=full)
    if schema == Schema.PERSON:
        primary.first, primary.middle, primary.last = first, middle, last
    kind = _ALIAS_KINDS.get(str(mapping.get("aliases", "kind") or "alias"), NameKind.ALIAS)
    separator = str(mapping.get("aliases", "separator") or ";")
    for cell in record.values("aliases", "column"):
        names += [Name(full=a.strip(), kind=kind) for a in cell.split(separator) if a.strip()]
    return [primary, *names]


def _date(text: str | None, spec: Any) -> str | None:
    if text is None:
        return None
    fmt = spec.get("format") if isinstance(spec, dict) else None
    if fmt:
        try:
            return dt.datetime.strptime(text, str(fmt)).date().isoformat()
        except ValueError:
            return None
    dayfirst = bool(spec.get("dayfirst", True)) if isinstance(spec, dict) else True
    return iso_date(text, dayfirst=dayfirst)


def _birth_dates(record: _Record, mapping: ColumnMapping) -> list[BirthDate]:
    spec = mapping.get("birth_date")
    dates: list[BirthDate] = []
    for text in record.values("birth_date", "column"):
        if isinstance(spec, dict) and spec.get("format"):
            iso = _date(text, spec)
            parsed = BirthDate(value=iso) if iso else None
        else:
            parsed = parse_birth_date(text, dayfirst=bool((spec or {}).get("dayfirst", True)))
        if parsed is not None:
            dates.append(parsed)
    return dates


def _codes(values: list[str]) -> list[str]:
    return list(dict.fromkeys(code for code in map(to_iso, values) if code))


def _address(record: _Record, mapping: ColumnMapping) -> Address | None:
    if mapping.get("address") is None:
        return None
    text = ", ".join(record.values("address", "columns")) or None
    country_cell = record.value(mapping.get("address", "country_column"))
    country = to_iso(country_cell) if country_cell else to_iso(mapping.get("address", "country"))
    return Address(text=text, country=country) if text or country else None


def _remarks(record: _Record, mapping: ColumnMapping) -> str | None:
    lines: list[str] = []
    for item in mapping.get("remarks") or []:
        value = record.value(str(item["column"]))
        if value:
            lines.append(f"{item['label']}: {value}" if item.get("label") else value)
    return "\n".join(lines) or None


def _entity_id(record: _Record, mapping: ColumnMapping, path: Path, label: str) -> str:
    column = mapping.get("id_column")
    if column is not None:
        value = record.value(str(column))
        if not value:
            raise ListFormatError(path, f"empty id in column {column!r}", record=label)
        return value
    # No id column: a digest of the chosen columns, stable while the record is unchanged.
    parts = [(record.value(c) or "").casefold() for c in mapping.columns("id_columns")]
    if not any(parts):
        raise ListFormatError(path, "mapping needs id_column or id_columns", record=label)
    return hashlib.sha256("\x1f".join(parts).encode("utf-8")).hexdigest()[:16]


def _build(record: _Record, mapping: ColumnMapping, list_id: str, path: Path,
           label: str) -> Entity:
    schema = _schema(record, mapping, path, label)
    names = _names(record, mapping, schema)
    if not names:
        raise ListFormatError(path, "record without a name", record=label)
    address = _address(record, mapping)
    countries = _codes(record.split_values("country"))
    if address is not None and address.country and address.country not in countries:
        countries.append(address.country)
    identifiers = []
    for spec in mapping.identifiers:
        value = record.value(spec.column)
        if value and value not in spec.ignore and len(value) >= spec.min_length:
            identifiers.append(make_identifier(
                spec.raw_type or spec.column, value, country=spec.country, kind=spec.kind,
            ))
    gender = (record.value(mapping.get("gender")) or "").casefold()
    gender_value = {"m": "male", "male": "male", "f": "female", "female": "female"}.get(gender)
    programs = [str(p) for p in mapping.columns("programs")] + record.values("program_column")
    return Entity(
        entity_id=_entity_id(record, mapping, path, label), list_id=list_id, schema=schema,
        names=names, gender=gender_value, birth_dates=_birth_dates(record, mapping),
        birth_places=record.values("birth_place"),
        nationalities=_codes(record.split_values("nationality")), countries=countries,
        addresses=[address] if address else [], identifiers=identifiers, programs=programs,
        listed_on=_date(record.value(mapping.get("listed_on", "column")), mapping.get("listed_on")),
        remarks=_remarks(record, mapping),
    )


def _merge(into: Entity, other: Entity) -> None:
    """Fold a record sharing the id into the first one, without repeating values."""
    spellings = {name.full.casefold() for name in into.names}
    into.names += [name for name in other.names if name.full.casefold() not in spellings]
    for attribute in ("birth_dates", "birth_places", "nationalities", "countries",
                      "addresses", "identifiers", "programs"):
        target = getattr(into, attribute)
        for value in getattr(other, attribute):
            if value not in target:
                target.append(value)
    if other.remarks and other.remarks != into.remarks:
        into.remarks = "\n".join(filter(None, [into.remarks, other.remarks]))


def load_with_mapping(
    data_path: Path, mapping_path: Path, list_id: str | None = None
) -> ParsedList:
    """Load one data file through the given mapping file."""
    mapping = read_mapping(mapping_path)
    target_list = list_id or mapping.list_id
    entities: dict[str, Entity] = {}
    merged = 0
    for label, row in read_rows(data_path, mapping):
        entity = _build(_Record(row, mapping), mapping, target_list, data_path, label)
        known = entities.get(entity.entity_id)
        if known is None:
            entities[entity.entity_id] = entity
        elif mapping.get("duplicates") == "merge":
            _merge(known, entity)
            merged += 1
        else:
            raise ListFormatError(
                data_path, f"duplicate id {entity.entity_id}", record=label
            )
    warnings = [f"{merged} records merged into an earlier record with the same id"]
    return ParsedList(
        list_id=target_list, format=FORMAT_NAME, entities=list(entities.values()),
        warnings=warnings if merged else [], confidential=mapping.confidential,
        title=mapping.title,
    )


def load(paths: Sequence[Path], list_id: str | None = None) -> ParsedList:
    """Load one data file through its sibling ``<stem>.mapping.yml``."""
    path = one_file(paths, "custom lists load one file at a time")
    mapping = sibling_mapping(path)
    if mapping is None:
        expected = path.with_name(path.stem + _MAPPING_SUFFIXES[0])
        raise ListFormatError(path, f"no mapping file: expected {expected}")
    return load_with_mapping(path, mapping, list_id)


def sniff(path: Path, head: bytes) -> bool:
    return path.suffix.casefold() in _SUFFIX_FORMATS and sibling_mapping(path) is not None


SPEC = FormatSpec(
    name=FORMAT_NAME,
    title="Custom national/confidential list (CSV, JSON, XLSX + mapping)",
    default_list_id=DEFAULT_LIST_ID,
    sniff=sniff,
    load=load,
)
