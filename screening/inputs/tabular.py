"""Canonical transaction batches as CSV (any common delimiter), Parquet or JSON lines.

Everything here is vectorised with Polars: files are scanned lazily and streamed in chunks,
bad rows are found with column expressions, and each role (originator, beneficiary, banks,
remittance text) is one select; a million rows take a few seconds. Only the rejected rows and
the distinct country / id-type values are touched in Python.
"""

from __future__ import annotations

import codecs
import csv
import hashlib
import json
import os
import tempfile
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import polars as pl
import yaml

from screening.inputs.parties import (
    BIC_PATTERN,
    DEFAULT_MAX_CHARS,
    IBAN_PATTERN,
    ORGANIZATION,
    PARTY_COLUMNS,
    PERSON,
    InputFormatError,
    ParseResult,
    Rejection,
    country_code,
    empty_parties,
    id_type_of,
    merge_results,
)

SIDES = ("originator", "beneficiary")
SIDE_FIELDS = (
    "name", "address", "country", "account", "bank_bic", "birth_date", "id_number",
)
OPTIONAL_SIDE_FIELDS = ("type", "id_type", "nationality", "birth_place")
COLUMNS: list[str] = [
    "transaction_id", "date", "amount", "currency",
    *(f"{side}_{name}" for side in SIDES for name in SIDE_FIELDS),
    "intermediary_bank_bic", "remittance_info",
]
OPTIONAL_COLUMNS: list[str] = [f"{s}_{n}" for s in SIDES for n in OPTIONAL_SIDE_FIELDS]
ALL_COLUMNS: list[str] = COLUMNS + OPTIONAL_COLUMNS
REQUIRED_ANY = ("originator_name", "beneficiary_name")
FORMATS = ("csv", "parquet", "jsonl")

_DELIMITERS = (",", ";", "\t", "|")
_OVERFLOW = "__overflow"
_POSITION = "source_position"
_HEAD_BYTES = 1 << 16
_BLOCK = 1 << 22
_ERRORS = "screening-cp1252-fallback"
_PERSON_WORDS = ["person", "individual", "natural person", "p", "i"]
_ORG_WORDS = [
    "organisation", "organization", "company", "entity", "legal person", "legalentity",
    "o", "e", "c",
]


def _max_chars(column: str) -> int:
    if column.endswith("_name"):
        return 1000
    if column.endswith("_address"):
        return 2000
    if column == "remittance_info":
        return 10_000
    if column.endswith("_birth_place"):
        return 500
    return DEFAULT_MAX_CHARS


def _cp1252_fallback(exc: UnicodeError) -> tuple[str, int]:
    """Decode the bytes that are not UTF-8 as cp1252, so mixed files keep every character."""
    if not isinstance(exc, UnicodeDecodeError):
        raise exc
    return exc.object[exc.start : exc.end].decode("cp1252", errors="replace"), exc.end


codecs.register_error(_ERRORS, _cp1252_fallback)


@dataclass(slots=True)
class _Inspection:
    sha256: str
    size: int
    utf8: bool
    blank: bool


def _inspect(path: Path, check_utf8: bool) -> _Inspection:
    """One pass over the bytes: digest, UTF-8 validity, and whether there is any content."""
    digest = hashlib.sha256()
    decoder = codecs.getincrementaldecoder("utf-8")()
    # Parquet (check_utf8 False) is binary: never "not UTF-8", never re-encoded.
    utf8, blank, size = True, True, 0
    with path.open("rb") as handle:
        while block := handle.read(_BLOCK):
            digest.update(block)
            size += len(block)
            if blank and block.lstrip(b"\xef\xbb\xbf \t\r\n"):
                blank = False
            if check_utf8 and utf8:
                try:
                    decoder.decode(block)
                except UnicodeDecodeError:
                    utf8 = False
    if check_utf8 and utf8:
        try:
            decoder.decode(b"", final=True)
        except UnicodeDecodeError:
            utf8 = False
    return _Inspection(digest.hexdigest(), size, utf8, blank)


@contextmanager
def _utf8_copy(path: Path) -> Iterator[Path]:
    """A temporary UTF-8 copy of a file that is not valid UTF-8 (removed afterwards)."""
    handle, name = tempfile.mkstemp(suffix=path.suffix or ".txt", prefix="screening-")
    decoder = codecs.getincrementaldecoder("utf-8")(errors=_ERRORS)
    try:
        with os.fdopen(handle, "wb") as out, path.open("rb") as source:
            while block := source.read(_BLOCK):
                out.write(decoder.decode(block).encode("utf-8"))
            out.write(decoder.decode(b"", final=True).encode("utf-8"))
        yield Path(name)
    finally:
        Path(name).unlink(missing_ok=True)


