"""The `screening lists` commands, run as the installed console command on a real store."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

UN_2018 = "un/consolidated_2018-10-29.xml"
UN_2026 = "un/consolidated_2026-02-27.xml"


def run(db: Path, *args: str, ok: bool = True) -> subprocess.CompletedProcess[str]:
    exe = shutil.which("screening", path=str(Path(sys.executable).parent))
    assert exe is not None, "the screening console command is not installed"
    env = {**os.environ, "SCREENING_DB": str(db)}
    result = subprocess.run([exe, *args], capture_output=True, text=True, env=env, check=False)
    if ok:
        assert result.returncode == 0, result.stderr
    return result


def test_load_show_diff_json(tmp_path: Path, shared_data: Path) -> None:
    db = tmp_path / "cli.duckdb"
    loaded = json.loads(run(db, "lists", "load", str(shared_data / UN_2018), "--json").stdout)
    assert loaded == [
        {
            "list_id": "un_sc", "format": "un_xml", "entities": 1093,
            "names": loaded[0]["names"], "version": 1, "created": True,
            "published": loaded[0]["published"], "files": ["consolidated_2018-10-29.xml"],
            "warnings": loaded[0]["warnings"],
        }
    ]
    assert loaded[0]["names"] > 1093
    run(db, "lists", "load", str(shared_data / UN_2026), "--json")
    shown = json.loads(run(db, "lists", "show", "--json").stdout)
    assert [(s["list_id"], s["version"], s["entities"]) for s in shown] == [("un_sc", 2, 1003)]
    every = json.loads(run(db, "lists", "show", "--all", "--json").stdout)
    assert [s["version"] for s in every] == [1, 2]
    diff = json.loads(run(db, "lists", "diff", "un_sc", "--json").stdout)
    assert (diff["old_version"], diff["new_version"]) == (1, 2)
    assert diff["added"] == len(diff["added_entities"]) > 0
    assert diff["removed"] == len(diff["removed_entities"]) > 0
    text = run(db, "lists", "diff", "un_sc", "1", "2").stdout
    assert text.startswith("un_sc: version 1 -> 2:")


def test_load_table_and_list_id_override(tmp_path: Path, shared_data: Path) -> None:
    db = tmp_path / "cli.duckdb"
    out = run(db, "lists", "load", str(shared_data / UN_2026), "--list-id", "un_copy").stdout
    assert "un_copy" in out and "1003" in out and "new snapshot" in out


def test_bad_file_gives_clear_error_and_stores_nothing(tmp_path: Path) -> None:
    db = tmp_path / "cli.duckdb"
    bad = tmp_path / "list.xml"
    bad.write_text("<CONSOLIDATED_LIST><INDIVIDUALS><INDIVIDUAL>", encoding="utf-8")
    result = run(db, "lists", "load", str(bad), ok=False)
    assert result.returncode != 0
    assert "list.xml" in result.stderr
    shown = json.loads(run(db, "lists", "show", "--json").stdout)
    assert shown == []


def test_unknown_file_names_the_file(tmp_path: Path) -> None:
    db = tmp_path / "cli.duckdb"
    odd = tmp_path / "notes.bin"
    odd.write_bytes(b"\x00\x01 nothing a list loader knows")
    result = run(db, "lists", "load", str(odd), ok=False)
    assert result.returncode != 0 and "notes.bin" in result.stderr


def test_diff_needs_two_versions(tmp_path: Path, shared_data: Path) -> None:
    db = tmp_path / "cli.duckdb"
    run(db, "lists", "load", str(shared_data / UN_2026))
    result = run(db, "lists", "diff", "un_sc", ok=False)
    assert result.returncode != 0 and "fewer than two versions" in result.stderr
