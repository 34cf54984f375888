"""Bare names (normalise.is_bare): listed acronyms made of legal-form words ("SL", the alias of
Sendero Luminoso; "PTE OOO", "ASBL") and a punctuation-only alias ("@") are found by their
exact text, on the real OFAC SDN list, and never by a longer name holding the same word."""

from __future__ import annotations

from pathlib import Path

import polars as pl
import pytest

from lists.ingest import load_paths
from lists.store import ListStore
from screening.algorithms import DEFAULT
from screening.api import open_screener
from screening.normalise import name_tokens
from screening.screener import Screener
from tests.conftest import shared_data_dir
from tests.screening.reference import reference_score
from tests.screening.test_cli_screen import run

SDN = "ofac/sdn_2024-05-03/sdn.csv"
SHINING_PATH = "4715"  # a.k.a. 'SL'
# (query, entity id of the SDN entry listing it as an alias)
ALIASES = [
    ("SL", SHINING_PATH),
    ("S.L.", SHINING_PATH),
    ("SE", "12605"),
    ("SPC", "12867"),
    ("PTE OOO", "40913"),
    ("SAPA", "45356"),
    ("ASBL", "7641"),
    ("@", "47682"),
]
LONGER = ["SL Trading", "Trading SL SA", "SL Trading Ltd", "Sendero SL"]


@pytest.fixture(scope="module")
def db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("acronyms") / "lists.duckdb"
    store = ListStore(path)
    try:
        load_paths(store, [shared_data_dir() / SDN], list_id="us_ofac_sdn")
    finally:
        store.close()
    return path


@pytest.fixture(scope="module")
def screener(db: Path) -> Screener:
    return open_screener(db)


def _hits(
    screener: Screener, names: list[str], schema: str | None, threshold: float | None = None
) -> pl.DataFrame:
    frame = pl.DataFrame({"name": names, "schema": [schema] * len(names)},
                         schema={"name": pl.Utf8, "schema": pl.Utf8})
    return screener.screen(frame, threshold=threshold, limit=None).select(
        "row", "entity_id", "matched_name", "score"
    ).sort("row", "entity_id")


@pytest.mark.parametrize("schema", ["Organization", None])
@pytest.mark.parametrize(("name", "entity_id"), ALIASES)
def test_bare_alias_found_by_screen_on_both_paths(
    screener: Screener, name: str, entity_id: str, schema: str | None
) -> None:
    fast = _hits(screener, [name], schema)
    batch = _hits(Screener(screener.index, screener.algorithm, fast=False), [name], schema)
    assert fast.equals(batch)
    assert entity_id in fast["entity_id"].to_list(), fast


def test_bare_alias_found_by_match(screener: Screener) -> None:
    hits = screener.match("SL")
    assert [(h.entity_id, h.matched_name) for h in hits][:1] == [(SHINING_PATH, "SL")]


def test_bare_alias_found_by_the_match_command(db: Path) -> None:
    result = run(db, "match", "SL")
    assert result.returncode == 0, result.stderr
    assert "SHINING PATH" in result.stdout


@pytest.mark.parametrize("schema", ["Organization", "Person", None])
def test_longer_names_never_hit_the_acronym(screener: Screener, schema: str | None) -> None:
    """"SL Trading" holds the word of the acronym "SL" but is another name, on the fast path,
    the batch path and without blocking (the scorer's own rule), even at a low threshold."""
    for path in (
        screener,
        Screener(screener.index, screener.algorithm, fast=False),
        Screener(screener.index, screener.algorithm, blocking=False),
    ):
        hits = _hits(path, LONGER, schema, threshold=0.3)
        assert hits.filter(pl.col("matched_name") == "SL").is_empty(), hits


def test_reference_scores_bare_names_only_against_bare_names() -> None:
    sl, trading = name_tokens("SL", "Organization"), name_tokens("SL Trading", "Organization")
    dotted = name_tokens("S.L.", "Organization")

    def score(q: list[str], c: list[str]) -> float:
        return reference_score(
            q, [1.0] * len(q), q, c, [1.0] * len(c), c, weak=False, algorithm=DEFAULT
        )

    assert score(sl, sl) == score(dotted, sl) == 1.0
    assert score(trading, sl) == score(sl, trading) == 0.0