def load_mapping(mapping: Mapping[str, str] | str | Path | None) -> dict[str, str]:
    """Their header -> our column, from a dict or a YAML file; unknown targets are refused."""
    if mapping is None:
        return {}
    if isinstance(mapping, str | Path):
        loaded = yaml.safe_load(Path(mapping).read_text(encoding="utf-8")) or {}
        if not isinstance(loaded, dict):
            raise ValueError(f"{mapping}: a column mapping must be a YAML mapping")
        mapping = {str(k): str(v) for k, v in loaded.items()}
    unknown = sorted(v for v in mapping.values() if v not in ALL_COLUMNS)
    if unknown:
        raise ValueError(f"column mapping targets unknown columns: {', '.join(unknown)}")
    return dict(mapping)


def _resolve_columns(
    path: Path, headers: list[str], mapping: dict[str, str]
) -> tuple[dict[str, str], list[str]]:
    """Our column -> their header, and the headers we ignore."""
    folded = {key.strip().casefold(): value for key, value in mapping.items()}
    resolved: dict[str, str] = {}
    ignored: list[str] = []
    for header in headers:
        key = header.strip()
        target = mapping.get(header) or folded.get(key.casefold())
        if target is None and key.casefold() in ALL_COLUMNS:
            target = key.casefold()
        if target is None:
            ignored.append(header)
            continue
        if target in resolved:
            raise InputFormatError(
                path, f"columns {resolved[target]!r} and {header!r} both give {target}"
            )
        resolved[target] = header
    if not any(name in resolved for name in REQUIRED_ANY):
        found = ", ".join(repr(h) for h in headers[:30]) or "none"
        raise InputFormatError(
            path,
            "missing required column: originator_name or beneficiary_name "
            f"(at least one is needed; columns found: {found})",
        )
    return resolved, ignored


def _sniff_header(path: Path, source: Path) -> tuple[str, list[str]]:
    """Delimiter and header names from the first line."""
    with source.open("rb") as handle:
        head = handle.read(_HEAD_BYTES).decode("utf-8", errors="replace").lstrip("\ufeff")
    line = head.split("\n", 1)[0].rstrip("\r")
    if not line.strip():
        raise InputFormatError(path, "empty header line: a CSV batch starts with its header")
    delimiter = max(_DELIMITERS, key=line.count)
    headers = next(csv.reader([line], delimiter=delimiter))
    return delimiter, headers


@dataclass(slots=True)
class _Plan:
    """What to scan and how its columns map to ours."""

    frame: pl.LazyFrame
    columns: dict[str, str]  # our column -> their header
    warnings: list[str] = field(default_factory=list)
    has_overflow: bool = False
    header_fields: int = 0


def _csv_plan(path: Path, source: Path, mapping: dict[str, str]) -> _Plan:
    delimiter, headers = _sniff_header(path, source)
    columns, ignored = _resolve_columns(path, headers, mapping)
    # Positional names plus one spare column: a row with more fields than the header fills
    # the spare one, so it can be rejected instead of being silently cut.
    schema = {f"_c{i}": pl.String() for i in range(len(headers))} | {_OVERFLOW: pl.String()}
    frame = pl.scan_csv(
        source, has_header=False, skip_rows=1, separator=delimiter, schema=schema,
        truncate_ragged_lines=True, missing_columns="insert", infer_schema=False,
    )
    index = {header: f"_c{i}" for i, header in enumerate(headers)}
    frame = frame.select(
        *(pl.col(index[header]).alias(ours) for ours, header in columns.items()),
        pl.col(_OVERFLOW),
    )
    return _Plan(frame, columns, _ignored_warning(ignored), has_overflow=True,
                 header_fields=len(headers))


def _ignored_warning(ignored: list[str]) -> list[str]:
    if not ignored:
        return []
    return [f"ignored columns not in the canonical schema: {', '.join(ignored[:20])}"]


def _jsonl_keys(path: Path, source: Path) -> list[str]:
    keys: dict[str, None] = {}
    with source.open("r", encoding="utf-8-sig", errors="replace") as handle:
        for count, line in enumerate(handle):
            if count >= 1000:
                break
            try:
                value = json.loads(line) if line.strip() else None
            except ValueError:
                continue
            if isinstance(value, dict):
                keys.update(dict.fromkeys(str(k) for k in value))
    if not keys:
        raise InputFormatError(path, "no JSON object found in the first 1000 lines")
    return list(keys)


