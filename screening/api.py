"""The public Python API: ``compare`` one pair, ``open_screener`` over the store."""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

import polars as pl

from lists.countries import to_iso
from lists.dates import iso_date
from lists.model import BirthDate, Entity, Name, Schema
from lists.store import ListStore
from screening import settings
from screening.algorithms import get_algorithm
from screening.index import ScreeningIndex, build_tables, indexed_names, load_or_build
from screening.normalise import PERSON, name_tokens, tokenise_names
from screening.readings import explained, with_readings
from screening.screener import Screener, query_frame
from screening.single import compare_match

_FEW_NAMES = 32  # up to this many names are tokenised one by one (see _tokens)
_KEPT_CANDIDATES = 256  # compare's candidate screeners kept (see _candidate_screener)


@dataclass(frozen=True, slots=True)
class Comparison:
    score: float
    match: bool
    explanation: str
    algorithm: str


def _candidate_entity(candidate: str | dict[str, Any], schema: str) -> Entity:
    if isinstance(candidate, str):
        return Entity("candidate", "compare", Schema(schema), [Name(candidate)])
    props = dict(candidate.get("properties", candidate))
    names = props.get("name") or []
    names = names if isinstance(names, list) else [names]
    births = props.get("birthDate") or props.get("birth_date") or []
    births = births if isinstance(births, list) else [births]
    countries: list[str] = []
    for key in ("nationality", "country", "citizenship"):
        values = props.get(key) or []
        countries.extend(values if isinstance(values, list) else [values])
    entity_schema = Schema(str(candidate.get("schema") or schema))
    return Entity(
        "candidate", "compare", entity_schema,
        names=[Name(str(n)) for n in names],
        birth_dates=[BirthDate(d) for b in births if (d := iso_date(str(b))) is not None],
        nationalities=sorted({c for v in countries if (c := to_iso(str(v)) or str(v).upper())}),
    )


def _tokens(rows: pl.DataFrame) -> pl.Series:
    """The tokens of each name: a few names (compare's candidate) one by one, as the fast path
    reads a query, since the vectorised pipeline's fixed cost is tens of milliseconds."""
    if rows.height > _FEW_NAMES:
        return tokenise_names(rows["name"], rows["schema"])
    return pl.Series(
        [name_tokens(n, s or PERSON) for n, s in zip(rows["name"], rows["schema"], strict=True)],
        dtype=pl.List(pl.Utf8),
    )


def _indexed_names(rows: pl.DataFrame) -> pl.DataFrame:
    return indexed_names(rows, _tokens(rows))


def index_from_names(rows: pl.DataFrame) -> ScreeningIndex:
    """An in-memory index over a frame of names (entity_id, list_id, schema, name, kind).

    Entities carry no dates, countries or identifiers: for speed and scale measurements.
    """
    names = _indexed_names(rows)
    tables = build_tables(names)
    entities = rows.group_by("entity_id", "list_id").agg(
        pl.col("schema").first(), pl.col("name").first().alias("caption")
    ).with_columns(
        pl.lit([], dtype=pl.List(pl.Utf8)).alias("birth_dates"),
        pl.lit([], dtype=pl.List(pl.Utf8)).alias("birth_untils"),
        pl.lit([], dtype=pl.List(pl.Utf8)).alias("countries"),
        pl.lit(None, dtype=pl.Utf8).alias("gender"),
    )
    return ScreeningIndex(
        names=names, tokens=tables["tokens"], keys=tables["keys"], entities=entities,
        identifiers=pl.DataFrame(
            schema={c: pl.Utf8 for c in ("kind", "value", "entity_id", "list_id")}
        ),
        token_info=tables["token_info"], snapshots=[],
    )


