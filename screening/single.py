"""Single-query fast path: the batch pipeline's exact result for one query in about a millisecond.

``Screener.screen`` runs some 240 small Polars operations whatever the batch size, which costs
~100 ms for one name. Here the same blocking, scoring, qualifier and explanation rules run in
plain Python over lookup tables built once per index (lazily, cached on the Screener): the rules'
constants and helpers are imported from the engine modules, never copied, and
tests/screening/test_single.py checks hit for hit that both paths agree.

Where the batch path's own result depends on row order (ties it breaks arbitrarily) or takes a
rare branch, the fast path declines (returns None) and the caller runs the batch path.
"""

from __future__ import annotations

import functools
import re
import threading
from array import array
from collections import deque
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from itertools import pairwise
from typing import Any

import numpy as np
import polars as pl
from rapidfuzz.distance import OSA, JaroWinkler, Levenshtein
from rapidfuzz.process import cdist

from screening.algorithms import Algorithm
from screening.blocking import (
    BORROW_SIM,
    SLIP_MIN_LETTERS,
    UNSEEN_SIM,
    may_reach_floor,
    short_name_words,
)
from screening.explain import _explain_one
from screening.index import (
    MAX_TOKEN_NAMES,
    PREFIX_LETTERS,
    SLIP_PREFIX,
    SLIP_SPELLING_MIN_LETTERS,
    SPELLING_MIN_LETTERS,
    ScreeningIndex,
    clean_identifier,
    pairing_words,
)
from screening.keys import WIDE_PREFIXES, token_keys
from screening.legal_words import is_form_slip
from screening.nicknames import NICKNAME_SIM, are_nicknames
from screening.normalise import bare_names, is_bare, name_tokens
from screening.qualifiers import birth_date_qualifier, country_qualifier, schema_adjustment
from screening.scoring import (
    FAR_SHORT_SIM,
    FOLDED_MIN_LEN,
    FOLDED_VOWEL_SIM,
    INITIAL_SIM,
    INITIAL_WEIGHT,
    JOINED_MIN_SIM,
    MAX_ROUNDS,
    ONE_EDIT_MIN_LEN,
    ONE_EDIT_SIM,
    RARE_WEIGHT,
    SHORT_WORD_MAX_LEN,
    STEM_PENALTY,
    TRUNCATED_MIN_CHARS,
    TRUNCATED_MIN_LETTERS,
    TRUNCATED_SCORE,
    folded_bar,
    other_units,
    rotated_spellings,
    same_sounds,
    sounds_apart,
    starts_other,
)
from screening.screener import (
    _MAX_BONUS,
    _REACH_SLACK,
    OTHER_READING,
    UNTYPED,
    Hit,
    Screener,
    query_frame,
)
from screening.variants import canonical_token, is_common

# Weights blocking.query_tables gives tokens the index has never seen: common words, others.
# (No named constant exists there; the equivalence tests fail if these drift.)
_FRESH_COMMON_WEIGHT = 0.3
_FRESH_WEIGHT = 1.0
# Salt of the second hash that, with the first, stands for a blocking key.
_SALT = "\x1f"
_NON_DIGIT = re.compile(r"\D")
_INITIAL = re.compile(r"[a-z]")
# The whitespace Polars' str.strip_chars removes (Unicode White_Space).
_WHITESPACE = (
    "\t\n\x0b\x0c\r \x85\xa0\u1680\u2000\u2001\u2002\u2003\u2004\u2005\u2006\u2007\u2008"
    "\u2009\u200a\u2028\u2029\u202f\u205f\u3000"
)
_ATTR = "_single_query_path"
# blocking.candidates looks query words this long up as two listed words glued.
_JOINED_MIN_LEN = 6
_BUILD_LOCK = threading.Lock()
# Words whose similar list words FastPath keeps (a few hundred bytes each).
_SIMILAR_CACHE_SIZE = 1 << 16
# Candidate names from which blocking's scores and cut are taken with numpy (for fewer, numpy's
# cost per call is more than the plain loops').
_VECTOR_MIN_NAMES = 32
# Wide-key words from which _close_enough scores with one cdist per scorer (for fewer, a cdist
# call's fixed cost is more than the scalar calls').
_CDIST_MIN_CHOICES = 24
# (word, list token) similarities FastPath keeps (see FastPath._sims_of).
_SIMS_CACHE_SIZE = 1 << 18
# Index rows (entities, names) FastPath keeps for the hits it builds.
_ROW_CACHE_SIZE = 1 << 14


class DeclinedError(Exception):
    """The batch path breaks a tie by row order here: let it answer."""


# -- scalar forms of the scoring rules -----------------------------------------------------------


# A query meets the same listed words again and again (in its candidates, and in the next
# queries): the API spent a fifth of its screening time recomputing pairs it had seen.
@functools.lru_cache(maxsize=1 << 18)
def token_sim(left: str, right: str, left_canon: str, right_canon: str) -> float:
    """scoring.token_similarity for one pair."""
    if left == right:
        return 1.0
    # str.isdecimal is re's \d+ (Unicode category Nd, at least one character), checked over
    # every code point, at a sixth of the cost.
    if left.isdecimal() or right.isdecimal():
        return 0.0
    if left_canon != right_canon and other_units(left, right):
        return 0.0
    # One OSA pass: its similarity is 1 - distance / longer length, as rapidfuzz computes it.
    edits = OSA.distance(left, right)
    osa = 1.0 - edits / max(len(left), len(right))
    sim = (JaroWinkler.normalized_similarity(left, right) + osa) / 2
    prefixed = starts_other(left, right)
    if prefixed and abs(len(left) - len(right)) >= 2:
        sim = sim * STEM_PENALTY
    shortest = min(len(left), len(right))
    if shortest >= ONE_EDIT_MIN_LEN and edits == 1:
        sim = max(sim, ONE_EDIT_SIM)
    if len(left) == 1 and len(right) > 1 and right.startswith(left):
        sim = max(sim, INITIAL_SIM)
    if left_canon != right_canon and (left_canon != left or right_canon != right):
        sim = max(sim, folded_sim(left_canon, right_canon))
    if (
        sim > FAR_SHORT_SIM and edits >= 2 and shortest <= SHORT_WORD_MAX_LEN and not prefixed
        and sounds_apart(left, right)
    ):
        sim = FAR_SHORT_SIM
    if are_nicknames(left, right, left_canon, right_canon):
        sim = max(sim, NICKNAME_SIM)
    if left_canon == right_canon:
        sim = max(sim, 0.95)
    return sim


def folded_sim(left: str, right: str) -> float:
    """The similarity of two different variant-group forms under the FOLDED_MIN_SIM and
    FOLDED_VOWEL_SIM rules (scoring._folded_raised), 0 where they do not hold."""
    if min(len(left), len(right)) < FOLDED_MIN_LEN or not same_sounds(left, right):
        return 0.0
    longest = max(len(left), len(right))
    # The mean with Jaro-Winkler (at most 1) stays under the bar past this many edits.
    most_edits = int(longest * (2 - 2 * FOLDED_VOWEL_SIM) + 1e-9)  # 1e-9: float slack
    edits = OSA.distance(left, right, score_cutoff=most_edits)
    if edits > most_edits:
        return 0.0
    osa = 1.0 - edits / longest
    sim = (JaroWinkler.normalized_similarity(left, right) + osa) / 2
    if starts_other(left, right) and abs(len(left) - len(right)) >= 2:
        sim = sim * STEM_PENALTY
    return sim if sim >= folded_bar(left, right) else 0.0


# token_sim itself, for the callers that keep its answers by list token id (FastPath._sims_of):
# cheaper than the LRU cache's key of four strings and its bookkeeping, which cost as much as
# the function itself on the pairs a query meets for the first time.
_token_sim_uncached: Callable[[str, str, str, str], float] = token_sim.__wrapped__


def joined_sim(left: str, right: str) -> float:
    """scoring.joined_similarity for one pair (before the algorithm's factor)."""
    if len(left) < 6 or _digits(left) != _digits(right):
        return 0.0
    sim = float(Levenshtein.normalized_similarity(left, right))
    return sim if sim >= JOINED_MIN_SIM else 0.0


@functools.lru_cache(maxsize=1 << 16)
def _digits(text: str) -> str:
    """The digits of a name (joined_sim compares them for every candidate)."""
    return _NON_DIGIT.sub("", text)


def initial_weight(token: str, weight: float) -> float:
    """scoring.initial_weight for one token."""
    return min(weight, INITIAL_WEIGHT) if _INITIAL.fullmatch(token) else weight


# -- per-index lookup tables ---------------------------------------------------------------------


def _hashes(keys: Sequence[str]) -> tuple[np.ndarray, np.ndarray]:
    """Two independent 64-bit hashes of each key (Python's string hash, salted)."""
    first = np.fromiter((hash(k) for k in keys), dtype=np.int64, count=len(keys))
    second = np.fromiter((hash(_SALT + k) for k in keys), dtype=np.int64, count=len(keys))
    return first, second


