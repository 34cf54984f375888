"""Batches over HTTP: upload, background screening, status, hits, filters, export, clearance."""

from __future__ import annotations

import io
import json
from typing import Any

import polars as pl
from flask import Flask

from tests.api.conftest import Api
from tests.api.helpers import CONFIDENTIAL, CONFIDENTIAL_NAME, UN_ENTITY, UN_NAME, error_of

RECORDS: list[dict[str, Any]] = [
    {"transaction_id": "t1", "originator_name": UN_NAME, "beneficiary_name": "Jean Dupont",
     "amount": 100},
    {"transaction_id": "t2", "originator_name": CONFIDENTIAL_NAME,
     "originator_birth_date": "1984-03-12", "beneficiary_name": "Maria Garcia"},
    {"transaction_id": "t3", "originator_name": "Peter Janssens", "beneficiary_name": None},
]
CSV = f"transaction_id,originator_name,beneficiary_name\nu1,{UN_NAME},Anna Peeters\n"


def _hits(api: Api, person: str, batch_id: str, **params: Any) -> dict[str, Any]:
    response = api.get(person, f"/v1/batches/{batch_id}/hits", query_string=params)
    assert response.status_code == 200, response.json
    found: dict[str, Any] = response.json
    return found


def test_json_records_batch_lifecycle(api: Api) -> None:
    batch_id = api.batch("ana", RECORDS)
    status = api.get("ana", f"/v1/batches/{batch_id}").json
    assert (status["status"], status["progress"], status["records_read"]) == ("done", 1.0, 3)
    assert (status["records_screened"], status["records_rejected"]) == (3, 0)
    assert status["created_by"] == "key:ana-key" and status["format"] == "csv"
    assert status["snapshots"] == [{"list_id": "un_sc", "version": 1}]
    assert set(status["alerts_per_list"]) == {"un_sc"}  # the confidential hit is not counted
    hits = _hits(api, "ana", batch_id)
    assert hits["total"] == status["alerts"] == 1  # only the UN person; no other near name
    only = hits["hits"][0]
    assert (only["entity_id"], only["list_id"], only["score"]) == (UN_ENTITY, "un_sc", 1.0)
    assert (only["party_name"], only["role"], only["status"]) == (UN_NAME, "originator", "open")
    cleared = api.get("cleo", f"/v1/batches/{batch_id}").json
    assert cleared["alerts_per_list"] == {"un_sc": 1, CONFIDENTIAL: 1}
    assert cleared["alerts"] == 2 and cleared["snapshots"] == [
        {"list_id": CONFIDENTIAL, "version": 1}, {"list_id": "un_sc", "version": 1}]
    assert CONFIDENTIAL_NAME in {h["party_name"] for h in _hits(api, "cleo", batch_id)["hits"]}


def test_hit_filters_sorting_and_paging(api: Api) -> None:
    batch_id = api.batch("cleo", RECORDS)
    every = _hits(api, "cleo", batch_id, per_page=500)["hits"]
    scores = [h["score"] for h in every]
    assert scores == sorted(scores, reverse=True)
    ascending = _hits(api, "cleo", batch_id, sort="score")["hits"]
    assert [h["score"] for h in ascending] == sorted(scores)
    only = _hits(api, "cleo", batch_id, list_id=CONFIDENTIAL)
    assert only["total"] == 1 and only["hits"][0]["party_name"] == CONFIDENTIAL_NAME
    top = _hits(api, "cleo", batch_id, min_score=0.99)
    assert top["total"] == sum(1 for s in scores if s >= 0.99)
    low = _hits(api, "cleo", batch_id, max_score=0.9)
    assert low["total"] == sum(1 for s in scores if s <= 0.9)
    page2 = _hits(api, "cleo", batch_id, per_page=1, page=2)
    assert page2["hits"][0]["alert_id"] == every[1]["alert_id"] and page2["total"] == len(every)
    assert _hits(api, "cleo", batch_id, status="closed")["total"] == 0
    assert api.get("cleo", f"/v1/batches/{batch_id}/hits",
                   query_string={"sort": "colour"}).status_code == 422
    assert api.get("cleo", f"/v1/batches/{batch_id}/hits",
                   query_string={"min_score": "high"}).status_code == 400


