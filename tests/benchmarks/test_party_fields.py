"""The party-fields benchmark on the real UN list: a listed name in a joint party or before an
address is found as well as alone, and ordinary fields flag nobody their names do not."""

from __future__ import annotations

import json
from pathlib import Path

from benchmarks import party_fields
from tests.screening.test_screener import un_db  # noqa: F401 (fixture)


def test_party_fields_main_on_the_un_list(un_db: Path, tmp_path: Path) -> None:  # noqa: F811
    out = tmp_path / "results"
    party_fields.main(["--db", str(un_db), "--queries", "60", "--seed", "3", "--out", str(out)])
    report = json.loads((out / "party_fields.json").read_text())
    recall = {r["category"]: r for r in report["recall"]}
    assert set(recall) == {
        "listed name alone", "listed holder", "listed couple", "listed name, address",
        "listed name, remark",
    }
    assert all(r["parties"] == 60 for r in recall.values())
    alone = recall["listed name alone"]["found"]
    assert alone >= 57
    for category in ("listed holder", "listed couple", "listed name, address",
                     "listed name, remark"):
        assert recall[category]["found"] >= alone - 1, category
    ordinary = {r["category"]: r for r in report["ordinary"]}
    assert set(ordinary) == {
        "two ordinary people", "ordinary name, address", "ordinary name, remark"
    }
    assert all(r["parties"] == 60 and r["flagged, no name alone"] == 0 for r in ordinary.values())
    assert report["algorithm"].startswith("tf-default")
