"""Format detection and the read_batch entry point."""

from __future__ import annotations

from pathlib import Path

import polars as pl
import pytest

from screening.inputs import InputFormatError, detect_format, iter_batches, read_batch


@pytest.mark.parametrize(("name", "expected"), [
    ("batch.csv", "csv"), ("pacs008.xml", "pacs008"), ("pain001.xml", "pain001"),
    ("mt103.txt", "mt103"), ("mt103_dollar.txt", "mt103"), ("goaml_str.xml", "goaml"),
    ("goaml_activity.xml", "goaml"),
])
def test_fixtures_are_detected(fixtures: Path, name: str, expected: str) -> None:
    assert detect_format(fixtures / name) == expected


def test_binary_and_json_formats(tmp_path: Path) -> None:
    frame = pl.DataFrame({"originator_name": ["Ann"]})
    frame.write_parquet(tmp_path / "a.bin")
    frame.write_ndjson(tmp_path / "b.txt")
    assert detect_format(tmp_path / "a.bin") == "parquet"
    assert detect_format(tmp_path / "b.txt") == "jsonl"
    assert read_batch(tmp_path / "a.bin").parties["name"].to_list() == ["Ann"]


def test_unknown_and_empty(tmp_path: Path) -> None:
    path = tmp_path / "x.xml"
    path.write_text("<?xml version='1.0'?><!-- c --><html><body/></html>", encoding="utf-8")
    with pytest.raises(InputFormatError, match=r"not a pacs\.008, pain\.001 or goAML"):
        detect_format(path)
    path.write_bytes(b"\xef\xbb\xbf \n")
    with pytest.raises(InputFormatError, match="empty file"):
        read_batch(path)
    with pytest.raises(ValueError, match="unknown input format"):
        read_batch(path, format="xls")


def test_iter_batches_for_every_format(fixtures: Path) -> None:
    for name in ("batch.csv", "pacs008.xml", "mt103.txt", "goaml_str.xml"):
        chunks = list(iter_batches(fixtures / name, chunk_rows=2))
        whole = read_batch(fixtures / name)
        assert sum(c.records_read for c in chunks) == whole.records_read
        assert sum(c.parties.height for c in chunks) == whole.parties.height
        assert all(c.records_read <= 2 for c in chunks[:-1]) or name == "batch.csv"
