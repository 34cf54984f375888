"""Screening sidecars (``api.sidecars``): same answers as the worker, same confidentiality,
and the worker screens in process whenever a sidecar cannot."""

from __future__ import annotations

import os
import signal
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient

from api import create_app, shutdown
from api.engine import Engines
from api.sidecars import IdlePool, Job, Sidecars
from tests.api.conftest import serving
from tests.api.helpers import (
    CONFIDENTIAL,
    CONFIDENTIAL_NAME,
    UN_ENTITY,
    UN_NAME,
    Seed,
    bearer,
    server_timing,
)

NAMES = (UN_NAME, CONFIDENTIAL_NAME, "Jean Dupont", "Zawahiri Aiman", "Karim Ouali")


def _app(db: Path, uploads: Path, sidecars: int) -> Flask:
    return create_app({"DB_PATH": db, "TESTING": True, "UPLOAD_DIR": uploads,
                       "SECRET_KEY": "test", "SIDECARS": sidecars})


@pytest.fixture
def side_app(db_path: Path, tmp_path: Path) -> Iterator[Flask]:
    application = _app(db_path, tmp_path / "uploads", 1)
    yield application
    shutdown(application)


def sidecars_of(app: Flask) -> Sidecars:
    engines: Engines = app.extensions["screening.engines"]
    assert engines.sidecars is not None
    return engines.sidecars


def _posted(client: FlaskClient, seed: Seed, person: str, path: str,
            body: dict[str, Any]) -> dict[str, Any]:
    response = client.post(path, json=body, headers=bearer(seed, person))
    assert response.status_code == 200, response.json
    found: dict[str, Any] = response.get_json()
    found.pop("screening_id", None)  # /v1/screen's own record
    return found


def screened(client: FlaskClient, seed: Seed, person: str, name: str) -> dict[str, Any]:
    return _posted(client, seed, person, "/v1/screen", {"name": name})


def matched(client: FlaskClient, seed: Seed, person: str, name: str) -> dict[str, Any]:
    """yente's /match, which screens in a sidecar too."""
    query = {"schema": "Person", "properties": {"name": [name]}}
    return _posted(client, seed, person, "/match/default", {"queries": {"q": query}})


@pytest.mark.parametrize("ask", [screened, matched], ids=["screen", "match"])
def test_sidecar_answers_exactly_like_the_worker(
    side_app: Flask, seed: Seed, tmp_path: Path, ask: Callable[..., dict[str, Any]],
) -> None:
    plain_app = _app(seed.copy_to(tmp_path / "plain"), tmp_path / "plain-uploads", 0)
    try:
        for person in ("bank", "vault"):
            for name in NAMES:
                by_sidecar = ask(side_app.test_client(), seed, person, name)
                in_process = ask(plain_app.test_client(), seed, person, name)
                assert by_sidecar == in_process
                if person == "bank":
                    assert CONFIDENTIAL not in str(by_sidecar)
    finally:
        shutdown(plain_app)
    assert sidecars_of(side_app).answered == 2 * len(NAMES)  # none fell back to the worker


def test_server_timing_tells_the_sidecar_part_apart(side_app: Flask, seed: Seed) -> None:
    """A one-party screening's Server-Timing: its time with the sidecar is inside its total."""
    response = side_app.test_client().post("/v1/screen", json={"name": UN_NAME},
                                           headers=bearer(seed, "bank"))
    assert response.status_code == 200
    took = server_timing(response.headers["Server-Timing"])
    assert took["sidecar"] > 0 and took["wait"] >= 0
    assert took["wait"] + took["sidecar"] <= took["app"]
    assert sidecars_of(side_app).answered == 1


def test_a_client_never_gets_a_confidential_hit_from_a_sidecar(side_app: Flask,
                                                                seed: Seed) -> None:
    client = side_app.test_client()
    hidden = screened(client, seed, "bank", CONFIDENTIAL_NAME)
    assert not any(h["list_id"] == CONFIDENTIAL for h in hidden["hits"])
    assert CONFIDENTIAL not in str(hidden)
    cleared = screened(client, seed, "vault", CONFIDENTIAL_NAME)
    assert [h["list_id"] for h in cleared["hits"]] == [CONFIDENTIAL]
    assert sidecars_of(side_app).answered == 2


def test_a_killed_sidecar_is_replaced_and_no_request_fails(side_app: Flask, seed: Seed) -> None:
    client = side_app.test_client()
    sidecars = sidecars_of(side_app)
    body = screened(client, seed, "bank", UN_NAME)
    assert body["hits"][0]["entity_id"] == UN_ENTITY and sidecars.answered == 1
    [first] = sidecars._all
    assert first.process.pid is not None
    os.kill(first.process.pid, signal.SIGKILL)
    first.process.join(timeout=10)
    assert screened(client, seed, "bank", UN_NAME) == body  # screened in process meanwhile
    assert sidecars.answered == 1
    [second] = sidecars._all
    assert second is not first and second.process.is_alive()
    assert screened(client, seed, "bank", UN_NAME) == body
    assert sidecars.answered == 2


