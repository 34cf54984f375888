"""Matching quality metrics over screened queries: pure functions on Polars frames.

Inputs
------
``queries``: one row per query with ``qid`` (the row index given to the screener), ``positive``
(bool), ``expected`` (list of entity keys "list_id/entity_id" that are a correct hit; empty for
negatives) and any grouping columns (category, script, schema, list_id, kind).

``hits``: the screener's hits with ``row`` (= qid), ``key`` (entity key), ``score`` (0..1) and
``order`` (position in the screener's output, which lists the best hit of a row first).

Definitions (at a threshold t; only hits with score >= t count)
---------------------------------------------------------------
* A positive query is *found* when one of its expected entities is among its hits: that is one
  true positive (TP); otherwise one false negative (FN).
* A positive query whose top hit is not an expected entity (a "wrong top hit") adds one false
  positive (FP), whether or not the expected entity is further down its hits: the analyst is
  first shown the wrong entity.
* A negative query with any hit adds one FP.
* precision = TP / (TP + FP); recall = TP / (TP + FN); F1 their harmonic mean.
* rank-1 accuracy = positive queries whose top hit is expected / positive queries.
* false positives per 1,000 negatives = negative queries with any hit x 1000 / negatives.
The top hit is the highest score; when several entities share it, the top hit counts as correct
if an expected entity is among them (the screener cannot tell them apart, and one person is
often listed by several lists under names that normalise the same).
"""

from __future__ import annotations

from collections.abc import Sequence

import polars as pl

DEFAULT_THRESHOLDS: tuple[float, ...] = tuple(round(0.5 + i / 100, 2) for i in range(50))


def judge(queries: pl.DataFrame, hits: pl.DataFrame, threshold: float) -> pl.DataFrame:
    """Per query: found, alerted, top_correct, expected_score and top_score at ``threshold``.

    ``expected_score`` is the best score of an expected entity (0 when absent) and ``top_score``
    the best score of any hit (0 when none); both ignore the threshold, for calibration.
    """
    expected = (
        queries.select("qid", "expected")
        .explode("expected")
        .drop_nulls("expected")
        .rename({"expected": "key"})
        .with_columns(pl.lit(value=True).alias("is_expected"))
        .unique()
    )
    marked = hits.join(expected, left_on=["row", "key"], right_on=["qid", "key"], how="left")
    marked = marked.with_columns(pl.col("is_expected").fill_null(value=False))
    scores = marked.group_by("row").agg(
        pl.col("score").filter(pl.col("is_expected")).max().fill_null(0.0).alias("expected_score"),
        pl.col("score").max().alias("top_score"),
    )
    kept = marked.filter(pl.col("score") >= threshold)
    top = pl.col("score") >= pl.col("score").max() - 1e-9
    per_row = kept.group_by("row").agg(
        pl.col("is_expected").any().alias("found"),
        pl.col("is_expected").filter(top).any().alias("top_correct"),
    )
    return (
        queries.join(scores, left_on="qid", right_on="row", how="left")
        .join(per_row, left_on="qid", right_on="row", how="left")
        .with_columns(
            pl.col("found").is_not_null().alias("alerted"),
            pl.col("found").fill_null(value=False),
            pl.col("top_correct").fill_null(value=False),
            pl.col("expected_score").fill_null(0.0),
            pl.col("top_score").fill_null(0.0),
        )
    )


def _ratio(numerator: float, denominator: float) -> float:
    return numerator / denominator if denominator else 0.0


def summary(judged: pl.DataFrame) -> dict[str, float | int]:
    """Confusion counts, precision, recall, F1, rank-1 accuracy and FP per 1,000 negatives."""
    pos = judged.filter(pl.col("positive"))
    neg = judged.filter(~pl.col("positive"))
    tp = int(pos["found"].sum())
    fn = pos.height - tp
    wrong_top = int((pos["alerted"] & ~pos["top_correct"]).sum())
    neg_alerted = int(neg["alerted"].sum())
    fp = wrong_top + neg_alerted
    precision = _ratio(tp, tp + fp)
    recall = _ratio(tp, tp + fn)
    return {
        "positives": pos.height,
        "negatives": neg.height,
        "tp": tp,
        "fn": fn,
        "fp": fp,
        "fp_wrong_top_hit": wrong_top,
        "fp_negatives": neg_alerted,
        "precision": precision,
        "recall": recall,
        "f1": _ratio(2 * precision * recall, precision + recall),
        "rank1_accuracy": _ratio(int(pos["top_correct"].sum()), pos.height),
        "fp_per_1000_negatives": _ratio(neg_alerted * 1000, neg.height),
    }


