"""Screening records of ``POST /v1/screen``: journalled at once, committed in groups.

``store`` gives the record its id, appends it to the journal (``api.journal``) and returns: the
request is answered without waiting for a DuckDB commit. One writer thread takes every record
waiting, writes them with one multi-row INSERT per table (the screening and its hash-chained
audit entry) and commits once; then it deletes the journal segment that held them. A server
killed before that commit replays the journal into the store when it starts again, so an
answered screening is never lost, and ``screening audit verify`` holds.

DuckDB moves its write-ahead log into the store file (a checkpoint) inside whichever commit takes
the log past ``checkpoint_threshold`` (16 MB): at 500 screenings a second, one of the writer's
commits every ~10 s (a group of 250 adds ~0.8 MB). Measured apart (groups of 250 into a store of
154k screenings), a checkpoint cost 30-460 ms of CPU, nearly all of it on DuckDB's own threads,
which can take both cores from the sidecars for that long. The writer checkpoints on its own
before that (``CHECKPOINT_WAL_BYTES``), with DuckDB on one thread meanwhile (the checkpoint then
runs in one thread alone): the other core keeps screening. That thread (``Checkpointer``) runs at
the lowest CPU priority (nice 19), so the sidecars and request threads preempt it as soon as they
want a core; the writer waits for it, as it waited for its own checkpoint before. DuckDB releases
the GIL while it checkpoints, so the low priority never holds up a request thread.

The writer keeps the audit chain head in memory between groups. The chain's seq is a primary
key, so when another writer of this process appended meanwhile, the INSERT fails, the group is
rolled back, and the writer re-reads the head from the store and retries: the chain never forks.
A group that still fails stays in the journal and is tried again.
"""

from __future__ import annotations

import contextlib
import dataclasses
import json
import logging
import os
import queue
import sys
import threading
import time
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

import duckdb
import pyarrow as pa
from flask import current_app

from api.db import Database
from api.errors import Unavailable
from api.journal import Journal
from screening.review.audit import NewEntry, append
from screening.review.db import utcnow

MAX_PART = 1024  # records per INSERT and transaction
# The writer commits at most this often: a group's INSERTs and commit cost ~5 ms of CPU whatever
# its size, against ~0.06 ms per record, so records are gathered into groups (at 500 screenings
# a second, that fixed part is ~0.05 ms a record with 0.2 s groups, ~0.02 ms with 0.5 s).
# Nothing waits for it: answers wait for the journal only, and ``flush`` (before an audit read)
# cuts the gathering short.
COMMIT_INTERVAL = 0.5
WAIT_SECONDS = 60.0  # ``flush`` gives up after this
_RETRIES = 10  # with back-off from 1 ms: about 0.5 s of waiting at most
_RETRYABLE = (duckdb.TransactionException, duckdb.ConstraintException)
_FAILED_GROUP_PAUSE = 1.0  # seconds before a group that failed all its retries is tried again
# The writer checkpoints once the write-ahead log is this big: half DuckDB's own threshold, so
# that a commit (ours or another writer's) rarely reaches that one.
CHECKPOINT_WAL_BYTES = 8 * 1024 * 1024
LOWEST_NICE = 19  # the checkpoint thread's priority (Linux: a nice value per thread)
log = logging.getLogger(__name__)


@dataclass(slots=True)
class ScreeningRecord:
    """One row of single_screenings, without its id (given by ``store``)."""

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

    def journal_entry(self, screening_id: int) -> dict[str, Any]:
        entry = {name: getattr(self, name) for name in _FIELDS}
        return {**entry, "screening_id": screening_id, "created_at": self.created_at.isoformat()}

    def journal_head(self) -> str:
        """The journal line without its screening id: a JSON object missing its last member
        (encoded before the id is given, outside the recorder's lock)."""
        entry = {name: getattr(self, name) for name in _FIELDS}
        entry["created_at"] = self.created_at.isoformat()
        return _JOURNAL_ENCODER.encode(entry)[:-1]

    @classmethod
    def from_journal(cls, entry: dict[str, Any]) -> tuple[int, ScreeningRecord]:
        fields = {k: v for k, v in entry.items() if k != "screening_id"}
        fields["created_at"] = datetime.fromisoformat(fields["created_at"])
        return int(entry["screening_id"]), cls(**fields)


_FIELDS = tuple(f.name for f in dataclasses.fields(ScreeningRecord))
_JOURNAL_ENCODER = json.JSONEncoder(separators=(",", ":"))  # made once: dumps makes one a call


def journal_line(head: str, screening_id: int) -> bytes:
    """The journal line of a record: its ``journal_head`` completed with the id."""
    return f'{head},"screening_id":{screening_id}}}\n'.encode()


Group = list[tuple[int, ScreeningRecord]]
# single_screenings' columns in order (the JSON ones as text). Inserted from Arrow: DuckDB's
# conversion of list parameters (``insert_many``) cost the writer twice the CPU per record.
_ARROW_TYPES = (pa.int64(), pa.timestamp("us"), pa.string(), pa.string(), pa.string(), pa.int32(),
                pa.int32(), pa.float64(), pa.float64(), pa.string(), pa.string(), pa.string(),
                pa.string())