@dataclass(slots=True)
class _KeyTable:
    """key -> ids through two 64-bit hashes of the key: the distinct keys sorted by the first,
    where the keys of each bucket (the first hash's top bits) start, and each key's ids as a run
    of one array. A bucket holds one or two keys: a query's few dozen keys are found in plain
    Python, where numpy's binary search over the million rows cost a call's fixed price and a
    cache miss at nearly every step."""

    # by key, then an end row: first hash, second hash, where its ids start in ``ids``; one row
    # of three is one cache line to fetch
    records: memoryview
    ids: memoryview
    starts: memoryview  # by bucket, then the end: its first key
    shift: int  # a hash's bucket is (hash >> shift) + half: the buckets keep the keys' order
    half: int

    @classmethod
    def build(cls, keys: pl.Series, ids: pl.Series) -> _KeyTable:
        first, second = _hashes(keys.to_list())
        # by hash, each key's ids in their order (lexsort is stable)
        order = np.lexsort((second, first))
        first, second = first[order], second[order]
        new_key = np.ones(len(first), dtype=np.bool_)
        new_key[1:] = (first[1:] != first[:-1]) | (second[1:] != second[:-1])
        heads = np.flatnonzero(new_key)
        records = np.zeros((len(heads) + 1, 3), dtype=np.int64)
        records[:-1, 0], records[:-1, 1] = first[heads], second[heads]
        records[:, 2] = np.append(heads, len(first))
        bits = max(len(heads).bit_length() - 1, 1)
        shift, half = 64 - bits, 1 << (bits - 1)
        buckets = (first[heads] >> shift) + half
        starts = np.searchsorted(buckets, np.arange((1 << bits) + 1)).astype(np.int64)
        return cls(
            records.reshape(-1).data, ids.to_numpy()[order].data, starts.data, shift, half
        )

    def lookup(self, keys: Iterable[str]) -> list[list[int]]:
        """The ids of each key, in the order they were given."""
        records, ids, starts, shift, half = (
            self.records, self.ids, self.starts, self.shift, self.half
        )
        out: list[list[int]] = []
        for key in keys:
            found: list[int] = []
            head = hash(key)
            bucket = (head >> shift) + half
            row, end = 3 * starts[bucket], 3 * starts[bucket + 1]
            while row < end:
                if records[row] == head and records[row + 1] == hash(_SALT + key):
                    found = ids[records[row + 2] : records[row + 5]].tolist()
                    break
                row += 3
            out.append(found)
        return out


def _csr(groups: pl.Series, values: pl.Series, size: int) -> tuple[array[int], array[int]]:
    """Offsets and values of a group -> values table (groups already sorted)."""
    counts = np.bincount(groups.to_numpy().astype(np.int64), minlength=size)
    offsets = np.concatenate([[0], np.cumsum(counts)]).astype(np.int64)
    return array("q", offsets.tolist()), array("I", values.to_numpy().astype(np.uint32).tolist())


def _name_totals(offsets: np.ndarray, tids: np.ndarray, weights: np.ndarray) -> np.ndarray:
    """Each name's token weights summed one after the other in their order, as a Python loop
    (and the batch path) adds them: one vectorised pass per token rank."""
    lengths = np.diff(offsets)
    totals = np.zeros(len(lengths), dtype=np.float64)
    for rank in range(int(lengths.max(initial=0))):
        longer = np.flatnonzero(lengths > rank)
        totals[longer] += weights[tids[offsets[longer] + rank]]
    return totals


@dataclass(frozen=True, slots=True)
class _ShortWords:
    """The words of short names with one initial (blocking.short_name_words): distinct token
    ids, their tokens and variant groups, and the names carrying each (``offsets`` into
    ``names``)."""

    tids: np.ndarray
    token: list[str]
    length: np.ndarray  # of each token
    canonical: np.ndarray  # object array, for one comparison with a query's variant group
    offsets: np.ndarray
    names: np.ndarray

    @classmethod
    def by_initial(cls, words: pl.DataFrame, info: pl.DataFrame) -> dict[str, _ShortWords]:
        out: dict[str, _ShortWords] = {}
        for (initial,), group in words.group_by("initial", maintain_order=True):
            per_tid = group.group_by("ctid", maintain_order=True).agg("name_id")
            tids = per_tid["ctid"].to_numpy().astype(np.int64)
            counts = per_tid["name_id"].list.len().to_numpy().astype(np.int64)
            token = info["token"].gather(tids)
            out[str(initial)] = cls(
                tids=tids, token=token.to_list(),
                length=token.str.len_chars().to_numpy().astype(np.int64),
                canonical=np.asarray(info["canonical"].gather(tids).to_list(), dtype=object),
                offsets=np.concatenate([[0], np.cumsum(counts)]),
                names=per_tid["name_id"].explode().to_numpy().astype(np.int64),
            )
        return out

    def names_alike(self, token: str, canonical: str, floor: float) -> set[int]:
        """The names carrying a word at least ``floor`` similar to ``token`` (token_sim); only
        the words that ``blocking.may_reach_floor`` are given to token_sim."""
        maybe = may_reach_floor(
            [token], np.array([len(token)]), self.token, self.length,
            (self.canonical == canonical)[None, :], floor, workers=1,
        )[0]
        found: set[int] = set()
        for row in np.flatnonzero(maybe).tolist():
            word = self.token[row]
            if token_sim(token, word, canonical, str(self.canonical[row])) >= floor:
                found.update(self.names[self.offsets[row] : self.offsets[row + 1]].tolist())
        return found


@dataclass(slots=True)
class Tables:
    """What the fast path needs of one index, as plain lookups."""

    index: ScreeningIndex
    tid_of: dict[str, int]
    token: list[str]
    canonical: list[str]
    weight: list[float]
    common: list[bool]  # by tid: one of index.pairing_words
    keys: pl.Series  # List(Utf8) by tid
    token_keys: _KeyTable
    whole_keys: _KeyTable
    carrier_off: array[int]
    carrier_names: array[int]
    # by tid: how many names carry it, and whether blocking expands it (a carrier not too busy:
    # blocking's reachable): plain lists, read for every similar word of every query.
    carrier_count: list[int]
    expandable: list[bool]
    name_off: array[int]
    name_tids: array[int]
    joined: list[str]
    weak: list[bool]
    entity_id: list[str]  # by name id
    list_id: list[str]  # by name id
    entity_of: dict[tuple[str, str], int]  # (entity_id, list_id) -> row of index.entities
    name_total: np.ndarray  # by name id: the sum of its tokens' weights, in their order
    # numpy views of name_off, name_tids and weight, for the queries of many candidates
    name_off_array: np.ndarray
    name_tids_array: np.ndarray
    weight_array: np.ndarray
    bare: frozenset[int]  # name ids of the bare names (normalise.is_bare)
    # blocking.short_name_words by initial: (distinct tids, their tokens and variant groups,
    # and the name ids carrying each tid as offsets into the names)
    short_words: dict[str, _ShortWords]

    @classmethod
    def build(cls, index: ScreeningIndex) -> Tables:
        info = index.token_info.sort("tid")
        if not info["tid"].equals(pl.Series("tid", range(info.height), dtype=info["tid"].dtype)):
            raise ValueError("token ids of the index are not 0..n-1")
        size = info.height
        token_rows = index.keys.filter(pl.col("token").is_not_null()).join(
            info.select("token", "tid"), on="token"
        )
        whole_rows = index.keys.filter(pl.col("name_id").is_not_null())
        carriers = (
            index.tokens.filter(pl.col("weight") > RARE_WEIGHT).select("tid", "name_id")
            .sort("tid", "name_id")
        )
        carrier_off, carrier_names = _csr(carriers["tid"], carriers["name_id"], size)
        carrier_count = np.diff(np.asarray(carrier_off, dtype=np.int64))
        tokens = index.tokens.sort("name_id", "pos")
        names = index.names.sort("name_id")
        if not names["name_id"].equals(
            pl.Series("name_id", range(names.height), dtype=names["name_id"].dtype)
        ):
            raise ValueError("name ids of the index are not 0..n-1")
        name_off, name_tids = _csr(tokens["name_id"], tokens["tid"], names.height)
        entities = index.entities
        weight = info["weight"].to_list()
        name_off_array = np.frombuffer(name_off, dtype=np.int64)
        name_tids_array = np.frombuffer(name_tids, dtype=np.uint32)
        weight_array = np.asarray(weight, dtype=np.float64)
        return cls(
            index=index,
            tid_of=dict(zip(info["token"].to_list(), range(size), strict=True)),
            token=info["token"].to_list(),
            canonical=info["canonical"].to_list(),
            weight=weight,
            common=info.select(
                pl.col("tid").is_in(pairing_words(index.tokens)["tid"].implode())
            ).to_series().to_list(),
            keys=info["keys"],
            token_keys=_KeyTable.build(token_rows["key"], token_rows["tid"]),
            whole_keys=_KeyTable.build(whole_rows["key"], whole_rows["name_id"]),
            carrier_off=carrier_off,
            carrier_names=carrier_names,
            carrier_count=carrier_count.tolist(),
            expandable=((carrier_count > 0) & (carrier_count <= MAX_TOKEN_NAMES)).tolist(),
            name_off=name_off,
            name_tids=name_tids,
            name_total=_name_totals(name_off_array, name_tids_array, weight_array),
            name_off_array=name_off_array,
            name_tids_array=name_tids_array,
            weight_array=weight_array,
            bare=frozenset(names.filter(bare_names(pl.col("tokens")))["name_id"].to_list()),
            short_words=_ShortWords.by_initial(short_name_words(index), info),
            joined=names["joined"].fill_null("").to_list(),
            weak=names["weak"].to_list(),
            entity_id=names["entity_id"].to_list(),
            list_id=names["list_id"].to_list(),
            entity_of={
                key: i for i, key in reversed(list(enumerate(
                    zip(entities["entity_id"], entities["list_id"], strict=True)
                )))
            },
        )

    def name_tokens(self, name_id: int) -> Sequence[int]:
        return self.name_tids[self.name_off[name_id] : self.name_off[name_id + 1]]

    def total_weight(self, name_id: int) -> float:
        """The weight of a list name's tokens, summed in their order (as the batch path)."""
        return float(self.name_total[name_id])


# -- one query -----------------------------------------------------------------------------------


@dataclass(slots=True)
class QToken:
    pos: int
    token: str
    tid: int  # -1 for tokens the index has never seen
    canonical: str  # as scoring sees it
    weight: float
    keys: list[str]


@dataclass(slots=True)
class Word:
    """A blocking word: a query token or two neighbours glued together."""

    pos: int
    token: str
    weight: float
    keys: list[str]
    glued: bool
    similar: dict[int, float] = field(default_factory=dict)  # list tid -> sim


