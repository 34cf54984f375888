"""Matching speed benchmark: throughput, latency, blocking recall and growth with index size.

    python -m benchmarks.speed [--queries N] [--recall-queries N] [--sizes 100000,300000,1000000]
                               [--db PATH] [--repeat N] [--latency-queries N]

``--db`` screens against an existing store (its cached index) instead of building a fresh one;
``--repeat`` times the batch that many times (the machine is shared: the median is reported);
0 latency or recall queries, or empty sizes, skip that part.

Scenario (warm index, one process, 2 cores):
1. A fresh store of every real list in SCREENING_SHARED_DATA; the index is built (time reported).
2. Batch: N query names (the yente synthetic negatives plus varied list names, 9:1) screened in
   one call; names per second cold (a new screener, its batch-to-batch caches empty) and warm
   (the same screener screening the batch again). Baseline in the same run: exhaustive
   rapidfuzz ``cdist`` (token_sort_ratio, all cores) of a sample of the same queries against
   every indexed name, extrapolated to names per second; the ratio ours/baseline is the
   machine-independent figure.
3. Single query: ``Screener.match`` one name at a time, p50 and p99 latency.
4. Blocking recall: varied list names screened with blocking and exhaustively (every indexed
   name scored by the same scorer); share of exhaustive hits at the default threshold that
   blocking keeps.
5. Growth: synthetic indexes of the given sizes (list names recombined with negative names);
   build seconds and names per second screened against each.

Prints tables and writes benchmarks/results/speed.json.
"""

from __future__ import annotations

import argparse
import json
import random
import resource
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np
import polars as pl
from rapidfuzz import fuzz, process

from benchmarks.common import build_store, list_names, shared_data_dir
from benchmarks.variations import generate_name_queries
from lists.store import ListStore
from screening.api import index_from_names, open_screener
from screening.blocking import query_tables
from screening.cli.common import print_table
from screening.scoring import RARE_WEIGHT
from screening.screener import Screener

RESULTS = Path(__file__).parent / "results"
NEGATIVES = Path("eval") / "yente_candidate_generation" / "negatives_global.csv"


def peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def negative_names(limit: int | None = None) -> list[str]:
    frame = pl.read_csv(shared_data_dir() / NEGATIVES, columns=["full_name"])
    names = frame["full_name"].drop_nulls().to_list()
    return names[:limit] if limit else names


