"""Stored batch results in DuckDB: batches, their rejections and alerts, and exports.

The tables live in the same DuckDB file as the list store (SCREENING_DB). A batch row is
written (status 'running') before any work starts, so a crash always leaves a trace that
``recover_interrupted`` turns into 'failed' on the next start. The review workflow reads the
``alerts`` table (status, suppressed_by and row_version are its columns).
"""

from __future__ import annotations

import hashlib
import json
import threading
import uuid
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import duckdb
import polars as pl

_SCHEMA_SQL = """
CREATE SEQUENCE IF NOT EXISTS alert_ids START 1;
CREATE TABLE IF NOT EXISTS batches (
    batch_id VARCHAR PRIMARY KEY,
    created_at TIMESTAMP,
    created_by VARCHAR,
    source_name VARCHAR,
    format VARCHAR,
    sha256 VARCHAR,
    status VARCHAR,
    records_read BIGINT,
    records_screened BIGINT,
    records_rejected BIGINT,
    parties BIGINT,
    unique_names BIGINT,
    alerts BIGINT,
    threshold DOUBLE,
    algorithm VARCHAR,
    algorithm_version VARCHAR,
    snapshots VARCHAR,
    error VARCHAR,
    finished_at TIMESTAMP,
    progress DOUBLE
);
CREATE TABLE IF NOT EXISTS batch_rejections (
    batch_id VARCHAR,
    position BIGINT,
    field VARCHAR,
    reason VARCHAR
);
CREATE TABLE IF NOT EXISTS alerts (
    alert_id BIGINT PRIMARY KEY,
    batch_id VARCHAR,
    source_position BIGINT,
    transaction_id VARCHAR,
    role VARCHAR,
    party_key VARCHAR,
    party_name VARCHAR,
    party VARCHAR,
    entity_id VARCHAR,
    list_id VARCHAR,
    list_version INTEGER,
    entity_caption VARCHAR,
    matched_name VARCHAR,
    score DOUBLE,
    name_score DOUBLE,
    explanation VARCHAR,
    method VARCHAR,
    algorithm VARCHAR,
    algorithm_version VARCHAR,
    threshold DOUBLE,
    created_at TIMESTAMP,
    status VARCHAR NOT NULL DEFAULT 'open',
    suppressed_by BIGINT,
    row_version INTEGER NOT NULL DEFAULT 0
);
"""

STATUSES = ("queued", "running", "done", "failed")
INTERRUPTED = "interrupted: resubmit"
# Columns of the alert frames ``insert_alerts`` takes (alert_id, batch_id and created_at are
# added on insert; party_key_text becomes party_key through sha256).
ALERT_COLUMNS = (
    "source_position", "transaction_id", "role", "party_key_text", "party_name", "party",
    "entity_id", "list_id", "list_version", "entity_caption", "matched_name", "score",
    "name_score", "explanation", "method", "algorithm", "algorithm_version", "threshold",
)
EXPORT_COLUMNS = (
    "alert_id", "batch_id", "source_position", "transaction_id", "role", "party_key",
    "party_name", "party", "entity_id", "list_id", "list_version", "entity_caption",
    "matched_name", "score", "name_score", "explanation", "method", "algorithm",
    "algorithm_version", "threshold", "created_at", "status", "suppressed_by",
)
PARTY_KEY_FIELDS = ("name", "birth_date", "country", "account", "id_number")

# Batches being worked on by this process: recovery must not fail them under a running thread.
_ACTIVE: set[str] = set()
_ACTIVE_LOCK = threading.Lock()


def ensure_schema(con: duckdb.DuckDBPyConnection) -> None:
    con.execute(_SCHEMA_SQL)


def _now() -> datetime:
    return datetime.now(UTC).replace(tzinfo=None)


# -- party keys ----------------------------------------------------------------------------------


def _normalised(value: str | None) -> str:
    return " ".join(value.lower().split()) if value else ""


def party_key(
    name: str | None, birth_date: str | None = None, country: str | None = None,
    account: str | None = None, id_number: str | None = None,
) -> str:
    """sha256 hex of the normalised name|birth_date|country|account|id_number (whitelist key)."""
    text = "|".join(_normalised(v) for v in (name, birth_date, country, account, id_number))
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def party_key_text() -> pl.Expr:
    """The text ``party_key`` hashes, as a Polars expression over a parties frame."""
    parts = [
        pl.col(c).cast(pl.Utf8).fill_null("").str.to_lowercase()
        .str.replace_all(r"\s+", " ").str.strip_chars()
        for c in PARTY_KEY_FIELDS
    ]
    return pl.concat_str(parts, separator="|")


