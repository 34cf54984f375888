"""Shared benchmark plumbing: a fresh list store built from the real list files.

Every list in ``lists.sources.SOURCES`` is loaded from its local copy under the shared data folder
(SCREENING_SHARED_DATA) with ``lists.ingest.load_paths``. A list that fails to load is reported
and skipped, so one broken loader does not hide the figures of every other list.
"""

from __future__ import annotations

import importlib
import re
import sys
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import polars as pl
from rapidfuzz import fuzz, process
from rapidfuzz.utils import default_process

from lists.ingest import LoadReport, load_paths, store_parsed
from lists.sources import SOURCES, Source
from lists.store import ListStore
from screening import settings

REPO_ROOT = Path(__file__).resolve().parent.parent
EVAL_DIR = Path("eval") / "yente_candidate_generation"


def shared_data_dir() -> Path:
    """The folder of real list files; relative settings are taken from the repository root."""
    path = settings.shared_data_dir()
    if not path.is_absolute():
        path = (REPO_ROOT / path).resolve()
    if not (path / "MANIFEST.md").is_file():
        raise FileNotFoundError(
            f"shared data folder not found at {path}; set SCREENING_SHARED_DATA"
        )
    return path


@dataclass(slots=True)
class BuildReport:
    loaded: list[LoadReport] = field(default_factory=list)
    failed: dict[str, str] = field(default_factory=dict)  # list id -> error text

    def to_dict(self) -> dict[str, object]:
        return {
            "loaded": [r.to_dict() for r in self.loaded],
            "failed": dict(self.failed),
        }


def build_store(
    db: str | Path, folder: Path | None = None, list_ids: Sequence[str] | None = None
) -> tuple[ListStore, BuildReport]:
    """Load every configured list (or only ``list_ids``) from its local files into ``db``."""
    folder = folder or shared_data_dir()
    store = ListStore(db)
    report = BuildReport()
    for source in _selected(list_ids):
        try:
            report.loaded.extend(_load_source(store, source, folder))
        except Exception as exc:  # one broken list must not stop the benchmark
            report.failed[source.list_id] = f"{type(exc).__name__}: {exc}"
            print(f"warning: list {source.list_id} not loaded: {exc}", file=sys.stderr)
    return store, report


def _selected(list_ids: Sequence[str] | None) -> Iterable[Source]:
    if list_ids is None:
        return SOURCES
    unknown = set(list_ids) - {s.list_id for s in SOURCES}
    if unknown:
        raise KeyError(f"unknown list ids: {', '.join(sorted(unknown))}")
    return [s for s in SOURCES if s.list_id in list_ids]


def _load_source(store: ListStore, source: Source, folder: Path) -> list[LoadReport]:
    paths = source.local_paths(folder)
    try:
        return load_paths(store, paths, list_id=source.list_id)
    except ImportError:
        # The format registry imports every loader module; while one of them is missing
        # (being written), load through the one module whose SPEC recognises the file.
        return [_load_direct(store, source, paths)]


def _load_direct(store: ListStore, source: Source, paths: Sequence[Path]) -> LoadReport:
    from lists import registry

    head = paths[0].read_bytes()[: 64 * 1024]
    for module_name in registry._FORMAT_MODULES:
        try:
            spec = importlib.import_module(module_name).SPEC
        except ImportError:
            continue
        if spec.sniff(paths[0], head):
            return store_parsed(store, spec.load(paths, source.list_id), paths)
    raise ImportError(f"no importable loader recognises {paths[0]}")


# -- reading the store --------------------------------------------------------------------------

_NAMES_SQL = """
SELECT n.entity_id, s.list_id, e.schema, n.name, n.kind, e.data
FROM entity_names n
JOIN snapshots s ON s.snapshot_id = n.snapshot_id AND s.is_current
JOIN entities e ON e.snapshot_id = n.snapshot_id AND e.entity_id = n.entity_id
ORDER BY s.list_id, n.entity_id, n.name, n.kind
"""


