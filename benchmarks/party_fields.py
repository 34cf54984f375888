"""Benchmark: a payment party's name field holding more than one name.

    python -m benchmarks.party_fields --db STORE [--queries N] [--seed S]

Parties of unknown kind, as payments give them, made from listed persons' names of two words
or more (the names of account holders):
- ``listed name alone``: the listed name by itself, the baseline.
- ``listed holder``: a listed person's name (primary, alias or former name) and an ordinary
  person's name (the yente negatives) in one field, either order, joined by one of
  JOINERS ("&", "and", "en/of", ...). Found when the party's hits hold the listed entity.
- ``listed couple``: a listed person's name behind a couple's titles ("M. et Mme ...").
- ``listed name, address``: a listed person's name followed by a street address (ADDRESSES).
- ``listed name, remark``: a listed person's name followed by a remark (REMARKS).
- ``two ordinary people``, ``ordinary name, address`` and ``ordinary name, remark``: negatives
  joined, or followed by an address or a remark. Flagged when the party has any hit; the
  table also counts the parties flagged although no ordinary name in them is by itself (what
  the field's reading added).

Prints a table and writes benchmarks/results/party_fields.json.
"""

from __future__ import annotations

import argparse
import json
import random
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import polars as pl

from benchmarks.common import REPO_ROOT, list_names, shared_data_dir
from benchmarks.quality import negative_queries, table
from lists.store import ListStore
from screening.api import open_screener
from screening.screener import Screener

JOINERS = (" & ", " and ", " en/of ", " et ", " + ", " und ")
COUPLES = ("M. et Mme ", "Mr and Mrs ", "Dhr en Mevr ")
# Address formats: {n} a house number, {p} a postcode.
ADDRESSES = (
    " Kerkstraat {n} {p} Antwerpen", ", Rue de la Loi {n}, {p} Bruxelles", " {n} Main Street",
    ", Avenue Louise {n}, {p} Brussels", " Meir {n}, {p} Antwerpen", ", Hauptstrasse {n}",
)


# Remarks after a name: {y} a year.
REMARKS = (" (deceased)", ", born {y}", " (Mr)", " (minor)", "; account holder")


def _remark(rng: random.Random) -> str:
    return rng.choice(REMARKS).format(y=rng.randint(1940, 2005))


def _address(rng: random.Random) -> str:
    return rng.choice(ADDRESSES).format(n=rng.randint(1, 250), p=rng.randint(1000, 9999))


def listed_persons(store: ListStore, count: int, seed: int) -> pl.DataFrame:
    """``count`` strong names of two words or more of listed persons (entity_id, list_id,
    name), sampled."""
    names = list_names(store).filter(
        (pl.col("schema") == "Person") & pl.col("kind").is_in(["primary", "alias", "former"])
        & (pl.col("name").str.count_matches(r"[^\W\d_]+") >= 2)
    )
    return names.sample(min(count, names.height), seed=seed).select("entity_id", "list_id", "name")


def joint_queries(listed: pl.DataFrame, ordinary: list[str], seed: int) -> pl.DataFrame:
    """Parties (name, category, entity_id, list_id): each listed name alone, with an ordinary
    one, behind a couple's titles, and followed by an address or a remark."""
    rng = random.Random(seed)
    rows: list[dict[str, str | None]] = []
    for entity_id, list_id, name in listed.iter_rows():
        rows.append({"name": name, "category": "listed name alone", "entity_id": entity_id,
                     "list_id": list_id})
        other = rng.choice(ordinary)
        pair = (name, other) if rng.random() < 0.5 else (other, name)
        rows.append({"name": rng.choice(JOINERS).join(pair), "category": "listed holder",
                     "entity_id": entity_id, "list_id": list_id})
        rows.append({"name": rng.choice(COUPLES) + name, "category": "listed couple",
                     "entity_id": entity_id, "list_id": list_id})
        rows.append({"name": name + _address(rng), "category": "listed name, address",
                     "entity_id": entity_id, "list_id": list_id})
        rows.append({"name": name + _remark(rng), "category": "listed name, remark",
                     "entity_id": entity_id, "list_id": list_id})
    return pl.DataFrame(
        rows, schema={c: pl.Utf8 for c in ("name", "category", "entity_id", "list_id")}
    )


