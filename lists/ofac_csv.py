"""OFAC legacy flat files in CSV: the SDN set and the non-SDN consolidated set.

One list is a group of files from one folder:

=================  ==================  =====  =========================================
SDN set            consolidated set    cols   content
=================  ==================  =====  =========================================
sdn.csv            cons_prim.csv       12     one row per entry (the primary file)
add.csv            cons_add.csv        6      addresses
alt.csv            cons_alt.csv        5      strong aliases (aka / fka / nka)
sdn_comments.csv   cons_comments.csv   2      remarks overflow past 1,000 characters
=================  ==================  =====  =========================================

The files have no header row, write nulls as ``-0-`` followed by a space, end lines with CRLF
and end with a lone 0x1A byte. Facts other than names and addresses (dates of birth,
nationalities, identifiers, weak aliases) live in the Remarks text: see lists.ofac_remarks.
The legacy files carry no publication date.

Errors: a row of the wrong width, a non-numeric ent_num, a duplicate ent_num, an unclosed quote
(a cut file) or a field over the csv module's 128 KiB limit (real remarks stop at 1,000
characters, their overflow rows at a few KiB) raise ListFormatError with the file and line.
Companion rows whose ent_num is not in the primary file are skipped and counted in warnings.
"""

from __future__ import annotations

import csv
import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from lists.errors import ListFormatError
from lists.formats import FormatSpec
from lists.identifiers import make_identifier
from lists.model import (
    Address,
    Entity,
    IdKind,
    Name,
    NameKind,
    ParsedList,
    Schema,
    dedupe_names,
)
from lists.ofac_remarks import make_name, parse_remarks, to_iso

FORMAT = "ofac_csv"
SDN_LIST_ID = "us_ofac_sdn"
CONS_LIST_ID = "us_ofac_cons"
SOURCE_URL = "https://sanctionssearch.ofac.treas.gov/Details.aspx?id={ent_num}"

_PRIMARY, _ADD, _ALT, _COMMENTS = "primary", "add", "alt", "comments"
_COLUMNS = {_PRIMARY: 12, _ADD: 6, _ALT: 5, _COMMENTS: 2}
_ROLE_BY_COLUMNS = {count: role for role, count in _COLUMNS.items()}
_NULL = "-0-"
_EOF = "\x1a"  # DOS end-of-file marker OFAC still writes on the last line

_SCHEMAS = {
    "individual": Schema.PERSON,
    "vessel": Schema.VESSEL,
    "aircraft": Schema.AIRCRAFT,
    _NULL: Schema.ORGANIZATION,
}
_ALT_KINDS = {"aka": NameKind.ALIAS, "fka": NameKind.FORMER, "nka": NameKind.ALIAS}
_PROGRAM_SPLIT = re.compile(r"\]\s*\[")
_NO_COUNTRY = {"none identified", "undetermined", "unknown"}
_REGION = re.compile(r"^Region:\s*", re.I)
_MAX_EXAMPLES = 10
_REMARKS_LIMIT = 1000  # OFAC cuts Remarks here and continues them in the comments file


# --- reading rows ------------------------------------------------------------------------

def _decode(path: Path, data: bytes, warnings: list[str]) -> str:
    """UTF-8 as OFAC publishes today; cp1252 (older copies, re-saved files) as the fallback."""
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as utf8_error:
        try:
            text = data.decode("cp1252")
        except UnicodeDecodeError:
            raise ListFormatError(
                path, f"not UTF-8 or cp1252 text (bad byte at offset {utf8_error.start})"
            ) from None
        warnings.append(f"{path.name}: not valid UTF-8, read as cp1252")
        return text


def _text_lines(text: str) -> list[str]:
    """The record lines, without the trailing 0x1A line and blank tail."""
    body = text[1:] if text.startswith("\ufeff") else text
    body = body.rstrip("\r\n\t " + _EOF)
    if not body:
        return []
    # Not str.splitlines(): it also breaks on \x1c-\x1e, \x85 and U+2028 inside fields.
    return [line + "\n" for line in body.replace("\r\n", "\n").split("\n")]


def _null(value: str) -> str | None:
    stripped = value.strip()
    return None if not stripped or stripped == _NULL else stripped


