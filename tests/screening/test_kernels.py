"""The compiled blocking loops against plain Python written from their definitions."""

from __future__ import annotations

import math
from collections import defaultdict

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from screening.kernels import (
    PAIR,
    Charges,
    Csr,
    MetWords,
    NameTokens,
    known_scores,
    name_block_sums,
    reached_names,
)

N_NAMES = 6
N_TOKENS = 8
N_QUERIES = 4

weights = st.sampled_from([0.0, 0.1, 0.25, 0.5, 0.7, 1.0])
name_tokens = st.sets(  # (name_id, ctid)
    st.tuples(st.integers(0, N_NAMES - 1), st.integers(0, N_TOKENS - 1)), max_size=20
)
token_weights = st.lists(weights, min_size=N_TOKENS, max_size=N_TOKENS)  # by ctid
met_rows = st.lists(  # (qid, ctid, pos, sim, weight, initial, long)
    st.tuples(
        st.integers(0, N_QUERIES - 1), st.integers(0, N_TOKENS - 1), st.integers(0, 3),
        st.sampled_from([0.75, 0.8, 0.9, 1.0]), weights, st.booleans(), st.booleans(),
    ),
    max_size=25,
)
pair_sets = st.sets(st.tuples(st.integers(0, N_QUERIES - 1), st.integers(0, N_NAMES - 1)))


def _names_csr(rows: set[tuple[int, int]]) -> NameTokens:
    ordered = sorted(rows)
    return NameTokens.build(
        np.array([r[0] for r in ordered], dtype=np.uint32), N_NAMES,
        np.array([r[1] for r in ordered], dtype=np.uint32),
    )


def _met(
    rows: list[tuple[int, int, int, float, float, bool, bool]], cw: list[float]
) -> MetWords:
    def column(i: int, dtype: type) -> np.ndarray:
        return np.array([r[i] for r in rows], dtype=dtype)

    return MetWords(
        qid=column(0, np.uint32), ctid=column(1, np.uint32), pos=column(2, np.int64),
        part=column(3, np.float64) * column(4, np.float64), weight=column(4, np.float64),
        initial=column(5, np.bool_), long=column(6, np.bool_),
        cw=np.array([cw[r[1]] for r in rows], dtype=np.float64),
    )


def _sorted_pairs(pairs: set[tuple[int, int]]) -> np.ndarray:
    return np.array(sorted(q * PAIR + n for q, n in pairs), dtype=np.uint64)


def reference_sums(
    pairs: list[tuple[int, int]], names: set[tuple[int, int]],
    met: list[tuple[int, int, int, float, float, bool, bool]], cw: list[float],
) -> list[tuple[float, float, float, int, float, float]]:
    """Per pair: each position met through a token of the name takes the best part, least
    weight, any initial, any long word and heaviest list token; summed over positions."""
    out = []
    for qid, name_id in pairs:
        at: dict[int, list[tuple[float, float, bool, bool, float]]] = defaultdict(list)
        for n, ctid in names:
            if n != name_id:
                continue
            for q, c, pos, sim, weight, initial, long in met:
                if q == qid and c == ctid:
                    at[pos].append((sim * weight, weight, initial, long, cw[ctid]))
        sums = [0.0, 0.0, 0.0, 0, 0.0, 0.0]
        for rows in at.values():
            part = max(r[0] for r in rows)
            weight = min(r[1] for r in rows)
            initial = any(r[2] for r in rows)
            long = any(r[3] for r in rows)
            sums[0] += part
            sums[1] += weight
            sums[2] += weight if initial else 0.0
            sums[3] += 1 if initial and weight > 0 else 0
            sums[4] += weight if long else 0.0
            sums[5] += max(r[4] for r in rows)
        out.append((sums[0], sums[1], sums[2], int(sums[3]), sums[4], sums[5]))
    return out


