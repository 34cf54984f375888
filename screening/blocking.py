"""Blocking: find the few list names worth scoring for each query name, by vectorised joins.

Query tokens and list tokens meet on shared blocking keys (variant group, phonetic key, one- and
two-edit deletions), whole names meet on their sorted tokens, and two common words together meet
the names holding both. Keys of very common tokens are not in the index, so "Mohammed" or "LLC"
alone never create candidates. A query of one word (and at most one initial) is compared word
for word with the names of one or two words, whether or not a key links the words: such names
are few, and only they can match it. Each query keeps its best ``max_candidates`` list names,
ranked by the rarity weight of the query tokens they share, and beyond those every name whose
known score (``kernels.known_scores``: what the scorer gives if the words blocking met are all
that align) may still make a hit: the cap cuts only names that this score puts below a hit.

The big joins run on integers: list tokens by their token id (``ctid``), query words by an id
per distinct word of the batch (``wid``), and a (query, list name) pair as one 64-bit ``pair``.
The integer views of an index are derived once per process (``index_tables``); the per-pair
steps are compiled loops over them (``kernels``), and whole-name keys are looked up by their
hashes (``lookup``).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

import numpy as np
import polars as pl
from rapidfuzz.distance import OSA, JaroWinkler
from rapidfuzz.process import cdist

from screening.algorithms import DEFAULT, Algorithm
from screening.index import (
    MAX_TOKEN_NAMES,
    PREFIX_LETTERS,
    SLIP_PREFIX,
    SPELLING_MIN_LETTERS,
    ScreeningIndex,
    clean_identifier,
    common_pair_key,
    initial_pair_key,
    pairing_words,
    prefix_key,
    spelling_key,
    whole_name_key,
    with_slip_keys,
)
from screening.kernels import (
    PAIR,
    Charges,
    Csr,
    MetWords,
    NameTokens,
    known_scores,
    name_block_sums,
    reached_names,
    reaches,
)
from screening.keys import is_wide_key, token_table
from screening.lookup import KeyIndex
from screening.normalise import PERSON, bare_names, tokenise_names
from screening.scoring import (
    INITIAL_SIM,
    RARE_WEIGHT,
    TRUNCATED_MIN_CHARS,
    initial_weight,
    rotations,
    token_similarity,
)
from screening.variants import canonical_tokens, is_common

# An unseen query token takes the weight of a listed token at least this similar.
BORROW_SIM = 0.85
# A long query word that shares no key with a candidate may still align with one of its
# words (see SLIP_MIN_LETTERS): the reach tests assume it matches this well.
UNSEEN_SIM = 0.8
# An expanded query word of this many letters or more may align with a list word it shares
# no key with (long words stay alike through three edits and more: "abdurranman" and
# "abdurrahman"); shorter ones are left to their keys, which keeps blocking's cost.
SLIP_MIN_LETTERS = 9
# Integer views kept for this many indexes (one per open screener in practice).
_KEPT_TABLES = 4


@dataclass(frozen=True, slots=True)
class IndexTables:
    """Integer-id views of one index that every batch reuses."""

    index: ScreeningIndex
    sources: tuple[pl.DataFrame, ...]  # the index tables these views were built from
    token_ids: pl.DataFrame  # token, tid, canonical: every listed token
    token: pl.Series  # token by tid
    canonical: pl.Series  # variant group by tid
    weight: pl.Series  # weight by tid
    token_keys: pl.DataFrame  # key, ctid: blocking keys of listed tokens
    by_name: KeyIndex  # whole-name keys (n:, g:, c2:, t:, j:...) -> name_id
    by_slip: KeyIndex  # the k: keys, many and for one lookup only -> name_id
    fanout: pl.DataFrame  # ctid, len: rows of names carrying each rare token
    busy: pl.DataFrame  # ctid: rare tokens carried by more than MAX_TOKEN_NAMES names
    reachable: pl.DataFrame  # ctid: rare tokens that may create candidates
    carrier_names: Csr  # name_id by ctid: distinct (reachable token, name) pairs
    name_tokens: NameTokens  # distinct word tokens (ctid) of each name
    c_total: np.ndarray  # by name_id: the weight of each name's tokens
    common: pl.DataFrame  # ctid, canonical: words that pair (index.pairing_words)
    one_word: pl.DataFrame  # ctid, name_id: names made of that one token (their n: key)
    short_words: pl.DataFrame  # initial, ctid, name_id: words of short names (short_name_words)
    bare: pl.Series  # name_id of the bare names (normalise.is_bare)

    @classmethod
    def build(cls, index: ScreeningIndex) -> IndexTables:
        info = index.token_info.sort("tid")
        if not info["tid"].equals(pl.Series("tid", range(info.height), dtype=info["tid"].dtype)):
            raise ValueError("token ids of the index are not 0..n-1")
        ctid = pl.col("tid").alias("ctid")
        token_keys = index.keys.filter(pl.col("token").is_not_null()).join(
            info.select("token", "tid"), on="token"
        )
        rare = index.tokens.filter(pl.col("weight") > RARE_WEIGHT).select(ctid, "name_id")
        # A name holding a token twice counts twice, as the carriers join always did.
        fanout = rare.group_by("ctid").len()
        busy = fanout.filter(pl.col("len") > MAX_TOKEN_NAMES).select("ctid")
        words = index.tokens.filter(~pl.col("token").str.starts_with("#"))
        named = index.keys.filter(pl.col("name_id").is_not_null()).select("key", "name_id")
        slip = pl.col("key").str.starts_with(SLIP_PREFIX)
        by_name = named.filter(~slip)
        distinct = words.select("name_id", ctid).unique()
        return cls(
            index=index,
            sources=cls._sources(index),
            token_ids=info.select("token", "tid", "canonical"),
            token=info["token"],
            canonical=info["canonical"],
            weight=info["weight"],
            token_keys=token_keys.select("key", ctid),
            by_name=KeyIndex.build(by_name),
            by_slip=KeyIndex.build(named.filter(slip)),
            fanout=fanout,
            busy=busy,
            reachable=fanout.filter(pl.col("len") <= MAX_TOKEN_NAMES).select("ctid"),
            carrier_names=_carrier_names(rare.join(busy, on="ctid", how="anti").unique(),
                                         info.height),
            name_tokens=NameTokens.build(
                distinct["name_id"].to_numpy(), index.names.height, distinct["ctid"].to_numpy()
            ),
            c_total=np.bincount(
                index.tokens["name_id"].to_numpy(), weights=index.tokens["weight"].to_numpy(),
                minlength=index.names.height,
            ),
            common=info.join(pairing_words(index.tokens), on="tid", how="semi").select(
                ctid, "canonical"
            ),
            one_word=info.select(ctid, (pl.lit("n:") + pl.col("token")).alias("key"))
            .join(by_name, on="key")
            .select("ctid", "name_id"),
            short_words=short_name_words(index),
            bare=index.names.filter(bare_names(pl.col("tokens")))["name_id"],
        )

    @staticmethod
    def _sources(index: ScreeningIndex) -> tuple[pl.DataFrame, ...]:
        return (index.token_info, index.tokens, index.keys)

    def serves(self, index: ScreeningIndex) -> bool:
        return self.index is index and all(
            a is b for a, b in zip(self.sources, self._sources(index), strict=True)
        )


def _carrier_names(carriers: pl.DataFrame, n_tokens: int) -> Csr:
    """The names (name_id) of ``carriers`` by ctid."""
    return Csr.build(carriers["ctid"].to_numpy(), n_tokens, carriers["name_id"].to_numpy())


def short_name_words(index: ScreeningIndex) -> pl.DataFrame:
    """(initial, ctid, name_id): each word of a name of one word (initial "") or of two words
    (initial: the first letter of the other word), sorted by initial.

    A short query ("Abdillah", "A. Shahlai") can only score against a name whose every word
    it matches: these are the names ``short_query_names`` compares it with, word for word.
    """
    words = index.tokens.filter(~pl.col("token").str.starts_with("#")).select(
        "name_id", "pos", pl.col("tid").alias("ctid"), "token"
    )
    counted = words.with_columns(pl.len().over("name_id").alias("words"))
    one = counted.filter(pl.col("words") == 1).select(
        pl.lit("").alias("initial"), "ctid", "name_id"
    )
    two = counted.filter(pl.col("words") == 2)
    pairs = two.join(two.select("name_id", pl.col("pos").alias("other"), "token"),
                     on="name_id", suffix="_other").filter(pl.col("pos") != pl.col("other"))
    with_initial = pairs.select(
        pl.col("token_other").str.slice(0, 1).alias("initial"), "ctid", "name_id"
    )
    words_only = pl.col("ctid").is_in(
        words.filter(pl.col("token").str.len_chars() > 1)["ctid"].implode()
    )
    return pl.concat([one, with_initial]).filter(words_only).unique().sort(
        "initial", "ctid", "name_id"
    )


_TABLES: dict[int, IndexTables] = {}


def index_tables(index: ScreeningIndex) -> IndexTables:
    """The integer views of ``index``, built on first use."""
    held = _TABLES.get(id(index))
    if held is not None and held.serves(index):
        return held
    built = IndexTables.build(index)
    while len(_TABLES) >= _KEPT_TABLES:
        _TABLES.pop(next(iter(_TABLES)))
    _TABLES[id(index)] = built
    return built


@dataclass(slots=True)
class _Memo:
    """Rows computed per key (the ``on`` columns), kept from batch to batch.

    ``compute`` gives a key's rows (at least one, else the key is computed again next time).
    At most ``max_rows`` rows are kept: past that the memo starts again from the last batch.
    """

    on: list[str]
    max_rows: int
    rows: pl.DataFrame | None = None

    def put(self, rows: pl.DataFrame) -> None:
        """Keep ``rows``, computed for keys not kept yet."""
        kept = self.rows is not None and self.rows.height + rows.height <= self.max_rows
        self.rows = pl.concat([self.rows, rows]) if kept and self.rows is not None else rows

    def get(
        self, keys: pl.DataFrame, compute: Callable[[pl.DataFrame], pl.DataFrame]
    ) -> pl.DataFrame:
        """The rows of every distinct key row of ``keys``, in the order of ``keys``."""
        if self.rows is None:
            found, missing = None, keys
        else:
            found = self.rows.join(keys, on=self.on, how="semi")
            missing = keys.join(self.rows.select(self.on).unique(), on=self.on, how="anti")
        new = compute(missing) if missing.height or found is None else None
        rows = pl.concat([f for f in (found, new) if f is not None])
        if new is not None:
            if self.rows is not None and self.rows.height + new.height <= self.max_rows:
                self.put(new)
            else:  # the first batch, or past max_rows: start again from this batch's rows
                self.rows = rows
        return keys.join(rows, on=self.on, how="inner", maintain_order="left")


# Bounds of a screener's QueryCache (rows; a few hundred MB at most in all).
_CACHED_NAMES = 300_000
_CACHED_FRESH_TOKENS = 100_000
_CACHED_SIMILAR_ROWS = 1_000_000
_CACHED_SHORT_ROWS = 100_000


def _fresh_memo() -> _Memo:
    return _Memo(["token"], _CACHED_FRESH_TOKENS)


def _similar_memo() -> _Memo:
    return _Memo(["token", "glued"], _CACHED_SIMILAR_ROWS)


def _short_memo() -> _Memo:
    return _Memo(["initial", "token"], _CACHED_SHORT_ROWS)


@dataclass(slots=True)
class QueryCache:
    """Per-token and per-name work that depends only on the index, kept by a screener from batch
    to batch (the same parties are screened again and again): names' tokens, the facts of
    unseen tokens (``fresh_facts``), the listed tokens similar to each query word and the
    words of short names alike to each short query's word."""

    tables: IndexTables | None = None
    names: _Memo = field(default_factory=lambda: _Memo(["name", "schema"], _CACHED_NAMES))
    fresh: _Memo = field(default_factory=_fresh_memo)
    similar: _Memo = field(default_factory=_similar_memo)
    short: _Memo = field(default_factory=_short_memo)
    floor: float | None = None

    def tokenise(self, names: pl.Series, schemas: pl.Series) -> pl.Series:
        """``tokenise_names(names, schemas)``."""
        keys = pl.DataFrame({
            "name": names.cast(pl.Utf8).fill_null(""),
            "schema": schemas.cast(pl.Utf8).fill_null(PERSON),
        })
        rows = self.names.get(keys.unique(maintain_order=True), _tokenised)
        return keys.join(rows, on=["name", "schema"], how="left", maintain_order="left")[
            "tokens"
        ].alias(names.name)

    def fresh_tokens(self, unknown: pl.Series, floor: float) -> pl.DataFrame:
        """token, canonical, keys, weight of distinct unseen tokens, in the order given. The
        listed tokens similar to them (at ``floor``) are kept for ``similar_words``."""
        tables = self.tables
        if tables is None:
            raise ValueError("the cache serves no index yet")
        self._use_floor(floor)

        def compute(missing: pl.DataFrame) -> pl.DataFrame:
            facts, similar = fresh_facts(missing["token"], tables, floor)
            kept = self.similar.rows
            self.similar.put(
                similar if kept is None else similar.join(kept, on=self.similar.on, how="anti")
            )
            return facts

        return fresh_weights(self.fresh.get(unknown.to_frame("token"), compute))

    def _use_floor(self, floor: float) -> None:
        if self.floor != floor:
            self.similar, self.short, self.floor = _similar_memo(), _short_memo(), floor

    def short_words_alike(
        self, words: pl.DataFrame, tables: IndexTables, floor: float
    ) -> pl.DataFrame:
        """``_short_words_alike`` of distinct ``words`` (initial, token, canonical), whatever
        their initial: initial, token, ctid."""
        self._use_floor(floor)

        def compute(missing: pl.DataFrame) -> pl.DataFrame:
            found = pl.concat([
                _short_words_alike(group, str(initial), tables, floor)
                for (initial,), group in missing.group_by("initial", maintain_order=True)
            ])
            # A word alike to none keeps one empty row: it is known.
            return missing.select("initial", "token").join(
                found, on=["initial", "token"], how="left"
            )

        return self.short.get(words, compute).drop_nulls("ctid").select(
            "initial", "token", "ctid"
        )

    def similar_words(
        self, words: pl.DataFrame, tables: IndexTables, floor: float
    ) -> pl.DataFrame:
        """``_similar`` of ``words`` (wid, token, keys, glued): a word's keys follow from its
        token and whether it is two glued words."""
        self._use_floor(floor)

        def compute(missing: pl.DataFrame) -> pl.DataFrame:
            keyed = missing.join(
                words.drop("wid"), on=["token", "glued"], maintain_order="left"
            ).with_row_index("wid")  # _similar wants wid to be the row number
            found = _similar(keyed.select("wid", "token", "keys"), tables, floor)
            # A word with no similar listed token keeps one empty row: it is known.
            return keyed.select("wid", "token", "glued").join(found, on="wid", how="left").drop(
                "wid"
            )

        rows = self.similar.get(words.select("token", "glued"), compute)
        return (
            words.select("wid", "token", "glued")
            .join(rows.drop_nulls("ctid"), on=["token", "glued"], maintain_order="left")
            .select("wid", "ctid", "sim")
        )


