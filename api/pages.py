"""The analyst pages: server-rendered HTML over the same review services as the JSON API.

Logged-in users only (``auth.page``); every POST form carries the session's CSRF token
(checked before any view runs). A refused action (four-eyes, conflict, invalid value) comes
back as a message on the page it was made from, never as a lost change.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from flask import (
    Blueprint,
    abort,
    flash,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from werkzeug.wrappers import Response

from api.auth import check_csrf, login_session, page, principal, safe_next, session_user
from api.db import database, get_con, writing
from api.hits import hit_detail
from api.jobs import queue_batch, save_upload
from api.json_batches import batch_view, jobs, page_of_hits, recent_batches
from api.json_lists import current_lists, delta_between, list_versions
from api.recorder import flush_screenings
from screening.review import REASON_CODES, Outcome, Status, approve, decide, reopen
from screening.review.audit import read_audit, record, verify
from screening.review.db import in_transaction
from screening.review.errors import ReviewError
from screening.review.users import Permission, authenticate_password
from screening.review.whitelist import (
    approve_entry,
    list_entries,
    propose,
    reject_entry,
    revoke_entry,
)

bp = Blueprint("pages", __name__, template_folder="templates", static_folder="static",
               static_url_path="/static")
P = Permission


@bp.before_request
def _csrf() -> None:
    check_csrf()


@bp.app_template_filter("pct")
def _pct(value: float | None) -> str:
    return "" if value is None else f"{100 * float(value):.0f}%"


@bp.app_template_filter("score")
def _score(value: float | None) -> str:
    return "" if value is None else f"{float(value):.2f}"


@bp.app_template_filter("tojson_pretty")
def _json(value: Any) -> str:
    return "" if value is None else json.dumps(value, ensure_ascii=False, default=str)


@bp.app_context_processor
def _context() -> dict[str, Any]:
    return {"P": P, "Status": Status}


def _act(action: Callable[[], object], success: str, back: str) -> Response:
    """Run a review action: flash its success or the reason it was refused, then go back."""
    try:
        action()
        flash(success, "ok")
    except ReviewError as exc:
        flash(str(exc), "error")
    return redirect(back)


# -- login ----------------------------------------------------------------------------------------


@bp.route("/login", methods=["GET", "POST"])
def login() -> Any:
    if request.method == "POST":
        name = request.form.get("username", "").strip()
        password = request.form.get("password", "")
        with writing() as con:
            user = authenticate_password(con, name, password) if name and password else None
        if user is not None:
            login_session(user.name)
            return redirect(safe_next(request.args.get("next")) or url_for("pages.home"))
        flash("Unknown user name or wrong password.", "error")
    return render_template("login.html")


@bp.route("/logout", methods=["POST"])
def logout() -> Response:
    user = session_user()
    if user is not None:
        with writing() as con:
            in_transaction(con, lambda: record(con, user.name, "logout", f"user:{user.name}",
                                               None, None))
    session.clear()
    flash("You are logged out.", "ok")
    return redirect(url_for("pages.login"))


@bp.route("/")
@page(P.REVIEW)
def home() -> Response:
    return redirect(url_for("pages.batches"))


# -- batches --------------------------------------------------------------------------------------


@bp.route("/batches", methods=["GET", "POST"])
@page(P.REVIEW)
def batches() -> Any:
    if request.method == "POST":
        if not principal().can(P.SUBMIT_BATCH):
            abort(403)
        upload = request.files.get("file")
        if upload is None or not upload.filename:
            flash("Choose a file to upload.", "error")
            return redirect(url_for("pages.batches"))
        raw = request.form.get("threshold", "").strip()
        try:
            threshold = float(raw) if raw else None
            path = save_upload(jobs(), upload)
            batch_id = queue_batch(database(), jobs(), path, upload.filename, threshold,
                                   principal().actor)
        except (ValueError, ReviewError) as exc:
            flash(f"Upload refused: {exc}", "error")
            return redirect(url_for("pages.batches"))
        flash(f"Batch {batch_id[:8]} queued.", "ok")
        return redirect(url_for("pages.batch", batch_id=batch_id))
    return render_template("batches.html", batches=recent_batches(get_con(), 100))


@bp.route("/batches/<batch_id>")
@page(P.REVIEW)
def batch(batch_id: str) -> str:
    return render_template("batch.html", batch=batch_view(get_con(), principal(), batch_id))


@bp.route("/batches/<batch_id>/export")
@page(P.REVIEW)
def batch_export(batch_id: str) -> Any:
    """The JSON API's export (same filters, clearance and audit entry) for logged-in users."""
    from api.json_batches import export_batch

    return export_batch(batch_id)


@bp.route("/batches/<batch_id>/progress.json")
@page(P.REVIEW)
def batch_progress(batch_id: str) -> dict[str, Any]:
    view = batch_view(get_con(), principal(), batch_id)
    return {k: view[k] for k in ("batch_id", "status", "progress", "records_read", "alerts",
                                 "error")}


# -- hits -----------------------------------------------------------------------------------------


