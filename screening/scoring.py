"""Name scoring over candidate pairs: token similarity, greedy alignment and a weighted score.

Everything runs on whole columns: token pairs are compared by rapidfuzz ``cpdist`` with all
cores, and the greedy one-to-one alignment is done in a few rounds of Polars window operations.
The plain-Python reference in ``screening.reference`` scores one pair the same way and the two
are property-tested against each other.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import polars as pl
from rapidfuzz.distance import OSA, JaroWinkler, Levenshtein, Prefix
from rapidfuzz.process import cpdist

from screening.algorithms import Algorithm
from screening.nicknames import NICKNAME_SIM, in_table, nickname_pairs
from screening.normalise import is_bare_word
from screening.variants import joined_unit

MAX_ROUNDS = 8
RARE_WEIGHT = 0.3  # tokens weighing more than this are not common
# "Ivan" is not "Ivanov", nor "Petrov" "Petrovich": a token that only extends another by two
# letters or more (patronymic, surname suffix) is a different name.
STEM_PENALTY = 0.85
# "O." against "Omar": an initial agrees with a word it starts, but weighs less than a word.
INITIAL_SIM = 0.85
# "Heq"/"Hqe", "Yaz"/"Uaz": one slip in a short word (three letters or more) is still a close
# match, though edit similarity alone (one edit in three letters) would call it a third wrong.
ONE_EDIT_SIM = 0.8
ONE_EDIT_MIN_LEN = 3
INITIAL_WEIGHT = 0.5
# "Farah"/"Farzat", "Salman"/"Aman": two slips or more in a short word (SHORT_WORD_MAX_LEN
# letters or fewer) whose consonant sounds also differ by two or more are another name,
# however the vowels line up: they score at most FAR_SHORT_SIM, under the word floor.
# Spellings of one name move its vowels and how a sound is written, not its sounds:
# "Asselin"/"Aslin", "Ruxin"/"Ruksin", "Janegs"/"James" stay alike. One sound more or less
# is not enough: "Talic" is written "Talitich" in Arabic letters.
SHORT_WORD_MAX_LEN = 5
FAR_SHORT_SIM = 0.7
# Soundex's consonant classes; vowels, w and y are left out, and so is an h that only
# changes the letter before it (sh, kh, gh, th...): Arabic names keep a real h (Salah, Farah).
_SOUND_CLASSES = str.maketrans("bfpvcgjkqsxzdtlmnr", "111122222222334556", "aeiouyw")
_DOUBLED = re.compile(r"(.)\1+")
_DIGRAPH_H = re.compile(r"(?<=[cdgkpstz])h")
# Spellings of one name that fold to near forms: Arabic script gives "Perelman" back as
# "birliman" (folded: birilman/birliman), "Purcel" as "bursil" (burcil/bursil). A pair of
# words scores at least the similarity of their variant-group forms (Jaro-Winkler and edit
# similarity, the stem rule) when that reaches FOLDED_MIN_SIM (at 0.8, "Sharia"/"Charity"
# and "Shammari"/"Shami" met), the forms have FOLDED_MIN_LEN letters or more (short romanised
# syllables such as Korean "jeong"/"myong" fold too close), start with the same letter, or
# both with a vowel, and have the same consonant sounds: folding moves a name's vowels and
# how a sound is written, not its sounds ("Garcia" is not "Garbaya", garcia/garbia).
FOLDED_MIN_SIM = 0.85
FOLDED_MIN_LEN = 5
# Forms that differ only in their vowels (the same consonants, see _CONSONANTS) need only
# FOLDED_VOWEL_SIM: Arabic script writes few vowels, so a name read back from it keeps its
# consonants and guesses the rest ("Bannier" is written back "binir", banir/binir; "Galen"
# "gilin"). Counting every h keeps romanised Korean syllables apart ("seong"/"chong" fold to
# siung/shung).
FOLDED_VOWEL_SIM = 0.80
# The consonants of that rule: finer than Soundex's classes ("Chapfika" is no "Shafiq",
# shabfika/shafik), alike where Arabic script writes one letter for them (b/p, f/v, d/t,
# s/z; c/k/q/x and g/j, as in "Genetti"/"jiniti"), a c before e, i or y read s ("Concezio").
_CONSONANTS = str.maketrans("bpfvcgjkqszxdtlmnr", "bbffkkkkksskttlmnr", "aeiouyw")
_SOFT_C = re.compile(r"c(?=[eiy])")
# Vowels a form may start with: folding leaves a, i and u, but a family id keeps its own
# spelling ("yusuf").
_FOLDED_VOWELS = "aeiouy"
# Payment fields cut long names (MT103: 35 characters a line): a query of at least
# TRUNCATED_MIN_CHARS characters whose words (TRUNCATED_MIN_LETTERS letters or more, legal
# forms left out) are the start of the list name's scores TRUNCATED_SCORE.
TRUNCATED_MIN_CHARS = 30
TRUNCATED_MIN_LETTERS = 6
TRUNCATED_SCORE = 0.9
JOINED_MIN_SIM = 0.9
# The whole-name comparison also glues a query's words in each rotation ("Xiu Ying Zhang" as
# "zhangxiuying"): a name put family name first and written with its given name split or
# joined ("Zhang Xiuying") aligns word by word with neither. Queries of two to
# MAX_ROTATED_WORDS words.
MAX_ROTATED_WORDS = 4
# Sound codes kept per process: the listed tokens a batch meets are the same batch after batch,
# and a million-name index holds hundreds of thousands.
_CODES_KEPT = 1 << 18
# Float slack when a bound decides that a pair cannot reach the similarity floor.
_BOUND_MARGIN = 1e-9


def initial_weight(token: pl.Expr, weight: pl.Expr) -> pl.Expr:
    """Single letters (initials) weigh at most INITIAL_WEIGHT."""
    return (
        pl.when(token.str.contains(r"^[a-z]$"))
        .then(pl.min_horizontal(weight, pl.lit(INITIAL_WEIGHT)))
        .otherwise(weight)
    )


def _is_number(tokens: pl.Series) -> np.ndarray:
    return tokens.str.contains(r"^\d+$").fill_null(value=False).to_numpy()


def token_similarity(
    left: pl.Series, right: pl.Series, left_canon: pl.Series, right_canon: pl.Series,
    *, floor: float | None = None,
) -> np.ndarray:
    """Similarity of token pairs in 0..1: the mean of Jaro-Winkler and edit similarity.

    The edit similarity counts an adjacent transposition as one edit (optimal string
    alignment), so "Logn" is one slip from "Long"; one edit between words of three letters
    or more scores at least ONE_EDIT_SIM.

    Tokens of one variant group (Mohammed/Muhammad) score 0.95, tokens whose variant-group
    forms are near score at least as much as those (the FOLDED_MIN_SIM rule), identical tokens
    1.0, and numbers only match exactly. With ``floor``, similarities below it read 0
    (cheaper: pairs too far apart to reach it skip Jaro-Winkler).
    """
    if left.len() == 0:
        return np.zeros(0)
    return _similarity(
        TokenPairs(
            left=left.to_numpy(), right=right.to_numpy(),
            left_len=_lengths(left), right_len=_lengths(right),
            numeric=_is_number(left) | _is_number(right),
            same_group=(left_canon == right_canon).fill_null(value=False).to_numpy(),
            left_canon=left_canon.to_numpy(), right_canon=right_canon.to_numpy(),
            left_canon_len=_lengths(left_canon), right_canon_len=_lengths(right_canon),
            folds=(_folds(left, left_canon) | _folds(right, right_canon)),
            named=in_table(left, left_canon) & in_table(right, right_canon),
        ),
        floor,
    )


@dataclass(frozen=True, slots=True)
class TokenPairs:
    """Token pairs as arrays: the strings (object arrays) and what the rules need of them."""

    left: np.ndarray
    right: np.ndarray
    left_len: np.ndarray
    right_len: np.ndarray
    numeric: np.ndarray  # either token is a number
    same_group: np.ndarray  # same variant group
    left_canon: np.ndarray  # variant-group forms (object arrays)
    right_canon: np.ndarray
    left_canon_len: np.ndarray
    right_canon_len: np.ndarray
    folds: np.ndarray  # a form differs from its spelling, on either side
    named: np.ndarray  # both tokens are in the nickname table (nicknames.in_table)


def _similarity(pairs: TokenPairs, floor: float | None) -> np.ndarray:
    """token_similarity's rules on array form, with one OSA pass over every pair (and one
