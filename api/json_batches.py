"""JSON views of batches: upload, status, hits with filters and paging, export."""

from __future__ import annotations

import io
import json
from typing import Any

import duckdb
from flask import Response, current_app, request, url_for

from api.auth import principal
from api.db import database, get_con
from api.errors import BadRequest, Invalid
from api.jobs import BatchJobs, queue_batch, save_records, save_upload
from api.validate import in_range, query_choice, query_float, query_int, read_json
from screening import results
from screening.review import AlertFilter, count_alerts, export_alerts, list_alerts, status_counts
from screening.review.alerts import SORTABLE
from screening.review.audit import record
from screening.review.db import in_transaction
from screening.review.errors import NotFound
from screening.review.users import Principal, hidden_lists
from screening.review.vocabulary import Status

ResponseValue = tuple[dict[str, Any], int] | dict[str, Any] | Response
SORTS = tuple(f"{p}{s}" for s in SORTABLE for p in ("", "-"))


def jobs() -> BatchJobs:
    found: BatchJobs = current_app.extensions["screening.jobs"]
    return found


def create_batch() -> ResponseValue:
    """Queue a batch: a multipart file upload ('file') or JSON {'records': [...]}."""
    caller = principal()
    media = (request.content_type or "").split(";")[0].strip().lower()
    if media == "multipart/form-data":
        upload = request.files.get("file")
        if upload is None or not upload.filename:
            raise Invalid("no file in the upload; send it as the multipart field 'file'",
                          [{"field": "file", "problem": "required"}])
        threshold = _form_threshold(request.form.get("threshold"))
        path, source = save_upload(jobs(), upload), upload.filename
    elif media == "application/json":
        path, threshold = save_records(jobs(), read_json())
        source = "records.json"
    else:
        raise Invalid("send a multipart/form-data upload with a 'file' field, or "
                      "application/json {'records': [...]}",
                      [{"field": "Content-Type", "problem": media or "missing"}])
    in_range("threshold", threshold)
    batch_id = queue_batch(database(), jobs(), path, source, threshold, caller.actor)
    link = url_for("json_api.get_batch", batch_id=batch_id)
    return {"batch_id": batch_id, "status": "queued", "links": {
        "self": link, "hits": url_for("json_api.batch_hits", batch_id=batch_id)}}, 202


def _form_threshold(raw: str | None) -> float | None:
    if not raw:
        return None
    try:
        return float(raw)
    except ValueError:
        raise BadRequest(f"threshold {raw!r} is not a number") from None


def batch_view(con: duckdb.DuckDBPyConnection, caller: Principal, batch_id: str
               ) -> dict[str, Any]:
    """A batch as the caller may see it: counts of hidden lists are left out."""
    try:
        info = results.batch_info(con, batch_id)
    except KeyError:
        raise NotFound(f"no batch {batch_id}") from None
    hidden = set(hidden_lists(caller, con))
    per_list = {k: v for k, v in info["alerts_per_list"].items() if k not in hidden}
    counts = status_counts(con, caller, batch_id)
    view = {k: v for k, v in info.items() if k not in ("alerts_per_list", "snapshots")}
    view.update({
        "alerts": sum(per_list.values()), "alerts_per_list": per_list,
        "status_counts": counts, "suppressed": counts.get(Status.SUPPRESSED, 0),
        "snapshots": [s for s in info["snapshots"] if s["list_id"] not in hidden],
        "rejections": results.batch_rejections(con, batch_id)[:20],
    })
    return view


def get_batch(batch_id: str) -> ResponseValue:
    """Status, progress and counts of one batch."""
    return batch_view(get_con(), principal(), batch_id)


def list_batches() -> ResponseValue:
    """The newest batches first."""
    per_page = query_int("per_page", 50, 1, 500)
    page = query_int("page", 1, 1, 1_000_000)
    return {"batches": recent_batches(get_con(), per_page, (page - 1) * per_page),
            "page": page, "per_page": per_page}


def recent_batches(con: duckdb.DuckDBPyConnection, limit: int, offset: int = 0
                   ) -> list[dict[str, Any]]:
    cursor = con.execute(
        "SELECT batch_id, created_at, created_by, source_name, format, status, progress, "
        "records_read, records_rejected, error, finished_at FROM batches "
        "ORDER BY created_at DESC, batch_id LIMIT ? OFFSET ?", [limit, offset])
    names = [d[0] for d in cursor.description or []]
    return [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]


def hit_filter(batch_id: str | None) -> AlertFilter:
    """The alert filter from the query string (list_id, min/max_score, status)."""
    status = query_choice("status", tuple(s.value for s in Status))
    low, high = query_float("min_score"), query_float("max_score")
    return AlertFilter(batch_id=batch_id or request.args.get("batch_id") or None,
                       status=status, list_id=request.args.get("list_id") or None,
                       min_score=low, max_score=high)


def page_of_hits(batch_id: str | None) -> dict[str, Any]:
    """One page of visible hits, filtered and sorted by the query string."""
    con, caller = get_con(), principal()
    filters = hit_filter(batch_id)
    sort = query_choice("sort", SORTS, "-score") or "-score"
    per_page = query_int("per_page", 50, 1, 500)
    page = query_int("page", 1, 1, 1_000_000)
    hits = list_alerts(con, caller, filters, sort=sort.lstrip("-"),
                       descending=sort.startswith("-"), limit=per_page,
                       offset=(page - 1) * per_page)
    return {"total": count_alerts(con, caller, filters), "page": page, "per_page": per_page,
            "sort": sort, "hits": [h.to_dict() for h in hits]}


def batch_hits(batch_id: str) -> ResponseValue:
    """Hits of one batch with filters, sorting and paging."""
    batch_view(get_con(), principal(), batch_id)  # 404 for an unknown batch
    return {"batch_id": batch_id, **page_of_hits(batch_id)}


def export_batch(batch_id: str) -> ResponseValue:
    """Every visible hit of the batch as CSV, Parquet or JSON (audited)."""
    fmt = query_choice("format", ("csv", "parquet", "json"), "csv") or "csv"
    con, caller = get_con(), principal()
    batch_view(con, caller, batch_id)
    frame = export_alerts(con, caller, hit_filter(batch_id))
    buffer = io.BytesIO()
    if fmt == "csv":
        frame.write_csv(buffer)
    elif fmt == "parquet":
        frame.write_parquet(buffer)
    else:
        buffer.write(json.dumps(frame.to_dicts(), default=str, ensure_ascii=False).encode())
    with database().write_lock:
        in_transaction(con, lambda: record(con, caller.actor, "batch.export",
                                           f"batch:{batch_id}", None,
                                           {"format": fmt, "rows": frame.height}))
    mimetypes = {"csv": "text/csv", "parquet": "application/vnd.apache.parquet",
                 "json": "application/json"}
    return Response(buffer.getvalue(), mimetype=mimetypes[fmt], headers={
        "Content-Disposition": f'attachment; filename="batch-{batch_id}-hits.{fmt}"'})
