"""The fast request path keeps its guarantees: cached keys and lists follow every change, and
concurrent screenings are each journalled before they are answered and committed with an intact
audit chain."""

from __future__ import annotations

import contextlib
import gc
import threading
import time
from concurrent.futures import ThreadPoolExecutor

import duckdb
from flask import Flask

from api.access import Access
from api.db import Database
from api.engine import Engines
from api.fast_screen import ScreenFastPath
from api.ranking import best_per_entity
from lists.store import ListStore
from screening.review.audit import record, verify
from screening.review.errors import ConflictError
from screening.review.users import revoke_api_key
from screening.single import _ATTR as _FAST_ATTR
from tests.api.conftest import Api
from tests.api.helpers import CONFIDENTIAL, CONFIDENTIAL_NAME, UN_NAME, Seed


def _database(app: Flask) -> Database:
    found: Database = app.extensions["screening.db"]
    return found


def test_a_revoked_key_stops_working_at_once(api: Api, app: Flask) -> None:
    assert api.post("bank", "/v1/screen", json={"name": UN_NAME}).status_code == 200
    assert api.post("bank", "/v1/screen", json={"name": UN_NAME}).status_code == 200  # cached
    con = _database(app).cursor()
    [(key_id,)] = con.execute("SELECT key_id FROM api_keys WHERE name = 'bank-key'").fetchall()
    assert revoke_api_key(con, key_id, "adm")
    con.close()
    refused = api.post("bank", "/v1/screen", json={"name": UN_NAME})
    assert refused.status_code == 401
    assert api.post("ana", "/v1/screen", json={"name": UN_NAME}).status_code == 200
    fast_path = app.wsgi_app
    assert isinstance(fast_path, ScreenFastPath) and fast_path.answered == 3  # not the refusal


def test_cached_keys_and_lists_are_read_again_before_a_request_must(app: Flask,
                                                                     seed: Seed) -> None:
    """Past half their age, cached values are read again by a background thread: requests keep
    being answered from the cache for several times the maximum age without a query."""
    database = _database(app)
    access = Access(database, max_age=1.0)
    con = database.cursor()

    def no_query() -> duckdb.DuckDBPyConnection:
        raise AssertionError("a request waited for a query")

    def renewers() -> list[threading.Thread]:
        return [t for t in threading.enumerate() if t.name == "access-renewer"]

    try:
        key = seed.keys["bank"]
        caller, state = access.principal(lambda: con, key), access.list_state(lambda: con)
        assert caller is not None and state.snapshot_ids
        deadline = time.monotonic() + 2.5
        while time.monotonic() < deadline:
            assert access.principal(no_query, key) == caller
            assert access.list_state(no_query) == state
            time.sleep(0.01)
        assert len(renewers()) == 1
    finally:
        access.close()
        con.close()
    assert renewers() == []


def test_a_list_made_confidential_is_hidden_on_the_next_request(api: Api, app: Flask) -> None:
    def lists_hit(person: str) -> set[str]:
        body = api.post(person, "/v1/screen", json={"name": UN_NAME}).json
        return {h["list_id"] for h in body["hits"]}

    assert lists_hit("bank") == {"un_sc"}
    database = _database(app)
    with database.write_lock:  # how the API writes (list refresh, decisions...)
        con = database.cursor()
        ListStore(con).set_confidential("un_sc", True)
        con.close()
    assert lists_hit("bank") == set()
    assert lists_hit("vault") == set()  # cleared for be_watch only
    matched = api.post("bank", "/match/default", json={
        "queries": {"q": {"schema": "Person", "properties": {"name": [UN_NAME]}}}}).json
    assert matched["responses"]["q"]["results"] == []
    assert api.post("bank", "/match/un_sc", json={
        "queries": {"q": {"schema": "Person", "properties": {"name": [UN_NAME]}}}}
    ).status_code == 404


def test_concurrent_screenings_are_each_stored_and_chained(api: Api, app: Flask) -> None:
    """8 callers at once while another writer appends audit entries without the API's lock."""
    database = _database(app)

    def other_writer() -> int:
        """Unlocked, so its transactions really race the recorder's: both must retry."""
        con, written = database.cursor(), 0
        for n in range(30):
            with contextlib.suppress(ConflictError):  # it may give up; the chain must not
                record(con, "sue", "test.other", f"thing:{n}", None, {"n": n})
                written += 1
            time.sleep(0.002)
        con.close()
        return written

    def caller(index: int) -> list[int]:
        client = app.test_client()
        ids = []
        for n in range(6):
            name = CONFIDENTIAL_NAME if n % 2 else UN_NAME
            response = client.post("/v1/screen", json={"name": name, "reference": str(index)},
                                   headers={"Authorization": f"Bearer {api.seed.keys['bank']}"})
            body = response.get_json()
            assert response.status_code == 200, body
            ids.append(int(body["screening_id"]))
        return ids

    with ThreadPoolExecutor(9) as pool:
        writer = pool.submit(other_writer)
        answered = [i for ids in pool.map(caller, range(8)) for i in ids]
        others = writer.result()
    app.extensions["screening.recorder"].flush()
    assert len(answered) == len(set(answered)) == 48
    con = database.cursor()
    stored = {r[0] for r in con.execute("SELECT screening_id FROM single_screenings").fetchall()}
    audited = {r[0] for r in con.execute(
        "SELECT target FROM audit_log WHERE action = 'screen.single'").fetchall()}
    other_count = con.execute(
        "SELECT count(*) FROM audit_log WHERE action = 'test.other'").fetchone()
    result = verify(con)
    con.close()
    assert stored == set(answered)
    assert audited == {f"screening:{i}" for i in answered}
    assert other_count == (others,)
    assert result.ok, result.message
    assert CONFIDENTIAL not in str(audited)


def test_best_hit_per_entity_best_first() -> None:
    hits = [
        {"q": "b", "list_id": "un", "entity_id": "2", "score": 0.8, "name": "first"},
        {"q": "a", "list_id": "un", "entity_id": "1", "score": 0.9, "name": "low"},
        {"q": "a", "list_id": "un", "entity_id": "1", "score": 0.95, "name": "best"},
        {"q": "a", "list_id": "eu", "entity_id": "1", "score": 0.95, "name": "other list"},
        {"q": "b", "list_id": "un", "entity_id": "2", "score": 0.8, "name": "tie, later"},
        {"q": "a", "list_id": "un", "entity_id": "0", "score": 0.7, "name": "worst"},
    ]
    grouped = best_per_entity(hits, "q")
    assert list(grouped) == ["b", "a"]
    assert [h["name"] for h in grouped["a"]] == ["other list", "best", "worst"]
    assert [h["name"] for h in grouped["b"]] == ["first"]


def test_screeners_are_built_warm_and_kept_out_of_full_collections(api: Api, app: Flask) -> None:
    gc.unfreeze()
    assert api.post("bank", "/v1/screen", json={"name": UN_NAME}).status_code == 200
    engines: Engines = app.extensions["screening.engines"]
    [built] = engines._cache.values()
    screener = built.screener
    assert _FAST_ATTR in screener.__dict__  # the single-query tables were built with it
    tracked = gc.get_objects()
    assert not any(o is screener or o is screener.index for o in tracked)  # frozen
