"""Reading alerts with the caller's clearance applied: hidden lists never show, anywhere.

Every function takes the principal; alerts of confidential lists it is not cleared for are
filtered in SQL, so they are absent from lists, counts, exports and single reads alike.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import duckdb
import polars as pl

from screening.review.errors import NotFound, ValidationError
from screening.review.users import Permission, Principal, hidden_lists, require
from screening.review.vocabulary import Status

_LATEST_DECISION = """
    SELECT alert_id, decision_id, outcome AS decision_outcome, reason_code,
           actor AS decided_by, comment AS decision_comment, created_at AS decided_at
    FROM decisions
    QUALIFY row_number() OVER (PARTITION BY alert_id ORDER BY decision_id DESC) = 1
"""
_COLUMNS = """
    a.alert_id, a.batch_id, a.source_position, a.transaction_id, a.role, a.party_key,
    a.party_name, a.party, a.entity_id, a.list_id, a.list_version, a.entity_caption,
    a.matched_name, a.score, a.name_score, a.explanation, a.method, a.algorithm,
    a.algorithm_version, a.threshold, a.created_at, a.status, a.suppressed_by, a.row_version,
    d.decision_id, d.decision_outcome, d.reason_code, d.decided_by, d.decision_comment,
    d.decided_at
"""
_FROM = f"FROM alerts a LEFT JOIN ({_LATEST_DECISION}) d USING (alert_id)"
SORTABLE = ("alert_id", "score", "created_at", "list_id", "status", "party_name", "entity_id")


@dataclass(frozen=True, slots=True)
class AlertView:
    """One alert as the caller may see it, with its latest decision."""

    alert_id: int
    batch_id: str
    source_position: int | None
    transaction_id: str | None
    role: str | None
    party_key: str
    party_name: str | None
    party: dict[str, Any] | None
    entity_id: str
    list_id: str
    list_version: int | None
    entity_caption: str | None
    matched_name: str | None
    score: float
    name_score: float | None
    explanation: str | None
    method: str | None
    algorithm: str | None
    algorithm_version: str | None
    threshold: float | None
    created_at: datetime | None
    status: str
    suppressed_by: int | None
    row_version: int
    decision_id: int | None
    decision_outcome: str | None
    reason_code: str | None
    decided_by: str | None
    decision_comment: str | None
    decided_at: datetime | None

    @property
    def outcome(self) -> str | None:
        """The outcome of a closed alert (None while it is not closed)."""
        return self.decision_outcome if self.status == Status.CLOSED else None

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready fields, including ``outcome``."""
        data = {name: getattr(self, name) for name in self.__slots__}
        data["outcome"] = self.outcome
        return data


def _view(row: tuple[Any, ...]) -> AlertView:
    values = list(row)
    party = values[7]
    values[7] = json.loads(party) if isinstance(party, str) else party
    return AlertView(*values)


@dataclass(frozen=True, slots=True)
class AlertFilter:
    """Optional criteria for listing alerts (all combined with AND)."""

    batch_id: str | None = None
    status: str | None = None
    list_id: str | None = None
    min_score: float | None = None
    max_score: float | None = None
    party_key: str | None = None
    entity_id: str | None = None

    def where(self) -> tuple[str, list[Any]]:
        """SQL conditions and their bound parameters."""
        checks = [
            ("a.batch_id = ?", self.batch_id), ("a.status = ?", self.status),
            ("a.list_id = ?", self.list_id), ("a.score >= ?", self.min_score),
            ("a.score <= ?", self.max_score), ("a.party_key = ?", self.party_key),
            ("a.entity_id = ?", self.entity_id),
        ]
        used = [(sql, value) for sql, value in checks if value is not None]
        return " AND ".join(["TRUE", *(sql for sql, _ in used)]), [v for _, v in used]


def _visible_where(con: duckdb.DuckDBPyConnection, principal: Principal) -> tuple[str, list[Any]]:
    return "NOT list_contains(?::VARCHAR[], a.list_id)", [hidden_lists(principal, con)]


def _build(
    con: duckdb.DuckDBPyConnection, principal: Principal, select: str, filters: AlertFilter,
    tail: str = "", tail_params: list[Any] | None = None,
) -> tuple[str, list[Any]]:
    require(principal, Permission.REVIEW)
    visible, v_params = _visible_where(con, principal)
    where, params = filters.where()
    # Only fixed SQL fragments are formatted in; every value is a bound parameter.
    sql = f"SELECT {select} {_FROM} WHERE {visible} AND {where} {tail}"
    return sql, [*v_params, *params, *(tail_params or [])]


