"""Emulation of OFAC's Sanctions List Search scoring (OFAC FAQ 249), as a selectable algorithm.

What OFAC documents: a list name is a candidate when it starts with the same letter as the
query and is at least 50% similar by edit distance; its score is the higher of the whole-name
Jaro-Winkler similarity and a per-name-part composite of Jaro-Winkler and Soundex. Only the name
is fuzzy. The composite here: each query part takes its best list part, scored as the mean of
their Jaro-Winkler similarity and Soundex agreement (1 or 0); the composite is the mean over
query parts. OFAC publishes no finer detail, so this is an emulation, not a copy.
"""

from __future__ import annotations

import jellyfish
import numpy as np
import polars as pl
from rapidfuzz.distance import Indel, JaroWinkler
from rapidfuzz.process import cpdist

from screening.algorithms import Algorithm


def _soundex(tokens: pl.Series) -> pl.Series:
    distinct = tokens.unique().to_list()
    codes = {t: (jellyfish.soundex(t) if t and t.isalpha() else t) for t in distinct}
    return tokens.replace_strict(codes, return_dtype=pl.Utf8)


# The name's words with legal-form classes left out, spaced: OFAC compares whole names.
_WHOLE_NAME = pl.col("tokens").list.eval(
    pl.element().filter(~pl.element().str.starts_with("#"))
).list.join(" ")


def score_pairs_ofac(
    pairs: pl.DataFrame,
    query_tokens: pl.DataFrame,
    list_tokens: pl.DataFrame,
    query_names: pl.DataFrame,
    list_names: pl.DataFrame,
    algorithm: Algorithm,
) -> tuple[pl.DataFrame, pl.DataFrame]:
    """Scores with the same columns as ``scoring.score_pairs``, by OFAC's documented method."""
    pairs = pairs.select("qid", "name_id").unique().with_row_index("pid")
    q_whole = query_names.select("qid", _WHOLE_NAME.alias("q_name"))
    c_whole = list_names.select("name_id", _WHOLE_NAME.alias("c_name"), "weak")
    frame = pairs.join(q_whole, on="qid").join(c_whole, on="name_id")
    q_list, c_list = frame["q_name"].to_list(), frame["c_name"].to_list()
    edit = np.asarray(cpdist(q_list, c_list, scorer=Indel.normalized_similarity, workers=-1))
    whole_jw = np.asarray(
        cpdist(q_list, c_list, scorer=JaroWinkler.normalized_similarity, workers=-1),
        dtype=np.float64,
    )
    same_first = (frame["q_name"].str.slice(0, 1) == frame["c_name"].str.slice(0, 1)).to_numpy()
    frame = frame.with_columns(
        pl.Series("whole_jw", whole_jw),
        pl.Series("eligible", same_first & (edit >= 0.5)),
    )
    parts, aligned = _part_composite(frame.select("pid", "qid", "name_id"), query_tokens,
                                     list_tokens)
    scored = frame.join(parts, on="pid", how="left").with_columns(
        pl.col("composite").fill_null(0.0)
    )
    best = pl.max_horizontal("whole_jw", "composite")
    scored = scored.with_columns(
        pl.when(pl.col("eligible")).then(best).otherwise(0.0).alias("name_score"),
        pl.col("composite").alias("token_score"),
        pl.col("whole_jw").alias("joined_score"),
        pl.when(pl.col("whole_jw") >= pl.col("composite"))
        .then(pl.lit("OFAC whole-name Jaro-Winkler"))
        .otherwise(pl.lit("OFAC name-part Jaro-Winkler and Soundex"))
        .alias("method"),
    )
    return (
        scored.select(
            "pid", "qid", "name_id", "name_score", "token_score", "joined_score", "method"
        ),
        aligned,
    )


def _part_composite(
    pairs: pl.DataFrame, query_tokens: pl.DataFrame, list_tokens: pl.DataFrame
) -> tuple[pl.DataFrame, pl.DataFrame]:
    words = ~pl.col("token").str.starts_with("#")
    q = query_tokens.filter(words).select("qid", pl.col("pos").alias("qpos"), "tid", "token")
    c = list_tokens.filter(words).select(
        "name_id", pl.col("pos").alias("cpos"), pl.col("tid").alias("ctid"),
        pl.col("token").alias("ctoken"),
    )
    frame = pairs.join(q, on="qid").join(c, on="name_id")
    if frame.height == 0:
        empty = pl.DataFrame(schema={"pid": pl.UInt32, "composite": pl.Float64})
        return empty, frame.select("pid", "qpos", "cpos", "tid", "ctid").with_columns(
            pl.lit(0.0).alias("sim")
        )
    jw = np.asarray(
        cpdist(frame["token"].to_list(), frame["ctoken"].to_list(),
               scorer=JaroWinkler.normalized_similarity, workers=-1),
        dtype=np.float64,
    )
    same_sound = (_soundex(frame["token"]) == _soundex(frame["ctoken"])).to_numpy()
    frame = frame.with_columns(pl.Series("sim", (jw + same_sound.astype(np.float64)) / 2))
    best = frame.sort("sim", descending=True).unique(["pid", "qpos"], keep="first")
    composite = best.group_by("pid").agg(pl.col("sim").mean().alias("composite"))
    return composite, best.select("pid", "qpos", "cpos", "tid", "ctid", "sim")