over the variant-group forms of the pairs the FOLDED_MIN_SIM rule may raise).

    OSA similarity is derived from the OSA distance (1 - distance / longer length, as
    rapidfuzz computes it), which also tells identical tokens (0), one slip (1) and which
    pairs may be prefix-related (distance = length gap): only those are checked for it.
    """
    edits = np.asarray(
        cpdist(pairs.left, pairs.right, scorer=OSA.distance, workers=-1), dtype=np.int64
    )
    left_len, right_len = pairs.left_len, pairs.right_len
    longest = np.maximum(left_len, right_len)
    ratio = np.divide(edits, longest, out=np.zeros(edits.shape), where=longest > 0)
    osa = 1.0 - ratio
    jaro = _jaro_winkler(pairs, osa, floor)
    sim = (jaro + osa) / 2
    shortest = np.minimum(left_len, right_len)
    prefixed = _prefix_related(pairs, edits, shortest)
    gap = np.abs(left_len - right_len)
    # "Ivan"/"Ivanov": a token extended by two letters or more is another name.
    sim = np.where(prefixed & (gap >= 2), sim * STEM_PENALTY, sim)
    one_edit = (edits == 1) & (shortest >= ONE_EDIT_MIN_LEN)
    sim = np.where(one_edit, np.maximum(sim, ONE_EDIT_SIM), sim)
    initial = prefixed & (left_len == 1) & (right_len > 1)
    sim = np.where(initial, np.maximum(sim, INITIAL_SIM), sim)
    sim = _folded_raised(pairs, sim)
    sim = _far_short_capped(pairs, sim, edits, shortest, prefixed)
    sim = _nicknames_raised(pairs, sim)
    sim = np.where(pairs.same_group, np.maximum(sim, 0.95), sim)
    exact = edits == 0
    sim = np.where(pairs.numeric & ~exact, 0.0, sim)
    sim = np.where(exact, 1.0, sim)
    sim = _without_other_units(pairs, sim, floor)
    return sim if floor is None else np.where(sim >= floor, sim, 0.0)


def _folded_raised(pairs: TokenPairs, sim: np.ndarray) -> np.ndarray:
    """``sim`` raised to the similarity of the tokens' variant-group forms where that is
    higher (the FOLDED_MIN_SIM rule). Only pairs whose forms differ from a spelling are looked
    at, the first-letter test only on the pairs that reach the bar."""
    long = np.minimum(pairs.left_canon_len, pairs.right_canon_len) >= FOLDED_MIN_LEN
    maybe = np.flatnonzero(long & pairs.folds & ~pairs.same_group & (sim < 1))
    if maybe.size == 0:
        return sim
    left, right = pairs.left_canon[maybe], pairs.right_canon[maybe]
    left_len, right_len = pairs.left_canon_len[maybe], pairs.right_canon_len[maybe]
    edits = np.asarray(cpdist(left, right, scorer=OSA.distance, workers=-1), dtype=np.int64)
    osa = 1.0 - edits / np.maximum(left_len, right_len)
    # The mean with Jaro-Winkler stays under FOLDED_VOWEL_SIM when OSA is under 2 * it - 1.
    near = np.flatnonzero(osa >= 2 * FOLDED_VOWEL_SIM - 1 - _BOUND_MARGIN)
    jaro = np.asarray(cpdist(
        left[near], right[near], scorer=JaroWinkler.normalized_similarity, workers=-1,
        dtype=np.float64,
    ))
    found = (jaro + osa[near]) / 2
    # "ifan"/"ifanuf" (Ivan/Ivanov): the stem rule holds for the forms too.
    gap = np.abs(left_len[near] - right_len[near])
    maybe_stem = np.flatnonzero((gap >= 2) & (edits[near] == gap))
    shorter = np.minimum(left_len, right_len)[near[maybe_stem]]
    found[maybe_stem[_starts_other(left[near[maybe_stem]], right[near[maybe_stem]], shorter)]] *= (
        STEM_PENALTY
    )
    high = np.flatnonzero(found >= FOLDED_VOWEL_SIM)
    high_left, high_right = left[near[high]], right[near[high]]
    reached = high[
        _same_sounds(high_left, high_right)
        & ((found[high] >= FOLDED_MIN_SIM) | _same_consonants(high_left, high_right))
    ]
    sim = sim.copy()
    rows = maybe[near[reached]]
    sim[rows] = np.maximum(sim[rows], found[reached])
    return sim


def _nicknames_raised(pairs: TokenPairs, sim: np.ndarray) -> np.ndarray:
    """``sim`` raised to NICKNAME_SIM for the pairs of a given name and its familiar forms
    ("Bob"/"Robert"). Only pairs whose tokens are both in the table are looked at."""
    maybe = np.flatnonzero(pairs.named & ~pairs.same_group & (sim < NICKNAME_SIM))
    if maybe.size == 0:
        return sim
    raised = maybe[nickname_pairs(
        pairs.left[maybe], pairs.right[maybe], pairs.left_canon[maybe], pairs.right_canon[maybe]
    )]
    sim = sim.copy()
    sim[raised] = NICKNAME_SIM
    return sim


def starts_other(left: str, right: str) -> bool:
    """One token starts the other."""
    return left.startswith(right) or right.startswith(left)


def same_sounds(left: str, right: str) -> bool:
    """The forms start with one letter, or both with a vowel (an Arabic alif is read a, i or
    u: "Ibrahim"/"Abrahim"), and have the same consonant sounds, a run of one sound once
    ("sackuni"/"sakuni"; not "garcia"/"garbia")."""
    first = left[:1] == right[:1] or (left[:1] in _FOLDED_VOWELS and right[:1] in _FOLDED_VOWELS)
    return first and _sound_runs(left) == _sound_runs(right)


@functools.lru_cache(maxsize=_CODES_KEPT)
def _sound_runs(form: str) -> str:
    return _DOUBLED.sub(r"\1", consonant_sounds(form))


def same_consonants(left: str, right: str) -> bool:
    """The forms differ in their vowels only: the same consonants (_CONSONANTS), every h
    counted, a run of one once (the FOLDED_VOWEL_SIM rule)."""
    return _consonant_runs(left) == _consonant_runs(right)


def folded_bar(left: str, right: str) -> float:
    """The similarity two variant-group forms with the same sounds need (FOLDED_MIN_SIM, or
    FOLDED_VOWEL_SIM for forms that differ in their vowels only)."""
    return FOLDED_VOWEL_SIM if same_consonants(left, right) else FOLDED_MIN_SIM


@functools.lru_cache(maxsize=_CODES_KEPT)  # the single-query path asks per pair
def _consonant_runs(form: str) -> str:
    return _DOUBLED.sub(r"\1", _SOFT_C.sub("s", form).translate(_CONSONANTS))


def _starts_other(left: np.ndarray, right: np.ndarray, shorter: np.ndarray) -> np.ndarray:
    """``starts_other`` of each pair, given the shorter length of each."""
    if left.size == 0:
        return np.zeros(0, dtype=bool)
    common = np.asarray(cpdist(left, right, scorer=Prefix.similarity, workers=-1), dtype=np.int64)
    starts: np.ndarray = common == shorter
    return starts


def _same_sounds(left: np.ndarray, right: np.ndarray) -> np.ndarray:
    """``same_sounds`` of each pair of forms."""
    lefts, rights = pl.Series(left, dtype=pl.Utf8), pl.Series(right, dtype=pl.Utf8)
    left_first, right_first = lefts.str.slice(0, 1), rights.str.slice(0, 1)
    vowels = pl.Series(list(_FOLDED_VOWELS)).implode()
    first = (left_first == right_first) | (left_first.is_in(vowels) & right_first.is_in(vowels))
    same = first & (_codes(lefts, _sound_runs) == _codes(rights, _sound_runs))
    return same.to_numpy()


def _same_consonants(left: np.ndarray, right: np.ndarray) -> np.ndarray:
    """``same_consonants`` of each pair of forms."""
    lefts, rights = pl.Series(left, dtype=pl.Utf8), pl.Series(right, dtype=pl.Utf8)
    same = _codes(lefts, _consonant_runs) == _codes(rights, _consonant_runs)
    return same.to_numpy()


def _codes(tokens: pl.Series, code: Callable[[str], str | None]) -> pl.Series:
    """``code`` of each token (null for None), computed once per distinct token."""
    distinct = tokens.unique()
    codes = pl.Series([code(token) for token in distinct.to_list()], dtype=pl.Utf8)
    return tokens.replace_strict(distinct, codes, return_dtype=pl.Utf8)


@functools.lru_cache(maxsize=_CODES_KEPT)
def consonant_sounds(token: str) -> str:
    """The token's consonant sounds as Soundex classes, a doubled letter once ("stubbs" ->
    "2312", "shammari" -> "256")."""
    return _DIGRAPH_H.sub("", _DOUBLED.sub(r"\1", token)).translate(_SOUND_CLASSES)


def sounds_apart(left: str, right: str) -> bool:
    """Two edits or more between the tokens' consonant sounds (the FAR_SHORT_SIM rule)."""
    return bool(OSA.distance(consonant_sounds(left), consonant_sounds(right)) >= 2)