def with_party_keys(con: duckdb.DuckDBPyConnection, frame: pl.DataFrame) -> pl.DataFrame:
    """``frame`` (with a party_key_text column) plus party_key, its sha256 as ``party_key``
    computes it, hashed in DuckDB in one pass (as insert_alerts does)."""
    con.register("_party_keys", frame.to_arrow())
    try:
        keyed: pl.DataFrame = con.sql(
            "SELECT *, sha256(party_key_text) AS party_key FROM _party_keys"
        ).pl()
    finally:
        con.unregister("_party_keys")
    return keyed


# -- batch lifecycle -----------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class BatchCounts:
    records_read: int
    records_screened: int
    records_rejected: int
    parties: int
    unique_names: int
    alerts: int


def create_batch(
    con: duckdb.DuckDBPyConnection, *, source_name: str, created_by: str,
    status: str = "queued", format: str | None = None, sha256: str | None = None,
) -> str:
    """A new batch row; returns its id (uuid4 hex)."""
    batch_id = uuid.uuid4().hex
    con.execute(
        "INSERT INTO batches (batch_id, created_at, created_by, source_name, format, sha256, "
        "status, progress) VALUES (?, ?, ?, ?, ?, ?, ?, 0.0)",
        [batch_id, _now(), created_by, source_name, format, sha256, status],
    )
    return batch_id


def mark_running(con: duckdb.DuckDBPyConnection, batch_id: str) -> None:
    with _ACTIVE_LOCK:
        _ACTIVE.add(batch_id)
    found = con.execute(
        "UPDATE batches SET status = 'running', error = NULL, progress = 0.0 "
        "WHERE batch_id = ? RETURNING batch_id",
        [batch_id],
    ).fetchall()
    if not found:
        release(batch_id)
        raise KeyError(f"no batch {batch_id}")


def release(batch_id: str) -> None:
    with _ACTIVE_LOCK:
        _ACTIVE.discard(batch_id)


def set_run_info(
    con: duckdb.DuckDBPyConnection, batch_id: str, *, format: str, sha256: str,
    threshold: float, algorithm: str, algorithm_version: str,
    snapshots: Sequence[dict[str, object]],
) -> None:
    """What makes the batch reproducible: input hash, list versions, algorithm, threshold."""
    kept = [{"list_id": s["list_id"], "version": s["version"]} for s in snapshots]
    con.execute(
        "UPDATE batches SET format = ?, sha256 = ?, threshold = ?, algorithm = ?, "
        "algorithm_version = ?, snapshots = ? WHERE batch_id = ?",
        [format, sha256, threshold, algorithm, algorithm_version, json.dumps(kept), batch_id],
    )


def set_progress(
    con: duckdb.DuckDBPyConnection, batch_id: str, progress: float, counts: BatchCounts
) -> None:
    con.execute(
        "UPDATE batches SET progress = ?, records_read = ?, records_screened = ?, "
        "records_rejected = ?, parties = ?, unique_names = ?, alerts = ? WHERE batch_id = ?",
        [min(progress, 1.0), counts.records_read, counts.records_screened,
         counts.records_rejected, counts.parties, counts.unique_names, counts.alerts, batch_id],
    )


def finish_batch(con: duckdb.DuckDBPyConnection, batch_id: str, counts: BatchCounts) -> None:
    set_progress(con, batch_id, 1.0, counts)
    con.execute(
        "UPDATE batches SET status = 'done', finished_at = ? WHERE batch_id = ?",
        [_now(), batch_id],
    )
    release(batch_id)


def fail_batch(con: duckdb.DuckDBPyConnection, batch_id: str, error: str) -> None:
    con.execute(
        "UPDATE batches SET status = 'failed', error = ?, finished_at = ? WHERE batch_id = ?",
        [error[:4000], _now(), batch_id],
    )
    release(batch_id)


def recover_interrupted(con: duckdb.DuckDBPyConnection) -> list[str]:
    """Batches left 'running' by a crashed process become 'failed' ('interrupted: resubmit')."""
    ensure_schema(con)
    with _ACTIVE_LOCK:
        active = sorted(_ACTIVE)
    rows = con.execute(
        "UPDATE batches SET status = 'failed', error = ?, finished_at = ? "
        "WHERE status = 'running' AND NOT list_contains(?::VARCHAR[], batch_id) "
        "RETURNING batch_id",
        [INTERRUPTED, _now(), active],
    ).fetchall()
    return sorted(str(r[0]) for r in rows)


# -- rows ----------------------------------------------------------------------------------------


