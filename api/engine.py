"""The screeners the app matches with, rebuilt when the current list snapshots change.

Building the index takes about a second; afterwards each request only compares the current
snapshot ids (``api.access.ListState``, cached until the store changes) with the screener's and
reuses it. Lists the caller may not see are filtered out of every result through ``lists_for``.
With sidecars (``api.sidecars``), ``screen_records`` screens in one of them, over the same index
read from its disk cache, and in process when none can.
"""

from __future__ import annotations

import gc
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from api.access import ListState
from api.errors import Invalid, Unavailable
from api.sidecars import Job, Sidecars
from lists.store import ListStore
from screening.algorithms import ALGORITHMS
from screening.api import open_screener
from screening.index import cache_key
from screening.review.errors import NotFound
from screening.review.users import Principal, lists_visible_to
from screening.screener import Screener


def check_algorithm(name: str | None) -> str | None:
    """The algorithm name when it is registered (None: the default)."""
    if name is not None and name not in ALGORITHMS:
        raise Invalid(f"unknown algorithm {name!r}; use one of {', '.join(sorted(ALGORITHMS))}",
                      [{"field": "algorithm", "problem": "unknown"}])
    return name


@dataclass(frozen=True, slots=True)
class Built:
    """A screener, the snapshot ids it covers and its index in the disk cache (None: absent)."""

    snapshot_ids: tuple[int, ...]
    screener: Screener
    index_folder: Path | None
    # What every sidecar job names (the folder, the index's own snapshot ids, the algorithm),
    # worked out once rather than per request.
    job_index: tuple[str, tuple[int, ...], str] | None = None


class Engines:
    """One cached Screener per algorithm over the current snapshots of the store."""

    def __init__(self, db_path: Path, sidecars: Sidecars | None = None) -> None:
        self.db_path = db_path
        self.sidecars = sidecars
        self._lock = threading.Lock()
        self._cache: dict[str | None, Built] = {}

    def get(self, state: ListState, algorithm: str | None = None) -> Screener:
        return self.built(state, algorithm).screener

    def built(self, state: ListState, algorithm: str | None = None) -> Built:
        name = check_algorithm(algorithm)
        key = state.snapshot_ids
        if not key:
            raise Unavailable("no list is loaded yet; an admin loads lists with "
                              "'screening lists load' or POST /v1/lists/refresh")
        cached = self._cache.get(name)
        if cached is not None and cached.snapshot_ids == key:
            return cached
        with self._lock:  # one build at a time; others wait for it rather than repeat it
            cached = self._cache.get(name)
            if cached is None or cached.snapshot_ids != key:
                gc.unfreeze()  # a replaced screener's objects may be collected again
                cached = self._build(key, name)
                self._cache[name] = cached
                settle()
        return cached

    def _build(self, key: tuple[int, ...], name: str | None) -> Built:
        screener = warm(open_screener(self.db_path, name))
        folder = index_folder(self.db_path, screener)
        job_index = None if folder is None else (str(folder), _snapshot_ids(screener),
                                                 screener.algorithm.name)
        built = Built(key, screener, folder, job_index)
        if self.sidecars is not None and folder is not None:
            self.sidecars.load(self._job(built, None, None, None))
        return built

    def screen_records(self, built: Built, rows: list[dict[str, Any]], threshold: float | None,
                       lists: list[str] | None) -> list[dict[str, Any]]:
        """``Screener.screen_records`` (all hits), in a sidecar when there is one."""
        if self.sidecars is not None:
            self.sidecars.times.clear()
        if self.sidecars is not None and built.job_index is not None:
            hits = self.sidecars.screen(self._job(built, rows, threshold, lists))
            if hits is not None:
                return hits
        return built.screener.screen_records(rows, threshold=threshold, limit=None, lists=lists)

    def sidecar_times(self) -> tuple[float, float]:
        """Seconds this thread's last screening waited for an idle sidecar, then spent with it
        (0, 0 when it was screened in process)."""
        if self.sidecars is None:
            return 0.0, 0.0
        times = self.sidecars.times
        return times.waited, times.asked

    @staticmethod
    def _job(built: Built, rows: list[dict[str, Any]] | None, threshold: float | None,
             lists: list[str] | None) -> Job:
        assert built.job_index is not None
        return Job(*built.job_index, rows, threshold, lists)


def index_folder(db_path: Path, screener: Screener) -> Path | None:
    """Where ``open_screener`` cached the screener's index, when it is there."""
    store = ListStore(db_path)
    try:
        snapshots = store.current_snapshots()
    finally:
        store.close()
    folder = Path(str(db_path) + ".index") / cache_key(snapshots)
    same = tuple(sorted(s.snapshot_id for s in snapshots)) == _snapshot_ids(screener)
    return folder if same and (folder / "snapshots.json").exists() else None


def _snapshot_ids(screener: Screener) -> tuple[int, ...]:
    return tuple(sorted(int(str(s["snapshot_id"])) for s in screener.snapshots))


def warm(screener: Screener) -> Screener:
    """The screener with its single-query tables built, so no request waits for them."""
    if screener.fast:
        from screening.single import fast_path

        fast_path(screener)
    return screener


def settle() -> None:
    """Keep the built screeners out of the garbage collector's full passes.

    A full pass over their ~50k long-lived objects takes about 20 ms, which whichever request
    happened to trigger it paid as a latency spike.
    """
    gc.collect()
    gc.freeze()


def lists_for(state: ListState, caller: Principal, dataset: str = "default") -> list[str] | None:
    """The list ids a screening may return: None for all, else the allowed ones.

    ``dataset`` is ``default`` (every list the caller may see) or one list id; an unknown or
    hidden list is NotFound, so confidential lists cannot even be probed by name.
    """
    visible = lists_visible_to(caller, state.known_lists, state.confidential)
    if dataset == "default":
        return None if visible is None else sorted(visible)
    if dataset not in state.current_lists or (visible is not None and dataset not in visible):
        raise NotFound(f"no dataset {dataset!r}; use 'default' or a list id from GET /v1/lists")
    return [dataset]


def visible_snapshots(screener: Screener, allowed: list[str] | None) -> list[dict[str, object]]:
    """The snapshot versions a result was screened against, without hidden lists."""
    return [
        {"list_id": s["list_id"], "version": s["version"]} for s in screener.snapshots
        if allowed is None or s["list_id"] in allowed
    ]