def _far_short_capped(
    pairs: TokenPairs, sim: np.ndarray, edits: np.ndarray, shortest: np.ndarray,
    prefixed: np.ndarray,
) -> np.ndarray:
    """``sim`` capped at FAR_SHORT_SIM for short tokens two edits or more apart (neither
    starting the other) whose consonant sounds are apart too (``sounds_apart``). Only pairs
    the cap would lower are looked at, the sounds of each distinct token computed once."""
    maybe = np.flatnonzero(
        (sim > FAR_SHORT_SIM) & (edits >= 2) & (shortest <= SHORT_WORD_MAX_LEN) & ~prefixed
    )
    if maybe.size == 0:
        return sim
    lefts = _codes(pl.Series(pairs.left[maybe], dtype=pl.Utf8), consonant_sounds).to_numpy()
    rights = _codes(pl.Series(pairs.right[maybe], dtype=pl.Utf8), consonant_sounds).to_numpy()
    # sounds_apart of each pair.
    far = np.asarray(cpdist(lefts, rights, scorer=OSA.distance, workers=-1), dtype=np.int64) >= 2
    sim = sim.copy()
    capped = maybe[far]
    sim[capped] = np.minimum(sim[capped], FAR_SHORT_SIM)
    return sim


def other_units(left: str, right: str) -> bool:
    """Both tokens are Abd al-X units of different divine names ("abdalhaqq"/"abdallah",
    "abdalrahman"/"abdalrahim"): different names, however alike they are spelt."""
    return (
        left != right and left.startswith("abd") and right.startswith("abd")
        and joined_unit(left) == left and joined_unit(right) == right
    )


