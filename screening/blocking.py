"""Blocking: find the few list names worth scoring for each query name, by vectorised joins.

Query tokens and list tokens meet on shared blocking keys (variant group, phonetic key, one-edit
deletions), whole names meet on their sorted tokens, and two common words together meet the
names holding both. Keys of very common tokens are not in
the index, so "Mohammed" or "LLC" alone never create candidates. Each query keeps at most
``max_candidates`` list names, ranked by the rarity weight of the query tokens they share.
"""

from __future__ import annotations

import polars as pl

from screening.index import (
    MAX_TOKEN_NAMES,
    PREFIX_LETTERS,
    ScreeningIndex,
    clean_identifier,
    common_pair_key,
    initial_pair_key,
    is_common_word,
    prefix_key,
    whole_name_key,
)
from screening.keys import token_table
from screening.legal_words import legal_form_words_in
from screening.normalise import tokenise_names
from screening.scoring import (
    RARE_WEIGHT,
    TRUNCATED_MIN_CHARS,
    initial_weight,
    token_similarity,
)
from screening.variants import is_common

# An unseen query token takes the weight of a listed token at least this similar.
BORROW_SIM = 0.85
# Query tokens that share no key with a candidate may still align (initials, two-letter
# edits): the reach test assumes they match this well.
UNSEEN_SIM = 0.8


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
    known = index.token_info.select("token", "tid", "canonical", "keys", "weight")
    unknown_tokens = tokens.join(known, on="token", how="anti")["token"].unique()
    fresh = token_table(unknown_tokens).with_columns(
        pl.when(pl.col("token").str.starts_with("#"))
        .then(0.0)
        .when(pl.col("canonical").is_in([t for t in unknown_tokens.to_list() if is_common(t)]))
        .then(0.3)
        .otherwise(1.0)
        .alias("weight")
    ).with_columns(initial_weight(pl.col("token"), pl.col("weight")).alias("weight"))
    # Tokens the index has never seen get ids after the index's own.
    fresh = fresh.with_row_index("tid", offset=index.token_info.height)
    fresh = _borrow_weights(fresh, index)
    info = pl.concat([known, fresh.select(known.columns)])
    tokens = tokens.join(info, on="token", how="left")
    return names, tokens


def _borrow_weights(fresh: pl.DataFrame, index: ScreeningIndex) -> pl.DataFrame:
    """An unseen token close to a listed one ("foundationn") weighs what that token weighs.

    Otherwise a misspelt common word would count as the rarest word of the query.
    """
    words = fresh.filter(~pl.col("token").str.starts_with("#") & (pl.col("weight") > 0))
    if words.height == 0:
        return fresh
    similar = similar_tokens(words["token"], index, words["keys"], BORROW_SIM)
    misspelt_forms = legal_form_words_in(words["token"])
    weights = index.token_info.select(
        pl.col("token").alias("ctoken"), pl.col("weight").alias("w"), pl.col("tid").alias("ctid")
    )
    # Ties go to the listed token with the lowest id, so the result never depends on order.
    best = (
        similar.join(weights, on="ctoken")
        .sort(["sim", "ctid"], descending=[True, False])
        .unique("token", keep="first")
        .select("token", "w")
    )
    return fresh.join(best, on="token", how="left").with_columns(
        pl.when(pl.col("token").is_in(misspelt_forms.implode()))
        .then(0.0)
        .otherwise(pl.min_horizontal("weight", pl.col("w").fill_null(1.0)))
        .alias("weight")
    ).drop("w")


def _blocking_tokens(tokens: pl.DataFrame) -> pl.DataFrame:
    """Query tokens that may create candidates: (qid, pos, token, weight, keys).

    Besides each token, two neighbouring tokens glued together stand in as one more token
    weighing both, so
    a split word ("Patr ushev") still meets the list token.
    """
    own = tokens.filter(~pl.col("token").str.starts_with("#")).select(
        "qid", "pos", "token", "weight", "keys", pl.lit(value=False).alias("glued")
    )
    glued = (
        own.sort("qid", "pos")
        .with_columns(
            (pl.col("token") + pl.col("token").shift(-1).over("qid")).alias("glued"),
            # A glued pair stands for both its words.
            (pl.col("weight") + pl.col("weight").shift(-1).over("qid")).alias("pair_w"),
        )
        .filter(pl.col("glued").is_not_null())
    )
    # The index keys every spelling whole ("d:akimov"), so the glued spelling meets it.
    glued = glued.select(
        "qid", "pos", pl.col("glued").alias("token"), pl.col("pair_w").alias("weight"),
        pl.concat_list(pl.lit("d:") + pl.col("glued")).alias("keys"),
        pl.lit(value=True).alias("glued"),
    )
    return pl.concat([own, glued])


