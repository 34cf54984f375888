"""Re-screening stored parties against the entities a new list snapshot added or changed.

The batch screening stores alerts only, so every screened party is also kept in
``screened_parties`` (``record_parties``, called by the batch job once per chunk). When a new
snapshot of a list becomes current, ``rescreen_delta`` screens those parties against the added
and changed entities of the delta only, skips (party, entity, list) pairs that already have an
alert, and stores the new alerts under a batch of format 'rescreen' whose source_name names the
delta ('rescreen un_sc v1->v2'); each alert's explanation also says which change caused it.
Parties are screened by name, date of birth, country, nationality and id_number.
"""

from __future__ import annotations

import hashlib
import json
import uuid
from collections.abc import Callable
from dataclasses import dataclass

import duckdb
import polars as pl

from lists.delta import compute_delta
from lists.model import Entity
from lists.store import ListStore
from screening.review.audit import record
from screening.review.db import in_transaction, utcnow
from screening.screener import Screener

SCREENED_PARTIES_DDL = """
CREATE TABLE IF NOT EXISTS screened_parties (
    batch_id VARCHAR NOT NULL,
    party_key VARCHAR NOT NULL,
    name VARCHAR NOT NULL,
    schema VARCHAR,
    birth_date VARCHAR,
    country VARCHAR,
    nationality VARCHAR,
    id_number VARCHAR,
    party JSON,
    PRIMARY KEY (batch_id, party_key)
);
"""
PARTY_FIELDS = ("name", "schema", "birth_date", "country", "nationality", "id_number")
ScreenerFactory = Callable[[list[Entity]], Screener]


def ensure_screened_parties(con: duckdb.DuckDBPyConnection) -> None:
    """Create the screened_parties table if it is missing."""
    con.execute(SCREENED_PARTIES_DDL)


def _with_key(frame: pl.DataFrame) -> pl.DataFrame:
    """The frame with a party_key: given, else sha256 of the batch's party_key_text."""
    if "party_key" in frame.columns:
        return frame.with_columns(pl.col("party_key").cast(pl.Utf8))
    from screening import results

    missing = [c for c in results.PARTY_KEY_FIELDS if c not in frame.columns]
    full = frame.with_columns([pl.lit(None, dtype=pl.Utf8).alias(c) for c in missing])
    texts = full.select(results.party_key_text()).to_series().to_list()
    keys = [hashlib.sha256(t.encode("utf-8")).hexdigest() for t in texts]
    return frame.with_columns(pl.Series("party_key", keys, dtype=pl.Utf8))


def record_parties(con: duckdb.DuckDBPyConnection, batch_id: str, parties_frame: pl.DataFrame
                   ) -> int:
    """Keep a batch's named parties for re-screening (one row per party_key); returns new rows.

    The frame has a ``name`` column and optionally party_key (computed like the alerts' key
    when absent), schema, birth_date, country, nationality, id_number and party (JSON text;
    built from all the row's columns when absent).
    """
    if "name" not in parties_frame.columns:
        raise ValueError("the parties frame needs a 'name' column")
    frame = _with_key(parties_frame)
    if "party" not in frame.columns:
        frame = frame.with_columns(
            pl.struct(parties_frame.columns).struct.json_encode().alias("party")
        )
    missing = [c for c in PARTY_FIELDS if c not in frame.columns]
    frame = frame.with_columns([pl.lit(None, dtype=pl.Utf8).alias(c) for c in missing]).select(
        pl.lit(batch_id).alias("batch_id"), "party_key",
        *[pl.col(c).cast(pl.Utf8) for c in PARTY_FIELDS], pl.col("party").cast(pl.Utf8),
    ).filter(pl.col("name").str.strip_chars().str.len_chars() > 0).unique(
        "party_key", keep="first", maintain_order=True
    )
    if frame.height == 0:
        return 0
    con.register("_screened_parties", frame.to_arrow())
    try:
        rows = con.execute(
            "INSERT INTO screened_parties SELECT * FROM _screened_parties "
            "ON CONFLICT DO NOTHING RETURNING party_key"
        ).fetchall()
    finally:
        con.unregister("_screened_parties")
    return len(rows)


