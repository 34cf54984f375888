"""Re-screening stored parties against the UN 2018 -> 2026 delta: only new alerts, once."""

from __future__ import annotations

import json
from pathlib import Path

import duckdb
import polars as pl

from lists.delta import compute_delta
from lists.ingest import load_paths
from lists.store import ListStore
from screening import results
from screening.review.rescreen import record_parties, rescreen_delta
from screening.review.snapshots import on_new_snapshot
from tests.screening.review.helpers import add_alert

UN_2018 = "un/consolidated_2018-10-29.xml"
UN_2026 = "un/consolidated_2026-02-27.xml"
# DATAID 110416 is new in 2026 (not in the 2018 file): JAVAD RAHIQI, born 24 April 1954.
ADDED_ID, ADDED_NAME, ADDED_DOB = "110416", "JAVAD RAHIQI", "1954-04-24"


def _parties() -> pl.DataFrame:
    return pl.DataFrame({
        "source_position": [0, 1, 2],
        "name": [ADDED_NAME, "Marie-Claire Vandenbroucke", ADDED_NAME],
        "schema": ["Person", "Person", "Person"],
        "birth_date": [ADDED_DOB, "1985-02-11", ADDED_DOB],
        "country": [None, "BE", None],
        "id_number": [None, None, None],
    })


def test_record_parties_keys_like_the_alerts_and_skips_repeats(
    con: duckdb.DuckDBPyConnection,
) -> None:
    assert record_parties(con, "b1", _parties()) == 2  # the repeated party is kept once
    assert record_parties(con, "b1", _parties()) == 0
    keys = dict(con.execute("SELECT name, party_key FROM screened_parties").fetchall())
    assert keys[ADDED_NAME] == results.party_key(ADDED_NAME, ADDED_DOB)
    party = con.execute(
        "SELECT party FROM screened_parties WHERE name = ?", [ADDED_NAME]
    ).fetchone()
    assert party is not None and json.loads(party[0])["birth_date"] == ADDED_DOB


def test_rescreen_raises_one_new_alert_for_an_added_entity_then_nothing(
    con: duckdb.DuckDBPyConnection, shared_data: Path
) -> None:
    store = ListStore(con)
    load_paths(store, [shared_data / UN_2018])
    record_parties(con, "batch-2018", _parties())
    assert rescreen_delta(con, "un_sc").new_alerts == 0  # one snapshot: nothing to compare
    load_paths(store, [shared_data / UN_2026])
    old, new = store.snapshots("un_sc")
    delta = compute_delta(store, old, new)
    # Counted independently from the DATAID elements of both files (comm over sorted ids).
    assert (len(delta.added), len(delta.removed)) == (112, 202)

    outcome = on_new_snapshot(con, "un_sc")
    result = outcome.rescreen
    assert result is not None
    assert (result.old_version, result.new_version) == (1, 2)
    assert result.entities_screened == len(delta.added) + len(delta.changed)
    assert (result.parties_screened, result.new_alerts) == (2, 1)
    alerts = con.execute(
        "SELECT batch_id, party_key, entity_id, list_id, list_version, score, status, "
        "explanation FROM alerts"
    ).fetchall()
    assert len(alerts) == 1
    batch_id, party_key, entity_id, list_id, version, score, status, explanation = alerts[0]
    assert (batch_id, entity_id, list_id, version, status) == (
        result.batch_id, ADDED_ID, "un_sc", 2, "open"
    )
    assert party_key == results.party_key(ADDED_NAME, ADDED_DOB) and score >= 0.95
    assert explanation.endswith("[Re-screening: entity added in un_sc v1->v2.]")
    batch = con.execute(
        "SELECT format, source_name, status, alerts, snapshots FROM batches WHERE batch_id = ?",
        [batch_id],
    ).fetchone()
    assert batch is not None and batch[:4] == ("rescreen", "rescreen un_sc v1->v2", "done", 1)
    assert json.loads(batch[4]) == [{"list_id": "un_sc", "version": 2}]
    logged = con.execute(
        "SELECT \"after\"->>'new_alerts' FROM audit_log WHERE action = 'list.rescreen'"
    ).fetchall()
    assert logged == [("1",)]

    again = rescreen_delta(con, "un_sc")
    assert (again.hits, again.new_alerts, again.batch_id) == (1, 0, None)
    assert con.execute("SELECT count(*) FROM alerts").fetchone() == (1,)


def test_pairs_with_an_alert_already_are_skipped(
    con: duckdb.DuckDBPyConnection, shared_data: Path
) -> None:
    store = ListStore(con)
    load_paths(store, [shared_data / UN_2018])
    load_paths(store, [shared_data / UN_2026])
    key = results.party_key(ADDED_NAME, ADDED_DOB)
    add_alert(con, entity_id=ADDED_ID, party_key=key, batch_id="earlier")
    record_parties(con, "earlier", _parties())
    result = rescreen_delta(con, "un_sc")
    assert (result.hits, result.new_alerts, result.batch_id) == (1, 0, None)


def test_parties_known_only_from_alerts_are_rescreened(
    con: duckdb.DuckDBPyConnection, shared_data: Path
) -> None:
    store = ListStore(con)
    load_paths(store, [shared_data / UN_2018])
    load_paths(store, [shared_data / UN_2026])
    con.execute(
        "INSERT INTO alerts (alert_id, batch_id, party_key, party_name, party, entity_id, "
        "list_id, score) VALUES (nextval('alert_ids'), 'old', 'k1', ?, ?, 'X', 'other', 0.8)",
        [ADDED_NAME, json.dumps({"name": ADDED_NAME, "birth_date": ADDED_DOB})],
    )
    result = rescreen_delta(con, "un_sc")
    assert (result.parties_screened, result.new_alerts) == (1, 1)
    found = con.execute("SELECT party_key, entity_id FROM alerts WHERE list_id = 'un_sc'")
    assert found.fetchall() == [("k1", ADDED_ID)]
