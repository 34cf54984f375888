"""Good-guy whitelist: approved (party, list entity) pairs that suppress repeat alerts.

Controls (DOMAIN.md 1.7): an entry covers one pair (party_key, entity_id, list_id), never a
name; it starts from a false-positive decision on an alert; it takes effect only when a
supervisor other than the proposer approves it; it always expires (at most one year ahead); it
becomes invalid when the list entity changes or disappears in a new snapshot (its content hash
is kept at proposal time); alerts matched by an identifier are never whitelisted nor suppressed;
suppressed alerts stay in the store with status 'suppressed' and the entry id, and are reported.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

import duckdb

from screening.review.alerts import AlertFilter, AlertView, get_alert, list_alerts
from screening.review.audit import record
from screening.review.db import in_transaction, utcnow
from screening.review.errors import (
    ConflictError,
    InvalidTransition,
    NotFound,
    PermissionDenied,
    ValidationError,
)
from screening.review.users import Permission, Principal, hidden_lists, require
from screening.review.vocabulary import Outcome, Status, check_comment

MAX_VALIDITY = timedelta(days=366)  # "at most one year", leap days included
_IDENTIFIER_SQL = "coalesce(a.method, '') ILIKE '%identifier%'"


@dataclass(frozen=True, slots=True)
class WhitelistEntry:
    """One whitelist entry and where it stands."""

    entry_id: int
    party_key: str
    entity_id: str
    list_id: str
    content_hash: str
    alert_id: int
    decision_id: int
    reason: str
    proposed_by: str
    proposed_at: datetime
    expires_on: date
    status: str  # proposed, active, rejected, invalid, revoked
    approved_by: str | None
    approved_at: datetime | None
    invalidated_at: datetime | None
    invalid_reason: str | None
    row_version: int

    def effective_status(self, today: date | None = None) -> str:
        """The status, with 'expired' for active entries past their expiry date."""
        day = today or utcnow().date()
        return "expired" if self.status == "active" and self.expires_on < day else self.status

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready fields plus the effective status."""
        data = {name: getattr(self, name) for name in self.__slots__}
        data["effective_status"] = self.effective_status()
        return data


def _entry_row(con: duckdb.DuckDBPyConnection, entry_id: int) -> WhitelistEntry:
    row = con.execute("SELECT * FROM whitelist WHERE entry_id = ?", [entry_id]).fetchone()
    if row is None:
        raise NotFound(f"no whitelist entry {entry_id}")
    return WhitelistEntry(*row)


def get_entry(
    con: duckdb.DuckDBPyConnection, principal: Principal, entry_id: int
) -> WhitelistEntry:
    """One entry, or NotFound (also when its list is hidden from the caller)."""
    require(principal, Permission.REVIEW)
    entry = _entry_row(con, entry_id)
    if entry.list_id in hidden_lists(principal, con):
        raise NotFound(f"no whitelist entry {entry_id}")
    return entry


def list_entries(
    con: duckdb.DuckDBPyConnection, principal: Principal, status: str | None = None,
    limit: int = 100, offset: int = 0,
) -> list[WhitelistEntry]:
    """Entries of lists the caller may see, newest first, optionally by stored status."""
    require(principal, Permission.REVIEW)
    rows = con.execute(
        "SELECT * FROM whitelist WHERE NOT list_contains(?::VARCHAR[], list_id) "
        "AND (? IS NULL OR status = ?) ORDER BY entry_id DESC LIMIT ? OFFSET ?",
        [hidden_lists(principal, con), status, status, limit, offset],
    ).fetchall()
    return [WhitelistEntry(*r) for r in rows]


def entity_hash(
    con: duckdb.DuckDBPyConnection, list_id: str, entity_id: str, version: int | None = None
) -> str | None:
    """The entity's content hash in one version of its list (the current one by default)."""
    row = con.execute(
        """
        SELECT e.content_hash FROM entities e JOIN snapshots s USING (snapshot_id)
        WHERE s.list_id = ? AND e.entity_id = ?
          AND (CASE WHEN ? IS NULL THEN s.is_current ELSE s.version = ? END)
        """,
        [list_id, entity_id, version, version],
    ).fetchone()
    return str(row[0]) if row else None


def _check_expiry(expires_on: date | None, today: date) -> date:
    chosen = expires_on or today + timedelta(days=365)
    if chosen <= today:
        raise ValidationError(f"the expiry date {chosen} must be after today ({today})")
    if chosen > today + MAX_VALIDITY:
        raise ValidationError(f"the expiry date {chosen} is more than one year ahead; "
                              "whitelist entries must be reviewed at least yearly")
    return chosen


