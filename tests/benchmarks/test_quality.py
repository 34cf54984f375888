"""The quality benchmark's main path on a small sample of the UN list, with the reference."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from benchmarks import quality


@pytest.mark.slow
def test_quality_main_on_a_small_un_sample(tmp_path: Path, shared_data: Path) -> None:
    out = tmp_path / "results"
    quality.main(
        [
            "--lists", "un_sc", "--sample", "200", "--per-category", "20", "--seed", "3",
            "--screener", "reference", "--out", str(out),
        ]
    )  # fmt: skip
    report = json.loads((out / "quality.json").read_text())
    assert {"queries", "engines", "un_positives", "elapsed_seconds", "lists"} <= set(report)
    assert report["lists"]["loaded"][0]["list_id"] == "un_sc"
    # 683 yente UN positives; 680 of their untreated names are UN list names (counted by hand)
    assert report["un_positives"] == {"un_positives_total": 683, "un_positives_resolved": 680}
    by_category = report["queries"]["by_category"]
    assert by_category["exact"] == 200 and by_category["negative"] == 200
    assert by_category["typo_insertion"] == 20 and by_category["un_treated"] == 680
    result = report["engines"]["reference"]
    assert result["algorithm"] == "reference-token-sort" and result["threshold"] == 0.85
    summary = result["summary"]
    for key in ("precision", "recall", "f1", "rank1_accuracy"):
        assert 0.0 <= summary[key] <= 1.0
    assert summary["positives"] + summary["negatives"] == report["queries"]["total"]
    assert result["exact_name_recall"] == 1.0  # token_sort_ratio of a name with itself is 100
    recalls = {r["category"]: r["recall"] for r in result["breakdowns"]["category"]}
    assert recalls["word_reorder"] == 1.0  # sorted tokens make any order identical
    assert 0.0 < recalls["typo_insertion"] <= 1.0
    assert len(result["pr_curve"]) == 50
    csv_lines = (out / "pr_curve.csv").read_text().splitlines()
    assert len(csv_lines) == 51 and "threshold" in csv_lines[0]
    misses = (out / "misses_reference.csv").read_text().splitlines()
    assert misses[0].startswith("qid,category,name,original_name")
    assert len(misses) - 1 == summary["fn"]
