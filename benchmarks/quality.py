"""Matching quality benchmark: recall, precision, F1 and false positives on the real lists.

    python -m benchmarks.quality [--db PATH] [--sample N] [--seed S] [--out benchmarks/results]

Builds a fresh store from every real list in SCREENING_SHARED_DATA (or uses ``--db``), then
screens, with each screener (the engine when ``screening.open_screener`` exists, and the
exhaustive rapidfuzz reference):

* exact: every list name (primary, aliases, weak aliases, former and original-script names),
* 25 name-variation categories and 4 birth-date perturbations (``--per-category`` each, seeded),
* the yente UN positives (treated names, with birth date and nationality),
* the 50,000 synthetic yente negatives.

``--sample N`` caps the exact names, the negatives and each category at N (seeded samples).
A correct hit is any entity carrying the name the query was made from (same name compared
case- and space-insensitively), since one person is often listed by several lists. Definitions
of the metrics are in ``benchmarks/metrics.py``. Screening runs once at a low threshold
(0.50, or the default threshold when lower) and every threshold is evaluated from that.
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

import polars as pl

from benchmarks import metrics, peers
from benchmarks.common import (
    EVAL_DIR,
    ReferenceScreener,
    build_store,
    list_names,
    name_key,
    script_of,
    shared_data_dir,
)
from benchmarks.variations import QUERY_SCHEMA, generate_dob_queries, generate_name_queries
from lists.countries import to_iso
from lists.store import ListStore

LOW_THRESHOLD = 0.50
UN_LIST = "un_sc"
BREAKDOWNS = ("category", "script", "schema", "list_id", "kind")


class ScreenerLike(Protocol):
    default_threshold: float

    def screen(self, frame: pl.DataFrame, threshold: float | None = None) -> pl.DataFrame: ...


@dataclass(slots=True)
class Engine:
    label: str
    screener: ScreenerLike
    algorithm: str
    version: str


# -- queries ---------------------------------------------------------------------------------


def names_with_attributes(store: ListStore) -> pl.DataFrame:
    """List names plus the entity's first full birth date and first nationality."""
    names = list_names(store)
    attrs = names.select(
        pl.col("data").str.json_path_match("$.birth_dates[0].value").alias("birth_date"),
        pl.col("data").str.json_path_match("$.nationalities[0]").alias("nationality"),
    )
    return pl.concat([names, attrs], how="horizontal")


def exact_queries(names: pl.DataFrame, sample: int | None, seed: int) -> pl.DataFrame:
    rows = names if sample is None or sample >= names.height else names.sample(sample, seed=seed)
    return rows.select(
        "name",
        "schema",
        pl.lit(None, dtype=pl.Utf8).alias("birth_date"),
        pl.lit(None, dtype=pl.Utf8).alias("country"),
        pl.lit(None, dtype=pl.Utf8).alias("nationality"),
        pl.lit("exact").alias("category"),
        pl.col("entity_id").alias("expected_entity_id"),
        pl.col("list_id").alias("expected_list_id"),
        pl.col("name").alias("original_name"),
        pl.col("name").map_elements(script_of, return_dtype=pl.Utf8).alias("script"),
        "kind",
    )


def _iso(value: str | None) -> str | None:
    return to_iso(value) if value else None


def _read_eval(folder: Path, filename: str) -> pl.DataFrame:
    return pl.read_csv(folder / EVAL_DIR / filename, infer_schema=False)


