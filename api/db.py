"""The DuckDB store of the app: one database handle per process, one cursor per request.

DuckDB allows one writing process per file, so the app opens the file once and hands every
request (and every background job) its own ``cursor()``: a separate connection to the same
database, safe to use from its thread. The cursor lives in ``g`` and is closed on teardown.
Writes made by the API itself are serialised by ``write_lock`` so two of our own threads never
race on the audit chain (DuckDB would make the loser retry). Each release of the write lock
bumps its ``generation``, which the API's caches (``api.access``) compare to know that keys,
users or lists may have changed; the screening records (``api.recorder``) change none of them
and write ``quietly``.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import duckdb
from flask import Flask, current_app, g

from screening.review import ensure_schema

API_DDL = """
CREATE SEQUENCE IF NOT EXISTS single_screening_ids START 1;
CREATE TABLE IF NOT EXISTS single_screenings (
    screening_id BIGINT PRIMARY KEY,
    created_at TIMESTAMP NOT NULL,
    actor VARCHAR NOT NULL,
    kind VARCHAR NOT NULL,
    request_sha256 VARCHAR NOT NULL,
    parties INTEGER NOT NULL,
    hits INTEGER NOT NULL,
    max_score DOUBLE,
    threshold DOUBLE NOT NULL,
    algorithm VARCHAR NOT NULL,
    algorithm_version VARCHAR NOT NULL,
    snapshots JSON NOT NULL,
    result JSON NOT NULL
);
"""
_EXTENSION = "screening.db"


class WriteLock:
    """A re-entrant lock whose every outermost release counts as a change of the store."""

    def __init__(self) -> None:
        self._lock = threading.RLock()
        self._depth = 0
        self.generation = 0

    def __enter__(self) -> WriteLock:
        self._lock.acquire()
        self._depth += 1
        return self

    def __exit__(self, *_exc: object) -> None:
        self._depth -= 1
        if self._depth == 0:
            self.generation += 1  # after the holder's commits: cached reads are now stale
        self._lock.release()

    @contextmanager
    def quietly(self) -> Iterator[None]:
        """Hold the lock for writes that change nothing the caches keep (screening records)."""
        with self._lock:
            yield


class Database:
    """The store file opened once; ``cursor()`` gives a connection for one thread."""

    def __init__(self, path: Path) -> None:
        self.path = path
        path.parent.mkdir(parents=True, exist_ok=True)
        self._root = duckdb.connect(str(path))
        self._lock = threading.Lock()
        self.write_lock = WriteLock()
        ensure_schema(self._root)
        self._root.execute(API_DDL)

    def cursor(self) -> duckdb.DuckDBPyConnection:
        with self._lock:
            return self._root.cursor()

    def close(self) -> None:
        with self._lock:
            self._root.close()


def database() -> Database:
    """The app's Database."""
    found: Database = current_app.extensions[_EXTENSION]
    return found


def get_con() -> duckdb.DuckDBPyConnection:
    """This request's cursor, opened on first use."""
    if "con" not in g:
        g.con = database().cursor()
    con: duckdb.DuckDBPyConnection = g.con
    return con


@contextmanager
def writing() -> Iterator[duckdb.DuckDBPyConnection]:
    """This request's cursor while holding the app's write lock."""
    with database().write_lock:
        yield get_con()


def close_con(_error: BaseException | None = None) -> None:
    con = g.pop("con", None)
    if con is not None:
        con.close()


def init_app(app: Flask, db: Database) -> None:
    app.extensions[_EXTENSION] = db
    app.teardown_appcontext(close_con)