def _without_other_units(pairs: TokenPairs, sim: np.ndarray, floor: float | None) -> np.ndarray:
    """``sim`` with pairs of different units (``other_units``) at 0. Only pairs that are
    similar at all are looked at, the units of each distinct token found once."""
    close = np.flatnonzero((sim >= (floor or 0.0)) & (sim > 0) & (sim < 1) & ~pairs.same_group)
    if close.size == 0:
        return sim
    lefts = pl.Series(pairs.left[close], dtype=pl.Utf8)
    rights = pl.Series(pairs.right[close], dtype=pl.Utf8)
    units = np.flatnonzero(
        (lefts.str.starts_with("abd") & rights.str.starts_with("abd") & (lefts != rights))
        .to_numpy()
    )
    if units.size == 0:
        return sim
    # other_units of each pair whose tokens both start "abd".
    lefts, rights = lefts.gather(units), rights.gather(units)
    other = (
        (_codes(lefts, joined_unit) == lefts) & (_codes(rights, joined_unit) == rights)
    ).fill_null(value=False).to_numpy()
    sim = sim.copy()
    sim[close[units[other]]] = 0.0
    return sim


def _jaro_winkler(pairs: TokenPairs, osa: np.ndarray, floor: float | None) -> np.ndarray:
    """Jaro-Winkler similarity of the pairs that can reach ``floor`` (0 for the others).

    The mean with Jaro-Winkler (at most 1) stays under the floor when OSA similarity is
    under 2 * floor - 1; the rules after the mean only lower it or raise it to fixed values.
    """
    if floor is None:
        needed = np.ones(osa.shape, dtype=bool)
    else:
        needed = osa >= 2 * floor - 1 - _BOUND_MARGIN
    jaro = np.zeros(osa.shape)
    if needed.any():
        jaro[needed] = cpdist(
            pairs.left[needed], pairs.right[needed],
            scorer=JaroWinkler.normalized_similarity, workers=-1, dtype=np.float64,
        )
    return jaro