def un_positive_queries(folder: Path, names: pl.DataFrame) -> tuple[pl.DataFrame, int]:
    """Treated yente UN positives, each resolved through its untreated name to UN entities."""
    treated = _read_eval(folder, "positives_un_treated.csv")
    untreated = _read_eval(folder, "positives_un_untreated.csv")
    un_names = names.filter(pl.col("list_id") == UN_LIST).unique(
        subset=["key", "entity_id"], keep="first", maintain_order=True
    )
    first = un_names.group_by("key", maintain_order=True).agg(
        pl.col("entity_id").first(), pl.col("name").first(), pl.col("schema").first()
    )
    resolved = (
        pl.DataFrame(
            {
                "name": treated["full_name"],
                "birth_date": treated["date_of_birth"],
                "nationality": treated["nationality"].str.to_uppercase(),
                "key": untreated["full_name"].map_elements(name_key, return_dtype=pl.Utf8),
            }
        )
        .join(first, on="key", how="inner", suffix="_list")
        .select(
            "name",
            pl.col("schema"),
            "birth_date",
            pl.lit(None, dtype=pl.Utf8).alias("country"),
            "nationality",
            pl.lit("un_treated").alias("category"),
            pl.col("entity_id").alias("expected_entity_id"),
            pl.lit(UN_LIST).alias("expected_list_id"),
            pl.col("name_list").alias("original_name"),
            pl.col("name_list").map_elements(script_of, return_dtype=pl.Utf8).alias("script"),
            pl.lit("primary").alias("kind"),
        )
    )
    return resolved, treated.height


def negative_queries(folder: Path, sample: int | None, seed: int) -> pl.DataFrame:
    rows = _read_eval(folder, "negatives_global.csv")
    if sample is not None and sample < rows.height:
        rows = rows.sample(sample, seed=seed)
    return rows.select(
        pl.col("full_name").alias("name"),
        pl.lit("Person").alias("schema"),
        pl.col("date_of_birth").alias("birth_date"),
        pl.lit(None, dtype=pl.Utf8).alias("country"),
        pl.col("nationality").map_elements(_iso, return_dtype=pl.Utf8).alias("nationality"),
        pl.lit("negative").alias("category"),
        pl.lit(None, dtype=pl.Utf8).alias("expected_entity_id"),
        pl.lit(None, dtype=pl.Utf8).alias("expected_list_id"),
        pl.lit(None, dtype=pl.Utf8).alias("original_name"),
        pl.col("full_name").map_elements(script_of, return_dtype=pl.Utf8).alias("script"),
        pl.lit(None, dtype=pl.Utf8).alias("kind"),
    )


def build_queries(
    names: pl.DataFrame,
    folder: Path,
    per_category: int,
    sample: int | None,
    seed: int,
    with_un: bool = True,
) -> tuple[pl.DataFrame, dict[str, int]]:
    """Every query with ``qid``, ``positive`` and ``expected`` (entity keys that are correct)."""
    per_category = min(per_category, sample) if sample is not None else per_category
    parts = [exact_queries(names, sample, seed)]
    for generated in (
        generate_name_queries(names, per_category, seed),
        generate_dob_queries(names, per_category, seed),
    ):
        parts.append(
            generated.join(
                names.select(
                    pl.col("entity_id").alias("expected_entity_id"),
                    pl.col("list_id").alias("expected_list_id"),
                    pl.col("name").alias("original_name"),
                    "kind",
                ).unique(
                    subset=["expected_entity_id", "expected_list_id", "original_name"],
                    keep="first",
                ),
                on=["expected_entity_id", "expected_list_id", "original_name"],
                how="left",
            )
        )
    info = {"un_positives_total": 0, "un_positives_resolved": 0}
    if with_un:
        un, total = un_positive_queries(folder, names)
        parts.append(un)
        info = {"un_positives_total": total, "un_positives_resolved": un.height}
    parts.append(negative_queries(folder, sample, seed))
    queries = pl.concat([p.select(*QUERY_SCHEMA, "kind") for p in parts], how="vertical")
    return _with_expected(queries, names), info