def batch_queries(names: pl.DataFrame, count: int, seed: int) -> pl.DataFrame:
    negatives = negative_names()
    varied = generate_name_queries(names, max(count // 250, 4), seed)["name"].to_list()
    rng = random.Random(seed)
    pool = negatives * (1 + count // max(len(negatives), 1))
    chosen = rng.sample(pool, min(count - count // 10, len(pool)))
    chosen += [varied[i % len(varied)] for i in range(count - len(chosen))]
    return pl.DataFrame({"name": chosen})


def throughput(screener: Screener, queries: pl.DataFrame, repeat: int = 1) -> dict[str, Any]:
    """Names per second, cold and warm: the median of ``repeat`` timings each.

    Cold: a new screener of the same index each time, its batch-to-batch caches empty (the
    process-wide caches of the normaliser stay warm, as they always did). Warm: one screener
    screening the batch again, as a service screening the same parties day after day.
    """
    screener.screen(queries.head(200))  # index views and per-process caches
    cold, warm = [], []
    for _ in range(max(repeat, 1)):
        fresh = Screener(screener.index, screener.algorithm)
        start = time.perf_counter()
        hits = fresh.screen(queries)
        cold.append(time.perf_counter() - start)
    for _ in range(max(repeat, 1)):
        start = time.perf_counter()
        fresh.screen(queries)
        warm.append(time.perf_counter() - start)
    seconds, warm_seconds = float(np.median(cold)), float(np.median(warm))
    return {
        "queries": queries.height,
        "seconds": round(seconds, 3),
        "names_per_second": round(queries.height / seconds),
        "runs_seconds": [round(r, 3) for r in cold],
        "warm_seconds": round(warm_seconds, 3),
        "warm_names_per_second": round(queries.height / warm_seconds),
        "warm_runs_seconds": [round(r, 3) for r in warm],
        "rows_with_hits": hits["row"].n_unique(),
    }


def exhaustive_baseline(screener: Screener, queries: pl.DataFrame, sample: int) -> dict[str, float]:
    """Exhaustive rapidfuzz token_sort_ratio of a query sample against every indexed name."""
    choices = screener.index.names["name"].to_list()
    chosen = queries["name"].head(sample).to_list()
    start = time.perf_counter()
    process.cdist(
        chosen, choices, scorer=fuzz.token_sort_ratio, workers=-1, dtype=np.uint8, score_cutoff=80
    )
    seconds = time.perf_counter() - start
    return {
        "sample": len(chosen),
        "index_names": len(choices),
        "seconds": round(seconds, 3),
        "names_per_second": round(len(chosen) / seconds),
        "pairs_per_second": round(len(chosen) * len(choices) / seconds),
    }


def latency(screener: Screener, names: Sequence[str]) -> dict[str, float]:
    """Screener.match of each name typed as a person (a name of unknown kind is read twice)."""
    timings = []
    for name in names:
        start = time.perf_counter()
        screener.match(name, limit=5, schema="Person")
        timings.append((time.perf_counter() - start) * 1000)
    return {
        "queries": len(timings),
        "p50_ms": round(float(np.percentile(timings, 50)), 2),
        "p99_ms": round(float(np.percentile(timings, 99)), 2),
        "max_ms": round(max(timings), 2),
    }


def blocking_recall(screener: Screener, queries: pl.DataFrame) -> dict[str, float]:
    """Share of the exhaustive scorer's hits (default threshold) that blocking also returns.

    Reported over every exhaustive hit (near-threshold hits on unrelated entities included),
    over the hits on the entity each varied query was made from, and apart for vague queries
    (``vague_queries``): those whose every word is common or an initial ("A. Ali", "Omar",
    a legal form and one letter), which the scorer lets match hundreds of names that no
    query word can single out.
    """
    exhaustive = Screener(screener.index, screener.algorithm, blocking=False)
    names = queries.select("name", "schema")
    blocked = screener.screen(names, limit=None).select("row", "entity_id", "list_id")
    found: list[pl.DataFrame] = []
    start = time.perf_counter()
    for index in range(queries.height):
        one = exhaustive.screen(names.slice(index, 1), limit=None)
        found.append(
            one.select(pl.lit(index, dtype=pl.UInt32).alias("row"), "entity_id", "list_id")
        )
    seconds = time.perf_counter() - start
    truth = pl.concat(found).unique()
    kept = truth.join(blocked.unique(), on=["row", "entity_id", "list_id"], how="semi")
    expected = queries.with_row_index("row").select(
        "row", pl.col("expected_entity_id").alias("entity_id"),
        pl.col("expected_list_id").alias("list_id"),
    )
    truth_own = truth.join(expected, on=["row", "entity_id", "list_id"], how="semi")
    kept_own = kept.join(expected, on=["row", "entity_id", "list_id"], how="semi")
    vague = vague_queries(screener, names)
    truth_sharp = truth.join(vague, on="row", how="anti")
    kept_sharp = kept.join(vague, on="row", how="anti")
    return {
        "queries": queries.height,
        "exhaustive_hits": truth.height,
        "kept_by_blocking": kept.height,
        "blocking_recall": round(kept.height / truth.height, 4) if truth.height else 1.0,
        "exhaustive_hits_on_source_entity": truth_own.height,
        "kept_on_source_entity": kept_own.height,
        "blocking_recall_on_source_entity": (
            round(kept_own.height / truth_own.height, 4) if truth_own.height else 1.0
        ),
        "vague_queries": vague.height,
        "exhaustive_hits_of_vague_queries": truth.height - truth_sharp.height,
        "exhaustive_hits_of_other_queries": truth_sharp.height,
        "kept_of_other_queries": kept_sharp.height,
        "blocking_recall_other_queries": (
            round(kept_sharp.height / truth_sharp.height, 4) if truth_sharp.height else 1.0
        ),
        "exhaustive_seconds": round(seconds, 1),
    }


def vague_queries(screener: Screener, names: pl.DataFrame) -> pl.DataFrame:
    """Rows (``row``) of the queries with no word that is neither common nor an initial."""
    queries = names.with_row_index("qid")
    _, tokens = query_tables(queries, screener.index)
    sharp = tokens.filter(
        ~pl.col("token").str.starts_with("#")
        & (pl.col("token").str.len_chars() > 1)
        & (pl.col("weight") > RARE_WEIGHT)
    )
    vague = queries.join(sharp, on="qid", how="anti")
    return vague.select(pl.col("qid").cast(pl.UInt32).alias("row"))


def synthetic_names(base: pl.DataFrame, size: int, seed: int) -> pl.DataFrame:
    """``size`` person and organisation names recombined from real list and negative tokens."""
    rng = np.random.default_rng(seed)
    words = pl.Series(negative_names() + base["name"].to_list()).str.split(" ").explode()
    words = words.str.strip_chars()
    vocab = words.filter(words.str.len_chars() > 1).unique().sort().to_numpy()
    picks = rng.integers(0, len(vocab), size=(size, 3))
    lengths = rng.integers(2, 4, size=size)
    texts = [" ".join(vocab[row[:n]]) for row, n in zip(picks, lengths, strict=True)]
    return pl.DataFrame(
        {
            "entity_id": [f"syn-{i}" for i in range(size)],
            "list_id": ["synthetic"] * size,
            "schema": ["Person"] * size,
            "name": texts,
            "kind": ["primary"] * size,
        }
    )


def growth(
    base: pl.DataFrame,
    sizes: Sequence[int],
    queries: pl.DataFrame,
    seed: int,
) -> list[dict[str, float]]:
    rows = []
    for size in sizes:
        names = synthetic_names(base, size, seed)
        start = time.perf_counter()
        index = index_from_names(names)
        build = time.perf_counter() - start
        result = throughput(Screener(index), queries)
        rows.append(
            {
                "index_names": size,
                "build_seconds": round(build, 1),
                "names_per_second": result["names_per_second"],
                "warm_names_per_second": result["warm_names_per_second"],
                "peak_memory_mb": round(peak_mb()),
            }
        )
    return rows


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0] if __doc__ else None)
    parser.add_argument("--queries", type=int, default=50_000)
    parser.add_argument("--baseline-sample", type=int, default=1_000)
    parser.add_argument("--latency-queries", type=int, default=500)
    parser.add_argument("--recall-queries", type=int, default=300)
    parser.add_argument("--sizes", default="100000,300000,1000000")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--out", type=Path, default=RESULTS)
    parser.add_argument("--db", type=Path, default=None, help="existing store to screen against")
    parser.add_argument("--repeat", type=int, default=1, help="batch timings (median reported)")
    return parser.parse_args(argv)


def main(argv: Sequence[str] | None = None) -> dict[str, Any]:
    args = parse_args(argv)
    report: dict[str, Any] = {}
    with tempfile.TemporaryDirectory() as tmp:
        if args.db is not None:
            db, cache = args.db, True
            store = ListStore(db)
        else:
            db, cache = Path(tmp) / "speed.duckdb", False
            store, _ = build_store(db)
        names = list_names(store).select("entity_id", "list_id", "schema", "name", "kind")
        store.close()
        start = time.perf_counter()
        screener = open_screener(db, cache=cache)
        report["index"] = {
            "names": screener.index.name_count,
            "build_seconds": round(time.perf_counter() - start, 2),
        }
        queries = batch_queries(names, args.queries, args.seed)
        report["batch"] = throughput(screener, queries, args.repeat)
        report["baseline"] = exhaustive_baseline(screener, queries, args.baseline_sample)
        report["ratio_vs_exhaustive"] = round(
            report["batch"]["names_per_second"] / report["baseline"]["names_per_second"], 1
        )
        if args.latency_queries > 0:
            report["single_query"] = latency(
                screener, queries["name"].sample(args.latency_queries, seed=args.seed).to_list()
            )
        if args.recall_queries > 0:
            varied = generate_name_queries(names, max(args.recall_queries // 25, 1), args.seed)
            report["blocking"] = blocking_recall(screener, varied.head(args.recall_queries))
        sizes = [int(s) for s in args.sizes.split(",") if s]
        report["growth"] = growth(names, sizes, queries.head(10_000), args.seed)
    report["peak_memory_mb"] = round(peak_mb())
    print_report(report)
    args.out.mkdir(parents=True, exist_ok=True)
    (args.out / "speed.json").write_text(json.dumps(report, indent=2), encoding="utf-8")
    return report


def print_report(report: dict[str, Any]) -> None:
    batch, base = report["batch"], report["baseline"]
    print(f"Index: {report['index']['names']} names built in {report['index']['build_seconds']} s")
    print_table(
        ["what", "queries", "seconds", "names/s"],
        [
            ("engine batch, cold", batch["queries"], batch["seconds"], batch["names_per_second"]),
            ("engine batch, warm caches", batch["queries"], batch["warm_seconds"],
             batch["warm_names_per_second"]),
            ("exhaustive rapidfuzz", base["sample"], base["seconds"], base["names_per_second"]),
        ],
    )
    print(f"Ratio engine / exhaustive: {report['ratio_vs_exhaustive']}x")
    if "single_query" in report:
        single = report["single_query"]
        print(f"Single query: p50 {single['p50_ms']} ms, p99 {single['p99_ms']} ms")
    if "blocking" in report:
        print_recall(report["blocking"])
    if report["growth"]:
        print_table(
            ["index names", "build s", "names/s cold", "names/s warm", "peak MB"],
            [tuple(r.values()) for r in report["growth"]],
        )


def print_recall(block: dict[str, Any]) -> None:
    print(
        f"Blocking recall: {block['kept_by_blocking']}/{block['exhaustive_hits']} = "
        f"{block['blocking_recall']:.2%} of exhaustive hits; on the entity each query was "
        f"made from: {block['kept_on_source_entity']}/"
        f"{block['exhaustive_hits_on_source_entity']} = "
        f"{block['blocking_recall_on_source_entity']:.2%}"
    )
    print(
        f"  of the {block['queries'] - block['vague_queries']} queries with a word that is "
        f"neither common nor an initial: {block['kept_of_other_queries']}/"
        f"{block['exhaustive_hits_of_other_queries']} = "
        f"{block['blocking_recall_other_queries']:.2%}; the {block['vague_queries']} others "
        f"had {block['exhaustive_hits_of_vague_queries']} exhaustive hits"
    )


if __name__ == "__main__":
    main()
