"""OpenSanctions' transcriptions of EU Official Journal annexes (CSV, one row per listing).

Files such as ``32001R2580.csv`` (the EU autonomous terrorist list, CP 931) and
``32002R0881.csv`` (ISIL/Al-Qaida) use 46 columns: ``celex``, ``recordId``, ``programKey``,
``schema``, ``name``, ``alias`` ... Multi-valued cells separate values with ";" or enumerate
them as "(a) ..., (b) ...". The data is CC BY-NC 4.0 (non-commercial use only).

The list id comes from the CELEX number: 32001R2580 -> ``eu_terr_2580``, 32002R0881 ->
``eu_taqa_881``, any other -> ``eu_journal_<celex>``. Entity ids are
``<celex>-<annex>.<recordId>`` ("32001R2580-II.B.3"); rows without ``recordId`` get
``<celex>-<digest of schema and name>`` (stable while the name is), with ``-2``, ``-3`` ...
added when the annex repeats a name.

Text must be UTF-8: a byte that is not (a cp1252 export, for example) is refused with its line,
rather than guessed, so no name is silently garbled.
"""

from __future__ import annotations

import csv
import hashlib
import io
import re
from collections.abc import Iterator, Sequence
from pathlib import Path

from lists.countries import to_iso
from lists.dates import iso_date, parse_birth_date
from lists.errors import ListFormatError
from lists.formats import FormatSpec, one_file
from lists.identifiers import kind_of, make_identifier
from lists.model import (
    Address,
    Entity,
    Identifier,
    IdKind,
    Name,
    NameKind,
    ParsedList,
    Schema,
    dedupe_names,
)
from lists.un import alias_names, is_latin, squash

FORMAT = "eu_journal_csv"
DEFAULT_LIST_ID = "eu_journal"
EUR_LEX = "https://eur-lex.europa.eu/legal-content/EN/TXT/?uri=CELEX:"

_LIST_IDS = {"32001R2580": "eu_terr_2580", "32002R0881": "eu_taqa_881"}
_MAX_BYTES = 64 * 1024 * 1024
_SCHEMAS = {
    "Person": Schema.PERSON,
    "Organization": Schema.ORGANIZATION,
    "LegalEntity": Schema.ORGANIZATION,
    "Company": Schema.ORGANIZATION,
    "PublicBody": Schema.ORGANIZATION,
    "Vessel": Schema.VESSEL,
    "Airplane": Schema.AIRCRAFT,
}
# Identifier columns and the kind each holds unless its text names a more precise one.
_ID_COLUMNS = {
    "passportNumber": IdKind.PASSPORT,
    "idNumber": IdKind.NATIONAL_ID,
    "taxNumber": IdKind.TAX_ID,
    "innCode": IdKind.TAX_ID,
    "registrationNumber": IdKind.REGISTRATION,
    "ogrnCode": IdKind.REGISTRATION,
    "leiCode": IdKind.LEI,
    "swiftBic": IdKind.BIC,
    "imoNumber": IdKind.IMO,
    "mmsi": IdKind.MMSI,
}
_NAME_COLUMNS = {
    "alias": NameKind.ALIAS,
    "weakAlias": NameKind.WEAK_ALIAS,
    "previousName": NameKind.FORMER,
}
REQUIRED_COLUMNS = (
    "celex", "recordId", "programKey", "startDate", "reason", "schema", "name",
    *_NAME_COLUMNS, "country", "nationality", "birthDate", "birthPlace", "position", "gender",
    *_ID_COLUMNS, "flag", "address", "phone", "email", "notes",
)  # fmt: skip
_REMARK_COLUMNS = (
    ("notes", None), ("reason", "Reason"), ("position", "Position"),
    ("fatherName", "Father's name"), ("motherName", "Mother's name"),
)  # fmt: skip
# "(a) ", "(c)Ansar" or "a) " opening one item of an enumeration.
_ENUM = re.compile(r"\([a-z]\)\s*|[a-z]\)\s+")
_NOTE = re.compile(r"\s*\(.*\)$")  # "Abu Ahmad (nom de guerre)": a trailing note
_ID_TOKEN = re.compile(r"[A-Z0-9][A-Z0-9./-]*")
_BETWEEN = re.compile(r"^between\s+", re.I)  # "Between 1965 and 1969" is a range
_ID_STOP = {"ID", "NO", "NO.", "NR", "NR."}


