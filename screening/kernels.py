"""Compiled loops (numba) for blocking's per-pair sums, where a chain of joins and group-bys over
millions of (query, list name, token) rows costs more than the work itself.

Each loop walks one query at a time over compact arrays: the list names' tokens and the rare
tokens' carriers as CSR tables (``Csr``: row r's values are ``values[offsets[r]:offsets[r+1]]``),
and the query side sorted by query. Scratch arrays indexed by name or by position are reset
after each use, so the work stays proportional to the rows touched.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numba
import numpy as np

# A (qid, name_id) pair as one integer: qid * PAIR + name_id (both are 32-bit ids).
PAIR = 1 << 32


@dataclass(frozen=True, slots=True)
class Csr:
    """Rows of values grouped by a dense row id: row r holds values[offsets[r]:offsets[r+1]]."""

    offsets: np.ndarray  # int64, one more than the rows
    values: tuple[np.ndarray, ...]

    @classmethod
    def build(cls, rows: np.ndarray, n_rows: int, *values: np.ndarray) -> Csr:
        """Group ``values`` by ``rows`` (ids below ``n_rows``)."""
        order = np.argsort(rows, kind="stable")
        counts = np.bincount(rows, minlength=n_rows)
        offsets = np.zeros(n_rows + 1, dtype=np.int64)
        np.cumsum(counts, out=offsets[1:])
        return cls(offsets, tuple(np.ascontiguousarray(v[order]) for v in values))


# Tokens of a name kept beside their count, in one 16-byte row (see NameTokens).
HEAD_TOKENS = 3


@dataclass(frozen=True, slots=True)
class NameTokens:
    """The distinct tokens (ctid) of each name (by name_id): all in ``rows``, and each name's
    count and first HEAD_TOKENS in one row of ``head``. Blocking reads the tokens of millions
    of names in no order: most names are read in one memory access instead of two."""

    head: np.ndarray  # uint32 (names, 1 + HEAD_TOKENS): count, then the first tokens
    rows: Csr

    @classmethod
    def build(cls, name_id: np.ndarray, n_names: int, ctid: np.ndarray) -> NameTokens:
        rows = Csr.build(name_id, n_names, ctid.astype(np.uint32))
        counts = np.diff(rows.offsets)
        head = np.zeros((n_names, 1 + HEAD_TOKENS), dtype=np.uint32)
        head[:, 0] = counts
        for k in range(HEAD_TOKENS):
            held = counts > k
            head[held, 1 + k] = rows.values[0][rows.offsets[:-1][held] + k]
        return cls(head, rows)


def _jit(function: Any) -> Any:
    # IEEE division (x / 0 is inf, 0 / 0 NaN), as in Polars expressions.
    return numba.njit(cache=True, nogil=True, error_model="numpy")(function)


@_jit
def _by_query(qid: np.ndarray, n_queries: int) -> tuple[np.ndarray, np.ndarray]:
    """Row order grouping rows by query (a counting sort) and each query's offsets in it."""
    offsets = np.zeros(n_queries + 1, dtype=np.int64)
    for q in qid:
        offsets[q + 1] += 1
    for q in range(n_queries):
        offsets[q + 1] += offsets[q]
    filled = offsets[:-1].copy()
    order = np.empty(qid.shape[0], dtype=np.int64)
    for r in range(qid.shape[0]):
        order[filled[qid[r]]] = r
        filled[qid[r]] += 1
    return order, offsets


