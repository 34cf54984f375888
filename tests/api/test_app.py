"""The app as a whole: health, OpenAPI coverage, the one error shape, configuration."""

from __future__ import annotations

from pathlib import Path

import pytest
from flask import Flask

from api import create_app, shutdown
from api.json_api import ROUTES
from api.openapi import openapi_path
from screening import settings
from tests.api.conftest import Api
from tests.api.helpers import error_of
from tests.conftest import REPO_ROOT


def test_health_and_readiness(api: Api, tmp_path: Path) -> None:
    assert api.get(None, "/healthz").json == {"status": "ok"}
    ready = api.get(None, "/readyz")
    assert ready.status_code == 200 and ready.json["lists"] == 2
    empty = create_app({"DB_PATH": tmp_path / "empty.duckdb", "UPLOAD_DIR": tmp_path / "up"})
    try:
        response = empty.test_client().get("/readyz")
        body = response.get_json()
        assert response.status_code == 503 and isinstance(body, dict)
        assert body["reason"] == "no list loaded"
        match = empty.test_client().post("/match/default", json={})
        assert match.status_code == 401
    finally:
        shutdown(empty)


def test_every_json_route_is_in_openapi(app: Flask, api: Api) -> None:
    spec = api.get(None, "/openapi.json").json
    assert spec["openapi"] == "3.1.0"
    registered = {
        (openapi_path(rule.rule), method.lower())
        for rule in app.url_map.iter_rules() if rule.endpoint.startswith("json_api.")
        for method in rule.methods or () if method not in ("HEAD", "OPTIONS")
    }
    described = {(path, method) for path, ops in spec["paths"].items() for method in ops}
    assert registered == described
    assert len(described) == len(ROUTES) + 1  # + /openapi.json itself
    decision = spec["paths"]["/v1/hits/{alert_id}/decision"]["post"]
    assert decision["x-permission"] == "decide" and decision["security"] == [{"bearer": []}]
    assert decision["parameters"][0] == {"name": "alert_id", "in": "path", "required": True,
                                         "schema": {"type": "integer"}}
    assert "500" in spec["paths"]["/match/{dataset}"]["post"]["summary"]


def test_error_shape_for_every_kind_of_error(api: Api) -> None:
    cases = [
        (api.get(None, "/v1/nothing-here"), 404, "not_found"),
        (api.client.put("/v1/screen"), 405, "method_not_allowed"),
        (api.get(None, "/v1/lists"), 401, "unauthorized"),
        (api.get("bank", "/v1/audit"), 403, "permission_denied"),
        (api.get("ana", "/v1/hits/12345"), 404, "not_found"),
        (api.post("ana", "/v1/hits/1/decision", data="[",
                  headers={"Content-Type": "application/json"}), 400, "bad_request"),
        (api.post("ana", "/v1/hits/1/decision", json={"outcome": 1}), 422, "validation_error"),
        (api.get("ana", "/v1/hits", query_string={"per_page": "many"}), 400, "bad_request"),
    ]
    for response, status, code in cases:
        error = error_of(response.json)
        assert (response.status_code, error["status"], error["code"]) == (status, status, code)


def test_unexpected_errors_are_500_with_an_incident_id(app: Flask, api: Api,
                                                       monkeypatch: pytest.MonkeyPatch) -> None:
    from api import json_screening

    def broken() -> dict[str, str]:
        raise RuntimeError("boom")

    monkeypatch.setitem(app.view_functions, "json_api.healthz", broken)
    monkeypatch.setattr(json_screening, "healthz", broken)
    response = api.get(None, "/healthz")
    error = error_of(response.json)
    assert response.status_code == 500 and "incident" in error["message"]
    assert "boom" not in error["message"]


def test_settings_feed_the_config(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("SCREENING_MAX_UPLOAD_MB", "3")
    monkeypatch.setenv("SCREENING_SECRET_KEY", "from-the-environment")
    monkeypatch.setenv("SCREENING_DB", str(tmp_path / "env.duckdb"))
    app = create_app({"UPLOAD_DIR": tmp_path / "up"})
    try:
        assert app.config["MAX_CONTENT_LENGTH"] == 3 * 1024 * 1024
        assert app.config["SECRET_KEY"] == "from-the-environment"
        assert Path(app.config["DB_PATH"]) == tmp_path / "env.duckdb"
    finally:
        shutdown(app)
    monkeypatch.delenv("SCREENING_SECRET_KEY")
    first, second = create_app({"UPLOAD_DIR": tmp_path / "a", "DB_PATH": tmp_path / "a.db"}), \
        create_app({"UPLOAD_DIR": tmp_path / "b", "DB_PATH": tmp_path / "b.db"})
    try:
        assert first.config["SECRET_KEY"] != second.config["SECRET_KEY"]  # random per process
        assert len(first.config["SECRET_KEY"]) == 64
    finally:
        shutdown(first)
        shutdown(second)


def test_api_settings_are_documented_with_their_defaults() -> None:
    import re

    readme = (REPO_ROOT / "README.md").read_text(encoding="utf-8")
    table = dict(re.findall(r"^\| `(SCREENING_[A-Z_]+)` \| `([^`]*)` \|", readme, flags=re.M))
    defaults = {s.name: s.default for s in settings.SETTINGS}
    for name in ("SCREENING_SECRET_KEY", "SCREENING_MAX_UPLOAD_MB"):
        assert table[name] == defaults[name]
    assert settings.max_upload_mb() == 200