def _with_expected(queries: pl.DataFrame, names: pl.DataFrame) -> pl.DataFrame:
    """Attach the entity keys that count as a correct hit: every entity with the source name."""
    by_name = (
        names.select("key", pl.format("{}/{}", "list_id", "entity_id").alias("entity"))
        .unique()
        .group_by("key")
        .agg(pl.col("entity"))
    )
    own = pl.format("{}/{}", "expected_list_id", "expected_entity_id")
    return (
        queries.with_row_index("qid")
        .with_columns(
            pl.col("qid").cast(pl.Int64),
            pl.col("original_name").map_elements(name_key, return_dtype=pl.Utf8).alias("key"),
        )
        .join(by_name, on="key", how="left")
        .sort("qid")
        .with_columns(
            pl.col("expected_entity_id").is_not_null().alias("positive"),
            pl.when(pl.col("expected_entity_id").is_not_null())
            .then(pl.concat_list(pl.col("entity").fill_null([]), pl.concat_list(own)).list.unique())
            .otherwise(pl.lit([], dtype=pl.List(pl.Utf8)))
            .alias("expected"),
            pl.col("expected_list_id").alias("list_id"),
        )
        .drop("key", "entity")
    )


# -- screening -------------------------------------------------------------------------------


def open_engines(db: Path, names: pl.DataFrame, which: str, algorithm: str | None) -> list[Engine]:
    engines: list[Engine] = []
    if which in ("engine", "both"):
        engine = _open_engine(db, algorithm)
        if engine is not None:
            engines.append(engine)
        elif which == "engine":
            raise SystemExit("screening.open_screener is not available")
    if which in ("reference", "both"):
        ref = ReferenceScreener(names)
        engines.append(Engine("reference", ref, ref.algorithm, ref.version))
    return engines


def _open_engine(db: Path, algorithm: str | None) -> Engine | None:
    try:
        import screening

        opener: Any = screening.open_screener
    except (ImportError, AttributeError):
        print("screening engine not available: engine row skipped", file=sys.stderr)
        return None
    try:
        screener = opener(db, algorithm=algorithm) if algorithm else opener(db)
    except TypeError:
        print("open_screener takes no algorithm: default algorithm used", file=sys.stderr)
        screener = opener(db)
    algo = getattr(screener, "algorithm", None)
    name = str(getattr(algo, "name", algo or "engine"))
    version = str(getattr(algo, "version", getattr(screener, "version", "")))
    return Engine("engine", screener, name, version)


def screen_all(
    engine: Engine, queries: pl.DataFrame, threshold: float, chunk: int = 5000
) -> tuple[pl.DataFrame, float]:
    """Hits (row, key, score, order) of every query, screened in chunks; and seconds taken."""
    frame = queries.select("name", "schema", "birth_date", "country", "nationality")
    parts: list[pl.DataFrame] = []
    start = time.perf_counter()
    for offset in range(0, frame.height, chunk):
        batch = frame.slice(offset, chunk)
        found = engine.screener.screen(batch, threshold=threshold)
        parts.append(
            found.select(
                (pl.col("row").cast(pl.Int64) + offset).alias("row"),
                pl.format("{}/{}", "list_id", "entity_id").alias("key"),
                pl.col("score").cast(pl.Float64),
                "entity_id",
                "list_id",
            )
        )
        _progress(engine.label, min(offset + chunk, frame.height), frame.height, start)
    elapsed = time.perf_counter() - start
    hits = pl.concat(parts) if parts else pl.DataFrame()
    return hits.with_row_index("order").with_columns(pl.col("order").cast(pl.Int64)), elapsed


def _progress(label: str, done: int, total: int, start: float) -> None:
    if sys.stderr.isatty():
        rate = done / max(time.perf_counter() - start, 1e-9)
        print(f"\r{label}: {done}/{total} queries ({rate:,.0f}/s)", end="", file=sys.stderr)
        if done == total:
            print(file=sys.stderr)


# -- evaluation ------------------------------------------------------------------------------


def evaluate(engine: Engine, queries: pl.DataFrame, hits: pl.DataFrame) -> dict[str, Any]:
    threshold = engine.screener.default_threshold
    judged = metrics.judge(queries, hits, threshold)
    curve = metrics.pr_curve(queries, hits)
    return {
        "algorithm": engine.algorithm,
        "version": engine.version,
        "threshold": threshold,
        "summary": metrics.summary(judged),
        "exact_name_recall": _exact_recall(judged),
        "breakdowns": {
            column: metrics.recall_by(judged, column).to_dicts() for column in BREAKDOWNS
        },
        "calibration": metrics.calibration(judged),
        "best_f1": metrics.best_f1(curve),
        "pr_curve": curve,
        "misses": _misses(judged, hits),
    }


