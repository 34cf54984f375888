"""SWIFT MT103 customer transfers and MT202 COV (sequence B, the underlying customer transfer).

A file holds many messages, either as SWIFT blocks (``{1:...}{2:...}{4:\\n...\\n-}``) or as
plain field text separated by lines holding only ``$``. One record = one message.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from screening.inputs.parties import (
    ORGANIZATION,
    PERSON,
    SCHEME_CODES,
    InputFormatError,
    Outcome,
    ParseResult,
    Party,
    RecordError,
    Rejection,
    birth_date,
    clean,
    country_code,
    file_sha256,
    join_text,
    merge_results,
    normalise_account,
    normalise_bic,
    record_or_rejection,
    results_of,
)
from screening.inputs.swift_names import join_name_lines, split_name

MAX_MESSAGE_CHARS = 100_000  # a real MT103 is under 10 kB; anything far larger is refused
_TAG = re.compile(r"^:(\d{2}[A-Z]?):", re.MULTILINE)
_BLOCK_START = re.compile(r"\{1:")
_DOLLAR = re.compile(r"^\$[ \t]*\r?$", re.MULTILINE)
_NUMBERED = re.compile(r"^([1-8])/(.*)$")
# Bank fields: tag -> role. 53/54/55 are correspondents, shown as intermediaries.
BANK_ROLES = {
    "52": "ordering_bank", "53": "intermediary_bank", "54": "intermediary_bank",
    "55": "intermediary_bank", "56": "intermediary_bank", "57": "beneficiary_bank",
}
FREE_TEXT_TAGS = ("70", "72", "77B")


@dataclass(slots=True)
class Message:
    position: int
    block2: str | None
    block3: str | None
    fields: list[tuple[str, str]]


def split_messages(text: str) -> Iterator[Message | Rejection]:
    """Messages in file order; a message whose block 4 is not closed is a rejection."""
    if _BLOCK_START.search(text):
        yield from _block_messages(text)
        return
    position = 0
    for chunk in _DOLLAR.split(text):
        if not chunk.strip():
            continue
        position += 1
        yield Message(position, None, None, _fields(chunk))


def _block_messages(text: str) -> Iterator[Message | Rejection]:
    starts = [m.start() for m in _BLOCK_START.finditer(text)]
    ends = [*starts[1:], len(text)]
    for position, (start, end) in enumerate(zip(starts, ends, strict=True), start=1):
        chunk = text[start:end]
        opening = chunk.find("{4:")
        if opening < 0:
            yield Rejection(position, "block4", "message has no text block {4:")
            continue
        closing = re.search(r"\r?\n-\}", chunk[opening:])
        if closing is None:
            yield Rejection(position, "block4", "text block {4: is not terminated by '-}'")
            continue
        body = chunk[opening + 3 : opening + closing.start()]
        header = chunk[:opening]
        block2 = re.search(r"\{2:([^}]*)\}", header)
        block3 = re.search(r"\{3:((?:\{[^}]*\})*)\}", header)
        yield Message(position, block2[1] if block2 else None, block3[1] if block3 else None,
                      _fields(body))


def _fields(body: str) -> list[tuple[str, str]]:
    """(tag, value) pairs; continuation lines stay in their field's value."""
    found = list(_TAG.finditer(body))
    fields = []
    for match, following in zip(found, [*found[1:], None], strict=True):
        end = following.start() if following else len(body)
        value = body[match.end() : end].replace("\r", "").strip("\n")
        fields.append((match[1], value))
    return fields


def _lines(value: str) -> list[str]:
    return [line.strip() for line in value.split("\n") if line.strip()]


def _raw_lines(value: str) -> list[str]:
    """Non-blank lines as written: their exact length tells a name cut at 35 characters."""
    return [line for line in value.split("\n") if line.strip()]


