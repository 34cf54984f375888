"""Peer comparison: nomenklatura logic-v2 scores the same (query, list entity) pairs as we do.

nomenklatura is an optional, benchmark-only dependency (MIT; pulls followthemoney, rigour,
scikit-learn and pins duckdb<2, so it is not installed in the project environment). It is used
in-process when importable, otherwise through ``--peer-python``: another interpreter that has it,
running this file as a script (stdlib only at import time) that reads JSON pairs on stdin and
writes one score per line. Without either, the peer row is skipped.

Pairs: positive queries (a seeded sample) against the entity the query was made from, and
negative queries against the top hit our primary screener returned at the low threshold. The
candidate is the whole list entity (all names, weak aliases, birth dates, nationalities), as
yente would compare it. logic-v2 costs about 600 us per pair, hence the cap on the pair count.
"""

from __future__ import annotations

import importlib
import importlib.util
import json
import subprocess
import sys
import time
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import polars as pl

PEER_ALGORITHM = "logic-v2"
PEER_THRESHOLD = 0.70  # yente's default match threshold
_FTM_SCHEMA = {"Aircraft": "Airplane"}
_STRONG_KINDS = ("primary", "alias", "former", "original_script")

Payload = dict[str, Any]


def nomenklatura_available() -> bool:
    return importlib.util.find_spec("nomenklatura") is not None


def score_pairs(pairs: Sequence[tuple[Payload, Payload]]) -> list[float]:
    """logic-v2 score of each (query, candidate) pair of FtM-like dicts, in this process."""
    model = importlib.import_module("followthemoney").model
    algorithm = importlib.import_module("nomenklatura.matching").get_algorithm(PEER_ALGORITHM)
    config = algorithm.default_config()
    scores: list[float] = []
    # Ids unique per pair: nomenklatura keeps what it derived from an entity by its id, so
    # reused ids gave every pair the first pair's score.
    for number, (query, candidate) in enumerate(pairs):
        left = _proxy(model, f"query-{number}", query)
        right = _proxy(model, f"candidate-{number}", candidate)
        scores.append(float(algorithm.compare(left, right, config).score))
    return scores


def _proxy(model: Any, entity_id: str, payload: Payload) -> Any:
    proxy = model.make_entity(payload["schema"])
    proxy.id = entity_id
    for prop, values in payload["properties"].items():
        for value in values:
            if value:
                proxy.add(prop, value, quiet=True)
    return proxy


def score_pairs_subprocess(python: str, pairs: Sequence[tuple[Payload, Payload]]) -> list[float]:
    """The same scores from another interpreter that has nomenklatura installed."""
    lines = "".join(json.dumps([q, c]) + "\n" for q, c in pairs)
    done = subprocess.run(
        [python, str(Path(__file__).resolve())],
        input=lines,
        capture_output=True,
        text=True,
        check=True,
    )
    return [float(line) for line in done.stdout.splitlines() if line.strip()]


def _subprocess_scorer(python: str) -> Any:
    return lambda pairs: score_pairs_subprocess(python, pairs)


def main() -> None:
    """Script mode: JSON [query, candidate] per stdin line -> one score per stdout line."""
    pairs: list[tuple[Payload, Payload]] = []
    for line in sys.stdin:
        if line.strip():
            query, candidate = json.loads(line)
            pairs.append((query, candidate))
    for score in score_pairs(pairs):
        print(f"{score:.6f}")


# -- building pairs (runs in the project environment) ----------------------------------------


def query_payload(
    name: str, schema: str, birth_date: str | None, nationality: str | None
) -> Payload:
    props: dict[str, list[str]] = {"name": [name]}
    if birth_date:
        props["birthDate"] = [birth_date]
    if nationality:
        props["nationality" if schema == "Person" else "country"] = [nationality.lower()]
    return {"schema": _FTM_SCHEMA.get(schema, schema), "properties": props}


def entity_payload(data: dict[str, Any]) -> Payload:
    """A list entity (lists.model.Entity as a dict) as FtM properties."""
    schema = str(data["schema"])
    names = data.get("names", [])
    props: dict[str, list[str]] = {
        "name": [n["full"] for n in names if n["kind"] in _STRONG_KINDS],
        "weakAlias": [n["full"] for n in names if n["kind"] == "weak_alias"],
        "birthDate": [b["value"] for b in data.get("birth_dates", [])],
    }
    countries = [c.lower() for c in data.get("nationalities", [])]
    if schema == "Person":
        props["nationality"] = countries
    else:
        props["country"] = countries + [c.lower() for c in data.get("countries", [])]
    return {"schema": _FTM_SCHEMA.get(schema, schema), "properties": props}