def _rows(path: Path, lines: list[str], role: str) -> Iterator[tuple[int, list[str]]]:
    """(line number, fields) for each record, checked for shape."""
    expected = _COLUMNS[role]
    reader = csv.reader(lines, strict=True)
    while True:
        try:
            fields = next(reader)
        except StopIteration:
            return
        except csv.Error as error:  # unclosed quote (cut file), NUL byte, field over 128 KiB
            where = f"line {reader.line_num}"
            raise ListFormatError(path, f"unreadable CSV: {error}", record=where) from None
        line = reader.line_num
        if len(fields) != expected:
            raise ListFormatError(
                path,
                f"expected {expected} columns for an OFAC {role} file, found {len(fields)}"
                " (truncated or not an OFAC legacy CSV file?)",
                record=f"line {line}",
            )
        if not fields[0].strip().isdigit():
            raise ListFormatError(
                path, f"ent_num {fields[0][:40]!r} is not a number", record=f"line {line}"
            )
        yield line, fields


# --- which file is which -----------------------------------------------------------------

def _role_from_name(path: Path) -> str | None:
    name = path.name.casefold()
    if not name.endswith(".csv"):
        return None
    if "comments" in name:
        return _COMMENTS
    if re.search(r"(^|[_\-. ])alt", name):
        return _ALT
    if re.search(r"(^|[_\-. ])add", name):
        return _ADD
    if name.startswith(("sdn", "cons_prim", "cons")):
        return _PRIMARY
    return None


def _role(path: Path, lines: list[str]) -> str:
    role = _role_from_name(path)
    if role is not None:
        return role
    if lines:  # a renamed file: its column count tells what it is
        first = next(csv.reader(lines[:1]), [])
        if (found := _ROLE_BY_COLUMNS.get(len(first))) is not None:
            return found
    raise ListFormatError(path, "cannot tell which OFAC CSV file this is (sdn/add/alt/comments)")


def _list_id_for(primary: Path) -> str:
    return CONS_LIST_ID if primary.name.casefold().startswith("cons") else SDN_LIST_ID


# --- building entities -------------------------------------------------------------------

@dataclass(slots=True)
class _Unknowns:
    """Values the loader could not map, reported once per list as warnings."""

    countries: dict[str, int] = field(default_factory=dict)
    types: dict[str, int] = field(default_factory=dict)

    def country(self, spelling: str) -> None:
        self.countries[spelling] = self.countries.get(spelling, 0) + 1

    def report(self, warnings: list[str]) -> None:
        if self.countries:
            shown = ", ".join(sorted(self.countries)[:_MAX_EXAMPLES])
            warnings.append(
                f"{sum(self.countries.values())} country names not recognised "
                f"({len(self.countries)} distinct): {shown}"
            )
        for value, count in sorted(self.types.items()):
            warnings.append(f"{count} records with unknown type {value!r}")


def _programs(cell: str | None) -> list[str]:
    """'SDGT] [SYRIA' (outer brackets stripped by OFAC) -> ['SDGT', 'SYRIA']."""
    if cell is None:
        return []
    return [p.strip(" []") for p in _PROGRAM_SPLIT.split(cell) if p.strip(" []")]


def _country(text: str | None, unknowns: _Unknowns) -> str | None:
    if text is None or text.casefold() in _NO_COUNTRY:
        return None
    code = to_iso(text) or to_iso(_REGION.sub("", text))
    if code is None:
        unknowns.country(text)
    return code


def _extra_remarks(fields: list[str]) -> list[str]:
    """Title and vessel particulars, kept readable in remarks (never in the name)."""
    labels = (
        (4, "Title"), (6, "Vessel type"), (7, "Tonnage"), (8, "GRT"), (10, "Vessel owner"),
    )
    return [f"{label}: {value}" for index, label in labels if (value := _null(fields[index]))]


def _full_remarks(remarks: str | None, extras: list[str]) -> str | None:
    """OFAC's remarks text unchanged, then the title/vessel columns as one more sentence."""
    tail = "; ".join(extras)
    if remarks and tail:
        return f"{remarks} {tail}"
    return remarks or tail or None


def _append(target: list[str], value: str | None) -> None:
    if value is not None and value not in target:
        target.append(value)


def _entity(
    fields: list[str], remarks: str | None, list_id: str, unknowns: _Unknowns
) -> Entity:
    ent_num = fields[0].strip()
    raw_type = _null(fields[2]) or _NULL
    schema = _SCHEMAS.get(raw_type.casefold())
    if schema is None:
        unknowns.types[raw_type] = unknowns.types.get(raw_type, 0) + 1
        schema = Schema.ORGANIZATION
    is_person = schema == Schema.PERSON
    facts = parse_remarks(remarks, is_person=is_person)
    for spelling in facts.unknown_countries:
        unknowns.country(spelling)
    entity = Entity(
        entity_id=ent_num,
        list_id=list_id,
        schema=schema,
        names=dedupe_names(
            [make_name(fields[1].strip(), NameKind.PRIMARY, is_person), *facts.names]
        ),
        gender=facts.gender,
        birth_dates=facts.birth_dates,
        birth_places=facts.birth_places,
        nationalities=facts.nationalities,
        countries=list(facts.countries),
        identifiers=facts.identifiers,
        programs=_programs(_null(fields[3])),
        remarks=_full_remarks(remarks, _extra_remarks(fields)),
        source_url=SOURCE_URL.format(ent_num=ent_num),
    )
    if (call_sign := _null(fields[5])) is not None:
        entity.identifiers.insert(
            0, make_identifier("Call Sign", call_sign, kind=IdKind.CALL_SIGN)
        )
    _append(entity.countries, _country(_null(fields[9]), unknowns))
    return entity