@dataclass(frozen=True, slots=True)
class RescreenResult:
    """What one re-screening run did."""

    list_id: str
    old_version: int | None
    new_version: int | None
    entities_screened: int  # added + changed entities of the delta
    parties_screened: int
    hits: int  # pairs at or above the threshold, before skipping known ones
    new_alerts: int
    batch_id: str | None  # the 'rescreen' batch holding the new alerts (None when none)


def default_screener(entities: list[Entity]) -> Screener:
    """A screener over just these entities with the default algorithm."""
    from screening.api import index_from_entities

    return Screener(index_from_entities(entities))


_PARTIES_SQL = """
SELECT party_key, name, schema, birth_date, country, nationality, id_number
FROM screened_parties
QUALIFY row_number() OVER (PARTITION BY party_key ORDER BY batch_id DESC) = 1
UNION ALL
SELECT party_key, any_value(party_name), any_value(json_extract_string(party, '$.schema')),
       any_value(json_extract_string(party, '$.birth_date')),
       any_value(json_extract_string(party, '$.country')),
       any_value(json_extract_string(party, '$.nationality')),
       any_value(json_extract_string(party, '$.id_number'))
FROM alerts
WHERE party_name IS NOT NULL AND party_key NOT IN (SELECT party_key FROM screened_parties)
GROUP BY party_key
"""


def screened_parties_frame(con: duckdb.DuckDBPyConnection) -> pl.DataFrame:
    """Every party screened so far, once per party_key (stored parties, else alerts' parties)."""
    frame: pl.DataFrame = con.sql(_PARTIES_SQL).pl()
    return frame.with_columns(pl.col("id_number").alias("identifier"))


def _delta_entities(
    store: ListStore, list_id: str
) -> tuple[int, int, list[Entity], dict[str, str]] | None:
    versions = store.snapshots(list_id)
    if len(versions) < 2:
        return None
    old, new = versions[-2], versions[-1]
    delta = compute_delta(store, old, new)
    causes = {i: "added" for i, _ in delta.added} | {c.entity_id: "changed" for c in delta.changed}
    rows = store.con.execute(
        "SELECT data FROM entities WHERE snapshot_id = ? AND list_contains(?, entity_id) "
        "ORDER BY entity_id", [new.snapshot_id, sorted(causes)],
    ).fetchall()
    return old.version, new.version, [Entity.from_dict(json.loads(r[0])) for r in rows], causes


def _unseen(con: duckdb.DuckDBPyConnection, hits: pl.DataFrame) -> pl.DataFrame:
    """The best hit per (party, entity, list) pair that has no alert yet."""
    best = hits.sort("score", descending=True).unique(
        ["party_key", "entity_id", "list_id"], keep="first"
    )
    known: pl.DataFrame = con.sql("SELECT DISTINCT party_key, entity_id, list_id FROM alerts").pl()
    return best.join(known, on=["party_key", "entity_id", "list_id"], how="anti").sort(
        "party_key", "entity_id"
    )


def rescreen_delta(
    con: duckdb.DuckDBPyConnection, list_id: str,
    screener_factory: ScreenerFactory | None = None, threshold: float | None = None,
) -> RescreenResult:
    """Screen every stored party against the list's added/changed entities; raise new alerts."""
    found = _delta_entities(ListStore(con), list_id)
    if found is None or not found[2]:
        old_v, new_v = (found[0], found[1]) if found else (None, None)
        return RescreenResult(list_id, old_v, new_v, 0, 0, 0, 0, None)
    old_v, new_v, entities, causes = found
    parties = screened_parties_frame(con)
    if parties.height == 0:
        return RescreenResult(list_id, old_v, new_v, len(entities), 0, 0, 0, None)
    screener = (screener_factory or default_screener)(entities)
    all_hits = screener.screen(parties, threshold=threshold, limit=None)
    fresh = _unseen(con, all_hits)
    result = RescreenResult(list_id, old_v, new_v, len(entities), parties.height,
                            all_hits.height, fresh.height, None)
    if fresh.height == 0:
        return result
    batch_id = _store(con, list_id, old_v, new_v, fresh, causes, screener, parties.height)
    return RescreenResult(list_id, old_v, new_v, len(entities), parties.height,
                          all_hits.height, fresh.height, batch_id)