class ScreeningRecorder:
    """The journal and writer thread of one app; ``store`` returns the new screening id."""

    def __init__(self, database: Database, checkpoint_bytes: int = CHECKPOINT_WAL_BYTES
                 ) -> None:
        self._database = database
        self._checkpoint_bytes = checkpoint_bytes
        self._wal = database.path.with_name(database.path.name + ".wal")
        self._checkpointer = Checkpointer(database)
        self._journal = Journal(database.path)
        self._head: tuple[int, str] | None = None
        self._replay()
        con = database.cursor()
        try:
            self._next_id = _next_screening_id(con)
        finally:
            con.close()
        self._lock = threading.Condition()
        self._pending: Group = []
        self._hurry = False  # a ``flush`` waits: commit what is gathered now
        self._committed_through = self._next_id - 1
        self._committed = threading.Condition()
        self._closed = False
        self._thread = threading.Thread(target=self._run, name="screening-recorder",
                                        daemon=True)
        self._thread.start()

    def store(self, record: ScreeningRecord) -> int:
        """Journal one screening; returns its id (committed to the store within COMMIT_INTERVAL)."""
        head = record.journal_head()
        with self._lock:  # the id, the journal line and the group agree (see ``_run``)
            if self._closed:
                raise Unavailable("the server is shutting down; send the request again")
            screening_id = self._next_id
            self._next_id += 1
            self._journal.append_line(journal_line(head, screening_id))
            self._pending.append((screening_id, record))
            if len(self._pending) == 1:
                # Only the first record wakes the writer: it then gathers for COMMIT_INTERVAL,
                # and a wake-up per record would cost every request a thread switch.
                self._lock.notify()
        return screening_id

    def flush(self, timeout: float = WAIT_SECONDS) -> None:
        """Wait until every screening stored so far is committed."""
        with self._lock:
            last = self._next_id - 1
            if self._committed_through < last:
                self._hurry = True
                self._lock.notify()
        with self._committed:
            if not self._committed.wait_for(lambda: self._committed_through >= last, timeout):
                raise Unavailable("screening records are not committed yet; try again")

    def close(self) -> None:
        """Commit what is waiting, then stop the thread."""
        with self._lock:
            self._closed = True
            self._lock.notify()
        self._thread.join()
        self._checkpointer.close()
        self._journal.close()

    def _replay(self) -> None:
        """Commit what a server stopped before its commit left in the journal."""
        leftovers = self._journal.leftovers()
        if leftovers.torn_lines:
            log.warning("%d torn screening journal line(s) skipped (requests never answered)",
                        leftovers.torn_lines)
        if not leftovers.segments:
            return
        group = [ScreeningRecord.from_journal(e) for e in leftovers.records]
        con = self._database.cursor()
        try:
            stored = {int(r[0]) for r in con.execute(
                "SELECT screening_id FROM single_screenings WHERE screening_id >= ?",
                [min((i for i, _ in group), default=0)]).fetchall()}
            missing = [(i, r) for i, r in group if i not in stored]
            for part in _parts(missing):
                with self._database.write_lock.quietly():
                    self._write(con, part)
            if missing:
                log.warning("%d screening record(s) replayed from the journal", len(missing))
        finally:
            con.close()
        for segment in leftovers.segments:
            segment.unlink()

    def _run(self) -> None:
        con = self._database.cursor()
        written: list[Path] = []  # segments whose records are all committed with this group
        try:
            while True:
                with self._lock:
                    self._lock.wait_for(lambda: bool(self._pending) or self._closed)
                    # Gather a group; closing or a flush cuts the wait short.
                    self._lock.wait_for(lambda: self._closed or self._hurry, COMMIT_INTERVAL)
                    self._hurry = False
                    group, self._pending = self._pending, []
                    stop = self._closed
                    if group:
                        written.append(self._journal.rotate())
                left = self._commit(con, group)
                if left:
                    if stop:
                        return  # still in the journal: replayed at the next start
                    time.sleep(_FAILED_GROUP_PAUSE)
                    with self._lock:
                        self._pending = left + self._pending
                    continue
                for segment in written:
                    segment.unlink(missing_ok=True)
                written.clear()
                if stop:
                    return
                self._checkpoint_if_due()
        finally:
            con.close()

    def _checkpoint_if_due(self) -> None:
        """Checkpoint the store once the write-ahead log is big enough (and wait for it)."""
        try:
            if self._wal.stat().st_size < self._checkpoint_bytes:
                return
        except FileNotFoundError:
            return
        self._checkpointer.checkpoint()

    def _commit(self, con: duckdb.DuckDBPyConnection, group: Group) -> Group:
        """Commit the group in parts; returns the part not committed (logged), else []."""
        done = 0
        for part in _parts(group):
            try:
                with self._database.write_lock.quietly():
                    self._write(con, part)
            except Exception:
                log.exception("%d screening record(s) not committed yet; they stay in the "
                              "journal", len(group) - done)
                return group[done:]
            done += len(part)
            with self._committed:
                self._committed_through = part[-1][0]
                self._committed.notify_all()
        return []

    def _write(self, con: duckdb.DuckDBPyConnection, group: Group) -> None:
        for attempt in range(_RETRIES):
            try:
                self._write_once(con, group)
                return
            except _RETRYABLE:
                # Another writer appended (or is appending, uncommitted): re-read after it ends.
                if attempt == _RETRIES - 1:
                    raise
                time.sleep(0.001 * 2**attempt)

    def _write_once(self, con: duckdb.DuckDBPyConnection, group: Group) -> None:
        con.begin()
        try:
            _insert_screenings(con, group)
            head = append(con, [r.audit_entry(i) for i, r in group], self._head)
            con.commit()
        except BaseException:
            _rollback(con)
            self._head = None
            raise
        self._head = head


