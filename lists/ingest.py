"""Loading list files into the store: detect, parse completely, then store as one snapshot."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from lists.model import ParsedList
from lists.registry import plan
from lists.store import ListStore, LoadOutcome, RawFile


@dataclass(frozen=True, slots=True)
class LoadReport:
    list_id: str
    format: str
    entities: int
    names: int
    version: int
    created: bool
    published: str | None
    files: tuple[str, ...]
    warnings: int

    def to_dict(self) -> dict[str, object]:
        return {
            "list_id": self.list_id,
            "format": self.format,
            "entities": self.entities,
            "names": self.names,
            "version": self.version,
            "created": self.created,
            "published": self.published,
            "files": list(self.files),
            "warnings": self.warnings,
        }


def parse_files(
    paths: Sequence[Path], format_name: str | None = None, list_id: str | None = None
) -> list[tuple[ParsedList, list[Path]]]:
    """Parse every list in ``paths`` completely, before anything is written."""
    parsed: list[tuple[ParsedList, list[Path]]] = []
    for spec, files in plan(paths, format_name):
        parsed.append((spec.load(files, list_id), files))
    return parsed


def store_parsed(
    store: ListStore, parsed: ParsedList, files: Sequence[Path], source: str | None = None
) -> LoadReport:
    raw = [RawFile.read(path) for path in files]
    outcome = store.add_snapshot(parsed, raw, source or ", ".join(str(p) for p in files))
    return _report(outcome, parsed, files)


def load_paths(
    store: ListStore,
    paths: Sequence[Path],
    format_name: str | None = None,
    list_id: str | None = None,
) -> list[LoadReport]:
    """Load list files into the store; nothing is stored when any file fails to parse."""
    return [
        store_parsed(store, parsed, files)
        for parsed, files in parse_files(paths, format_name, list_id)
    ]


def _report(outcome: LoadOutcome, parsed: ParsedList, files: Sequence[Path]) -> LoadReport:
    snap = outcome.snapshot
    return LoadReport(
        list_id=snap.list_id,
        format=snap.format,
        entities=snap.entity_count,
        names=snap.name_count,
        version=snap.version,
        created=outcome.created,
        published=snap.published,
        files=tuple(p.name for p in files),
        warnings=len(parsed.warnings),
    )