@dataclass(frozen=True, slots=True)
class _Similar:
    """A word's similar list tokens (list tid -> sim), and among them those met by keys other
    than wide ones and at least BORROW_SIM similar. Read-only once made."""

    sims: dict[int, float]
    close: dict[int, float]


@dataclass(frozen=True, slots=True)
class _Query:
    """What blocking's reach test and known score need of the query: its weight, that of its
    initials, and that of its long words and their positions."""

    q_total: float
    init_w: float
    n_init: int
    long_w: float
    long_pos: frozenset[int]


@dataclass(frozen=True, slots=True)
class _Seen:
    """What blocking met of one list name: block score, query weight met (initials apart)
    and the most weight of the name the positions met can take."""

    block: float
    seen_w: float
    init_w: float
    n_init: int
    c_reached: float
    exact: bool  # no sum of three terms or more (see _block_scores)


@dataclass(slots=True)
class _Blocks:
    """_Seen of many list names, as arrays (the names that pass the reach test)."""

    names: np.ndarray
    block: np.ndarray
    exact: np.ndarray
    seen_w: np.ndarray
    init_w: np.ndarray
    n_init: np.ndarray
    c_reached: np.ndarray

    def set(self, i: int, seen: _Seen) -> None:
        self.block[i], self.exact[i], self.seen_w[i] = seen.block, seen.exact, seen.seen_w
        self.init_w[i], self.n_init[i], self.c_reached[i] = seen.init_w, seen.n_init, seen.c_reached

    def select(self, keep: np.ndarray) -> _Blocks:
        return _Blocks(
            self.names[keep], self.block[keep], self.exact[keep], self.seen_w[keep],
            self.init_w[keep], self.n_init[keep], self.c_reached[keep],
        )


@dataclass(frozen=True, slots=True)
class _Entries:
    """_reach as arrays sorted by list tid: one row per (query word, list tid resembling it)."""

    tid: np.ndarray
    pos: np.ndarray
    value: np.ndarray  # weight * sim
    weight: np.ndarray
    glued: np.ndarray
    initial: np.ndarray


@dataclass(frozen=True, slots=True)
class _ScoreQuery:
    """What FastPath.score needs of a query, the same for every list name it scores."""

    words: list[QToken]  # the tokens that are words (not legal-form class tokens)
    q_total: float
    q_repeated: float  # the weight of the words the query holds twice or more
    vague: bool  # no word both rare and longer than an initial
    bare: bool  # normalise.is_bare: compared only with bare names
    # list tid -> (sim, position, weight) of the words similar to it (FastPath._matches), as met
    matches: dict[int, list[tuple[float, int, float]]]
    known: list[dict[int, float]]  # by word: FastPath._sims_of
    rotated: list[str]  # scoring.rotated_spellings of the words

    @classmethod
    def of(
        cls, tokens: list[QToken], sims_of: Callable[[str], dict[int, float]]
    ) -> _ScoreQuery:
        words = [q for q in tokens if not q.token.startswith("#")]
        q_total = 0.0
        for q in tokens:
            q_total += q.weight
        counts: dict[str, int] = {}
        for q in tokens:
            counts[q.token] = counts.get(q.token, 0) + 1
        q_repeated = 0.0
        for q in tokens:
            q_repeated += q.weight * (counts[q.token] > 1)
        vague = not any(q.weight > RARE_WEIGHT and len(q.token) > 1 for q in words)
        return cls(
            words, q_total, q_repeated, vague, is_bare([q.token for q in tokens]), {},
            [sims_of(q.token) for q in words], rotated_spellings([q.token for q in words]),
        )


@dataclass(slots=True)
class Scored:
    name_id: int
    name_score: float
    method: str
    aligned: list[dict[str, Any]]