def _add_names(entity: Entity, names: list[Name]) -> None:
    """Strong aliases from alt.csv go right after the primary name, before remarks names."""
    entity.names = dedupe_names([*entity.names[:1], *names, *entity.names[1:]])


# --- the group of files ------------------------------------------------------------------

@dataclass(slots=True)
class _Group:
    primary: Path
    companions: dict[str, list[tuple[Path, list[str]]]]
    primary_lines: list[str]


def _group(paths: Sequence[Path], warnings: list[str]) -> _Group:
    primaries: list[tuple[Path, list[str]]] = []
    companions: dict[str, list[tuple[Path, list[str]]]] = {_ADD: [], _ALT: [], _COMMENTS: []}
    for path in paths:
        try:
            data = path.read_bytes()
        except OSError as error:
            raise ListFormatError(path, f"cannot read file: {error}") from None
        lines = _text_lines(_decode(path, data, warnings))
        role = _role(path, lines)
        if role == _PRIMARY:
            primaries.append((path, lines))
        else:
            companions[role].append((path, lines))
    if not primaries:
        given = ", ".join(p.name for p in paths) or "no files"
        raise ListFormatError(
            paths[0] if paths else "(none)",
            f"no primary file (sdn.csv or cons_prim.csv) among: {given}",
        )
    if len(primaries) > 1:
        names = ", ".join(p.name for p, _ in primaries)
        raise ListFormatError(primaries[0][0], f"several primary files in one list: {names}")
    primary, lines = primaries[0]
    if not lines:
        raise ListFormatError(primary, "empty file: no OFAC records")
    return _Group(primary=primary, companions=companions, primary_lines=lines)


def _comments(group: _Group) -> dict[str, str]:
    """Remarks overflow per ent_num, in file order (a continuation, joined without space)."""
    overflow: dict[str, str] = {}
    for path, lines in group.companions[_COMMENTS]:
        for _, fields in _rows(path, lines, _COMMENTS):
            ent_num = fields[0].strip()
            text = fields[1] if _null(fields[1]) is not None else ""
            overflow[ent_num] = overflow.get(ent_num, "") + text
    return overflow


def _orphans(path: Path, orphans: list[str], warnings: list[str]) -> None:
    if orphans:
        shown = ", ".join(sorted(set(orphans), key=int)[:_MAX_EXAMPLES])
        warnings.append(
            f"{path.name}: {len(orphans)} rows skipped, their ent_num is not in the primary "
            f"file (e.g. {shown})"
        )


def load(paths: Sequence[Path], list_id: str | None = None) -> ParsedList:
    """Load one OFAC legacy CSV list from its primary file plus any companions given."""
    warnings: list[str] = []
    group = _group([Path(p) for p in paths], warnings)
    resolved_id = list_id or _list_id_for(group.primary)
    unknowns = _Unknowns()
    overflow = _comments(group)
    entities: dict[str, Entity] = {}
    cut: list[str] = []
    for line, fields in _rows(group.primary, group.primary_lines, _PRIMARY):
        ent_num = fields[0].strip()
        if ent_num in entities:
            raise ListFormatError(group.primary, f"duplicate ent_num {ent_num}", f"line {line}")
        if _null(fields[1]) is None:
            raise ListFormatError(group.primary, f"entry {ent_num} has no name", f"line {line}")
        remarks = _null(fields[11])
        if ent_num in overflow:
            remarks = (fields[11] if remarks else "") + overflow.pop(ent_num)
        elif len(fields[11]) >= _REMARKS_LIMIT:
            cut.append(ent_num)
        entities[ent_num] = _entity(fields, remarks, resolved_id, unknowns)
    if cut:
        warnings.append(
            f"{len(cut)} entries have remarks cut at {_REMARKS_LIMIT} characters and no "
            f"continuation in a comments file (e.g. {', '.join(cut[:_MAX_EXAMPLES])}); "
            "pass sdn_comments.csv / cons_comments.csv with the list to read them whole"
        )
    comment_orphans = list(overflow)
    for path, _ in group.companions[_COMMENTS]:
        _orphans(path, comment_orphans, warnings)
        comment_orphans = []  # reported once, on the first comments file
    for path, lines in group.companions[_ALT]:
        _load_aliases(path, lines, entities, warnings)
    for path, lines in group.companions[_ADD]:
        _load_addresses(path, lines, entities, unknowns, warnings)
    unknowns.report(warnings)
    return ParsedList(
        list_id=resolved_id, format=FORMAT, entities=list(entities.values()), warnings=warnings
    )


