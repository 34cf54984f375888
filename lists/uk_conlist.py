"""UK HM Treasury / OFSI Consolidated List of financial sanctions targets ("ConList" CSV).

Layout (checked on the 2018-04-13 file): cp1252 text; line 1 is ``Last Updated,dd/mm/yyyy``;
line 2 is a 29-column header; then ONE ROW PER NAME VARIANT, grouped into a target by
``Group ID`` (the entity id). Rows of one group repeat the target's details, so several dates
of birth or nationalities arrive spread over rows and are de-duplicated here.

Also home of the helpers both UK formats share (the FCDO "UK Sanctions List" in
``lists.uk_sanctions_list`` uses the same name columns, numbered lists and free-text fields):
``read_uk_csv``, ``UkEntityBuilder``, ``split_numbered``, ``country_codes``.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

import yaml

from lists.countries import to_iso
from lists.dates import iso_date, parse_birth_date
from lists.errors import ListFormatError
from lists.formats import FormatSpec, one_file
from lists.identifiers import make_identifier
from lists.model import Address, BirthDate, Entity, Identifier, IdKind, Name, NameKind, ParsedList
from lists.model import Schema as EntitySchema

FORMAT_NAME = "uk_conlist"
DEFAULT_LIST_ID = "gb_hmt"
ENCODING = "cp1252"
COLUMNS = (
    "Name 6", "Name 1", "Name 2", "Name 3", "Name 4", "Name 5", "Title", "DOB",
    "Town of Birth", "Country of Birth", "Nationality", "Passport Details", "NI Number",
    "Position", "Address 1", "Address 2", "Address 3", "Address 4", "Address 5", "Address 6",
    "Post/Zip Code", "Country", "Other Information", "Group Type", "Alias Type", "Regime",
    "Listed On", "Last Updated", "Group ID",
)
GROUP_TYPES = {
    "individual": EntitySchema.PERSON,
    "entity": EntitySchema.ORGANIZATION,
    "ship": EntitySchema.VESSEL,
}
# "Primary name variation" is a spelling variant of the primary name: a strong alias.
ALIAS_TYPES = {
    "prime alias": NameKind.PRIMARY,
    "primary name": NameKind.PRIMARY,
    "aka": NameKind.ALIAS,
    "alias": NameKind.ALIAS,
    "primary name variation": NameKind.ALIAS,
    "fka": NameKind.FORMER,
}
_DEMONYMS_FILE = Path(__file__).parent / "data" / "mappings" / "uk_demonyms.yml"
_PLACEHOLDER_PARTS = re.compile(r"\b(?:dd|mm)\b", re.I)
_MAX_FIELD = 1_000_000  # a field larger than this is a broken file, not a long remark

# "1) A 2) B", "(1) A (2) B", "a) A b) B", "(a) A (b) B" -- numbered items in one cell.
_NUMBERED = re.compile(r"(?:^|\s|-)\(?(?:\d{1,2}|[a-hA-H])\)\s*")
_PARENS = re.compile(r"\([^)]*\)")
_LEADING = re.compile(r"^(?:in|possibly|reportedly|probably)\s+", re.I)
_QUALIFIER = re.compile(
    r"\b(?:as (?:at|of)|since|from|until|at time|previous|possibly|citizenship|national(?:ity)?"
    r"|by birth|also|reportedly|in prison|location)\b.*$",
    re.I,
)
# An identifier number inside free text: at least 4 characters, one of them a digit.
_ID_TOKEN = re.compile(r"(?<![\w.])([A-Z]{0,3}[ -]?\d[\dA-Z/-]{2,}(?:[ -]\d[\dA-Z]*)*)(?![\w.])")
_DATE_TEXT = re.compile(
    r"\b\d{1,2}[./]\d{1,2}[./]\d{2,4}\b|\b\d{1,2}\s+[A-Z][a-z]{2,8}\.?\s+\d{4}\b|\b(?:19|20)\d{2}\b"
)
_UN_REF = re.compile(
    r"UN\s*Ref(?:erence)?\.?\s*(?:No\.?)?\s*[:.]?\s*([A-Z]{2,3}[a-zA-Z]?\.[\dA-Z.]*\d)"
)


# --- reading ------------------------------------------------------------------------------


def read_uk_csv(
    path: Path, encoding: str, columns: Sequence[str]
) -> tuple[list[str], list[tuple[int, dict[str, str]]]]:
    """The first (date) row and every data row as (line number, column -> value)."""
    return read_csv_table(path, encoding, columns, preamble=True)


def read_csv_table(
    path: Path, encoding: str, columns: Sequence[str], *, preamble: bool = False,
    delimiter: str = ",",
) -> tuple[list[str], list[tuple[int, dict[str, str]]]]:
    """The preamble row (when ``preamble``; else []) and every data row with its line number.

    Used by the CSV loaders of this package (UK, OpenSanctions simple CSV, custom lists).
    Raises ListFormatError naming the file and line for an empty file, undecodable bytes,
    broken quoting, missing header columns or a row whose field count differs from the header.
    """
    raw = path.read_bytes()
    if not raw.strip():
        raise ListFormatError(path, "file is empty")
    try:
        text = raw.decode(encoding)
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        raise ListFormatError(
            path, f"not {encoding} text: byte 0x{raw[exc.start]:02x} cannot be decoded",
            record=f"line {line}",
        ) from exc
    reader = csv.reader(
        io.StringIO(text.lstrip("\ufeff"), newline=""), delimiter=delimiter, strict=True
    )
    try:
        first = next(reader, []) if preamble else []
        header = [column.strip() for column in next(reader, [])]
        missing = [column for column in columns if column not in header]
        if missing:
            raise ListFormatError(
                path, f"missing columns: {', '.join(missing)}", record=f"line {reader.line_num}"
            )
        rows: list[tuple[int, dict[str, str]]] = []
        for values in reader:
            if not any(value.strip() for value in values):
                continue
            if len(values) != len(header):
                raise ListFormatError(
                    path, f"expected {len(header)} fields, found {len(values)} (truncated row?)",
                    record=f"line {reader.line_num}",
                )
            if max(len(value) for value in values) > _MAX_FIELD:
                raise ListFormatError(path, "field too large", record=f"line {reader.line_num}")
            rows.append((reader.line_num, dict(zip(header, values, strict=True))))
    except csv.Error as exc:
        where = f"line {reader.line_num}"
        raise ListFormatError(path, f"malformed CSV: {exc}", record=where) from exc
    return first, rows


# --- field helpers shared by both UK formats ----------------------------------------------


def clean(text: str | None) -> str:
    """Collapse runs of whitespace (the lists pad names with spaces)."""
    return " ".join((text or "").split())


def split_numbered(text: str | None) -> list[str]:
    """Items of a numbered cell ("1) Saudi Arabia 2) Qatar") or the whole cell."""
    value = clean(text)
    if not value:
        return []
    parts = _NUMBERED.split(value)
    return [part.strip(" .,;-") for part in parts if part.strip(" .,;-")]


@cache
def _demonyms() -> dict[str, str]:
    data = yaml.safe_load(_DEMONYMS_FILE.read_text(encoding="utf-8")) or {}
    return {
        clean(str(word)).casefold(): str(code) for code, words in data.items() for word in words
    }


def country_code(item: str) -> str | None:
    """ISO code of one country or nationality item written freely ("Iraq (previous)")."""
    candidates = [item, _LEADING.sub("", _PARENS.sub(" ", item))]
    candidates.append(_QUALIFIER.sub("", candidates[-1]))
    candidates.append(candidates[-1].rsplit(",", 1)[-1])
    for candidate in candidates:
        value = clean(candidate).strip(" .,;-")
        code = to_iso(value) or _demonyms().get(value.casefold())
        if code is not None:
            return code
    return None


def country_codes(text: str | None, unresolved: list[str]) -> list[str]:
    """ISO codes of every item in a numbered country cell; unreadable items go to ``unresolved``."""
    codes: list[str] = []
    for item in split_numbered(text):
        code = country_code(item)
        if code is None:
            unresolved.append(item)
        elif code not in codes:
            codes.append(code)
    return codes


def identifiers_in(text: str | None, kind: IdKind, raw_type: str) -> list[Identifier]:
    """Identifier numbers found in a free-text cell, each keeping its item text as the note."""
    found: list[Identifier] = []
    for item in split_numbered(text):
        match = _ID_TOKEN.search(_PARENS.sub(" ", _DATE_TEXT.sub(" ", item)))
        if match is not None:
            value = clean(match.group(1))
            found.append(make_identifier(raw_type, value, note=item, kind=kind))
    return found


def person_name(parts: Sequence[str], last: str, kind: NameKind) -> Name | None:
    """A name from given-name parts (Name 1..5) and the family name (Name 6)."""
    given = [clean(part) for part in parts if clean(part)]
    family = clean(last)
    full = " ".join([*given, family]) if family else " ".join(given)
    if not full:
        return None
    return Name(
        full=full, kind=kind, first=given[0] if given else None,
        middle=" ".join(given[1:]) or None, last=family or None,
    )


_KIND_RANK = {
    NameKind.PRIMARY: 0, NameKind.ALIAS: 1, NameKind.FORMER: 2, NameKind.ORIGINAL_SCRIPT: 3,
    NameKind.WEAK_ALIAS: 4,
}


@dataclass
class UkEntityBuilder:
    """Collects the rows of one UK target into one Entity, de-duplicating repeated details."""

    entity_id: str
    list_id: str
    schema: EntitySchema
    names: dict[str, Name] = field(default_factory=dict)
    birth_dates: dict[tuple[str, str | None], BirthDate] = field(default_factory=dict)
    birth_places: list[str] = field(default_factory=list)
    nationalities: list[str] = field(default_factory=list)
    countries: list[str] = field(default_factory=list)
    addresses: list[Address] = field(default_factory=list)
    identifiers: dict[tuple[IdKind, str], Identifier] = field(default_factory=dict)
    programs: list[str] = field(default_factory=list)
    listed_on: list[str] = field(default_factory=list)
    remarks: list[str] = field(default_factory=list)
    reference: str | None = None
    gender: str | None = None

    def add_name(self, name: Name | None) -> None:
        """Keep one entry per spelling; a spelling seen as primary and alias stays primary."""
        if name is None:
            return
        if self.schema != EntitySchema.PERSON:  # parts only make sense for people
            name.first = name.middle = name.last = None
        key = name.full.casefold()
        known = self.names.get(key)
        if known is None or _KIND_RANK[name.kind] < _KIND_RANK[known.kind]:
            self.names[key] = name

    def add_birth_date(self, text: str | None) -> bool:
        """Add a date of birth; False when the text is present but unreadable."""
        if not clean(text):
            return True
        # The FCDO list writes unknown parts as "dd/mm/1975", the ConList as "00/00/1975".
        value = _PLACEHOLDER_PARTS.sub("00", clean(text))
        parsed = parse_birth_date(value, dayfirst=True)
        if parsed is None:
            return False
        self.birth_dates.setdefault((parsed.value, parsed.until), parsed)
        return True

    def add_unique(self, target: list[str], *values: str | None) -> None:
        for value in values:
            text = clean(value)
            if text and text not in target:
                target.append(text)

    def add_address(self, lines: Sequence[str], country: str | None) -> None:
        text = ", ".join(clean(line) for line in lines if clean(line)) or None
        if text is None and country is None:
            return
        address = Address(text=text, country=country)
        if address not in self.addresses:
            self.addresses.append(address)
        if country is not None and country not in self.countries:
            self.countries.append(country)

    def add_identifiers(self, identifiers: Sequence[Identifier]) -> None:
        for identifier in identifiers:
            self.identifiers.setdefault((identifier.kind, identifier.value), identifier)

    def build(self) -> Entity:
        names = sorted(self.names.values(), key=lambda name: _KIND_RANK[name.kind])
        return Entity(
            entity_id=self.entity_id, list_id=self.list_id, schema=self.schema, names=names,
            gender=self.gender, birth_dates=list(self.birth_dates.values()),
            birth_places=self.birth_places, nationalities=self.nationalities,
            countries=self.countries, addresses=self.addresses,
            identifiers=list(self.identifiers.values()), programs=self.programs,
            listed_on=min(self.listed_on) if self.listed_on else None,
            remarks="\n".join(self.remarks) or None, reference=self.reference,
        )


def unresolved_warning(kind: str, items: Sequence[str]) -> list[str]:
    """One summary warning for values that could not be turned into ISO codes."""
    if not items:
        return []
    distinct = sorted(set(items))
    examples = "; ".join(distinct[:8])
    return [f"{len(items)} {kind} values not resolved to ISO codes ({len(distinct)} distinct), "
            f"e.g. {examples}"]


# --- the ConList format --------------------------------------------------------------------


def sniff(path: Path, head: bytes) -> bool:
    return head.lstrip(b"\xef\xbb\xbf").startswith(b"Last Updated,") and (
        b"Alias Type" in head and b"Group ID" in head
    )


def _add_row(builder: UkEntityBuilder, row: dict[str, str], unresolved: list[str]) -> bool:
    """Fold one alias row into its target; False when its date of birth is unreadable."""
    kind = ALIAS_TYPES.get(clean(row["Alias Type"]).casefold(), NameKind.ALIAS)
    given = [row[f"Name {index}"] for index in range(1, 6)]
    builder.add_name(person_name(given, row["Name 6"], kind))
    place = ", ".join(p for p in (clean(row["Town of Birth"]), clean(row["Country of Birth"])) if p)
    builder.add_unique(builder.birth_places, place)
    for code in country_codes(row["Nationality"], unresolved):
        if code not in builder.nationalities:
            builder.nationalities.append(code)
    country = country_codes(row["Country"], unresolved)
    address_lines = [row[f"Address {index}"] for index in range(1, 7)] + [row["Post/Zip Code"]]
    builder.add_address(address_lines, country[0] if country else None)
    builder.add_identifiers(identifiers_in(row["Passport Details"], IdKind.PASSPORT, "Passport"))
    builder.add_identifiers(identifiers_in(row["NI Number"], IdKind.NATIONAL_ID, "NI Number"))
    builder.add_unique(builder.programs, row["Regime"])
    listed = iso_date(clean(row["Listed On"]))
    if listed is not None:
        builder.listed_on.append(listed)
    for label in ("Title", "Position"):
        if clean(row[label]):
            builder.add_unique(builder.remarks, f"{label}: {clean(row[label])}")
    builder.add_unique(builder.remarks, row["Other Information"])
    if builder.reference is None and (match := _UN_REF.search(row["Other Information"])):
        builder.reference = match.group(1)
    return builder.add_birth_date(row["DOB"])


def load(paths: Sequence[Path], list_id: str | None = None) -> ParsedList:
    """Load one ConList CSV; one entity per Group ID."""
    path = one_file(paths, "the ConList is a single CSV file")
    first, rows = read_uk_csv(path, ENCODING, COLUMNS)
    target_list = list_id or DEFAULT_LIST_ID
    builders: dict[str, UkEntityBuilder] = {}
    unresolved: list[str] = []
    bad_dates: list[str] = []
    for line, row in rows:
        group_id = clean(row["Group ID"])
        schema = GROUP_TYPES.get(clean(row["Group Type"]).casefold())
        if not group_id or schema is None:
            raise ListFormatError(
                path, f"row without Group ID or with unknown Group Type {row['Group Type']!r}",
                record=f"line {line}",
            )
        builder = builders.setdefault(group_id, UkEntityBuilder(group_id, target_list, schema))
        if not _add_row(builder, row, unresolved):
            bad_dates.append(f"line {line}: {clean(row['DOB'])}")
    warnings = unresolved_warning("country/nationality", unresolved)
    if bad_dates:
        warnings.append(f"{len(bad_dates)} unreadable dates of birth, e.g. {bad_dates[0]}")
    published = iso_date(first[1]) if len(first) > 1 and clean(first[0]) == "Last Updated" else None
    return ParsedList(
        list_id=target_list, format=FORMAT_NAME,
        entities=[builder.build() for builder in builders.values()],
        published=published, warnings=warnings,
        title="HM Treasury OFSI Consolidated List of Financial Sanctions Targets",
    )


SPEC = FormatSpec(
    name=FORMAT_NAME,
    title="UK HMT/OFSI Consolidated List (ConList CSV)",
    default_list_id=DEFAULT_LIST_ID,
    sniff=sniff,
    load=load,
)