class FastPath:
    """Screens one query at a time over ``Tables`` with the rules of the batch path."""

    def __init__(self, tables: Tables, algorithm: Algorithm, *, every_name: bool = False) -> None:
        self.t = tables
        self.algorithm = algorithm
        # Score every list name, as the batch path without blocking (compare's one-entity
        # index): no candidates to find, and no reach test, so any threshold is served.
        self.every_name = every_name
        self._absent_key = repr(algorithm)  # see _ABSENT
        # (name, schema) of queries whose candidates the batch path does not fix (see
        # name_hits): for tests and diagnostics.
        self.uncertain: deque[tuple[str, str]] = deque(maxlen=1000)
        # (token, its keys, floor) -> _similar's answer: queries meet the same words again and
        # again, and finding a word's similar list words was a fifth of a query's time.
        # Read-only once stored (callers never change a word's similar dict).
        self._similar_cache: dict[tuple[str, tuple[str, ...], float], _Similar] = {}
        self._keys_cache: dict[str, list[str]] = {}  # token -> its blocking keys (see _keys)
        # (initial, token, variant group) -> the short names it meets (see _short_names)
        self._short_cache: dict[tuple[str, str, str], set[int]] = {}
        self._entity_rows: dict[int, dict[str, Any]] = {}  # see _row
        # candidate names from which blocking's scores and cut are taken with numpy
        self.vector_min_names = _VECTOR_MIN_NAMES
        self._name_rows: dict[int, dict[str, Any]] = {}
        # word -> list tid -> token_sim: see _sims_of. Read and added to, never changed.
        self._sims: dict[str, dict[int, float]] = {}
        self._sims_held = 0  # pairs in _sims

    # -- similar tokens ------------------------------------------------------------------------

    def _sims_of(self, token: str) -> dict[int, float]:
        """token_sim of a query word with the list tokens met so far, by list tid, to be added
        to by the caller (counted in _sims_held). A word's variant group is a function of the
        word (the index's for a listed word, else canonical_token), so the pair decides.
        Queries meet the same words in blocking, in scoring and in the next queries."""
        held = self._sims.get(token)
        if held is None:
            # bounded in words too: the words of queries that meet no list name hold no pair
            if self._sims_held >= _SIMS_CACHE_SIZE or len(self._sims) >= _SIMILAR_CACHE_SIZE:
                self._sims.clear()  # bounded: start afresh rather than track age
                self._sims_held = 0
            held = self._sims[token] = {}
        return held

    def _similar(
        self, words: Iterable[tuple[str, list[str]]], floor: float
    ) -> dict[str, dict[int, float]]:
        """blocking.similar_tokens: list tokens sharing a key, at least ``floor`` similar."""
        return {token: found.sims for token, found in self._similar_found(words, floor).items()}

    def _similar_found(
        self, words: Iterable[tuple[str, list[str]]], floor: float
    ) -> dict[str, _Similar]:
        """_similar's answers, with the closest list tokens among those met by keys other than
        wide ones (what _borrow needs)."""
        distinct: dict[str, list[str]] = {}
        for token, keys in words:
            distinct.setdefault(token, keys)
        out: dict[str, _Similar] = {}
        missing: dict[str, list[str]] = {}
        for token, keys in distinct.items():
            held = self._similar_cache.get((token, tuple(keys), floor))
            if held is None:
                missing[token] = keys
            else:
                out[token] = held
        if missing:
            computed = self._similar_uncached(missing, floor)
            if len(self._similar_cache) + len(computed) > _SIMILAR_CACHE_SIZE:
                self._similar_cache.clear()  # bounded: start afresh rather than track age
            for token, found in computed.items():
                self._similar_cache[(token, tuple(missing[token]), floor)] = found
            out.update(computed)
        return {token: out[token] for token in distinct}

    def _similar_uncached(
        self, distinct: dict[str, list[str]], floor: float
    ) -> dict[str, _Similar]:
        out: dict[str, _Similar] = {}
        for token, keys in distinct.items():
            out[token] = self._similar_one(token, keys, floor)
        return out

    def _similar_one(self, token: str, keys: list[str], floor: float) -> _Similar:
        t = self.t
        unique = list(dict.fromkeys(keys))
        plain_ids: list[int] = []
        wide_ids: list[int] = []
        for key, ids in zip(unique, t.token_keys.lookup(unique), strict=True):
            (wide_ids if key.startswith(WIDE_PREFIXES) else plain_ids).extend(ids)
        # Sets built as before, from the ids in key order: their iteration order is the order
        # of the similar dict, which the float sums of blocking follow.
        plain = set(plain_ids)
        reached = plain | self._close_enough(token, set(wide_ids) - plain, floor)
        found = _Similar({}, {})
        if not reached:  # most glued pairs: their variant group need not be worked out
            return found
        tokens, canonical = t.token, t.canonical
        tid = t.tid_of.get(token)
        canon = canonical[tid] if tid is not None else canonical_token(token)
        sims, close = found.sims, found.close
        known = self._sims_of(token)
        size = len(known)
        for ctid in reached:
            sim = known.get(ctid)
            if sim is None:
                sim = known[ctid] = _token_sim_uncached(token, tokens[ctid], canon, canonical[ctid])
            if sim >= floor:
                sims[ctid] = sim
                if sim >= BORROW_SIM and ctid in plain:
                    close[ctid] = sim
        self._sims_held += len(known) - size
        return found

    def _close_enough(self, token: str, tids: set[int], floor: float) -> set[int]:
        """The tokens among ``tids`` whose plain similarity (mean of Jaro-Winkler and OSA
        similarity) reaches ``floor``.

        For tokens met by wide keys only (keys.WIDE_PREFIXES), this is what token_sim can
        reach: its other rules (one edit, initial, variant group, identical) need a key of
        another kind.
        """
        if not tids:
            return set()
        ids = list(tids)
        choices = [self.t.token[c] for c in ids]
        if len(ids) < _CDIST_MIN_CHOICES:
            # Scalar calls: the same similarities to the last bit or two, which the floor's
            # slack absorbs (token_sim, which decides, makes the same scalar calls).
            jaro, edit = JaroWinkler.normalized_similarity, OSA.normalized_similarity
            return {
                c for c, choice in zip(ids, choices, strict=True)
                if (jaro(token, choice) + edit(token, choice)) / 2 >= floor - 1e-9
            }
        jw = cdist([token], choices, scorer=JaroWinkler.normalized_similarity, dtype=np.float64)
        osa = cdist([token], choices, scorer=OSA.normalized_similarity, dtype=np.float64)
        plain = (np.asarray(jw[0], dtype=np.float64) + np.asarray(osa[0], dtype=np.float64)) / 2
        return {c for c, sim in zip(ids, plain.tolist(), strict=True) if sim >= floor - 1e-9}

    # -- query tokens ---------------------------------------------------------------------------

    def query_tokens(self, tokens: list[str], common_unknown: set[str]) -> list[QToken]:
        """blocking.query_tables for one name: weights from the index, or fresh ones.

        ``common_unknown``: the common words among the unseen words of every name of the query
        (query_tables tests a fresh token's variant group against that set).
        """
        out: list[QToken] = []
        fresh: dict[str, QToken] = {}
        for pos, token in enumerate(tokens):
            tid = self.t.tid_of.get(token)
            if tid is not None:
                out.append(QToken(pos, token, tid, self.t.canonical[tid], self.t.weight[tid],
                                  self._keys(token, tid)))
                continue
            if token not in fresh:
                fresh[token] = self._fresh(token, common_unknown)
            q = fresh[token]
            out.append(QToken(pos, token, -1, q.canonical, q.weight, q.keys))
        if fresh:
            self._borrow(fresh)
            for q in out:
                if q.tid < 0:
                    q.weight = fresh[q.token].weight
        return out

    def _keys(self, token: str, tid: int) -> list[str]:
        """A query token's blocking keys: the index's for a listed token (reading them from the
        index's column costs more than the rest of the token's work), else keys.token_keys.
        Shared between queries: callers never change the list."""
        keys = self._keys_cache.get(token)
        if keys is None:
            if tid >= 0:
                keys = self.t.keys[tid].to_list() if not token.startswith("#") else []
            else:
                keys = token_keys(token)
            if len(self._keys_cache) >= _SIMILAR_CACHE_SIZE:
                self._keys_cache.clear()  # bounded: start afresh rather than track age
            self._keys_cache[token] = keys
        return keys

    def _fresh(self, token: str, common_unknown: set[str]) -> QToken:
        canonical = token if token.startswith("#") else canonical_token(token)
        if token.startswith("#"):
            weight = 0.0
        elif canonical in common_unknown:
            weight = _FRESH_COMMON_WEIGHT
        else:
            weight = _FRESH_WEIGHT
        return QToken(-1, token, -1, canonical, initial_weight(token, weight),
                      self._keys(token, -1))

    def _borrow(self, fresh: dict[str, QToken]) -> None:
        """blocking._borrow_weights: an unseen word weighs what its closest listed word does."""
        borrowing = [
            q for q in fresh.values() if not q.token.startswith("#") and q.weight > 0
        ]
        floor = self.algorithm.token_floor
        if floor <= BORROW_SIM:
            # The words' similar list tokens, as candidates() will ask for them (kept): those
            # met by keys other than wide ones and BORROW_SIM close are _borrow_weights'.
            found = self._similar_found(((q.token, q.keys) for q in borrowing), floor)
            similar = {token: held.close for token, held in found.items()}
        else:
            # blocking._borrow_weights leaves the wide keys out.
            similar = self._similar(
                ((q.token, [k for k in q.keys if not k.startswith(WIDE_PREFIXES)])
                 for q in borrowing),
                BORROW_SIM,
            )
        for token, sims in similar.items():
            if not sims:
                w = _FRESH_WEIGHT
            else:
                # Among equally close listed words the batch path meets the first listed
                # (lowest token id) first.
                best = max(sims.values())
                w = self.t.weight[min(c for c, s in sims.items() if s == best)]
            fresh[token].weight = min(fresh[token].weight, w)

    # -- blocking -------------------------------------------------------------------------------

    def candidates(
        self, tokens: list[QToken], min_score: float, chars: int, sure_score: float
    ) -> tuple[list[int], set[int]]:
        """blocking.candidates for one query: the name ids worth scoring (and the uncertain
        ones at the cut, see ``_top``)."""
        own = [
            Word(q.pos, q.token, q.weight, q.keys, glued=False)
            for q in tokens if not q.token.startswith("#")
        ]
        if not own:
            return [], set()  # no words: no query total, so nothing passes the reach test
        glued = [
            Word(a.pos, a.token + b.token, a.weight + b.weight, ["d:" + a.token + b.token],
                 glued=True)
            for a, b in pairwise(own)
        ]
        if {w.token for w in glued} & {w.token for w in own}:
            raise DeclinedError("a glued pair spells a query word: its keys depend on row order")
        words = own + glued
        similar = self._similar(((w.token, w.keys) for w in words), self.algorithm.token_floor)
        for w in words:
            w.similar = similar[w.token]
        q_total = 0.0
        for w in own:
            q_total += w.weight
        found, covered = self._expanded(words, q_total, min_score)
        spelt, joined = self._keyed(tokens, own, words, chars, found, pairing=not covered)
        short = self._short_names(tokens, own)
        found |= short
        # blocking._alike: a bare name pairs only with bare names.
        if is_bare([q.token for q in tokens]):
            found &= self.t.bare
        else:
            found -= self.t.bare
        # Names met as a whole may score on the whole name: known 1, and no reach test.
        whole = spelt | set(joined) | short
        initials = [w for w in own if len(w.token) == 1]
        init_w = 0.0
        for w in initials:
            init_w += w.weight
        long = [w for w in own if len(w.token) >= SLIP_MIN_LETTERS]
        long_w = 0.0
        for w in long:
            long_w += w.weight
        query = _Query(
            q_total, init_w, sum(1 for w in initials if w.weight > 0), long_w,
            frozenset(w.pos for w in long),
        )
        if len(found) >= self.vector_min_names:
            blocks = self._block_arrays(found, words, query, min_score, joined, whole)
            return self._top_arrays(blocks, self._known_array(query, blocks, whole), sure_score)
        scored = self._block_scores(found, words, query, min_score, joined, whole)
        known = {
            name_id: 1.0 if name_id in whole else self._known(query, name_id, seen)
            for _, name_id, _, seen in scored
        }
        return self._top(
            [(block, name_id, exact) for block, name_id, exact, _ in scored], known, sure_score
        )

    def _short_names(self, tokens: list[QToken], own: list[Word]) -> set[int]:
        """blocking.short_query_names: a query of one word and at most one initial meets the
        short names it may match word for word."""
        full = [w for w in own if len(w.token) > 1]
        initials = [w.token for w in own if len(w.token) == 1]
        if len(full) != 1 or len(initials) > 1:
            return set()
        short = self.t.short_words.get(initials[0] if initials else "")
        if short is None:
            return set()
        word = next(q for q in tokens if q.pos == full[0].pos)
        key = (initials[0] if initials else "", word.token, word.canonical)
        held = self._short_cache.get(key)
        if held is None:
            held = short.names_alike(word.token, word.canonical, self.algorithm.token_floor)
            if len(self._short_cache) >= _SIMILAR_CACHE_SIZE:
                self._short_cache.clear()  # bounded: start afresh rather than track age
            self._short_cache[key] = held
        return set(held)

    def _expanded(
        self, words: list[Word], q_total: float, min_score: float
    ) -> tuple[set[int], bool]:
        """blocking._expanded_names: the names the expanded words meet that pass the reach
        test; and whether a name they do not meet fails it whatever it holds
        (blocking._covered)."""
        t = self.t
        expandable, carrier_count = t.expandable, t.carrier_count
        hidden = {
            w.token for w in words if not all(expandable[c] for c in w.similar)
        }
        blocking = [w for w in words if w.weight > RARE_WEIGHT and len(w.token) > 1]
        ranked: list[tuple[int, int, Word]] = []
        for w in blocking:
            if w.glued:
                continue
            fanout = 0
            for c in w.similar:
                if carrier_count[c] <= MAX_TOKEN_NAMES:
                    fanout += carrier_count[c]
            if fanout > 0 or not w.similar:  # a word resembling no listed word is free
                ranked.append((fanout, w.pos, w))
        ranked.sort(key=lambda r: (r[0], r[1]))
        chosen: list[Word] = []
        expanded_w = 0.0
        slip_w = 0.0  # blocking._expansion_tokens: the heaviest expanded long word
        cum_w = 0.0
        left_earlier = q_total
        for _, _, w in ranked:
            cover_w = 0.0 if w.token in hidden else w.weight
            cum_w += cover_w
            left_before = q_total - (cum_w - cover_w)
            if left_earlier >= min_score * q_total:
                chosen.append(w)
                expanded_w += cover_w
                if len(w.token) >= SLIP_MIN_LETTERS:
                    slip_w = max(slip_w, cover_w)
            left_earlier = left_before
        chosen += [w for w in blocking if w.glued]
        # The best weight*sim per (name, query position), keyed name * slots + position: one
        # flat dict, whose order is the order each name met its positions in.
        slots = max((w.pos for w in chosen), default=0) + 1
        best: dict[int, float] = {}
        # The hottest loop of blocking (every carrier of every chosen word): locals only.
        carrier_off, carrier_names = t.carrier_off, t.carrier_names
        for w in chosen:
            # A hidden word's weight is counted as met already: what it meets adds nothing.
            pos = w.pos
            weight = 0.0 if w.token in hidden and not w.glued else w.weight
            for ctid, sim in w.similar.items():
                if not expandable[ctid]:
                    continue
                value = weight * sim  # >= 0: a name met first always takes it
                for name_id in carrier_names[carrier_off[ctid] : carrier_off[ctid + 1]]:
                    key = name_id * slots + pos
                    if value > best.get(key, -1.0):
                        best[key] = value
        parts: dict[int, float] = {}
        for key, value in best.items():  # each name's values in the order it met them
            name_id = key // slots
            parts[name_id] = parts.get(name_id, 0.0) + value
        covered = q_total - expanded_w + UNSEEN_SIM * slip_w < min_score * q_total
        return {
            name_id for name_id, part in parts.items()
            if part + q_total - expanded_w + UNSEEN_SIM * slip_w >= min_score * q_total
        }, covered

    def _keyed(
        self, tokens: list[QToken], own: list[Word], words: list[Word], chars: int,
        found: set[int], *, pairing: bool,
    ) -> tuple[set[int], dict[int, list[float]]]:
        """Adds to ``found`` the names behind the query's whole-name keys (in one lookup: a
        lookup has a fixed cost); returns the names met as a whole (by the prefix of a long
        query, or spelt as the query is without spaces) and ``_joined``'s weights."""
        keys = [_whole_key(tokens)]
        if len(own) == 1:  # blocking.candidates: a one-word query and one-word names
            keys += ["n:" + self.t.token[c] for c in own[0].similar]
        if pairing:  # blocking.candidates: common words pair where the expansion may miss
            keys += self._common_pair_keys(words)
        plain = len(keys)
        prefix = _prefix_key(own, chars)
        whole_keys = ([] if prefix is None else [prefix]) + _spelling_keys(own)
        whole_keys += _slip_keys(own)
        keys += whole_keys
        long = [w for w in own if len(w.token) >= _JOINED_MIN_LEN]
        keys += ["g:" + w.token for w in long]
        held = self._name_keys(keys)
        for name_ids in held:
            found.update(name_ids)
        whole = {name_id for ids in held[plain : plain + len(whole_keys)] for name_id in ids}
        return whole, _joined(long, held[len(keys) - len(long):])

    def _name_keys(self, keys: list[str]) -> list[list[int]]:
        """The names behind whole-name (n:) and glued-words (g:) keys."""
        return self.t.whole_keys.lookup(keys)

    def _common_pair_keys(self, words: list[Word]) -> list[str]:
        """blocking.common_pairs: keys of names holding two common words two query words
        resemble."""
        t = self.t
        reached = [
            (w, {t.canonical[c] for c in w.similar if t.common[c]}) for w in words
        ]
        keys: set[str] = set()
        for a, groups_a in reached:
            for b, groups_b in reached:
                if b.pos <= a.pos or (a.glued and b.pos == a.pos + 1):
                    continue
                keys.update(
                    "c2:" + min(x, y) + "|" + max(x, y)
                    for x in groups_a for y in groups_b
                )
        for initial in words:
            if initial.glued or len(initial.token) != 1:
                continue
            for b, groups in reached:
                if b.pos == initial.pos or (b.glued and b.pos + 1 == initial.pos):
                    continue
                keys.update("i2:" + initial.token + "|" + group for group in groups)
        return sorted(keys)

    def _block_scores(
        self, found: Iterable[int], words: list[Word], query: _Query, min_score: float,
        joined: dict[int, list[float]], whole: set[int],
    ) -> list[tuple[float, int, bool, _Seen]]:
        """(block score, name id, exact, what was seen): exact when no sum has three terms or
        more, so the batch's sums, taken in another order, are the same to the last bit."""
        reach = _reach(words)
        out: list[tuple[float, int, bool, _Seen]] = []
        for name_id in found:
            seen = self._block_one(name_id, reach, query, min_score, joined, whole)
            if seen is not None:
                out.append((seen.block, name_id, seen.exact, seen))
        return out

    def _block_one(
        self, name_id: int, reach: dict[int, list[tuple[int, float, float, bool, bool]]],
        query: _Query, min_score: float, joined: dict[int, list[float]], whole: set[int],
    ) -> _Seen | None:
        """What blocking met of one list name, or None when it fails the reach test (which
        names in ``whole``, met as a whole, skip)."""
        best: dict[int, float] = {}
        own_w: dict[int, float] = {}
        glued_w: dict[int, float] = {}
        met_initial: set[int] = set()
        heaviest: dict[int, float] = {}
        token_weight, reach_of = self.t.weight, reach.get
        for ctid in set(self.t.name_tokens(name_id)):
            entries = reach_of(ctid)
            if entries is None:
                continue
            c_weight = token_weight[ctid]
            for pos, value, weight, glued, initial in entries:
                if c_weight > heaviest.get(pos, -1.0):
                    heaviest[pos] = c_weight
                if value > best.get(pos, -1.0):
                    best[pos] = value
                (glued_w if glued else own_w)[pos] = weight
                if initial:
                    met_initial.add(pos)
        block = 0.0
        for value in best.values():
            block += value
        low = high = 0.0
        for pos in best:
            low += own_w.get(pos, glued_w.get(pos, 0.0))
            high += glued_w.get(pos, own_w.get(pos, 0.0))
        joined_part = 0.0
        for weight in joined.get(name_id, ()):
            joined_part += weight
        block = block + joined_part
        init_w = 0.0
        for pos in met_initial:
            init_w += own_w[pos]
        long_w = 0.0
        for pos, weight in own_w.items():
            if pos in query.long_pos:
                long_w += weight
        if name_id in whole:
            keep = [True, True]
        elif query.q_total <= 0:  # words that all weigh nothing reach nothing (batch: 0/0 fails)
            keep = [False, False]
        else:
            keep = [
                bool(
                    _reach_score(block, seen + joined_part, init_w, long_w, query, self.algorithm)
                    >= min_score
                )
                for seen in (low, high)
            ]
        if keep[0] != keep[1]:
            raise DeclinedError("reach test depends on which of two tied words comes first")
        if not keep[0]:
            return None
        exact = len(best) <= 2 and len(joined.get(name_id, ())) <= 2
        n_init = sum(1 for pos in met_initial if own_w[pos] > 0)
        c_reached = 0.0
        for value in heaviest.values():
            c_reached += value
        return _Seen(block, low + joined_part, init_w, n_init, c_reached, exact)

    def _block_arrays(
        self, found: set[int], words: list[Word], query: _Query, min_score: float,
        joined: dict[int, list[float]], whole: set[int],
    ) -> _Blocks:
        """_block_scores for many names at once, to the last bit: a name's sums of one or two
        terms are the same in any order, and a name that positions met three or more words
        of is taken by _block_one (its sums in the order _block_scores adds them)."""
        t, q_total = self.t, query.q_total
        names = np.fromiter(found, dtype=np.int64, count=len(found))
        entries = _entries(words)
        # every (name, word) of a name token resembling a query word
        starts = t.name_off_array[names]
        pair_name, rows = _ranges(starts, t.name_off_array[names + 1] - starts)
        pair_tid = t.name_tids_array[rows].astype(np.int64)
        lo = np.searchsorted(entries.tid, pair_tid, "left")
        pair, entry = _ranges(lo, np.searchsorted(entries.tid, pair_tid, "right") - lo)
        name_of = pair_name[pair]
        slots = int(entries.pos.max(initial=0)) + 1
        groups, group_of = np.unique(name_of * slots + entries.pos[entry], return_inverse=True)
        best = np.full(len(groups), -1.0)
        np.maximum.at(best, group_of, entries.value[entry])
        heaviest = np.full(len(groups), -1.0)
        np.maximum.at(heaviest, group_of, t.weight_array[pair_tid[pair]])
        glued = entries.glued[entry]
        own_w, has_own = _assigned(len(groups), group_of[~glued], entries.weight[entry][~glued])
        glued_w, has_glued = _assigned(len(groups), group_of[glued], entries.weight[entry][glued])
        met_initial = np.zeros(len(groups), dtype=np.bool_)
        met_initial[group_of[entries.initial[entry]]] = True
        group_name = groups // slots
        size = len(names)

        def per_name(values: np.ndarray) -> np.ndarray:
            return np.bincount(group_name, weights=values, minlength=size)

        block = per_name(best)
        low = per_name(np.where(has_own, own_w, np.where(has_glued, glued_w, 0.0)))
        high = per_name(np.where(has_glued, glued_w, np.where(has_own, own_w, 0.0)))
        joined_part = np.zeros(size)
        joined_terms = np.zeros(size, dtype=np.int64)
        if joined:
            row_of = {name_id: i for i, name_id in enumerate(names.tolist())}
            for name_id, weights in joined.items():
                part = 0.0
                for weight in weights:
                    part += weight
                joined_part[row_of[name_id]] = part
                joined_terms[row_of[name_id]] = len(weights)
        block = block + joined_part
        init_w = per_name(np.where(met_initial, own_w, 0.0))
        long_pos = np.isin(groups % slots, np.fromiter(query.long_pos, dtype=np.int64))
        long_w = per_name(np.where(has_own & long_pos, own_w, 0.0))
        met_whole = np.isin(names, np.fromiter(whole, dtype=np.int64, count=len(whole)))
        keep_low, keep_high = (
            met_whole | (
                _reach_score(block, seen + joined_part, init_w, long_w, query, self.algorithm)
                >= min_score if q_total > 0 else np.zeros(size, dtype=np.bool_)
            )
            for seen in (low, high)
        )
        out = _Blocks(
            names=names, block=block,
            exact=(np.bincount(group_name, minlength=size) <= 2) & (joined_terms <= 2),
            seen_w=low + joined_part,
            init_w=init_w,
            n_init=per_name((met_initial & (own_w > 0)).astype(np.float64)).astype(np.int64),
            c_reached=per_name(heaviest),
        )
        many = np.bincount(group_name, minlength=size) >= 3
        if np.any((keep_low != keep_high) & ~many):
            raise DeclinedError("reach test depends on which of two tied words comes first")
        keep = keep_low
        if many.any():
            reach = _reach(words)
            for i in np.flatnonzero(many).tolist():
                seen = self._block_one(int(names[i]), reach, query, min_score, joined, whole)
                keep[i] = seen is not None
                if seen is not None:
                    out.set(i, seen)
        return out.select(keep)

    def _known_array(self, query: _Query, blocks: _Blocks, sure: set[int]) -> np.ndarray:
        """_known of every name of ``blocks`` (the same operations, in the same order); 1.0
        for the ``sure`` names (prefix and glued-words names)."""
        algo = self.algorithm
        if query.q_total <= 0:
            known = np.zeros(len(blocks.names))
        else:
            c_total = self.t.name_total[blocks.names]
            free_init_w = np.maximum(query.init_w - blocks.init_w, 0.0)
            free_init = np.maximum(query.n_init - blocks.n_init, 0)
            missed_w = np.maximum(query.q_total - blocks.seen_w - free_init_w, 0.0)
            reachable = np.minimum(c_total, blocks.c_reached + free_init)
            known = (blocks.block + INITIAL_SIM * free_init_w) / (
                blocks.seen_w + free_init_w + algo.unmatched_query_weight * missed_w
                + algo.unmatched_list_weight * np.maximum(c_total - reachable, 0.0)
            )
        if sure:
            known[np.isin(blocks.names, np.fromiter(sure, dtype=np.int64, count=len(sure)))] = 1.0
        return known

    def _top_arrays(
        self, blocks: _Blocks, known: np.ndarray, sure_score: float
    ) -> tuple[list[int], set[int]]:
        """_top over arrays."""
        if len(blocks.names) == 0:
            return [], set()
        order = np.lexsort((blocks.names, -blocks.block))
        block, names = blocks.block[order], blocks.names[order]
        exact, known = blocks.exact[order], known[order]
        limit = self.algorithm.max_candidates
        # ranked: the first ``limit``, and every later one tied with the best (a prefix too)
        ranked = max(min(limit, len(names)), int(np.count_nonzero(block >= block[0] - 1e-9)))
        sure = known >= sure_score
        keep = names[:ranked].tolist() + names[ranked:][sure[ranked:]].tolist()
        uncertain = set(names[np.abs(known - sure_score) <= 1e-9].tolist())
        if ranked < len(names):
            near = np.abs(block - block[ranked - 1]) <= 1e-12
            if not exact[near].all():
                uncertain |= set(names[near & (known < sure_score + 1e-9)].tolist())
        return keep, uncertain

    def _known(self, query: _Query, name_id: int, seen: _Seen) -> float:
        """kernels.known_scores for one pair."""
        if query.q_total <= 0:
            return 0.0
        t, algo = self.t, self.algorithm
        c_total = t.total_weight(name_id)
        c_reached = seen.c_reached
        free_init_w = max(query.init_w - seen.init_w, 0.0)
        free_init = max(query.n_init - seen.n_init, 0)
        missed_w = max(query.q_total - seen.seen_w - free_init_w, 0.0)
        reachable = min(c_total, c_reached + free_init)
        return (seen.block + INITIAL_SIM * free_init_w) / (
            seen.seen_w + free_init_w + algo.unmatched_query_weight * missed_w
            + algo.unmatched_list_weight * max(c_total - reachable, 0.0)
        )

    def _top(
        self, scored: list[tuple[float, int, bool]], known: dict[int, float], sure_score: float
    ) -> tuple[list[int], set[int]]:
        """The best max_candidates names, every name tied with the best and every name whose
        known score reaches ``sure_score``; and the names the batch path may keep or not
        (sums that may differ in the last bit from its own, taken in another order)."""
        if not scored:
            return [], set()
        scored.sort(key=lambda s: (-s[0], s[1]))
        limit = self.algorithm.max_candidates
        top = scored[0][0]
        ranked = [n for i, (s, n, _) in enumerate(scored) if i < limit or s >= top - 1e-9]
        sure = {n for n, k in known.items() if k >= sure_score}
        keep = ranked + [n for _, n, _ in scored[len(ranked):] if n in sure]
        # Sure only up to rounding: the batch's own sums decide.
        uncertain = {n for n, k in known.items() if abs(k - sure_score) <= 1e-9}
        if len(ranked) < len(scored):
            edge = scored[len(ranked) - 1][0]
            near = [(n, exact) for s, n, exact in scored if abs(s - edge) <= 1e-12]
            if not all(exact for _, exact in near):
                uncertain |= {n for n, _ in near if known[n] < sure_score + 1e-9}
        return keep, uncertain

    # -- scoring --------------------------------------------------------------------------------

    def score(
        self, tokens: list[QToken], name_id: int, joined: str, chars: int,
        query: _ScoreQuery | None = None,
    ) -> Scored:
        """scoring.score_pairs for one (query, list name) pair (``query``: what it needs of
        the query, the same for every list name: see _ScoreQuery)."""
        t, algo = self.t, self.algorithm
        query = query or _ScoreQuery.of(tokens, self._sims_of)
        ctids = list(self.t.name_tokens(name_id))
        q_words = query.words
        matches, weight = query.matches, t.weight
        # (sim, query position, list position, weights): _align sorts them, so their order
        # here is free.
        rows: list[tuple[float, int, int, float, float]] = []
        for cpos, ctid in enumerate(ctids):
            found = matches.get(ctid)
            if found is None:
                found = matches[ctid] = self._matches(query, ctid)
            c_weight = weight[ctid]
            for sim, qpos, q_weight in found:
                rows.append((sim, qpos, cpos, q_weight, c_weight))
        aligned = _align(rows)
        q_total, q_repeated = query.q_total, query.q_repeated
        c_total = t.total_weight(name_id)
        matched = q_matched = c_matched = 0.0
        for sim, _, _, qw, cw in aligned:
            matched += qw * sim
            q_matched += qw
            c_matched += cw
        rare = any(qw > RARE_WEIGHT for _, _, _, qw, _ in aligned)
        unmatched_c = max(c_total - c_matched, 0.0)
        unmatched_q = max(q_total - q_matched, 0.0)
        repeated = min(q_repeated / 2, unmatched_q)
        charged_q = (unmatched_q - repeated) * algo.unmatched_query_weight + repeated * 0.2
        token_score = (
            matched / (q_matched + charged_q + algo.unmatched_list_weight * unmatched_c)
            if q_total > 0 else 0.0
        )
        if not rare and len(aligned) < len(q_words):
            token_score = min(token_score, algo.common_only_cap)
        if query.vague:
            # scoring.score_pairs: a vague query must hold every list word, and not by
            # initials alone.
            words_at = {q.pos for q in q_words if len(q.token) > 1}
            used = {cpos for _, _, cpos, _, _ in aligned}
            by_word = any(qpos in words_at for _, qpos, _, _, _ in aligned)
            loose = [
                cpos for cpos, ctid in enumerate(ctids)
                if t.weight[ctid] > 0 and len(t.token[ctid]) > 1
                and not t.token[ctid].startswith("#")
            ]
            if any(cpos not in used for cpos in loose) or (loose and not by_word):
                token_score = min(token_score, algo.common_only_cap)
        token_score = min(max(token_score, 0.0), 1.0)
        listed = t.joined[name_id]
        joined_score = max(joined_sim(glued, listed) for glued in (joined, *query.rotated))
        joined_score *= algo.joined_factor
        # A long query that is the start of the list name was cut by a message field limit.
        truncated = (
            chars >= TRUNCATED_MIN_CHARS and len(joined) >= TRUNCATED_MIN_LETTERS
            and len(listed) > len(joined)
            and listed.startswith(joined)
        )
        if truncated:
            joined_score = max(joined_score, TRUNCATED_SCORE)
        name_score = max(token_score, joined_score)
        if query.bare != (name_id in t.bare):
            name_score = 0.0  # scoring.score_pairs: "SL Trading" is not the acronym "SL"
        if t.weak[name_id]:
            name_score = name_score * algo.weak_alias_factor
        if joined_score > token_score:
            method = "truncated-name comparison" if truncated else "whole-name comparison"
        else:
            method = "token alignment"
        return Scored(
            name_id, name_score, method,
            [{"qpos": q, "cpos": c, "sim": s} for s, q, c, _, _ in aligned],
        )

    def _matches(self, query: _ScoreQuery, ctid: int) -> list[tuple[float, int, float]]:
        """(sim, position, weight) of the query words at least token_floor similar to a list
        token (none for a legal-form class token)."""
        t, floor = self.t, self.algorithm.token_floor
        ctoken, canonical = t.token[ctid], t.canonical[ctid]
        if ctoken.startswith("#"):
            return []
        out = []
        for q, known in zip(query.words, query.known, strict=True):
            sim = known.get(ctid)
            if sim is None:
                sim = known[ctid] = _token_sim_uncached(q.token, ctoken, q.canonical, canonical)
                self._sims_held += 1
            if sim >= floor:
                out.append((sim, q.pos, q.weight))
        return out

    # -- whole queries --------------------------------------------------------------------------

    def name_hits(
        self, names: list[tuple[str, str]], cutoff: float,
        second_readings: dict[tuple[str, str], tuple[str, str]] | None = None,
    ) -> dict[tuple[str, str], tuple[list[str], dict[tuple[str, str], Scored]]]:
        """Per distinct (name, schema): its tokens and the best list name per (entity id,
        list id): entity ids are unique within a list only (gb_hmt and OFAC both list a 7877).

        ``second_readings``: the organisation reading of an untyped name -> its person reading;
        when both give the same words, the second gives the first's hits, as in the batch path
        (screener._drop_same_readings), even where an unseen word that looks like a legal form
        would weigh nothing in it alone."""
        second_readings = second_readings or {}
        min_score = cutoff - _REACH_SLACK
        if min_score <= 0 and not self.every_name:
            raise DeclinedError("no reach test: the batch path keeps every candidate")
        tokenised = {key: name_tokens(*key) for key in names}
        unknown = {tok for toks in tokenised.values() for tok in toks if tok not in self.t.tid_of}
        common_unknown = {tok for tok in unknown if is_common(tok)}
        query = {key: self.query_tokens(raw, common_unknown) for key, raw in tokenised.items()}
        for (_, schema), tokens in query.items():
            if schema != "Person":  # legal_words.unseen_form_slips
                for q in tokens:
                    if q.tid < 0 and is_form_slip(q.token):
                        q.weight = 0.0
        out: dict[tuple[str, str], tuple[list[str], dict[tuple[str, str], Scored]]] = {}
        uncertain_keys: set[tuple[str, str]] = set()
        for key, raw in tokenised.items():
            tokens = query[key]
            # Most untyped names read alike both ways: scored once (candidates and scores do
            # not depend on the schema).
            first = second_readings.get(key)
            if first is not None and tokenised[first] == raw:
                out[key] = out[first]
                if first in uncertain_keys:
                    self.uncertain.append(key)
                continue
            joined = "".join(q.token for q in tokens if not q.token.startswith("#"))
            best: dict[tuple[str, str], Scored] = {}
            keep, uncertain = (
                (list(range(len(self.t.joined))), set()) if self.every_name
                else self.candidates(tokens, min_score, len(key[0]), cutoff - _MAX_BONUS)
            )
            facts = _ScoreQuery.of(tokens, self._sims_of)
            scores = [
                self.score(tokens, n, joined, len(key[0]), facts)
                for n in sorted(set(keep) | uncertain)
            ]
            if any(s.name_id in uncertain and s.name_score >= cutoff - _MAX_BONUS
                   for s in scores):
                # Names tied at the candidate cut up to rounding: the batch path keeps some
                # of them by the noise of its float sums (it gives different hits from run to
                # run). This path keeps the ones its own ranking does.
                self.uncertain.append(key)
                uncertain_keys.add(key)
            chosen = set(keep)
            scores = [s for s in scores if s.name_id in chosen]
            for scored in scores:
                name_id = scored.name_id
                if scored.name_score < cutoff - _MAX_BONUS:
                    continue
                entity = (self.t.entity_id[name_id], self.t.list_id[name_id])
                # Among names of one entity scoring the same, the batch path keeps the lowest
                # name id (its join walks the names in order): so does this loop.
                held = best.get(entity)
                if held is None or scored.name_score > held.name_score:
                    best[entity] = scored
            out[key] = (raw, best)
        return out

    def identifier_hits(
        self, identifier: str | None
    ) -> dict[tuple[str, str], dict[str, str]]:
        """blocking.identifier_candidates for one value: (entity id, list id) -> kind, value."""
        if identifier is None:
            return {}
        value = pl.select(clean_identifier(pl.lit(identifier, dtype=pl.Utf8))).item()
        if value is None or len(value) < 5:
            return {}
        found = self.t.index.identifiers.filter(pl.col("value") == value).unique()
        out: dict[tuple[str, str], dict[str, str]] = {}
        for row in found.iter_rows(named=True):
            entity = (row["entity_id"], row["list_id"])
            if entity in out:
                raise DeclinedError("one entity listed with this identifier more than once")
            out[entity] = {"id_kind": row["kind"], "id_value": row["value"]}
        return out

    def screen_rows(self, rows: list[dict[str, Any]], cutoff: float) -> list[dict[str, Any]]:
        """Screener.screen(limit=None) for a few query rows, as hit dicts (row, entity_id...)."""
        keys = list(dict.fromkeys(
            key for r in rows if r["name"] for key in _readings(r)
        ))
        by_name = self.name_hits(keys, cutoff, _second_readings(rows))
        hits: list[dict[str, Any]] = []
        for row in rows:
            merged: dict[tuple[str, str], dict[str, Any]] = {}
            # Screener._name_hits: the best reading per entity, the person reading on ties.
            for key in _readings(row):
                raw, best = by_name.get(key, ([], {}))
                for entity, scored in best.items():
                    held = merged.get(entity)
                    if held is None or scored.name_score > held["scored"].name_score:
                        merged[entity] = {
                            "scored": scored, "raw": raw, "id_kind": None, "id_value": None,
                        }
            for entity, found in self.identifier_hits(row.get("identifier")).items():
                slot = merged.setdefault(entity, {"scored": None, "raw": []})
                slot["id_kind"], slot["id_value"] = found["id_kind"], found["id_value"]
            for (entity_id, list_id), slot in merged.items():
                erow = self.t.entity_of.get((entity_id, list_id))
                if erow is not None:
                    hits.append(self._hit(row, slot["raw"], entity_id, list_id, erow, slot))
        self._qualify(hits)
        out = []
        for hit in hits:
            adjust = hit["dob_adjust"] + hit["country_adjust"] + hit["schema_adjust"]
            score = min(max(hit["name_score"] + adjust, 0.0), 1.0)
            if hit["id_kind"] is not None:
                score = max(score, self.algorithm.identifier_score)
            if score >= cutoff:
                hit["score"] = score
                out.append(hit)
        out.sort(key=lambda h: (h["row"], -h["score"], h["entity_id"]))
        for hit in out:
            hit["explanation"] = _explain_one(hit, hit["aligned"], self.algorithm)
        return out

    def _hit(
        self, row: dict[str, Any], raw: list[str], entity_id: str, list_id: str, erow: int,
        slot: dict[str, Any],
    ) -> dict[str, Any]:
        entity = self._row(self._entity_rows, self.t.index.entities, erow)
        scored: Scored | None = slot["scored"]
        hit: dict[str, Any] = {
            "row": row["row"], "entity_id": entity_id, "list_id": list_id,
            "schema": entity["schema"], "caption": entity["caption"],
            "birth_date": row.get("birth_date"), "country": row.get("country"),
            "nationality": row.get("nationality"), "birth_dates": _copy(entity["birth_dates"]),
            "birth_untils": _copy(entity["birth_untils"]), "countries": _copy(entity["countries"]),
            "query_name": row["name"], "q_tokens": raw, "id_kind": slot["id_kind"],
            "id_value": slot["id_value"],
        }
        hit["schema_adjust"], hit["schema_detail"] = schema_adjustment(
            None if row.get(UNTYPED) else row["schema"], entity["schema"], self.algorithm
        )
        if scored is None:
            hit.update(
                pid=None, matched_name=entity["caption"], name_kind=None, c_tokens=None,
                name_score=0.0, method="identifier", aligned=[],
            )
            return hit
        name = self._row(self._name_rows, self.t.index.names, scored.name_id)
        hit.update(
            pid=scored.name_id, matched_name=name["name"], name_kind=name["kind"],
            c_tokens=_copy(name["tokens"]), name_score=scored.name_score, method=scored.method,
            aligned=scored.aligned,
        )
        return hit

    @staticmethod
    def _row(held: dict[int, dict[str, Any]], frame: pl.DataFrame, row: int) -> dict[str, Any]:
        """A row of the index's frame, kept: reading one from Polars costs tens of
        microseconds, and the same entities are hit again and again. Read-only once stored."""
        found = held.get(row)
        if found is None:
            if len(held) >= _ROW_CACHE_SIZE:
                held.clear()  # bounded: start afresh rather than track age
            found = held[row] = frame.row(row, named=True)
        return found

    def _qualify(self, hits: list[dict[str, Any]]) -> None:
        """Date-of-birth and country adjustments by the qualifiers themselves."""
        asked = [
            h for h in hits
            if h["birth_date"] is not None or h["country"] is not None
            or h["nationality"] is not None
        ]
        for hit in hits:
            hit.update(self._absent())
        if not asked:
            return
        frame = pl.DataFrame(
            {
                "hid": list(range(len(asked))),
                **{c: [h[c] for h in asked] for c in _QUALIFIER_COLUMNS},
            },
            schema={"hid": pl.Int64, **_QUALIFIER_COLUMNS},
        )
        qualified = country_qualifier(birth_date_qualifier(frame, self.algorithm), self.algorithm)
        for row in qualified.select("hid", *_QUALIFIER_OUTPUTS).iter_rows(named=True):
            asked[row["hid"]].update({c: row[c] for c in _QUALIFIER_OUTPUTS})

    def _absent(self) -> dict[str, Any]:
        """The qualifiers' outcome when the query gives neither date of birth nor country."""
        found = _ABSENT.get(self._absent_key)
        if found is None:
            frame = pl.DataFrame(
                {"hid": [0], "birth_date": [None], "country": [None], "nationality": [None],
                 "birth_dates": [["1970-01-01"]], "birth_untils": [["1970-01-01"]],
                 "countries": [["FR"]]},
                schema={"hid": pl.Int64, **_QUALIFIER_COLUMNS},
            )
            qualified = country_qualifier(
                birth_date_qualifier(frame, self.algorithm), self.algorithm
            )
            found = _ABSENT[self._absent_key] = qualified.select(*_QUALIFIER_OUTPUTS).row(
                0, named=True
            )
        return dict(found)

    def match(
        self, query: str | dict[str, Any], limit: int, threshold: float | None,
        schema: str | None,
    ) -> list[Hit]:
        """Screener.match for one query, or DeclinedError."""
        cutoff = self.algorithm.threshold if threshold is None else threshold
        rows = query_rows(query, schema)
        hits = self.screen_rows(rows, cutoff)
        best: dict[tuple[str, str], dict[str, Any]] = {}
        for hit in hits:
            key = (hit["list_id"], hit["entity_id"])
            held = best.get(key)
            if held is None or hit["score"] > held["score"]:
                best[key] = hit
            elif hit["score"] == held["score"] and _visible(hit) != _visible(held):
                raise DeclinedError("one entity hit by two query names with the same score")
        ranked = sorted(best.values(), key=lambda h: (-h["score"], h["list_id"], h["entity_id"]))
        return [self.as_hit(h) for h in ranked[: max(limit, 0)]]

    def as_hit(self, hit: dict[str, Any]) -> Hit:
        algo = self.algorithm
        return Hit(
            entity_id=hit["entity_id"], list_id=hit["list_id"], schema=hit["schema"],
            caption=hit["caption"], matched_name=hit["matched_name"], score=hit["score"],
            name_score=hit["name_score"], explanation=hit["explanation"],
            algorithm=algo.name, algorithm_version=algo.version,
        )