def _prefix_related(pairs: TokenPairs, edits: np.ndarray, shortest: np.ndarray) -> np.ndarray:
    """One token starts the other, looked at only where that can matter: a gap of two
    letters or more (extended stem) or a one-letter left token (initial)."""
    gap = np.abs(pairs.left_len - pairs.right_len)
    maybe = (edits == gap) & ((gap >= 2) | ((pairs.left_len == 1) & (pairs.right_len > 1)))
    related = np.zeros(edits.shape, dtype=bool)
    if maybe.any():
        common = cpdist(pairs.left[maybe], pairs.right[maybe], scorer=Prefix.similarity, workers=-1)
        related[maybe] = np.asarray(common, dtype=np.int64) == shortest[maybe]
    return related


def token_similarity_of_rows(
    left: pl.DataFrame, right: pl.DataFrame, left_rows: np.ndarray, right_rows: np.ndarray,
    *, floor: float | None = None,
) -> np.ndarray:
    """token_similarity of the pairs (row left_rows[i] of ``left``, row right_rows[i] of
    ``right``); ``left``/``right`` have token and canonical columns.

    With one row per distinct token, strings and their lengths are taken once per token
    instead of once per pair.
    """
    left_tokens, right_tokens = left.get_column("token"), right.get_column("token")
    left_canon, right_canon = left.get_column("canonical"), right.get_column("canonical")
    # One id space for both sides' variant groups: equal strings, equal ids.
    groups = pl.concat([left_canon, right_canon])
    group_ids = groups.rank("dense").to_numpy()
    lg, rg = group_ids[: left.height][left_rows], group_ids[left.height :][right_rows]
    return _similarity(
        TokenPairs(
            left=left_tokens.to_numpy()[left_rows], right=right_tokens.to_numpy()[right_rows],
            left_len=_lengths(left_tokens)[left_rows], right_len=_lengths(right_tokens)[right_rows],
            numeric=_is_number(left_tokens)[left_rows] | _is_number(right_tokens)[right_rows],
            same_group=(lg == rg) & ~np.isnan(lg) & ~np.isnan(rg),
            left_canon=left_canon.to_numpy()[left_rows],
            right_canon=right_canon.to_numpy()[right_rows],
            left_canon_len=_lengths(left_canon)[left_rows],
            right_canon_len=_lengths(right_canon)[right_rows],
            folds=(
                _folds(left_tokens, left_canon)[left_rows]
                | _folds(right_tokens, right_canon)[right_rows]
            ),
            named=(
                in_table(left_tokens, left_canon)[left_rows]
                & in_table(right_tokens, right_canon)[right_rows]
            ),
        ),
        floor,
    )


def _lengths(tokens: pl.Series) -> np.ndarray:
    return tokens.str.len_chars().to_numpy().astype(np.int64)


def _folds(tokens: pl.Series, canonical: pl.Series) -> np.ndarray:
    return (tokens != canonical).fill_null(value=False).to_numpy()


def _rows_by_id(ids: pl.Series) -> np.ndarray:
    """id -> row number (-1 where absent), for ids that are small integers."""
    positions = ids.to_numpy().astype(np.int64)
    row = np.full(int(positions.max()) + 1 if positions.size else 0, -1, dtype=np.int64)
    row[positions] = np.arange(positions.size)
    return row


def _pair_similarities(
    pair: pl.Series, query: pl.DataFrame, listed: pl.DataFrame, floor: float | None
) -> pl.DataFrame:
    """(pair, sim) for distinct token pairs packed as tid << 32 | ctid.

    ``query``/``listed``: tid, token, canonical rows. Strings are gathered from the distinct
    tokens by id (no per-pair string conversion); with ``floor``, only pairs reaching it.
    """
    left, right = query.unique("tid"), listed.unique("tid")
    packed = pair.to_numpy()
    left_rows = _rows_by_id(left.get_column("tid"))[(packed >> np.uint64(32)).astype(np.int64)]
    right_rows = _rows_by_id(right.get_column("tid"))[
        (packed & np.uint64(0xFFFFFFFF)).astype(np.int64)
    ]
    sim = token_similarity_of_rows(left, right, left_rows, right_rows, floor=floor)
    found = pl.DataFrame({"pair": pair, "sim": pl.Series(sim, dtype=pl.Float64)})
    return found if floor is None else found.filter(pl.col("sim") >= floor)


def token_pairs(
    pairs: pl.DataFrame, query_tokens: pl.DataFrame, list_tokens: pl.DataFrame,
    floor: float | None = None,
) -> pl.DataFrame:
    """Every (query token, list token) combination of each candidate pair, with similarity;
    with ``floor``, only the combinations at least that similar.

    Similarities are computed once per distinct token pair (names share many tokens) and
    joined back.
    """
    words = ~pl.col("token").str.starts_with("#")
    q = query_tokens.filter(words)
    c = list_tokens.filter(words).rename(
        {"pos": "cpos", "token": "ctoken", "canonical": "ccanon", "weight": "cweight",
         "tid": "ctid"}
    )
    # Work on integer token ids; strings are looked up once per distinct token pair. The big
    # frame holds token rows only: positions and weights are gathered for the kept rows.
    q, c = q.with_row_index("qrow"), c.with_row_index("crow")
    frame = pairs.join(q.select("qid", "qrow", "tid"), on="qid").join(
        c.select("name_id", "crow", "ctid"), on="name_id"
    )
    # One integer per token pair makes the distinct step and the join back cheap.
    pair_key = pl.col("tid").cast(pl.UInt64) * (1 << 32) + pl.col("ctid").cast(pl.UInt64)
    frame = frame.with_columns(pair_key.alias("pair"))
    sims = _pair_similarities(
        frame.get_column("pair").unique(),
        q.select("tid", "token", "canonical"),
        c.select(pl.col("ctid").alias("tid"), pl.col("ctoken").alias("token"),
                 pl.col("ccanon").alias("canonical")),
        floor,
    )
    kept = frame.join(sims, on="pair", how="left" if floor is None else "inner")
    q_rows, c_rows = kept.get_column("qrow"), kept.get_column("crow")
    return kept.with_columns(
        q.get_column("qpos").gather(q_rows), q.get_column("weight").gather(q_rows),
        c.get_column("cpos").gather(c_rows), c.get_column("cweight").gather(c_rows),
    ).select(*pairs.columns, "qpos", "tid", "weight", "cpos", "ctid", "cweight", "pair", "sim")


