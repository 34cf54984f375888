"""The Flask JSON API and analyst web pages.

``create_app(config)`` builds the app (the Flask tutorial's factory): one blueprint for the
JSON API (``api.json_api``), one for the analyst pages (``api.pages``), the DuckDB store opened
once (``api.db``), the screeners (``api.engine``) and the batch worker pool (``api.jobs``).
One-party screenings are answered beside Flask's request machinery (``api.fast_screen``).
Config keys (all optional): DB_PATH, SECRET_KEY, MAX_CONTENT_LENGTH, MAX_JSON_BYTES,
UPLOAD_DIR, BATCH_WORKERS, SIDECARS (screening processes, ``api.sidecars``; 0: none),
TESTING.
"""

from __future__ import annotations

import secrets
import tempfile
from datetime import date, datetime
from pathlib import Path
from typing import Any

from flask import Flask
from flask.json.provider import DefaultJSONProvider

from screening import settings

MB = 1024 * 1024


class JSONProvider(DefaultJSONProvider):
    """ISO 8601 dates (Flask's default is the HTTP date format)."""

    @staticmethod
    def default(o: Any) -> Any:
        if isinstance(o, datetime | date):
            return o.isoformat()
        return DefaultJSONProvider.default(o)


def default_config() -> dict[str, Any]:
    """Defaults from the environment (screening.settings)."""
    return {
        "DB_PATH": settings.db_path(),
        "SECRET_KEY": settings.secret_key() or secrets.token_hex(32),
        "MAX_CONTENT_LENGTH": settings.max_upload_mb() * MB,
        "MAX_JSON_BYTES": 10 * MB,
        "BATCH_WORKERS": 2,
        "SIDECARS": 0,
        "SESSION_COOKIE_HTTPONLY": True,
        "SESSION_COOKIE_SAMESITE": "Lax",
    }


def create_app(config: dict[str, Any] | None = None) -> Flask:
    """The application over the store at config DB_PATH (default $SCREENING_DB)."""
    from api import auth, db, errors, fast_screen, pages
    from api.access import Access
    from api.engine import Engines
    from api.entities import EntityCache
    from api.jobs import BatchJobs
    from api.json_api import ROUTES
    from api.json_api import bp as json_bp
    from api.recorder import ScreeningRecorder
    from api.sessions import CookieSessions
    from api.sidecars import Sidecars

    app = Flask(__name__)
    app.session_interface = CookieSessions()
    app.json_provider_class = JSONProvider
    app.json = JSONProvider(app)
    app.config.from_mapping(default_config())
    app.config.from_mapping(config or {})
    app.config["MAX_FORM_MEMORY_SIZE"] = app.config["MAX_CONTENT_LENGTH"]
    path = Path(app.config["DB_PATH"])
    database = db.Database(path)
    db.init_app(app, database)
    upload_dir = Path(app.config.get("UPLOAD_DIR") or tempfile.mkdtemp(prefix="screening-up-"))
    sidecars = int(app.config["SIDECARS"])
    app.extensions["screening.engines"] = Engines(path, Sidecars(sidecars) if sidecars else None)
    app.extensions["screening.access"] = Access(database)
    app.extensions["screening.entity_cache"] = EntityCache()
    app.extensions["screening.recorder"] = ScreeningRecorder(database)
    app.extensions["screening.jobs"] = BatchJobs(database, upload_dir,
                                                 int(app.config["BATCH_WORKERS"]))
    app.jinja_env.globals["csrf_token"] = auth.csrf_token
    errors.init_app(app)
    app.register_blueprint(json_bp)
    app.register_blueprint(pages.bp)
    screen = next(r for r in ROUTES if r.rule == fast_screen.PATH and r.method == "POST")
    assert screen.permission is not None
    app.wsgi_app = fast_screen.ScreenFastPath(  # type: ignore[method-assign]
        app, app.wsgi_app, screen.permission)
    return app


def shutdown(app: Flask) -> None:
    """Wait for running batch jobs and pending screening records, then close the store."""
    from api.access import Access
    from api.db import Database
    from api.engine import Engines
    from api.jobs import BatchJobs
    from api.recorder import ScreeningRecorder

    jobs: BatchJobs = app.extensions["screening.jobs"]
    jobs.shutdown()
    recorder: ScreeningRecorder = app.extensions["screening.recorder"]
    recorder.close()
    access: Access = app.extensions["screening.access"]
    access.close()
    engines: Engines = app.extensions["screening.engines"]
    if engines.sidecars is not None:
        engines.sidecars.close()
    database: Database = app.extensions["screening.db"]
    database.close()