def test_a_hung_sidecar_is_replaced_and_the_request_screened_in_process(side_app: Flask,
                                                                        seed: Seed) -> None:
    client = side_app.test_client()
    sidecars = sidecars_of(side_app)
    body = screened(client, seed, "bank", UN_NAME)
    [hung] = sidecars._all
    assert hung.process.pid is not None
    os.kill(hung.process.pid, signal.SIGSTOP)  # alive, but never answers
    sidecars.answer_seconds = 1.0
    started = time.monotonic()
    assert screened(client, seed, "bank", UN_NAME) == body
    assert time.monotonic() - started < 30
    assert sidecars.answered == 1 and not hung.process.is_alive()
    [fresh] = sidecars._all
    assert fresh is not hung and fresh.process.is_alive()
    sidecars.answer_seconds = 60.0  # its first job reads the index
    assert screened(client, seed, "bank", UN_NAME) == body
    assert sidecars.answered == 2


def test_a_sidecar_dead_before_its_first_answer_is_not_started_again(tmp_path: Path) -> None:
    """Else a sidecar that cannot start (out of memory) would be started for every request."""
    sidecars = Sidecars(1)
    try:
        [first] = sidecars._all
        assert first.process.pid is not None
        os.kill(first.process.pid, signal.SIGKILL)
        first.process.join(timeout=10)
        job = Job(str(tmp_path), (1,), None, [{"name": "Jean Dupont"}], None, None)
        assert sidecars.screen(job) is None  # the caller screens in process
        assert sidecars.count == 0
        started = time.monotonic()
        assert sidecars.screen(job) is None
        assert time.monotonic() - started < 1  # no process started, no wait
    finally:
        sidecars.close()


def test_shutdown_stops_the_sidecars(db_path: Path, tmp_path: Path) -> None:
    application = _app(db_path, tmp_path / "uploads", 2)
    processes = [s.process for s in sidecars_of(application)._all]
    assert all(p.is_alive() for p in processes)
    shutdown(application)
    assert not any(p.is_alive() for p in processes)


def _children(pid: int) -> list[int]:
    return [int(c) for c in Path(f"/proc/{pid}/task/{pid}/children").read_text().split()]


def test_served_with_a_sidecar_whose_worker_is_killed(seed: Seed, tmp_path: Path) -> None:
    from tests.api.test_journal import _answer_after_restart, _screen, _worker_pids

    db = seed.copy_to(tmp_path / "served")
    key = seed.keys["bank"]
    with serving(db, tmp_path, sidecars=1) as server:
        first = _screen(server.base, key, UN_NAME)
        [worker] = _worker_pids(server.process.pid)
        sidecars = _children(worker)
        assert len(sidecars) == 1
        os.kill(worker, signal.SIGKILL)
        deadline = time.monotonic() + 30  # the sidecar reads the end of its pipe and exits
        while any(Path(f"/proc/{p}").exists() for p in sidecars) and time.monotonic() < deadline:
            time.sleep(0.1)
        assert not any(Path(f"/proc/{p}").exists() for p in sidecars)
        assert _answer_after_restart(server.base, key) > first


def test_messages_arrive_whole_whatever_their_size() -> None:
    """A message larger than one recv, or split over several sends, is read whole; a closed
    peer is an EOFError, not an empty message."""
    import socket
    import threading

    from api.sidecars import receive_message, send_message

    ours, theirs = socket.socketpair()
    big = bytes(range(256)) * 1000  # 256 kB: several recv calls
    def send_both() -> None:
        send_message(theirs, big)
        send_message(theirs, b"")

    sender = threading.Thread(target=send_both)
    sender.start()
    assert receive_message(ours) == big
    assert receive_message(ours) == b""
    sender.join()
    length = len(b"split").to_bytes(4, "big")
    theirs.sendall(length[:2])
    threading.Timer(0.05, lambda: theirs.sendall(length[2:] + b"spl")).start()
    threading.Timer(0.1, lambda: theirs.sendall(b"it")).start()
    assert receive_message(ours) == b"split"
    theirs.close()
    with pytest.raises(EOFError):
        receive_message(ours)
    ours.close()


def _taking(pool: IdlePool[str], got: list[str | None], timeout: float) -> threading.Thread:
    """A thread waiting in ``pool`` (it has begun waiting when this returns)."""
    waiting_before = len(pool._waiting)
    thread = threading.Thread(target=lambda: got.append(pool.take(timeout)))
    thread.start()
    deadline = time.monotonic() + 10
    while len(pool._waiting) == waiting_before and time.monotonic() < deadline:
        time.sleep(0.001)
    return thread


def test_idle_sidecars_go_to_the_longest_waiting_request_first() -> None:
    """A sidecar put back is handed to the first waiter, not to whoever asks next."""
    pool: IdlePool[str] = IdlePool()
    first: list[str | None] = []
    second: list[str | None] = []
    first_thread = _taking(pool, first, 10)
    second_thread = _taking(pool, second, 10)
    pool.put("a")
    assert pool.take(0.05) is None  # a request arriving now does not take it from the waiters
    pool.put("b")
    first_thread.join()
    second_thread.join()
    assert (first, second) == (["a"], ["b"])
    pool.put("a")
    assert pool.take(0) == "a"  # none waiting: an idle one at once


def test_a_request_that_waits_in_vain_leaves_no_trace() -> None:
    pool: IdlePool[str] = IdlePool()
    got: list[str | None] = []
    _taking(pool, got, 0.05).join()
    assert got == [None]
    pool.put("a")  # kept for the next request, not handed to the one gone
    assert pool.take(0) == "a"