def align(token_pairs_frame: pl.DataFrame, floor: float) -> pl.DataFrame:
    """Greedy one-to-one alignment per pair: best similarities first, each token used once.

    Each round accepts the rows that are the best remaining choice for both their query token
    and their list token, then drops every row that reuses an accepted token.
    """
    # (pair, query token) and (pair, list token) packed in one integer each: cheap to test.
    keys = (
        (pl.col("pid").cast(pl.UInt64) * (1 << 32) + pl.col("qpos").cast(pl.UInt64)).alias("qkey"),
        (pl.col("pid").cast(pl.UInt64) * (1 << 32) + pl.col("cpos").cast(pl.UInt64)).alias("ckey"),
    )
    remaining = (
        token_pairs_frame.filter(pl.col("sim") >= floor)
        .sort(["pid", "sim", "qpos", "cpos"], descending=[False, True, False, False])
        .with_columns(*keys)
    )
    accepted: list[pl.DataFrame] = []
    for _ in range(MAX_ROUNDS):
        if remaining.height == 0:
            break
        chosen = remaining.filter(
            pl.col("qkey").is_first_distinct() & pl.col("ckey").is_first_distinct()
        )
        accepted.append(chosen)
        remaining = remaining.filter(
            ~pl.col("qkey").is_in(chosen["qkey"].implode())
            & ~pl.col("ckey").is_in(chosen["ckey"].implode())
        )
    if not accepted:
        return token_pairs_frame.clear()
    return pl.concat(accepted).drop("qkey", "ckey")