@settings(max_examples=150, deadline=None)
@given(names=name_tokens, cw=token_weights, met=met_rows, pairs=pair_sets)
def test_block_sums_take_the_best_of_each_position(
    names: set[tuple[int, int]], cw: list[float],
    met: list[tuple[int, int, int, float, float, bool, bool]], pairs: set[tuple[int, int]],
) -> None:
    got = name_block_sums(_sorted_pairs(pairs), _names_csr(names), _met(met, cw), N_QUERIES,
                          N_TOKENS)
    expected = reference_sums(sorted(pairs), names, met, cw)
    assert len(got[0]) == len(expected)
    for i, row in enumerate(expected):
        assert np.allclose([column[i] for column in got], row, rtol=0, atol=1e-12)


def test_block_sums_of_a_name_holding_two_tokens_a_word_resembles() -> None:
    # Query word 0 (weight 0.5) resembles both tokens of the name, at 0.8 and 1.0: the
    # position counts once, with its best part and the heavier list token.
    cw = [0.0, 0.3, 0.6, 0.0, 0.0, 0.0, 0.0, 0.0]
    met = [(0, 1, 0, 0.8, 0.5, False, False), (0, 2, 0, 1.0, 0.5, False, False)]
    got = name_block_sums(_sorted_pairs({(0, 0)}), _names_csr({(0, 1), (0, 2)}),
                          _met(met, cw), 1, N_TOKENS)
    assert [float(c[0]) for c in got] == [0.5, 0.5, 0.0, 0, 0.0, 0.6]


def test_block_sums_meet_every_token_of_a_long_name() -> None:
    # Name 0 holds tokens 1-6, more than a head row keeps: the query meets its last one.
    cw = [0.0, 0.1, 0.1, 0.1, 0.1, 0.1, 0.4, 0.0]
    met = [(0, 6, 0, 1.0, 0.5, False, False)]
    got = name_block_sums(_sorted_pairs({(0, 0)}), _names_csr({(0, t) for t in range(1, 7)}),
                          _met(met, cw), 1, N_TOKENS)
    assert [float(c[0]) for c in got] == [0.5, 0.5, 0.0, 0, 0.0, 0.4]


charges = Charges(unmatched_query=1.0, unmatched_list=0.25, initial_sim=0.8, unseen_sim=0.8)


def reference_known(
    sums: tuple[float, float, float, int, float, float], totals: tuple[float, float, int, float],
    c_total: float, whole: bool, min_score: float,
) -> tuple[bool, float]:
    """blocking's optimistic test and known score, from their definitions."""
    block, seen_w, init_seen_w, n_init_seen, long_seen_w, c_reached = sums
    q_total, init_w, n_init, long_w = totals
    free_init_w = max(init_w - init_seen_w, 0.0)
    if min_score > 0 and not whole:
        unseen_long_w = max(long_w - long_seen_w, 0.0)
        missed_w = max(q_total - seen_w - free_init_w - unseen_long_w, 0.0)
        top = block + 0.8 * free_init_w + 0.8 * unseen_long_w
        bottom = seen_w + free_init_w + unseen_long_w + missed_w
        if _divided(top, bottom) < min_score:  # NaN passes, as Polars orders it above all
            return False, 0.0
    if whole:
        return True, 1.0
    if not q_total > 0:
        return True, 0.0
    free_init = max(n_init - n_init_seen, 0)
    missed_w = max(q_total - seen_w - free_init_w, 0.0)
    reachable = min(c_total, c_reached + free_init)
    bottom = seen_w + free_init_w + missed_w + 0.25 * max(c_total - reachable, 0.0)
    return True, _divided(block + 0.8 * free_init_w, bottom)


def _divided(top: float, bottom: float) -> float:
    """IEEE division: x / 0 is inf, 0 / 0 NaN."""
    if bottom:
        return top / bottom
    return math.inf if top > 0 else math.nan


