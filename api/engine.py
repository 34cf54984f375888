"""The screeners the app matches with, rebuilt when the current list snapshots change.

Building the index takes about a second; afterwards each request only checks which snapshots
are current (one small query) and reuses the screener. Lists the caller may not see are
filtered out of every result through ``lists_for``.
"""

from __future__ import annotations

import threading
from pathlib import Path

import duckdb

from api.errors import Invalid, Unavailable
from screening.algorithms import ALGORITHMS
from screening.api import open_screener
from screening.review.errors import NotFound
from screening.review.users import Principal, visible_lists
from screening.screener import Screener


def current_snapshot_ids(con: duckdb.DuckDBPyConnection) -> tuple[int, ...]:
    rows = con.execute(
        "SELECT snapshot_id FROM snapshots WHERE is_current ORDER BY snapshot_id"
    ).fetchall()
    return tuple(int(r[0]) for r in rows)


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

    def get(self, con: duckdb.DuckDBPyConnection, algorithm: str | None = None) -> Screener:
        name = check_algorithm(algorithm)
        key = current_snapshot_ids(con)
        if not key:
            raise Unavailable("no list is loaded yet; an admin loads lists with "
                              "'screening lists load' or POST /v1/lists/refresh")
        cached = self._cache.get(name)
        if cached is not None and cached[0] == key:
            return cached[1]
        with self._lock:  # one build at a time; others wait for it rather than repeat it
            cached = self._cache.get(name)
            if cached is None or cached[0] != key:
                cached = (key, open_screener(self.db_path, name))
                self._cache[name] = cached
        return cached[1]


def current_lists(con: duckdb.DuckDBPyConnection) -> list[str]:
    rows = con.execute(
        "SELECT list_id FROM snapshots WHERE is_current ORDER BY list_id"
    ).fetchall()
    return [str(r[0]) for r in rows]


def lists_for(con: duckdb.DuckDBPyConnection, caller: Principal,
              dataset: str = "default") -> list[str] | None:
    """The list ids a screening may return: None for all, else the allowed ones.

    ``dataset`` is ``default`` (every list the caller may see) or one list id; an unknown or
    hidden list is NotFound, so confidential lists cannot even be probed by name.
    """
    visible = visible_lists(caller, con)
    if dataset == "default":
        return None if visible is None else sorted(visible)
    if dataset not in current_lists(con) or (visible is not None and dataset not in visible):
        raise NotFound(f"no dataset {dataset!r}; use 'default' or a list id from GET /v1/lists")
    return [dataset]


def visible_snapshots(screener: Screener, allowed: list[str] | None) -> list[dict[str, object]]:
    """The snapshot versions a result was screened against, without hidden lists."""
    return [
        {"list_id": s["list_id"], "version": s["version"]} for s in screener.snapshots
        if allowed is None or s["list_id"] in allowed
    ]
