"""Blocking keeps what exhaustive scoring finds: the cap and two-edit typos."""

from __future__ import annotations

import random

import polars as pl
import pytest

from screening.api import index_from_names
from screening.blocking import (
    QueryCache,
    _covered,
    _expanded_names,
    _expansion_tokens,
    _limits,
    _Memo,
    _pair_name,
    _similar,
    candidates,
    index_tables,
    query_tables,
)
from screening.index import MAX_TOKEN_NAMES, ScreeningIndex
from screening.screener import Screener
from screening.single import Word, fast_path

QUERIES = {
    # 40 long names share every query word and rank above the 10 short names that score:
    # a cap of 32 by block score alone cut the 10.
    "Ibrahim Hassan Tikriti": "Hassan Tikriti",
    # Two edits from the listed word ("Rsaadic"/"Radic", "Zubair"/"Zufar", "Rahkaat"/"Rahat";
    # two consonants more, "Rsadicx", would be another name: scoring.sounds_apart).
    "Miroslav Rsaadic": "Miroslav Radic",
    "Zubair Hassan": "Hassan Zufar",
    "Rahkaat Trading": "Rahat Trading",
    # A word the index never saw, of a listed word's variant group (ch/sh, aee/ai).
    "Abdul-Reza Chahlaee": "Abdul Reza Shahlai",
    # The whole name spelt without spaces, or with them elsewhere.
    "INVESTCAPITALBANK": "Invest Capital Bank",
    "Hara Ins titute": "Hara Institute",
    # One edit from that spelling: no query word meets a listed word.
    "INVESTKAPITALBANK": "Invest Capital Bank",
}


PERSONS = ("Ibrahim Hassan Tikriti", "Miroslav Rsaadic", "Zubair Hassan", "Abdul-Reza Chahlaee")


def _word(rng: random.Random) -> str:
    return "".join(rng.choice("bcdfghklmnprstvz") + rng.choice("aeiou") for _ in range(3))


@pytest.fixture(scope="module")
def index() -> ScreeningIndex:
    rng = random.Random(3)
    rows = [(f"f{i}", "Person", f"{_word(rng)} {_word(rng)}") for i in range(1000)]
    rows += [
        (f"a{i}", "Person", f"Hassan Tikriti Ibrahim {_word(rng)} {_word(rng)} {_word(rng)}")
        for i in range(40)
    ]
    rows += [(f"b{i}", "Person", "Hassan Tikriti") for i in range(10)]
    rows += [
        ("r1", "Person", "Miroslav Radic"), ("r2", "Person", "Hassan Zufar"),
        ("r3", "Organization", "Rahat Trading"), ("r4", "Person", "Abdul Reza Shahlai"),
        ("r5", "Organization", "Invest Capital Bank"), ("r6", "Organization", "Hara Institute"),
    ]
    frame = pl.DataFrame(rows, schema=["entity_id", "schema", "name"], orient="row")
    return index_from_names(
        frame.with_columns(pl.lit("test").alias("list_id"), pl.lit("primary").alias("kind"))
    )


def _queries() -> pl.DataFrame:
    schemas = ["Person" if q in PERSONS else "Organization" for q in QUERIES]
    return pl.DataFrame({"name": list(QUERIES), "schema": schemas})


def _hits(screener: Screener) -> set[tuple[int, str]]:
    hits = screener.screen(_queries(), limit=None)
    return set(hits.select("row", "entity_id").iter_rows())


def test_blocking_keeps_every_exhaustive_hit(index: ScreeningIndex) -> None:
    exhaustive = _hits(Screener(index, blocking=False))
    listed = dict(enumerate(QUERIES.values()))
    names = dict(index.entities.select("entity_id", "caption").iter_rows())
    # The exhaustive hits are the intended ones: 10 for the first query, 1 for each other.
    assert {(row, names[e]) for row, e in exhaustive} == set(listed.items())
    assert len(exhaustive) == 10 + len(QUERIES) - 1
    assert _hits(Screener(index)) == exhaustive


def test_single_query_path_keeps_them_too(index: ScreeningIndex) -> None:
    screener = Screener(index)
    for (query, expected), schema in zip(QUERIES.items(), _queries()["schema"], strict=True):
        hits = screener.match(query, limit=50, schema=schema)
        assert {h.matched_name for h in hits} == {expected}
        assert len(hits) == (10 if expected == "Hassan Tikriti" else 1)


