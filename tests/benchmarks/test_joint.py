"""The joint-parties benchmark on the real UN list: each listed holder of a joint party is
found as well as alone, and joining two ordinary people flags nobody that neither flags."""

from __future__ import annotations

import json
from pathlib import Path

from benchmarks import joint
from tests.screening.test_screener import un_db  # noqa: F401 (fixture)


def test_joint_main_on_the_un_list(un_db: Path, tmp_path: Path) -> None:  # noqa: F811
    out = tmp_path / "results"
    joint.main(["--db", str(un_db), "--queries", "60", "--seed", "3", "--out", str(out)])
    report = json.loads((out / "joint.json").read_text())
    recall = {r["category"]: r for r in report["recall"]}
    assert set(recall) == {"listed name alone", "listed holder", "listed couple"}
    assert all(r["parties"] == 60 for r in recall.values())
    alone = recall["listed name alone"]["found"]
    assert alone >= 57
    assert recall["listed holder"]["found"] >= alone - 1
    assert recall["listed couple"]["found"] >= alone - 1
    ordinary = report["ordinary"]
    assert ordinary["parties"] == 60 and ordinary["flagged, neither alone"] == 0
    assert report["algorithm"].startswith("tf-default")
