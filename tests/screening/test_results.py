"""The stored batch tables: schema contract, party keys, alert ids and exports."""

from __future__ import annotations

import json
from pathlib import Path

import duckdb
import polars as pl
import pytest

from screening import results

ALERT_COLUMNS = [
    ("alert_id", "BIGINT"), ("batch_id", "VARCHAR"), ("source_position", "BIGINT"),
    ("transaction_id", "VARCHAR"), ("role", "VARCHAR"), ("party_key", "VARCHAR"),
    ("party_name", "VARCHAR"), ("party", "VARCHAR"), ("entity_id", "VARCHAR"),
    ("list_id", "VARCHAR"), ("list_version", "INTEGER"), ("entity_caption", "VARCHAR"),
    ("matched_name", "VARCHAR"), ("score", "DOUBLE"), ("name_score", "DOUBLE"),
    ("explanation", "VARCHAR"), ("method", "VARCHAR"), ("algorithm", "VARCHAR"),
    ("algorithm_version", "VARCHAR"), ("threshold", "DOUBLE"), ("created_at", "TIMESTAMP"),
    ("status", "VARCHAR"), ("suppressed_by", "BIGINT"), ("row_version", "INTEGER"),
]


@pytest.fixture
def con(tmp_path: Path) -> duckdb.DuckDBPyConnection:
    connection = duckdb.connect(str(tmp_path / "results.duckdb"))
    results.ensure_schema(connection)
    results.ensure_schema(connection)  # idempotent
    return connection


def columns(con: duckdb.DuckDBPyConnection, table: str) -> list[tuple[str, str]]:
    rows = con.execute(
        "SELECT column_name, data_type FROM information_schema.columns WHERE table_name = ? "
        "ORDER BY ordinal_position", [table],
    ).fetchall()
    return [(str(n), str(t)) for n, t in rows]


def alert_rows(names: list[str | None]) -> pl.DataFrame:
    parties = pl.DataFrame(
        {
            "name": names,
            "birth_date": ["1951-06-19"] + [None] * (len(names) - 1),
            "country": ["EG"] + [None] * (len(names) - 1),
            "account": [None] * len(names),
            "id_number": [None] * len(names),
        },
        schema={c: pl.Utf8 for c in results.PARTY_KEY_FIELDS},
    )
    n = len(names)
    return parties.select(
        pl.int_range(1, n + 1, dtype=pl.Int64).alias("source_position"),
        pl.format("T{}", pl.int_range(1, n + 1)).alias("transaction_id"),
        pl.lit("beneficiary").alias("role"),
        results.party_key_text().alias("party_key_text"),
        pl.col("name").alias("party_name"),
        pl.lit("{}").alias("party"),
        pl.lit("111923").alias("entity_id"), pl.lit("un_sc").alias("list_id"),
        pl.lit(1, dtype=pl.Int32).alias("list_version"),
        pl.lit("AIMAN AL-ZAWAHIRI").alias("entity_caption"),
        pl.lit("Al Zawahiri Ayman").alias("matched_name"),
        pl.lit(0.95).alias("score"), pl.lit(0.93).alias("name_score"),
        pl.lit("because, \"quoted\"\nnew line").alias("explanation"),
        pl.lit("token alignment").alias("method"), pl.lit("tf-default").alias("algorithm"),
        pl.lit("1").alias("algorithm_version"), pl.lit(0.8).alias("threshold"),
    )


def test_schema_contract(con: duckdb.DuckDBPyConnection) -> None:
    assert columns(con, "alerts") == ALERT_COLUMNS
    assert [c for c, _ in columns(con, "batches")] == [
        "batch_id", "created_at", "created_by", "source_name", "format", "sha256", "status",
        "records_read", "records_screened", "records_rejected", "parties", "unique_names",
        "alerts", "threshold", "algorithm", "algorithm_version", "snapshots", "error",
        "finished_at", "progress",
    ]
    assert columns(con, "batch_rejections") == [
        ("batch_id", "VARCHAR"), ("position", "BIGINT"), ("field", "VARCHAR"),
        ("reason", "VARCHAR"),
    ]


def test_party_key_sql_equals_python(con: duckdb.DuckDBPyConnection) -> None:
    names = ["Ayman  al-Zawahiri ", "AYMAN AL-ZAWAHIRI", "Élodie Ñúñez", None]
    batch_id = results.create_batch(con, source_name="k.csv", created_by="t")
    assert results.insert_alerts(con, batch_id, alert_rows(names)) == 4
    keys = [r[0] for r in con.execute(
        "SELECT party_key FROM alerts WHERE batch_id = ? ORDER BY source_position", [batch_id]
    ).fetchall()]
    assert keys == [
        results.party_key("Ayman al-Zawahiri", "1951-06-19", "EG"),
        results.party_key("ayman al-zawahiri"),
        results.party_key("élodie ñúñez"),
        results.party_key(None),
    ]
    # whitespace and case do not change the key; the birth date does
    assert keys[0] != keys[1] == results.party_key("  Ayman AL-Zawahiri")


