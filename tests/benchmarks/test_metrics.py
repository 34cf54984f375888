"""Quality metrics on small hand-built examples with known answers."""

from __future__ import annotations

import itertools

import polars as pl
import pytest

from benchmarks import metrics


def _queries() -> pl.DataFrame:
    # q0 found at top; q1 found but a wrong entity on top; q2 missed; q3 negative with a hit;
    # q4 negative without a hit; q5 positive with no hit at all.
    return pl.DataFrame(
        {
            "qid": [0, 1, 2, 3, 4, 5],
            "category": ["exact", "typo", "typo", "negative", "negative", "exact"],
            "script": ["Latin", "Latin", "Arabic", "Latin", "Latin", "Arabic"],
            "positive": [True, True, True, False, False, True],
            "expected": [["l/a", "m/a"], ["l/b"], ["l/c"], [], [], ["l/f"]],
        },
        schema_overrides={"expected": pl.List(pl.Utf8)},
    )


def _hits() -> pl.DataFrame:
    rows = [
        (0, "m/a", 0.95),
        (0, "l/x", 0.70),
        (1, "l/y", 0.90),
        (1, "l/b", 0.88),
        (2, "l/z", 0.75),
        (2, "l/c", 0.60),
        (3, "l/q", 0.82),
    ]
    return (
        pl.DataFrame(rows, schema=["row", "key", "score"], orient="row")
        .with_row_index("order")
        .with_columns(pl.col("order").cast(pl.Int64))
    )


def test_judge_per_query() -> None:
    judged = metrics.judge(_queries(), _hits(), 0.8).sort("qid")
    assert judged["found"].to_list() == [True, True, False, False, False, False]
    assert judged["alerted"].to_list() == [True, True, False, True, False, False]
    assert judged["top_correct"].to_list() == [True, False, False, False, False, False]
    assert judged["expected_score"].to_list() == [0.95, 0.88, 0.60, 0.0, 0.0, 0.0]
    assert judged["top_score"].to_list() == [0.95, 0.90, 0.75, 0.82, 0.0, 0.0]


def test_summary_counts_and_ratios() -> None:
    stats = metrics.summary(metrics.judge(_queries(), _hits(), 0.8))
    assert (stats["tp"], stats["fn"], stats["fp"]) == (2, 2, 2)
    assert (stats["fp_wrong_top_hit"], stats["fp_negatives"]) == (1, 1)
    assert stats["precision"] == pytest.approx(0.5)
    assert stats["recall"] == pytest.approx(0.5)
    assert stats["f1"] == pytest.approx(0.5)
    assert stats["rank1_accuracy"] == pytest.approx(0.25)
    assert stats["fp_per_1000_negatives"] == pytest.approx(500.0)


def test_lower_threshold_finds_more() -> None:
    stats = metrics.summary(metrics.judge(_queries(), _hits(), 0.5))
    # q2 is now found (but its top hit l/z is wrong): TP 3, FP = q1 + q2 wrong tops + q3
    assert (stats["tp"], stats["fn"], stats["fp"]) == (3, 1, 3)


def test_a_tie_at_the_top_with_the_expected_entity_counts_as_correct() -> None:
    queries = _queries().head(1)
    hits = pl.DataFrame(
        {
            "order": [0, 1, 2, 3],
            "row": [0, 0, 0, 0],
            "key": ["l/x", "l/a", "l/y", "l/z"],
            "score": [0.9, 0.9, 0.85, 0.95],
        }
    )
    judged = metrics.judge(queries, hits.head(3), 0.8)
    assert judged["found"].to_list() == [True]
    assert judged["top_correct"].to_list() == [True]
    beaten = metrics.judge(queries, hits, 0.8)  # l/z scores above every expected entity
    assert beaten["top_correct"].to_list() == [False]


def test_recall_by_category_and_script() -> None:
    judged = metrics.judge(_queries(), _hits(), 0.8)
    by_category = {r["category"]: r for r in metrics.recall_by(judged, "category").to_dicts()}
    assert set(by_category) == {"exact", "typo"}  # negatives are not in recall tables
    assert by_category["exact"]["recall"] == pytest.approx(0.5)
    assert by_category["typo"]["found"] == 1 and by_category["typo"]["queries"] == 2
    by_script = {r["script"]: r["recall"] for r in metrics.recall_by(judged, "script").to_dicts()}
    assert by_script == {"Arabic": 0.0, "Latin": 1.0}


def test_pr_curve_is_monotonic_in_recall() -> None:
    curve = metrics.pr_curve(_queries(), _hits())
    assert curve.height == 50
    assert curve["threshold"][0] == 0.5 and curve["threshold"][-1] == 0.99
    recalls = curve["recall"].to_list()
    assert all(a >= b for a, b in itertools.pairwise(recalls))
    assert recalls[0] == pytest.approx(0.75) and recalls[-1] == 0.0
    row = curve.filter(pl.col("threshold") == 0.8).row(0, named=True)
    assert row["f1"] == pytest.approx(0.5)
    best = metrics.best_f1(curve)
    assert 0.5 <= best["threshold"] <= 0.99 and best["f1"] >= 0.5


def test_calibration_order() -> None:
    judged = metrics.judge(_queries(), _hits(), 0.8)
    cal = metrics.calibration(judged)
    means = cal["mean_score_by_category"]
    assert isinstance(means, dict)
    assert means["exact"] == pytest.approx(0.475)
    assert means["typo"] == pytest.approx(0.74)
    assert means["negative"] == pytest.approx(0.41)
    assert cal["monotonic"] is False  # exact (0.475) is below typo (0.74)
    assert cal["violations"] == ["typo (0.7400) above exact (0.4750)"]
    good = judged.with_columns(
        pl.when(pl.col("category") == "exact")
        .then(1.0)
        .otherwise(pl.col("expected_score"))
        .alias("expected_score")
    )
    assert metrics.calibration(good)["monotonic"] is True


def test_pair_f1() -> None:
    result = metrics.pair_f1([0.9, 0.8, 0.6], [0.75, 0.3], 0.7)
    assert (result["tp"], result["fp"], result["fn"]) == (2, 1, 1)
    assert result["precision"] == pytest.approx(2 / 3)
    assert result["recall"] == pytest.approx(2 / 3)
    assert result["f1"] == pytest.approx(2 / 3)
    assert metrics.pair_f1([], [], 0.7)["f1"] == 0.0