def _load_aliases(
    path: Path, lines: list[str], entities: dict[str, Entity], warnings: list[str]
) -> None:
    orphans: list[str] = []
    unknown_types: dict[str, int] = {}
    per_entity: dict[str, list[Name]] = {}
    for _, fields in _rows(path, lines, _ALT):
        ent_num = fields[0].strip()
        entity = entities.get(ent_num)
        if entity is None:
            orphans.append(ent_num)
            continue
        name = _null(fields[3])
        if name is None:
            continue
        alt_type = (_null(fields[2]) or "aka").casefold()
        kind = _ALT_KINDS.get(alt_type)
        if kind is None:
            unknown_types[alt_type] = unknown_types.get(alt_type, 0) + 1
            kind = NameKind.ALIAS
        per_entity.setdefault(ent_num, []).append(
            make_name(name, kind, entity.schema == Schema.PERSON)
        )
    for ent_num, names in per_entity.items():
        _add_names(entities[ent_num], names)
    _orphans(path, orphans, warnings)
    for alt_type, count in sorted(unknown_types.items()):
        warnings.append(f"{path.name}: {count} aliases of unknown type {alt_type!r} read as aka")


def _load_addresses(
    path: Path,
    lines: list[str],
    entities: dict[str, Entity],
    unknowns: _Unknowns,
    warnings: list[str],
) -> None:
    orphans: list[str] = []
    for _, fields in _rows(path, lines, _ADD):
        entity = entities.get(fields[0].strip())
        if entity is None:
            orphans.append(fields[0].strip())
            continue
        text, city, country_text = _null(fields[2]), _null(fields[3]), _null(fields[4])
        if text is None and city is None and country_text is None:
            continue  # OFAC writes an all-null address row for entries without one
        country = _country(country_text, unknowns)
        if country is None and country_text is not None:
            # Keep an unmapped country (e.g. "undetermined") readable rather than losing it.
            city = ", ".join(p for p in (city, country_text) if p)
        entity.addresses.append(Address(text=text, city=city, country=country))
        _append(entity.countries, country)
    _orphans(path, orphans, warnings)


# --- sniffing ----------------------------------------------------------------------------

_NUMBER = re.compile(r"^\d{1,10}$")
_SNIFF_LINES = 20
_SNIFF_WINDOW = 64 * 1024


def _looks_like(role: str, fields: list[str]) -> bool:
    if len(fields) != _COLUMNS[role] or not _NUMBER.match(fields[0]):
        return False
    if role == _PRIMARY:
        return fields[2].strip().casefold() in _SCHEMAS and bool(fields[1].strip())
    if role == _ALT:
        return bool(_NUMBER.match(fields[1])) and fields[2].strip().casefold() in _ALT_KINDS
    if role == _ADD:
        return bool(_NUMBER.match(fields[1]))
    return True


def sniff(path: Path, head: bytes) -> bool:
    """True for an OFAC legacy CSV file of either set, primary or companion.

    Every checked line must have the exact OFAC row shape (numeric ent_num, the column count
    of one file kind, known entry/alias types), the ``-0- `` null marker must appear (it
    appears in every real primary, add and alt file), and a two-column file is only claimed
    when its name says "comments". Headed CSV files fail on their header line.
    """
    lines = _text_lines(head.decode("utf-8", errors="replace"))
    if len(head) >= _SNIFF_WINDOW and len(lines) > 1:
        lines = lines[:-1]  # the last line may be cut by the sniffing window
    lines = lines[:_SNIFF_LINES]
    if not lines:
        return False
    try:
        rows = list(csv.reader(lines, strict=True))
    except csv.Error:
        return False
    width = len(rows[0])
    role = _ROLE_BY_COLUMNS.get(width)
    if role is None or not all(_looks_like(role, row) for row in rows):
        return False
    if role == _COMMENTS:
        return "comments" in path.name.casefold()
    return any(value == _NULL + " " for row in rows for value in row)


SPEC = FormatSpec(
    name=FORMAT,
    title="OFAC legacy CSV (sdn.csv / cons_prim.csv with add, alt and comments files)",
    default_list_id=SDN_LIST_ID,
    sniff=sniff,
    load=load,
    multi_file=True,
)