def _check_proposable(alert: AlertView) -> None:
    if alert.decision_outcome != Outcome.FALSE_POSITIVE or alert.status not in (
        Status.CLOSED, Status.PENDING_APPROVAL
    ):
        raise InvalidTransition(
            f"alert {alert.alert_id} has no false-positive decision; only a false positive "
            "can be whitelisted"
        )
    if "identifier" in (alert.method or "").lower():
        raise ValidationError(
            f"alert {alert.alert_id} matched by identifier: identifier matches are never "
            "whitelisted"
        )


def _entity_hash_for(con: duckdb.DuckDBPyConnection, alert: AlertView) -> str:
    at_alert = entity_hash(con, alert.list_id, alert.entity_id, alert.list_version)
    now = entity_hash(con, alert.list_id, alert.entity_id)
    if at_alert is None or now is None:
        raise ValidationError(f"entity {alert.entity_id} of {alert.list_id} is not in the store "
                              "(or no longer listed); nothing to whitelist")
    if at_alert != now:
        raise ValidationError(f"entity {alert.entity_id} changed since this alert was raised; "
                              "review the new listing instead")
    return now


def propose(
    con: duckdb.DuckDBPyConnection, alert_id: int, principal: Principal, reason: str,
    expires_on: date | None = None,
) -> WhitelistEntry:
    """Propose whitelisting the alert's (party, entity) pair after a false-positive decision."""
    require(principal, Permission.DECIDE)
    text = check_comment(reason, "propose a whitelist entry")
    today = utcnow().date()
    expiry = _check_expiry(expires_on, today)

    def work() -> WhitelistEntry:
        alert = get_alert(con, principal, alert_id)
        _check_proposable(alert)
        content_hash = _entity_hash_for(con, alert)
        clash = con.execute(
            "SELECT entry_id FROM whitelist WHERE party_key = ? AND entity_id = ? AND list_id = ? "
            "AND status IN ('proposed', 'active') AND expires_on >= ?",
            [alert.party_key, alert.entity_id, alert.list_id, today],
        ).fetchone()
        if clash:
            raise ConflictError(f"whitelist entry {clash[0]} already covers this pair")
        id_row = con.execute("SELECT nextval('whitelist_ids')").fetchone()
        assert id_row is not None and alert.decision_id is not None
        entry_id = int(id_row[0])
        con.execute(
            "INSERT INTO whitelist VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 'proposed', "
            "NULL, NULL, NULL, NULL, 0)",
            [entry_id, alert.party_key, alert.entity_id, alert.list_id, content_hash, alert_id,
             alert.decision_id, text, principal.actor, utcnow(), expiry],
        )
        entry = _entry_row(con, entry_id)
        record(con, principal.actor, "whitelist.propose", f"whitelist:{entry_id}", None,
               entry.to_dict())
        return entry

    return in_transaction(con, work)


def _review_entry(
    con: duckdb.DuckDBPyConnection, entry_id: int, principal: Principal, status: str,
    comment: str,
) -> WhitelistEntry:
    require(principal, Permission.MANAGE_WHITELIST)

    def work() -> WhitelistEntry:
        entry = get_entry(con, principal, entry_id)
        if entry.status != "proposed":
            raise InvalidTransition(f"whitelist entry {entry_id} is {entry.status}, not proposed")
        if entry.proposed_by == principal.actor:
            raise PermissionDenied(f"{principal.actor} proposed entry {entry_id}; a different "
                                   "supervisor must approve it")
        if status == "active" and entity_hash(con, entry.list_id, entry.entity_id) != (
            entry.content_hash
        ):
            raise ValidationError(f"entity {entry.entity_id} changed since the proposal; "
                                  "the entry cannot be approved")
        rows = con.execute(
            "UPDATE whitelist SET status = ?, approved_by = ?, approved_at = ?, "
            "row_version = row_version + 1 WHERE entry_id = ? AND row_version = ? "
            "RETURNING entry_id",
            [status, principal.actor, utcnow(), entry_id, entry.row_version],
        ).fetchall()
        if not rows:
            raise ConflictError(f"whitelist entry {entry_id} was changed by someone else")
        action = "whitelist.approve" if status == "active" else "whitelist.reject"
        record(con, principal.actor, action, f"whitelist:{entry_id}",
               {"status": entry.status}, {"status": status, "comment": comment})
        return _entry_row(con, entry_id)

    return in_transaction(con, work)


def approve_entry(
    con: duckdb.DuckDBPyConnection, entry_id: int, principal: Principal, comment: str = ""
) -> WhitelistEntry:
    """A supervisor other than the proposer approves the entry: it now suppresses alerts."""
    return _review_entry(con, entry_id, principal, "active", comment.strip())


def reject_entry(
    con: duckdb.DuckDBPyConnection, entry_id: int, principal: Principal, comment: str
) -> WhitelistEntry:
    """A supervisor other than the proposer rejects the proposed entry."""
    return _review_entry(con, entry_id, principal, "rejected",
                         check_comment(comment, "reject a whitelist entry"))