def similar_tokens(
    query_tokens: pl.Series, index: ScreeningIndex, key_lists: pl.Series, floor: float
) -> pl.DataFrame:
    """Distinct (token, list token, sim) pairs sharing a key and at least ``floor`` similar."""
    keyed = pl.DataFrame({"token": query_tokens, "key": key_lists}).explode("key").unique()
    token_keys = index.keys.filter(pl.col("token").is_not_null()).select(
        "key", pl.col("token").alias("ctoken")
    )
    pairs = keyed.join(token_keys, on="key").select("token", "ctoken").unique()
    canon = index.token_info.select("token", "canonical")
    pairs = pairs.join(canon, on="token", how="left").join(
        canon.rename({"token": "ctoken", "canonical": "ccanon"}), on="ctoken", how="left"
    ).with_columns(pl.col("canonical").fill_null(pl.col("token")))
    sim = token_similarity(pairs["token"], pairs["ctoken"], pairs["canonical"], pairs["ccanon"])
    return (
        pairs.select("token", "ctoken")
        .with_columns(pl.Series("sim", sim, dtype=pl.Float64))
        .filter(pl.col("sim") >= floor)
    )


def _expansion_tokens(
    blocking: pl.DataFrame, similar: pl.DataFrame, hidden: pl.Series, carriers: pl.DataFrame,
    totals: pl.DataFrame, min_score: float,
) -> pl.DataFrame:
    """The query tokens worth expanding to list names, with ``expanded_w`` per query.

    A list name can only reach ``min_score`` if it carries tokens of the query worth at least
    that share of the query's weight. So every such name carries at least one token of the
    cheapest set S (fewest list names reachable) whose complement weighs less than that
    share: expanding S alone finds them all. One more token than S is expanded as a margin
    for misspellings that share no key, and glued tokens are always expanded. A token in
    ``hidden`` also resembles listed words that are never expanded (common or busy ones), so
    expanding it covers nothing: its weight is not counted as covered.
    """
    fanout = (
        similar.join(carriers.group_by("ctoken").len(), on="ctoken")
        .group_by("token").agg(pl.col("len").sum().alias("fanout"))
    )
    # Tokens that reach no name (too busy, or unknown) cannot be expanded.
    own = blocking.filter(pl.col("pos").is_not_null() & ~pl.col("glued"))
    ranked = (
        own.join(fanout.filter(pl.col("fanout") > 0), on="token", how="inner")
        .sort("qid", "fanout", "pos")
        .join(totals, on="qid")
        .with_columns(
            pl.when(pl.col("token").is_in(hidden.implode())).then(0.0)
            .otherwise(pl.col("weight")).alias("cover_w")
        )
        .with_columns(pl.col("cover_w").cum_sum().over("qid").alias("cum_w"))
        .with_columns(
            (pl.col("q_total") - (pl.col("cum_w") - pl.col("cover_w"))).alias("left_before")
        )
        .with_columns(
            pl.col("left_before").shift(1).over("qid").fill_null(pl.col("q_total"))
            .alias("left_earlier")
        )
        .filter(pl.col("left_earlier") >= min_score * pl.col("q_total"))
    )
    chosen = pl.concat(
        [ranked.select(blocking.columns), blocking.filter(pl.col("glued"))]
    )
    expanded_w = ranked.group_by("qid").agg(pl.col("cover_w").sum().alias("expanded_w"))
    return chosen.join(expanded_w, on="qid", how="left").with_columns(
        pl.col("expanded_w").fill_null(0.0)
    )