_QUALIFIER_COLUMNS: dict[str, pl.DataType] = {
    "birth_date": pl.Utf8(), "country": pl.Utf8(), "nationality": pl.Utf8(),
    "birth_dates": pl.List(pl.Utf8), "birth_untils": pl.List(pl.Utf8),
    "countries": pl.List(pl.Utf8),
}
_QUALIFIER_OUTPUTS = ("dob_adjust", "dob_detail", "country_adjust", "country_detail")
# repr(algorithm) (every field of it) -> FastPath._absent's outcome, which depends on nothing
# else: one computation per algorithm, whatever the tables (compare builds new ones per pair).
_ABSENT: dict[str, dict[str, Any]] = {}


def _readings(row: dict[str, Any]) -> list[tuple[str, str]]:
    """(name, schema) readings of a query row: a name of unknown type is read both ways."""
    if row.get(UNTYPED):
        return [(row["name"], row["schema"]), (row["name"], OTHER_READING)]
    return [(row["name"], row["schema"])]


def _second_readings(rows: list[dict[str, Any]]) -> dict[tuple[str, str], tuple[str, str]]:
    """The organisation reading of each untyped name -> its person reading, unless a row typed
    as an organisation needs that reading too (Screener._drop_same_readings)."""
    typed = {(r["name"], r["schema"]) for r in rows if r["name"] and not r.get(UNTYPED)}
    pairs = (_readings(r) for r in rows if r["name"] and r.get(UNTYPED))
    return {second: first for first, second in pairs if second not in typed}


