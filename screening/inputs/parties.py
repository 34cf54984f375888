"""The parties frame every input parser produces, and what parsers share to build it.

One row per party of a transaction (originator, beneficiary, banks, free text...). The
``source_position`` column links each row back to its record (row, message, transaction) in
the input file, so every record is either represented in the frame or listed as a rejection:
``records_read == parties["source_position"].n_unique() + len(rejections)``.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field, fields
from pathlib import Path

import polars as pl
from lxml import etree

from lists.countries import to_iso
from lists.dates import iso_date
from lists.errors import ListFormatError
from lists.identifiers import kind_of
from lists.xmlsafe import iter_elements

PARTY_COLUMNS: list[str] = [
    "source_position",
    "transaction_id",
    "role",
    "name",
    "schema",
    "birth_date",
    "birth_place",
    "nationality",
    "country",
    "address",
    "account",
    "bic",
    "id_number",
    "id_type",
    "free_text",
]
PARTY_SCHEMA: dict[str, pl.DataType] = {
    name: (pl.Int64() if name == "source_position" else pl.String()) for name in PARTY_COLUMNS
}

ROLES = frozenset({
    "originator", "beneficiary", "ultimate_originator", "ultimate_beneficiary",
    "initiating_party", "ordering_bank", "beneficiary_bank", "intermediary_bank",
    "account_holder", "signatory", "director", "party", "free_text",
})
ID_TYPES = frozenset({
    "passport", "national_id", "tax_id", "registration", "customer_id", "lei", "other",
})
PERSON = "Person"
ORGANIZATION = "Organization"

# Longest value accepted per column; longer values reject their record instead of flooding
# the matcher (a 10 MB "name" is an attack or a broken export, never a name).
MAX_CHARS: dict[str, int] = {
    "transaction_id": 200,
    "name": 1000,
    "birth_place": 500,
    "address": 2000,
    "account": 100,
    "id_number": 200,
    "free_text": 10_000,
}
DEFAULT_MAX_CHARS = 200

IBAN_PATTERN = r"^[A-Z]{2}[0-9]{2}[A-Z0-9]{11,30}$"
BIC_PATTERN = r"^[A-Z]{4}[A-Z]{2}[A-Z0-9]{2}([A-Z0-9]{3})?$"
_IBAN = re.compile(IBAN_PATTERN)
_BIC = re.compile(BIC_PATTERN)


class InputFormatError(Exception):
    """A whole input file that cannot be read (empty, unparseable, required columns missing)."""

    def __init__(self, path: Path | str, message: str) -> None:
        self.path = str(path)
        self.detail = message
        super().__init__(f"{self.path}: {message}")


@dataclass(frozen=True, slots=True)
class Rejection:
    """One record left out of the parties frame, with the field at fault."""

    position: int
    field: str | None
    reason: str


@dataclass(slots=True)
class ParseResult:
    """The parties of one input file (or one chunk of it) and what was left out."""

    parties: pl.DataFrame
    records_read: int
    rejections: list[Rejection]
    format: str
    sha256: str
    warnings: list[str] = field(default_factory=list)

    @property
    def accepted(self) -> int:
        return self.records_read - len(self.rejections)


class RecordError(Exception):
    """Raised inside a record parser: the record is rejected, the batch goes on."""

    def __init__(self, field: str | None, reason: str) -> None:
        self.field = field
        self.reason = reason
        super().__init__(f"{field}: {reason}")


@dataclass(slots=True)
class Party:
    """One party row as record-by-record parsers (XML, MT) build it."""

    role: str
    name: str | None = None
    schema: str | None = None
    birth_date: str | None = None
    birth_place: str | None = None
    nationality: str | None = None
    country: str | None = None
    address: str | None = None
    account: str | None = None
    bic: str | None = None
    id_number: str | None = None
    id_type: str | None = None
    free_text: str | None = None

    def is_empty(self) -> bool:
        """True when the row carries nothing a screener could match on."""
        return not any((self.name, self.account, self.bic, self.id_number, self.free_text))


_PARTY_FIELDS = [f.name for f in fields(Party)]


@dataclass(slots=True)
class Record:
    """The parties of one accepted record."""

    position: int
    transaction_id: str | None
    parties: list[Party]


Outcome = Record | Rejection


def empty_parties() -> pl.DataFrame:
    return pl.DataFrame(schema=PARTY_SCHEMA)


def file_sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        while block := handle.read(1 << 22):
            digest.update(block)
    return digest.hexdigest()


def clean(value: str | None) -> str | None:
    """Stripped text with inner whitespace runs collapsed; None when blank."""
    if value is None:
        return None
    text = " ".join(value.split())
    return text or None


def join_text(parts: Iterable[str | None], sep: str = ", ") -> str | None:
    kept = [p for p in (clean(part) for part in parts) if p]
    return sep.join(kept) or None


def normalise_account(value: str | None) -> str | None:
    """IBANs without spaces, upper case; other account ids stripped but kept as given."""
    text = clean(value)
    if text is None:
        return None
    compact = re.sub(r"[\s-]", "", text).upper()
    return compact if _IBAN.match(compact) else text


def normalise_bic(value: str | None, where: str) -> str | None:
    """Upper-case BIC; a value that is not 8 or 11 BIC characters rejects the record."""
    text = clean(value)
    if text is None:
        return None
    bic = text.replace(" ", "").upper()
    if not _BIC.match(bic):
        raise RecordError(where, f"invalid BIC {bic[:40]!r}")
    return bic


def country_code(value: str | None) -> str | None:
    """ISO alpha-2 for a code or a country name; None when unknown."""
    text = clean(value)
    if text is None:
        return None
    return to_iso(text)


def birth_date(value: str | None, where: str) -> str | None:
    """ISO (possibly partial) birth date; an unreadable one rejects the record."""
    text = clean(value)
    if text is None:
        return None
    readable = text
    if re.fullmatch(r"\d{8}", text):  # YYYYMMDD as MT103 50F and some exports write it
        readable = f"{text[:4]}-{text[4:6]}-{text[6:]}"
    iso = iso_date(readable)
    if iso is None:
        raise RecordError(where, f"invalid birth date {text[:40]!r}")
    return iso


def check_lengths(record: Record) -> None:
    """Reject a record whose values exceed MAX_CHARS (oversized or hostile input)."""
    if record.transaction_id and len(record.transaction_id) > MAX_CHARS["transaction_id"]:
        raise RecordError("transaction_id", "value longer than 200 characters")
    for party in record.parties:
        for name in _PARTY_FIELDS[1:]:
            value = getattr(party, name)
            limit = MAX_CHARS.get(name, DEFAULT_MAX_CHARS)
            if value is not None and len(value) > limit:
                raise RecordError(
                    f"{party.role}.{name}",
                    f"value of {len(value)} characters exceeds the limit of {limit}",
                )


def record_or_rejection(
    position: int, transaction_id: str | None, parties: list[Party]
) -> Outcome:
    """An accepted record, or a rejection when nothing screenable or a value is too long."""
    kept = [party for party in parties if not party.is_empty()]
    record = Record(position, transaction_id, kept)
    try:
        check_lengths(record)
    except RecordError as exc:
        return Rejection(position, exc.field, exc.reason)
    if not kept:
        return Rejection(position, None, "no party with a name, account, BIC or text")
    return record


def frame_of(records: list[Record]) -> pl.DataFrame:
    """The parties frame of accepted records (columns in PARTY_COLUMNS order)."""
    columns: dict[str, list[object]] = {name: [] for name in PARTY_COLUMNS}
    for record in records:
        for party in record.parties:
            columns["source_position"].append(record.position)
            columns["transaction_id"].append(record.transaction_id)
            for name in _PARTY_FIELDS:
                columns[name].append(getattr(party, name))
    return pl.DataFrame(columns, schema=PARTY_SCHEMA)


def results_of(
    outcomes: Iterable[Outcome],
    fmt: str,
    sha256: str,
    warnings: list[str],
    chunk_records: int | None = None,
) -> Iterator[ParseResult]:
    """Group record outcomes into ParseResults of at most ``chunk_records`` records."""
    records: list[Record] = []
    rejections: list[Rejection] = []
    produced = False
    for outcome in outcomes:
        if isinstance(outcome, Rejection):
            rejections.append(outcome)
        else:
            records.append(outcome)
        if chunk_records is not None and len(records) + len(rejections) >= chunk_records:
            yield ParseResult(
                frame_of(records), len(records) + len(rejections), rejections, fmt, sha256,
                list(warnings),
            )
            records, rejections, produced = [], [], True
    if records or rejections or not produced:
        yield ParseResult(
            frame_of(records), len(records) + len(rejections), rejections, fmt, sha256,
            list(warnings),
        )


def merge_results(chunks: Iterable[ParseResult]) -> ParseResult:
    """One ParseResult out of the chunks of one file."""
    frames: list[pl.DataFrame] = []
    rejections: list[Rejection] = []
    warnings: list[str] = []
    records = 0
    fmt, sha = "", ""
    for chunk in chunks:
        frames.append(chunk.parties)
        rejections.extend(chunk.rejections)
        warnings.extend(w for w in chunk.warnings if w not in warnings)
        records += chunk.records_read
        fmt, sha = chunk.format, chunk.sha256
    parties = pl.concat(frames, how="vertical", rechunk=False) if frames else empty_parties()
    return ParseResult(parties, records, rejections, fmt, sha, warnings)


# ISO 20022 and MT103 50F identification scheme codes.
SCHEME_CODES: dict[str, str] = {
    "CCPT": "passport",
    "NIDN": "national_id",
    "SOSE": "national_id",
    "TXID": "tax_id",
    "CUST": "customer_id",
    "COID": "registration",
    "LEI": "lei",
}


def id_type_of(raw: str | None) -> str:
    """Our id_type for a scheme code or a free type text ("Passport", "CCPT", "tax number")."""
    text = clean(raw)
    if text is None:
        return "other"
    lowered = text.casefold().replace(" ", "_")
    if lowered in ID_TYPES:
        return lowered
    if text.upper() in SCHEME_CODES:
        return SCHEME_CODES[text.upper()]
    if "customer" in lowered or "client" in lowered:
        return "customer_id"
    kind = str(kind_of(text))
    return kind if kind in ID_TYPES else "other"


# XML helpers shared by the ISO 20022 and goAML parsers. Parsing always goes through
# lists.xmlsafe (entities, DTDs and network off); its errors become InputFormatError here.


def stream_xml(path: Path, names: set[str]) -> Iterator[etree._Element]:
    """Elements named ``names`` in document order, each freed after use."""
    with path.open("rb") as handle:
        head = handle.read(4096)
    if not head.strip(b"\xef\xbb\xbf \t\r\n"):
        raise InputFormatError(path, "empty file")
    try:
        yield from iter_elements(path, names)
    except ListFormatError as exc:
        where = f" ({exc.record})" if exc.record is not None else ""
        raise InputFormatError(path, f"{exc.detail}{where}") from exc


@dataclass(slots=True)
class Node:
    """An XML element as plain Python: local name, stripped text, children by local name.

    Built once per streamed record, so the many lookups a record needs are dict accesses
    rather than repeated scans of lxml children (5x faster on 100k-transaction files).
    """

    name: str
    text: str | None
    kids: dict[str, list[Node]]

    def __iter__(self) -> Iterator[Node]:
        for group in self.kids.values():
            yield from group


def node_of(element: etree._Element) -> Node:
    kids: dict[str, list[Node]] = {}
    for child in element:
        if isinstance(child.tag, str):  # skips processing instructions
            node = node_of(child)
            kids.setdefault(node.name, []).append(node)
    raw = element.text.strip() if element.text else ""
    return Node(str(element.tag).rsplit("}", 1)[-1], raw or None, kids)


def xfirst(node: Node | None, path: str) -> Node | None:
    """The first element along a slash path of local names ("Id/OrgId/AnyBIC")."""
    for step in path.split("/"):
        if node is None:
            return None
        found = node.kids.get(step)
        node = found[0] if found else None
    return node


def xchildren(node: Node | None, path: str) -> list[Node]:
    """Every element at a slash path of local names (direct children for a bare name)."""
    parent, _, last = path.rpartition("/")
    holder = xfirst(node, parent) if parent else node
    return holder.kids.get(last, []) if holder is not None else []


def xtext(node: Node | None, path: str) -> str | None:
    """Stripped text at a slash path; None when absent or blank."""
    found = xfirst(node, path)
    return found.text if found is not None else None


def xtexts(node: Node | None, path: str) -> list[str]:
    """Texts of every element at a slash path (AdrLine, Ustrd...)."""
    return [child.text for child in xchildren(node, path) if child.text]
