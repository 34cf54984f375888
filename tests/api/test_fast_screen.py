"""``api.fast_screen``: one-party screenings answered beside Flask are the view's answers, and
every request it does not take, or would refuse, is Flask's to answer (errors included)."""

from __future__ import annotations

import json
from typing import Any

from flask import Flask

from api.db import Database
from api.fast_screen import ScreenFastPath
from api.recorder import ScreeningRecorder
from tests.api.conftest import Api
from tests.api.helpers import CONFIDENTIAL, CONFIDENTIAL_NAME, UN_NAME, error_of, server_timing


def _fast_path(app: Flask) -> ScreenFastPath:
    found = app.wsgi_app
    assert isinstance(found, ScreenFastPath)
    return found


def _stored(app: Flask) -> list[tuple[int, str, str]]:
    """(screening id, actor, result) of every screening committed, oldest first."""
    recorder: ScreeningRecorder = app.extensions["screening.recorder"]
    recorder.flush()
    database: Database = app.extensions["screening.db"]
    con = database.cursor()
    rows = con.execute("SELECT screening_id, actor, result FROM single_screenings "
                       "ORDER BY screening_id").fetchall()
    con.close()
    return [(int(i), str(a), str(r)) for i, a, r in rows]


def _without_id(body: bytes) -> tuple[dict[str, Any], int]:
    answer = json.loads(body)
    return answer, answer.pop("screening_id")


def test_the_fast_answer_is_the_views_answer(api: Api, app: Flask) -> None:
    fast = _fast_path(app)
    party = {"name": "Ayman al Zawahiri", "birth_date": "1951-06-19", "nationality": "Egypt",
             "reference": "cust-42"}
    quick = api.post("vault", "/v1/screen", json=party)
    assert fast.answered == 1
    # A query string sends the request through Flask's view: here the default limit, spelled.
    slow = api.post("vault", "/v1/screen?limit=10", json=party)
    assert fast.answered == 1
    assert (quick.status_code, slow.status_code) == (200, 200)
    assert quick.headers["Content-Type"] == slow.headers["Content-Type"] == "application/json"
    assert quick.headers["Content-Length"] == str(len(quick.data))
    # The fast path says how long it took (load tests tell the server's part from it), and
    # of that how long it waited for a sidecar and spent with it: none here, screened in process.
    took = server_timing(quick.headers["Server-Timing"])
    assert list(took) == ["app", "wait", "sidecar"]
    assert took["app"] > 0 and took["wait"] == took["sidecar"] == 0
    quick_body, quick_id = _without_id(quick.data)
    slow_body, slow_id = _without_id(slow.data)
    assert quick_body == slow_body and quick_body["hits"]
    # The same bytes, not only the same JSON, up to the id (the body's last member).
    assert quick.data.rsplit(b'"screening_id"', 1)[0] == slow.data.rsplit(b'"screening_id"', 1)[0]
    stored = _stored(app)
    assert [(i, a) for i, a, _ in stored] == [(quick_id, "key:vault-key"),
                                              (slow_id, "key:vault-key")]
    assert json.loads(stored[0][2]) == quick_body


def test_confidential_lists_stay_hidden_on_the_fast_path(api: Api, app: Flask) -> None:
    def lists_hit(person: str) -> set[str]:
        response = api.post(person, "/v1/screen", json={"name": CONFIDENTIAL_NAME})
        assert response.status_code == 200
        return {hit["list_id"] for hit in response.json["hits"]}

    assert CONFIDENTIAL in lists_hit("vault")
    assert CONFIDENTIAL not in lists_hit("bank")
    assert _fast_path(app).answered == 2


def test_refusals_are_flasks_and_nothing_is_stored(api: Api, app: Flask) -> None:
    fast = _fast_path(app)
    unknown_key = api.post(None, "/v1/screen", json={"name": UN_NAME},
                           headers={"Authorization": "Bearer not-a-key"})
    assert unknown_key.status_code == 401
    assert unknown_key.headers["WWW-Authenticate"] == 'Bearer realm="screening"'
    assert error_of(unknown_key.json)["code"] == "unauthorized"
    no_scheme = api.post(None, "/v1/screen", json={"name": UN_NAME},
                         headers={"Authorization": "Basic abc"})
    assert no_scheme.status_code == 401
    unknown_field = api.post("bank", "/v1/screen", json={"name": UN_NAME, "nam": "x"})
    assert unknown_field.status_code == 422
    assert error_of(unknown_field.json)["details"][0]["field"] == "nam"
    not_json = api.post("bank", "/v1/screen", data=b"{not json",
                        headers={"Content-Type": "application/json"})
    assert not_json.status_code == 400
    empty_name = api.post("bank", "/v1/screen", json={"name": "  "})
    assert empty_name.status_code == 422
    assert fast.answered == 0
    assert _stored(app) == []


def test_requests_it_does_not_take_are_answered_by_flask(api: Api, app: Flask) -> None:
    fast = _fast_path(app)
    party = {"name": UN_NAME}
    no_key = api.post(None, "/v1/screen", json=party)
    assert no_key.status_code == 401 and fast.answered == 0
    api.client.set_cookie("session", "anything")
    with_cookie = api.post("bank", "/v1/screen", json=party)
    assert with_cookie.status_code == 200 and fast.answered == 0
    api.client.delete_cookie("session")
    with_query = api.post("bank", "/v1/screen?threshold=0.99", json=party)
    assert with_query.json["threshold"] == 0.99 and fast.answered == 0
    health = api.get(None, "/healthz")
    assert health.json == {"status": "ok"}
    too_large = api.post("bank", "/v1/screen", data=b" " * (app.config["MAX_JSON_BYTES"] + 1),
                         headers={"Content-Type": "application/json"})
    assert too_large.status_code == 413 and fast.answered == 0
    assert api.post("bank", "/v1/screen", json=party).status_code == 200
    assert fast.answered == 1
    assert len(_stored(app)) == 3  # cookie, query and the fast one: each stored once
