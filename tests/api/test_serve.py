"""`screening serve` as a real HTTP server (Granian) in a subprocess, called with urllib."""

from __future__ import annotations

import gc
import json
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path
from typing import Any

import duckdb
import pytest

from api import shutdown
from api.server import SWITCH_INTERVAL, _app, _load_app
from benchmarks.api_latency import RawClient, screen_request
from tests.api.helpers import UN_ENTITY, UN_NAME, Seed, error_of


def call(base: str, method: str, path: str, key: str | None = None,
         body: Any = None) -> tuple[int, Any]:
    data = None if body is None else json.dumps(body).encode()
    request = urllib.request.Request(f"{base}{path}", data=data, method=method)  # noqa: S310
    if data is not None:
        request.add_header("Content-Type", "application/json")
    if key is not None:
        request.add_header("Authorization", f"Bearer {key}")
    try:
        with urllib.request.urlopen(request, timeout=30) as response:  # noqa: S310
            return response.status, json.loads(response.read())
    except urllib.error.HTTPError as error:
        return error.code, json.loads(error.read())


@pytest.fixture
def interrupted(served_db: Path) -> str:
    """A batch left 'running' by a crashed server, written before the new server starts."""
    con = duckdb.connect(str(served_db))
    con.execute("INSERT INTO batches (batch_id, created_at, source_name, status, progress) "
                "VALUES ('crashed-batch', now(), 'lost.csv', 'running', 0.4)")
    con.close()
    return "crashed-batch"


def test_served_over_http(interrupted: str, served: str, seed: Seed) -> None:
    assert call(served, "GET", "/healthz") == (200, {"status": "ok"})
    status, ready = call(served, "GET", "/readyz")
    assert status == 200 and ready["lists"] == 2
    status, screened = call(served, "POST", "/v1/screen", seed.keys["bank"], {"name": UN_NAME})
    assert status == 200 and screened["hits"][0]["entity_id"] == UN_ENTITY
    status, matched = call(served, "POST", "/match/default", seed.keys["bank"],
                           {"queries": {"q": {"schema": "Person",
                                              "properties": {"name": [UN_NAME]}}}})
    assert status == 200 and matched["responses"]["q"]["results"][0]["match"] is True
    status, refused = call(served, "POST", "/v1/screen", None, {"name": UN_NAME})
    assert status == 401 and error_of(refused)["code"] == "unauthorized"
    status, recovered = call(served, "GET", f"/v1/batches/{interrupted}", seed.keys["ana"])
    assert (status, recovered["status"], recovered["error"]) == (
        200, "failed", "interrupted: resubmit")


def test_the_worker_hands_the_gil_over_sooner_than_python_does(db_path: Path) -> None:
    """Threads waiting for the GIL in the worker (requests beside the recorder's commit) wait at
    most SWITCH_INTERVAL, not Python's 5 ms."""
    before = sys.getswitchinterval()
    app = _load_app(str(db_path), 0)
    try:
        assert sys.getswitchinterval() == SWITCH_INTERVAL < before
    finally:
        _app.remove(app)
        shutdown(app)
        gc.unfreeze()
        sys.setswitchinterval(before)


def test_the_load_generators_raw_client_reads_granians_answers(served: str, seed: Seed
                                                               ) -> None:
    """``benchmarks.api_latency.RawClient``: statuses, bodies and the server's own time read
    right, several answers in a row on one keep-alive connection."""
    port = int(served.rsplit(":", 1)[1])
    client = RawClient(port)
    try:
        screen = RawClient.encoded(port, seed.keys["bank"], screen_request(UN_NAME))
        first, second = client.send(screen), client.send(screen)
        refused = client.send(RawClient.encoded(port, "not-a-key", screen_request(UN_NAME)))
        after = client.send(screen)
    finally:
        client.close()
    assert [status for status, _ in (first, second, refused, after)] == [200, 200, 401, 200]
    assert all(times["app"] > 0 and set(times) == {"app", "wait", "sidecar"}
               for _, times in (first, second, after))
    assert refused[1] == {}  # Flask answered it: no fast-path timing


def test_batch_over_http(served: str, seed: Seed) -> None:
    records = [{"transaction_id": "h1", "originator_name": UN_NAME}]
    status, queued = call(served, "POST", "/v1/batches", seed.keys["ana"], {"records": records})
    assert status == 202
    deadline = time.monotonic() + 60
    while True:
        _, batch = call(served, "GET", f"/v1/batches/{queued['batch_id']}", seed.keys["ana"])
        if batch["status"] in ("done", "failed") or time.monotonic() > deadline:
            break
        time.sleep(0.2)
    assert (batch["status"], batch["alerts"]) == ("done", 1)
    with urllib.request.urlopen(f"{served}/login", timeout=10) as page:  # noqa: S310
        assert page.headers.get_content_type() == "text/html"
        assert b'name="csrf_token"' in page.read()
