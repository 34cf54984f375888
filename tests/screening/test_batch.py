"""Batch screening end to end on a real store: the UN list plus a small custom list with IBANs
and BICs, real input files in tmp_path, results read back from DuckDB."""

from __future__ import annotations

from pathlib import Path

import duckdb
import polars as pl
import pytest

from lists.ingest import load_paths
from lists.store import ListStore
from screening import batch as batch_module
from screening import results
from screening.algorithms import DEFAULT
from screening.batch import screen_file
from screening.inputs import InputFormatError

UN_2026 = "un/consolidated_2026-02-27.xml"
ZAWAHIRI = "111923"  # UN entity of Aiman Muhammed Rabi al-Zawahiri
CUSTOM_CSV = """Ref,Name,Type,IBAN,BIC
X1,Fictional Front Company SA,E,BE71096123456769,FICTBEBB
X2,Imaginary Shell Trading Ltd,E,,SHELGB2L123
"""
CUSTOM_MAPPING = """list_id: test_confidential
title: Test confidential list (fictional)
name: {full: Name}
schema_column: Type
schema_values: {P: Person, E: Organization}
id_column: Ref
identifiers:
  - {column: IBAN, kind: iban, type: IBAN}
  - {column: BIC, kind: bic, type: SWIFT/BIC}
"""
HEADER = (
    "transaction_id,amount,originator_name,originator_account,originator_bank_bic,"
    "beneficiary_name,beneficiary_account,beneficiary_bank_bic,remittance_info\n"
)


def make_store(folder: Path, shared: Path) -> Path:
    """A DuckDB store with the real UN list and the fictional custom list."""
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "custom.csv").write_text(CUSTOM_CSV, encoding="utf-8")
    (folder / "custom.mapping.yml").write_text(CUSTOM_MAPPING, encoding="utf-8")
    db = folder / "store.duckdb"
    store = ListStore(db)
    try:
        load_paths(store, [shared / UN_2026])
        load_paths(store, [folder / "custom.csv"])
    finally:
        store.close()
    return db


@pytest.fixture(scope="module")
def db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    from tests.conftest import shared_data_dir

    return make_store(tmp_path_factory.mktemp("batch"), shared_data_dir())


def alerts_of(db: Path, batch_id: str) -> pl.DataFrame:
    con = duckdb.connect(str(db))
    try:
        return results.alerts_frame(con, batch_id)
    finally:
        con.close()


def info_of(db: Path, batch_id: str) -> dict[str, object]:
    con = duckdb.connect(str(db))
    try:
        return results.batch_info(con, batch_id)
    finally:
        con.close()


def write(path: Path, rows: list[str]) -> Path:
    path.write_text(HEADER + "".join(r + "\n" for r in rows), encoding="utf-8")
    return path


