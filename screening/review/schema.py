"""DuckDB tables of the review domain; ``ensure_schema`` creates whatever is missing.

decisions, approvals and audit_log are append-only: the services only ever INSERT into them
(the audit purge after the retention period is the one documented exception).
"""

from __future__ import annotations

import duckdb

from lists.store import ListStore
from screening import results

REVIEW_DDL = """
CREATE SEQUENCE IF NOT EXISTS decision_ids START 1;
CREATE SEQUENCE IF NOT EXISTS approval_ids START 1;
CREATE SEQUENCE IF NOT EXISTS whitelist_ids START 1;
CREATE TABLE IF NOT EXISTS users (
    name VARCHAR PRIMARY KEY,
    role VARCHAR NOT NULL,
    clearance VARCHAR[] NOT NULL,
    password_hash VARCHAR NOT NULL,
    created_at TIMESTAMP NOT NULL,
    created_by VARCHAR NOT NULL,
    disabled BOOLEAN NOT NULL DEFAULT FALSE
);
CREATE TABLE IF NOT EXISTS api_keys (
    key_id VARCHAR PRIMARY KEY,
    name VARCHAR NOT NULL,
    role VARCHAR NOT NULL,
    clearance VARCHAR[] NOT NULL,
    key_hash VARCHAR NOT NULL UNIQUE,
    created_at TIMESTAMP NOT NULL,
    created_by VARCHAR NOT NULL,
    revoked_at TIMESTAMP
);
CREATE TABLE IF NOT EXISTS decisions (
    decision_id BIGINT PRIMARY KEY,
    alert_id BIGINT NOT NULL,
    actor VARCHAR NOT NULL,
    outcome VARCHAR NOT NULL,
    reason_code VARCHAR NOT NULL,
    comment VARCHAR NOT NULL,
    created_at TIMESTAMP NOT NULL,
    previous_status VARCHAR NOT NULL,
    new_status VARCHAR NOT NULL
);
CREATE TABLE IF NOT EXISTS approvals (
    approval_id BIGINT PRIMARY KEY,
    decision_id BIGINT NOT NULL,
    alert_id BIGINT NOT NULL,
    actor VARCHAR NOT NULL,
    approved BOOLEAN NOT NULL,
    comment VARCHAR NOT NULL,
    created_at TIMESTAMP NOT NULL,
    previous_status VARCHAR NOT NULL,
    new_status VARCHAR NOT NULL
);
CREATE TABLE IF NOT EXISTS whitelist (
    entry_id BIGINT PRIMARY KEY,
    party_key VARCHAR NOT NULL,
    entity_id VARCHAR NOT NULL,
    list_id VARCHAR NOT NULL,
    content_hash VARCHAR NOT NULL,
    alert_id BIGINT NOT NULL,
    decision_id BIGINT NOT NULL,
    reason VARCHAR NOT NULL,
    proposed_by VARCHAR NOT NULL,
    proposed_at TIMESTAMP NOT NULL,
    expires_on DATE NOT NULL,
    status VARCHAR NOT NULL,
    approved_by VARCHAR,
    approved_at TIMESTAMP,
    invalidated_at TIMESTAMP,
    invalid_reason VARCHAR,
    row_version INTEGER NOT NULL DEFAULT 0
);
CREATE TABLE IF NOT EXISTS audit_log (
    seq BIGINT PRIMARY KEY,
    "at" TIMESTAMP NOT NULL,
    actor VARCHAR NOT NULL,
    action VARCHAR NOT NULL,
    target VARCHAR,
    "before" JSON,
    "after" JSON,
    prev_hash VARCHAR NOT NULL,
    hash VARCHAR NOT NULL
);
CREATE TABLE IF NOT EXISTS audit_anchor (
    anchor_seq BIGINT PRIMARY KEY,
    anchor_hash VARCHAR NOT NULL,
    purged_at TIMESTAMP NOT NULL,
    purged_count BIGINT NOT NULL,
    actor VARCHAR NOT NULL
);
"""


def ensure_schema(con: duckdb.DuckDBPyConnection) -> None:
    """Create the list store, batch results and review tables when missing."""
    ListStore(con)  # list_info, snapshots, entities: the review joins them
    results.ensure_schema(con)  # batches and alerts
    con.execute(REVIEW_DDL)
    from screening.review.rescreen import ensure_screened_parties

    ensure_screened_parties(con)
