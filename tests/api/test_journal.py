"""Screenings are answered once journalled: the journal survives a killed server and is
replayed into the store exactly once, with an intact audit chain."""

from __future__ import annotations

import dataclasses
import json
import os
import signal
import threading
import time
import urllib.request
from pathlib import Path

import duckdb
import pytest

from api import recorder as recorder_module
from api.db import Database
from api.errors import Unavailable
from api.journal import Journal
from api.recorder import ScreeningRecord, ScreeningRecorder, journal_line
from screening.review.audit import verify
from tests.api.conftest import serving
from tests.api.helpers import UN_NAME, Seed


def _record(actor: str) -> ScreeningRecord:
    return ScreeningRecord(actor=actor, kind="party", request_sha256="0" * 64, parties=1, hits=0,
                           max_score=None, threshold=0.75, algorithm="tf-default",
                           algorithm_version="2", snapshots_json="[]",
                           result_json=json.dumps({"hits": []}))


def _segments(db: Path) -> list[Path]:
    return sorted(db.parent.glob(db.name + ".screenings.*.jsonl"))


def _stored(con: duckdb.DuckDBPyConnection) -> dict[int, str]:
    return dict(con.execute("SELECT screening_id, actor FROM single_screenings").fetchall())


def test_the_line_store_writes_reads_back_as_the_record() -> None:
    """``store`` encodes the line before the id is known; the replay reads the same record."""
    record = _record("ana")
    record.max_score = 0.91
    record.result_json = json.dumps({"hits": [{"caption": "Élise \"Q\"\n"}]})
    line = journal_line(record.journal_head(), 7)
    assert line.endswith(b"\n") and line.count(b"\n") == 1
    assert json.loads(line) == record.journal_entry(7)
    assert ScreeningRecord.from_journal(json.loads(line)) == (7, record)


def test_leftover_records_are_replayed_once_and_torn_lines_skipped(seed: Seed,
                                                                     tmp_path: Path) -> None:
    db = seed.copy_to(tmp_path / "store")
    database = Database(db)
    journal = Journal(db)  # what a server killed before its commit leaves behind
    journal.append(_record("first").journal_entry(7))
    journal.append(_record("second").journal_entry(8))
    journal.close()
    [segment] = _segments(db)
    with segment.open("ab") as torn:
        torn.write(b'{"screening_id": 9, "act')  # the process died inside write()
    recorder = ScreeningRecorder(database)
    assert not segment.exists()
    assert recorder.store(_record("after")) == 9  # ids continue after the replayed ones
    recorder.close()
    assert _segments(db) == []
    con = database.cursor()
    assert _stored(con) == {7: "first", 8: "second", 9: "after"}
    targets = [r[0] for r in con.execute(
        "SELECT target FROM audit_log WHERE action = 'screen.single' ORDER BY seq").fetchall()]
    assert targets == ["screening:7", "screening:8", "screening:9"]
    assert verify(con).ok
    con.close()
    database.close()


def test_a_record_committed_before_its_segment_was_deleted_is_not_stored_twice(
        seed: Seed, tmp_path: Path) -> None:
    db = seed.copy_to(tmp_path / "store")
    database = Database(db)
    recorder = ScreeningRecorder(database)
    first = recorder.store(_record("committed"))
    recorder.close()
    journal = Journal(db)
    journal.append(_record("committed").journal_entry(first))  # the segment outlived the commit
    journal.append(_record("lost").journal_entry(first + 1))
    journal.close()
    ScreeningRecorder(database).close()
    con = database.cursor()
    assert _stored(con) == {first: "committed", first + 1: "lost"}
    assert verify(con).ok
    con.close()
    database.close()


def test_close_commits_what_waits_and_refuses_more(seed: Seed, tmp_path: Path) -> None:
    db = seed.copy_to(tmp_path / "store")
    database = Database(db)
    recorder = ScreeningRecorder(database)
    ids = [recorder.store(_record(f"r{n}")) for n in range(300)]  # more than one INSERT part
    recorder.close()
    with pytest.raises(Unavailable):
        recorder.store(_record("late"))
    con = database.cursor()
    assert set(_stored(con)) == set(ids) and len(ids) == 300
    assert verify(con).ok
    con.close()
    database.close()
    assert _segments(db) == []


def test_the_writer_checkpoints_the_store_on_one_thread(seed: Seed, tmp_path: Path) -> None:
    """Past ``checkpoint_bytes`` of write-ahead log, the writer checkpoints after its commit (not
    DuckDB inside some later commit), and gives DuckDB its threads back."""
    db = seed.copy_to(tmp_path / "store")
    database = Database(db)
    con = database.cursor()
    con.execute("SET threads = 3")
    wal = db.with_name(db.name + ".wal")
    recorder = ScreeningRecorder(database, checkpoint_bytes=1)
    ids = [recorder.store(_record(f"r{n}")) for n in range(50)]
    recorder.flush()
    deadline = time.monotonic() + 30
    while wal.exists() and wal.stat().st_size > 0 and time.monotonic() < deadline:
        time.sleep(0.05)
    written = wal.stat().st_size if wal.exists() else 0
    recorder.close()
    assert written == 0
    assert con.execute("SELECT current_setting('threads')").fetchone() == (3,)
    assert set(_stored(con)) == set(ids) and verify(con).ok
    con.close()
    database.close()