def _jsonl_plan(path: Path, source: Path, mapping: dict[str, str]) -> _Plan:
    keys = _jsonl_keys(path, source)
    columns, ignored = _resolve_columns(path, keys, mapping)
    frame = pl.scan_ndjson(source, schema={key: pl.String() for key in keys})
    frame = frame.select(pl.col(theirs).alias(ours) for ours, theirs in columns.items())
    return _Plan(frame, columns, _ignored_warning(ignored))


def _parquet_plan(path: Path, mapping: dict[str, str]) -> _Plan:
    try:
        frame = pl.scan_parquet(path)
        names = frame.collect_schema().names()
    except (pl.exceptions.PolarsError, OSError) as exc:
        raise InputFormatError(path, f"not a readable Parquet file: {exc}") from exc
    columns, ignored = _resolve_columns(path, names, mapping)
    frame = frame.select(
        pl.col(theirs).cast(pl.String).alias(ours) for ours, theirs in columns.items()
    )
    return _Plan(frame, columns, _ignored_warning(ignored))


def _text(column: str) -> pl.Expr:
    """Stripped text, blank -> null (the screener normalises inner whitespace itself)."""
    return pl.col(column).str.strip_chars().replace("", None)


def _birth_date(column: str) -> pl.Expr:
    """ISO birth date (YYYY, YYYY-MM, YYYY-MM-DD) from the forms exports use; null if invalid.

    Accepted: ISO (optionally with a time), DD/MM/YYYY (also . or -), YYYYMMDD; 00 parts mean
    unknown ("1970-00-00" -> "1970").
    """
    raw = pl.col(column)
    iso = raw.str.extract_groups(r"^(?<y>\d{4})(?:-(?<m>\d{1,2})(?:-(?<d>\d{1,2}))?)?(?:[T ].*)?$")
    dmy = raw.str.extract_groups(r"^(?<d>\d{1,2})[./-](?<m>\d{1,2})[./-](?<y>\d{4})$")
    compact = raw.str.extract_groups(r"^(?<y>\d{4})(?<m>\d{2})(?<d>\d{2})$")
    parts = {
        key: pl.coalesce(g.struct.field(key) for g in (iso, dmy, compact)).cast(pl.Int32)
        for key in ("y", "m", "d")
    }
    year, month = parts["y"], pl.when(parts["m"] > 0).then(parts["m"])
    day = pl.when(month.is_not_null() & (parts["d"] > 0)).then(parts["d"])
    text_y = year.cast(pl.String).str.zfill(4)
    text_ym = pl.concat_str(text_y, pl.lit("-"), month.cast(pl.String).str.zfill(2))
    text_ymd = pl.concat_str(text_ym, pl.lit("-"), day.cast(pl.String).str.zfill(2))
    full_ok = text_ymd.str.to_date("%Y-%m-%d", strict=False).is_not_null()
    return (
        pl.when(year.is_null() | ~year.is_between(1800, 2100) | (month > 12))
        .then(None)
        .when(month.is_null())
        .then(text_y)
        .when(day.is_null())
        .then(text_ym)
        .when(full_ok)
        .then(text_ymd)
    )


def _schema(column: str) -> pl.Expr:
    value = pl.col(column).str.to_lowercase()
    return (
        pl.when(value.is_in(_PERSON_WORDS)).then(pl.lit(PERSON))
        .when(value.is_in(_ORG_WORDS)).then(pl.lit(ORGANIZATION))
    )


def _bic(column: str) -> pl.Expr:
    return pl.col(column).str.replace_all(" ", "", literal=True).str.to_uppercase()


def _account(column: str) -> pl.Expr:
    compact = (
        pl.col(column).str.replace_all(" ", "", literal=True)
        .str.replace_all("-", "", literal=True).str.to_uppercase()
    )
    return pl.when(compact.str.contains(IBAN_PATTERN)).then(compact).otherwise(pl.col(column))


@dataclass(slots=True)
class _Check:
    field: str  # our column; reported under the file's own header
    bad: pl.Expr
    reason: pl.Expr


def _preview(column: str) -> pl.Expr:
    return pl.col(column).str.slice(0, 40)