def revoke_entry(
    con: duckdb.DuckDBPyConnection, entry_id: int, principal: Principal, comment: str
) -> WhitelistEntry:
    """A supervisor ends a proposed or active entry before its expiry."""
    require(principal, Permission.MANAGE_WHITELIST)
    text = check_comment(comment, "revoke a whitelist entry")

    def work() -> WhitelistEntry:
        entry = get_entry(con, principal, entry_id)
        if entry.status not in ("proposed", "active"):
            raise InvalidTransition(f"whitelist entry {entry_id} is already {entry.status}")
        con.execute(
            "UPDATE whitelist SET status = 'revoked', invalidated_at = ?, invalid_reason = ?, "
            "row_version = row_version + 1 WHERE entry_id = ?", [utcnow(), text, entry_id],
        )
        record(con, principal.actor, "whitelist.revoke", f"whitelist:{entry_id}",
               {"status": entry.status}, {"status": "revoked", "comment": text})
        return _entry_row(con, entry_id)

    return in_transaction(con, work)


_APPLY_SQL = f"""
UPDATE alerts SET status = 'suppressed', suppressed_by = m.entry_id,
       row_version = alerts.row_version + 1
FROM (
    SELECT a.alert_id, min(w.entry_id) AS entry_id
    FROM alerts a JOIN whitelist w USING (party_key, entity_id, list_id)
    WHERE a.batch_id = ? AND a.status = 'open' AND NOT ({_IDENTIFIER_SQL})
      AND w.status = 'active' AND w.expires_on >= ?
    GROUP BY a.alert_id
) m
WHERE alerts.alert_id = m.alert_id
RETURNING alerts.alert_id, alerts.suppressed_by
"""  # noqa: S608 (a fixed fragment, no values)


def _has_whitelist(con: duckdb.DuckDBPyConnection) -> bool:
    row = con.execute(
        "SELECT count(*) FROM duckdb_tables() WHERE table_name = 'whitelist'"
    ).fetchone()
    return bool(row and row[0])


def apply_whitelist(con: duckdb.DuckDBPyConnection, batch_id: str) -> int:
    """Mark the batch's open alerts covered by an active entry as suppressed; returns how many."""
    if not _has_whitelist(con):
        return 0  # review tables not created yet: no entry can exist

    def work() -> int:
        rows = con.execute(_APPLY_SQL, [batch_id, utcnow().date()]).fetchall()
        if rows:
            record(con, "system", "whitelist.apply", f"batch:{batch_id}", None,
                   {"suppressed": len(rows),
                    "alerts": sorted([int(a), int(e)] for a, e in rows)})
        return len(rows)

    return in_transaction(con, work)


_CHANGED_SQL = """
WITH cur AS (SELECT snapshot_id, version FROM snapshots WHERE list_id = ? AND is_current)
SELECT w.entry_id, w.status, e.content_hash IS NULL AS removed, (SELECT max(version) FROM cur)
FROM whitelist w
LEFT JOIN entities e
       ON e.entity_id = w.entity_id AND e.snapshot_id = (SELECT max(snapshot_id) FROM cur)
WHERE w.list_id = ? AND w.status IN ('proposed', 'active')
  AND e.content_hash IS DISTINCT FROM w.content_hash
ORDER BY w.entry_id
"""


def invalidate_changed(con: duckdb.DuckDBPyConnection, list_id: str) -> int:
    """Invalidate the list's live entries whose entity changed or left the current snapshot."""

    def work() -> int:
        changed = con.execute(_CHANGED_SQL, [list_id, list_id]).fetchall()
        now = utcnow()
        for entry_id, status, removed, version in changed:
            what = "removed from" if removed else "changed in"
            reason = f"entity {what} {list_id} version {version}"
            con.execute(
                "UPDATE whitelist SET status = 'invalid', invalidated_at = ?, invalid_reason = ?,"
                " row_version = row_version + 1 WHERE entry_id = ?", [now, reason, entry_id],
            )
            record(con, "system", "whitelist.invalidate", f"whitelist:{entry_id}",
                   {"status": status}, {"status": "invalid", "reason": reason})
        return len(changed)

    return in_transaction(con, work)


def suppressed_alerts(
    con: duckdb.DuckDBPyConnection, principal: Principal, batch_id: str | None = None,
    limit: int = 1000, offset: int = 0,
) -> list[AlertView]:
    """The report of suppressed alerts (each names its whitelist entry in suppressed_by)."""
    return list_alerts(con, principal, AlertFilter(batch_id=batch_id, status=Status.SUPPRESSED),
                       sort="alert_id", descending=False, limit=limit, offset=offset)