def test_party_keys_hashed_in_duckdb_equal_python(con: duckdb.DuckDBPyConnection) -> None:
    frame = pl.DataFrame({"name": ["Élodie Ñúñez", "Ayman  al-Zawahiri ", None],
                          "birth_date": ["1951-06-19", None, None]}).with_columns(
        pl.lit(None, pl.Utf8).alias(c) for c in ("country", "account", "id_number")
    )
    keyed = results.with_party_keys(
        con, frame.with_columns(results.party_key_text().alias("party_key_text"))
    )
    assert keyed["name"].to_list() == frame["name"].to_list()  # rows kept in order
    assert keyed["party_key"].to_list() == [
        results.party_key("Élodie Ñúñez", "1951-06-19"), results.party_key("ayman al-zawahiri"),
        results.party_key(None),
    ]


def test_alert_ids_defaults_and_counts(con: duckdb.DuckDBPyConnection) -> None:
    first = results.create_batch(con, source_name="a.csv", created_by="t")
    second = results.create_batch(con, source_name="b.csv", created_by="t")
    results.insert_alerts(con, first, alert_rows(["A B", "C D"]))
    results.insert_alerts(con, second, alert_rows(["E F"]))
    rows = con.execute(
        "SELECT alert_id, batch_id, status, row_version, suppressed_by FROM alerts "
        "ORDER BY alert_id"
    ).fetchall()
    assert rows == [
        (1, first, "open", 0, None), (2, first, "open", 0, None), (3, second, "open", 0, None),
    ]
    assert results.insert_rejections(con, first, [(4, "originator_bank_bic", "invalid BIC")]) == 1
    info = results.batch_info(con, first)
    assert info["alerts_per_list"] == {"un_sc": 2} and info["suppressed"] == 0
    assert results.batch_rejections(con, first) == [
        {"position": 4, "field": "originator_bank_bic", "reason": "invalid BIC"}
    ]
    with pytest.raises(KeyError):
        results.batch_info(con, "nope")


@pytest.mark.parametrize("suffix", [".csv", ".parquet", ".json"])
def test_export_round_trip(con: duckdb.DuckDBPyConnection, tmp_path: Path, suffix: str) -> None:
    batch_id = results.create_batch(con, source_name="e.csv", created_by="t")
    results.insert_alerts(con, batch_id, alert_rows(["Ayman al-Zawahiri", "Élodie Ñúñez"]))
    target = tmp_path / f"alerts{suffix}"
    assert results.export_alerts(con, batch_id, target) == 2
    if suffix == ".csv":
        back = pl.read_csv(target, infer_schema=False)
    elif suffix == ".parquet":
        back = pl.read_parquet(target)
    else:
        data = json.loads(target.read_text(encoding="utf-8"))
        assert isinstance(data, list) and len(data) == 2
        back = pl.DataFrame(data)
    assert back.columns == list(results.EXPORT_COLUMNS)
    assert back["party_name"].to_list() == ["Ayman al-Zawahiri", "Élodie Ñúñez"]
    assert back["explanation"].to_list() == ["because, \"quoted\"\nnew line"] * 2
    assert [str(v) for v in back["alert_id"].to_list()] == ["1", "2"]
    assert [float(v) for v in back["score"].to_list()] == [0.95, 0.95]
    assert back["batch_id"].to_list() == [batch_id] * 2


def test_export_refuses_unknown_suffix(con: duckdb.DuckDBPyConnection, tmp_path: Path) -> None:
    with pytest.raises(ValueError, match=r"use \.csv, \.parquet or \.json"):
        results.export_alerts(con, "x", tmp_path / "alerts.xlsx")


def test_failed_and_finished_batches(con: duckdb.DuckDBPyConnection) -> None:
    batch_id = results.create_batch(con, source_name="f.csv", created_by="t")
    results.mark_running(con, batch_id)
    counts = results.BatchCounts(10, 8, 2, 30, 12, 1)
    results.finish_batch(con, batch_id, counts)
    info = results.batch_info(con, batch_id)
    assert (info["status"], info["records_read"], info["records_screened"],
            info["records_rejected"], info["parties"], info["unique_names"], info["alerts"],
            info["progress"]) == ("done", 10, 8, 2, 30, 12, 1, 1.0)
    assert info["finished_at"] is not None
    other = results.create_batch(con, source_name="g.csv", created_by="t")
    results.fail_batch(con, other, "boom")
    assert results.batch_info(con, other)["error"] == "boom"
    with pytest.raises(KeyError):
        results.mark_running(con, "missing")