def _checks(plan: _Plan) -> list[_Check]:
    """Row checks in reporting order; the first failing one names the row's rejection."""
    checks: list[_Check] = []
    if plan.has_overflow:
        checks.append(_Check(
            "", pl.col(_OVERFLOW).is_not_null(),
            pl.lit(f"row has more fields than the header ({plan.header_fields})"),
        ))
    for column in ALL_COLUMNS:
        limit = _max_chars(column)
        length = pl.col(column).str.len_chars()
        checks.append(_Check(
            column, length > limit,
            pl.format("value of {} characters exceeds the limit of {}", length, pl.lit(limit)),
        ))
    for side in SIDES:
        checks.append(_Check(
            f"{side}_birth_date",
            pl.col(f"{side}_birth_date").is_not_null() & pl.col(f"_{side}_dob").is_null(),
            pl.format("invalid birth date '{}'", _preview(f"{side}_birth_date")),
        ))
        checks.append(_Check(
            f"{side}_type",
            pl.col(f"{side}_type").is_not_null() & pl.col(f"_{side}_schema").is_null(),
            pl.format("unknown party type '{}' (person or organisation)", _preview(f"{side}_type")),
        ))
    for column in ("originator_bank_bic", "beneficiary_bank_bic", "intermediary_bank_bic"):
        checks.append(_Check(
            column,
            pl.col(column).is_not_null() & ~_bic(column).str.contains(BIC_PATTERN),
            pl.format("invalid BIC '{}'", _preview(column)),
        ))
    useful = [
        f"{side}_{name}" for side in SIDES for name in ("name", "account", "id_number", "bank_bic")
    ] + ["intermediary_bank_bic", "remittance_info"]
    checks.append(_Check(
        "originator_name",
        pl.all_horizontal(pl.col(c).is_null() for c in useful),
        pl.lit("row has no party name, account, identifier, BIC or remittance text"),
    ))
    return checks


def _prepared(chunk: pl.DataFrame) -> pl.DataFrame:
    present = [c for c in ALL_COLUMNS if c in chunk.columns]
    chunk = chunk.with_columns(
        *(_text(c) for c in present),
        *(pl.lit(None, pl.String).alias(c) for c in ALL_COLUMNS if c not in present),
    )
    chunk = chunk.with_columns(
        *(_fast_birth_date(f"{side}_birth_date").alias(f"_{side}_dob") for side in SIDES),
        *(_schema(f"{side}_type").alias(f"_{side}_schema") for side in SIDES),
    )
    for side in SIDES:
        chunk = _slow_birth_dates(chunk, side)
    return chunk


def _fast_birth_date(column: str) -> pl.Expr:
    """Plain YYYY-MM-DD in range: the common case, parsed without regular expressions."""
    date = pl.col(column).str.to_date("%Y-%m-%d", strict=False)
    return pl.when(date.dt.year().is_between(1800, 2100)).then(date.dt.to_string("%Y-%m-%d"))


def _slow_birth_dates(chunk: pl.DataFrame, side: str) -> pl.DataFrame:
    """Other date forms, for the few rows the fast path did not read."""
    raw, out = f"{side}_birth_date", f"_{side}_dob"
    todo = chunk.filter(pl.col(raw).is_not_null() & pl.col(out).is_null())
    if not todo.height:
        return chunk
    done = todo.select(pl.col(_POSITION), _birth_date(raw).alias("_dob"))
    return (
        chunk.join(done, on=_POSITION, how="left", maintain_order="left")
        .with_columns(pl.coalesce(out, "_dob").alias(out))
        .drop("_dob")
    )


def _split_rejections(
    chunk: pl.DataFrame, plan: _Plan
) -> tuple[pl.DataFrame, list[Rejection]]:
    checks = _checks(plan)
    flagged = chunk.with_columns(
        pl.any_horizontal(c.bad for c in checks).fill_null(False).alias("_bad")
    )
    # Labels are computed on the (usually few) bad rows only.
    bad = flagged.filter(pl.col("_bad")).select(
        pl.col(_POSITION),
        pl.coalesce(
            pl.when(c.bad).then(pl.lit(plan.columns.get(c.field, c.field))) for c in checks
        ).alias("_reject_field"),
        pl.coalesce(pl.when(c.bad).then(c.reason) for c in checks).alias("_reject_reason"),
    )
    rejections = [
        Rejection(int(position), field or None, str(reason))
        for position, field, reason in bad.iter_rows()
    ]
    return flagged.filter(~pl.col("_bad")), rejections


def _value_map(good: pl.DataFrame, columns: list[str], convert: object) -> dict[str, str | None]:
    """Map each distinct value once in Python (few distinct values, many rows)."""
    assert callable(convert)
    values = pl.concat([good.get_column(c) for c in columns]).drop_nulls().unique()
    return {str(value): convert(str(value)) for value in values.to_list()}