def _visible(hit: dict[str, Any]) -> tuple[Any, ...]:
    return (hit["matched_name"], hit["name_score"], hit["explanation"], hit["schema"])


def _copy(values: list[Any] | None) -> list[Any] | None:
    """A hit's own copy of a kept row's list: callers may change their hits."""
    return None if values is None else list(values)


def _strip(text: str) -> str:
    return text.strip(_WHITESPACE)


def query_rows(query: str | dict[str, Any], schema: str | None = None) -> list[dict[str, Any]]:
    """The query rows Screener.screen would see for ``query``: query_frame, then normalised
    (no schema: a party of unknown type)."""
    # query_frame of a bare name is one row of these two columns: skip building the frame.
    rows = (
        [{"name": query, "schema": schema}] if isinstance(query, str)
        else query_frame(query, schema).to_dicts()
    )
    out = []
    for i, row in enumerate(rows):
        name = row.get("name")
        out.append({
            "row": i,
            "name": _strip(name) if name is not None else None,
            "schema": row.get("schema") or "Person",
            UNTYPED: not row.get("schema"),
            "birth_date": row.get("birth_date"),
            "country": _upper(row.get("country")),
            "nationality": _upper(row.get("nationality")),
            "identifier": row.get("identifier"),
        })
    return out


def _upper(value: str | None) -> str | None:
    return None if value is None else value.upper()


