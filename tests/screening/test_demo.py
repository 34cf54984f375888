"""`screening demo` end to end as the installed command, from each origin of lists."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

from lists.sources import SOURCES
from lists.store import ListStore


def run_demo(db: Path, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    exe = shutil.which("screening", path=str(Path(sys.executable).parent))
    assert exe is not None, "the screening console command is not installed"
    return subprocess.run(
        [exe, "--db", str(db), "demo"], capture_output=True, text=True,
        env={**os.environ, **env}, check=False, timeout=600,
    )


def test_demo_from_the_local_folder(tmp_path: Path, shared_data: Path) -> None:
    db = tmp_path / "demo.duckdb"
    result = run_demo(db, {"SCREENING_SHARED_DATA": str(shared_data)})
    assert result.returncode == 0, result.stderr
    assert f"from the local folder {shared_data}" in result.stdout
    store = ListStore(db)
    try:
        loaded = {s.list_id: s.entity_count for s in store.current_snapshots()}
    finally:
        store.close()
    assert loaded["un_sc"] == 1003 and loaded["us_ofac_sdn"] == 14965
    assert re.search(r"'AL ZAWAHIRI, Dr\. Ayman' -> [^\n]*zawah", result.stdout, re.I)
    assert "'Jane Ordinary Citizen': no hit" in result.stdout
    assert re.search(r"records read +2,000 +\(2,000 screened, 0 rejected\)", result.stdout)
    # Every planted listed name is alerted, and the strongest alerts come first.
    assert "Planted names alerted: 20 of 20." in result.stdout
    # Alerts on ordinary names are counted, and told apart from the distinct false matches
    # they repeat (one per payment carrying the name).
    other = re.search(
        r"Other alerts: (\d+) on (\d+) ordinary names \(false positives for the analysts\): "
        r"(\d+) distinct pairs of an ordinary name and a list entry",
        result.stdout,
    )
    assert other is not None, result.stdout
    alerts, names, pairs = (int(g) for g in other.groups())
    assert names <= pairs <= alerts
    strongest = result.stdout.split("Strongest alerts")[1]
    scores = [float(s) for s in re.findall(r"\) score (\d\.\d\d)\n", strongest)]
    assert len(scores) == 10 and scores == sorted(scores, reverse=True)


def test_demo_falls_back_to_the_labelled_sample_list(tmp_path: Path) -> None:
    """No local folder and no reachable download: the sample list, said clearly."""
    unreachable = {
        f"SCREENING_SOURCE_{source.list_id.upper()}_URL": "http://127.0.0.1:9/list"
        for source in SOURCES
    }
    env = {"SCREENING_SHARED_DATA": str(tmp_path / "no-such-folder"), **unreachable}
    db = tmp_path / "demo.duckdb"
    result = run_demo(db, env)
    assert result.returncode == 0, result.stderr
    assert "falling back to the SAMPLE list" in result.stdout
    assert "NOT an official list" in result.stdout
    store = ListStore(db)
    try:
        loaded = {s.list_id: s.entity_count for s in store.current_snapshots()}
    finally:
        store.close()
    assert loaded == {"demo_sample": 5}
