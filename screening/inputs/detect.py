"""Which input format a file is, and one entry point that reads any of them."""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from pathlib import Path

from screening.inputs import goaml, iso20022, mt103, tabular
from screening.inputs.parties import InputFormatError, ParseResult, merge_results

FORMATS = ("csv", "parquet", "jsonl", "pacs008", "pain001", "mt103", "goaml")
_HEAD = 1 << 16
_XML_ROOT = re.compile(rb"<(?:[A-Za-z_][\w.-]*:)?([A-Za-z_][\w.-]*)[\s>/]")
_MT_FIELD = re.compile(rb"^:(?:20|50[AFK]|59[AF]?|32A):", re.MULTILINE)


def _xml_format(head: bytes) -> str | None:
    """pacs008 / pain001 / goaml from the first element names of an XML document."""
    body = re.sub(rb"<\?.*?\?>|<!--.*?-->|<!DOCTYPE[^>]*>", b"", head, flags=re.DOTALL)
    names = [m.decode("ascii", "replace") for m in _XML_ROOT.findall(body[:8192])]
    if not names:
        return None
    if "FIToFICstmrCdtTrf" in names:
        return "pacs008"
    if "CstmrCdtTrfInitn" in names:
        return "pain001"
    if names[0] == "report":
        return "goaml"
    return None


def detect_format(path: Path | str) -> str:
    """The format of a batch file, from its bytes (the extension only breaks ties)."""
    path = Path(path)
    with path.open("rb") as handle:
        head = handle.read(_HEAD)
    text = head.lstrip(b"\xef\xbb\xbf \t\r\n")
    if not text:
        raise InputFormatError(path, "empty file")
    if head.startswith(b"PAR1"):
        return "parquet"
    if text.startswith(b"<"):
        found = _xml_format(text)
        if found is None:
            raise InputFormatError(
                path, "XML but not a pacs.008, pain.001 or goAML report document"
            )
        return found
    if text.startswith(b"{1:") or _MT_FIELD.search(text[:4096]):
        return "mt103"
    if text.startswith(b"{"):
        return "jsonl"
    return "csv"


def read_batch(
    path: Path | str,
    format: str | None = None,
    mapping: Mapping[str, str] | str | Path | None = None,
) -> ParseResult:
    """Parse any supported batch file into one ParseResult (parties frame + rejections).

    ``mapping`` (their header -> our column, dict or YAML file) applies to tabular formats.
    """
    return merge_results(iter_batches(path, format=format, mapping=mapping))


def iter_batches(
    path: Path | str,
    chunk_rows: int = 250_000,
    *,
    format: str | None = None,
    mapping: Mapping[str, str] | str | Path | None = None,
) -> Iterator[ParseResult]:
    """Any supported batch in chunks of about ``chunk_rows`` records (bounded output)."""
    path = Path(path)
    fmt = format or detect_format(path)
    if fmt not in FORMATS:
        raise ValueError(f"unknown input format {fmt!r}; expected one of {', '.join(FORMATS)}")
    if fmt in tabular.FORMATS:
        yield from tabular.iter_batches(path, chunk_rows, format=fmt, mapping=mapping)
    elif fmt in ("pacs008", "pain001"):
        yield from iso20022.parse(path, chunk_rows)  # labelled by content: pacs008/pain001
    elif fmt == "mt103":
        yield from mt103.parse(path, chunk_rows)
    else:
        yield from goaml.parse(path, chunk_rows)
