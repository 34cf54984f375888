"""Benchmark: matching quality on labelled pairs that have nothing to do with our lists.

    python -m benchmarks.pairs [--pairs N] [--seed S] [--peer-python PATH]

Every pair is scored by ``screening.compare`` (the public API) and, when nomenklatura is
importable here or through ``--peer-python``, by its logic-v2 on the very same pair. Sets, from
SCREENING_SHARED_DATA/eval (see its MANIFEST.md):

- ``anetac ar->en`` / ``anetac en->ar``: ANETAC's English names and their Arabic-script spelling
  (persons and organisations; mostly non-Arabic names written in Arabic script). Positives:
  each sampled pair, the Arabic as query against the English as candidate, and the reverse.
  Negatives: the same query against the candidate of another sampled pair of the same class
  whose spellings differ on both sides.
- ``febrl names`` / ``febrl names+dob``: Febrl's person records (4a originals, 4b duplicates with
  typos, missing and swapped fields). Positives: a duplicate against its original. Negatives:
  the duplicate against another original, one with the same surname where there is one
  (people who share a surname are what a screener must tell apart), else the same given name,
  else any. Scored on names alone, then with dates of birth.
- ``senzing names``: the Senzing demo truth set (customers, watchlist and reference records
  resolved into entities by hand, names given as familiar forms, in parts, in Arabic or
  Cyrillic script). Positives: every two differently spelt names of one entity; the set is
  small and taken whole. Negatives: each positive's first name against a differently spelt
  name of another entity of the same kind, sharing a word with it where one does. The truth
  set resolved some entities by address or phone, so some negatives are the same name.

For each set and scorer: recall, false positives, precision and F1 at the scorer's default
threshold (ours: the algorithm's; logic-v2: 0.70, yente's), and the best F1 over thresholds.
Prints a table and writes benchmarks/results/pairs.json.
"""

from __future__ import annotations

import argparse
import csv
import json
import random
import time
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from benchmarks.common import shared_data_dir
from benchmarks.metrics import pair_f1
from benchmarks.peers import (
    PEER_THRESHOLD,
    nomenklatura_available,
    score_pairs,
    score_pairs_subprocess,
)
from screening.algorithms import get_algorithm
from screening.api import compare
from screening.cli.common import print_table

RESULTS = Path(__file__).parent / "results"
SENZING = "eval/senzing_truthset_demo"
ANETAC = "eval/anetac/EN-AR_Named-entities.txt"
FEBRL_ORIGINALS = "eval/febrl/febrl_dataset4a.csv"
FEBRL_DUPLICATES = "eval/febrl/febrl_dataset4b.csv"
_ANETAC_SCHEMAS = {"PERSON": "Person", "ORGANIZATION": "Organization"}
_THRESHOLDS = [round(0.40 + 0.01 * step, 2) for step in range(61)]

Party = dict[str, Any]  # name, and birthDate where known


@dataclass(frozen=True, slots=True)
class Pair:
    query: Party
    candidate: Party
    schema: str
    positive: bool


def anetac_pairs(count: int, seed: int) -> dict[str, list[Pair]]:
    """``count`` positive and ``count`` negative pairs each way (Arabic query, English query)."""
    rows = []
    for line in (shared_data_dir() / ANETAC).read_text(encoding="utf-8").splitlines():
        parts = line.split()
        if len(parts) == 3 and parts[0] in _ANETAC_SCHEMAS:
            rows.append((_ANETAC_SCHEMAS[parts[0]], parts[1], parts[2]))
    rng = random.Random(seed)
    sample = rng.sample(rows, count)
    by_schema: dict[str, list[tuple[str, str, str]]] = defaultdict(list)
    for row in sample:
        by_schema[row[0]].append(row)
    out: dict[str, list[Pair]] = {"anetac ar->en": [], "anetac en->ar": []}
    for schema, english, arabic in sample:
        other = _other(rng, by_schema[schema], english, arabic)
        out["anetac ar->en"].append(Pair({"name": arabic}, {"name": english}, schema, True))
        out["anetac en->ar"].append(Pair({"name": english}, {"name": arabic}, schema, True))
        if other is not None:
            out["anetac ar->en"].append(Pair({"name": arabic}, {"name": other[1]}, schema, False))
            out["anetac en->ar"].append(Pair({"name": english}, {"name": other[2]}, schema, False))
    return out


