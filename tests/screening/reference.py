"""Plain-Python reference of the vectorised name scorer, one pair at a time (tests only)."""

from __future__ import annotations

import re

from rapidfuzz.distance import OSA, JaroWinkler, Levenshtein

from screening import refdata
from screening.algorithms import Algorithm
from screening.nicknames import NICKNAME_SIM
from screening.normalise import is_bare
from screening.scoring import (
    FAR_SHORT_SIM,
    FOLDED_MIN_LEN,
    FOLDED_MIN_SIM,
    FOLDED_VOWEL_SIM,
    INITIAL_SIM,
    JOINED_MIN_SIM,
    MAX_ROTATED_WORDS,
    ONE_EDIT_MIN_LEN,
    ONE_EDIT_SIM,
    RARE_WEIGHT,
    SHORT_WORD_MAX_LEN,
    STEM_PENALTY,
    TRUNCATED_MIN_CHARS,
    TRUNCATED_MIN_LETTERS,
    TRUNCATED_SCORE,
)
from screening.variants import canonical_token, joined_unit

_SOUNDEX = {**dict.fromkeys("bfpv", "1"), **dict.fromkeys("cgjkqsxz", "2"),
            **dict.fromkeys("dt", "3"), "l": "4", "m": "5", "n": "5", "r": "6"}


def consonant_sounds(token: str) -> str:
    """Soundex classes of the consonants: a doubled letter once, vowels/w/y dropped, h dropped
    after c, d, g, k, p, s, t or z."""
    letters = [ch for i, ch in enumerate(token) if i == 0 or token[i - 1] != ch]
    sounds = []
    for i, ch in enumerate(letters):
        digraph = ch == "h" and i > 0 and letters[i - 1] in "cdgkpstz"
        if ch not in "aeiouyw" and not digraph:
            sounds.append(_SOUNDEX.get(ch, ch))
    return "".join(sounds)


def sound_runs(form: str) -> str:
    """consonant_sounds with a run of one sound once."""
    return re.sub(r"(.)\1+", r"\1", consonant_sounds(form))


_CONSONANTS = {**dict.fromkeys("bp", "b"), **dict.fromkeys("fv", "f"),
               **dict.fromkeys("ckqgjx", "k"), **dict.fromkeys("sz", "s"),
               **dict.fromkeys("dt", "t")}


def consonant_runs(form: str) -> str:
    """The consonants, every h kept, b/p, f/v, c/k/q/g/j/x, s/z and d/t alike, a c before e,
    i or y as s; a run of one once."""
    letters = ["s" if ch == "c" and form[i + 1 : i + 2] in ("e", "i", "y") else ch
               for i, ch in enumerate(form)]
    kept = [_CONSONANTS.get(ch, ch) for ch in letters if ch not in "aeiouyw"]
    return "".join(c for i, c in enumerate(kept) if i == 0 or kept[i - 1] != c)


def folded_sim(a: str, b: str) -> float:
    """Similarity of two variant-group forms, 0 under FOLDED_MIN_SIM, for forms of
    FOLDED_MIN_LEN letters or more that start with one letter or both with a vowel and have
    the same consonant sounds (a run of one sound once); forms that differ in their vowels only
    (the same consonant_runs) need FOLDED_VOWEL_SIM."""
    if min(len(a), len(b)) < FOLDED_MIN_LEN:
        return 0.0
    if a[0] != b[0] and not (a[0] in "aeiouy" and b[0] in "aeiouy"):
        return 0.0
    if sound_runs(a) != sound_runs(b):
        return 0.0
    sim = (JaroWinkler.normalized_similarity(a, b) + OSA.normalized_similarity(a, b)) / 2
    if (a.startswith(b) or b.startswith(a)) and abs(len(a) - len(b)) >= 2:
        sim *= STEM_PENALTY
    bar = FOLDED_VOWEL_SIM if consonant_runs(a) == consonant_runs(b) else FOLDED_MIN_SIM
    return sim if sim >= bar else 0.0


def token_sim(a: str, b: str, canon_a: str, canon_b: str) -> float:
    if a == b:
        return 1.0
    if a.isdigit() or b.isdigit():
        return 0.0
    if canon_a != canon_b and joined_unit(a) == a and joined_unit(b) == b:
        return 0.0  # two Abd al-X units of different divine names
    sim = (JaroWinkler.normalized_similarity(a, b) + OSA.normalized_similarity(a, b)) / 2
    if (a.startswith(b) or b.startswith(a)) and abs(len(a) - len(b)) >= 2:
        sim *= STEM_PENALTY
    if min(len(a), len(b)) >= ONE_EDIT_MIN_LEN and OSA.distance(a, b) == 1:
        sim = max(sim, ONE_EDIT_SIM)
    if len(a) == 1 and len(b) > 1 and b.startswith(a):
        sim = max(sim, INITIAL_SIM)
    if (canon_a != a or canon_b != b) and canon_a != canon_b:
        sim = max(sim, folded_sim(canon_a, canon_b))
    far = OSA.distance(consonant_sounds(a), consonant_sounds(b)) >= 2
    prefixed = a.startswith(b) or b.startswith(a)
    short = min(len(a), len(b)) <= SHORT_WORD_MAX_LEN
    if OSA.distance(a, b) >= 2 and not prefixed and short and far:
        sim = min(sim, FAR_SHORT_SIM)
    if canon_a != canon_b and nicknames(a, canon_a) & nicknames(b, canon_b):
        sim = max(sim, NICKNAME_SIM)
    return max(sim, 0.95) if canon_a == canon_b else sim