def test_planted_name_alerts_every_transaction_and_role(db: Path, tmp_path: Path) -> None:
    source = write(tmp_path / "batch.csv", [
        "T1,10,Jean Dupont,,,Ayman al-Zawahiri,,,Rent March",
        "T2,20,Maria Garcia,,,Pieter de Vries,,,Rent March",
        "T3,30,Jean Dupont,,,Ayman al-Zawahiri,,,Invoice 2024-118 consulting services",
        "T4,40,Pieter de Vries,,,Maria Garcia,,,",
        "T5,50,Ayman al-Zawahiri,,,Jean Dupont,,,",
    ])
    summary = screen_file(db, source)
    assert summary.status == "done"
    assert (summary.records_read, summary.records_screened, summary.records_rejected) == (5, 5, 0)
    # 10 name rows + 3 remittance rows; the names are 4 distinct parties
    assert (summary.parties, summary.unique_names) == (13, 4)
    alerts = alerts_of(db, summary.batch_id)
    assert sorted(alerts.select("source_position", "transaction_id", "role", "entity_id")
                  .iter_rows()) == [
        (1, "T1", "beneficiary", ZAWAHIRI),
        (3, "T3", "beneficiary", ZAWAHIRI),
        (5, "T5", "originator", ZAWAHIRI),
    ]
    assert summary.alerts == 3 and summary.alerts_per_list == {"un_sc": 3}
    assert set(alerts["list_id"]) == {"un_sc"}
    assert alerts["list_version"].to_list() == [1, 1, 1]
    assert alerts["algorithm"].to_list() == ["tf-default"] * 3
    assert alerts["threshold"].to_list() == [DEFAULT.threshold] * 3
    assert alerts["status"].to_list() == ["open"] * 3
    assert (alerts["score"] >= DEFAULT.threshold).all()
    assert alerts["explanation"].str.contains("Zawahiri").all()
    # the same name, no other detail: one party key; the party column holds every field
    assert alerts["party_key"].n_unique() == 1
    assert alerts["party_key"][0] == results.party_key("Ayman al-Zawahiri")
    # every named party is kept for re-screening, alerted or not
    con = duckdb.connect(str(db))
    try:
        kept = con.execute(
            "SELECT name FROM screened_parties WHERE batch_id = ? ORDER BY name",
            [summary.batch_id],
        ).fetchall()
    finally:
        con.close()
    assert [name for (name,) in kept] == [
        "Ayman al-Zawahiri", "Jean Dupont", "Maria Garcia", "Pieter de Vries"
    ]
    assert '"transaction_id":"T5"' in alerts.filter(pl.col("role") == "originator")["party"][0]
    info = info_of(db, summary.batch_id)
    assert info["status"] == "done" and info["progress"] == 1.0
    assert info["snapshots"] == [
        {"list_id": "test_confidential", "version": 1}, {"list_id": "un_sc", "version": 1},
    ] or info["snapshots"] == [
        {"list_id": "un_sc", "version": 1}, {"list_id": "test_confidential", "version": 1},
    ]
    assert info["algorithm"] == "tf-default" and info["algorithm_version"] == DEFAULT.version
    assert info["sha256"] == summary.sha256 and len(str(summary.sha256)) == 64


def test_identifier_matches_iban_and_bic(db: Path, tmp_path: Path) -> None:
    source = write(tmp_path / "ids.csv", [
        "T1,10,Jean Dupont,BE71 0961 2345 6769,GEBABEBB,Maria Garcia,,,",   # listed IBAN
        "T2,10,Jean Dupont,,FICTBEBBXXX,Maria Garcia,,,",   # head office of a listed BIC8
        "T3,10,Jean Dupont,,FICTBEBB123,Maria Garcia,,,",   # branch of a listed BIC8
        "T4,10,Jean Dupont,,GEBABEBB,Maria Garcia,,SHELGB2L,",   # BIC8 of a listed BIC11
        "T5,10,Jean Dupont,,GEBABEBB,Maria Garcia,,SHELGB2L999,",  # another branch: no
        "T6,10,Jean Dupont,BE68539007547034,GEBABEBB,Maria Garcia,,,",  # unlisted IBAN
    ])
    summary = screen_file(db, source)
    alerts = alerts_of(db, summary.batch_id)
    assert sorted(alerts.select("source_position", "role", "entity_id", "method")
                  .iter_rows()) == [
        (1, "originator", "X1", "identifier"),
        (2, "ordering_bank", "X1", "identifier"),
        (3, "ordering_bank", "X1", "identifier"),
        (4, "beneficiary_bank", "X2", "identifier"),
    ]
    assert alerts["score"].to_list() == [1.0] * 4
    assert set(alerts["list_id"]) == {"test_confidential"}
    first = alerts.row(0, named=True)
    assert first["explanation"].startswith(
        "The account BE71096123456769 of this party is listed as the IBAN BE71096123456769 "
        "of Fictional Front Company SA"
    )
    assert first["entity_caption"] == "Fictional Front Company SA"
    assert alerts.filter(pl.col("source_position") == 2)["party_name"][0] == "FICTBEBBXXX"


def test_free_text_alerts(db: Path, tmp_path: Path) -> None:
    source = write(tmp_path / "text.csv", [
        "T1,10,Jean Dupont,,,Maria Garcia,,,PAYMENT FOR INVOICE 22 ON BEHALF OF AYMAN AL "
        "ZAWAHIRI THANKS",
        "T2,10,Jean Dupont,,,Maria Garcia,,,Rent March",
        "T3,10,Jean Dupont,,,Maria Garcia,,,Invoice 2024-118 consulting services",
    ])
    summary = screen_file(db, source)
    alerts = alerts_of(db, summary.batch_id)
    assert alerts.select("source_position", "role", "entity_id", "method").rows() == [
        (1, "free_text", ZAWAHIRI, "free text"),
    ]
    assert alerts["party_name"][0] == "AYMAN AL ZAWAHIRI"  # as written in the text
    assert alerts["explanation"][0].startswith('Found inside the free text: "AYMAN AL ZAWAHIRI"')