def split_values(text: str | None) -> list[str]:
    """Values of a multi-valued cell: split on ";" and on "(a) ... (b) ..." markers.

    Separators inside brackets are kept ("Karachi (Tel. (a) 668; (b) 0300)" stays whole), and
    the literal quotes some cells carry are removed.
    """
    value = (text or "").strip().strip('"').strip()
    items: list[str] = []
    current: list[str] = []
    depth = 0
    index = 0
    while index < len(value):
        char = value[index]
        at_boundary = index == 0 or value[index - 1] in " ,;"
        marker = _ENUM.match(value, index) if depth == 0 and at_boundary else None
        if marker is not None or (char == ";" and depth == 0):
            items.append("".join(current))
            current = []
            index = marker.end() if marker is not None else index + 1
            continue
        depth = depth + 1 if char == "(" else max(0, depth - 1) if char == ")" else depth
        current.append(char)
        index += 1
    items.append("".join(current))
    return [cleaned for item in items if (cleaned := squash(item.strip(' ,;"')))]


def _list_id(celex: str | None, path: Path) -> str:
    code = celex or path.stem
    return _LIST_IDS.get(code, f"eu_journal_{code.lower()}")


def _primary(full: str, schema: Schema) -> Name:
    """The annex name; "ABDOLLAHI Hamed" writes the family name first, in capitals."""
    name = Name(full=full, kind=NameKind.PRIMARY)
    tokens = full.split()
    upper = [token for token in tokens if token.isupper() and len(token) > 1]
    leading = bool(upper) and tokens[: len(upper)] == upper and len(upper) < len(tokens)
    if schema == Schema.PERSON and leading:
        name.last = " ".join(upper)
        name.first = " ".join(tokens[len(upper) :])
    return name


def _names(row: dict[str, str], schema: Schema) -> list[Name]:
    names = [_primary(squash(row["name"]) or "", schema)]
    for column, kind in _NAME_COLUMNS.items():
        for value in split_values(row[column]):
            for name in alias_names(value, kind):
                # Notes after a Latin alias are dropped: they would only blur matching.
                name.full = _NOTE.sub("", name.full) or name.full
                if not is_latin(name.full):
                    name.kind = NameKind.ORIGINAL_SCRIPT
                names.append(name)
    return dedupe_names(names)


def _id_value(item: str) -> str | None:
    """The number in "Philippines number EC6530802 (expires 19.1.2021)"-like text.

    The longest run of capital/digit tokens before any bracket that holds a digit.
    """
    head = item.split("(", 1)[0]
    best: list[str] = []
    run: list[str] = []
    for token in [*head.replace(",", " ").split(), ""]:
        if _ID_TOKEN.fullmatch(token) and token.upper() not in _ID_STOP:
            run.append(token)
            continue
        if any(ch.isdigit() for ch in "".join(run)) and len(run) > len(best):
            best = run
        run = []
    return " ".join(best) or None


def _identifiers(row: dict[str, str]) -> Iterator[Identifier]:
    for column, default_kind in _ID_COLUMNS.items():
        for item in split_values(row[column]):
            value = _id_value(item) or item
            kind = default_kind
            if default_kind == IdKind.NATIONAL_ID:  # the text may name a passport, a tax code...
                kind = kind_of(item.split("(", 1)[0]) if kind_of(item) != IdKind.OTHER else kind
            note = item if item != value else None
            yield make_identifier(column, value, note=note, kind=kind)
    for column, kind in (("phone", IdKind.PHONE), ("email", IdKind.EMAIL)):
        for item in split_values(row[column]):
            yield make_identifier(column, item, kind=kind)


def _countries(values: list[str], warnings: set[str], record: str) -> list[str]:
    codes: list[str] = []
    for value in values:
        # "Indonesian (as at December 2003)", "Tunisian. National Identification No.: ..."
        code = (
            to_iso(value)
            or to_iso(re.sub(r"\s*\(.*?\)\s*", " ", value))
            or to_iso(value.split(".", 1)[0])
        )
        if code is None:
            warnings.add(f"{record}: unknown country {value!r}")
        elif code not in codes:
            codes.append(code)
    return codes


def _remarks(row: dict[str, str]) -> str | None:
    lines = []
    for column, label in _REMARK_COLUMNS:
        value = squash(row.get(column))
        if value:
            lines.append(f"{label}: {value}" if label else value)
    return "\n".join(lines) or None