def test_a_memo_computes_each_key_once_and_stays_within_its_bound() -> None:
    computed: list[list[int]] = []

    def double(missing: pl.DataFrame) -> pl.DataFrame:
        computed.append(missing["k"].to_list())
        return missing.with_columns((pl.col("k") * 2).alias("v"))

    memo = _Memo(["k"], max_rows=3)
    assert memo.get(pl.DataFrame({"k": [1, 2]}), double)["v"].to_list() == [2, 4]
    assert memo.get(pl.DataFrame({"k": [3, 2]}), double)["v"].to_list() == [6, 4]
    # A fourth key passes the bound: the memo starts again from this batch, answers whole.
    assert memo.get(pl.DataFrame({"k": [4, 1]}), double)["v"].to_list() == [8, 2]
    assert computed == [[1, 2], [3], [4]]
    assert memo.rows is not None
    assert sorted(memo.rows["k"].to_list()) == [1, 4]


def test_the_listed_words_near_an_unseen_word_are_found_once(index: ScreeningIndex) -> None:
    """An unseen query word's near listed words are found with its weight (it borrows the
    weight of the nearest) and kept for blocking, not found again; both agree with
    ``_similar``."""
    tables = index_tables(index)
    cache = QueryCache(tables=tables)
    fresh = cache.fresh_tokens(pl.Series(["chahlaee"]), 0.72)
    assert cache.similar.rows is not None
    kept = cache.similar.rows.height
    words = fresh.select(
        pl.lit(0, dtype=pl.UInt32).alias("wid"), "token", "keys", pl.lit(value=False).alias("glued")
    )
    found = cache.similar_words(words, tables, 0.72)
    assert cache.similar.rows.height == kept
    direct = _similar(words.select("wid", "token", "keys"), tables, 0.72)
    assert sorted(found.select("ctid", "sim").rows()) == sorted(direct.select("ctid", "sim").rows())
    shahlai = index.token_info.filter(pl.col("token") == "shahlai")
    assert int(shahlai["tid"][0]) in found["ctid"].to_list()
    assert fresh["weight"].to_list() == shahlai["weight"].to_list()


def _common_word_index(seed: int, common: str, listed: str, schema: str) -> ScreeningIndex:
    """1,000 names of made-up words, 300 of them holding ``common`` (so it is a common word),
    and ``listed`` (entity "x")."""
    rng = random.Random(seed)
    rows = [(f"f{i}", f"{_word(rng)} {_word(rng)}") for i in range(700)]
    rows += [(f"c{i}", f"{_word(rng)} {common}") for i in range(300)]
    rows += [("x", listed)]
    frame = pl.DataFrame(rows, schema=["entity_id", "name"], orient="row")
    return index_from_names(frame.with_columns(
        pl.lit(schema).alias("schema"), pl.lit("test").alias("list_id"),
        pl.lit("primary").alias("kind"),
    ))


def _only_hit_everywhere(index: ScreeningIndex, name: str, schema: str) -> None:
    """Exhaustive scoring, the batch path and the fast path all find entity "x" alone."""
    query = pl.DataFrame({"name": [name], "schema": [schema]})
    for screener in (Screener(index, blocking=False), Screener(index), Screener(index, fast=False)):
        assert screener.screen(query, limit=None)["entity_id"].to_list() == ["x"]


def test_listed_initials_pair_with_a_common_word() -> None:
    """"N.A.B. Expart Co." holds initials and one common word ("export": a third of the
    names hold it), so no word of it creates candidates; the listed name's initials pair with
    its common word (i2: keys), as the query's do."""
    index = _common_word_index(5, "Export", "N.A.B. Export Co.", "Organization")
    _only_hit_everywhere(index, "N.A.B. Expart Co.", "Organization")


def test_a_name_holding_one_common_word_twice_meets_its_misspelling() -> None:
    """"Abdullah Abdullah" is one common word twice: no word of it creates candidates, and
    two different common words make no pair. The word twice is a pair of its own, so
    "Abdullah Adbullah" (both query words resemble it) still meets it on both paths."""
    index = _common_word_index(7, "Abdullah", "Abdullah Abdullah", "Person")
    _only_hit_everywhere(index, "Abdullah Adbullah", "Person")


def test_a_reordered_name_with_its_given_name_split_is_found() -> None:
    """"Zhang" is a common word; "Xiu Ying" glued meets "Xiuying", and the rotated whole name
    scores the pair on every path."""
    index = _common_word_index(11, "Zhang", "Zhang Xiuying", "Person")
    _only_hit_everywhere(index, "Xiu Ying Zhang", "Person")


