"""Group commit of ``POST /v1/screen`` records: one writer thread, one transaction per group.

Storing a screening and its hash-chained audit entry used to cost about 9 ms per request
(transaction probes, a sequence query, the chain head query, two INSERTs and a commit, each
DuckDB statement costing 0.2-0.7 ms whatever its size). Here requests hand their record to one
writer thread and wait; the writer takes every record waiting, writes them all with one
multi-row INSERT per table and commits once, then wakes the requests. A request is answered
only after the commit that holds its record and audit entry, so nothing is answered unstored.

The writer keeps the next screening id and the audit chain head in memory between groups. Both
are primary keys, so when another writer of this process appended meanwhile, the INSERT fails,
the group is rolled back, and the writer re-reads them from the store and retries: the chain
never forks and ``screening audit verify`` holds.
"""

from __future__ import annotations

import contextlib
import queue
import threading
import time
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import duckdb

from api.db import Database
from api.errors import Unavailable
from screening.review.audit import NewEntry, append
from screening.review.db import utcnow

MAX_GROUP = 256  # records per transaction
WAIT_SECONDS = 60.0  # a request gives up waiting for its commit after this
_RETRIES = 10  # with back-off from 1 ms: about 0.5 s of waiting at most
_RETRYABLE = (duckdb.TransactionException, duckdb.ConstraintException)


@dataclass(slots=True)
class ScreeningRecord:
    """One row of single_screenings, without its id (given at commit)."""

    actor: str
    kind: str
    request_sha256: str
    parties: int
    hits: int
    max_score: float | None
    threshold: float
    algorithm: str
    algorithm_version: str
    snapshots_json: str
    result_json: str
    created_at: datetime = field(default_factory=utcnow)

    def row(self, screening_id: int) -> list[Any]:
        return [screening_id, self.created_at, self.actor, self.kind, self.request_sha256,
                self.parties, self.hits, self.max_score, self.threshold, self.algorithm,
                self.algorithm_version, self.snapshots_json, self.result_json]

    def audit_entry(self, screening_id: int) -> NewEntry:
        # The hits stay in single_screenings: the audit log is read by supervisors who may
        # lack clearance for a confidential list that was hit.
        return NewEntry(self.actor, "screen.single", f"screening:{screening_id}", None,
                        {"kind": self.kind, "request_sha256": self.request_sha256,
                         "parties": self.parties})


@dataclass(slots=True)
class _Pending:
    record: ScreeningRecord
    done: threading.Event = field(default_factory=threading.Event)
    screening_id: int | None = None
    error: BaseException | None = None


class ScreeningRecorder:
    """The writer thread of one app; ``store`` blocks until the record is committed."""

    def __init__(self, database: Database) -> None:
        self._database = database
        self._queue: queue.SimpleQueue[_Pending | None] = queue.SimpleQueue()
        self._next_id: int | None = None
        self._head: tuple[int, str] | None = None
        self._thread = threading.Thread(target=self._run, name="screening-recorder",
                                        daemon=True)
        self._closed = False
        self._thread.start()

    def store(self, record: ScreeningRecord) -> int:
        """Store one screening and its audit entry; returns the screening id once committed."""
        if self._closed:
            raise Unavailable("the server is shutting down; send the request again")
        pending = _Pending(record)
        self._queue.put(pending)
        if not pending.done.wait(WAIT_SECONDS):
            raise Unavailable("the screening could not be stored in time; send it again")
        if pending.error is not None:
            raise pending.error
        assert pending.screening_id is not None
        return pending.screening_id

    def close(self) -> None:
        """Write what is waiting, then stop the thread."""
        self._closed = True
        self._queue.put(None)
        self._thread.join()

    def _run(self) -> None:
        con = self._database.cursor()
        try:
            while True:
                first = self._queue.get()
                group = [first] if first is not None else []
                stop = first is None
                while len(group) < MAX_GROUP:
                    try:
                        item = self._queue.get_nowait()
                    except queue.Empty:
                        break
                    if item is None:
                        stop = True
                    else:
                        group.append(item)
                if group:
                    self._commit(con, group)
                if stop:
                    return
        finally:
            con.close()
            self._fail_late_arrivals()

    def _fail_late_arrivals(self) -> None:
        """Records queued after ``close`` began are refused rather than left waiting."""
        while True:
            try:
                item = self._queue.get_nowait()
            except queue.Empty:
                return
            if item is not None:
                item.error = Unavailable("the server is shutting down; send the request again")
                item.done.set()

    def _commit(self, con: duckdb.DuckDBPyConnection, group: list[_Pending]) -> None:
        try:
            with self._database.write_lock.quietly():
                ids = self._write(con, [p.record for p in group])
        except BaseException as exc:  # every waiting request gets the error, none hangs
            for pending in group:
                pending.error = exc
                pending.done.set()
            return
        for pending, screening_id in zip(group, ids, strict=True):
            pending.screening_id = screening_id
            pending.done.set()

    def _write(self, con: duckdb.DuckDBPyConnection, records: list[ScreeningRecord]
               ) -> list[int]:
        for attempt in range(_RETRIES):
            try:
                return self._write_once(con, records)
            except _RETRYABLE:
                # Another writer appended (or is appending, uncommitted): re-read after it ends.
                if attempt == _RETRIES - 1:
                    raise
                time.sleep(0.001 * 2**attempt)
        raise AssertionError("unreachable")

    def _write_once(self, con: duckdb.DuckDBPyConnection, records: list[ScreeningRecord]
                    ) -> list[int]:
        con.begin()
        try:
            first = self._next_id if self._next_id is not None else _next_screening_id(con)
            ids = list(range(first, first + len(records)))
            values = ", ".join(["(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"] * len(records))
            con.execute(f"INSERT INTO single_screenings VALUES {values}",  # noqa: S608 (placeholders)
                        [v for r, i in zip(records, ids, strict=True) for v in r.row(i)])
            head = append(con, [r.audit_entry(i) for r, i in zip(records, ids, strict=True)],
                          self._head)
            con.commit()
        except BaseException:
            _rollback(con)
            self._next_id, self._head = None, None
            raise
        self._next_id, self._head = ids[-1] + 1, head
        return ids


def _next_screening_id(con: duckdb.DuckDBPyConnection) -> int:
    row = con.execute("SELECT coalesce(max(screening_id), 0) + 1 FROM single_screenings"
                      ).fetchone()
    assert row is not None
    return int(row[0])


def _rollback(con: duckdb.DuckDBPyConnection) -> None:
    with contextlib.suppress(duckdb.TransactionException):
        con.rollback()  # raises when a failed commit already rolled back