def score_pairs(
    pairs: pl.DataFrame,
    query_tokens: pl.DataFrame,
    list_tokens: pl.DataFrame,
    query_names: pl.DataFrame,
    list_names: pl.DataFrame,
    algorithm: Algorithm,
    rotated: pl.DataFrame | None = None,
) -> tuple[pl.DataFrame, pl.DataFrame]:
    """Name scores of candidate pairs and the token alignment behind each.

    ``pairs``: qid, name_id. ``query_tokens``/``list_tokens``: qid|name_id, pos, token, tid,
    canonical, weight. ``query_names``: qid, name (as written), joined. ``list_names``: name_id,
    joined, weak.
    Returns (scores: pid, qid, name_id, name_score, token_score, joined_score, method) and the
    aligned token rows (pid, qpos, cpos, tid, ctid, sim).
    """
    pairs = pairs.select("qid", "name_id").unique().with_row_index("pid")
    tp = token_pairs(
        pairs, query_tokens.rename({"pos": "qpos"}), list_tokens, algorithm.token_floor
    )
    aligned = align(tp, algorithm.token_floor)
    # (Bare words are told before grouping: an is_in per group costs a set per group.)
    q_total = query_tokens.with_columns(is_bare_word(pl.col("token")).alias("bare")).group_by(
        "qid"
    ).agg(
        pl.col("weight").sum().alias("q_total"),
        # A repeated word ("Sergey Sergey Shoigu") costs little when left unmatched.
        (pl.col("weight") * pl.col("tid").is_duplicated()).sum().alias("q_repeated"),
        pl.col("bare").all().alias("q_bare"),
    )
    c_total = list_tokens.with_columns(is_bare_word(pl.col("token")).alias("bare")).group_by(
        "name_id"
    ).agg(pl.col("weight").sum().alias("c_total"), pl.col("bare").all().alias("c_bare"))
    matched = aligned.group_by("pid").agg(
        (pl.col("weight") * pl.col("sim")).sum().alias("matched"),
        pl.col("weight").sum().alias("q_matched"),
        pl.col("cweight").sum().alias("c_matched"),
        pl.len().alias("n_aligned"),
        (pl.col("weight") > RARE_WEIGHT).any().alias("rare_matched"),
    )
    q_count = query_tokens.filter(~pl.col("token").str.starts_with("#")).group_by("qid").len(
        name="q_count"
    )
    sharp = query_tokens.filter(
        (pl.col("weight") > RARE_WEIGHT) & (pl.col("token").str.len_chars() > 1)
        & ~pl.col("token").str.starts_with("#")
    ).select("qid").unique().with_columns(pl.lit(value=True).alias("q_sharp"))
    list_words = list_tokens.filter(
        (pl.col("weight") > 0) & (pl.col("token").str.len_chars() > 1)
        & ~pl.col("token").str.starts_with("#")
    )
    c_words = list_words.group_by("name_id").len(name="c_words")
    query_words = query_tokens.filter(pl.col("token").str.len_chars() > 1).get_column("tid")
    c_words_aligned = (
        aligned.select(
            "pid",
            pl.col("ctid").is_in(list_words.get_column("tid").unique().implode()).alias("c_word"),
            # Initials alone hold no list word: "N" is not "NADINE".
            pl.col("tid").is_in(query_words.unique().implode()).alias("q_word"),
        )
        .group_by("pid")
        .agg(
            pl.col("c_word").sum().alias("c_words_aligned"),
            pl.col("q_word").any().alias("by_word"),
        )
    )
    joined = _pair_joined_similarity(
        pairs["qid"], pairs["name_id"], query_names, list_names,
        rotations(query_tokens) if rotated is None else rotated,
    )
    # One lazy query from here: Polars plans the joins and column steps together.
    scored = (
        pairs.with_columns(
            pl.Series("joined_score", joined * algorithm.joined_factor, dtype=pl.Float64)
        )
        .lazy()
        .join(matched.lazy(), on="pid", how="left")
        .join(q_total.lazy(), on="qid", how="left")
        .join(c_total.lazy(), on="name_id", how="left")
        .join(q_count.lazy(), on="qid", how="left")
        .join(sharp.lazy(), on="qid", how="left")
        .join(c_words.lazy(), on="name_id", how="left")
        .join(c_words_aligned.lazy(), on="pid", how="left")
        .join(
            query_names.lazy().select(
                "qid", pl.col("joined").alias("q_joined"),
                pl.col("name").str.len_chars().alias("q_chars"),
            ),
            on="qid",
        )
        .join(list_names.lazy().select("name_id", "joined", "weak"), on="name_id")
        .with_columns(pl.col("matched", "q_matched", "c_matched", "n_aligned").fill_null(0))
        .with_columns(pl.col("rare_matched", "q_sharp", "by_word").fill_null(value=False))
        .with_columns(pl.col("c_words", "c_words_aligned").fill_null(0))
    )
    unmatched_c = (pl.col("c_total") - pl.col("c_matched")).clip(0.0, None)
    unmatched_q = (pl.col("q_total") - pl.col("q_matched")).clip(0.0, None)
    repeated = pl.min_horizontal(pl.col("q_repeated") / 2, unmatched_q)
    charged_q = (unmatched_q - repeated) * algorithm.unmatched_query_weight + repeated * 0.2
    token_score = (
        pl.when(pl.col("q_total") > 0)
        .then(
            pl.col("matched")
            / (
                pl.col("q_matched") + charged_q
                + algorithm.unmatched_list_weight * unmatched_c
            )
        )
        .otherwise(0.0)
    )
    all_aligned = pl.col("n_aligned") >= pl.col("q_count")
    token_score = (
        pl.when(pl.col("rare_matched") | all_aligned)
        .then(token_score)
        .otherwise(pl.min_horizontal(token_score, pl.lit(algorithm.common_only_cap)))
    )
    # A vague query (no word both rare and longer than an initial: "Omar", "A. Ali") matches
    # only a list name whose every word it holds; else every "X Omar" on the lists is a hit.
    token_score = (
        pl.when(
            ~pl.col("q_sharp")
            & (
                (pl.col("c_words") > pl.col("c_words_aligned"))
                | ((pl.col("c_words") > 0) & ~pl.col("by_word"))
            )
        )
        .then(pl.min_horizontal(token_score, pl.lit(algorithm.common_only_cap)))
        .otherwise(token_score)
    )
    scored = scored.with_columns(token_score.clip(0.0, 1.0).alias("token_score"))
    # A long query that is the start of the list name was cut by a message field limit.
    truncated = (
        (pl.col("q_chars") >= TRUNCATED_MIN_CHARS)
        & (pl.col("q_joined").str.len_chars() >= TRUNCATED_MIN_LETTERS)
        & (pl.col("joined").str.len_chars() > pl.col("q_joined").str.len_chars())
        & pl.col("joined").str.starts_with(pl.col("q_joined"))
    )
    scored = scored.with_columns(truncated.alias("truncated")).with_columns(
        pl.when(pl.col("truncated"))
        .then(pl.max_horizontal("joined_score", pl.lit(TRUNCATED_SCORE)))
        .otherwise(pl.col("joined_score"))
        .alias("joined_score")
    )
    name_score = pl.max_horizontal("token_score", "joined_score")
    # A bare name (legal forms or punctuation only: "SL", "@") and a name with words of its
    # own are never the same name: "SL Trading" is not "SL".
    name_score = pl.when(pl.col("q_bare") == pl.col("c_bare")).then(name_score).otherwise(0.0)
    scored = scored.with_columns(
        pl.when(pl.col("weak"))
        .then(name_score * algorithm.weak_alias_factor)
        .otherwise(name_score)
        .alias("name_score"),
        pl.when(pl.col("truncated") & (pl.col("joined_score") > pl.col("token_score")))
        .then(pl.lit("truncated-name comparison"))
        .when(pl.col("joined_score") > pl.col("token_score"))
        .then(pl.lit("whole-name comparison"))
        .otherwise(pl.lit("token alignment"))
        .alias("method"),
    )
    return (
        # In pair order, as the eager joins gave it: equal scores keep their order downstream.
        scored.select(
            "pid", "qid", "name_id", "name_score", "token_score", "joined_score", "method"
        ).sort("pid").collect(),
        aligned.select("pid", "qpos", "cpos", "tid", "ctid", "sim"),
    )


