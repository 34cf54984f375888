"""XML parsing with external entities, DTD loading and network access turned off.

Every list loader parses XML through these helpers, so an XXE or billion-laughs document fails
cleanly instead of reading local files or exhausting memory.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import TypeVar

from lxml import etree

from lists.errors import ListFormatError

_HEAD_BYTES = 4096
T = TypeVar("T")


def reject_doctype_entities(path: Path) -> None:
    """Refuse documents that declare entities: official lists never do, attacks always do."""
    with path.open("rb") as handle:
        head = handle.read(_HEAD_BYTES)
    doctype = head.split(b"<!DOCTYPE", 1)[1][:200] if b"<!DOCTYPE" in head else b""
    if b"<!ENTITY" in head or b"SYSTEM" in doctype or b"PUBLIC" in doctype:
        raise ListFormatError(path, "document declares a DTD with entities; refused for safety")


def _reject_declared_entities(path: Path, element: etree._Element) -> None:
    """Refuse entity declarations the head check missed (a DOCTYPE after a long comment)."""
    dtd = element.getroottree().docinfo.internalDTD
    if dtd is not None and any(True for _ in dtd.iterentities()):  # type: ignore[attr-defined]
        raise ListFormatError(path, "document declares a DTD with entities; refused for safety")


def local_name(tag: object) -> str:
    """The tag without its namespace ("{ns}sdnEntry" -> "sdnEntry")."""
    text = tag if isinstance(tag, str) else str(tag)
    return text.rsplit("}", 1)[-1]


def iter_elements(path: Path, names: set[str]) -> Iterator[etree._Element]:
    """Stream the elements whose local name is in ``names``, freeing each after use.

    Memory stays bounded on files of hundreds of megabytes. Namespaces are ignored so the
    2018 and 2024 OFAC namespaces parse alike.
    """
    reject_doctype_entities(path)
    # We open the file ourselves so it is closed when a caller stops early (e.g. raises on a
    # bad record): lxml leaves the file it opens to the garbage collector (ResourceWarning).
    with path.open("rb") as handle:
        context = etree.iterparse(
            handle,
            events=("end",),
            # Filtered in C: only the wanted elements reach Python (about twice as fast).
            tag=[f"{{*}}{name}" for name in sorted(names)],
            resolve_entities=False,
            load_dtd=False,
            no_network=True,
            huge_tree=False,
            remove_comments=True,
        )
        checked = False
        try:
            for _event, element in context:
                if not checked:
                    _reject_declared_entities(path, element)
                    checked = True
                if local_name(element.tag) in names:
                    yield element
                    element.clear(keep_tail=False)
                    parent = element.getparent()
                    while parent is not None and element.getprevious() is not None:
                        del parent[0]
            if not checked and context.root is not None:
                _reject_declared_entities(path, context.root)
        except etree.XMLSyntaxError as exc:
            where = f"line {exc.lineno}"
            raise ListFormatError(path, f"malformed XML: {exc}", record=where) from exc


def parse_document(path: Path) -> etree._Element:
    """Parse a small XML document whole, safely; returns the root element."""
    reject_doctype_entities(path)
    parser = etree.XMLParser(
        resolve_entities=False, load_dtd=False, no_network=True, huge_tree=False,
        remove_comments=True,
    )
    try:
        return etree.parse(str(path), parser).getroot()
    except etree.XMLSyntaxError as exc:
        raise ListFormatError(path, f"malformed XML: {exc}", record=f"line {exc.lineno}") from exc


def text_of(element: etree._Element | None) -> str | None:
    """Stripped text of an element; None when absent or blank (lists pad values with spaces)."""
    if element is None or element.text is None:
        return None
    value = element.text.strip()
    return value or None


def child_text(element: etree._Element, name: str) -> str | None:
    """Text of the first direct child with local name ``name``."""
    for child in element:
        if local_name(child.tag) == name:
            return text_of(child)
    return None


def children(element: etree._Element, name: str) -> list[etree._Element]:
    """Direct children with local name ``name``."""
    return [child for child in element if local_name(child.tag) == name]


def root_attribute(
    element: etree._Element, path: Path, expected_root: str, attribute: str
) -> str | None:
    """An attribute of the document root, after checking the root is ``expected_root``."""
    root = element.getroottree().getroot()
    found = local_name(root.tag)
    if found != expected_root:
        raise ListFormatError(path, f"root element is <{found}>, not <{expected_root}>")
    return root.get(attribute)


def stream_records(
    path: Path,
    names: set[str],
    parse: Callable[[etree._Element], T],
    read_header: Callable[[etree._Element], str | None],
    empty_message: str,
) -> tuple[list[T], str | None]:
    """Parse every streamed record with ``parse``; ``read_header`` sees the first one.

    Returns the records and what ``read_header`` returned (the publication date). A record
    error is re-raised naming the file; a file without records is an error.
    """
    records: list[T] = []
    header: str | None = None
    for element in iter_elements(path, names):
        if not records:
            header = read_header(element)
        try:
            records.append(parse(element))
        except ListFormatError as exc:
            raise ListFormatError(path, exc.detail, record=exc.record) from exc
    if not records:
        raise ListFormatError(path, empty_message)
    return records, header