def recall(screener: Screener, queries: pl.DataFrame) -> list[dict[str, object]]:
    """Per category: parties, and those whose hits hold the listed entity."""
    hits = screener.screen(queries.select("name", pl.lit(None, dtype=pl.Utf8).alias("schema")))
    found = queries.with_row_index("row").join(
        hits.select(pl.col("row").cast(pl.UInt32), "entity_id", "list_id"),
        on=["row", "entity_id", "list_id"], how="semi",
    )
    counts = queries.group_by("category").len().join(
        found.group_by("category").len().rename({"len": "found"}), on="category", how="left"
    )
    return [
        {"category": c, "parties": n, "found": f or 0, "recall": (f or 0) / n}
        for c, n, f in counts.sort("category").iter_rows()
    ]


def ordinary_fields(
    screener: Screener, ordinary: list[str], count: int, seed: int
) -> list[dict[str, object]]:
    """Ordinary people joined, or followed by an address: parties flagged, and flagged although
    no ordinary name in them is by itself."""
    rng = random.Random(seed)
    joined = [[rng.choice(ordinary), rng.choice(ordinary)] for _ in range(count)]
    fields = {
        "two ordinary people": [(rng.choice(JOINERS).join(p), p) for p in joined],
        "ordinary name, address": [
            (name + _address(rng), [name]) for name in rng.sample(ordinary, count)
        ],
        "ordinary name, remark": [
            (name + _remark(rng), [name]) for name in rng.sample(ordinary, count)
        ],
    }
    names = sorted({n for cases in fields.values() for _, held in cases for n in held})
    flagged_rows = screener.screen(pl.DataFrame({"name": names}))["row"].unique().sort()
    flagged = set(pl.Series(names).gather(flagged_rows).to_list())
    out: list[dict[str, object]] = []
    for category, cases in fields.items():
        rows = set(screener.screen(pl.DataFrame({"name": [f for f, _ in cases]}))["row"].to_list())
        added = [i for i in rows if flagged.isdisjoint(cases[i][1])]
        out.append({"category": category, "parties": count, "flagged": len(rows),
                    "flagged, no name alone": len(added)})
    return out


def run(db: Path, queries: int, seed: int) -> dict[str, Any]:
    store = ListStore(db)
    try:
        listed = listed_persons(store, queries, seed)
    finally:
        store.close()
    ordinary = negative_queries(shared_data_dir(), None, seed)["name"].to_list()
    screener = open_screener(db, cache=True)
    return {
        "recall": recall(screener, joint_queries(listed, ordinary, seed)),
        "ordinary": ordinary_fields(screener, ordinary, queries, seed),
        "algorithm": f"{screener.algorithm.name} v{screener.algorithm.version}",
    }


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", type=Path, required=True, help="a store of the lists")
    parser.add_argument("--queries", type=int, default=1000, help="listed names and pairs")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--out", type=Path, default=REPO_ROOT / "benchmarks" / "results")
    return parser.parse_args(argv)


def main(argv: Sequence[str] | None = None) -> dict[str, Any]:
    args = parse_args(argv)
    report = run(args.db, args.queries, args.seed)
    print(f"party name fields, {report['algorithm']}, untyped")
    print(table(report["recall"], ["category", "parties", "found", "recall"]))
    print()
    print(table(report["ordinary"], list(report["ordinary"][0])))
    args.out.mkdir(parents=True, exist_ok=True)
    (args.out / "party_fields.json").write_text(json.dumps(report, indent=2), encoding="utf-8")
    return report


if __name__ == "__main__":
    main()