@_jit
def _name_block_sums(
    pairs: np.ndarray, head: np.ndarray, name_offsets: np.ndarray, name_ctid: np.ndarray,
    met_qid: np.ndarray, met_ctid: np.ndarray, met_pos: np.ndarray, met_part: np.ndarray,
    met_weight: np.ndarray, met_initial: np.ndarray, met_long: np.ndarray, met_cw: np.ndarray,
    n_queries: int, n_tokens: int,
) -> tuple[np.ndarray, ...]:
    """``pairs`` sorted (by query first)."""
    n = pairs.shape[0]
    block_score = np.zeros(n)
    seen_w = np.zeros(n)
    init_seen_w = np.zeros(n)
    n_init_seen = np.zeros(n, dtype=np.uint32)
    long_seen_w = np.zeros(n)
    c_reached = np.zeros(n)
    max_pos = met_pos.max() if met_pos.shape[0] else 0
    best = np.full(max_pos + 1, -1.0)
    lightest = np.zeros(max_pos + 1)
    initial = np.zeros(max_pos + 1, dtype=np.bool_)
    long = np.zeros(max_pos + 1, dtype=np.bool_)
    heaviest = np.zeros(max_pos + 1)
    touched = np.empty(max_pos + 1, dtype=np.int64)
    order, offsets = _by_query(met_qid, n_queries)
    # For the current query only: the first met row of each listed token, and the next row
    # of the same token after each row.
    first = np.full(n_tokens, -1, dtype=np.int64)
    following = np.full(met_qid.shape[0], -1, dtype=np.int64)
    current = np.int64(-1)
    for i in range(n):
        qid = np.int64(pairs[i] >> 32)
        name_id = pairs[i] & 0xFFFFFFFF
        if qid != current:
            if current >= 0:
                for k in range(offsets[current], offsets[current + 1]):
                    first[met_ctid[order[k]]] = -1
            current = qid
            for k in range(offsets[qid], offsets[qid + 1]):
                r = order[k]
                following[r] = first[met_ctid[r]]
                first[met_ctid[r]] = r
        n_touched = 0
        for k in range(head[name_id, 0]):
            if k < HEAD_TOKENS:
                a = first[head[name_id, 1 + k]]
            else:
                a = first[name_ctid[name_offsets[name_id] + k]]
            while a >= 0:
                pos = met_pos[a]
                if best[pos] < 0:
                    touched[n_touched] = pos
                    n_touched += 1
                    best[pos] = met_part[a]
                    lightest[pos] = met_weight[a]
                    initial[pos] = met_initial[a]
                    long[pos] = met_long[a]
                    heaviest[pos] = met_cw[a]
                else:
                    best[pos] = max(best[pos], met_part[a])
                    lightest[pos] = min(lightest[pos], met_weight[a])
                    initial[pos] = initial[pos] or met_initial[a]
                    long[pos] = long[pos] or met_long[a]
                    heaviest[pos] = max(heaviest[pos], met_cw[a])
                a = following[a]
        for k in range(n_touched):
            pos = touched[k]
            block_score[i] += best[pos]
            seen_w[i] += lightest[pos]
            if initial[pos]:
                init_seen_w[i] += lightest[pos]
                if lightest[pos] > 0:
                    n_init_seen[i] += 1
            if long[pos]:
                long_seen_w[i] += lightest[pos]
            c_reached[i] += heaviest[pos]
            best[pos] = -1.0
    return block_score, seen_w, init_seen_w, n_init_seen, long_seen_w, c_reached


@dataclass(frozen=True, slots=True)
class MetWords:
    """The query words blocking met, per (query, listed token they resemble): one row each,
    with the query position, its part (weight x similarity), its weight, whether the word
    is an initial or long, and the listed token's weight (cw)."""

    qid: np.ndarray
    ctid: np.ndarray
    pos: np.ndarray
    part: np.ndarray
    weight: np.ndarray
    initial: np.ndarray
    long: np.ndarray
    cw: np.ndarray