def candidates(
    names: pl.DataFrame, tokens: pl.DataFrame, index: ScreeningIndex, max_candidates: int,
    floor: float = 0.72, min_score: float = 0.0,
) -> pl.DataFrame:
    """Candidate (qid, name_id, block_score) pairs, at most ``max_candidates`` per query.

    Stage one finds list names through the cheapest sufficient query tokens (common words and
    initials never create candidates). Stage two scores every query token, common ones
    included, against the tokens of those names only, so the ranking and the reach test see
    the whole query. A candidate whose optimistic name score (block score, plus the tokens
    not found counted at UNSEEN_SIM) stays under ``min_score`` is dropped before scoring.
    """
    words = _blocking_tokens(tokens)
    distinct = words.select("token", "keys").unique("token")
    similar = similar_tokens(distinct["token"], index, distinct["keys"], floor)
    blocking = words.filter(
        (pl.col("weight") > RARE_WEIGHT) & (pl.col("token").str.len_chars() > 1)
    )
    # Common list words are reached (they lend their weight) but never expanded to names.
    carriers = index.tokens.filter(pl.col("weight") > RARE_WEIGHT).select(
        pl.col("token").alias("ctoken"), "name_id"
    )
    busy = carriers.group_by("ctoken").len().filter(pl.col("len") > MAX_TOKEN_NAMES)
    expandable = similar.join(busy.select("ctoken"), on="ctoken", how="anti")
    totals = tokens.filter(~pl.col("token").str.starts_with("#")).group_by("qid").agg(
        pl.col("weight").sum().alias("q_total")
    )
    reachable = carriers.select("ctoken").unique().join(busy.select("ctoken"), on="ctoken",
                                                         how="anti")
    hidden = similar.join(reachable, on="ctoken", how="anti")["token"].unique()
    expand = _expansion_tokens(blocking, expandable, hidden, carriers, totals, min_score)
    found = (
        expand.select("qid", "pos", "token", "weight", "expanded_w")
        .join(expandable, on="token")
        .join(carriers, on="ctoken")
        .group_by("qid", "name_id", "pos")
        .agg((pl.col("weight") * pl.col("sim")).max().alias("part"), pl.col("expanded_w").first())
        .group_by("qid", "name_id")
        .agg(pl.col("part").sum(), pl.col("expanded_w").first())
    )
    if min_score > 0:
        # Upper bound: every token not expanded matched perfectly.
        found = found.join(totals, on="qid").filter(
            (pl.col("part") + pl.col("q_total") - pl.col("expanded_w"))
            >= min_score * pl.col("q_total")
        )
    found = found.select("qid", "name_id")
    by_name = index.keys.filter(pl.col("name_id").is_not_null()).select("key", "name_id")
    whole = (
        names.select("qid", whole_name_key(pl.col("tokens")).alias("key"))
        .join(by_name, on="key")
        .select("qid", "name_id")
    )
    # A one-word query meets the one-word names of the words it resembles: "Yusedf" finds
    # "Hajj Yusef" (a title and one common word), which no word of it could expand to.
    own = words.filter(~pl.col("glued"))
    lone = (
        own.filter(pl.len().over("qid") == 1)
        .select("qid", "token")
        .join(similar.select("token", "ctoken"), on="token")
        .select("qid", (pl.lit("n:") + pl.col("ctoken")).alias("key"))
        .join(by_name, on="key")
        .select("qid", "name_id")
    )
    whole = pl.concat([whole, lone])
    # A query word that is two listed words joined ("STRATEGICFORCES").
    joined = (
        words.filter(~pl.col("glued") & (pl.col("token").str.len_chars() >= 6))
        .select("qid", (pl.lit("g:") + pl.col("token")).alias("key"), "weight")
        .join(by_name, on="key")
        .group_by("qid", "name_id")
        .agg(pl.col("weight").sum().alias("joined_part"))
    )
    pairs = common_pairs(words, similar, index).join(by_name, on="key").select("qid", "name_id")
    # A long query may be a name cut by a payment field: look the start of its words up.
    cut = (
        names.filter(
            (pl.col("name").str.len_chars() >= TRUNCATED_MIN_CHARS)
            & (pl.col("joined").str.len_chars() >= PREFIX_LETTERS)
        )
        .select("qid", prefix_key(pl.col("joined")).alias("key"))
        .join(by_name, on="key")
        .select("qid", "name_id")
    )
    found = pl.concat([found, whole, joined.select("qid", "name_id"), pairs, cut]).unique()
    scored = _block_scores(found, words, similar, index, totals, min_score, joined)
    # The best max_candidates per query, and every name tied with the best: the same exact
    # name is often listed by many entities and lists.
    # Rounded: sums of the same parts in another order must rank alike.
    ranked = scored.with_columns(pl.col("block_score").round(9)).sort(
        ["qid", "block_score", "name_id"], descending=[False, True, False]
    )
    return ranked.filter(
        (pl.int_range(pl.len()).over("qid") < max_candidates)
        | (pl.col("block_score") >= pl.col("block_score").max().over("qid") - 1e-9)
    )