def joined_similarity(left: pl.Series, right: pl.Series) -> np.ndarray:
    """Levenshtein similarity of whole names with their tokens glued together.

    Catches joined and split words ("AlisherUsmanov", "Patr ushev") that token alignment misses;
    names shorter than six letters are left to token alignment.
    """
    if left.len() == 0:
        return np.zeros(0)
    left, right = left.fill_null(""), right.fill_null("")
    same_digits = (_digits(left) == _digits(right)).to_numpy()
    return _joined_similarity(
        left.to_numpy(), right.to_numpy(), left.str.len_chars().to_numpy(), same_digits
    )


def _digits(texts: pl.Series) -> pl.Series:
    return texts.str.replace_all(r"\D+", "")  # runs, not characters: far fewer matches


def _joined_similarity(
    left: np.ndarray, right: np.ndarray, left_len: np.ndarray, same_digits: np.ndarray
) -> np.ndarray:
    """joined_similarity on arrays; ``same_digits``: both names hold the same digits."""
    # "FU YUAN YU 8649" is not "FU YUAN YU 8684": numbers must agree for this comparison.
    needed = (left_len >= 6) & same_digits
    sim = np.zeros(left.shape)
    if needed.any():
        # Only near-identical spellings count: the comparison is for spaces put in or left
        # out, not for long names that merely share boilerplate ("STATE ENTERPRISE FOR ...").
        sim[needed] = cpdist(
            left[needed], right[needed], scorer=Levenshtein.normalized_similarity,
            score_cutoff=JOINED_MIN_SIM, workers=-1, dtype=np.float64,
        )
    return np.where(sim >= JOINED_MIN_SIM, sim, 0.0)


@dataclass(frozen=True, slots=True)
class _Names:
    """Glued names of one side, found by id through ``row``; digits as comparable ids."""

    row: np.ndarray
    text: np.ndarray
    length: np.ndarray
    digits: np.ndarray


def _names(ids: pl.Series, joined: pl.Series, digit_ids: np.ndarray) -> _Names:
    return _Names(
        row=_rows_by_id(ids), text=joined.to_numpy(), length=joined.str.len_chars().to_numpy(),
        digits=digit_ids,
    )


def rotated_spellings(words: list[str]) -> list[str]:
    """The words glued in each rotation but their own order (see MAX_ROTATED_WORDS); none
    for a name holding a number (whose digits must agree in order)."""
    if not 2 <= len(words) <= MAX_ROTATED_WORDS or any(c.isdigit() for w in words for c in w):
        return []
    return ["".join(words[turn:] + words[:turn]) for turn in range(1, len(words))]


def rotations(query_tokens: pl.DataFrame) -> pl.DataFrame:
    """(turn, qid, joined): rotated_spellings of each query, turn by turn."""
    words = (
        query_tokens.filter(~pl.col("token").str.starts_with("#"))
        .sort("qid", "pos")
        .group_by("qid", maintain_order=True)
        .agg("token", pl.col("token").str.contains(r"\d").any().alias("digits"))
        .filter(pl.col("token").list.len().is_between(2, MAX_ROTATED_WORDS) & ~pl.col("digits"))
    )
    word = pl.col("token")
    return pl.concat([
        words.filter(word.list.len() > turn).select(
            pl.lit(turn).alias("turn"), "qid",
            pl.concat_list(word.list.slice(turn), word.list.slice(0, turn))
            .list.join("").alias("joined"),
        )
        for turn in range(1, MAX_ROTATED_WORDS)
    ])


def _pair_joined_similarity(
    qid: pl.Series, name_id: pl.Series, query_names: pl.DataFrame, list_names: pl.DataFrame,
    rotations: pl.DataFrame,
) -> np.ndarray:
    """joined_similarity of each (qid, name_id) pair, the query's words glued as written or
    in any of its ``rotations`` (the best counts). Strings are gathered by id from the
    distinct names instead of converted once per pair. Only the listed names the pairs hold
    are prepared: the whole index would cost as much as a large batch."""
    list_names = list_names.join(name_id.unique().to_frame("name_id"), on="name_id", how="semi")
    q_joined = query_names["joined"].fill_null("")
    c_joined = list_names["joined"].fill_null("")
    # One id space for both sides' digit strings: equal digits, equal ids.
    digit_ids = pl.concat([_digits(q_joined), _digits(c_joined)]).rank("dense").to_numpy()
    query = _names(query_names["qid"], q_joined, digit_ids[: q_joined.len()])
    listed = _names(list_names["name_id"], c_joined, digit_ids[q_joined.len() :])
    qids = qid.to_numpy().astype(np.int64)
    qi = query.row[qids]
    ci = listed.row[name_id.to_numpy().astype(np.int64)]
    same_digits = query.digits[qi] == listed.digits[ci]
    sim = _joined_similarity(query.text[qi], listed.text[ci], query.length[qi], same_digits)
    for (_,), turn in rotations.group_by("turn"):
        row = _rows_by_id(turn["qid"])
        rotated = np.flatnonzero(qids < row.size)
        rotated = rotated[row[qids[rotated]] >= 0]
        at = row[qids[rotated]]
        text = turn["joined"].to_numpy()
        sim[rotated] = np.maximum(sim[rotated], _joined_similarity(
            text[at], listed.text[ci[rotated]], query.length[qi[rotated]], same_digits[rotated]
        ))
    return sim