class Checkpointer:
    """A thread at the lowest CPU priority that checkpoints the store when asked.

    The checkpoint runs with DuckDB on one thread, so all of its work is on this thread: at
    nice 19 the sidecars and request threads take the cores whenever they want them, and the
    checkpoint has what they leave (at 500 screenings a second, most of a core).
    """

    def __init__(self, database: Database) -> None:
        self._database = database
        self._asked: queue.SimpleQueue[threading.Event | None] = queue.SimpleQueue()
        ready = threading.Event()  # set once the thread has lowered its priority
        self._thread = threading.Thread(target=self._run, args=(ready,),
                                        name="screening-checkpoint", daemon=True)
        self._thread.start()
        ready.wait()

    def checkpoint(self) -> None:
        """Checkpoint now, on the low-priority thread; returns when it is done (or failed)."""
        done = threading.Event()
        self._asked.put(done)
        done.wait()

    def close(self) -> None:
        self._asked.put(None)
        self._thread.join()

    def _run(self, ready: threading.Event) -> None:
        lower_own_priority()
        ready.set()
        con = self._database.cursor()
        try:
            while (done := self._asked.get()) is not None:
                try:
                    checkpoint_on_one_thread(con)
                except Exception:  # the thread lives on: the writer waits on it
                    log.exception("the store could not be checkpointed now")
                finally:
                    done.set()
        finally:
            con.close()


def lower_own_priority() -> None:
    """The calling thread at the lowest CPU priority (Linux nice values are per thread)."""
    if sys.platform != "linux":
        return
    try:
        os.setpriority(os.PRIO_PROCESS, 0, LOWEST_NICE)  # 0: the calling thread
    except OSError:
        log.warning("the checkpoint thread keeps its CPU priority", exc_info=True)


def checkpoint_on_one_thread(con: duckdb.DuckDBPyConnection) -> None:
    """CHECKPOINT with DuckDB on one thread (the caller's); failures are logged, not raised."""
    try:
        row = con.execute("SELECT current_setting('threads')").fetchone()
        assert row is not None
        threads = int(row[0])
        # ``threads`` is the database's, not this cursor's: queries of other threads run on
        # one thread too meanwhile (the API's own are small; the screening is elsewhere).
        con.execute("SET threads = 1")
        try:
            con.execute("CHECKPOINT")
        finally:
            con.execute(f"SET threads = {threads}")
    except duckdb.Error:  # DuckDB's own checkpoint at its threshold remains
        log.warning("the store could not be checkpointed now", exc_info=True)


def _insert_screenings(con: duckdb.DuckDBPyConnection, group: Group) -> None:
    """The group's single_screenings rows, in the caller's transaction."""
    if not group:
        return
    columns = zip(*(record.row(screening_id) for screening_id, record in group), strict=True)
    table = pa.Table.from_arrays(
        [pa.array(column, type=kind) for column, kind in zip(columns, _ARROW_TYPES, strict=True)],
        names=[f"c{n}" for n in range(len(_ARROW_TYPES))])
    con.from_arrow(table).insert_into("single_screenings")


def _parts(group: Group) -> list[Group]:
    """The group in slices of at most MAX_PART records, one transaction each."""
    return [group[start:start + MAX_PART] for start in range(0, len(group), MAX_PART)]


def app_recorder() -> ScreeningRecorder:
    """The recorder of the current app."""
    found: ScreeningRecorder = current_app.extensions["screening.recorder"]
    return found


def flush_screenings() -> None:
    """Before reading the audit log: wait until every answered screening is committed."""
    app_recorder().flush()


def _next_screening_id(con: duckdb.DuckDBPyConnection) -> int:
    row = con.execute("SELECT coalesce(max(screening_id), 0) + 1 FROM single_screenings"
                      ).fetchone()
    assert row is not None
    return int(row[0])


def _rollback(con: duckdb.DuckDBPyConnection) -> None:
    with contextlib.suppress(duckdb.TransactionException):
        con.rollback()  # raises when a failed commit already rolled back