def _query(
    con: duckdb.DuckDBPyConnection, principal: Principal, select: str, filters: AlertFilter,
    tail: str = "", tail_params: list[Any] | None = None,
) -> duckdb.DuckDBPyConnection:
    sql, params = _build(con, principal, select, filters, tail, tail_params)
    return con.execute(sql, params)


def get_alert(con: duckdb.DuckDBPyConnection, principal: Principal, alert_id: int) -> AlertView:
    """One alert, or NotFound (also when it is on a list the caller may not see)."""
    row = _query(con, principal, _COLUMNS, AlertFilter(), "AND a.alert_id = ?",
                 [alert_id]).fetchone()
    if row is None:
        raise NotFound(f"no alert {alert_id}")
    return _view(row)


def _order(sort: str, descending: bool) -> str:
    if sort not in SORTABLE:
        raise ValidationError(f"cannot sort by {sort!r}; use one of {', '.join(SORTABLE)}")
    return f"ORDER BY a.{sort} {'DESC' if descending else 'ASC'} NULLS LAST, a.alert_id"


def list_alerts(
    con: duckdb.DuckDBPyConnection, principal: Principal, filters: AlertFilter | None = None,
    sort: str = "score", descending: bool = True, limit: int = 50, offset: int = 0,
) -> list[AlertView]:
    """A page of alerts the caller may see, filtered and sorted."""
    if not 0 < limit <= 10_000 or offset < 0:
        raise ValidationError("limit must be 1..10000 and offset at least 0")
    cursor = _query(con, principal, _COLUMNS, filters or AlertFilter(),
                    f"{_order(sort, descending)} LIMIT ? OFFSET ?", [limit, offset])
    return [_view(r) for r in cursor.fetchall()]


def count_alerts(
    con: duckdb.DuckDBPyConnection, principal: Principal, filters: AlertFilter | None = None
) -> int:
    """How many alerts the caller may see match the filter."""
    row = _query(con, principal, "count(*)", filters or AlertFilter()).fetchone()
    return int(row[0]) if row else 0


def status_counts(
    con: duckdb.DuckDBPyConnection, principal: Principal, batch_id: str | None = None
) -> dict[str, int]:
    """Visible alerts per status (optionally for one batch)."""
    rows = _query(con, principal, "a.status, count(*)", AlertFilter(batch_id=batch_id),
                  "GROUP BY a.status ORDER BY a.status").fetchall()
    return {str(status): int(n) for status, n in rows}


def export_alerts(
    con: duckdb.DuckDBPyConnection, principal: Principal, filters: AlertFilter | None = None
) -> pl.DataFrame:
    """Every visible alert matching the filter as a frame (write it as CSV, Parquet or JSON)."""
    sql, params = _build(con, principal, _COLUMNS, filters or AlertFilter(), "ORDER BY a.alert_id")
    frame: pl.DataFrame = con.sql(sql, params=params).pl()
    outcome = pl.when(pl.col("status") == Status.CLOSED).then(pl.col("decision_outcome"))
    return frame.with_columns(outcome.alias("outcome"))


def history(
    con: duckdb.DuckDBPyConnection, principal: Principal, alert_id: int
) -> list[dict[str, Any]]:
    """Every decision and approval of a visible alert, oldest first."""
    get_alert(con, principal, alert_id)
    rows = con.execute(
        """
        SELECT 'decision' AS kind, decision_id AS id, actor, outcome AS what, reason_code,
               comment, created_at, previous_status, new_status
        FROM decisions WHERE alert_id = ?
        UNION ALL
        SELECT 'approval', approval_id, actor,
               CASE WHEN approved THEN 'approved' ELSE 'rejected' END, NULL,
               comment, created_at, previous_status, new_status
        FROM approvals WHERE alert_id = ?
        ORDER BY created_at, kind DESC, id
        """,
        [alert_id, alert_id],
    )
    names = [d[0] for d in cursor_description(rows)]
    return [dict(zip(names, r, strict=True)) for r in rows.fetchall()]


def cursor_description(cursor: duckdb.DuckDBPyConnection) -> list[tuple[Any, ...]]:
    """The column descriptions of an executed query."""
    return list(cursor.description or [])