def list_names(store: ListStore) -> pl.DataFrame:
    """Every name of every current entity: entity_id, list_id, schema, name, kind, key, data."""
    rows = store.con.execute(_NAMES_SQL).fetchall()
    frame = pl.DataFrame(
        rows,
        schema={
            "entity_id": pl.Utf8,
            "list_id": pl.Utf8,
            "schema": pl.Utf8,
            "name": pl.Utf8,
            "kind": pl.Utf8,
            "data": pl.Utf8,
        },
        orient="row",
    )
    return frame.with_columns(
        pl.col("name").map_elements(name_key, return_dtype=pl.Utf8).alias("key")
    ).unique(subset=["list_id", "entity_id", "name", "kind"], keep="first", maintain_order=True)


_SPACES = re.compile(r"\s+")


def name_key(name: str) -> str:
    """Case- and space-insensitive form used to decide that two names are the same name."""
    return _SPACES.sub(" ", unicodedata.normalize("NFKC", name).casefold()).strip()


def entity_key(list_id: str, entity_id: str) -> str:
    return f"{list_id}/{entity_id}"


def script_of(text: str) -> str:
    """Latin, Arabic, Cyrillic or other: the script most letters of ``text`` are written in."""
    counts: dict[str, int] = {}
    for ch in text:
        if not ch.isalpha():
            continue
        try:
            word = unicodedata.name(ch).split(" ", 1)[0]
        except ValueError:
            word = "OTHER"
        script = {"LATIN": "Latin", "ARABIC": "Arabic", "CYRILLIC": "Cyrillic"}.get(word, "other")
        counts[script] = counts.get(script, 0) + 1
    if not counts:
        return "other"
    return max(sorted(counts), key=lambda s: counts[s])


# -- the reference screener: exhaustive rapidfuzz token_sort_ratio -----------------------------


def _sorted_tokens(name: str) -> str:
    """token_sort_ratio's preprocessing, done once: fold case, drop punctuation, sort tokens."""
    return " ".join(sorted(default_process(name).split()))


class ReferenceScreener:
    """Every query against every list name with token_sort_ratio; name only, no qualifiers.

    The baseline row of the quality report and the stand-in screener of the benchmark's tests.
    Its threshold (0.85) was fixed before any measurement, not tuned.
    """

    algorithm = "reference-token-sort"
    version = "1"
    default_threshold = 0.85
    chunk_rows = 1000

    def __init__(self, names: pl.DataFrame) -> None:
        prepared = names.select(
            "entity_id",
            "list_id",
            "name",
            pl.col("name").map_elements(_sorted_tokens, return_dtype=pl.Utf8).alias("sorted"),
        ).filter(pl.col("sorted") != "")
        self.names = prepared
        self.choices: list[str] = prepared["sorted"].to_list()

    @classmethod
    def from_store(cls, store: ListStore) -> ReferenceScreener:
        return cls(list_names(store))

    def screen(self, frame: pl.DataFrame, threshold: float | None = None) -> pl.DataFrame:
        cutoff = self.default_threshold if threshold is None else threshold
        queries = [_sorted_tokens(n or "") for n in frame["name"].to_list()]
        parts = [
            self._screen_chunk(queries[start : start + self.chunk_rows], start, cutoff)
            for start in range(0, len(queries), self.chunk_rows)
        ]
        found = pl.concat(parts) if parts else _EMPTY_HITS
        hits = (
            found.join(self.names.with_row_index("col"), on="col")
            .sort(["row", "score", "entity_id"], descending=[False, True, False])
            .unique(subset=["row", "list_id", "entity_id"], keep="first", maintain_order=True)
        )
        return hits.select(
            "row",
            "entity_id",
            "list_id",
            pl.col("name").alias("matched_name"),
            "score",
            pl.format("token_sort_ratio {} with '{}'", pl.col("score").round(3), "name").alias(
                "explanation"
            ),
        )

    def _screen_chunk(self, queries: list[str], offset: int, cutoff: float) -> pl.DataFrame:
        matrix = process.cdist(
            queries,
            self.choices,
            scorer=fuzz.ratio,
            processor=None,
            score_cutoff=cutoff * 100,
            dtype=np.float32,
            workers=-1,
        )
        rows, cols = np.nonzero(matrix >= cutoff * 100)
        return pl.DataFrame(
            {
                "row": (rows + offset).astype(np.int64),
                "col": cols.astype(np.uint32),
                "score": matrix[rows, cols].astype(np.float64) / 100.0,
            }
        )


_EMPTY_HITS = pl.DataFrame(schema={"row": pl.Int64, "col": pl.UInt32, "score": pl.Float64})