def _misses(judged: pl.DataFrame, hits: pl.DataFrame) -> pl.DataFrame:
    """Positive queries not found at the threshold, with the screener's top hit: for tuning."""
    top = (
        hits.sort(["row", "score", "order"], descending=[False, True, False])
        .group_by("row", maintain_order=True)
        .first()
        .select(pl.col("row").alias("qid"), pl.col("key").alias("top_hit"))
    )
    return (
        judged.filter(pl.col("positive") & ~pl.col("found"))
        .join(top, on="qid", how="left")
        .select(
            "qid",
            "category",
            "name",
            "original_name",
            "kind",
            "expected_list_id",
            "expected_entity_id",
            "expected_score",
            "top_hit",
            "top_score",
        )
    )


def _exact_recall(judged: pl.DataFrame) -> float:
    exact = judged.filter(pl.col("category") == "exact")
    return int(exact["found"].sum()) / exact.height if exact.height else 0.0


# -- output ----------------------------------------------------------------------------------


def _fmt(value: object) -> str:
    if isinstance(value, float):
        return f"{value:.4f}"
    return "" if value is None else str(value)


def table(rows: Sequence[dict[str, object]], columns: Sequence[str]) -> str:
    """Plain aligned text: numbers right-aligned, text left-aligned."""
    cells = [[_fmt(r.get(c)) for c in columns] for r in rows]
    widths = [max([len(c), *(len(row[i]) for row in cells)]) for i, c in enumerate(columns)]
    numeric = [all(isinstance(r.get(c), int | float) for r in rows) for c in columns]

    def line(values: Sequence[str]) -> str:
        return "  ".join(
            v.rjust(w) if num else v.ljust(w)
            for v, w, num in zip(values, widths, numeric, strict=True)
        ).rstrip()

    return "\n".join([line(columns), line(["-" * w for w in widths]), *(line(r) for r in cells)])


def print_report(report: dict[str, Any]) -> None:
    print(f"queries: {report['queries']['total']} ({report['queries']['by_category']})")
    print(f"UN positives resolved: {report['un_positives']}")
    for label, result in report["engines"].items():
        print()
        print(
            f"== {label}: {result['algorithm']} v{result['version']}, "
            f"threshold {result['threshold']}, {result['seconds']:.1f} s "
            f"({result['queries_per_second']:,.0f} queries/s)"
        )
        summary = result["summary"]
        print(table([summary], list(summary)))
        print(
            f"exact-name recall: {result['exact_name_recall']:.4f}; "
            f"best F1 {result['best_f1']['f1']:.4f} at {result['best_f1']['threshold']}; "
            f"calibration monotonic: {result['calibration']['monotonic']} "
            f"{'; '.join(result['calibration']['violations'][:3])}"
        )
        for column in BREAKDOWNS:
            print()
            rows = result["breakdowns"][column]
            print(
                table(rows, [column, "queries", "found", "recall", "rank1_accuracy", "mean_score"])
            )
    if report.get("peers"):
        print()
        print("== peer comparison on the same pairs")
        print(report["peers"].get("note", ""))
        rows = report["peers"].get("rows", [])
        if rows:
            print(
                table(
                    rows,
                    [
                        "system",
                        "threshold",
                        "precision",
                        "recall",
                        "f1",
                        "best_f1",
                        "best_threshold",
                    ],
                )
            )