def test_a_name_spelt_as_the_query_rotated_is_found() -> None:
    """"Bank Sber" is "Sberbank" with its halves swapped and split: no word of it meets the
    listed word, the rotated spelling's key does, on every path."""
    index = _common_word_index(13, "Holding", "Sberbank", "Organization")
    _only_hit_everywhere(index, "Bank Sber", "Organization")


def test_a_name_the_other_query_words_cannot_meet_is_no_candidate(index: ScreeningIndex) -> None:
    """"Tomasz Jan Radic" meets "Miroslav Radic" through "radic" alone. Its other words share
    no key with a word of the name, so they stay unaligned and the pair cannot reach the reach
    test's score: blocking drops it, and exhaustive scoring agrees. "Miroslav Jan Radic" stays
    a candidate."""
    algorithm = Screener(index).algorithm
    queries = pl.DataFrame({
        "qid": [0, 1], "name": ["Tomasz Jan Radic", "Miroslav Jan Radic"],
        "schema": ["Person", "Person"],
    })
    names, tokens = query_tables(queries, index)
    min_score = algorithm.threshold - 0.15
    found = candidates(
        names, tokens, index, algorithm.max_candidates, algorithm.token_floor, min_score,
        sure_score=algorithm.threshold, algorithm=algorithm,
    )
    radic = index.names.join(index.entities.filter(pl.col("entity_id") == "r1"), on="entity_id")
    met = found.filter(pl.col("name_id").is_in(radic["name_id"].implode()))["qid"].to_list()
    assert met == [1]
    exhaustive = Screener(index, blocking=False).screen(
        queries.select("name", "schema"), threshold=0.3, limit=None
    ).filter(pl.col("entity_id") == "r1")
    scores = dict(exhaustive.select("row", "score").iter_rows())
    assert scores.get(0, 0.0) < min_score
    assert scores[1] >= algorithm.threshold


def _expansion(
    words: list[tuple[int, str, float, dict[int, float]]], q_total: float
) -> tuple[float, bool]:
    """expanded_w and whether the query is covered (``_covered``) for one query of ``words``
    (pos, token, weight, similar listed token ids) at min_score 0.6, on the batch path."""
    blocking = pl.DataFrame(
        [(0, pos, token, weight, False, wid) for wid, (pos, token, weight, _) in enumerate(words)],
        schema={"qid": pl.UInt32, "pos": pl.Int64, "token": pl.Utf8, "weight": pl.Float64,
                "glued": pl.Boolean, "wid": pl.UInt32},
        orient="row",
    )
    similar = pl.DataFrame(
        [(wid, ctid, sim) for wid, (_, _, _, found) in enumerate(words)
         for ctid, sim in found.items()],
        schema={"wid": pl.UInt32, "ctid": pl.UInt32, "sim": pl.Float64}, orient="row",
    )
    fanout = similar.select("ctid").unique().with_columns(pl.lit(3, dtype=pl.UInt32).alias("len"))
    totals = pl.DataFrame({"qid": [0], "q_total": [q_total]}, schema_overrides={"qid": pl.UInt32})
    expand = _expansion_tokens(
        blocking, similar, pl.Series([], dtype=pl.UInt32), similar["wid"].unique(), fanout,
        totals, 0.6,
    )
    expanded_w = expand["expanded_w"].max()
    assert isinstance(expanded_w, float)
    return expanded_w, _covered(_limits(expand, totals), 0.6).height == 1


def test_a_word_resembling_no_listed_word_covers_its_weight(index: ScreeningIndex) -> None:
    """The reach test counts a query word it did not expand as met. A word that resembles no
    listed word meets no name: it is expanded for free, so "Zubrowka" in "Zubrowka Radic" (and
    two common words) leaves "radic" to carry the query, on both paths; common words alone
    then lead to no name ("covered")."""
    radic = int(index.token_info.filter(pl.col("token") == "radic")["tid"][0])
    alone = [(1, "radic", 1.0, {radic: 1.0})]
    both = [(0, "zubrowka", 1.0, {}), *alone]
    assert _expansion(alone, 2.6) == (1.0, False)
    assert _expansion(both, 2.6) == (2.0, True)
    path = fast_path(Screener(index))
    for words, covered in ((alone, False), (both, True)):
        query = [Word(pos, token, weight, [], glued=False, similar=found)
                 for pos, token, weight, found in words]
        names, flag = path._expanded(query, 2.6, 0.6)
        assert flag is covered
        assert names
        assert {int(n) for n in names} <= set(
            index.tokens.filter(pl.col("tid") == radic)["name_id"].to_list()
        )


