"""Fixtures of the API tests: a seeded store copied per test, the app and its test client."""

from __future__ import annotations

import os
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient

from api import create_app, shutdown
from api.jobs import BatchJobs
from tests.api.helpers import Seed, bearer, build_seed


@pytest.fixture(scope="session")
def seed(tmp_path_factory: pytest.TempPathFactory, shared_data: Path) -> Seed:
    return build_seed(tmp_path_factory.mktemp("seed") / "store", shared_data)


@pytest.fixture
def db_path(seed: Seed, tmp_path: Path) -> Path:
    return seed.copy_to(tmp_path / "store")


@pytest.fixture
def app(db_path: Path, tmp_path: Path) -> Iterator[Flask]:
    application = create_app({"DB_PATH": db_path, "TESTING": True,
                              "UPLOAD_DIR": tmp_path / "uploads", "SECRET_KEY": "test"})
    yield application
    shutdown(application)


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    return app.test_client()


class Api:
    """The test client with an API key per person: ``api.post('ana', url, json=...)``."""

    def __init__(self, client: FlaskClient, seed: Seed, app: Flask) -> None:
        self.client, self.seed, self.app = client, seed, app

    def _call(self, method: str, person: str | None, url: str, **kwargs: Any) -> Any:
        headers = dict(kwargs.pop("headers", {}))
        if person is not None:
            headers.update(bearer(self.seed, person))
        return self.client.open(url, method=method, headers=headers, **kwargs)

    def get(self, person: str | None, url: str, **kwargs: Any) -> Any:
        return self._call("GET", person, url, **kwargs)

    def post(self, person: str | None, url: str, **kwargs: Any) -> Any:
        return self._call("POST", person, url, **kwargs)

    def batch(self, person: str, records: list[dict[str, Any]], **extra: Any) -> str:
        """Submit JSON records and wait until the batch is screened; returns its id."""
        response = self.post(person, "/v1/batches", json={"records": records, **extra})
        assert response.status_code == 202, response.json
        batch_id = str(response.json["batch_id"])
        jobs: BatchJobs = self.app.extensions["screening.jobs"]
        jobs.wait(batch_id, timeout=60)
        return batch_id


@pytest.fixture
def api(client: FlaskClient, seed: Seed, app: Flask) -> Api:
    return Api(client, seed, app)


def free_port() -> int:
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
    return port


@pytest.fixture
def served_db(seed: Seed, tmp_path: Path) -> Path:
    """A private store for a server subprocess (this process never opens it)."""
    return seed.copy_to(tmp_path / "served")


@dataclass
class Server:
    """A `screening serve` subprocess and its base URL."""

    base: str
    process: subprocess.Popen[bytes]


@contextmanager
def serving(db: Path, folder: Path, sidecars: int = 0) -> Iterator[Server]:
    """`screening serve` over ``db`` on a free loopback port until the block ends."""
    port = free_port()
    command = [str(Path(sys.executable).parent / "screening"), "--db", str(db), "serve",
               "--host", "127.0.0.1", "--port", str(port), "--threads", "4",
               "--sidecars", str(sidecars)]
    log_path = folder / f"serve-{port}.log"
    log = log_path.open("wb")
    env = {**os.environ, "PYTHONUNBUFFERED": "1", "TMPDIR": str(folder)}
    process = subprocess.Popen(command, stdout=log, stderr=subprocess.STDOUT, env=env)
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                with urllib.request.urlopen(f"{base}/healthz", timeout=2) as response:  # noqa: S310
                    if response.status == 200:
                        break
            except OSError:
                if process.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError(f"server did not start: {log_path.read_text()}") from None
                time.sleep(0.2)
        yield Server(base, process)
    finally:
        process.terminate()
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        log.close()


@pytest.fixture
def served(served_db: Path, tmp_path: Path) -> Iterator[str]:
    """`screening serve` running as a subprocess on a free loopback port; yields its base URL."""
    with serving(served_db, tmp_path) as server:
        yield server.base