def _side_frame(good: pl.DataFrame, side: str, ids: dict[str, str | None]) -> pl.DataFrame:
    id_type = pl.col(f"{side}_id_type").replace_strict(ids, default=None, return_dtype=pl.String)
    frame = good.select(
        pl.col(_POSITION),
        pl.col("transaction_id"),
        pl.lit(side).alias("role"),
        pl.col(f"{side}_name").alias("name"),
        pl.col(f"_{side}_schema").alias("schema"),
        pl.col(f"_{side}_dob").alias("birth_date"),
        pl.col(f"{side}_birth_place").alias("birth_place"),
        pl.col(f"_{side}_nationality").alias("nationality"),
        pl.col(f"_{side}_country").alias("country"),
        pl.col(f"{side}_address").alias("address"),
        _account(f"{side}_account").alias("account"),
        pl.lit(None, pl.String).alias("bic"),
        pl.col(f"{side}_id_number").alias("id_number"),
        pl.when(pl.col(f"{side}_id_number").is_not_null())
        .then(pl.coalesce(id_type, pl.lit("other"))).alias("id_type"),
        pl.lit(None, pl.String).alias("free_text"),
    )
    return frame.filter(
        pl.any_horizontal(pl.col(c).is_not_null() for c in ("name", "account", "id_number"))
    )


def _other_frame(good: pl.DataFrame, role: str, column: str) -> pl.DataFrame:
    """Bank rows carry only their BIC; the free_text row only the remittance text."""
    bank = role != "free_text"
    values = {
        _POSITION: pl.col(_POSITION),
        "transaction_id": pl.col("transaction_id"),
        "role": pl.lit(role),
        "schema": pl.lit(ORGANIZATION if bank else None, pl.String),
        "bic": _bic(column) if bank else pl.lit(None, pl.String),
        "free_text": pl.lit(None, pl.String) if bank else pl.col(column),
    }
    return good.filter(pl.col(column).is_not_null()).select(
        values.get(name, pl.lit(None, pl.String)).alias(name) for name in PARTY_COLUMNS
    )


def _parties(good: pl.DataFrame, warnings: list[str]) -> pl.DataFrame:
    places = [f"{s}_{n}" for s in SIDES for n in ("country", "nationality")]
    countries = _value_map(good, places, country_code)
    unknown = sorted(k for k, v in countries.items() if v is None)
    if unknown:
        shown = ", ".join(repr(u[:40]) for u in unknown[:10])
        warnings.append(f"unrecognised country values left empty: {shown}")
    ids = _value_map(good, [f"{s}_id_type" for s in SIDES], id_type_of)
    good = good.with_columns(
        pl.col(c).replace_strict(countries, default=None, return_dtype=pl.String)
        .alias(f"_{c}") for c in places
    )
    frames = [_side_frame(good, side, ids) for side in SIDES]
    frames += [
        _other_frame(good, "ordering_bank", "originator_bank_bic"),
        _other_frame(good, "beneficiary_bank", "beneficiary_bank_bic"),
        _other_frame(good, "intermediary_bank", "intermediary_bank_bic"),
        _other_frame(good, "free_text", "remittance_info"),
    ]
    # Not re-sorted by position: a sort of every row costs more than the rest of the parse.
    return pl.concat(frames, how="vertical")


def _chunk_result(
    chunk: pl.DataFrame, plan: _Plan, fmt: str, sha256: str, warnings: list[str]
) -> ParseResult:
    chunk = _prepared(chunk.with_columns(pl.col(_POSITION).cast(pl.Int64)))
    good, rejections = _split_rejections(chunk, plan)
    chunk_warnings = list(warnings)
    parties = _parties(good, chunk_warnings) if good.height else empty_parties()
    return ParseResult(parties, chunk.height, rejections, fmt, sha256, chunk_warnings)


def guess_format(path: Path) -> str:
    """csv, parquet or jsonl from the first bytes (detect.py covers every format)."""
    with path.open("rb") as handle:
        head = handle.read(_HEAD_BYTES)
    if head.startswith(b"PAR1"):
        return "parquet"
    if head.lstrip(b"\xef\xbb\xbf \t\r\n").startswith(b"{"):
        return "jsonl"
    return "csv"


