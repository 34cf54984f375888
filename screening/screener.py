"""Screening parties against the index: blocking, scoring, qualifiers and explanations.

``Screener.screen`` takes a Polars frame of parties and returns a frame of hits; ``match`` is the
one-query form. Distinct names are scored once however often they repeat in the batch.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Any

import polars as pl

from lists.countries import to_iso
from screening.algorithms import Algorithm, get_algorithm
from screening.blocking import QueryCache, candidates, identifier_candidates, query_tables
from screening.explain import explain_hits
from screening.index import ScreeningIndex
from screening.legal_words import unseen_form_slips
from screening.ofac_mode import score_pairs_ofac
from screening.qualifiers import birth_date_qualifier, country_qualifier, schema_qualifier
from screening.readings import (
    explained,
    fold_reading_hits,
    named_as_written,
    reading_rows,
    screen_read_records,
    with_readings,
)
from screening.scoring import rotations, score_pairs

# Frames of at most this many rows are screened through the single-query fast path.
FEW_ROWS = 16
# Qualifiers can add at most this much, so pairs further below the threshold are dropped early.
_MAX_BONUS = 0.06
# Blocking drops candidates whose optimistic score is this far below the threshold.
_REACH_SLACK = 0.15
_QUERY_COLUMNS = ("name", "schema", "birth_date", "country", "nationality", "identifier")
# Rows whose party type is unknown (see _normalise_frame).
UNTYPED = "_untyped"
# The second reading of a name of unknown type.
OTHER_READING = "Organization"
# Hit columns that describe the run rather than the hit.
_RUN_COLUMNS = ("algorithm", "algorithm_version", "threshold")
HIT_COLUMNS = (
    "row", "entity_id", "list_id", "schema", "caption", "matched_name", "name_kind",
    "query_name", "score", "name_score", "method", "explanation", "algorithm",
    "algorithm_version", "threshold",
)


class QueryError(ValueError):
    """A screening request that cannot be run as given."""


@dataclass(frozen=True, slots=True)
class Hit:
    entity_id: str
    list_id: str
    schema: str
    caption: str
    matched_name: str
    score: float
    name_score: float
    explanation: str
    algorithm: str
    algorithm_version: str

    @property
    def match(self) -> bool:
        return self.score >= get_algorithm(self.algorithm).threshold


def _normalise_frame(frame: pl.DataFrame) -> pl.DataFrame:
    if "name" not in frame.columns:
        raise QueryError("the parties frame needs a 'name' column")
    out = frame.with_row_index("row")
    for column in _QUERY_COLUMNS:
        if column not in out.columns:
            out = out.with_columns(pl.lit(None, dtype=pl.Utf8).alias(column))
    return out.with_columns(
        pl.col("name").cast(pl.Utf8).str.strip_chars(),
        # Payment parties rarely say whether they are a person or a company: such a name is
        # read as a person's and also, where that reads differently, as an organisation's.
        pl.col("schema").is_null().alias(UNTYPED),
        pl.col("schema").cast(pl.Utf8).fill_null("Person"),
        pl.col("birth_date").cast(pl.Utf8),
        pl.col("country").cast(pl.Utf8).str.to_uppercase(),
        pl.col("nationality").cast(pl.Utf8).str.to_uppercase(),
    )


def _normalise_records(records: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """``_normalise_frame`` for a few parties given as dicts of text values."""
    rows = []
    for row, record in enumerate(records):
        if "name" not in record:
            raise QueryError("every party needs a 'name'")
        schema = record.get("schema")
        rows.append({
            **{c: None for c in _QUERY_COLUMNS}, **record, "row": row,
            "name": None if record["name"] is None else str(record["name"]).strip(),
            UNTYPED: schema is None, "schema": "Person" if schema is None else schema,
            "country": _upper(record.get("country")),
            "nationality": _upper(record.get("nationality")),
        })
    return rows


def _upper(value: str | None) -> str | None:
    return None if value is None else value.upper()


def _passes_through(column: str) -> bool:
    """Whether an input column is copied to the hits as it is (ids, references...)."""
    return column not in HIT_COLUMNS and column not in _QUERY_COLUMNS


def _query_extras(columns: list[str]) -> list[str]:
    """The query columns besides name and schema that the hits repeat as query_<column>."""
    return [c for c in _QUERY_COLUMNS if c in columns and c not in ("name", "schema")]


def _drop_same_readings(
    names: pl.DataFrame, tokens: pl.DataFrame, rows: pl.DataFrame
) -> tuple[pl.DataFrame, pl.DataFrame]:
    """Drop the second reading of untyped names where it gives the same tokens as the first."""
    # A name also typed as an organisation elsewhere in the frame keeps that reading.
    typed = rows.filter(~pl.col(UNTYPED) & (pl.col("schema") == OTHER_READING)).select("name")
    untyped = rows.filter(pl.col(UNTYPED)).select("name").unique()
    untyped = untyped.join(typed, on="name", how="anti")
    first = names.filter(pl.col("schema") == "Person").select("name", pl.col("tokens").alias("t1"))
    same = (
        names.filter(pl.col("schema") == OTHER_READING)
        .join(untyped, on="name")
        .join(first, on="name")
        .filter(pl.col("tokens") == pl.col("t1"))
        .select("qid")
    )
    return names.join(same, on="qid", how="anti"), tokens.join(same, on="qid", how="anti")


class Screener:
    """Screens names and parties against one index with one algorithm."""

    def __init__(
        self, index: ScreeningIndex, algorithm: Algorithm | str | None = None,
        *, blocking: bool = True, fast: bool = True,
    ) -> None:
        self.index = index
        self.algorithm = algorithm if isinstance(algorithm, Algorithm) else get_algorithm(algorithm)
        self.blocking = blocking
        # A few rows go through the single-query fast path (same hits, no fixed batch cost).
        self.fast = fast and blocking and self.algorithm.name == "tf-default"
        # Per-name and per-token work kept from batch to batch (bounded; see QueryCache).
        self.cache = QueryCache()

    @property
    def default_threshold(self) -> float:
        return self.algorithm.threshold

    @property
    def snapshots(self) -> list[dict[str, object]]:
        return self.index.snapshots

    def _pairs(
        self, names: pl.DataFrame, tokens: pl.DataFrame, threshold: float, rotated: pl.DataFrame
    ) -> pl.DataFrame:
        if self.blocking:
            return candidates(
                names, tokens, self.index, self.algorithm.max_candidates,
                self.algorithm.token_floor, threshold - _REACH_SLACK,
                sure_score=threshold - _MAX_BONUS, algorithm=self.algorithm, cache=self.cache,
                rotated=rotated,
            )
        return names.select("qid").join(self.index.names.select("name_id"), how="cross")

    def _name_hits(self, rows: pl.DataFrame, threshold: float) -> tuple[pl.DataFrame, pl.DataFrame]:
        named = rows.filter(pl.col("name").str.len_chars() > 0)
        queries = (
            pl.concat([
                named.select("name", "schema"),
                named.filter(pl.col(UNTYPED)).select("name", pl.lit(OTHER_READING).alias("schema")),
            ])
            .unique(maintain_order=True).with_row_index("qid")
        )
        names, tokens = query_tables(
            queries, self.index, self.cache, self.algorithm.token_floor
        )
        tokens = unseen_form_slips(names, tokens, self.index.token_info.height)
        names, tokens = _drop_same_readings(names, tokens, named)
        # Only blocking needs the keys: every other step copies fewer rows' worth without.
        lean = tokens.drop("keys")
        # The query's rotated spellings, for blocking and the whole-name comparison alike.
        rotated = rotations(lean)
        pairs = self._pairs(names, tokens, threshold, rotated)
        tokens = lean
        list_tokens = self.index.tokens.join(pairs.select("name_id").unique(), on="name_id")
        if self.algorithm.name == "ofac":
            scores, aligned = score_pairs_ofac(
                pairs, tokens, list_tokens, names, self.index.names, self.algorithm
            )
        else:
            scores, aligned = score_pairs(
                pairs, tokens, list_tokens, names, self.index.names, self.algorithm, rotated
            )
        scores = scores.filter(pl.col("name_score") >= threshold - _MAX_BONUS)
        scored = scores.join(
            self.index.names.select(
                "name_id", "entity_id", "list_id", pl.col("name").alias("matched_name"),
                pl.col("kind").alias("name_kind"), pl.col("tokens").alias("c_tokens"),
            ),
            on="name_id",
        ).join(names.select("qid", "name", "schema", pl.col("tokens").alias("q_tokens")), on="qid")
        best = scored.sort(["name_score", "name_id"], descending=[True, False]).unique(
            ["qid", "list_id", "entity_id"], keep="first"
        )
        other = rows.filter(pl.col(UNTYPED)).with_columns(pl.lit(OTHER_READING).alias("schema"))
        hits = (
            pl.concat([rows.join(best, on=["name", "schema"]),
                       other.join(best, on=["name", "schema"])])
            # The person reading wins ties; the row keeps its own schema.
            .sort("name_score", descending=True, maintain_order=True)
            .unique(["row", "list_id", "entity_id"], keep="first", maintain_order=True)
            .drop("schema")
            .join(rows.select("row", "schema"), on="row")
        )
        return hits, aligned

    def _identifier_hits(self, rows: pl.DataFrame) -> pl.DataFrame:
        found = identifier_candidates(rows, self.index)
        return found.rename({"kind": "id_kind", "value": "id_value"}).unique(
            ["row", "list_id", "entity_id"]
        )

    def screen(
        self, frame: pl.DataFrame, threshold: float | None = None, limit: int | None = 50,
        lists: list[str] | None = None,
    ) -> pl.DataFrame:
        """Hits of every row of ``frame`` at or above ``threshold``, best first per row."""
        cutoff = self.algorithm.threshold if threshold is None else threshold
        if self.fast and 0 < frame.height <= FEW_ROWS:
            few = self._screen_few(frame, cutoff, limit, lists)
            if few is not None:
                return few
        rows = reading_rows(_normalise_frame(frame))
        hits, aligned = self._name_hits(rows, cutoff)
        by_id = self._identifier_hits(rows)
        hits = hits.join(by_id, on=["row", "entity_id", "list_id"], how="full", coalesce=True)
        hits = hits.drop([c for c in rows.columns if c != "row" and c in hits.columns]).join(
            rows, on="row"
        )
        if lists is not None:
            hits = hits.filter(pl.col("list_id").is_in(lists))
        hits = hits.join(
            self.index.entities.select(
                "entity_id", "list_id", pl.col("schema").alias("entity_schema"), "caption",
                "birth_dates", "birth_untils", "countries",
            ),
            on=["entity_id", "list_id"],
        ).with_row_index("hid")
        hits = hits.with_columns(
            pl.when(pl.col(UNTYPED)).then(None).otherwise(pl.col("schema")).alias("query_schema")
        )
        hits = schema_qualifier(
            country_qualifier(birth_date_qualifier(hits, self.algorithm), self.algorithm),
            self.algorithm,
        )
        name_score = pl.col("name_score").fill_null(0.0)
        adjust = pl.col("dob_adjust") + pl.col("country_adjust") + pl.col("schema_adjust")
        score = (name_score + adjust).clip(0.0, 1.0)
        score = pl.when(pl.col("id_kind").is_not_null()).then(
            pl.max_horizontal(score, pl.lit(self.algorithm.identifier_score))
        ).otherwise(score)
        hits = hits.with_columns(
            score.alias("score"),
            name_score.alias("name_score"),
            pl.col("name").alias("query_name"),
            pl.col("entity_schema").alias("schema"),
            pl.col("matched_name").fill_null(pl.col("caption")),
            pl.col("method").fill_null(pl.lit("identifier")),
        ).filter(pl.col("score") >= cutoff)
        hits = fold_reading_hits(hits).sort(
            ["row", "score", "entity_id"], descending=[False, True, False]
        )
        if limit is not None:
            hits = hits.group_by("row", maintain_order=True).head(limit)
        hits = named_as_written(hits)
        hits = hits.with_columns(explain_hits(hits, aligned, self.algorithm)).with_columns(
            pl.lit(self.algorithm.name).alias("algorithm"),
            pl.lit(self.algorithm.version).alias("algorithm_version"),
            pl.lit(cutoff).alias("threshold"),
        )
        passthrough = [c for c in frame.columns if _passes_through(c)]
        extra = _query_extras(frame.columns)
        return hits.select(
            *HIT_COLUMNS, *[pl.col(c).alias(f"query_{c}") for c in extra], *passthrough
        )

    def screen_records(
        self, records: list[dict[str, Any]], threshold: float | None = None,
        limit: int | None = 50, lists: list[str] | None = None,
    ) -> list[dict[str, Any]]:
        """``screen`` for parties given as dicts of text values, hits as dicts.

        A few parties (one API request) skip Polars entirely, which saves about a third of
        the request's time; the hits are those of ``screen(pl.DataFrame(records))``.
        """
        cutoff = self.algorithm.threshold if threshold is None else threshold
        if self.fast and 0 < len(records) <= FEW_ROWS:
            found = self._fast_records(records, _normalise_records(records), cutoff, limit, lists)
            if found is not None:
                return found
        return self.screen(pl.DataFrame(records), threshold, limit, lists).to_dicts()

    def _screen_few(
        self, frame: pl.DataFrame, cutoff: float, limit: int | None, lists: list[str] | None,
    ) -> pl.DataFrame | None:
        """``screen`` for a few rows through the fast path; None when it declines."""
        rows = _normalise_frame(frame)
        records = self._fast_records(frame.to_dicts(), rows.to_dicts(), cutoff, limit, lists)
        if records is None:
            return None
        extra = _query_extras(frame.columns)
        schema: dict[str, pl.DataType] = {c: pl.Utf8() for c in HIT_COLUMNS}
        schema.update(row=pl.UInt32(), score=pl.Float64(), name_score=pl.Float64(),
                      threshold=pl.Float64())
        schema.update({f"query_{c}": rows.schema[c] for c in extra})
        schema.update({c: frame.schema[c] for c in frame.columns if _passes_through(c)})
        return pl.DataFrame(records, schema=schema)

    def _fast_records(
        self, originals: list[dict[str, Any]], rows: list[dict[str, Any]], cutoff: float,
        limit: int | None, lists: list[str] | None,
    ) -> list[dict[str, Any]] | None:
        """Hit records of normalised ``rows`` through the fast path; None when it declines."""
        from screening.single import DeclinedError, fast_path

        path = fast_path(self)
        try:
            hits = screen_read_records(lambda read: path.screen_rows(read, cutoff), rows)
        except DeclinedError:
            return None
        if lists is not None:
            hits = [h for h in hits if h["list_id"] in lists]
        kept: list[dict[str, Any]] = []
        per_row: dict[int, int] = {}
        for hit in hits:  # already sorted by row, score, entity
            per_row[hit["row"]] = per_row.get(hit["row"], 0) + 1
            if limit is None or per_row[hit["row"]] <= limit:
                kept.append(hit)
        columns = list(originals[0])
        passthrough = [c for c in columns if _passes_through(c)]
        extra = _query_extras(columns)
        algo = self.algorithm
        return [
            {
                **{c: h[c] for c in HIT_COLUMNS if c not in _RUN_COLUMNS},
                "algorithm": algo.name, "algorithm_version": algo.version, "threshold": cutoff,
                **{f"query_{c}": rows[h["row"]][c] for c in extra},
                **{c: originals[h["row"]][c] for c in passthrough},
            }
            for h in kept
        ]

    def match(
        self, query: str | dict[str, Any], limit: int = 5, threshold: float | None = None,
        schema: str | None = None,
    ) -> list[Hit]:
        """The best hits for one query: a name, or a dict of properties (name, birthDate...).

        ``schema`` (or the dict's own) says what kind of party the query is; when no kind is
        given the name is read as a person's and as an organisation's, as for a payment party
        of unknown type, and the kind of the list entry is not held against it.
        """
        if self.blocking and self.algorithm.name == "tf-default":
            # Same hits as the batch path below, without its fixed cost of ~240 Polars steps.
            from screening.single import fast_match

            # A name in another script is also matched as read in each further scheme, a joint
            # party as each of its people.
            read, readings = with_readings(query, schema)
            found = fast_match(self, read, limit, threshold, schema)
            if found is not None:
                return [replace(h, explanation=explained(h.explanation, readings)) for h in found]
        frame = query_frame(query, schema)
        hits = self.screen(frame, threshold=threshold, limit=None)
        best = hits.sort("score", descending=True).unique(["list_id", "entity_id"], keep="first")
        best = best.sort(["score", "list_id", "entity_id"], descending=[True, False, False])
        best = best.head(limit)
        return [
            Hit(
                entity_id=r["entity_id"], list_id=r["list_id"], schema=r["schema"],
                caption=r["caption"], matched_name=r["matched_name"], score=r["score"],
                name_score=r["name_score"], explanation=r["explanation"],
                algorithm=r["algorithm"], algorithm_version=r["algorithm_version"],
            )
            for r in best.iter_rows(named=True)
        ]


_PROPERTY_COLUMNS = {
    "name": "name", "birthDate": "birth_date", "birth_date": "birth_date",
    "nationality": "nationality", "country": "country", "identifier": "identifier",
    "passportNumber": "identifier", "idNumber": "identifier", "imoNumber": "identifier",
    "swiftBic": "identifier", "iban": "identifier", "registrationNumber": "identifier",
    "taxNumber": "identifier", "wallet": "identifier", "schema": "schema",
}


def _first(value: Any) -> str | None:
    if isinstance(value, list | tuple):
        return str(value[0]) if value else None
    return None if value is None else str(value)


_NAME_AND_SCHEMA = {"name": pl.Utf8, "schema": pl.Utf8}


def query_frame(query: str | dict[str, Any], schema: str | None = None) -> pl.DataFrame:
    """A parties frame from one query: each name of a dict query becomes one row. No schema
    (in the dict or given) leaves the party's kind unknown (a null schema)."""
    if isinstance(query, str):
        return pl.DataFrame({"name": [query], "schema": [schema]}, schema=_NAME_AND_SCHEMA)
    props = dict(query.get("properties", query))
    names = props.get("name")
    name_list = [str(n) for n in (names if isinstance(names, list | tuple) else [names]) if n]
    if not name_list:
        raise QueryError("the query has no name")
    chosen_schema = query.get("schema") or props.get("schema") or schema
    row: dict[str, str | None] = {"schema": None if chosen_schema is None else str(chosen_schema)}
    for key, column in _PROPERTY_COLUMNS.items():
        if key in props and column not in ("name", "schema") and row.get(column) is None:
            row[column] = _first(props[key])
    for column in ("country", "nationality"):
        if row.get(column):
            row[column] = to_iso(row[column]) or row[column]
    return pl.DataFrame(
        [{**row, "name": name} for name in name_list],
        schema={c: pl.Utf8 for c in ["name", *row]},
    )