def _alert_rows(fresh: pl.DataFrame, list_id: str, old_v: int, new_v: int,
                causes: dict[str, str]) -> pl.DataFrame:
    cause = pl.col("entity_id").replace_strict(causes, default="changed")
    note = pl.format(" [Re-screening: entity {} in {} v{}->v{}.]", cause, pl.lit(list_id),
                     pl.lit(old_v), pl.lit(new_v))
    party = pl.struct(
        pl.col("name"), pl.col("schema"), pl.col("query_birth_date").alias("birth_date"),
        pl.col("query_country").alias("country"),
        pl.col("query_nationality").alias("nationality"),
        pl.col("query_identifier").alias("id_number"),
    ).struct.json_encode()
    return fresh.with_columns(
        pl.col("query_name").alias("name"), pl.col("schema").alias("entity_schema"),
    ).with_columns(
        party.alias("party"), pl.lit(new_v, dtype=pl.Int32).alias("list_version"),
        pl.concat_str([pl.col("explanation"), note]).alias("explanation"),
    ).select(
        "party_key", pl.col("name").alias("party_name"), "party", "entity_id", "list_id",
        "list_version", pl.col("caption").alias("entity_caption"), "matched_name", "score",
        "name_score", "explanation", "method", "algorithm", "algorithm_version", "threshold",
    )


def _store(
    con: duckdb.DuckDBPyConnection, list_id: str, old_v: int, new_v: int, fresh: pl.DataFrame,
    causes: dict[str, str], screener: Screener, parties: int,
) -> str:
    """The batch row, its alerts, whitelist suppression and the audit entry, atomically."""
    batch_id = uuid.uuid4().hex
    source = f"rescreen {list_id} v{old_v}->v{new_v}"
    rows = _alert_rows(fresh, list_id, old_v, new_v, causes)
    threshold = float(rows["threshold"][0])
    now = utcnow()

    def work() -> str:
        con.execute(
            "INSERT INTO batches (batch_id, created_at, created_by, source_name, format, sha256,"
            " status, records_read, records_screened, records_rejected, parties, unique_names,"
            " alerts, threshold, algorithm, algorithm_version, snapshots, finished_at, progress)"
            " VALUES (?, ?, 'system', ?, 'rescreen', ?, 'done', ?, ?, 0, ?, ?, ?, ?, ?, ?, ?, ?,"
            " 1.0)",
            [batch_id, now, source, hashlib.sha256(source.encode()).hexdigest(), parties,
             parties, parties, parties, rows.height, threshold, screener.algorithm.name,
             screener.algorithm.version,
             json.dumps([{"list_id": list_id, "version": new_v}]), now],
        )
        con.register("_rescreen_alerts", rows.to_arrow())
        try:
            con.execute(
                """
                INSERT INTO alerts (alert_id, batch_id, party_key, party_name, party, entity_id,
                    list_id, list_version, entity_caption, matched_name, score, name_score,
                    explanation, method, algorithm, algorithm_version, threshold, created_at)
                SELECT nextval('alert_ids'), ?, party_key, party_name, party, entity_id,
                    list_id, list_version, entity_caption, matched_name, score, name_score,
                    explanation, method, algorithm, algorithm_version, threshold, ?
                FROM _rescreen_alerts ORDER BY party_key, entity_id
                """,
                [batch_id, now],
            )
        finally:
            con.unregister("_rescreen_alerts")
        from screening.review.whitelist import apply_whitelist

        suppressed = apply_whitelist(con, batch_id)
        record(con, "system", "list.rescreen", f"batch:{batch_id}", None,
               {"list_id": list_id, "old_version": old_v, "new_version": new_v,
                "new_alerts": rows.height, "suppressed": suppressed,
                "entities": sorted(set(rows["entity_id"].to_list()))})
        return batch_id

    return in_transaction(con, work)
