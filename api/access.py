"""Per-request lookups kept in memory: API keys, current snapshots, confidential lists.

Every JSON request used to spend about 1.7 ms in three DuckDB queries (the key, the current
snapshot ids, the confidential and known list ids) whose answers almost never change. They are
cached here and dropped as soon as something may have changed them:

- any write made under the app's write lock (``api.db.WriteLock.generation``: list refresh,
  key or user changes through the API...), counted after its commit;
- any key revocation in this process (``screening.review.users.KEY_CHANGES``, bumped before
  and after the revocation's transaction);
- and in any case after ``MAX_AGE`` seconds, which bounds a change made some other way.

While the server runs no other process can write the store (DuckDB locks the file for one
writing process), so these counters see every change. Each cached value remembers the
counters read BEFORE its query, so a change committed while the query ran invalidates it.
Only valid keys are cached (an unknown key is looked up every time).
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from dataclasses import dataclass

import duckdb

from api.db import Database
from screening.review.users import KEY_CHANGES, Principal, authenticate_key, key_hash

MAX_AGE = 2.0  # seconds
MAX_KEYS = 4096

Stamp = tuple[int, int, float]  # write generation, key changes, monotonic time
Connect = Callable[[], duckdb.DuckDBPyConnection]  # a request opens its cursor only on a miss


@dataclass(frozen=True, slots=True)
class ListState:
    """What the store holds now: current snapshots and which lists exist and are confidential."""

    snapshot_ids: tuple[int, ...]
    current_lists: frozenset[str]  # list ids with a current snapshot
    known_lists: frozenset[str]  # every list id in list_info
    confidential: frozenset[str]


_LIST_STATE_SQL = """
SELECT
    (SELECT list(snapshot_id ORDER BY snapshot_id) FROM snapshots WHERE is_current),
    (SELECT list(DISTINCT list_id) FROM snapshots WHERE is_current),
    (SELECT list(list_id) FROM list_info),
    (SELECT list(list_id) FROM list_info WHERE confidential)
"""


def read_list_state(con: duckdb.DuckDBPyConnection) -> ListState:
    """The list state in one query."""
    row = con.execute(_LIST_STATE_SQL).fetchone()
    assert row is not None
    ids, current, known, confidential = (value or [] for value in row)
    return ListState(tuple(int(i) for i in ids), frozenset(map(str, current)),
                     frozenset(map(str, known)), frozenset(map(str, confidential)))


class Access:
    """The cached lookups of one app."""

    def __init__(self, database: Database, max_age: float = MAX_AGE) -> None:
        self._database = database
        self._max_age = max_age
        self._lock = threading.Lock()
        self._keys: dict[str, tuple[Principal, Stamp]] = {}
        self._lists: tuple[ListState, Stamp] | None = None

    def _stamp(self) -> Stamp:
        return self._database.write_lock.generation, KEY_CHANGES.count, time.monotonic()

    def _fresh(self, stamp: Stamp) -> bool:
        now = self._stamp()
        return stamp[:2] == now[:2] and now[2] - stamp[2] < self._max_age

    def principal(self, connect: Connect, key: str) -> Principal | None:
        """The principal of a valid, unrevoked API key, else None (``connect`` on a miss)."""
        digest = key_hash(key)
        cached = self._keys.get(digest)
        if cached is not None and self._fresh(cached[1]):
            return cached[0]
        stamp = self._stamp()
        found = authenticate_key(connect(), key)
        with self._lock:
            if found is None:
                self._keys.pop(digest, None)
            else:
                if len(self._keys) >= MAX_KEYS:
                    self._keys.clear()
                self._keys[digest] = (found, stamp)
        return found

    def list_state(self, connect: Connect) -> ListState:
        """The current snapshots and list ids (``connect`` on a miss)."""
        cached = self._lists
        if cached is not None and self._fresh(cached[1]):
            return cached[0]
        stamp = self._stamp()
        state = read_list_state(connect())
        self._lists = (state, stamp)
        return state