def recall_by(judged: pl.DataFrame, column: str) -> pl.DataFrame:
    """Recall and rank-1 accuracy of positive queries grouped by ``column``."""
    return (
        judged.filter(pl.col("positive"))
        .group_by(column)
        .agg(
            pl.len().alias("queries"),
            pl.col("found").sum().alias("found"),
            pl.col("found").mean().alias("recall"),
            pl.col("top_correct").mean().alias("rank1_accuracy"),
            pl.col("expected_score").mean().alias("mean_score"),
        )
        .sort(column)
    )


def pr_curve(
    queries: pl.DataFrame, hits: pl.DataFrame, thresholds: Sequence[float] = DEFAULT_THRESHOLDS
) -> pl.DataFrame:
    """Precision, recall, F1, rank-1 and FP/1,000 negatives at each threshold.

    ``hits`` must have been produced at a threshold no higher than the lowest one here.
    """
    rows = []
    for threshold in thresholds:
        stats = summary(judge(queries, hits, threshold))
        rows.append({"threshold": threshold, **stats})
    return pl.DataFrame(rows)


def calibration(judged: pl.DataFrame, exact_category: str = "exact") -> dict[str, object]:
    """Mean score by category; checks exact > every variation > negatives (name_bench style).

    For positives the score is the expected entity's score, for negatives the top score.
    """
    means = (
        judged.with_columns(
            pl.when(pl.col("positive"))
            .then(pl.col("expected_score"))
            .otherwise(pl.col("top_score"))
            .alias("score")
        )
        .group_by("category", "positive")
        .agg(pl.col("score").mean().alias("mean_score"))
        .sort("mean_score", descending=True)
    )
    by_category = {str(c): float(s) for c, _, s in means.iter_rows()}
    positives = [float(s) for c, p, s in means.iter_rows() if p and c != exact_category]
    negatives = [float(s) for _, p, s in means.iter_rows() if not p]
    exact = by_category.get(exact_category)
    violations = [
        f"{c} ({by_category[c]:.4f}) above {exact_category} ({exact:.4f})"
        for c, p, _ in means.iter_rows()
        if exact is not None and p and c != exact_category and by_category[c] > exact + 1e-9
    ]
    if positives and negatives and min(positives) <= max(negatives):
        violations.append(
            f"a positive category ({min(positives):.4f}) not above negatives ({max(negatives):.4f})"
        )
    return {
        "mean_score_by_category": by_category,
        "monotonic": not violations,
        "violations": violations,
    }


def best_f1(curve: pl.DataFrame) -> dict[str, float]:
    """The threshold of the PR curve with the highest F1."""
    if curve.height == 0:
        return {"threshold": 0.0, "f1": 0.0, "precision": 0.0, "recall": 0.0}
    top = curve.sort(["f1", "threshold"], descending=[True, False]).row(0, named=True)
    return {k: float(top[k]) for k in ("threshold", "f1", "precision", "recall")}


def pair_f1(
    positive_scores: Sequence[float], negative_scores: Sequence[float], threshold: float
) -> dict[str, float]:
    """F1 of a scorer on labelled pairs: positive pairs >= threshold are TP, negatives FP."""
    tp = sum(1 for s in positive_scores if s >= threshold)
    fp = sum(1 for s in negative_scores if s >= threshold)
    fn = len(positive_scores) - tp
    precision = _ratio(tp, tp + fp)
    recall = _ratio(tp, tp + fn)
    return {
        "threshold": threshold,
        "tp": tp,
        "fp": fp,
        "fn": fn,
        "precision": precision,
        "recall": recall,
        "f1": _ratio(2 * precision * recall, precision + recall),
    }
