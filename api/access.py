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

A value past half its ``MAX_AGE`` is still served, and read again by a background thread: under
steady traffic no request waits for these queries (each 2 s, one request or more per key paid
2-7 ms of queries, tens of ms beside the recorder's commit on a busy machine). The rules above
are unchanged: a value older than ``MAX_AGE``, or read before a change, is read again by the
request itself.
"""

from __future__ import annotations

import logging
import queue
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass

import duckdb

from api.db import Database
from screening.review.users import KEY_CHANGES, Principal, authenticate_key, key_hash

MAX_AGE = 2.0  # seconds
MAX_KEYS = 4096
_LIST_STATE = ""  # the renewal queue's item for the list state (a key is never empty)
log = logging.getLogger(__name__)

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
    """The cached lookups of one app; ``close`` stops its renewal thread."""

    def __init__(self, database: Database, max_age: float = MAX_AGE) -> None:
        self._database = database
        self._max_age = max_age
        self._lock = threading.Lock()
        self._keys: dict[str, tuple[Principal, Stamp]] = {}
        self._lists: tuple[ListState, Stamp] | None = None
        # Keys (or _LIST_STATE) whose values are to be read again; None stops the thread.
        self._renewals: queue.SimpleQueue[str | None] = queue.SimpleQueue()
        self._queued: set[str] = set()  # digests (or _LIST_STATE) in that queue
        self._renewer: threading.Thread | None = None
        self._closed = False

    def _stamp(self) -> Stamp:
        return self._database.write_lock.generation, KEY_CHANGES.count, time.monotonic()

    def _fresh(self, stamp: Stamp) -> bool:
        now = self._stamp()
        return stamp[:2] == now[:2] and now[2] - stamp[2] < self._max_age

    def _renew_if_aging(self, stamp: Stamp, digest: str, item: str) -> None:
        """Queue a value served past half its age to be read again off the request path."""
        if time.monotonic() - stamp[2] < self._max_age / 2 or digest in self._queued:
            return
        with self._lock:
            if self._closed or digest in self._queued:
                return
            self._queued.add(digest)
            if self._renewer is None:
                self._renewer = threading.Thread(target=self._renew, name="access-renewer",
                                                 daemon=True)
                self._renewer.start()
        self._renewals.put(item)

    def principal(self, connect: Connect, key: str) -> Principal | None:
        """The principal of a valid, unrevoked API key, else None (``connect`` on a miss)."""
        digest = key_hash(key)
        cached = self._keys.get(digest)
        if cached is not None and self._fresh(cached[1]):
            self._renew_if_aging(cached[1], digest, key)
            return cached[0]
        return self._read_principal(connect, key, digest)

    def _read_principal(self, connect: Connect, key: str, digest: str) -> Principal | None:
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
            self._renew_if_aging(cached[1], _LIST_STATE, _LIST_STATE)
            return cached[0]
        return self._read_list_state(connect)

    def _read_list_state(self, connect: Connect) -> ListState:
        stamp = self._stamp()
        state = read_list_state(connect())
        self._lists = (state, stamp)
        return state

    def _renew(self) -> None:
        """The renewal thread: read queued values again, each with a stamp of its own."""
        con = self._database.cursor()
        try:
            while (item := self._renewals.get()) is not None:
                try:
                    if item == _LIST_STATE:
                        self._read_list_state(lambda: con)
                    else:
                        self._read_principal(lambda: con, item, key_hash(item))
                except duckdb.Error:  # the request that finds the value too old reads it
                    log.exception("a cached key or list state could not be read again")
                finally:
                    self._queued.discard(key_hash(item) if item else _LIST_STATE)
        finally:
            con.close()

    def close(self) -> None:
        """Stop the renewal thread (before the store closes)."""
        with self._lock:
            self._closed = True
            renewer = self._renewer
        if renewer is not None:
            self._renewals.put(None)
            renewer.join()