def common_pairs(
    words: pl.DataFrame, similar: pl.DataFrame, index: ScreeningIndex
) -> pl.DataFrame:
    """(qid, key): ``c2:`` keys of two query words resembling two common listed words, and
    ``i2:`` keys of an initial with a query word resembling a common listed word.

    Two words overlap when one is a glued pair holding the other; such words never pair.
    """
    common = index.token_info.filter(is_common_word(pl.col("token"), pl.col("weight"))).select(
        pl.col("token").alias("ctoken"), "canonical"
    )
    reached = (
        words.select("qid", "pos", "token", "glued")
        .join(similar.select("token", "ctoken"), on="token")
        .join(common, on="ctoken")
        .select("qid", "pos", "glued", "canonical")
        .unique()
    )
    pairs = (
        reached.join(reached, on="qid", suffix="_b")
        .filter(
            (pl.col("pos") < pl.col("pos_b"))
            & ~(pl.col("glued") & (pl.col("pos_b") == pl.col("pos") + 1))
            & (pl.col("canonical") != pl.col("canonical_b"))
        )
        .select("qid", common_pair_key(pl.col("canonical"), pl.col("canonical_b")).alias("key"))
    )
    # An initial with a common word of another position ("D. Mostafa"): ``i2:`` keys.
    initials = words.filter(~pl.col("glued") & (pl.col("token").str.len_chars() == 1)).select(
        "qid", pl.col("pos").alias("pos_i"), pl.col("token").alias("initial")
    )
    with_initials = (
        initials.join(reached, on="qid")
        .filter(
            (pl.col("pos") != pl.col("pos_i"))
            & ~(pl.col("glued") & (pl.col("pos") + 1 == pl.col("pos_i")))
        )
        .select("qid", initial_pair_key(pl.col("initial"), pl.col("canonical")).alias("key"))
    )
    return pl.concat([pairs, with_initials]).unique()


def _block_scores(
    found: pl.DataFrame, words: pl.DataFrame, similar: pl.DataFrame, index: ScreeningIndex,
    totals: pl.DataFrame, min_score: float, joined: pl.DataFrame,
) -> pl.DataFrame:
    """Every query token against the tokens of its candidate names: the block score.

    ``joined`` adds the weight of query words found as two listed words glued together.
    """
    listed = found.join(
        index.tokens.select("name_id", pl.col("token").alias("ctoken")), on="name_id"
    )
    reach = (
        words.select("qid", "pos", "token", "weight")
        .join(similar, on="token")
        .join(listed, on=["qid", "ctoken"])
        .group_by("qid", "name_id", "pos")
        .agg((pl.col("weight") * pl.col("sim")).max().alias("part"), pl.col("weight").first())
        .group_by("qid", "name_id")
        .agg(pl.col("part").sum().alias("block_score"), pl.col("weight").sum().alias("seen_w"))
    )
    scored = (
        found.join(reach, on=["qid", "name_id"], how="left")
        .join(joined, on=["qid", "name_id"], how="left")
        .with_columns(pl.col("block_score", "seen_w", "joined_part").fill_null(0.0))
        .with_columns(
            (pl.col("block_score") + pl.col("joined_part")).alias("block_score"),
            (pl.col("seen_w") + pl.col("joined_part")).alias("seen_w"),
        )
    )
    if min_score > 0:
        optimistic = (
            pl.col("block_score") + UNSEEN_SIM * (pl.col("q_total") - pl.col("seen_w")).clip(0)
        ) / pl.col("q_total")
        scored = scored.join(totals, on="qid").filter(optimistic >= min_score)
    return scored.select("qid", "name_id", "block_score")


def identifier_candidates(queries: pl.DataFrame, index: ScreeningIndex) -> pl.DataFrame:
    """Query rows whose identifier equals a listed identifier: (row, entity_id, list_id, kind)."""
    if "identifier" not in queries.columns:
        return pl.DataFrame(
            schema={"row": pl.UInt32, "entity_id": pl.Utf8, "list_id": pl.Utf8, "kind": pl.Utf8,
                    "value": pl.Utf8}
        )
    ids = (
        queries.select("row", pl.col("identifier").cast(pl.Utf8))
        .drop_nulls()
        .with_columns(clean_identifier(pl.col("identifier")).alias("value"))
        .filter(pl.col("value").str.len_chars() >= 5)
    )
    return ids.join(index.identifiers, on="value").select(
        "row", "entity_id", "list_id", "kind", "value"
    )