def _reach_score(
    block: Any, seen_w: Any, init_seen_w: Any, long_seen_w: Any, query: _Query,
    algorithm: Algorithm,
) -> Any:
    """blocking._block_scores' reach test, of floats or arrays alike (the same operations in
    the same order)."""
    free_init_w = np.maximum(query.init_w - init_seen_w, 0.0)
    unseen_long_w = np.maximum(query.long_w - long_seen_w, 0.0)
    missed_w = np.maximum(query.q_total - seen_w - free_init_w - unseen_long_w, 0.0)
    return (block + INITIAL_SIM * free_init_w + UNSEEN_SIM * unseen_long_w) / (
        seen_w + free_init_w + unseen_long_w + algorithm.unmatched_query_weight * missed_w
    )


def _reach(words: list[Word]) -> dict[int, list[tuple[int, float, float, bool, bool]]]:
    """list tid -> (pos, weight*sim, weight, glued, an initial) of every word resembling it."""
    reach: dict[int, list[tuple[int, float, float, bool, bool]]] = {}
    for w in words:
        initial = not w.glued and len(w.token) == 1
        for ctid, sim in w.similar.items():
            reach.setdefault(ctid, []).append((w.pos, w.weight * sim, w.weight, w.glued, initial))
    return reach


def _entries(words: list[Word]) -> _Entries:
    rows = [
        (ctid, w.pos, w.weight * sim, w.weight, w.glued, not w.glued and len(w.token) == 1)
        for w in words for ctid, sim in w.similar.items()
    ]
    rows.sort(key=lambda r: r[0])
    tid, pos, value, weight, glued, initial = zip(*rows, strict=True) if rows else ([],) * 6
    return _Entries(
        np.asarray(tid, dtype=np.int64), np.asarray(pos, dtype=np.int64),
        np.asarray(value, dtype=np.float64), np.asarray(weight, dtype=np.float64),
        np.asarray(glued, dtype=np.bool_), np.asarray(initial, dtype=np.bool_),
    )