def nicknames(token: str, canonical: str) -> set[str]:
    """The full names of the nickname table a token is a familiar form of, or a variant of."""
    return {
        full for full, forms in refdata.list_map("nicknames", "nicknames").items()
        if token in forms or canonical_token(full) == canonical
    }


def greedy_alignment(
    q: list[str], c: list[str], q_canon: list[str], c_canon: list[str], floor: float
) -> list[tuple[int, int, float]]:
    candidates = [
        (token_sim(qt, ct, q_canon[i], c_canon[j]), i, j)
        for i, qt in enumerate(q) if not qt.startswith("#")
        for j, ct in enumerate(c) if not ct.startswith("#")
    ]
    chosen: list[tuple[int, int, float]] = []
    used_q: set[int] = set()
    used_c: set[int] = set()
    for sim, i, j in sorted(candidates, key=lambda t: (-t[0], t[1], t[2])):
        if sim >= floor and i not in used_q and j not in used_c:
            chosen.append((i, j, sim))
            used_q.add(i)
            used_c.add(j)
    return chosen


def _vague(q: list[str], q_w: list[float]) -> bool:
    """No query word is both rare and longer than an initial."""
    return not any(
        w > RARE_WEIGHT and len(t) > 1 for t, w in zip(q, q_w, strict=True) if not t.startswith("#")
    )


def _loose_list_word(c: list[str], c_w: list[float], aligned: set[int]) -> bool:
    """A list word (not an initial, not weightless) not in ``aligned`` (list positions)."""
    return any(
        j not in aligned and c_w[j] > 0 and len(t) > 1 and not t.startswith("#")
        for j, t in enumerate(c)
    )


def reference_score(
    q: list[str], q_w: list[float], q_canon: list[str],
    c: list[str], c_w: list[float], c_canon: list[str],
    weak: bool, algorithm: Algorithm, q_chars: int = 0,
) -> float:
    """``q_chars``: length of the query as written (a long one may have been cut)."""
    if is_bare(q) != is_bare(c):
        return 0.0  # a bare name ("SL", "@") is compared only with bare names
    aligned = greedy_alignment(q, c, q_canon, c_canon, algorithm.token_floor)
    q_total = sum(q_w)
    matched = sum(q_w[i] * sim for i, _, sim in aligned)
    q_matched = sum(q_w[i] for i, _, _ in aligned)
    c_matched = sum(c_w[j] for _, j, _ in aligned)
    unmatched_c = max(sum(c_w) - c_matched, 0.0)
    unmatched_q = max(q_total - q_matched, 0.0)
    repeated_w = sum(w for t, w in zip(q, q_w, strict=True) if q.count(t) > 1)
    repeated = min(repeated_w / 2, unmatched_q)
    charged_q = (unmatched_q - repeated) * algorithm.unmatched_query_weight + repeated * 0.2
    denominator = q_matched + charged_q + algorithm.unmatched_list_weight * unmatched_c
    token = matched / denominator if q_total else 0.0
    rare = any(q_w[i] > RARE_WEIGHT for i, _, _ in aligned)
    words = [t for t in q if not t.startswith("#")]
    if not rare and len(aligned) < len(words):
        token = min(token, algorithm.common_only_cap)
    # A vague query must hold every list word, and not by initials alone ("N" is not "NADINE").
    by_word = any(len(q[i]) > 1 for i, _, _ in aligned)
    if _vague(q, q_w) and (
        _loose_list_word(c, c_w, {j for _, j, _ in aligned})
        or (not by_word and _loose_list_word(c, c_w, set()))
    ):
        token = min(token, algorithm.common_only_cap)
    token = min(max(token, 0.0), 1.0)
    q_joined = "".join(t for t in q if not t.startswith("#"))
    c_joined = "".join(t for t in c if not t.startswith("#"))
    same_numbers = re.sub(r"\D", "", q_joined) == re.sub(r"\D", "", c_joined)
    q_words = [t for t in q if not t.startswith("#")]
    turns = (
        range(len(q_words)) if 2 <= len(q_words) <= MAX_ROTATED_WORDS
        and not re.search(r"\d", q_joined) else range(1)
    )
    # The query's words glued as written, or rotated ("xiu ying zhang" as "zhangxiuying").
    raw = max(
        Levenshtein.normalized_similarity("".join(q_words[k:] + q_words[:k]), c_joined)
        for k in turns
    )
    joined = (
        raw if len(q_joined) >= 6 and same_numbers and raw >= JOINED_MIN_SIM else 0.0
    ) * algorithm.joined_factor
    if (
        q_chars >= TRUNCATED_MIN_CHARS
        and len(q_joined) >= TRUNCATED_MIN_LETTERS
        and len(c_joined) > len(q_joined)
        and c_joined.startswith(q_joined)
    ):
        joined = max(joined, TRUNCATED_SCORE)
    best = max(token, joined)
    return best * algorithm.weak_alias_factor if weak else best