def test_export_formats_leave_hidden_lists_out(api: Api) -> None:
    batch_id = api.batch("cleo", RECORDS)
    visible = _hits(api, "ana", batch_id)["total"]
    csv = api.get("ana", f"/v1/batches/{batch_id}/export", query_string={"format": "csv"})
    assert csv.status_code == 200 and csv.mimetype == "text/csv"
    assert "attachment" in csv.headers["Content-Disposition"]
    frame = pl.read_csv(io.BytesIO(csv.data))
    assert frame.height == visible and CONFIDENTIAL not in frame["list_id"].to_list()
    parquet = api.get("ana", f"/v1/batches/{batch_id}/export", query_string={"format": "parquet"})
    assert pl.read_parquet(io.BytesIO(parquet.data)).height == visible
    as_json = api.get("cleo", f"/v1/batches/{batch_id}/export", query_string={"format": "json"})
    rows = json.loads(as_json.data)
    assert len(rows) == visible + 1 and CONFIDENTIAL in {r["list_id"] for r in rows}
    bad = api.get("ana", f"/v1/batches/{batch_id}/export", query_string={"format": "xlsx"})
    assert bad.status_code == 422


def test_multipart_upload_and_listing(api: Api) -> None:
    response = api.post("ana", "/v1/batches", data={
        "file": (io.BytesIO(CSV.encode()), "payments.csv"), "threshold": "0.9"},
        content_type="multipart/form-data")
    assert response.status_code == 202
    batch_id = response.json["batch_id"]
    assert response.json["links"]["hits"] == f"/v1/batches/{batch_id}/hits"
    api.app.extensions["screening.jobs"].wait(batch_id, timeout=60)
    status = api.get("ana", f"/v1/batches/{batch_id}").json
    assert (status["source_name"], status["threshold"], status["status"]) == (
        "payments.csv", 0.9, "done")
    listed = api.get("ana", "/v1/batches").json["batches"]
    assert [b["batch_id"] for b in listed] == [batch_id]


def test_upload_refusals(api: Api, app: Flask) -> None:
    def upload(data: bytes, name: str = "x.csv") -> Any:
        return api.post("ana", "/v1/batches", data={"file": (io.BytesIO(data), name)},
                        content_type="multipart/form-data")

    assert error_of(upload(b"").json)["code"] == "invalid_input"  # empty file
    xml = upload(b"<?xml version='1.0'?><Other/>", "x.xml")
    assert xml.status_code == 422 and "pacs.008" in error_of(xml.json)["message"]
    missing = api.post("ana", "/v1/batches", data={}, content_type="multipart/form-data")
    assert missing.status_code == 422
    app.config["MAX_CONTENT_LENGTH"] = 2000
    big = upload(b"originator_name\n" + b"Jean Dupont\n" * 1000)
    assert big.status_code == 413 and error_of(big.json)["code"] == "request_entity_too_large"
    records = api.post("ana", "/v1/batches", json={"records": [{"colour": "red"}, 5]})
    assert records.status_code == 422
    fields = {d["field"] for d in error_of(records.json)["details"]}
    assert fields == {"records[0].colour", "records[1]"}
    assert api.post("ana", "/v1/batches", json={"records": []}).status_code == 422
    form = api.post("ana", "/v1/batches", data="a=b",
                    headers={"Content-Type": "application/x-www-form-urlencoded"})
    assert form.status_code == 422


def test_roles_and_unknown_batch(api: Api) -> None:
    assert api.post("bank", "/v1/batches", json={"records": RECORDS}).status_code == 403
    assert api.post(None, "/v1/batches", json={"records": RECORDS}).status_code == 401
    assert api.get("bank", "/v1/batches").status_code == 403
    unknown = api.get("ana", "/v1/batches/nope")
    assert unknown.status_code == 404 and error_of(unknown.json)["code"] == "not_found"
    assert api.get("ana", "/v1/batches/nope/hits").status_code == 404
    assert api.get("ana", "/v1/batches/nope/export").status_code == 404


def test_failed_batch_is_reported(api: Api) -> None:
    """A file that detects as CSV but lacks the name columns fails in the worker, visibly."""
    response = api.post("ana", "/v1/batches", data={
        "file": (io.BytesIO(b"colour,size\nred,1\n"), "odd.csv")},
        content_type="multipart/form-data")
    batch_id = response.json["batch_id"]
    api.app.extensions["screening.jobs"].wait(batch_id, timeout=60)
    status = api.get("ana", f"/v1/batches/{batch_id}").json
    assert status["status"] == "failed" and "originator_name" in status["error"]