def _entity(row: dict[str, str], entity_id: str, list_id: str, warnings: set[str]) -> Entity:
    schema = _SCHEMAS.get(row["schema"].strip())
    if schema is None:
        raise ListFormatError("", f"unknown schema {row['schema']!r}")
    celex = row["celex"].strip()
    entity = Entity(
        entity_id=entity_id,
        list_id=list_id,
        schema=schema,
        names=_names(row, schema),
        gender={"male": "male", "female": "female"}.get(row["gender"].strip().casefold()),
        birth_places=split_values(row["birthPlace"]),
        listed_on=iso_date(row["startDate"]),
        remarks=_remarks(row),
        source_url=f"{EUR_LEX}{celex}" if celex else None,
        reference=_reference(row),
        programs=split_values(row["programKey"]),
    )
    for value in split_values(row["birthDate"]):
        for part in re.split(r"\s+or\s+", value):
            parsed = parse_birth_date(_BETWEEN.sub("", part))
            if parsed is None:
                warnings.add(f"{entity_id}: unreadable birth date {part!r}")
            elif parsed not in entity.birth_dates:
                entity.birth_dates.append(parsed)
    entity.nationalities = _countries(split_values(row["nationality"]), warnings, entity_id)
    for text in split_values(row["address"]):
        country = to_iso(re.sub(r"\s*\(.*?\)", "", text).rsplit(",", 1)[-1])
        entity.addresses.append(Address(text=text, country=country))
    located = [a.country for a in entity.addresses if a.country]
    written = split_values(row["country"]) + split_values(row["flag"])
    for code in _countries(written, warnings, entity_id) + located:
        if code not in entity.countries:
            entity.countries.append(code)
    for identifier in _identifiers(row):
        if identifier not in entity.identifiers:
            entity.identifiers.append(identifier)
    return entity


def _read_text(path: Path) -> str:
    data = path.read_bytes()
    if len(data) > _MAX_BYTES:
        raise ListFormatError(path, f"file is {len(data)} bytes, over the {_MAX_BYTES} limit")
    if not data.strip():
        raise ListFormatError(path, "file is empty")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        byte = data[exc.start]
        raise ListFormatError(
            path, f"not UTF-8: byte 0x{byte:02x} at offset {exc.start}", record=f"line {line}"
        ) from exc


def _reference(row: dict[str, str]) -> str | None:
    """The annex's own number: recordId restarts in each annex part ("II.A.1", "II.B.1")."""
    record_id = squash(row["recordId"])
    if record_id is None:
        return None
    annex = squash(row.get("annex"))
    return f"{annex}.{record_id}" if annex else record_id


def _record_key(row: dict[str, str]) -> str:
    """The annex reference, else a digest of schema and name (stable while the name is)."""
    if reference := _reference(row):
        return reference
    key = f"{row['schema'].strip()}|{' '.join(row['name'].split()).casefold()}"
    return hashlib.sha1(key.encode("utf-8"), usedforsecurity=False).hexdigest()[:12]


def load(paths: Sequence[Path], list_id: str | None = None) -> ParsedList:
    """Read one journal-annex CSV."""
    path = one_file(paths, "each journal annex is one CSV file")
    reader = csv.DictReader(io.StringIO(_read_text(path), newline=""))
    missing = [column for column in REQUIRED_COLUMNS if column not in (reader.fieldnames or [])]
    if missing:
        raise ListFormatError(path, f"missing columns: {', '.join(missing)}", record="line 1")
    entities: list[Entity] = []
    seen: dict[str, int] = {}
    warnings: set[str] = set()
    resolved_id = list_id
    try:
        for row in reader:
            record = f"line {reader.line_num}"
            if None in row or not squash(row["name"]):
                raise ListFormatError(path, "row with extra cells or without a name", record)
            celex = squash(row["celex"])
            resolved_id = resolved_id or _list_id(celex, path)
            base = f"{celex or path.stem}-{_record_key(row)}"
            seen[base] = seen.get(base, 0) + 1
            entity_id = base if seen[base] == 1 else f"{base}-{seen[base]}"
            try:
                entities.append(_entity(row, entity_id, resolved_id, warnings))
            except ListFormatError as exc:
                raise ListFormatError(path, exc.detail, record=record) from exc
    except csv.Error as exc:
        line = f"line {reader.reader.line_num}"  # DictReader's own count lags on errors
        raise ListFormatError(path, f"malformed CSV: {exc}", record=line) from exc
    if not entities:
        raise ListFormatError(path, "no records after the header")
    return ParsedList(
        list_id=resolved_id or _list_id(None, path),
        format=FORMAT,
        entities=entities,
        warnings=sorted(warnings),
    )


def sniff(path: Path, head: bytes) -> bool:
    """The header row names the journal columns: celex, recordId, programKey, ... schema, name."""
    first = head.removeprefix(b"\xef\xbb\xbf").split(b"\n", 1)[0].strip().split(b",")
    leading = first[:3] == [b"celex", b"recordId", b"programKey"]
    return leading and b"schema" in first and b"name" in first


SPEC = FormatSpec(
    name=FORMAT,
    title="EU Official Journal annexes as transcribed by OpenSanctions (CSV)",
    default_list_id=DEFAULT_LIST_ID,
    sniff=sniff,
    load=load,
)
