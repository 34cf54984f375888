"""Single-query latency: Screener.match through the fast path against the batch path.

    python -m benchmarks.single_latency [--queries 500] [--seed 7] [--db PATH] [--no-batch]

A store of every real list (benchmarks.common.build_store), 500 queries (synthetic negatives and
varied list names, 9:1 as in benchmarks.speed), each matched one at a time: ``Screener.match``
(fast path) and the batch path's one-query form (``screen`` on a one-row frame by a screener
without the fast path, best hit per entity), p50/p99 in milliseconds and the process CPU time
per query. Also reports how often the fast path declined.
"""

from __future__ import annotations

import argparse
import json
import tempfile
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import numpy as np
import polars as pl

from benchmarks.common import build_store, list_names
from benchmarks.speed import batch_queries
from screening.api import open_screener
from screening.screener import Screener, query_frame
from screening.single import DeclinedError, fast_path, query_rows

RESULTS = Path(__file__).parent / "results"


def batch_match(screener: Screener, name: str) -> pl.DataFrame:
    """What Screener.match did before the fast path (the batch path for one query)."""
    # screen() itself takes the fast path for a few rows unless told not to.
    batch = Screener(screener.index, screener.algorithm, fast=False)
    hits = batch.screen(query_frame(name, "Person"), limit=None)
    best = hits.sort("score", descending=True).unique(["list_id", "entity_id"], keep="first")
    return best.sort(["score", "list_id", "entity_id"], descending=[True, False, False]).head(5)


def timings(call: Callable[[str], object], names: Sequence[str]) -> dict[str, float]:
    spent = []
    cpu_start = time.process_time()
    for name in names:
        start = time.perf_counter()
        call(name)
        spent.append((time.perf_counter() - start) * 1000)
    cpu_ms = (time.process_time() - cpu_start) * 1000
    return {
        "queries": len(spent),
        "cpu_ms_per_query": round(cpu_ms / max(len(spent), 1), 3),
        "p50_ms": round(float(np.percentile(spent, 50)), 2),
        "p99_ms": round(float(np.percentile(spent, 99)), 2),
        "max_ms": round(max(spent), 2),
    }


def declined(screener: Screener, names: Sequence[str]) -> dict[str, int]:
    path = fast_path(screener)
    count = 0
    for name in names:
        try:
            path.screen_rows(query_rows(name, "Person"), screener.default_threshold)
        except DeclinedError:
            count += 1
    return {"declined": count, "uncertain": len(set(path.uncertain))}


def run(db: Path, count: int, seed: int, batch: bool = True) -> dict[str, Any]:
    if not db.exists():
        store, _ = build_store(db)
        store.close()
    screener = open_screener(db, cache=False)
    from lists.store import ListStore

    store = ListStore(db)
    names = list_names(store).select("entity_id", "list_id", "schema", "name", "kind")
    store.close()
    queries = batch_queries(names, count, seed)["name"].to_list()
    start = time.perf_counter()
    fast_path(screener)
    report: dict[str, Any] = {
        "index_names": screener.index.name_count,
        "fast_path_build_seconds": round(time.perf_counter() - start, 2),
    }
    for name in queries[:20]:  # warm caches (normalisation, transliteration tables)
        screener.match(name, schema="Person")
    # Typed as persons, as before match() read an untyped name both ways.
    report["fast"] = timings(lambda n: screener.match(n, limit=5, schema="Person"), queries)
    if batch:  # hundreds of ms a query (2 shared cores): by far the longest part of the run
        report["batch"] = timings(lambda n: batch_match(screener, n), queries)
    report.update(declined(screener, queries))
    return report


def main(argv: Sequence[str] | None = None) -> dict[str, Any]:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0] if __doc__ else None)
    parser.add_argument("--queries", type=int, default=500)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--db", type=Path, default=None, help="existing store (built if absent)")
    parser.add_argument("--no-batch", action="store_true", help="time the fast path only")
    args = parser.parse_args(argv)
    if args.db is not None:
        report = run(args.db, args.queries, args.seed, not args.no_batch)
    else:
        with tempfile.TemporaryDirectory() as tmp:
            report = run(Path(tmp) / "lists.duckdb", args.queries, args.seed, not args.no_batch)
    print(json.dumps(report, indent=2))
    RESULTS.mkdir(parents=True, exist_ok=True)
    (RESULTS / "single_latency.json").write_text(json.dumps(report, indent=2), encoding="utf-8")
    return report


if __name__ == "__main__":
    main()