def _ranges(starts: np.ndarray, counts: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(range number, value) of every value of the ranges [start, start + count)."""
    total = int(counts.sum())
    which = np.repeat(np.arange(len(starts)), counts)
    return which, np.repeat(starts - (np.cumsum(counts) - counts), counts) + np.arange(total)


def _assigned(size: int, at: np.ndarray, values: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """An array of ``values`` placed ``at`` (ties hold equal values), and where one was put."""
    out = np.zeros(size, dtype=np.float64)
    out[at] = values
    held = np.zeros(size, dtype=np.bool_)
    held[at] = True
    return out, held


def _whole_key(tokens: list[QToken]) -> str:
    return "n:" + " ".join(sorted(q.token for q in tokens if not q.token.startswith("#")))


def _prefix_key(own: list[Word], chars: int) -> str | None:
    """The key of names starting like a long query (one a payment field may have cut)."""
    joined = "".join(w.token for w in own)
    if chars < TRUNCATED_MIN_CHARS or len(joined) < PREFIX_LETTERS:
        return None
    return "t:" + joined[:PREFIX_LETTERS]


def _spelling_keys(own: list[Word]) -> list[str]:
    """The keys of names spelt as the whole query is without spaces ("Hara Ins titute"), its
    words as written or in a rotation (blocking.candidates)."""
    words = [w.token for w in own]
    spellings = ["".join(words), *rotated_spellings(words)]
    return ["j:" + spelling for spelling in spellings if len(spelling) >= SPELLING_MIN_LETTERS]


def _slip_keys(own: list[Word]) -> list[str]:
    """index.with_slip_keys for one query: its spelling with each letter left out, and whole."""
    joined = "".join(w.token for w in own)
    if len(joined) < SLIP_SPELLING_MIN_LETTERS:
        return []
    return [SLIP_PREFIX + joined[:at] + joined[at + 1 :] for at in range(len(joined) + 1)]


def _joined(long: list[Word], held: list[list[int]]) -> dict[int, list[float]]:
    """Names holding a long query word as two neighbouring words glued: the words' weights."""
    out: dict[int, list[float]] = {}
    for w, name_ids in zip(long, held, strict=True):
        for name_id in name_ids:
            out.setdefault(name_id, []).append(w.weight)
    return out


def _align(
    rows: list[tuple[float, int, int, float, float]],
) -> list[tuple[float, int, int, float, float]]:
    """scoring.align for one pair: rounds of mutual best choices, at most MAX_ROUNDS."""
    if len(rows) <= 1:  # most list names: nothing to choose between
        return list(rows)
    remaining = sorted(rows, key=lambda r: (-r[0], r[1], r[2]))
    accepted: list[tuple[float, int, int, float, float]] = []
    for _ in range(MAX_ROUNDS):
        if not remaining:
            break
        seen_q: set[int] = set()
        seen_c: set[int] = set()
        chosen = []
        for row in remaining:
            if row[1] not in seen_q and row[2] not in seen_c:
                chosen.append(row)
            seen_q.add(row[1])
            seen_c.add(row[2])
        accepted.extend(chosen)
        used_q = {r[1] for r in chosen}
        used_c = {r[2] for r in chosen}
        remaining = [r for r in remaining if r[1] not in used_q and r[2] not in used_c]
    return accepted


# -- the Screener hook ---------------------------------------------------------------------------


def fast_path(screener: Screener) -> FastPath:
    """The fast path of ``screener``, its tables built on first use and cached on it."""
    held = screener.__dict__.get(_ATTR)
    if isinstance(held, FastPath) and held.t.index is screener.index \
            and held.algorithm is screener.algorithm:
        return held
    with _BUILD_LOCK:
        held = screener.__dict__.get(_ATTR)
        if not (isinstance(held, FastPath) and held.t.index is screener.index):
            held = FastPath(Tables.build(screener.index), screener.algorithm)
        elif held.algorithm is not screener.algorithm:
            held = FastPath(held.t, screener.algorithm)
        screener.__dict__[_ATTR] = held
        return held


_COMPARE_ATTR = "_compare_path"  # compare_match's FastPath, kept on its screener


def compare_match(screener: Screener, query: str | dict[str, Any], schema: str | None
                  ) -> Hit | None:
    """The best hit of ``query`` over every name of ``screener``'s (small) index at any score,
    as ``Screener.screen`` without blocking at threshold 0 gives it (among query names that
    score the same, the first); None when the batch path must answer (another algorithm, or
    the fast path declines)."""
    if screener.algorithm.name != "tf-default":
        return None
    try:
        path = screener.__dict__.get(_COMPARE_ATTR)
        if not isinstance(path, FastPath):
            path = FastPath(Tables.build(screener.index), screener.algorithm, every_name=True)
            screener.__dict__[_COMPARE_ATTR] = path
        hits = path.screen_rows(query_rows(query, schema), 0.0)
    except DeclinedError:
        return None
    return path.as_hit(max(hits, key=lambda h: float(h["score"]))) if hits else None


def fast_match(
    screener: Screener, query: str | dict[str, Any], limit: int, threshold: float | None,
    schema: str | None,
) -> list[Hit] | None:
    """Screener.match through the fast path; None when the batch path must answer."""
    try:
        return fast_path(screener).match(query, limit, threshold, schema)
    except DeclinedError:
        return None
