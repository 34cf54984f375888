"""Benchmark: batch screening end to end (parse, screen, store alerts) against every real list.

Scenario: a store of every real list in SCREENING_SHARED_DATA (benchmarks.common.build_store)
with its screening index built once beforehand (not timed); then, each in a fresh child process
so that peak memory (ru_maxrss) belongs to that case alone:

* 1,000,000 canonical rows as CSV, and the same rows as Parquet;
* 100,000 pacs.008 transactions and 100,000 MT103 messages.

Batches come from benchmarks.generate_batches (not timed) with 0.2% of transactions carrying a
planted listed party. Reported per case: records/s, unique names/s (distinct screened names
over the whole run time), peak memory, alerts, and the recall of planted parties at the
default threshold (a planted party counts as found when an alert names its entity on its
record and role), overall and per variation category. Writes
benchmarks/results/batch_speed.json.

Run: python -m benchmarks.batch_speed [--rows 1000000] [--messages 100000]
Targets (2 cores): 1,000,000 CSV rows in under 60 s, peak memory under 4 GB, recall >= 99%.
"""

from __future__ import annotations

import argparse
import json
import multiprocessing
import os
import resource
import sys
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import duckdb
import polars as pl

RESULTS = Path(__file__).parent / "results"
CASES = ("csv", "parquet", "pacs008", "mt103")


def recall(truth: pl.DataFrame, alerts: pl.DataFrame) -> dict[str, Any]:
    """Share of planted (record, role, entity) found among the alerts, overall and by category."""
    if truth.height == 0:
        return {"planted": 0, "found": 0, "recall": None, "by_category": {}}
    keys = ["source_position", "role", "entity_id", "list_id"]
    found = truth.join(
        alerts.select(keys).unique().with_columns(pl.lit(value=True).alias("found")),
        on=keys,
        how="left",
    ).with_columns(pl.col("found").fill_null(value=False))
    by_category = (
        found.group_by("category")
        .agg(pl.len().alias("planted"), pl.col("found").sum())
        .sort("category")
    )
    total = int(found["found"].sum())
    return {
        "planted": truth.height,
        "found": total,
        "recall": round(total / truth.height, 4),
        "by_category": {
            str(r["category"]): {
                "planted": r["planted"],
                "found": r["found"],
                "recall": round(r["found"] / r["planted"], 4),
            }
            for r in by_category.iter_rows(named=True)
        },
        "missed_examples": found.filter(~pl.col("found"))
        .head(10)
        .select("source_position", "role", "entity_id", "category", "planted_name")
        .to_dicts(),
    }


def run_case(db: str, batch: str, truth: str, fmt: str) -> dict[str, Any]:
    """One timed screen_file run; called in a child process."""
    from screening.batch import screen_file
    from screening.results import alerts_frame

    load = os.getloadavg()[0]
    cpu_before = _cpu_seconds()
    started = time.perf_counter()
    summary = screen_file(db, Path(batch), format=fmt, created_by="benchmark")
    seconds = time.perf_counter() - started
    cpu = _cpu_seconds() - cpu_before
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    con = duckdb.connect(db)
    try:
        alerts = alerts_frame(con, summary.batch_id)
    finally:
        con.close()
    planted = pl.read_csv(truth, schema_overrides={"entity_id": pl.Utf8, "list_id": pl.Utf8})
    return {
        "format": fmt,
        "records": summary.records_read,
        "rejected": summary.records_rejected,
        "parties": summary.parties,
        "unique_names": summary.unique_names,
        "alerts": summary.alerts,
        "seconds": round(seconds, 2),
        # CPU seconds of the process (all threads) and the 1-minute load average at the
        # start: on a shared machine the wall time depends on the others' work, these less.
        "cpu_seconds": round(cpu, 2),
        "load_average": round(load, 2),
        "records_per_s": round(summary.records_read / seconds),
        "unique_names_per_s": round(summary.unique_names / seconds),
        "peak_memory_mb": round(peak_mb),
        "threshold": summary.threshold,
        "algorithm": f"{summary.algorithm} {summary.algorithm_version}",
        "recall": recall(planted, alerts),
    }


def _cpu_seconds() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def _child(queue: Any, args: tuple[str, str, str, str]) -> None:
    try:
        queue.put(run_case(*args))
    except BaseException as exc:
        queue.put({"format": args[3], "error": f"{type(exc).__name__}: {exc}"})
        raise