def insert_rejections(
    con: duckdb.DuckDBPyConnection, batch_id: str,
    rejections: Iterable[tuple[int, str | None, str]],
) -> int:
    rows = [(batch_id, position, field, reason) for position, field, reason in rejections]
    if rows:
        frame = pl.DataFrame(
            rows, schema={"batch_id": pl.Utf8, "position": pl.Int64, "field": pl.Utf8,
                          "reason": pl.Utf8}, orient="row",
        )
        con.register("_rejections", frame.to_arrow())
        try:
            con.execute("INSERT INTO batch_rejections SELECT * FROM _rejections")
        finally:
            con.unregister("_rejections")
    return len(rows)


def insert_alerts(con: duckdb.DuckDBPyConnection, batch_id: str, alerts: pl.DataFrame) -> int:
    """Store a frame of alerts (ALERT_COLUMNS); ids come from the alert_ids sequence."""
    if alerts.height == 0:
        return 0
    frame = alerts.select(ALERT_COLUMNS)
    con.register("_alerts", frame.to_arrow())
    try:
        con.execute(
            """
            INSERT INTO alerts (alert_id, batch_id, source_position, transaction_id, role,
                party_key, party_name, party, entity_id, list_id, list_version, entity_caption,
                matched_name, score, name_score, explanation, method, algorithm,
                algorithm_version, threshold, created_at)
            SELECT nextval('alert_ids'), ?, source_position, transaction_id, role,
                sha256(party_key_text), party_name, party, entity_id, list_id, list_version,
                entity_caption, matched_name, score, name_score, explanation, method, algorithm,
                algorithm_version, threshold, ?
            FROM _alerts ORDER BY source_position, role, entity_id
            """,
            [batch_id, _now()],
        )
    finally:
        con.unregister("_alerts")
    return alerts.height


# -- reading and exporting -----------------------------------------------------------------------


def batch_info(con: duckdb.DuckDBPyConnection, batch_id: str) -> dict[str, Any]:
    """The batch row as a dict (snapshots parsed), plus alerts per list and suppressed."""
    cursor = con.execute("SELECT * FROM batches WHERE batch_id = ?", [batch_id])
    row = cursor.fetchone()
    if row is None:
        raise KeyError(f"no batch {batch_id}")
    names = [d[0] for d in cursor.description or []]
    info: dict[str, Any] = dict(zip(names, row, strict=True))
    info["snapshots"] = json.loads(info["snapshots"]) if info["snapshots"] else []
    per_list = con.execute(
        "SELECT list_id, count(*) FROM alerts WHERE batch_id = ? GROUP BY list_id ORDER BY 1",
        [batch_id],
    ).fetchall()
    info["alerts_per_list"] = {str(k): int(v) for k, v in per_list}
    suppressed = con.execute(
        "SELECT count(*) FROM alerts WHERE batch_id = ? AND status = 'suppressed'", [batch_id]
    ).fetchone()
    info["suppressed"] = int(suppressed[0]) if suppressed else 0
    return info


def batch_rejections(con: duckdb.DuckDBPyConnection, batch_id: str) -> list[dict[str, Any]]:
    rows = con.execute(
        "SELECT position, field, reason FROM batch_rejections WHERE batch_id = ? "
        "ORDER BY position",
        [batch_id],
    ).fetchall()
    return [{"position": p, "field": f, "reason": r} for p, f, r in rows]


def alerts_frame(con: duckdb.DuckDBPyConnection, batch_id: str) -> pl.DataFrame:
    """Every stored alert of a batch, in source order."""
    frame: pl.DataFrame = con.sql(
        f"SELECT {', '.join(EXPORT_COLUMNS)} FROM alerts WHERE batch_id = ? "  # noqa: S608
        "ORDER BY source_position, role, score DESC, alert_id",
        params=[batch_id],
    ).pl()
    return frame


def export_alerts(con: duckdb.DuckDBPyConnection, batch_id: str, path: Path | str) -> int:
    """Write a batch's alerts to .csv, .parquet or .json (an array of objects); returns rows."""
    target = Path(path)
    suffix = target.suffix.lower()
    if suffix not in (".csv", ".parquet", ".json"):
        raise ValueError(f"cannot export to {target.name}: use .csv, .parquet or .json")
    frame = alerts_frame(con, batch_id)
    target.parent.mkdir(parents=True, exist_ok=True)
    if suffix == ".csv":
        frame.write_csv(target)
    elif suffix == ".parquet":
        frame.write_parquet(target)
    else:
        target.write_text(
            json.dumps(frame.to_dicts(), ensure_ascii=False, default=str, indent=1) + "\n",
            encoding="utf-8",
        )
    return frame.height