def name_block_sums(
    pairs: np.ndarray, name_tokens: NameTokens, met: MetWords, n_queries: int, n_tokens: int
) -> tuple[np.ndarray, ...]:
    """Per (qid, name_id) pair of ``pairs`` (uint64, distinct and sorted): the sums blocking
    ranks it by. ``n_queries`` and ``n_tokens`` bound the qid and ctid of ``met``.

    Each query position takes, of the met rows of the name's tokens (``name_tokens``: ctid
    per name), the best part, the least weight, whether it is an initial or long,
    and the heaviest list token met. (An own word and the glued pair starting at it share a
    position: the own word's weight is the one seen there. A position aligns with one list
    token at most: the heaviest it resembles bounds what it takes of the name.)

    Returned: the sums over positions of part (block_score), weight (seen_w), weight of
    initials (init_seen_w), initials of positive weight (n_init_seen), weight of long words
    (long_seen_w) and heaviest list token (c_reached).
    """
    (name_ctid,) = name_tokens.rows.values
    result: tuple[np.ndarray, ...] = _name_block_sums(
        pairs, name_tokens.head, name_tokens.rows.offsets, name_ctid, met.qid, met.ctid,
        met.pos, met.part, met.weight, met.initial, met.long, met.cw, n_queries, n_tokens,
    )
    return result


@dataclass(frozen=True, slots=True)
class Charges:
    """What the known score charges and assumes (see ``known_scores``)."""

    unmatched_query: float
    unmatched_list: float
    initial_sim: float
    unseen_sim: float


@_jit
def _known_scores(
    pairs: np.ndarray, block_score: np.ndarray, seen_w: np.ndarray, init_seen_w: np.ndarray,
    n_init_seen: np.ndarray, long_seen_w: np.ndarray, c_reached: np.ndarray,
    q_total: np.ndarray, init_w: np.ndarray, n_init: np.ndarray, long_w: np.ndarray,
    c_total: np.ndarray, whole: np.ndarray, min_score: float, unmatched_query: float,
    unmatched_list: float, initial_sim: float, unseen_sim: float,
) -> tuple[np.ndarray, np.ndarray]:
    n = pairs.shape[0]
    keep = np.zeros(n, dtype=np.bool_)
    known = np.zeros(n)
    for i in range(n):
        qid = np.int64(pairs[i] >> 32)
        name_id = np.int64(pairs[i] & 0xFFFFFFFF)
        total = q_total[qid]
        free_init_w = max(init_w[qid] - init_seen_w[i], 0.0)
        if min_score > 0 and not whole[i]:
            if not total >= 0:
                continue  # a query without words: only whole names may match it
            unseen_long_w = max(long_w[qid] - long_seen_w[i], 0.0)
            missed_w = max(total - seen_w[i] - free_init_w - unseen_long_w, 0.0)
            optimistic = (
                block_score[i] + initial_sim * free_init_w + unseen_sim * unseen_long_w
            ) / (seen_w[i] + free_init_w + unseen_long_w + unmatched_query * missed_w)
            # NaN (a query whose words all weigh 0) passes, as Polars orders NaN above all.
            if optimistic < min_score:
                continue
        keep[i] = True
        if whole[i]:
            known[i] = 1.0
        elif total > 0:
            free_init = max(np.int64(n_init[qid]) - np.int64(n_init_seen[i]), 0)
            missed_w = max(total - seen_w[i] - free_init_w, 0.0)
            reachable = min(c_total[name_id], c_reached[i] + free_init)
            known[i] = (block_score[i] + initial_sim * free_init_w) / (
                seen_w[i] + free_init_w + unmatched_query * missed_w
                + unmatched_list * max(c_total[name_id] - reachable, 0.0)
            )
    return keep, known


def known_scores(
    pairs: np.ndarray, sums: tuple[np.ndarray, ...], totals: tuple[np.ndarray, ...],
    c_total: np.ndarray, whole: np.ndarray, min_score: float, charges: Charges,
) -> tuple[np.ndarray, np.ndarray]:
    """(keep, known) per pair of ``pairs`` with their ``name_block_sums``. ``totals``:
    q_total, init_w, n_init and long_w by qid (NaN for a query without words); ``c_total``
    by name_id; ``whole``: the pairs that may score on the whole name.

    Keep: unless ``min_score`` > 0 and even the optimistic score falls under it. Query words
    that share no key with any word of the name stay unaligned in it, except initials (at
    ``initial_sim``) and long words, which a misspelling may hide from every key (at
    ``unseen_sim``); a whole-name pair is always kept.

    Known: the name score a pair gets if the query words blocking met align as well as they
    can and the others do not, except initials, which may align with any word at
    ``initial_sim`` (1 for a whole-name pair, 0 for a query without words). The list name is
    charged for the weight the positions met cannot take (their heaviest list tokens), less
    one token per free initial. Where every aligning word pair shares a blocking key, this is
    an upper bound of the scorer's token score.
    """
    result: tuple[np.ndarray, np.ndarray] = _known_scores(
        pairs, *sums, *totals, c_total, whole, min_score, charges.unmatched_query,
        charges.unmatched_list, charges.initial_sim, charges.unseen_sim,
    )
    return result