def test_repeats_across_chunks_are_screened_and_recorded_once(
    db: Path, tmp_path: Path
) -> None:
    rows = [
        f"T{i},10,Jean Dupont,,,Ayman al-Zawahiri,,,PAYMENT {1000 + i} FOR AYMAN AL ZAWAHIRI"
        for i in range(1, 7)
    ]
    summary = screen_file(db, write(tmp_path / "repeats.csv", rows), chunk_rows=2)
    assert (summary.records_read, summary.records_screened, summary.unique_names) == (6, 6, 2)
    alerts = alerts_of(db, summary.batch_id)
    # every transaction and role alerted, though each name and text was screened once
    assert sorted(alerts.select("source_position", "role").rows()) == [
        (i, role) for i in range(1, 7) for role in ("beneficiary", "free_text")
    ]
    assert alerts.filter(pl.col("role") == "free_text")["party_name"].unique().to_list() == [
        "AYMAN AL ZAWAHIRI"
    ]
    con = duckdb.connect(str(db))
    try:
        kept = con.execute(
            "SELECT name, party_key, party FROM screened_parties WHERE batch_id = ? "
            "ORDER BY name", [summary.batch_id],
        ).fetchall()
    finally:
        con.close()
    assert [(name, key) for name, key, _ in kept] == [
        ("Ayman al-Zawahiri", results.party_key("Ayman al-Zawahiri")),
        ("Jean Dupont", results.party_key("Jean Dupont")),
    ]
    assert all('"transaction_id":"T1"' in party for _, _, party in kept)  # the first seen


def test_reconciliation_with_bad_rows(db: Path, tmp_path: Path) -> None:
    huge = "A" * 1001
    source = tmp_path / "bad.csv"
    source.write_text(
        "transaction_id,originator_name,originator_bank_bic,beneficiary_name,"
        "beneficiary_birth_date\n"
        "T1,Jean Dupont,GEBABEBB,Ayman al-Zawahiri,\n"
        "T2,Jean Dupont,NOT A BIC,Maria Garcia,\n"
        "T3,Jean Dupont,,Maria Garcia,31/02/1980\n"
        f"T4,{huge},,Maria Garcia,\n"
        "T5,,,,\n"
        "T6,Maria Garcia,,Jean Dupont,1971-05-03\n",
        encoding="utf-8",
    )
    summary = screen_file(db, source)
    assert summary.status == "done"
    assert (summary.records_read, summary.records_screened, summary.records_rejected) == (6, 2, 4)
    assert [(r["position"], r["field"]) for r in summary.rejections] == [
        (2, "originator_bank_bic"), (3, "beneficiary_birth_date"), (4, "originator_name"),
        (5, "originator_name"),
    ]
    assert summary.alerts == 1
    con = duckdb.connect(str(db))
    try:
        stored = con.execute(
            "SELECT count(*) FROM batch_rejections WHERE batch_id = ?", [summary.batch_id]
        ).fetchone()
    finally:
        con.close()
    assert stored == (4,)