def _tokenised(keys: pl.DataFrame) -> pl.DataFrame:
    return keys.with_columns(tokenise_names(keys["name"], keys["schema"]).alias("tokens"))


def _fresh_cache(cache: QueryCache | None, tables: IndexTables) -> QueryCache:
    """``cache`` when it serves ``tables``' index, else a new one (a one-batch cache if None)."""
    if cache is None:
        return QueryCache(tables=tables)
    if cache.tables is not tables:
        cache.tables = tables
        cache.fresh, cache.similar, cache.short = _fresh_memo(), _similar_memo(), _short_memo()
    return cache


def _pair(qid: pl.Expr, name_id: pl.Expr) -> pl.Expr:
    return (qid.cast(pl.UInt64) * PAIR + name_id.cast(pl.UInt64)).alias("pair")


def _pair_qid() -> pl.Expr:
    return (pl.col("pair") // PAIR).cast(pl.UInt32).alias("qid")


def _pair_name() -> pl.Expr:
    return (pl.col("pair") % PAIR).cast(pl.UInt32).alias("name_id")


def query_tables(
    queries: pl.DataFrame, index: ScreeningIndex, cache: QueryCache | None = None,
    floor: float = DEFAULT.token_floor,
) -> tuple[pl.DataFrame, pl.DataFrame]:
    """Normalise distinct query names: (names: qid, name, schema, tokens, joined; tokens table).

    ``queries`` has qid, name, schema. Token weights come from the index; tokens the index has
    never seen weigh 1 (0.3 when they are common words). ``cache`` (held by a screener) keeps
    the tokens of names and the facts of unseen tokens from batch to batch.
    """
    tables = index_tables(index)
    cache = _fresh_cache(cache, tables)
    names = queries.with_columns(
        cache.tokenise(queries["name"], queries["schema"]).alias("tokens")
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
    unknown = tokens.join(tables.token_ids, on="token", how="anti")["token"]
    fresh = cache.fresh_tokens(unknown.unique(maintain_order=True), floor)
    # Tokens the index has never seen get ids after the index's own, in order of appearance.
    fresh = fresh.with_row_index("tid", offset=tables.token.len())
    info = pl.concat([known, fresh.select(known.columns)])
    tokens = tokens.join(info, on="token", how="left")
    return names, tokens


def fresh_facts(
    unknown: pl.Series, tables: IndexTables, floor: float
) -> tuple[pl.DataFrame, pl.DataFrame]:
    """What each distinct unseen token's weight is made of, independent of the batch:
    token, canonical, keys, common (``is_common``) and lend (the weight of the closest
    listed token, null when none is close); and the listed tokens at least ``floor`` similar
    to each (token, ctid, sim; one row with null ctid for a token near none), as
    ``QueryCache.similar_words`` keeps them.

    An unseen token close to a listed one ("foundationn") weighs what that token weighs:
    otherwise a misspelt common word would count as the rarest word of the query.
    """
    facts = token_table(unknown).with_columns(
        pl.Series("common", [is_common(t) for t in unknown.to_list()], dtype=pl.Boolean)
    )
    # Class tokens weigh 0 and lend nothing; every other unseen token weighs more than 0.
    words = facts.filter(~pl.col("token").str.starts_with("#")).select(
        "token", "keys", "canonical"
    )
    words = words.with_row_index("wid")
    similar = _similar(words, tables, floor, narrow=True)
    # Only a token met by a key other than a wide one is close enough to lend its weight.
    # Ties go to the listed token with the lowest id, so the result never depends on order.
    close = similar.filter(pl.col("narrow") & (pl.col("sim") >= BORROW_SIM))
    best = (
        close.with_columns(tables.weight.gather(close["ctid"]).alias("lend"))
        .sort(["sim", "ctid"], descending=[True, False])
        .unique("wid", keep="first")
        .join(words.select("wid", "token"), on="wid")
        .select("token", "lend")
    )
    near = words.select("wid", "token").join(
        similar.select("wid", "ctid", "sim"), on="wid", how="left"
    )
    return (
        facts.join(best, on="token", how="left", maintain_order="left"),
        near.select("token", pl.lit(value=False).alias("glued"), "ctid", "sim"),
    )


def fresh_weights(facts: pl.DataFrame) -> pl.DataFrame:
    """token, canonical, keys, weight of a batch's unseen tokens (``fresh_facts`` rows).

    An unseen token whose variant group is one of the batch's unseen common words weighs 0.3.
    """
    common = facts.filter(pl.col("common"))["token"].implode()
    weight = (
        pl.when(pl.col("token").str.starts_with("#"))
        .then(0.0)
        .when(pl.col("canonical").is_in(common))
        .then(0.3)
        .otherwise(1.0)
    )
    weight = initial_weight(pl.col("token"), weight)
    return facts.select(
        "token", "canonical", "keys",
        pl.min_horizontal(weight, pl.col("lend").fill_null(1.0)).alias("weight"),
    )


def _similar(
    words: pl.DataFrame, tables: IndexTables, floor: float, *, narrow: bool = False
) -> pl.DataFrame:
    """(wid, ctid, sim): list tokens sharing a key with each word, at least ``floor`` similar;
    with ``narrow``, also whether they share a key that is not wide (``is_wide_key``).

    ``words`` has wid (its row number), token and keys, and may have canonical (the variant
    group, where the caller has it already). Every word compares by its variant group, as
    the scorer does: an unseen "chahlaee" is of the group of the listed "shahlai".
    """
    met = (
        words.select("wid", pl.col("keys").alias("key"))
        .explode("key")
        .join(tables.token_keys, on="key")
        .select(
            (pl.col("wid").cast(pl.UInt64) * PAIR + pl.col("ctid")).alias("wc"),
            *([~is_wide_key(pl.col("key")).alias("narrow")] if narrow else []),
        )
    )
    distinct = met.group_by("wc").agg(pl.col("narrow").any()) if narrow else met.unique()
    pairs = distinct.select(
        (pl.col("wc") // PAIR).cast(pl.UInt32).alias("wid"),
        (pl.col("wc") % PAIR).cast(pl.UInt32).alias("ctid"),
        *(["narrow"] if narrow else []),
    )
    if "canonical" in words.columns:
        spelt = words.select("wid", "token", "canonical")
    else:
        spelt = words.select("wid", "token").join(
            tables.token_ids.select("token", "canonical"), on="token", how="left",
            maintain_order="left",
        )
    # Words the index has never seen take the group canonical_tokens gives them (only those
    # that share a key with a listed word need it: most glued words share none).
    unseen = (
        spelt.filter(pl.col("canonical").is_null() & pl.col("wid").is_in(pairs["wid"].implode()))
        .select("token")
        .unique()
    )
    if unseen.height:
        groups = unseen.with_columns(canonical_tokens(unseen["token"]).alias("group"))
        spelt = spelt.join(groups, on="token", how="left", maintain_order="left").select(
            "wid", "token", pl.col("canonical").fill_null(pl.col("group"))
        )
    wid, ctid = pairs["wid"], pairs["ctid"]
    sim = token_similarity(
        spelt["token"].gather(wid), tables.token.gather(ctid),
        spelt["canonical"].gather(wid), tables.canonical.gather(ctid), floor=floor,
    )
    return pairs.with_columns(pl.Series("sim", sim, dtype=pl.Float64)).filter(
        pl.col("sim") >= floor
    )


def _blocking_tokens(tokens: pl.DataFrame) -> pl.DataFrame:
    """Query tokens that may create candidates: (qid, pos, token, weight, keys, glued).

    Besides each token, two neighbouring tokens glued together stand in as one more token
    weighing both, so
    a split word ("Patr ushev") still meets the list token.
    """
    own = tokens.filter(~pl.col("token").str.starts_with("#")).select(
        "qid", "pos", "token", "weight", "keys", pl.lit(value=False).alias("glued")
    ).sort("qid", "pos")
    # The index keys every spelling whole ("d:akimov"), so the glued spelling meets it.
    glued = own.select(
        "qid", "pos",
        (pl.col("token") + pl.col("token").shift(-1)).alias("token"),
        # A glued pair stands for both its words.
        (pl.col("weight") + pl.col("weight").shift(-1)).alias("weight"),
        (pl.col("qid").shift(-1) == pl.col("qid")).alias("next"),
    ).filter(pl.col("next"))
    glued = glued.select(
        "qid", "pos", "token", "weight",
        pl.concat_list(pl.lit("d:") + pl.col("token")).alias("keys"),
        pl.lit(value=True).alias("glued"),
    )
    return pl.concat([own, glued])


def _expansion_tokens(
    blocking: pl.DataFrame, similar: pl.DataFrame, hidden: pl.Series, matched: pl.Series,
    fanout: pl.DataFrame, totals: pl.DataFrame, min_score: float,
) -> pl.DataFrame:
    """The query words worth expanding to list names, with ``expanded_w`` per query.

    A list name can only reach ``min_score`` if it carries tokens of the query worth at least
    that share of the query's weight. So every such name carries at least one token of the
    cheapest set S (fewest list names reachable) whose complement weighs less than that
    share: expanding S alone finds them all. One more token than S is expanded as a margin
    for misspellings that share no key (``slip_w``: the heaviest expanded word of
    SLIP_MIN_LETTERS letters or more, which the reach test lets align unseen), and glued
    tokens are always expanded. A word in
    ``hidden`` (wid) also resembles listed words that are never expanded (common or busy
    ones), so expanding it covers nothing: its weight is not counted as covered. A word
    not in ``matched`` (wid) resembles no listed word: it covers its weight for nothing.
    """
    reach = (
        similar.join(fanout, on="ctid")
        .group_by("wid").agg(pl.col("len").sum().alias("fanout"))
    )
    # Tokens that reach only busy names cannot be expanded. Tokens that resemble no listed
    # word are expanded for free: they meet no name.
    own = blocking.filter(pl.col("pos").is_not_null() & ~pl.col("glued"))
    alone = own.join(matched.to_frame("wid"), on="wid", how="anti").with_columns(
        pl.lit(0, dtype=reach.schema["fanout"]).alias("fanout")
    )
    ranked = (
        pl.concat([own.join(reach.filter(pl.col("fanout") > 0), on="wid", how="inner"), alone])
        .join(totals, on="qid")
        .sort("qid", "fanout", "pos")
        .with_columns(
            pl.when(pl.col("wid").is_in(hidden.implode())).then(0.0)
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
    # A hidden word's weight is counted as met already (it is not covered): what it meets
    # in a name adds nothing more.
    chosen = pl.concat([
        ranked.select(*blocking.columns, "cover_w"),
        blocking.filter(pl.col("glued")).with_columns(pl.col("weight").alias("cover_w")),
    ])
    # Only a long word may be spelt past what its keys meet.
    long = pl.col("token").str.len_chars() >= SLIP_MIN_LETTERS
    expanded_w = ranked.group_by("qid").agg(
        pl.col("cover_w").sum().alias("expanded_w"),
        pl.col("cover_w").filter(long).max().alias("slip_w"),
    )
    return chosen.join(expanded_w, on="qid", how="left").with_columns(
        pl.col("expanded_w").fill_null(0.0), pl.col("slip_w").fill_null(0.0)
    )


def _limits(expand: pl.DataFrame, totals: pl.DataFrame) -> pl.DataFrame:
    """What the reach test needs of each query (``_expansion_tokens`` rows, ``totals``): qid,
    expanded_w, slip_w and the totals."""
    return expand.select("qid", "expanded_w", "slip_w").unique("qid").join(totals, on="qid")


def _covered(limits: pl.DataFrame, min_score: float) -> pl.DataFrame:
    """(qid) of the queries (``_limits``) where a name met by no expanded word fails
    ``_expanded_names``' reach test whatever it holds (it gets nothing from the expanded
    words but the margin)."""
    if min_score <= 0:
        return pl.DataFrame(schema={"qid": pl.UInt32})
    columns = (limits[c].to_numpy() for c in ("q_total", "expanded_w", "slip_w"))
    met_by_none = reaches(np.zeros(limits.height), *columns, min_score, UNSEEN_SIM)
    return limits.filter(pl.Series(~met_by_none)).select("qid")


def _expanded_names(
    expand: pl.DataFrame, expandable: pl.DataFrame, tables: IndexTables, limits: pl.DataFrame,
    min_score: float,
) -> pl.DataFrame:
    """(pair): names carrying a token similar to an expanded word, that may reach min_score
    (``limits``: the queries' ``_limits``).

    Upper bound of a name's score: the parts it gets from the expanded words that cover their
    weight (the best per query position), plus every other word (not expanded, or hidden)
    matched perfectly, plus one long expanded
    word aligned at UNSEEN_SIM (the misspelling the expansion margin is for: "akhunzada"
    shares no key with "akhund"; the heaviest counts). Each pair is listed once.
    """
    rows = (
        expand.select("qid", "pos", "wid", "cover_w")
        .join(expandable, on="wid")
        .select("qid", "pos", "ctid", (pl.col("cover_w") * pl.col("sim")).alias("part"))
        .sort("qid", "pos")
    )
    n_queries = _id_bound(rows["qid"].to_numpy(), limits["qid"].to_numpy())
    found = reached_names(
        tuple(rows[c].to_numpy() for c in ("qid", "pos", "ctid", "part")), tables.carrier_names,
        _by_qid(limits, n_queries, ("q_total", "expanded_w", "slip_w")), min_score,
        UNSEEN_SIM, tables.index.names.height,
    )
    return pl.DataFrame({"pair": found})


def candidates(
    names: pl.DataFrame, tokens: pl.DataFrame, index: ScreeningIndex, max_candidates: int,
    floor: float = 0.72, min_score: float = 0.0, *, sure_score: float | None = None,
    algorithm: Algorithm = DEFAULT, cache: QueryCache | None = None,
    rotated: pl.DataFrame | None = None,
) -> pl.DataFrame:
    """Candidate (qid, name_id, block_score) pairs: the best ``max_candidates`` per query, and
    every candidate whose known score (``kernels.known_scores``) reaches ``sure_score``.

    Stage one finds list names through the cheapest sufficient query tokens (common words and
    initials never create candidates). Stage two scores every query token, common ones
    included, against the tokens of those names only, so the ranking and the reach test see
    the whole query. A candidate whose optimistic name score stays under ``min_score`` is
    dropped before scoring: the query words met as blocking saw them, free initials at
    INITIAL_SIM, long words not met at UNSEEN_SIM, and the other words unaligned (they share
    no key with any word of the name).
    ``algorithm`` gives the scorer's charges for unmatched tokens (the known score uses them);
    ``cache`` keeps the listed tokens similar to each query word from batch to batch;
    ``rotated`` is ``rotations(tokens)`` where the caller has it already.
    """
    tables = index_tables(index)
    rotated = rotations(tokens) if rotated is None else rotated
    qid_type = names.schema["qid"]
    # Pairs pack qid as a 32-bit id.
    names = names.with_columns(pl.col("qid").cast(pl.UInt32))
    tokens = tokens.with_columns(pl.col("qid").cast(pl.UInt32))
    words = _blocking_tokens(tokens)
    # A token both a word and two glued words of the batch takes the word's keys (words
    # come first).
    distinct = (
        words.select("token", "keys", "glued").unique("token", keep="first", maintain_order=True)
        .with_row_index("wid")
    )
    # Keys are looked up once per distinct word (``distinct``); the batch's rows drop them.
    words = words.drop("keys").join(distinct.select("token", "wid"), on="token")
    similar = _fresh_cache(cache, tables).similar_words(distinct, tables, floor)
    blocking = words.filter(
        (pl.col("weight") > RARE_WEIGHT) & (pl.col("token").str.len_chars() > 1)
    )
    # Common list words are reached (they lend their weight) but never expanded to names.
    expandable = similar.join(tables.busy, on="ctid", how="anti")
    totals = tokens.filter(~pl.col("token").str.starts_with("#")).group_by("qid").agg(
        pl.col("weight").sum().alias("q_total"),
        # Initials share no key with the words they start: the known score lets them align.
        (pl.col("weight") * _is_initial(pl.col("token"))).sum().alias("init_w"),
        (_is_initial(pl.col("token")) & (pl.col("weight") > 0)).sum().alias("n_init"),
        (pl.col("weight") * _is_long(pl.col("token"))).sum().alias("long_w"),
    )
    hidden = similar.join(tables.reachable, on="ctid", how="anti")["wid"].unique()
    matched = similar["wid"].unique()
    expand = _expansion_tokens(
        blocking, expandable, hidden, matched, tables.fanout, totals, min_score
    )
    limits = _limits(expand, totals)
    found = _expanded_names(expand, expandable, tables, limits, min_score)
    by_name = tables.by_name
    whole = by_name.meet(
        names.select("qid", whole_name_key(pl.col("tokens")).alias("key"))
    ).select(_pair(pl.col("qid"), pl.col("name_id")))
    # A one-word query meets the one-word names of the words it resembles: "Yusedf" finds
    # "Hajj Yusef" (a title and one common word), which no word of it could expand to.
    lone = (
        words.filter(~pl.col("glued"))
        .filter(pl.len().over("qid") == 1)
        .select("qid", "wid")
        .join(similar.select("wid", "ctid"), on="wid")
        .join(tables.one_word, on="ctid")
        .select(_pair(pl.col("qid"), pl.col("name_id")))
    )
    # A query of one word (and at most one initial) meets the short names it may match
    # word for word, whether or not a key links the words ("Abdillah" and "Abdalarak").
    short = short_query_names(words, tokens, tables, floor, cache)
    # A query word that is two listed words joined ("STRATEGICFORCES").
    joined = (
        by_name.meet(
            words.filter(~pl.col("glued") & (pl.col("token").str.len_chars() >= 6))
            .select("qid", (pl.lit("g:") + pl.col("token")).alias("key"), "weight")
        )
        .group_by(_pair(pl.col("qid"), pl.col("name_id")))
        .agg(pl.col("weight").sum().alias("joined_part"))
    )
    # Names that no expanded word meets cannot reach min_score in a query whose expanded
    # words weigh enough: two common words alone lead nowhere there.
    pairing = words.join(_covered(limits, min_score), on="qid", how="anti")
    pairs = by_name.meet(common_pairs(pairing, similar, tables)).select(
        _pair(pl.col("qid"), pl.col("name_id"))
    )
    # A long query may be a name cut by a payment field: look the start of its words up.
    cut = by_name.meet(
        names.filter(
            (pl.col("name").str.len_chars() >= TRUNCATED_MIN_CHARS)
            & (pl.col("joined").str.len_chars() >= PREFIX_LETTERS)
        )
        .select("qid", prefix_key(pl.col("joined")).alias("key"))
    ).select(_pair(pl.col("qid"), pl.col("name_id")))
    # The whole query spelt without spaces is a listed name spelt so ("Hara Ins titute"),
    # its words as written or rotated as the scorer reads them ("BANK SBER": "sberbank").
    spellings = pl.concat(
        [names.select("qid", "joined"), rotated.select(pl.col("qid").cast(pl.UInt32), "joined")]
    )
    spelt = by_name.meet(
        spellings.filter(pl.col("joined").str.len_chars() >= SPELLING_MIN_LETTERS)
        .select("qid", spelling_key(pl.col("joined")).alias("key"))
    ).select(_pair(pl.col("qid"), pl.col("name_id")))
    # ... or one edit from it ("Haji Abd al-Basir" and "Hajji Abdelnasser").
    slipped = tables.by_slip.meet(with_slip_keys(names.select("qid", "joined"))).select(
        _pair(pl.col("qid"), pl.col("name_id"))
    )
    # Repeats are harmless: block scores take maxima per position.
    found = _alike(
        pl.concat([found, whole, lone, short, joined.select("pair"), pairs, cut, spelt, slipped]),
        names, tables,
    )
    # Names met as a whole (glued words, a cut name's start, the same spelling or one edit
    # from it, a short query word for word) may score on the whole name: the reach test,
    # which counts words, does not apply to them.
    whole_name = pl.concat([joined.select("pair"), cut, spelt, slipped, short]).unique()
    scored = _block_scores(
        found, words, similar, tables, totals, min_score, joined, whole_name, algorithm
    )
    return _best(scored, max_candidates, sure_score).with_columns(pl.col("qid").cast(qid_type))


def short_queries(words: pl.DataFrame) -> pl.DataFrame:
    """(qid, pos, initial) of the queries of one word (pos) and at most one initial (""
    when none): the queries ``short_query_names`` serves."""
    own = words.filter(~pl.col("glued"))
    initial = pl.col("token").str.len_chars() == 1
    shape = own.group_by("qid").agg(
        (~initial).sum().alias("words"), initial.sum().alias("initials"),
        pl.col("pos").filter(~initial).first(),
        pl.col("token").filter(initial).first().fill_null("").alias("initial"),
    )
    return shape.filter((pl.col("words") == 1) & (pl.col("initials") <= 1)).select(
        "qid", "pos", "initial"
    )


def short_query_names(
    words: pl.DataFrame, tokens: pl.DataFrame, tables: IndexTables, floor: float,
    cache: QueryCache | None = None,
) -> pl.DataFrame:
    """(pair): the short names (``short_name_words``) a short query (``short_queries``) may
    match word for word: the query word at least ``floor`` similar to one word of the name,
    the query's initial (if any) that of the other. Found by comparing the word with every
    such name's word: no key needed, and few names are short. ``cache`` keeps the words
    found for each query word from batch to batch."""
    shapes = short_queries(words)
    if shapes.height == 0:
        return pl.DataFrame(schema={"pair": pl.UInt64})
    queried = shapes.join(
        tokens.select(pl.col("qid").cast(pl.UInt32), "pos", "token", "canonical"),
        on=["qid", "pos"],
    )
    distinct = queried.select("initial", "token", "canonical").unique(maintain_order=True)
    alike = _fresh_cache(cache, tables).short_words_alike(distinct, tables, floor)
    return (
        queried.join(alike, on=["initial", "token"])
        .join(tables.short_words, on=["initial", "ctid"])
        .select(_pair(pl.col("qid"), pl.col("name_id")))
        .unique()
    )


def may_reach_floor(
    queried: Sequence[str], query_lengths: np.ndarray, choices: Sequence[str],
    choice_lengths: np.ndarray, same_group: np.ndarray, floor: float, workers: int = -1,
) -> np.ndarray:
    """(queried x choices) mask of the word pairs whose token_similarity may reach ``floor``.

    token_similarity is at most the plain mean of Jaro-Winkler and OSA similarity except for
    one edit or one variant group (``same_group``, broadcast to the matrix): one matrix of
    each finds the few pairs worth its rules.
    """
    jaro: np.ndarray = cdist(queried, choices, scorer=JaroWinkler.normalized_similarity,
                             dtype=np.float64, workers=workers)
    edits: np.ndarray = cdist(queried, choices, scorer=OSA.distance, dtype=np.int64,
                              workers=workers)
    longest: np.ndarray = np.maximum.outer(query_lengths, choice_lengths)
    plain = (jaro + (1.0 - edits / longest)) / 2
    maybe: np.ndarray = (plain >= floor - 1e-9) | (edits <= 1) | same_group
    return maybe


def _short_words_alike(
    words: pl.DataFrame, initial: str, tables: IndexTables, floor: float
) -> pl.DataFrame:
    """(initial, token, ctid): the words of short names of ``initial`` at least ``floor``
    similar (token_similarity) to each query word (token, canonical) of ``words``; only the
    pairs that ``may_reach_floor`` are given to token_similarity."""
    listed = tables.short_words.filter(pl.col("initial") == initial)["ctid"].unique(
        maintain_order=True
    )
    choices = tables.token.gather(listed)
    groups = tables.canonical.gather(listed)
    maybe = may_reach_floor(
        words["token"].to_list(), words["token"].str.len_chars().to_numpy(),
        choices.to_list(), choices.str.len_chars().to_numpy(),
        words["canonical"].to_numpy()[:, None] == groups.to_numpy()[None, :], floor,
    )
    rows, cols = np.nonzero(maybe)
    pairs = pl.DataFrame({
        "token": words["token"].gather(rows), "canonical": words["canonical"].gather(rows),
        "ctid": listed.gather(cols),
    })
    sim = token_similarity(
        pairs["token"], tables.token.gather(pairs["ctid"]),
        pairs["canonical"], tables.canonical.gather(pairs["ctid"]), floor=floor,
    )
    return pairs.filter(pl.Series(sim >= floor)).select(
        pl.lit(initial).alias("initial"), "token", "ctid"
    )


def _alike(found: pl.DataFrame, names: pl.DataFrame, tables: IndexTables) -> pl.DataFrame:
    """The pairs of ``found`` whose two names are both bare or both not (the scorer gives the
    others 0: "SL Trading" is not the acronym "SL")."""
    bare = names.filter(bare_names(pl.col("tokens")))["qid"]
    return found.filter(
        _pair_qid().is_in(bare.implode()) == _pair_name().is_in(tables.bare.implode())
    )


def _best(
    scored: pl.DataFrame, max_candidates: int, sure_score: float | None = None
) -> pl.DataFrame:
    """(qid, name_id, block_score): the best max_candidates per query, every name tied with the
    best (the same exact name is often listed by many entities and lists), and every name
    whose known score reaches ``sure_score``."""
    # Rounded: sums of the same parts in another order must rank alike.
    score = pl.col("block_score")
    top = score.max().over("qid")
    sure = pl.col("known") >= (2.0 if sure_score is None else sure_score)
    ranked = scored.select(_pair_qid(), _pair_name(), score.round(9), "known").filter(
        # Cheap first cut, before sorting: the max_candidates-th best score or ties with the
        # best; the exact cut below needs the order.
        (score >= pl.min_horizontal(score.top_k(max_candidates).min().over("qid"), top - 1e-9))
        | sure
    ).sort(["qid", "block_score", "name_id"], descending=[False, True, False])
    return ranked.filter(
        (pl.int_range(pl.len()).over("qid") < max_candidates) | (score >= top - 1e-9) | sure
    ).drop("known")


def common_pairs(
    words: pl.DataFrame, similar: pl.DataFrame, tables: IndexTables
) -> pl.DataFrame:
    """(qid, key): ``c2:`` keys of two query words resembling two common listed words, and
    ``i2:`` keys of an initial with a query word resembling a common listed word. Two query
    words may resemble one common word: the key of a name holding it twice.

    Two words overlap when one is a glued pair holding the other; such words never pair.
    """
    reached = (
        words.select("qid", "pos", "wid", "glued")
        .join(similar.select("wid", "ctid"), on="wid")
        .join(tables.common, on="ctid")
        .select("qid", "pos", "glued", "canonical")
        .unique()
    )
    pairs = (
        reached.join(reached, on="qid", suffix="_b")
        .filter(
            (pl.col("pos") < pl.col("pos_b"))
            & ~(pl.col("glued") & (pl.col("pos_b") == pl.col("pos") + 1))
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
    found: pl.DataFrame, words: pl.DataFrame, similar: pl.DataFrame, tables: IndexTables,
    totals: pl.DataFrame, min_score: float, joined: pl.DataFrame, whole_name: pl.DataFrame,
    algorithm: Algorithm,
) -> pl.DataFrame:
    """Every query token against the tokens of its candidate names, one row per distinct pair
    of ``found``: pair, block_score and known (``kernels.known_scores``), from seen_w (query weight
    met), init_seen_w and n_init_seen (of initials), and c_reached (the most weight of the
    name the positions met can take: each the heaviest list token it resembles).

    ``joined`` adds the weight of query words found as two listed words glued together.
    """
    pairs = found["pair"].unique().sort().to_numpy()
    met = (
        words.select(
            "qid", "pos", "wid", "weight",
            (_is_initial(pl.col("token")) & ~pl.col("glued")).alias("initial"),
            (_is_long(pl.col("token")) & ~pl.col("glued")).alias("long"),
        )
        .join(similar, on="wid")
        .with_columns((pl.col("weight") * pl.col("sim")).alias("part"))
    )
    met_words = MetWords(
        **{c: met[c].to_numpy() for c in ("qid", "ctid", "pos", "part", "weight", "initial")},
        long=met["long"].to_numpy(), cw=tables.weight.to_numpy()[met["ctid"].to_numpy()],
    )
    n_queries = _id_bound(pairs[-1:] >> 32, met_words.qid, totals["qid"].to_numpy())
    sums = list(name_block_sums(pairs, tables.name_tokens, met_words, n_queries,
                                tables.token.len()))
    # Query words found as two listed words glued together add their weight.
    glued = _positions(pairs, joined["pair"].to_numpy())
    for column in (0, 1):  # block_score, seen_w
        sums[column][glued[glued >= 0]] += joined["joined_part"].to_numpy()[glued >= 0]
    keep, known = known_scores(
        pairs, tuple(sums), _by_qid(totals, n_queries), tables.c_total,
        _marked(pairs, whole_name["pair"].to_numpy()), min_score,
        Charges(algorithm.unmatched_query_weight, algorithm.unmatched_list_weight,
                INITIAL_SIM, UNSEEN_SIM),
    )
    return pl.DataFrame({"pair": pairs[keep], "block_score": sums[0][keep], "known": known[keep]})


def _id_bound(*ids: np.ndarray) -> int:
    """One more than the largest of ``ids`` (0 when all are empty)."""
    return 1 + max((int(part.max()) for part in ids if part.size), default=-1)


def _positions(sorted_pairs: np.ndarray, pairs: np.ndarray) -> np.ndarray:
    """Where each of ``pairs`` is in ``sorted_pairs`` (-1 where it is not)."""
    at = np.searchsorted(sorted_pairs, pairs).clip(0, max(sorted_pairs.size - 1, 0))
    found = sorted_pairs[at] == pairs if sorted_pairs.size else np.zeros(pairs.size, bool)
    return np.where(found, at, -1)


def _marked(sorted_pairs: np.ndarray, pairs: np.ndarray) -> np.ndarray:
    """Mask of ``sorted_pairs``: True where a pair is one of ``pairs``."""
    mask = np.zeros(sorted_pairs.size, dtype=bool)
    at = _positions(sorted_pairs, pairs)
    mask[at[at >= 0]] = True
    return mask


def _by_qid(
    totals: pl.DataFrame, n_queries: int,
    columns: Sequence[str] = ("q_total", "init_w", "n_init", "long_w"),
) -> tuple[np.ndarray, ...]:
    """``columns`` of ``totals`` by qid: NaN (0 in an integer column) where a query has no
    row."""
    qid = totals["qid"].to_numpy()
    dense_columns = []
    for column in columns:
        values = totals[column].to_numpy()
        empty = np.nan if values.dtype.kind == "f" else 0
        dense = np.full(n_queries, empty, dtype=values.dtype)
        dense[qid] = values
        dense_columns.append(dense)
    return tuple(dense_columns)


def _is_initial(token: pl.Expr) -> pl.Expr:
    return token.str.len_chars() == 1


def _is_long(token: pl.Expr) -> pl.Expr:
    return token.str.len_chars() >= SLIP_MIN_LETTERS


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
