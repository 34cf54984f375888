"""Benchmark: load every real list in SCREENING_SHARED_DATA into a fresh store.

Scenario: cold start, a new DuckDB file in a temporary folder; each list is parsed and stored as
one snapshot, exactly as `screening lists load` does. Prints entities, names and seconds per list
and in total, plus peak memory, and writes benchmarks/results/load_lists.json.

Run: python -m benchmarks.load_lists   (target: all lists in under 5 s on 2 cores)
"""

from __future__ import annotations

import json
import resource
import tempfile
import time
from pathlib import Path

from lists.ingest import load_paths
from lists.registry import plan
from lists.store import ListStore
from screening import settings
from screening.cli.common import print_table

RESULTS = Path(__file__).parent / "results"

# Every list file set in the shared folder; folders hold multi-file lists.
LIST_FILES = (
    "un/consolidated_2026-02-27.xml",
    "ofac/sdn_2024-05-03/sdn.csv",
    "ofac/set_2021-07",
    "ofac/consolidated_2025-12",
    "ofac/consolidated_xml_2024-05-06/consolidated.xml",
    "eu/fixtures_2016_v1_0/eu_global_2016-02-11_truncated.xml",
    "eu/opensanctions_journal_extracts/32001R2580.csv",
    "eu/opensanctions_journal_extracts/32002R0881.csv",
    "uk/sanctionsconlist_2018-04-13.csv",
    "canada/sema-lmes_2020-04.xml",
    "opensanctions/ua_war_sanctions.targets.simple.csv",
    "opensanctions/interpol_red_notices.targets.simple.csv",
    "opensanctions/ftm_samples/zala.entities.ftm.json",
    "national/pakistan/nacta_proscribed_persons_source.json",
)
# Lists that share a default id with another file get their own id in the benchmark store.
LIST_IDS = {
    "ofac/set_2021-07": "us_ofac_sdn_2021",
    "ofac/consolidated_xml_2024-05-06/consolidated.xml": "us_ofac_cons_xml",
}


def main() -> None:
    folder = settings.shared_data_dir()
    rows = []
    started = time.perf_counter()
    with tempfile.TemporaryDirectory() as tmp:
        store = ListStore(Path(tmp) / "bench.duckdb")
        for rel in LIST_FILES:
            path = folder / rel
            t0 = time.perf_counter()
            for spec, files in plan([path]):
                report = load_paths(store, files, spec.name, LIST_IDS.get(rel))[0]
                rows.append(
                    {
                        "file": rel,
                        "list_id": report.list_id,
                        "format": report.format,
                        "entities": report.entities,
                        "names": report.names,
                        "seconds": round(time.perf_counter() - t0, 3),
                    }
                )
        store.close()
    total = time.perf_counter() - started
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print_table(
        ["file", "list", "format", "entities", "names", "seconds"],
        [tuple(r.values()) for r in rows],
    )
    entities = sum(int(r["entities"]) for r in rows)  # type: ignore[call-overload]
    names = sum(int(r["names"]) for r in rows)  # type: ignore[call-overload]
    print(
        f"\nTotal: {entities} entities, {names} names in {total:.2f} s; "
        f"peak memory {peak_mb:.0f} MB"
    )
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / "load_lists.json").write_text(
        json.dumps(
            {
                "lists": rows,
                "entities": entities,
                "names": names,
                "seconds": round(total, 3),
                "peak_memory_mb": round(peak_mb),
            },
            indent=2,
        ),
        encoding="utf-8",
    )


if __name__ == "__main__":
    main()