def test_crash_mid_batch_marks_failed_and_keeps_the_trace(
    db: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    source = write(tmp_path / "crash.csv", [
        "T1,10,Ayman al-Zawahiri,,,Maria Garcia,,,",
        "T2,10,Jean Dupont,,,Maria Garcia,,,",
        "T3,10,Jean Dupont,,,Maria Garcia,,,",
        "T4,10,Jean Dupont,,,Maria Garcia,,,",
    ])
    original = batch_module._BatchScreening.alerts
    calls: list[int] = []

    def failing(self: batch_module._BatchScreening, parties: pl.DataFrame) -> pl.DataFrame:
        calls.append(parties.height)
        if len(calls) == 2:
            raise RuntimeError("screener crashed on chunk 2")
        return original(self, parties)

    monkeypatch.setattr(batch_module._BatchScreening, "alerts", failing)
    with pytest.raises(RuntimeError, match="chunk 2") as caught:
        screen_file(db, source, chunk_rows=2)
    con = duckdb.connect(str(db))
    try:
        row = con.execute(
            "SELECT batch_id, status, error, records_read, alerts FROM batches "
            "WHERE source_name = 'crash.csv'"
        ).fetchall()
    finally:
        con.close()
    assert len(row) == 1
    batch_id, status, error, read, alerts = row[0]
    assert status == "failed"
    assert error == "RuntimeError: screener crashed on chunk 2"
    assert f"batch {batch_id} recorded as failed" in " ".join(caught.value.__notes__)
    # the first chunk was screened and stored; the batch says it is incomplete
    assert (read, alerts) == (2, 1)


def test_recover_interrupted(db: Path) -> None:
    con = duckdb.connect(str(db))
    try:
        results.ensure_schema(con)
        crashed = results.create_batch(con, source_name="x.csv", created_by="t", status="running")
        live = results.create_batch(con, source_name="y.csv", created_by="t", status="queued")
        results.mark_running(con, live)  # running in this process: left alone
        queued = results.create_batch(con, source_name="z.csv", created_by="t")
        recovered = results.recover_interrupted(con)
        assert crashed in recovered and live not in recovered
        statuses = dict(con.execute(
            "SELECT batch_id, status || ':' || coalesce(error, '') FROM batches "
            "WHERE batch_id IN (?, ?, ?)", [crashed, live, queued],
        ).fetchall())
        assert statuses == {
            crashed: "failed:interrupted: resubmit", live: "running:", queued: "queued:",
        }
        results.fail_batch(con, live, "test over")
    finally:
        con.close()


def test_queued_batch_is_run_under_its_id(db: Path, tmp_path: Path) -> None:
    source = write(tmp_path / "queued.csv", ["T1,10,Jean Dupont,,,Maria Garcia,,,"])
    con = duckdb.connect(str(db))
    try:
        results.ensure_schema(con)
        batch_id = results.create_batch(con, source_name="queued.csv", created_by="api")
    finally:
        con.close()
    summary = screen_file(db, source, batch_id=batch_id)
    assert summary.batch_id == batch_id and summary.status == "done"
    assert info_of(db, batch_id)["created_by"] == "api"


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("empty.csv", "", "empty file"),
        ("columns.csv", "payer,payee\nA,B\n",
         "missing required column: originator_name or beneficiary_name"),
        ("truncated.xml",
         '<?xml version="1.0"?><Document xmlns="urn:iso:std:iso:20022:tech:xsd:pacs.008.001.08">'
         "<FIToFICstmrCdtTrf><CdtTrfTxInf><Dbtr><Nm>A</Nm></Dbtr>", "malformed XML: Premature end"),
    ],
)
def test_whole_file_errors_fail_the_batch(
    db: Path, tmp_path: Path, name: str, content: str, message: str
) -> None:
    source = tmp_path / name
    source.write_text(content, encoding="utf-8")
    with pytest.raises(InputFormatError, match=message):
        screen_file(db, source)
    con = duckdb.connect(str(db))
    try:
        rows = con.execute(
            "SELECT status, error FROM batches WHERE source_name = ?", [name]
        ).fetchall()
    finally:
        con.close()
    assert len(rows) == 1 and rows[0][0] == "failed"
    assert rows[0][1].startswith("InputFormatError: ") and message in rows[0][1]


def test_huge_single_field_rejects_its_row_only(db: Path, tmp_path: Path) -> None:
    source = write(tmp_path / "huge.csv", [
        "T1,10,Jean Dupont,,,Maria Garcia,,," + "x" * 2_000_000,
        "T2,10,Ayman al-Zawahiri,,,Maria Garcia,,,",
    ])
    summary = screen_file(db, source)
    assert (summary.records_read, summary.records_screened, summary.records_rejected) == (2, 1, 1)
    assert summary.rejections[0]["field"] == "remittance_info"
    assert summary.alerts == 1


def test_unknown_schema_with_legal_form_is_an_organisation() -> None:
    rows = pl.DataFrame(
        {"key": ["a", "b", "c", "d"],
         "name": ["Nordic Textiles NV", "Jean Dupont", "Trans Gulf Agency LLC", "Acme SA"],
         "schema": [None, None, None, "Person"]},
        schema={"key": pl.Utf8, "name": pl.Utf8, "schema": pl.Utf8},
    )
    assert batch_module._with_inferred_schema(rows)["schema"].to_list() == [
        "Organization", None, "Organization", "Person",
    ]
