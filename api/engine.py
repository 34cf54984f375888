"""The screeners the app matches with, rebuilt when the current list snapshots change.

Building the index takes about a second; afterwards each request only compares the current
snapshot ids (``api.access.ListState``, cached until the store changes) with the screener's and
reuses it. Lists the caller may not see are filtered out of every result through ``lists_for``.
"""

from __future__ import annotations

import gc
import threading
from pathlib import Path

from api.access import ListState
from api.errors import Invalid, Unavailable
from screening.algorithms import ALGORITHMS
from screening.api import open_screener
from screening.review.errors import NotFound
from screening.review.users import Principal, lists_visible_to
from screening.screener import Screener


def check_algorithm(name: str | None) -> str | None:
    """The algorithm name when it is registered (None: the default)."""
    if name is not None and name not in ALGORITHMS:
        raise Invalid(f"unknown algorithm {name!r}; use one of {', '.join(sorted(ALGORITHMS))}",
                      [{"field": "algorithm", "problem": "unknown"}])
    return name


class Engines:
    """One cached Screener per algorithm over the current snapshots of the store."""

    def __init__(self, db_path: Path) -> None:
        self.db_path = db_path
        self._lock = threading.Lock()
        self._cache: dict[str | None, tuple[tuple[int, ...], Screener]] = {}

    def get(self, state: ListState, algorithm: str | None = None) -> Screener:
        name = check_algorithm(algorithm)
        key = state.snapshot_ids
        if not key:
            raise Unavailable("no list is loaded yet; an admin loads lists with "
                              "'screening lists load' or POST /v1/lists/refresh")
        cached = self._cache.get(name)
        if cached is not None and cached[0] == key:
            return cached[1]
        with self._lock:  # one build at a time; others wait for it rather than repeat it
            cached = self._cache.get(name)
            if cached is None or cached[0] != key:
                gc.unfreeze()  # a replaced screener's objects may be collected again
                cached = (key, _warm(open_screener(self.db_path, name)))
                self._cache[name] = cached
                _settle()
        return cached[1]


def _warm(screener: Screener) -> Screener:
    """The screener with its single-query tables built, so no request waits for them."""
    if screener.fast:
        from screening.single import fast_path

        fast_path(screener)
    return screener


def _settle() -> None:
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
