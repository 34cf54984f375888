"""JSON views of the review: hits, decisions, four-eyes approvals, whitelist, audit trail.

Every rule (states, four-eyes, versions, clearance) is enforced by ``screening.review``; these
views only read the request and call it. ``version`` in a body is the hit's ``row_version``
the caller saw: a change made meanwhile by someone else is a 409 conflict, never overwritten.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from flask import request

from api.auth import principal
from api.db import get_con, writing
from api.errors import Invalid
from api.hits import hit_detail
from api.json_batches import page_of_hits
from api.recorder import flush_screenings
from api.validate import Field, body, query_int
from screening.review import approve, claim, decide, pending_approvals, read_audit, reopen
from screening.review.audit import verify
from screening.review.whitelist import (
    approve_entry,
    get_entry,
    list_entries,
    propose,
    reject_entry,
    revoke_entry,
)

ResponseValue = tuple[dict[str, Any], int] | dict[str, Any]
VERSION = Field((int,), help="the row_version you saw; a newer one is a 409 conflict")
DECISION_BODY = {
    "outcome": Field((str,), required=True, help="true_match, false_positive or escalate"),
    "reason_code": Field((str,), required=True), "comment": Field((str,), required=True),
    "version": VERSION,
}
APPROVAL_BODY = {"approve": Field((bool,), required=True), "comment": Field((str,)),
                 "version": VERSION}
COMMENT_BODY = {"comment": Field((str,), required=True), "version": VERSION}
CLAIM_BODY = {"version": VERSION}
PROPOSE_BODY = {"reason": Field((str,), required=True),
                "expires_on": Field((str,), help="YYYY-MM-DD, at most one year ahead")}
ENTRY_APPROVAL_BODY = {"approve": Field((bool,), required=True), "comment": Field((str,))}
ENTRY_REVOKE_BODY = {"comment": Field((str,), required=True)}


def _optional_body(fields: dict[str, Field]) -> dict[str, Any]:
    if not request.get_data(cache=True).strip():
        return {}
    return body(fields)


def get_hit(alert_id: int) -> ResponseValue:
    """The hit with the screened party and the list entity side by side."""
    return hit_detail(get_con(), principal(), alert_id)


def list_hits() -> ResponseValue:
    """Hits across batches (batch_id, list_id, min/max_score, status filters)."""
    return page_of_hits(None)


def claim_hit(alert_id: int) -> ResponseValue:
    """Take an open hit into review."""
    data = _optional_body(CLAIM_BODY)
    with writing() as con:
        return claim(con, alert_id, principal(), data.get("version")).to_dict()


def decide_hit(alert_id: int) -> ResponseValue:
    """Decide a hit: true matches and high-score false positives wait for four-eyes approval."""
    data = body(DECISION_BODY)
    with writing() as con:
        decision = decide(con, alert_id, principal(), data["outcome"], data["reason_code"],
                          data["comment"], data.get("version"))
        return {"decision": _fields(decision), "hit": hit_detail(con, principal(), alert_id)["hit"]}


def approve_hit(alert_id: int) -> ResponseValue:
    """Four-eyes: a different supervisor approves (closes) or rejects the decision."""
    data = body(APPROVAL_BODY)
    with writing() as con:
        approval = approve(con, alert_id, principal(), data["approve"], data.get("comment") or "",
                           data.get("version"))
        return {"approval": _fields(approval),
                "hit": hit_detail(con, principal(), alert_id)["hit"]}


def reopen_hit(alert_id: int) -> ResponseValue:
    """A supervisor reopens a closed, escalated or suppressed hit."""
    data = body(COMMENT_BODY)
    with writing() as con:
        return reopen(con, alert_id, principal(), data["comment"], data.get("version")).to_dict()


def approvals_queue() -> ResponseValue:
    """Hits waiting for a four-eyes approval, oldest first."""
    per_page = query_int("per_page", 100, 1, 500)
    page = query_int("page", 1, 1, 1_000_000)
    found = pending_approvals(get_con(), principal(), per_page, (page - 1) * per_page)
    return {"hits": [h.to_dict() for h in found], "page": page, "per_page": per_page}


def _fields(record: Any) -> dict[str, Any]:
    return {name: getattr(record, name) for name in record.__slots__}


def _expiry(raw: str | None) -> date | None:
    if not raw:
        return None
    try:
        return date.fromisoformat(raw)
    except ValueError:
        raise Invalid(f"expires_on {raw!r} is not a date; use YYYY-MM-DD",
                      [{"field": "expires_on", "problem": "not a date"}]) from None


def propose_whitelist(alert_id: int) -> ResponseValue:
    """Propose whitelisting the hit's (party, entity) pair after a false-positive decision."""
    data = body(PROPOSE_BODY)
    with writing() as con:
        entry = propose(con, alert_id, principal(), data["reason"],
                        _expiry(data.get("expires_on")))
        return entry.to_dict(), 201


def list_whitelist() -> ResponseValue:
    """Whitelist entries of visible lists, newest first (optional status filter)."""
    per_page = query_int("per_page", 100, 1, 500)
    page = query_int("page", 1, 1, 1_000_000)
    entries = list_entries(get_con(), principal(), request.args.get("status") or None,
                           per_page, (page - 1) * per_page)
    return {"entries": [e.to_dict() for e in entries], "page": page, "per_page": per_page}


def get_whitelist_entry(entry_id: int) -> ResponseValue:
    return get_entry(get_con(), principal(), entry_id).to_dict()


def review_whitelist_entry(entry_id: int) -> ResponseValue:
    """A supervisor other than the proposer approves or rejects a proposed entry."""
    data = body(ENTRY_APPROVAL_BODY)
    comment = data.get("comment") or ""
    with writing() as con:
        if data["approve"]:
            return approve_entry(con, entry_id, principal(), comment).to_dict()
        return reject_entry(con, entry_id, principal(), comment).to_dict()


def revoke_whitelist_entry(entry_id: int) -> ResponseValue:
    """End a proposed or active entry before its expiry."""
    data = body(ENTRY_REVOKE_BODY)
    with writing() as con:
        return revoke_entry(con, entry_id, principal(), data["comment"]).to_dict()


def audit_log() -> ResponseValue:
    """Audit entries, newest first; filters actor, action (prefix), target."""
    per_page = query_int("per_page", 100, 1, 1000)
    page = query_int("page", 1, 1, 1_000_000)
    flush_screenings()
    found = read_audit(get_con(), principal(), actor=request.args.get("actor") or None,
                       action=request.args.get("action") or None,
                       target=request.args.get("target") or None, limit=per_page,
                       offset=(page - 1) * per_page)
    return {"entries": [_fields(e) for e in found], "page": page, "per_page": per_page}


def audit_verify() -> ResponseValue:
    """Recompute the hash chain; names the first broken entry."""
    flush_screenings()
    return _fields(verify(get_con()))