def index_from_entities(entities: list[Entity]) -> ScreeningIndex:
    """A small in-memory index over the given entities (no store involved)."""
    rows = [
        (e.entity_id, e.list_id, str(e.schema), n.full, str(n.kind))
        for e in entities for n in e.names
    ]
    names = _indexed_names(pl.DataFrame(
        rows, schema={c: pl.Utf8 for c in ("entity_id", "list_id", "schema", "name", "kind")},
        orient="row",
    ))
    tables = build_tables(names)
    entity_rows = pl.DataFrame(
        {
            "entity_id": [e.entity_id for e in entities],
            "list_id": [e.list_id for e in entities],
            "schema": [str(e.schema) for e in entities],
            "caption": [e.caption for e in entities],
            "birth_dates": [[b.value for b in e.birth_dates] for e in entities],
            "birth_untils": [[b.until or b.value for b in e.birth_dates] for e in entities],
            "countries": [sorted(set(e.nationalities) | set(e.countries)) for e in entities],
            "gender": [e.gender for e in entities],
        },
        schema={
            "entity_id": pl.Utf8, "list_id": pl.Utf8, "schema": pl.Utf8, "caption": pl.Utf8,
            "birth_dates": pl.List(pl.Utf8), "birth_untils": pl.List(pl.Utf8),
            "countries": pl.List(pl.Utf8), "gender": pl.Utf8,
        },
    )
    identifiers = pl.DataFrame(
        [(str(i.kind), i.value, e.entity_id, e.list_id) for e in entities for i in e.identifiers],
        schema={c: pl.Utf8 for c in ("kind", "value", "entity_id", "list_id")}, orient="row",
    )
    return ScreeningIndex(
        names=names, tokens=tables["tokens"], keys=tables["keys"], entities=entity_rows,
        identifiers=identifiers, token_info=tables["token_info"], snapshots=[],
    )


def _key(candidate: str | dict[str, Any]) -> str:
    """The candidate as canonical JSON (its values read as text, as _candidate_entity does)."""
    return json.dumps(candidate, sort_keys=True, ensure_ascii=False, default=str)


@lru_cache(maxsize=_KEPT_CANDIDATES)
def _candidate_screener(key: str, schema: str, algorithm: str | None) -> Screener:
    """An exhaustive screener over one candidate, kept: evaluations compare the same list
    entity with many queries, and building its index is most of a comparison's time."""
    entity = _candidate_entity(json.loads(key), schema)
    return Screener(index_from_entities([entity]), get_algorithm(algorithm), blocking=False)


def compare(
    query: str | dict[str, Any], candidate: str | dict[str, Any], schema: str = "Person",
    algorithm: str | None = None,
) -> Comparison:
    """Score one query against one candidate: names (strings) or dicts of properties.

    A query name in another script is also read in each further romanisation, as the index
    reads list names (``screening.readings``)."""
    screener = _candidate_screener(_key(candidate), schema, algorithm)
    algo = screener.algorithm
    query, readings = with_readings(query, schema)
    # The fast path scores the pair in plain Python (a few ms); the batch path's fixed cost
    # of ~240 Polars steps is paid only where it declines.
    hit = compare_match(screener, query, schema)
    if hit is not None:
        score, explanation = hit.score, hit.explanation
    else:
        hits = screener.screen(query_frame(query, schema), threshold=0.0, limit=1)
        if hits.height == 0:
            return Comparison(
                0.0, False, "No name of the query shares anything with the candidate.",
                algo.label,
            )
        best = hits.sort("score", descending=True).row(0, named=True)
        score, explanation = float(best["score"]), str(best["explanation"])
    return Comparison(score, score >= algo.threshold, explained(explanation, readings),
                      algo.label)


def open_screener(
    db: str | Path | None = None, algorithm: str | None = None, *, cache: bool = True
) -> Screener:
    """A screener over the current list snapshots of the store (``SCREENING_DB`` by default)."""
    path = Path(db) if db is not None else settings.db_path()
    store = ListStore(path)
    try:
        cache_dir = Path(str(path) + ".index") if cache and str(path) != ":memory:" else None
        index = load_or_build(store, cache_dir)
    finally:
        store.close()
    return Screener(index, algorithm)