@_jit
def reaches(
    part: Any, q_total: Any, expanded_w: Any, slip_w: Any, min_score: float, unseen_sim: float
) -> Any:
    """The reach test of a name the expanded query words give ``part`` (numbers or arrays):
    the words not expanded all matched, one long word unseen at ``unseen_sim``."""
    return part + q_total - expanded_w + unseen_sim * slip_w >= min_score * q_total


@_jit
def _reached_names(  # rows sorted by qid, then pos
    qid: np.ndarray, pos: np.ndarray, ctid: np.ndarray, part: np.ndarray,
    carrier_offsets: np.ndarray, carrier_names: np.ndarray, q_total: np.ndarray,
    expanded_w: np.ndarray, slip_w: np.ndarray, min_score: float, unseen_sim: float,
    n_names: int,
) -> np.ndarray:
    bound = 0
    for r in range(qid.shape[0]):
        bound += carrier_offsets[ctid[r] + 1] - carrier_offsets[ctid[r]]
    found = np.empty(bound, dtype=np.uint64)
    n_found = 0
    best = np.full(n_names, -1.0)  # of the current position
    total = np.full(n_names, -1.0)  # of the current query
    at_pos = np.empty(n_names, dtype=np.int64)
    in_query = np.empty(n_names, dtype=np.int64)
    n_pos = 0
    n_query = 0
    for r in range(qid.shape[0]):
        for k in range(carrier_offsets[ctid[r]], carrier_offsets[ctid[r] + 1]):
            name = carrier_names[k]
            if best[name] < 0:
                at_pos[n_pos] = name
                n_pos += 1
                best[name] = part[r]
            else:
                best[name] = max(best[name], part[r])
        last = r + 1 == qid.shape[0]
        if last or qid[r + 1] != qid[r] or pos[r + 1] != pos[r]:
            # A position aligns with one word of the name: its best part counts.
            for k in range(n_pos):
                name = at_pos[k]
                if total[name] < 0:
                    in_query[n_query] = name
                    n_query += 1
                    total[name] = 0.0
                total[name] += best[name]
                best[name] = -1.0
            n_pos = 0
        if last or qid[r + 1] != qid[r]:
            q = qid[r]
            for k in range(n_query):
                name = in_query[k]
                if min_score <= 0 or reaches(
                    total[name], q_total[q], expanded_w[q], slip_w[q], min_score, unseen_sim
                ):
                    found[n_found] = (np.uint64(q) << np.uint64(32)) | np.uint64(name)
                    n_found += 1
                total[name] = -1.0
            n_query = 0
    return found[:n_found]


def reached_names(
    rows: tuple[np.ndarray, ...], carriers: Csr, limits: tuple[np.ndarray, ...],
    min_score: float, unseen_sim: float, n_names: int,
) -> np.ndarray:
    """(qid, name_id) pairs (uint64, distinct) of the names that carry a listed token an
    expanded query word resembles and may reach ``min_score``.

    ``rows``: qid, pos, ctid and part (the weight the word covers x its similarity), sorted
    by qid, then pos; ``carriers``: the names carrying each listed token (by ctid);
    ``limits``: q_total, expanded_w and slip_w by qid (NaN for a query without them);
    ``n_names`` bounds the name ids.
    Each position gives a name its best part; the parts summed must pass ``reaches``.
    """
    (names,) = carriers.values
    found: np.ndarray = _reached_names(
        *rows, carriers.offsets, names, *limits, min_score, unseen_sim, n_names
    )
    return found
