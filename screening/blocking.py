"""Blocking: find the few list names worth scoring for each query name, by vectorised joins.

Query tokens and list tokens meet on shared blocking keys (variant group, phonetic key, one-edit
deletions) and whole names meet on their sorted tokens. Keys of very common tokens are not in
the index, so "Mohammed" or "LLC" alone never create candidates. Each query keeps at most
``max_candidates`` list names, ranked by the rarity weight of the query tokens they share.
"""

from __future__ import annotations

import polars as pl

from screening.index import ScreeningIndex, whole_name_key
from screening.keys import token_table
from screening.normalise import tokenise_names
from screening.variants import is_common


def query_tables(
    queries: pl.DataFrame, index: ScreeningIndex
) -> tuple[pl.DataFrame, pl.DataFrame]:
    """Normalise distinct query names: (names: qid, name, schema, tokens, joined; tokens table).

    ``queries`` has qid, name, schema. Token weights come from the index; tokens the index has
    never seen weigh 1 (0.3 when they are common words).
    """
    names = queries.with_columns(
        tokenise_names(queries["name"], queries["schema"]).alias("tokens")
    ).with_columns(
        pl.col("tokens")
        .list.eval(pl.element().filter(~pl.element().str.starts_with("#")))
        .list.join("")
        .alias("joined")
    )
    tokens = (
        names.select("qid", "tokens")
        .with_columns(pl.int_ranges(pl.col("tokens").list.len()).alias("pos"))
        .explode("tokens", "pos")
        .rename({"tokens": "token"})
        .drop_nulls("token")
    )
    known = index.token_info.select("token", "canonical", "keys", "weight")
    unknown_tokens = tokens.join(known, on="token", how="anti")["token"].unique()
    fresh = token_table(unknown_tokens).with_columns(
        pl.when(pl.col("token").str.starts_with("#"))
        .then(0.0)
        .when(pl.col("canonical").is_in([t for t in unknown_tokens.to_list() if is_common(t)]))
        .then(0.3)
        .otherwise(1.0)
        .alias("weight")
    )
    info = pl.concat([known, fresh.select(known.columns)])
    tokens = tokens.join(info, on="token", how="left")
    return names, tokens


def _query_keys(names: pl.DataFrame, tokens: pl.DataFrame) -> pl.DataFrame:
    """Blocking keys of each query: token keys, whole-name key and glued neighbour tokens."""
    token_keys = tokens.select("qid", "pos", "weight", "keys").explode("keys").rename(
        {"keys": "key"}
    )
    whole = names.select("qid", whole_name_key(pl.col("tokens")).alias("key")).with_columns(
        pl.lit(-1, dtype=pl.Int64).alias("pos"), pl.lit(2.0).alias("weight")
    )
    # "Patr ushev": glue neighbouring tokens so a split word still meets the list token.
    glued = (
        tokens.sort("qid", "pos")
        .with_columns(
            (pl.col("token") + pl.col("token").shift(-1).over("qid")).alias("glued")
        )
        .filter(pl.col("glued").is_not_null() & ~pl.col("glued").str.contains("#"))
        .select(
            "qid", "pos", pl.lit(0.8).alias("weight"), (pl.lit("d:") + pl.col("glued")).alias("key")
        )
    )
    return pl.concat(
        [
            token_keys.select("qid", "pos", "weight", "key"),
            whole.select("qid", "pos", "weight", "key"),
            glued,
        ]
    ).drop_nulls("key")


def candidates(
    names: pl.DataFrame, tokens: pl.DataFrame, index: ScreeningIndex, max_candidates: int
) -> pl.DataFrame:
    """Candidate (qid, name_id, block_score) pairs, at most ``max_candidates`` per query."""
    keys = _query_keys(names, tokens)
    hits = keys.join(index.keys, on="key")
    # A query token counts once per list name, however many of its keys matched.
    per_token = hits.group_by("qid", "name_id", "pos").agg(pl.col("weight").max())
    scored = per_token.group_by("qid", "name_id").agg(pl.col("weight").sum().alias("block_score"))
    return (
        scored.sort(["qid", "block_score", "name_id"], descending=[False, True, False])
        .group_by("qid", maintain_order=True)
        .head(max_candidates)
    )


def identifier_candidates(queries: pl.DataFrame, index: ScreeningIndex) -> pl.DataFrame:
    """Query rows whose identifier equals a listed identifier: (row, entity_id, list_id, kind)."""
    if "identifier" not in queries.columns:
        return pl.DataFrame(
            schema={"row": pl.UInt32, "entity_id": pl.Utf8, "list_id": pl.Utf8, "kind": pl.Utf8,
                    "value": pl.Utf8}
        )
    from screening.index import clean_identifier

    ids = (
        queries.select("row", pl.col("identifier").cast(pl.Utf8))
        .drop_nulls()
        .with_columns(clean_identifier(pl.col("identifier")).alias("value"))
        .filter(pl.col("value").str.len_chars() >= 5)
    )
    return ids.join(index.identifiers, on="value").select(
        "row", "entity_id", "list_id", "kind", "value"
    )