@pytest.mark.skipif(not hasattr(os, "setpriority"), reason="per-thread nice values: Linux")
def test_checkpoints_run_on_a_thread_of_the_lowest_priority(seed: Seed, tmp_path: Path) -> None:
    """The checkpoint thread gives way to every other thread; the others keep their priority."""
    database = Database(seed.copy_to(tmp_path / "store"))
    recorder = ScreeningRecorder(database)
    try:
        found = [t for t in threading.enumerate() if t.name == "screening-checkpoint"]
        assert len(found) == 1 and found[0].native_id is not None
        assert os.getpriority(os.PRIO_PROCESS, found[0].native_id) == recorder_module.LOWEST_NICE
        ours = os.getpriority(os.PRIO_PROCESS, threading.get_native_id())
        assert ours < recorder_module.LOWEST_NICE
        assert os.getpriority(os.PRIO_PROCESS, recorder._thread.native_id or 0) == ours
    finally:
        recorder.close()
        database.close()
    assert not [t for t in threading.enumerate() if t.name == "screening-checkpoint"]


def test_committed_rows_are_the_records_exactly(seed: Seed, tmp_path: Path) -> None:
    database = Database(seed.copy_to(tmp_path / "store"))
    recorder = ScreeningRecorder(database)
    scored = dataclasses.replace(_record("r1"), max_score=0.9321, hits=3,
                                 result_json=json.dumps({"hits": ["é", 1.5]}))
    records = {recorder.store(record): record for record in (scored, _record("r2"))}
    recorder.close()
    con = database.cursor()
    rows = con.execute("SELECT * FROM single_screenings ORDER BY screening_id").fetchall()
    con.close()
    database.close()
    assert [list(row) for row in rows] == [r.row(i) for i, r in sorted(records.items())]


def test_flush_commits_at_once_rather_than_after_the_gathering(
        seed: Seed, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Groups gather for COMMIT_INTERVAL; an audit read (``flush``) does not wait for that."""
    monkeypatch.setattr(recorder_module, "COMMIT_INTERVAL", 60.0)
    database = Database(seed.copy_to(tmp_path / "store"))
    recorder = ScreeningRecorder(database)
    try:
        first = recorder.store(_record("r1"))
        time.sleep(0.2)  # the writer now gathers for a minute
        second = recorder.store(_record("r2"))
        started = time.monotonic()
        recorder.flush()
        assert time.monotonic() - started < 20
        con = database.cursor()
        assert set(_stored(con)) == {first, second}
        con.close()
    finally:
        recorder.close()
        database.close()


def _screen(base: str, key: str, name: str) -> int:
    request = urllib.request.Request(  # noqa: S310 (loopback)
        f"{base}/v1/screen", data=json.dumps({"name": name}).encode(), method="POST",
        headers={"Authorization": f"Bearer {key}", "Content-Type": "application/json"})
    with urllib.request.urlopen(request, timeout=30) as response:  # noqa: S310
        return int(json.loads(response.read())["screening_id"])


def _worker_pids(pid: int) -> list[int]:
    """The worker processes of a `screening serve` supervisor."""
    children = [int(c) for c in Path(f"/proc/{pid}/task/{pid}/children").read_text().split()]
    # Spawned workers run multiprocessing's spawn_main; its resource tracker is a child too.
    return [c for c in children if b"spawn_main" in Path(f"/proc/{c}/cmdline").read_bytes()]


def _answer_after_restart(base: str, key: str, deadline_seconds: float = 60) -> int:
    deadline = time.monotonic() + deadline_seconds
    while True:
        try:
            return _screen(base, key, UN_NAME)
        except OSError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.3)


def test_screenings_answered_by_a_killed_worker_are_in_the_store(seed: Seed,
                                                                 tmp_path: Path) -> None:
    db = seed.copy_to(tmp_path / "served")
    key = seed.keys["bank"]
    with serving(db, tmp_path) as server:
        answered = [_screen(server.base, key, f"{UN_NAME} {n}") for n in range(40)]
        [worker] = _worker_pids(server.process.pid)
        os.kill(worker, signal.SIGKILL)  # no shutdown: the writer gets no last turn
        # The supervisor starts a new worker, which replays the journal before it serves.
        answered.append(_answer_after_restart(server.base, key))
        assert _worker_pids(server.process.pid) != [worker]
    con = duckdb.connect(str(db))
    stored = set(_stored(con))
    audited = {r[0] for r in con.execute(
        "SELECT target FROM audit_log WHERE action = 'screen.single'").fetchall()}
    result = verify(con)
    con.close()
    assert len(set(answered)) == 41 and set(answered) <= stored
    assert audited == {f"screening:{i}" for i in stored}
    assert result.ok, result.message
    assert _segments(db) == []


def test_a_killed_supervisor_takes_its_worker_down(seed: Seed, tmp_path: Path) -> None:
    db = seed.copy_to(tmp_path / "served")
    key = seed.keys["bank"]
    with serving(db, tmp_path) as server:
        answered = [_screen(server.base, key, UN_NAME)]
        [worker] = _worker_pids(server.process.pid)
        server.process.send_signal(signal.SIGKILL)
        server.process.wait()
        deadline = time.monotonic() + 30
        while Path(f"/proc/{worker}").exists() and time.monotonic() < deadline:
            time.sleep(0.1)
        assert not Path(f"/proc/{worker}").exists()
    with serving(db, tmp_path) as server:  # the port and the store's lock are free again
        answered.append(_screen(server.base, key, UN_NAME))
    con = duckdb.connect(str(db))
    stored = set(_stored(con))
    con.close()
    assert set(answered) <= stored
