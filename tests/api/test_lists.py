"""Lists over HTTP: current snapshots, versions, deltas, and the admin refresh with re-screening."""

from __future__ import annotations

import functools
import http.server
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.api.conftest import Api
from tests.api.helpers import CONFIDENTIAL, UN_OLD_FILE, error_of

# Counted with grep on the files: DATAID values, 1003 in 2026 and 1093 in 2018; 202 only in
# 2018 (added when 2018 becomes the newer version), 112 only in 2026 (removed).
UN_2026, UN_2018, ONLY_2018, ONLY_2026 = 1003, 1093, 202, 112
DELISTED = {"transaction_id": "r1", "originator_name": "Yassine Chekkouri",
            "originator_birth_date": "1966-10-06"}  # UN 111800: listed in 2018, not in 2026


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: object) -> None:
        return


@pytest.fixture
def list_server(shared_data: Path) -> Iterator[str]:
    """A loopback HTTP server publishing the 2018 UN file (no network involved)."""
    handler = functools.partial(_QuietHandler, directory=str((shared_data / UN_OLD_FILE).parent))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}/{Path(UN_OLD_FILE).name}"
    server.shutdown()
    server.server_close()


def test_current_lists_and_clearance(api: Api) -> None:
    lists = api.get("bank", "/v1/lists").json["lists"]
    assert [(x["list_id"], x["version"], x["entity_count"], x["versions"]) for x in lists] == [
        ("un_sc", 1, UN_2026, 1)]
    assert lists[0]["published"].startswith("2026-02-27")
    cleared = {x["list_id"]: x for x in api.get("vault", "/v1/lists").json["lists"]}
    assert cleared[CONFIDENTIAL]["confidential"] is True
    assert cleared[CONFIDENTIAL]["entity_count"] == 2
    assert api.get("bank", f"/v1/lists/{CONFIDENTIAL}/versions").status_code == 404
    assert api.get("vault", f"/v1/lists/{CONFIDENTIAL}/versions").status_code == 200
    assert api.get(None, "/v1/lists").status_code == 401


def test_refresh_rescreens_stored_parties(api: Api, list_server: str,
                                          monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SCREENING_SOURCE_UN_SC_URL", list_server)
    before = api.batch("ana", [DELISTED])
    assert api.get("ana", f"/v1/batches/{before}").json["alerts"] == 0
    assert api.post("ana", "/v1/lists/refresh", json={"list_ids": ["un_sc"]}).status_code == 403
    refreshed = api.post("adm", "/v1/lists/refresh", json={"list_ids": ["un_sc"]})
    assert refreshed.status_code == 200, refreshed.json
    [result] = refreshed.json["results"]
    assert (result["status"], result["version"], result["entities"]) == ("updated", 2, UN_2018)
    rescreen = result["rescreen"]
    assert rescreen["entities_screened"] >= ONLY_2018  # added + changed entities only
    assert rescreen["new_alerts"] == 1 and rescreen["batch_id"]
    hits = api.get("ana", f"/v1/batches/{rescreen['batch_id']}/hits").json["hits"]
    assert [(h["entity_id"], h["party_name"]) for h in hits] == [("111800", "Yassine Chekkouri")]
    assert "Re-screening: entity added in un_sc v1->v2" in hits[0]["explanation"]
    versions = api.get("bank", "/v1/lists/un_sc/versions").json["versions"]
    assert [(v["version"], v["entity_count"], v["is_current"]) for v in versions] == [
        (1, UN_2026, False), (2, UN_2018, True)]
    delta = api.get("ana", "/v1/lists/un_sc/delta").json
    assert (delta["old_version"], delta["new_version"]) == (1, 2)
    assert (delta["added"], delta["removed"]) == (ONLY_2018, ONLY_2026)
    assert len(delta["added_entities"]) == ONLY_2018
    again = api.post("adm", "/v1/lists/refresh", json={"list_ids": ["un_sc"]}).json
    assert again["results"][0]["status"] == "unchanged"
    audit = api.get("sue", "/v1/audit", query_string={"action": "list."}).json["entries"]
    assert [e["action"] for e in audit] == ["list.refresh", "list.refresh", "list.rescreen"]


def test_delta_and_refresh_validation(api: Api) -> None:
    one_version = api.get("ana", "/v1/lists/un_sc/delta")
    assert one_version.status_code == 422 and "no version 0" in error_of(one_version.json)[
        "message"]
    assert api.get("ana", "/v1/lists/un_sc/delta", query_string={"old": "x"}).status_code == 400
    unknown = api.post("adm", "/v1/lists/refresh", json={"list_ids": ["mars"]})
    assert unknown.status_code == 422 and "un_sc" in error_of(unknown.json)["message"]
    assert api.post("adm", "/v1/lists/refresh", json={"lists": []}).status_code == 422