def _account_and_rest(value: str) -> tuple[str | None, list[str]]:
    """Optional first line "/account" (or "/D/account" on bank fields), then the rest as
    written."""
    lines = _raw_lines(value)
    if lines and lines[0].strip().startswith("/"):
        account = re.sub(r"^/(?:[CD]/)?", "", lines[0].strip())
        return normalise_account(account), lines[1:]
    return None, lines


def _name_address(role: str, value: str) -> Party:
    """A 4*35x name and address: the name may run over several lines (swift_names)."""
    account, lines = _account_and_rest(value)
    name, address = split_name(lines)
    return Party(role=role, name=clean(name), address=join_text(address), account=account)


def _bic_party(role: str, value: str, where: str, schema: str | None) -> Party:
    account, lines = _account_and_rest(value)
    bic = normalise_bic(lines[0].strip() if lines else None, where)
    return Party(role=role, bic=bic, account=account, schema=schema)


def _identifier(code_line: str) -> tuple[str | None, str | None, str | None]:
    """50F party identifier "CODE/CC/identifier" -> (id number, id type, issuing country)."""
    parts = code_line.split("/", 2)
    if len(parts) < 3 or parts[0] not in {*SCHEME_CODES, "ARNU", "DRLC", "EMPL", "CUST"}:
        return None, None, None
    code, country, rest = parts
    if code in {"CUST", "DRLC", "EMPL"} and "/" in rest:
        rest = rest.split("/", 1)[1]  # CODE/CC/issuer/identifier
    return clean(rest), SCHEME_CODES.get(code, "other"), country_code(country)


def structured_party(role: str, value: str, where: str) -> Party:
    """Option F (50F, 59F): party identifier line, then numbered lines 1/ to 8/."""
    lines = [line.rstrip() for line in _raw_lines(value)]
    party = Party(role=role)
    if lines and not _NUMBERED.match(lines[0]):
        first = lines.pop(0).strip()
        if first.startswith("/"):
            party.account = normalise_account(first[1:])
        else:
            party.id_number, party.id_type, _ = _identifier(first)
    names: list[str] = []
    address: list[str] = []
    for line in lines:
        match = _NUMBERED.match(line.strip())
        if match is None:
            raise RecordError(where, f"line {line[:35]!r} is not a numbered line (1/ to 8/)")
        number, text = match[1], match[2]
        if number == "1":  # kept as written: a full line may be cut inside a word
            names.append(text.lstrip())
        else:
            _apply_numbered(party, number, text.strip(), address, where)
    party.name = clean(join_name_lines(names))
    party.address = join_text(address)
    if party.birth_date or party.birth_place or party.id_type in {"passport", "national_id"}:
        party.schema = PERSON
    return party


def _apply_numbered(party: Party, number: str, text: str, address: list[str], where: str) -> None:
    if number == "2":
        address.append(text)
    elif number == "3":
        country, _, town = text.partition("/")
        party.country = party.country or country_code(country)
        address.append(town)
    elif number == "4":
        party.birth_date = birth_date(text, f"{where}/4")
    elif number == "5":
        country, _, town = text.partition("/")
        party.birth_place = join_text([town, country])
    elif number in {"6", "7"} and party.id_number is None:
        parts = text.split("/")
        party.id_number = clean(parts[-1])
        party.id_type = "customer_id" if number == "6" else "national_id"
    elif number == "8" and party.id_number is not None:
        party.id_number += text  # 8/ continues the identifier of the line before


def customer(tag: str, value: str, role: str) -> Party:
    """Ordering customer (50A/F/K) or beneficiary (59/59A/59F)."""
    option = tag[2:]
    if option == "A":
        return _bic_party(role, value, tag, ORGANIZATION)
    if option == "F":
        return structured_party(role, value, tag)
    return _name_address(role, value)