def write_outputs(report: dict[str, Any], out: Path) -> None:
    out.mkdir(parents=True, exist_ok=True)
    curves = []
    serialisable = json.loads(json.dumps(report, default=_json_default))
    for label, result in report["engines"].items():
        curves.append(result["pr_curve"].with_columns(pl.lit(label).alias("engine")))
        serialisable["engines"][label]["pr_curve"] = result["pr_curve"].to_dicts()
        serialisable["engines"][label]["misses"] = f"misses_{label}.csv"
        result["misses"].write_csv(out / f"misses_{label}.csv")
    (out / "quality.json").write_text(json.dumps(serialisable, indent=2, ensure_ascii=False))
    if curves:
        pl.concat(curves).write_csv(out / "pr_curve.csv")


def _json_default(value: object) -> object:
    if isinstance(value, pl.DataFrame):
        return None  # written separately
    if isinstance(value, Path):
        return str(value)
    raise TypeError(f"not serialisable: {type(value).__name__}")


# -- main ------------------------------------------------------------------------------------


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="python -m benchmarks.quality",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--db", type=Path, help="existing store to use (default: fresh build)")
    parser.add_argument("--sample", type=int, help="cap exact names, negatives and categories")
    parser.add_argument("--per-category", type=int, default=300)
    parser.add_argument("--seed", type=int, default=20240601)
    parser.add_argument("--out", type=Path, default=Path("benchmarks/results"))
    parser.add_argument("--lists", help="comma-separated list ids to load (default: all)")
    parser.add_argument("--screener", choices=("engine", "reference", "both"), default="both")
    parser.add_argument("--algorithm", help="engine algorithm name (when supported)")
    parser.add_argument("--peer-python", help="python with nomenklatura (default: in-process)")
    parser.add_argument(
        "--peer-pairs",
        type=int,
        default=3000,
        help="positive and negative pairs each for the peer comparison",
    )
    parser.add_argument("--no-peers", action="store_true")
    return parser.parse_args(argv)


def main(argv: Sequence[str] | None = None) -> dict[str, Any]:
    args = parse_args(argv)
    started = time.perf_counter()
    folder = shared_data_dir()
    with tempfile.TemporaryDirectory(prefix="quality-") as tmp:
        db = args.db or Path(tmp) / "lists.duckdb"
        list_ids = args.lists.split(",") if args.lists else None
        store, build = (
            build_store(db, folder, list_ids) if args.db is None else (ListStore(db), None)
        )
        names = names_with_attributes(store)
        entities = names.select(
            pl.format("{}/{}", "list_id", "entity_id").alias("key"), "data"
        ).unique("key")
        names = names.drop("data")
        store.close()  # the engine opens the file itself
        queries, un_info = build_queries(
            names,
            folder,
            args.per_category,
            args.sample,
            args.seed,
            with_un=list_ids is None or UN_LIST in list_ids,
        )
        report: dict[str, Any] = {
            "seed": args.seed,
            "sample": args.sample,
            "per_category": args.per_category,
            "lists": build.to_dict() if build else str(db),
            "list_names": names.height,
            "un_positives": un_info,
            "queries": {
                "total": queries.height,
                "positives": int(queries["positive"].sum()),
                "by_category": dict(
                    queries.group_by("category").len().sort("category").iter_rows()
                ),
            },
            "engines": {},
        }
        engines = open_engines(db, names, args.screener, args.algorithm)
        all_hits: dict[str, pl.DataFrame] = {}
        for engine in engines:
            low = min(LOW_THRESHOLD, engine.screener.default_threshold)
            hits, seconds = screen_all(engine, queries, low)
            all_hits[engine.label] = hits
            result = evaluate(engine, queries, hits)
            result["seconds"] = seconds
            result["queries_per_second"] = queries.height / seconds if seconds else 0.0
            report["engines"][engine.label] = result
        if engines and not args.no_peers:
            report["peers"] = peers.compare_on_pairs(
                queries, all_hits, engines, entities, args.peer_pairs, args.seed, args.peer_python
            )
    report["elapsed_seconds"] = time.perf_counter() - started
    print_report(report)
    write_outputs(report, args.out)
    return report


if __name__ == "__main__":
    main()