def in_child(db: Path, batch: Path, truth: Path, fmt: str) -> dict[str, Any]:
    """Run one case in a fresh process (peak memory of that case only)."""
    context = multiprocessing.get_context("spawn")
    queue = context.Queue()
    process = context.Process(target=_child, args=(queue, (str(db), str(batch), str(truth), fmt)))
    process.start()
    result: dict[str, Any] = queue.get()
    process.join()
    return result


def prepare(
    db: Path, work: Path, rows: int, messages: int, seed: int, cases: Sequence[str]
) -> dict[str, tuple[Path, Path]]:
    """Generated batches (and ground truths) for the chosen cases, not timed."""
    from benchmarks.generate_batches import generate_frame, write_batch
    from lists.store import ListStore

    store = ListStore(db)
    try:
        made: dict[str, tuple[Path, Path]] = {}
        big = generate_frame(rows, store, seed=seed) if {"csv", "parquet"} & set(cases) else None
        small = (
            generate_frame(messages, store, seed=seed + 1)
            if {"pacs008", "mt103"} & set(cases)
            else None
        )
    finally:
        store.close()
    suffix = {"csv": ".csv", "parquet": ".parquet", "pacs008": ".xml", "mt103": ".txt"}
    for case in cases:
        pair = big if case in ("csv", "parquet") else small
        assert pair is not None
        frame, truth = pair
        batch = write_batch(frame, case, work / f"batch_{case}{suffix[case]}")
        truth_path = work / f"truth_{case}.csv"
        truth.write_csv(truth_path)
        made[case] = (batch, truth_path)
    return made


def print_report(results: list[dict[str, Any]]) -> None:
    from screening.cli.common import print_table

    print_table(
        [
            "format",
            "records",
            "parties",
            "unique names",
            "alerts",
            "seconds",
            "cpu s",
            "load",
            "records/s",
            "unique names/s",
            "peak MB",
            "recall",
        ],
        [
            (
                r["format"],
                r.get("records"),
                r.get("parties"),
                r.get("unique_names"),
                r.get("alerts"),
                r.get("seconds"),
                r.get("cpu_seconds"),
                r.get("load_average"),
                r.get("records_per_s"),
                r.get("unique_names_per_s"),
                r.get("peak_memory_mb"),
                (r["recall"]["recall"] if "recall" in r else r.get("error")),
            )
            for r in results
        ],
    )


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rows", type=int, default=1_000_000, help="canonical CSV/Parquet rows")
    parser.add_argument(
        "--messages", type=int, default=100_000, help="pacs.008 transactions and MT103 messages"
    )
    parser.add_argument("--cases", nargs="+", choices=CASES, default=list(CASES))
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument(
        "--db",
        type=Path,
        default=None,
        help="an existing store of the lists (default: build one from every "
        "real list in a temporary folder)",
    )
    parser.add_argument("--output", type=Path, default=RESULTS / "batch_speed.json")
    return parser.parse_args(argv)


def main(argv: Sequence[str] | None = None) -> dict[str, Any]:
    args = parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="batch_speed_") as tmp:
        work = Path(tmp)
        db = args.db or work / "lists.duckdb"
        started = time.perf_counter()
        if args.db is None:
            from benchmarks.common import build_store

            store, _ = build_store(db)
            store.close()
        load_seconds = time.perf_counter() - started
        from screening.api import open_screener

        started = time.perf_counter()
        screener = open_screener(db)  # builds and caches the index: not part of the runs
        index_seconds = time.perf_counter() - started
        names = screener.index.name_count
        del screener
        batches = prepare(db, work, args.rows, args.messages, args.seed, args.cases)
        results = []
        for case in args.cases:
            batch, truth = batches[case]
            print(f"screening {case} ({batch.stat().st_size / 1e6:.0f} MB) ...", file=sys.stderr)
            results.append(in_child(db, batch, truth, case))
    report = {
        "rows": args.rows,
        "messages": args.messages,
        "seed": args.seed,
        "index_names": names,
        "store_load_seconds": round(load_seconds, 1),
        "index_build_seconds": round(index_seconds, 1),
        "cases": results,
    }
    print_report(results)
    args.output.parent.mkdir(parents=True, exist_ok=True)
    args.output.write_text(json.dumps(report, indent=2) + "\n", encoding="utf-8")
    return report


if __name__ == "__main__":
    main()