def _other(
    rng: random.Random, rows: list[tuple[str, str, str]], english: str, arabic: str
) -> tuple[str, str, str] | None:
    """Another row whose English and Arabic spellings both differ (a few tries)."""
    for _ in range(20):
        row = rng.choice(rows)
        if row[1].casefold() != english.casefold() and row[2] != arabic:
            return row
    return None


def _febrl(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8") as handle:
        return list(csv.DictReader(handle, skipinitialspace=True))


def _person(record: dict[str, str], with_birth: bool) -> Party:
    party: Party = {"name": f"{record['given_name']} {record['surname']}".strip()}
    born = record["date_of_birth"].strip()
    if with_birth and len(born) == 8 and born.isdigit():
        party["birthDate"] = f"{born[:4]}-{born[4:6]}-{born[6:]}"
    return party


def febrl_pairs(count: int, seed: int) -> dict[str, list[Pair]]:
    """``count`` positive and ``count`` negative pairs, on names alone and with birth dates."""
    originals = {r["rec_id"].removesuffix("-org"): r for r in _febrl(
        shared_data_dir() / FEBRL_ORIGINALS)}
    duplicates = [r for r in _febrl(shared_data_dir() / FEBRL_DUPLICATES)
                  if r["rec_id"].split("-dup")[0] in originals]
    by_surname: dict[str, list[str]] = defaultdict(list)
    by_given: dict[str, list[str]] = defaultdict(list)
    for key, record in originals.items():
        by_surname[record["surname"]].append(key)
        by_given[record["given_name"]].append(key)
    rng = random.Random(seed)
    out: dict[str, list[Pair]] = {"febrl names": [], "febrl names+dob": []}
    keys = list(originals)
    for dup in rng.sample(duplicates, count):
        own = dup["rec_id"].split("-dup")[0]
        other = _namesake(rng, dup, own, (("surname", by_surname), ("given_name", by_given)),
                          keys)
        for label, with_birth in (("febrl names", False), ("febrl names+dob", True)):
            query = _person(dup, with_birth)
            for key, positive in ((own, True), (other, False)):
                candidate = _person(originals[key], with_birth)
                out[label].append(Pair(query, candidate, "Person", positive))
    return out


def _namesake(
    rng: random.Random, record: dict[str, str], own: str,
    tables: tuple[tuple[str, dict[str, list[str]]], ...], keys: list[str],
) -> str:
    """Another original sharing the first field of ``tables`` that has one, else any other."""
    for field, table in tables:
        value = record[field]
        others = [k for k in table.get(value, []) if k != own] if value else []
        if others:
            return rng.choice(others)
    while (key := rng.choice(keys)) == own:
        pass
    return key


def senzing_names() -> list[tuple[str, str, str]]:
    """(entity, schema, name) of every name of the Senzing demo records (primary and native)."""
    folder = shared_data_dir() / SENZING
    with (folder / "actual_truthset_key.csv").open(encoding="utf-8") as handle:
        entity = {(r["DATA_SOURCE"], r["RECORD_ID"]): r["CLUSTER_ID"]
                  for r in csv.DictReader(handle)}
    names = []
    for source in ("customers", "watchlist", "reference"):
        with (folder / f"{source}.csv").open(encoding="utf-8") as handle:
            for record in csv.DictReader(handle):
                key = (record["DATA_SOURCE"], record["RECORD_ID"])
                schema = "Person" if record.get("RECORD_TYPE") == "PERSON" else "Organization"
                for name in _senzing_record_names(record):
                    names.append((entity[key], schema, name))
    return sorted(set(names))


def _senzing_record_names(record: dict[str, str]) -> list[str]:
    parts = (record.get(f"PRIMARY_NAME_{part}") or "" for part in ("FIRST", "MIDDLE", "LAST"))
    primary = (record.get("PRIMARY_NAME_FULL") or record.get("PRIMARY_NAME_ORG")
               or " ".join(p for p in parts if p))
    return [n.strip() for n in (primary, record.get("NATIVE_NAME_FULL") or "") if n.strip()]


def senzing_pairs(seed: int) -> dict[str, list[Pair]]:
    """Every positive pair of the Senzing demo truth set and as many negatives."""
    names = senzing_names()
    rng = random.Random(seed)
    out: list[Pair] = []
    for at, (entity, schema, name) in enumerate(names):
        for other_entity, other_schema, other in names[at + 1:]:
            same = (other_entity, other_schema) == (entity, schema)
            if same and name.casefold() != other.casefold():
                out.append(Pair({"name": name}, {"name": other}, schema, True))
                stranger = _stranger(rng, names, entity, schema, name)
                out.append(Pair({"name": name}, {"name": stranger}, schema, False))
    return {"senzing names": out}


def _stranger(
    rng: random.Random, names: list[tuple[str, str, str]], entity: str, schema: str, name: str
) -> str:
    """A name of another entity of ``schema`` spelt otherwise, sharing a word where one does."""
    words = set(name.casefold().split())
    others = [n for e, s, n in names
              if e != entity and s == schema and n.casefold() != name.casefold()]
    sharing = [n for n in others if words & set(n.casefold().split())]
    return rng.choice(sharing or others)


def our_scores(pairs: Sequence[Pair]) -> list[float]:
    return [compare(p.query, p.candidate, schema=p.schema).score for p in pairs]


def peer_payload(party: Party, schema: str) -> dict[str, Any]:
    props = {"name": [party["name"]]}
    if "birthDate" in party:
        props["birthDate"] = [party["birthDate"]]
    return {"schema": schema, "properties": props}


def peer_scores(pairs: Sequence[Pair], python: str | None) -> list[float] | None:
    payloads = [(peer_payload(p.query, p.schema), peer_payload(p.candidate, p.schema))
                for p in pairs]
    if python:
        return score_pairs_subprocess(python, payloads)
    return score_pairs(payloads) if nomenklatura_available() else None


def evaluate(pairs: Sequence[Pair], scores: Sequence[float], threshold: float) -> dict[str, Any]:
    positives = [s for s, p in zip(scores, pairs, strict=True) if p.positive]
    negatives = [s for s, p in zip(scores, pairs, strict=True) if not p.positive]
    at_default = pair_f1(positives, negatives, threshold)
    best = max((pair_f1(positives, negatives, t) for t in _THRESHOLDS), key=lambda r: r["f1"])
    return {
        "positives": len(positives), "negatives": len(negatives), **at_default,
        "best_f1": best["f1"], "best_threshold": best["threshold"],
    }


def run(count: int, seed: int, peer_python: str | None) -> dict[str, Any]:
    sets = {**anetac_pairs(count, seed), **febrl_pairs(count, seed), **senzing_pairs(seed)}
    ours = get_algorithm(None)
    report: dict[str, Any] = {"algorithm": ours.label, "pairs_per_set": count, "seed": seed,
                              "sets": {}}
    for label, pairs in sets.items():
        started = time.perf_counter()
        scores = our_scores(pairs)
        seconds = time.perf_counter() - started
        entry = {"ours": evaluate(pairs, scores, ours.threshold),
                 "ms_per_pair": round(seconds * 1000 / len(pairs), 2)}
        peer = peer_scores(pairs, peer_python)
        if peer is not None:
            entry["logic-v2"] = evaluate(pairs, peer, PEER_THRESHOLD)
        entry["misses"] = [
            {"query": p.query, "candidate": p.candidate, "score": round(s, 3)}
            for p, s in zip(pairs, scores, strict=True) if p.positive and s < ours.threshold
        ][:20]
        report["sets"][label] = entry
    return report


def print_report(report: dict[str, Any]) -> None:
    rows = []
    for label, entry in report["sets"].items():
        for scorer in ("ours", "logic-v2"):
            if scorer in entry:
                r = entry[scorer]
                rows.append([label, scorer, r["positives"], r["negatives"], r["threshold"],
                             f"{r['recall']:.3f}", r["fp"], f"{r['precision']:.3f}",
                             f"{r['f1']:.3f}", f"{r['best_f1']:.3f}", r["best_threshold"]])
    print_table(["set", "scorer", "pos", "neg", "threshold", "recall", "FP", "precision",
                 "F1", "best F1", "at"], rows)
    print()
    print_table(["set", "ours: ms per pair"],
                [[label, e["ms_per_pair"]] for label, e in report["sets"].items()])


def main(argv: Sequence[str] | None = None) -> dict[str, Any]:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pairs", type=int, default=500,
                        help="positive pairs per set (as many negatives)")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--peer-python", help="python with nomenklatura (default: in-process)")
    args = parser.parse_args(argv)
    report = run(args.pairs, args.seed, args.peer_python)
    print_report(report)
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / "pairs.json").write_text(json.dumps(report, indent=2, ensure_ascii=False) + "\n")
    return report


if __name__ == "__main__":
    main()
