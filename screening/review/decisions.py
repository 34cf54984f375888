"""The alert review state machine: claim, decide, four-eyes approval, reopen.

Every change is one transaction holding the alert update, its decision or approval row and its
audit entry. The update checks and increments alerts.row_version in a single statement, so two
people acting on the same alert never both win: the second gets a ConflictError.

    open --claim--> in_review
    open | in_review --decide(false_positive, score below the four-eyes level)--> closed
    open | in_review --decide(true_match, or false_positive at/above the level)--> pending_approval
    open | in_review --decide(escalate)--> escalated  (a supervisor then decides it)
    pending_approval --approve--> closed   |   --reject--> in_review
    closed | escalated | suppressed --reopen (supervisor)--> open
"""

from __future__ import annotations

from dataclasses import dataclass

import duckdb

from screening import settings
from screening.review.alerts import AlertView, get_alert
from screening.review.audit import record
from screening.review.db import in_transaction, utcnow
from screening.review.errors import ConflictError, InvalidTransition, PermissionDenied
from screening.review.users import Permission, Principal, require
from screening.review.vocabulary import (
    Outcome,
    Status,
    check_comment,
    check_reason,
    parse_outcome,
)

_DECIDABLE = {Status.OPEN, Status.IN_REVIEW}
_REOPENABLE = {Status.CLOSED, Status.ESCALATED, Status.SUPPRESSED}


@dataclass(frozen=True, slots=True)
class DecisionRecord:
    """A stored decision and the state it moved the alert to."""

    decision_id: int
    alert_id: int
    actor: str
    outcome: str
    reason_code: str
    comment: str
    previous_status: str
    new_status: str
    row_version: int


@dataclass(frozen=True, slots=True)
class ApprovalRecord:
    """A stored four-eyes approval or rejection."""

    approval_id: int
    decision_id: int
    alert_id: int
    actor: str
    approved: bool
    comment: str
    previous_status: str
    new_status: str
    row_version: int


def set_status(
    con: duckdb.DuckDBPyConnection, alert_id: int, version: int, status: str,
    clear_suppression: bool = False,
) -> int:
    """Move the alert to ``status`` if it is still at ``version``; returns the new version."""
    rows = con.execute(
        """
        UPDATE alerts SET status = ?, row_version = row_version + 1,
               suppressed_by = CASE WHEN ? THEN NULL ELSE suppressed_by END
        WHERE alert_id = ? AND row_version = ? RETURNING row_version
        """,
        [status, clear_suppression, alert_id, version],
    ).fetchall()
    if not rows:
        raise ConflictError(
            f"alert {alert_id} was changed by someone else (expected version {version}); "
            "reload it and decide again"
        )
    return int(rows[0][0])


def _current(
    con: duckdb.DuckDBPyConnection, principal: Principal, alert_id: int, version: int
) -> AlertView:
    """The alert as it is now inside the transaction, checked against the expected version."""
    alert = get_alert(con, principal, alert_id)
    if alert.row_version != version:
        raise ConflictError(
            f"alert {alert_id} is at version {alert.row_version}, not {version}: someone else "
            f"changed it (now {alert.status}); reload it"
        )
    return alert


def _pinned(
    con: duckdb.DuckDBPyConnection, principal: Principal, alert_id: int, expected: int | None
) -> int:
    """The version the caller acts on: the one they saw, else the current one."""
    return expected if expected is not None else get_alert(con, principal, alert_id).row_version


def claim(
    con: duckdb.DuckDBPyConnection, alert_id: int, principal: Principal,
    expected_version: int | None = None,
) -> AlertView:
    """Take an open alert into review (status in_review)."""
    require(principal, Permission.REVIEW)
    version = _pinned(con, principal, alert_id, expected_version)

    def work() -> AlertView:
        alert = _current(con, principal, alert_id, version)
        if alert.status not in (Status.OPEN, Status.IN_REVIEW):
            raise InvalidTransition(f"alert {alert_id} is {alert.status}; only open alerts "
                                    "can be claimed")
        set_status(con, alert_id, version, Status.IN_REVIEW)
        record(con, principal.actor, "alert.claim", f"alert:{alert_id}",
               {"status": alert.status}, {"status": Status.IN_REVIEW.value})
        return get_alert(con, principal, alert_id)

    return in_transaction(con, work)


def needs_four_eyes(outcome: Outcome, score: float, level: float | None = None) -> bool:
    """True matches always, false positives at or above the four-eyes score level."""
    threshold = settings.four_eyes_score() if level is None else level
    return outcome is Outcome.TRUE_MATCH or (
        outcome is Outcome.FALSE_POSITIVE and score >= threshold
    )


def _target_status(outcome: Outcome, score: float, level: float | None) -> Status:
    if outcome is Outcome.ESCALATE:
        return Status.ESCALATED
    return Status.PENDING_APPROVAL if needs_four_eyes(outcome, score, level) else Status.CLOSED


def _check_decidable(alert: AlertView, principal: Principal) -> None:
    if alert.status == Status.ESCALATED:
        if not principal.can(Permission.APPROVE):
            raise PermissionDenied(f"alert {alert.alert_id} is escalated: a supervisor decides it")
        return
    if alert.status not in _DECIDABLE:
        raise InvalidTransition(
            f"alert {alert.alert_id} is {alert.status}; only open, in-review or escalated "
            "alerts can be decided (a supervisor can reopen it)"
        )


