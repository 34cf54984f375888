"""JSON views of the lists: current snapshots, versions, deltas, and the admin refresh.

Confidential lists the caller is not cleared for are absent everywhere here, as if they did
not exist (NotFound by id).
"""

from __future__ import annotations

from dataclasses import asdict
from typing import Any

import duckdb
from flask import request

from api.auth import principal
from api.db import get_con, writing
from api.errors import Invalid
from api.validate import Field, body, query_int
from lists.delta import compute_delta
from lists.sources import SOURCES
from lists.store import ListStore, Snapshot
from lists.update import update_source
from screening.review import on_new_snapshot
from screening.review.audit import record
from screening.review.db import in_transaction
from screening.review.errors import NotFound
from screening.review.users import Principal, visible_lists

ResponseValue = tuple[dict[str, Any], int] | dict[str, Any]
REFRESH_BODY = {"list_ids": Field((list,), help="configured list ids; default: all")}


def _visible(con: duckdb.DuckDBPyConnection, caller: Principal,
             snapshots: list[Snapshot]) -> list[Snapshot]:
    allowed = visible_lists(caller, con)
    return [s for s in snapshots if allowed is None or s.list_id in allowed]


def snapshot_dict(snapshot: Snapshot, versions: int | None = None) -> dict[str, Any]:
    data = asdict(snapshot)
    if versions is not None:
        data["versions"] = versions
    return data


def current_lists(con: duckdb.DuckDBPyConnection, caller: Principal) -> list[dict[str, Any]]:
    """The current snapshot of every visible list, with its number of versions."""
    store = ListStore(con)
    every = _visible(con, caller, store.snapshots())
    counts: dict[str, int] = {}
    for snap in every:
        counts[snap.list_id] = counts.get(snap.list_id, 0) + 1
    return [snapshot_dict(s, counts[s.list_id]) for s in every if s.is_current]


def list_versions(con: duckdb.DuckDBPyConnection, caller: Principal, list_id: str
                  ) -> list[Snapshot]:
    """Every version of a visible list, oldest first; NotFound otherwise."""
    found = _visible(con, caller, ListStore(con).snapshots(list_id))
    if not found:
        raise NotFound(f"no list {list_id!r}; GET /v1/lists shows the lists you may see")
    return found


def get_lists() -> ResponseValue:
    """Current snapshots: versions, entity and name counts, publication dates."""
    return {"lists": current_lists(get_con(), principal())}


def get_versions(list_id: str) -> ResponseValue:
    """Every stored version of one list."""
    versions = list_versions(get_con(), principal(), list_id)
    return {"list_id": list_id, "versions": [snapshot_dict(s) for s in versions]}


def delta_between(con: duckdb.DuckDBPyConnection, caller: Principal, list_id: str,
                  old: int | None, new: int | None) -> dict[str, Any]:
    """The delta of two versions (default: the current one against the one before)."""
    versions = {s.version: s for s in list_versions(con, caller, list_id)}
    new_v = new if new is not None else max(versions)
    old_v = old if old is not None else new_v - 1
    missing = [v for v in (old_v, new_v) if v not in versions]
    if missing:
        raise Invalid(f"{list_id} has no version {missing[0]}; versions: "
                      f"{', '.join(map(str, sorted(versions)))}",
                      [{"field": "old" if old_v in missing else "new", "problem": "no such "
                        "version"}])
    return compute_delta(ListStore(con), versions[old_v], versions[new_v]).to_dict()


def get_delta(list_id: str) -> ResponseValue:
    """Added, removed and changed entities between two versions (old, new parameters)."""
    old = query_int("old", 0, 1, 1_000_000) if request.args.get("old") else None
    new = query_int("new", 0, 1, 1_000_000) if request.args.get("new") else None
    return delta_between(get_con(), principal(), list_id, old, new)


def refresh() -> ResponseValue:
    """Download the configured lists; each new snapshot invalidates whitelist entries of
    changed entities and re-screens the stored parties against the delta."""
    data = body(REFRESH_BODY) if request.get_data(cache=True).strip() else {}
    known = {s.list_id: s for s in SOURCES}
    wanted = data.get("list_ids") or sorted(known)
    unknown = [w for w in wanted if w not in known]
    if unknown:
        raise Invalid(f"unknown list ids {unknown}; configured: {', '.join(sorted(known))}",
                      [{"field": "list_ids", "problem": f"unknown: {u}"} for u in unknown])
    caller = principal()
    outcomes = []
    with writing() as con:
        for list_id in wanted:
            result = update_source(ListStore(con), known[list_id]).to_dict()
            if result["status"] == "updated":
                follow = on_new_snapshot(con, list_id)
                result["whitelist_invalidated"] = follow.invalidated
                result["rescreen"] = asdict(follow.rescreen) if follow.rescreen else None
            outcomes.append(result)
        in_transaction(con, lambda: record(con, caller.actor, "list.refresh", "lists", None,
                                           {"results": outcomes}))
    return {"results": outcomes}