@settings(max_examples=200, deadline=None)
@given(
    sums=st.tuples(weights, weights, weights, st.integers(0, 2), weights, weights),
    totals=st.tuples(st.sampled_from([0.5, 1.0, 2.0]), weights, st.integers(0, 2), weights),
    c_total=st.sampled_from([0.5, 1.0, 2.0]), whole=st.booleans(),
    min_score=st.sampled_from([0.0, 0.6, 0.8]),
)
def test_known_scores_follow_their_definition(
    sums: tuple[float, float, float, int, float, float], totals: tuple[float, float, int, float],
    c_total: float, whole: bool, min_score: float,
) -> None:
    block, seen_w, init_seen_w, n_init_seen, long_seen_w, c_reached = sums
    keep, known = known_scores(
        np.array([5 * PAIR + 1], dtype=np.uint64),
        (np.array([block]), np.array([seen_w]), np.array([init_seen_w]),
         np.array([n_init_seen], dtype=np.uint32), np.array([long_seen_w]),
         np.array([c_reached])),
        _dense_totals(totals),
        np.array([0.0, c_total]), np.array([whole]), min_score, charges,
    )
    want_keep, want_known = reference_known(sums, totals, c_total, whole, min_score)
    assert bool(keep[0]) == want_keep
    if want_keep:
        assert float(known[0]) == want_known or (math.isnan(want_known) and np.isnan(known[0]))


def _dense_totals(totals: tuple[float, float, int, float]) -> tuple[np.ndarray, ...]:
    """``totals`` as query 5's, queries 0-4 without words."""
    q_total, init_w, n_init, long_w = totals
    floats = [np.array([np.nan] * 5 + [value]) for value in (q_total, init_w, long_w)]
    return floats[0], floats[1], np.array([0] * 5 + [n_init], dtype=np.uint32), floats[2]


def test_a_query_without_words_meets_only_whole_names() -> None:
    keep, known = known_scores(
        np.array([0 * PAIR + 0, 0 * PAIR + 1], dtype=np.uint64),
        tuple(np.array([0.5, 0.5]) for _ in range(6)),
        (np.array([np.nan]), np.array([np.nan]), np.array([0], dtype=np.uint32),
         np.array([np.nan])),
        np.array([1.0, 1.0]), np.array([False, True]), 0.6, charges,
    )
    assert keep.tolist() == [False, True]
    assert known[1] == 1.0


expansions = st.lists(  # (qid, pos, ctid, part)
    st.tuples(st.integers(0, N_QUERIES - 1), st.integers(0, 3), st.integers(0, N_TOKENS - 1),
              st.sampled_from([0.1, 0.3, 0.5, 0.8])),
    max_size=20,
)
carrier_rows = st.sets(st.tuples(st.integers(0, N_TOKENS - 1), st.integers(0, N_NAMES - 1)))


@settings(max_examples=150, deadline=None)
@given(rows=expansions, carriers=carrier_rows, min_score=st.sampled_from([0.0, 0.5, 0.8]),
       expanded=st.sampled_from([0.5, 1.0]), slip=st.sampled_from([0.0, 0.4]))
def test_reached_names_sum_the_best_part_of_each_position(
    rows: list[tuple[int, int, int, float]], carriers: set[tuple[int, int]], min_score: float,
    expanded: float, slip: float,
) -> None:
    rows = sorted(rows, key=lambda r: (r[0], r[1]))
    q_total = np.array([1.0, 1.5, np.nan, 2.0])
    limits = (q_total, np.full(N_QUERIES, expanded), np.full(N_QUERIES, slip))
    carried = sorted(carriers)
    got = reached_names(
        (np.array([r[0] for r in rows], dtype=np.uint32), np.array([r[1] for r in rows]),
         np.array([r[2] for r in rows], dtype=np.uint32), np.array([r[3] for r in rows])),
        Csr.build(np.array([c for c, _ in carried], dtype=np.uint32), N_TOKENS,
                  np.array([n for _, n in carried], dtype=np.uint32)),
        limits, min_score, 0.8, N_NAMES,
    )
    best: dict[tuple[int, int, int], float] = {}
    for qid, pos, ctid, part in rows:
        for c, name in carried:
            if c == ctid:
                best[qid, name, pos] = max(best.get((qid, name, pos), 0.0), part)
    summed: dict[tuple[int, int], float] = defaultdict(float)
    for (qid, name, _), part in best.items():
        summed[qid, name] += part
    expected = {
        qid * PAIR + name for (qid, name), part in summed.items()
        if min_score <= 0
        or part + q_total[qid] - expanded + 0.8 * slip >= min_score * q_total[qid]
    }
    assert sorted(got.tolist()) == sorted(expected)
    assert len(set(got.tolist())) == len(got)
