"""`screening screen`, run as the installed console command on a real store."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import duckdb
import polars as pl
import pytest

from screening.algorithms import DEFAULT
from tests.screening.test_batch import HEADER, ZAWAHIRI, make_store


def run(db: Path, *args: str) -> subprocess.CompletedProcess[str]:
    exe = shutil.which("screening", path=str(Path(sys.executable).parent))
    assert exe is not None, "the screening console command is not installed"
    env = {**os.environ, "SCREENING_DB": str(db)}
    return subprocess.run([exe, *args], capture_output=True, text=True, env=env, check=False)


@pytest.fixture(scope="module")
def db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    from tests.conftest import shared_data_dir

    return make_store(tmp_path_factory.mktemp("cli_screen"), shared_data_dir())


@pytest.fixture
def batch(tmp_path: Path) -> Path:
    path = tmp_path / "payments.csv"
    path.write_text(
        HEADER
        + "T1,10,Jean Dupont,BE71096123456769,GEBABEBB,Ayman al-Zawahiri,,,Rent March\n"
        + "T2,10,Maria Garcia,,NOT A BIC,Pieter de Vries,,,\n"
        + "T3,10,Maria Garcia,,,Pieter de Vries,,,ON BEHALF OF AYMAN AL ZAWAHIRI\n",
        encoding="utf-8",
    )
    return path


def test_json_summary_and_export(db: Path, batch: Path, tmp_path: Path) -> None:
    out = tmp_path / "alerts.csv"
    result = run(db, "screen", str(batch), "--output", str(out), "--json")
    assert result.returncode == 0, result.stderr
    summary = json.loads(result.stdout)
    assert summary["status"] == "done" and summary["format"] == "csv"
    assert (summary["records_read"], summary["records_screened"],
            summary["records_rejected"]) == (3, 2, 1)
    assert summary["rejections"] == [
        {"position": 2, "field": "originator_bank_bic", "reason": "invalid BIC 'NOT A BIC'"}
    ]
    assert summary["alerts"] == 3
    assert summary["alerts_per_list"] == {"test_confidential": 1, "un_sc": 2}
    assert summary["suppressed"] == 0
    assert summary["threshold"] == DEFAULT.threshold and summary["algorithm"] == "tf-default"
    assert summary["output"] == str(out)
    exported = pl.read_csv(out, infer_schema=False)
    assert sorted(exported.select("source_position", "role", "entity_id").iter_rows()) == [
        ("1", "beneficiary", ZAWAHIRI), ("1", "originator", "X1"),
        ("3", "free_text", ZAWAHIRI),
    ]
    con = duckdb.connect(str(db))
    try:
        status = con.execute(
            "SELECT status FROM batches WHERE batch_id = ?", [summary["batch_id"]]
        ).fetchone()
    finally:
        con.close()
    assert status == ("done",)


def test_text_summary(db: Path, batch: Path) -> None:
    result = run(db, "screen", str(batch), "--threshold", "0.9")
    assert result.returncode == 0, result.stderr
    assert "records read               3  (2 screened, 1 rejected)" in result.stdout
    assert "rejected record 2: originator_bank_bic: invalid BIC 'NOT A BIC'" in result.stdout
    assert "threshold 0.90" in result.stdout
    assert "\r" not in result.stdout  # no progress bar when stdout is not a terminal


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("", "empty file"),
        ("payer,payee\nA,B\n", "columns found: 'payer', 'payee'"),
        ('<?xml version="1.0"?><report><transaction><t_from>', "malformed XML"),
    ],
)
def test_whole_file_error_is_clear_and_recorded(
    db: Path, tmp_path: Path, content: str, message: str
) -> None:
    source = tmp_path / "bad.input"
    source.write_text(content, encoding="utf-8")
    result = run(db, "screen", str(source))
    assert result.returncode == 1
    assert "Error: cannot read the input:" in result.stderr and message in result.stderr
    assert "recorded as failed" in result.stderr
    assert "Traceback" not in result.stderr


def test_unknown_output_suffix_and_empty_store(db: Path, batch: Path, tmp_path: Path) -> None:
    result = run(db, "screen", str(batch), "--output", str(tmp_path / "alerts.xlsx"))
    assert result.returncode == 2 and "use a .csv, .parquet or .json file" in result.stderr
    empty = run(tmp_path / "empty.duckdb", "screen", str(batch))
    assert empty.returncode == 1
    assert "the store has no lists" in empty.stderr


def test_match_reads_a_name_of_unknown_kind_both_ways(db: Path) -> None:
    """`screening match NAME` without --schema: an organisation's name finds it at full score;
    --schema Person marks the same hit down as a person meeting an organisation."""
    untyped = json.loads(run(db, "match", "Al-Qaida", "--json").stdout)
    as_person = json.loads(run(db, "match", "Al-Qaida", "--schema", "Person", "--json").stdout)
    best, person_best = untyped["hits"][0], as_person["hits"][0]
    assert best["schema"] == "Organization" and best["score"] == 1.0
    assert "schema" not in untyped["query"]
    assert person_best["entity_id"] == best["entity_id"]
    assert person_best["score"] == pytest.approx(1.0 + DEFAULT.schema_mismatch)
    refused = run(db, "match", "Al-Qaida", "--schema", "Company")
    assert refused.returncode != 0 and "Company" in refused.stderr