def select_pairs(queries: pl.DataFrame, hits: pl.DataFrame, count: int, seed: int) -> pl.DataFrame:
    """Up to ``count`` positive pairs (query, source entity) and ``count`` negative pairs
    (negative query, its top hit); columns qid, key, label."""
    import polars as pl

    positives = queries.filter(pl.col("positive"))
    positives = positives.sample(min(count, positives.height), seed=seed).select(
        "qid",
        pl.format("{}/{}", "expected_list_id", "expected_entity_id").alias("key"),
        pl.lit(value=True).alias("label"),
    )
    negative_ids = queries.filter(~pl.col("positive")).select("qid")
    top = (
        hits.sort(["row", "score", "order"], descending=[False, True, False])
        .group_by("row", maintain_order=True)
        .first()
        .join(negative_ids, left_on="row", right_on="qid")
    )
    negatives = top.sample(min(count, top.height), seed=seed).select(
        pl.col("row").alias("qid"), "key", pl.lit(value=False).alias("label")
    )
    return pl.concat([positives, negatives]).sort("label", "qid", descending=[True, False])


def our_pair_scores(pairs: pl.DataFrame, hits: pl.DataFrame) -> list[float]:
    """A screener's score for each pair: its hit on that entity, 0 when it did not return it."""
    import polars as pl

    best = hits.group_by("row", "key").agg(pl.col("score").max())
    joined = pairs.join(best, left_on=["qid", "key"], right_on=["row", "key"], how="left")
    return [float(s) for s in joined["score"].fill_null(0.0)]


def compare_on_pairs(
    queries: pl.DataFrame,
    all_hits: dict[str, pl.DataFrame],
    engines: Sequence[Any],
    entities: pl.DataFrame,
    count: int,
    seed: int,
    peer_python: str | None,
) -> dict[str, Any]:
    """F1 of every screener and of logic-v2 on the same positive and negative pairs.

    ``entities`` has the entity ``key`` and its ``data`` (lists.model.Entity as JSON). Negative
    pairs come from the first engine (the project's engine when present).
    """
    primary = engines[0]
    pairs = select_pairs(queries, all_hits[primary.label], count, seed)
    labels = pairs["label"].to_list()
    rows = []
    for engine in engines:
        scores = our_pair_scores(pairs, all_hits[engine.label])
        rows.append(_pair_row(engine.label, scores, labels, engine.screener.default_threshold))
    note = (
        f"{sum(labels)} positive and {len(labels) - sum(labels)} negative pairs; negative pairs "
        f"are negative queries against the top hit of '{primary.label}'"
    )
    peer_scores, peer_note = _peer_scores(pairs, queries, entities, peer_python)
    if peer_scores is not None:
        rows.append(
            _pair_row(f"nomenklatura {PEER_ALGORITHM}", peer_scores, labels, PEER_THRESHOLD)
        )
    note = f"{note}. {peer_note}"
    return {"note": note, "pairs": pairs.height, "rows": rows}


def _peer_scores(
    pairs: pl.DataFrame,
    queries: pl.DataFrame,
    entities: pl.DataFrame,
    peer_python: str | None,
) -> tuple[list[float] | None, str]:
    if peer_python is None and not nomenklatura_available():
        print("nomenklatura not installed: peer row skipped", file=sys.stderr)
        return None, "nomenklatura not installed: peer row skipped"
    joined = pairs.join(
        queries.select("qid", "name", "schema", "birth_date", "nationality"), on="qid", how="left"
    ).join(entities, on="key", how="left")
    payloads = [
        (query_payload(name, schema or "Person", dob, nat), entity_payload(json.loads(data)))
        for name, schema, dob, nat, data in joined.select(
            "name", "schema", "birth_date", "nationality", "data"
        ).iter_rows()
    ]
    start = time.perf_counter()
    scorer = score_pairs if peer_python is None else _subprocess_scorer(peer_python)
    scores = scorer(payloads)
    per_pair = (time.perf_counter() - start) / max(len(payloads), 1) * 1e6
    return scores, f"logic-v2: {per_pair:,.0f} us per pair (incl. entity building)"


def _pair_row(
    system: str, scores: list[float], labels: list[bool], threshold: float
) -> dict[str, Any]:
    from benchmarks import metrics

    positive = [s for s, label in zip(scores, labels, strict=True) if label]
    negative = [s for s, label in zip(scores, labels, strict=True) if not label]
    at_default = metrics.pair_f1(positive, negative, threshold)
    best = max(
        (metrics.pair_f1(positive, negative, t) for t in metrics.DEFAULT_THRESHOLDS),
        key=lambda r: (r["f1"], -r["threshold"]),
    )
    return {
        "system": system,
        "threshold": threshold,
        "precision": at_default["precision"],
        "recall": at_default["recall"],
        "f1": at_default["f1"],
        "best_f1": best["f1"],
        "best_threshold": best["threshold"],
    }


if __name__ == "__main__":
    main()
