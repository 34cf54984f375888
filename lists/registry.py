"""The registry of list formats: find the loader for a file and group multi-file lists."""

from __future__ import annotations

import importlib
from collections.abc import Sequence
from functools import cache
from pathlib import Path

from lists.errors import UnknownFormatError
from lists.formats import FormatSpec

# Checked in this order: precise formats first, the mapping-driven custom format last.
_FORMAT_MODULES = (
    "lists.ofac_xml",
    "lists.ofac_advanced",
    "lists.ofac_csv",
    "lists.un",
    "lists.eu_fsf",
    "lists.eu_v1",
    "lists.eu_journal",
    "lists.uk_conlist",
    "lists.uk_sanctions_list",
    "lists.canada_sema",
    "lists.ftm",
    "lists.os_simple",
    "lists.custom",
)
_SNIFF_BYTES = 64 * 1024
# Files in a list folder that are documentation, never list data.
_IGNORED_SUFFIXES = {".md", ".txt", ".xsd", ".pdf", ".yml", ".yaml"}


@cache
def formats() -> dict[str, FormatSpec]:
    """Every known format by name."""
    specs: dict[str, FormatSpec] = {}
    for module_name in _FORMAT_MODULES:
        spec: FormatSpec = importlib.import_module(module_name).SPEC
        specs[spec.name] = spec
    return specs


def get_format(name: str) -> FormatSpec:
    try:
        return formats()[name]
    except KeyError:
        known = ", ".join(sorted(formats()))
        raise UnknownFormatError(f"unknown format {name!r}; known formats: {known}") from None


def detect(path: Path) -> FormatSpec:
    """The format of one file, from its name and first bytes."""
    with path.open("rb") as handle:
        head = handle.read(_SNIFF_BYTES)
    if not head.strip():
        raise UnknownFormatError(f"{path}: file is empty")
    for spec in formats().values():
        if spec.sniff(path, head):
            return spec
    raise UnknownFormatError(
        f"{path}: not a recognised list format; pass --format (one of: "
        f"{', '.join(sorted(formats()))})"
    )


def expand_paths(paths: Sequence[Path]) -> list[Path]:
    """Files named directly, plus the list files inside folders named."""
    files: list[Path] = []
    for path in paths:
        if path.is_dir():
            files.extend(
                child
                for child in sorted(path.iterdir())
                if child.is_file()
                and child.suffix.lower() not in _IGNORED_SUFFIXES
                and not child.name.startswith(".")
            )
        elif path.is_file():
            files.append(path)
        else:
            raise UnknownFormatError(f"{path}: no such file or folder")
    return files


def plan(
    paths: Sequence[Path], format_name: str | None = None
) -> list[tuple[FormatSpec, list[Path]]]:
    """Pair each list with its loader: one entry per list, multi-file lists grouped by folder."""
    groups: dict[tuple[str, Path | str], tuple[FormatSpec, list[Path]]] = {}
    for path in expand_paths(paths):
        spec = get_format(format_name) if format_name else detect(path)
        key: tuple[str, Path | str] = (
            (spec.name, path.parent) if spec.multi_file else (spec.name, str(path))
        )
        groups.setdefault(key, (spec, []))[1].append(path)
    return list(groups.values())
