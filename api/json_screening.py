"""JSON views: health, yente-compatible matching and real-time screening of one party/message."""

from __future__ import annotations

from typing import Any

from flask import Response, current_app, request

from api import single, yente
from api.access import Access, ListState
from api.auth import principal
from api.db import database, get_con
from api.engine import Engines, lists_for
from api.entities import EntityCache
from api.recorder import app_recorder
from api.validate import in_range, query_float, query_int, query_text, read_json

ResponseValue = tuple[dict[str, Any], int] | dict[str, Any]


def engines() -> Engines:
    found: Engines = current_app.extensions["screening.engines"]
    return found


def list_state() -> ListState:
    access: Access = current_app.extensions["screening.access"]
    return access.list_state(get_con)


def healthz() -> ResponseValue:
    """The process is up (no dependency checked)."""
    return {"status": "ok"}


def readyz() -> ResponseValue:
    """The store answers and at least one list is loaded."""
    try:
        row = get_con().execute("SELECT count(*) FROM snapshots WHERE is_current").fetchone()
    except Exception as exc:  # any store failure means "not ready", said plainly
        return {"status": "unavailable", "reason": f"store not reachable: {exc}"}, 503
    lists = int(row[0]) if row else 0
    if lists == 0:
        return {"status": "unavailable", "reason": "no list loaded", "lists": 0}, 503
    return {"status": "ready", "lists": lists, "db": str(database().path.name)}


def _thresholds(default: float) -> tuple[float, float]:
    threshold = query_float("threshold")
    chosen = default if threshold is None else threshold
    cutoff = query_float("cutoff")
    return chosen, chosen if cutoff is None else min(cutoff, chosen)


def match(dataset: str) -> ResponseValue:
    """yente's POST /match/{dataset}: query-by-example matching of up to 500 entities."""
    queries = yente.parse_body(read_json())
    limit = query_int("limit", 5, 1, 500)
    state = list_state()
    built = engines().built(state, request.args.get("algorithm") or None)
    allowed = lists_for(state, principal(), dataset)
    threshold, cutoff = _thresholds(built.screener.default_threshold)
    entity_cache: EntityCache = current_app.extensions["screening.entity_cache"]

    def screen(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
        # In a sidecar when there is one, as /v1/screen: not on the worker's GIL.
        return engines().screen_records(built, rows, cutoff, allowed)

    return yente.respond(get_con, entity_cache, built.screener, queries, screen, threshold,
                         cutoff, limit)


def screen() -> Response:
    """One party (JSON) or one payment message (XML / MT103 body), screened and stored.

    A one-party JSON request without parameters is usually answered before Flask by
    ``api.fast_screen``, through the same ``single.screened``; what it refuses comes here."""
    raw = request.get_data(cache=True)
    content_type = request.environ.get("CONTENT_TYPE")  # werkzeug's property costs ~30 us
    if single.media_type(content_type) == "application/json":
        parties = single.party_from_json(read_json())
    else:
        parties = single.parties_from_message(raw, content_type)
    threshold = query_float("threshold")
    in_range("threshold", threshold)
    limit = query_int("limit", single.DEFAULT_LIMIT, 1, 100)
    record = single.screened(engines(), list_state(), principal(), raw, parties, threshold, limit,
                             query_text("algorithm"))
    # Answered once the record is journalled; it and its audit entry are committed just after.
    body = single.answer_body(record, app_recorder().store(record))
    return current_app.response_class(body, mimetype="application/json")