def test_a_hidden_word_is_not_counted_twice() -> None:
    """A hidden word (it also resembles a busy listed word, which is never expanded) is counted
    as met by the reach test whatever the name holds. What it meets in a name must not count
    once more: "Wang Zhou" (both weighing 1) reaches "Wong Li" only through "wang" ~ "wong",
    which leaves "zhou" unmet, so "Wong Li" is no candidate at 0.6; "Zhou Bo" is. Both paths."""
    rng = random.Random(5)
    rows = [(f"w{i}", f"Wang {_word(rng)}") for i in range(MAX_TOKEN_NAMES + 10)]
    rows += [("o1", "Wong Li"), ("z1", "Zhou Bo")]
    index = index_from_names(
        pl.DataFrame(rows, schema=["entity_id", "name"], orient="row").with_columns(
            pl.lit("Person").alias("schema"), pl.lit("test").alias("list_id"),
            pl.lit("primary").alias("kind"),
        )
    )
    tid = {t: int(index.token_info.filter(pl.col("token") == t)["tid"][0])
           for t in ("wang", "wong", "zhou")}
    name_of = dict(zip(index.names["name_id"].to_list(), index.names["entity_id"].to_list(),
                       strict=True))
    words = [(0, "wang", {tid["wang"]: 1.0, tid["wong"]: 0.9}), (1, "zhou", {tid["zhou"]: 1.0})]
    tables = index_tables(index)
    blocking = pl.DataFrame(
        [(0, pos, token, 1.0, False, wid) for wid, (pos, token, _) in enumerate(words)],
        schema={"qid": pl.UInt32, "pos": pl.Int64, "token": pl.Utf8, "weight": pl.Float64,
                "glued": pl.Boolean, "wid": pl.UInt32},
        orient="row",
    )
    similar = pl.DataFrame(
        [(wid, ctid, sim) for wid, (_, _, near) in enumerate(words) for ctid, sim in near.items()],
        schema={"wid": pl.UInt32, "ctid": pl.UInt32, "sim": pl.Float64}, orient="row",
    )
    expandable = similar.join(tables.busy, on="ctid", how="anti")
    totals = pl.DataFrame({"qid": [0], "q_total": [2.0]}, schema_overrides={"qid": pl.UInt32})
    expand = _expansion_tokens(
        blocking, expandable, pl.Series([0], dtype=pl.UInt32), similar["wid"].unique(),
        tables.fanout, totals, 0.6,
    )
    found = _expanded_names(expand, expandable, tables, _limits(expand, totals), 0.6)
    batch = {name_of[n] for n in found.select(_pair_name())["name_id"].to_list()}
    query = [Word(pos, token, 1.0, [], glued=False, similar=near) for pos, token, near in words]
    fast, _ = fast_path(Screener(index))._expanded(query, 2.0, 0.6)
    assert batch == {name_of[n] for n in fast} == {"z1"}


@pytest.mark.parametrize(
    "batch",
    [[], ["Qwxzvq Pqrstj"], ["LLC"], ["LLC", "Qwxzvq Pqrstj"], ["LLC", "Miroslav Radic"]],
)
def test_a_batch_meeting_few_or_no_names_gives_their_candidates_only(
    index: ScreeningIndex, batch: list[str]
) -> None:
    """Empty batches, names meeting no listed word and names of a legal form alone (no word
    for the known score to weigh) go through the compiled loops without a pair to score."""
    algorithm = Screener(index).algorithm
    queries = pl.DataFrame(
        {"qid": range(len(batch)), "name": batch, "schema": ["Person"] * len(batch)},
        schema={"qid": pl.UInt32, "name": pl.Utf8, "schema": pl.Utf8},
    )
    names, tokens = query_tables(queries, index)
    found = candidates(
        names, tokens, index, algorithm.max_candidates, algorithm.token_floor,
        algorithm.threshold - 0.15, sure_score=algorithm.threshold, algorithm=algorithm,
    )
    radic = index.names.join(index.entities.filter(pl.col("entity_id") == "r1"), on="entity_id")
    met = found.join(radic, on="name_id")["qid"].unique().to_list()
    assert met == ([1] if "Miroslav Radic" in batch else [])
    assert set(found["qid"].to_list()) <= ({1} if "Miroslav Radic" in batch else set())