def _next_id(con: duckdb.DuckDBPyConnection, sequence: str) -> int:
    row = con.execute(f"SELECT nextval('{sequence}')").fetchone()
    assert row is not None
    return int(row[0])


def decide(
    con: duckdb.DuckDBPyConnection, alert_id: int, principal: Principal, outcome: str,
    reason_code: str, comment: str, expected_version: int | None = None,
    four_eyes_score: float | None = None,
) -> DecisionRecord:
    """Record a decision; true matches and high-score false positives wait for approval."""
    require(principal, Permission.DECIDE)
    chosen = parse_outcome(outcome)
    reason = check_reason(chosen, reason_code)
    text = check_comment(comment, "decide an alert")
    version = _pinned(con, principal, alert_id, expected_version)

    def work() -> DecisionRecord:
        alert = _current(con, principal, alert_id, version)
        _check_decidable(alert, principal)
        status = _target_status(chosen, alert.score, four_eyes_score)
        new_version = set_status(con, alert_id, version, status)
        decision_id = _next_id(con, "decision_ids")
        con.execute(
            "INSERT INTO decisions VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
            [decision_id, alert_id, principal.actor, chosen.value, reason, text, utcnow(),
             alert.status, status.value],
        )
        result = DecisionRecord(decision_id, alert_id, principal.actor, chosen.value, reason,
                                text, alert.status, status.value, new_version)
        record(con, principal.actor, "alert.decide", f"alert:{alert_id}",
               {"status": alert.status, "row_version": version},
               {"status": status.value, "outcome": chosen.value, "reason_code": reason,
                "comment": text, "decision_id": decision_id, "score": alert.score})
        return result

    return in_transaction(con, work)


def approve(
    con: duckdb.DuckDBPyConnection, alert_id: int, principal: Principal, approve: bool,
    comment: str, expected_version: int | None = None,
) -> ApprovalRecord:
    """Four-eyes: a supervisor other than the decider approves (closes) or rejects a decision."""
    require(principal, Permission.APPROVE)
    text = check_comment(comment, "reject a decision") if not approve else (comment or "").strip()
    version = _pinned(con, principal, alert_id, expected_version)

    def work() -> ApprovalRecord:
        alert = _current(con, principal, alert_id, version)
        if alert.status != Status.PENDING_APPROVAL or alert.decision_id is None:
            raise InvalidTransition(f"alert {alert_id} is {alert.status}, not pending approval")
        if alert.decided_by == principal.actor:
            raise PermissionDenied(
                f"{principal.actor} made this decision and cannot approve it: four-eyes needs "
                "a different supervisor"
            )
        status = Status.CLOSED if approve else Status.IN_REVIEW
        new_version = set_status(con, alert_id, version, status)
        approval_id = _next_id(con, "approval_ids")
        con.execute(
            "INSERT INTO approvals VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
            [approval_id, alert.decision_id, alert_id, principal.actor, approve, text, utcnow(),
             alert.status, status.value],
        )
        record(con, principal.actor, "alert.approve" if approve else "alert.reject",
               f"alert:{alert_id}", {"status": alert.status, "decided_by": alert.decided_by},
               {"status": status.value, "decision_id": alert.decision_id,
                "outcome": alert.decision_outcome, "comment": text})
        return ApprovalRecord(approval_id, alert.decision_id, alert_id, principal.actor, approve,
                              text, alert.status, status.value, new_version)

    return in_transaction(con, work)


def reopen(
    con: duckdb.DuckDBPyConnection, alert_id: int, principal: Principal, comment: str,
    expected_version: int | None = None,
) -> AlertView:
    """A supervisor reopens a closed, escalated or suppressed alert (recorded in the audit log)."""
    require(principal, Permission.REOPEN)
    text = check_comment(comment, "reopen an alert")
    version = _pinned(con, principal, alert_id, expected_version)

    def work() -> AlertView:
        alert = _current(con, principal, alert_id, version)
        if alert.status not in _REOPENABLE:
            raise InvalidTransition(f"alert {alert_id} is {alert.status}; only closed, "
                                    "escalated or suppressed alerts can be reopened")
        set_status(con, alert_id, version, Status.OPEN, clear_suppression=True)
        record(con, principal.actor, "alert.reopen", f"alert:{alert_id}",
               {"status": alert.status, "outcome": alert.outcome,
                "suppressed_by": alert.suppressed_by},
               {"status": Status.OPEN.value, "comment": text})
        return get_alert(con, principal, alert_id)

    return in_transaction(con, work)


def pending_approvals(
    con: duckdb.DuckDBPyConnection, principal: Principal, limit: int = 100, offset: int = 0
) -> list[AlertView]:
    """The four-eyes queue: visible alerts waiting for approval, oldest decision first."""
    require(principal, Permission.APPROVE)
    from screening.review.alerts import AlertFilter, list_alerts

    return list_alerts(con, principal, AlertFilter(status=Status.PENDING_APPROVAL),
                       sort="alert_id", descending=False, limit=limit, offset=offset)
