"""`lists update` end to end against a real local HTTP server serving the real list files."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from lists.ingest import load_paths
from lists.sources import get_source
from lists.store import ListStore
from lists.update import update_source

UN_2026 = "un/consolidated_2026-02-27.xml"
UN_2018 = "un/consolidated_2018-10-29.xml"


class ListServer:
    """Serves named byte payloads; `lie_length` announces more bytes than it sends."""

    def __init__(self) -> None:
        self.routes: dict[str, tuple[int, str, bytes, bool]] = {}
        server = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                status, ctype, body, lie = server.routes.get(
                    self.path, (404, "text/html", b"<html><body>Not found</body></html>", False)
                )
                self.send_response(status)
                self.send_header("Content-Type", ctype)
                self.send_header("Content-Length", str(len(body) * (2 if lie else 1)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, format: str, *args: object) -> None:
                pass

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)

    def url(self, path: str) -> str:
        return f"http://127.0.0.1:{self.httpd.server_address[1]}{path}"

    def serve(self, path: str, body: bytes, *, status: int = 200, lie: bool = False,
              ctype: str = "application/xml") -> str:
        self.routes[path] = (status, ctype, body, lie)
        return self.url(path)


@pytest.fixture
def server() -> Iterator[ListServer]:
    srv = ListServer()
    srv.thread.start()
    yield srv
    srv.httpd.shutdown()
    srv.httpd.server_close()


@pytest.fixture
def store(tmp_path: Path) -> ListStore:
    return ListStore(tmp_path / "store.duckdb")


def point_un_to(monkeypatch: pytest.MonkeyPatch, url: str) -> None:
    monkeypatch.setenv("SCREENING_SOURCE_UN_SC_URL", url)


def test_good_download_becomes_current(
    server: ListServer, store: ListStore, shared_data: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    point_un_to(monkeypatch, server.serve("/un.xml", (shared_data / UN_2026).read_bytes()))
    result = update_source(store, get_source("un_sc"))
    assert (result.status, result.version, result.entities) == ("updated", 1, 1003)
    again = update_source(store, get_source("un_sc"))
    assert (again.status, again.version) == ("unchanged", 1)
    current = store.current("un_sc")
    assert current is not None and current.source.endswith("/un.xml")


@pytest.mark.parametrize(
    ("case", "reason"),
    [
        ("truncated", "malformed XML"),
        ("short-read", "truncated download"),
        ("empty", "empty file"),
        ("html", "HTML page"),
        ("missing", "HTTP Error 404"),
        ("implausible", "plausibility"),
    ],
)
def test_bad_download_keeps_current_snapshot(
    case: str,
    reason: str,
    server: ListServer,
    store: ListStore,
    shared_data: Path,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    load_paths(store, [shared_data / UN_2026])
    good = (shared_data / UN_2026).read_bytes()
    if case == "truncated":
        url = server.serve("/un.xml", good[: len(good) // 2])
    elif case == "short-read":
        url = server.serve("/un.xml", good, lie=True)
    elif case == "empty":
        url = server.serve("/un.xml", b"")
    elif case == "html":
        url = server.serve("/un.xml", b"<!DOCTYPE html><html><body>Maintenance</body></html>",
                           ctype="text/html")
    elif case == "missing":
        url = server.url("/nothing-here.xml")
    else:
        text = good.decode("utf-8")
        head, _, rest = text.partition("<INDIVIDUAL>")
        keep = "<INDIVIDUAL>" + "<INDIVIDUAL>".join(rest.split("<INDIVIDUAL>")[:10])
        tail = "</INDIVIDUAL></INDIVIDUALS></CONSOLIDATED_LIST>"
        small = head + keep.rsplit("</INDIVIDUAL>", 1)[0] + tail
        url = server.serve("/un.xml", small.encode("utf-8"))
    point_un_to(monkeypatch, url)
    result = update_source(store, get_source("un_sc"))
    assert result.status == "refused"
    assert reason in result.detail
    current = store.current("un_sc")
    assert current is not None and current.version == 1 and current.entity_count == 1003
    assert len(store.snapshots("un_sc")) == 1


def test_non_http_url_is_refused(store: ListStore, monkeypatch: pytest.MonkeyPatch) -> None:
    point_un_to(monkeypatch, "file:///etc/passwd")
    result = update_source(store, get_source("un_sc"))
    assert result.status == "refused" and "only http and https" in result.detail


def test_oversized_download_is_refused(
    server: ListServer, store: ListStore, shared_data: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SCREENING_DOWNLOAD_MAX_BYTES", "100000")
    point_un_to(monkeypatch, server.serve("/un.xml", (shared_data / UN_2026).read_bytes()))
    result = update_source(store, get_source("un_sc"))
    assert result.status == "refused" and "100000-byte limit" in result.detail
    assert store.current("un_sc") is None


def test_newer_download_gives_a_delta(
    server: ListServer, store: ListStore, shared_data: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    load_paths(store, [shared_data / UN_2018])
    point_un_to(monkeypatch, server.serve("/un.xml", (shared_data / UN_2026).read_bytes()))
    result = update_source(store, get_source("un_sc"))
    assert (result.status, result.version) == ("updated", 2)