def bank(tag: str, value: str) -> Party:
    """Institution fields: option A is a BIC, C an account, B a location, D name and address."""
    role = BANK_ROLES[tag[:2]]
    option = tag[2:]
    if option == "A":
        return _bic_party(role, value, tag, ORGANIZATION)
    party = _name_address(role, value)
    if option in {"B", "C"}:
        party.address = join_text([party.name, party.address])
        party.name = None
    party.schema = ORGANIZATION
    return party


def message_type(message: Message) -> str:
    """"103", "202COV" or another type; plain-text messages are typed by their fields."""
    if message.block2:
        kind = message.block2[1:4]
        cover = "{119:COV}" in (message.block3 or "")
        tags = {tag for tag, _ in message.fields}
        if kind == "202" and (cover or any(t.startswith("50") for t in tags)):
            return "202COV"
        return kind
    tags = {tag for tag, _ in message.fields}
    return "202COV" if any(t.startswith("58") for t in tags) else "103"


def message_parties(message: Message) -> tuple[str | None, list[Party]]:
    """Transaction reference and the parties of one message."""
    kind = message_type(message)
    if kind not in {"103", "202COV"}:
        raise RecordError("block2", f"unsupported message type MT{kind}")
    fields = message.fields
    for tag, value in fields:
        if len(value) > MAX_MESSAGE_CHARS:
            raise RecordError(tag, f"field of {len(value)} characters is far beyond SWIFT sizes")
    reference = next((clean(v) for t, v in fields if t == "20"), None)
    if reference is None:
        raise RecordError("20", "missing transaction reference :20:")
    if kind == "202COV":  # sequence B starts at the ordering customer
        start = next((i for i, (t, _) in enumerate(fields) if t.startswith("50")), len(fields))
        fields = fields[start:]
    if not any(t in {"50A", "50F", "50K"} for t, _ in fields):
        raise RecordError("50a", "missing ordering customer :50A:/:50F:/:50K:")
    if not any(t in {"59", "59A", "59F"} for t, _ in fields):
        raise RecordError("59a", "missing beneficiary customer :59:/:59A:/:59F:")
    parties: list[Party] = []
    for tag, value in fields:
        if tag in {"50A", "50F", "50K"}:
            parties.append(customer(tag, value, "originator"))
        elif tag in {"59", "59A", "59F"}:
            parties.append(customer(tag, value, "beneficiary"))
        elif tag[:2] in BANK_ROLES and tag[2:] in {"A", "B", "C", "D"}:
            parties.append(bank(tag, value))
        elif tag in FREE_TEXT_TAGS:
            parties.append(Party(role="free_text", free_text=join_text(_lines(value), " ")))
    return reference, parties


def iter_records(text: str) -> Iterator[Outcome]:
    """One outcome per message of the file's text."""
    for item in split_messages(text):
        if isinstance(item, Rejection):
            yield item
            continue
        try:
            reference, parties = message_parties(item)
        except RecordError as exc:
            yield Rejection(item.position, exc.field, exc.reason)
            continue
        yield record_or_rejection(item.position, reference, parties)


def _read_text(path: Path, warnings: list[str]) -> str:
    data = path.read_bytes()
    if not data.strip(b"\xef\xbb\xbf \t\r\n"):
        raise InputFormatError(path, "empty file")
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        # SWIFT FIN is ASCII; exports with accents are usually in a Windows code page.
        text = data.decode("cp1252", errors="replace")
        warnings.append("file is not valid UTF-8: read as cp1252")
    if not _TAG.search(text):
        raise InputFormatError(path, "no SWIFT field (:20:, :50K:...) found")
    return text


def parse(path: Path | str, chunk_records: int | None = None) -> Iterator[ParseResult]:
    """MT103 / MT202 COV messages as ParseResults (one, or chunks of ``chunk_records``)."""
    path = Path(path)
    warnings: list[str] = []
    text = _read_text(path, warnings)
    yield from results_of(iter_records(text), "mt103", file_sha256(path), warnings,
                          chunk_records)


def read(path: Path | str) -> ParseResult:
    return merge_results(parse(path))