def iter_batches(
    path: Path | str,
    chunk_rows: int = 250_000,
    *,
    format: str | None = None,
    mapping: Mapping[str, str] | str | Path | None = None,
) -> Iterator[ParseResult]:
    """Parse a canonical batch in chunks of about ``chunk_rows`` rows (bounded memory)."""
    path = Path(path)
    fmt = format or guess_format(path)
    if fmt not in FORMATS:
        raise ValueError(f"not a tabular format: {fmt}")
    columns_map = load_mapping(mapping)
    inspection = _inspect(path, check_utf8=fmt != "parquet")
    if inspection.size == 0 or (fmt != "parquet" and inspection.blank):
        raise InputFormatError(path, "empty file")
    warnings: list[str] = []
    if not inspection.utf8:
        warnings.append("file is not valid UTF-8: bytes that are not UTF-8 were read as cp1252")
    with _source(path, inspection.utf8) as source:
        yield from _batches(path, source, fmt, columns_map, chunk_rows, inspection.sha256,
                            warnings)


@contextmanager
def _source(path: Path, utf8: bool) -> Iterator[Path]:
    if utf8:
        yield path
    else:
        with _utf8_copy(path) as copy:
            yield copy


def _batches(
    path: Path, source: Path, fmt: str, mapping: dict[str, str], chunk_rows: int,
    sha256: str, warnings: list[str],
) -> Iterator[ParseResult]:
    if fmt == "csv":
        plan = _csv_plan(path, source, mapping)
    elif fmt == "jsonl":
        plan = _jsonl_plan(path, source, mapping)
    else:
        plan = _parquet_plan(path, mapping)
    warnings.extend(plan.warnings)
    frame = plan.frame.with_row_index(_POSITION, offset=1)
    done = 0
    try:
        for batch in frame.collect_batches(chunk_size=chunk_rows):
            if batch.height:
                done = int(batch.get_column(_POSITION).max() or done)  # type: ignore[arg-type]
                yield _chunk_result(batch, plan, fmt, sha256, warnings)
    except pl.exceptions.PolarsError as exc:
        if fmt != "jsonl":
            first = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
            raise InputFormatError(path, f"unreadable {fmt}: {first}") from exc
        # Some line is not a JSON object: re-read the rest line by line, rejecting bad lines.
        yield from _jsonl_slow(source, plan, done, chunk_rows, sha256, warnings)
        return
    if done == 0:
        yield ParseResult(empty_parties(), 0, [], fmt, sha256, list(warnings))


def _jsonl_slow(
    source: Path, plan: _Plan, skip: int, chunk_rows: int, sha256: str, warnings: list[str]
) -> Iterator[ParseResult]:
    """JSON lines one by one after the first ``skip`` records, bad lines as rejections."""
    theirs = plan.columns
    rows: list[dict[str, object]] = []
    bad: list[Rejection] = []
    position = 0

    def flush() -> ParseResult:
        frame = pl.DataFrame(rows, schema={_POSITION: pl.Int64, **dict.fromkeys(theirs, pl.String)})
        result = _chunk_result(frame, plan, "jsonl", sha256, warnings)
        result.records_read += len(bad)
        result.rejections = sorted(result.rejections + bad, key=lambda r: r.position)
        return result

    with source.open("r", encoding="utf-8-sig") as handle:
        for number, line in enumerate(handle, start=1):
            if not line.strip():
                continue
            position += 1
            if position <= skip:
                continue
            try:
                value = json.loads(line)
            except json.JSONDecodeError as exc:
                bad.append(Rejection(position, None, f"line {number}: invalid JSON ({exc.msg})"))
                value = None
            else:
                if not isinstance(value, dict):
                    bad.append(Rejection(position, None, f"line {number}: not a JSON object"))
            if isinstance(value, dict):
                rows.append({_POSITION: position} | {
                    ours: _json_text(value.get(key)) for ours, key in theirs.items()
                })
            if len(rows) + len(bad) >= chunk_rows:
                yield flush()
                rows, bad = [], []
    if rows or bad or skip == 0:
        yield flush()


def _json_text(value: object) -> str | None:
    if value is None or isinstance(value, str):
        return value
    if isinstance(value, dict | list):
        return json.dumps(value, ensure_ascii=False)
    return str(value)


def read_tabular(
    path: Path | str,
    *,
    format: str | None = None,
    mapping: Mapping[str, str] | str | Path | None = None,
    chunk_rows: int = 250_000,
) -> ParseResult:
    """The whole batch as one ParseResult (parsed chunk by chunk, then concatenated)."""
    return merge_results(iter_batches(path, chunk_rows, format=format, mapping=mapping))