@bp.route("/hits")
@page(P.REVIEW)
def hits() -> str:
    found = page_of_hits(None)
    return render_template("hits.html", result=found, args=request.args,
                           statuses=[s.value for s in Status])


@bp.route("/hits/<int:alert_id>")
@page(P.REVIEW)
def hit(alert_id: int) -> str:
    detail = hit_detail(get_con(), principal(), alert_id)
    codes = {o.value: [(c, text) for c, (oc, text) in REASON_CODES.items() if oc is o]
             for o in Outcome}
    return render_template("hit.html", d=detail, h=detail["hit"], codes=codes,
                           user=principal())


def _version() -> int | None:
    raw = request.form.get("version", "")
    return int(raw) if raw.isdigit() else None


@bp.route("/hits/<int:alert_id>/decide", methods=["POST"])
@page(P.DECIDE)
def decide_hit(alert_id: int) -> Response:
    form = request.form
    with writing() as con:
        return _act(lambda: decide(con, alert_id, principal(), form.get("outcome", ""),
                                   form.get("reason_code", ""), form.get("comment", ""),
                                   _version()),
                    "Decision recorded.", url_for("pages.hit", alert_id=alert_id))


@bp.route("/hits/<int:alert_id>/approve", methods=["POST"])
@page(P.APPROVE)
def approve_hit(alert_id: int) -> Response:
    approved = request.form.get("approve") == "yes"
    back = safe_next(request.form.get("next")) or url_for("pages.hit", alert_id=alert_id)
    with writing() as con:
        return _act(lambda: approve(con, alert_id, principal(), approved,
                                    request.form.get("comment", ""), _version()),
                    "Decision approved: the hit is closed." if approved else
                    "Decision rejected: the hit is back in review.", back)


@bp.route("/hits/<int:alert_id>/reopen", methods=["POST"])
@page(P.REOPEN)
def reopen_hit(alert_id: int) -> Response:
    with writing() as con:
        return _act(lambda: reopen(con, alert_id, principal(), request.form.get("comment", ""),
                                   _version()),
                    "Hit reopened.", url_for("pages.hit", alert_id=alert_id))


@bp.route("/hits/<int:alert_id>/whitelist", methods=["POST"])
@page(P.DECIDE)
def propose_whitelist(alert_id: int) -> Response:
    from datetime import date

    raw = request.form.get("expires_on", "")
    with writing() as con:
        return _act(lambda: propose(con, alert_id, principal(), request.form.get("reason", ""),
                                    date.fromisoformat(raw) if raw else None),
                    "Whitelist entry proposed; a supervisor must approve it.",
                    url_for("pages.hit", alert_id=alert_id))


# -- four-eyes queue and whitelist ----------------------------------------------------------------


@bp.route("/approvals")
@page(P.APPROVE)
def approvals() -> str:
    from screening.review import pending_approvals

    return render_template("approvals.html", hits=pending_approvals(get_con(), principal()),
                           user=principal())


@bp.route("/whitelist")
@page(P.REVIEW)
def whitelist() -> str:
    status = request.args.get("status") or None
    entries = list_entries(get_con(), principal(), status, limit=500)
    return render_template("whitelist.html", entries=entries, status=status, user=principal())


@bp.route("/whitelist/<int:entry_id>/review", methods=["POST"])
@page(P.MANAGE_WHITELIST)
def review_entry(entry_id: int) -> Response:
    comment = request.form.get("comment", "")
    approved = request.form.get("approve") == "yes"
    with writing() as con:
        def act() -> object:
            if approved:
                return approve_entry(con, entry_id, principal(), comment)
            return reject_entry(con, entry_id, principal(), comment)

        return _act(act, "Entry approved: it now suppresses repeat hits." if approved
                    else "Entry rejected.", url_for("pages.whitelist"))


@bp.route("/whitelist/<int:entry_id>/revoke", methods=["POST"])
@page(P.MANAGE_WHITELIST)
def revoke_entry_page(entry_id: int) -> Response:
    with writing() as con:
        return _act(lambda: revoke_entry(con, entry_id, principal(),
                                         request.form.get("comment", "")),
                    "Entry revoked.", url_for("pages.whitelist"))


# -- lists and audit ------------------------------------------------------------------------------


@bp.route("/lists")
@page(P.REVIEW)
def lists() -> str:
    return render_template("lists.html", lists=current_lists(get_con(), principal()))


@bp.route("/lists/<list_id>")
@page(P.REVIEW)
def list_page(list_id: str) -> str:
    con = get_con()
    versions = list_versions(con, principal(), list_id)
    old = request.args.get("old", type=int)
    new = request.args.get("new", type=int)
    delta = delta_between(con, principal(), list_id, old, new) if len(versions) > 1 else None
    return render_template("list.html", list_id=list_id, versions=versions, delta=delta)


@bp.route("/audit")
@page(P.READ_AUDIT)
def audit() -> str:
    flush_screenings()
    con = get_con()
    args = request.args
    entries = read_audit(con, principal(), actor=args.get("actor") or None,
                         action=args.get("action") or None, target=args.get("target") or None,
                         limit=200)
    return render_template("audit.html", entries=entries, check=verify(con), args=args)
