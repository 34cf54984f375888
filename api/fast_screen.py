"""``POST /v1/screen`` of one JSON party, answered beside Flask rather than through it.

Under sustained load, Flask's and werkzeug's per-request machinery (request and app contexts,
URL matching, the session, the request and response objects, the context-local proxies) took
about a third of the worker's CPU per screening request. This WSGI middleware answers the
common case itself: ``POST /v1/screen`` with a JSON body of a declared length within the
limits, an ``Authorization`` header, no query string and no cookie. It runs the same steps as
the view (``api.json_screening.screen``) through the same functions: the key checked
(``api.auth.bearer_principal``, cached by ``api.access``) for the route's permission, the party
validated, screened on the lists the caller may see (``api.single.screened``), journalled
before the answer (``api.recorder``), the same body returned.

Every other request goes to Flask untouched. So does any request this path would refuse (no
valid key, a missing permission, an invalid body, no list loaded, a server shutting down...),
with the body it already read: Flask then answers exactly as it would have, errors included.
Nothing is journalled before that hand-over, so a request is never recorded twice.
"""

from __future__ import annotations

import io
import json
import time
from collections.abc import Callable, Iterable
from typing import Any

import duckdb
from flask import Flask

from api.access import Access
from api.auth import bearer_principal
from api.db import Database
from api.engine import Engines
from api.recorder import ScreeningRecord, ScreeningRecorder
from api.single import DEFAULT_LIMIT, answer_body, media_type, party_from_json, screened
from screening.review.users import Permission

PATH = "/v1/screen"
Environ = dict[str, Any]
StartResponse = Callable[..., Any]
WsgiApp = Callable[[Environ, StartResponse], Iterable[bytes]]


class _Cursors:
    """The cursors opened for one request (only on a cache miss), closed when it ends."""

    def __init__(self, database: Database) -> None:
        self._database = database
        self._opened: list[duckdb.DuckDBPyConnection] = []

    def connect(self) -> duckdb.DuckDBPyConnection:
        if not self._opened:
            self._opened.append(self._database.cursor())
        return self._opened[0]

    def close(self) -> None:
        for con in self._opened:
            con.close()


class ScreenFastPath:
    """The app's WSGI callable: one-party screenings here, everything else through Flask."""

    def __init__(self, app: Flask, flask_app: WsgiApp, permission: Permission) -> None:
        self._app = app
        self._flask = flask_app
        self._permission = permission
        self.answered = 0  # requests answered here (the rest went to Flask)

    def __call__(self, environ: Environ, start_response: StartResponse) -> Iterable[bytes]:
        started = time.perf_counter()
        length = self._body_length(environ)
        if length is None:
            return self._flask(environ, start_response)
        raw: bytes = environ["wsgi.input"].read(length)
        body = self._answer(environ, raw)
        if body is None:
            environ["wsgi.input"] = io.BytesIO(raw)  # Flask reads the same body again
            return self._flask(environ, start_response)
        self.answered += 1
        timing = self._timing(time.perf_counter() - started)
        start_response("200 OK", [("Content-Type", "application/json"),
                                  ("Content-Length", str(len(body))), ("Server-Timing", timing)])
        return [body]  # a list: Granian sends it in one piece, without iterating

    def _timing(self, took: float) -> str:
        """The Server-Timing header: the time spent here (``app``), and of it the wait for an
        idle sidecar and the time with it, so that load tests can tell where a slow answer
        waited. Milliseconds; both parts are 0 when the party was screened in this process."""
        times = self._engines().sidecar_times()
        return (f"app;dur={took * 1000:.2f}, wait;dur={times[0] * 1000:.2f}, "
                f"sidecar;dur={times[1] * 1000:.2f}")

    def _engines(self) -> Engines:
        engines: Engines = self._app.extensions["screening.engines"]
        return engines

    def _body_length(self, environ: Environ) -> int | None:
        """The body's length when this path takes the request, else None (Flask takes it)."""
        if (environ.get("PATH_INFO") != PATH or environ.get("REQUEST_METHOD") != "POST"
                or environ.get("QUERY_STRING") or environ.get("HTTP_COOKIE")
                or environ.get("HTTP_TRANSFER_ENCODING") or not environ.get("HTTP_AUTHORIZATION")
                or media_type(environ.get("CONTENT_TYPE")) != "application/json"):
            return None
        declared = environ.get("CONTENT_LENGTH") or ""
        if not (declared.isascii() and declared.isdigit()):
            return None
        length = int(declared)
        config = self._app.config
        limits = (config["MAX_JSON_BYTES"], config["MAX_CONTENT_LENGTH"])
        if length == 0 or any(limit is not None and length > int(limit) for limit in limits):
            return None
        return length

    def _answer(self, environ: Environ, raw: bytes) -> bytes | None:
        """The answer's body once the screening is journalled; None when Flask must answer."""
        extensions = self._app.extensions
        access: Access = extensions["screening.access"]
        engines: Engines = extensions["screening.engines"]
        recorder: ScreeningRecorder = extensions["screening.recorder"]
        cursors = _Cursors(extensions["screening.db"])
        try:
            caller = bearer_principal(access, cursors.connect, environ["HTTP_AUTHORIZATION"])
            if caller is None or not caller.can(self._permission):
                return None
            parties = party_from_json(json.loads(raw))
            record: ScreeningRecord = screened(
                engines, access.list_state(cursors.connect), caller, raw, parties, None,
                DEFAULT_LIMIT, None)
            screening_id = recorder.store(record)  # the last step that can refuse
        except Exception:  # refused or failed: Flask answers (and logs an unexpected error)
            return None
        finally:
            cursors.close()
        return answer_body(record, screening_id)
