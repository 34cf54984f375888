"""``screening.compare`` scores a pair through the fast path (``single.compare_match``) and gives
exactly what the batch path without blocking gives: the same score and the same explanation.

On labelled pairs from the shared evaluation data (ANETAC English/Arabic names both ways, Febrl
person records with dates of birth, true pairs and mismatched ones), on hand-picked cases
(legal forms, bare names, Cyrillic, countries, partial dates, the ofac algorithm) and on random
names made of real name words.
"""

from __future__ import annotations

import csv
import random
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from screening.algorithms import get_algorithm
from screening.api import _candidate_entity, compare, index_from_entities
from screening.readings import explained, with_readings
from screening.screener import Screener, query_frame
from screening.single import compare_match
from tests.conftest import shared_data_dir

Query = str | dict[str, Any]
Pair = tuple[Query, Query, str]
ANETAC = "eval/anetac/EN-AR_Named-entities.txt"
FEBRL = "eval/febrl/febrl_dataset1.csv"


def _screener(candidate: Query, schema: str, algorithm: str | None = None) -> Screener:
    entity = _candidate_entity(candidate, schema)
    return Screener(index_from_entities([entity]), get_algorithm(algorithm), blocking=False)


def batch_result(query: Query, candidate: Query, schema: str) -> tuple[float, str] | None:
    """What compare gave before the fast path: Screener.screen without blocking at 0."""
    hits = _screener(candidate, schema).screen(query_frame(query, schema), threshold=0.0, limit=1)
    if hits.height == 0:
        return None
    best = hits.sort("score", descending=True).row(0, named=True)
    return float(best["score"]), str(best["explanation"])


def fast_result(query: Query, candidate: Query, schema: str) -> tuple[float, str] | None:
    """compare's fast path, with the further readings of a name in another script (which
    the batch path adds as rows of the party) added as names."""
    read, readings = with_readings(query)
    hit = compare_match(_screener(candidate, schema), read, schema)
    return None if hit is None else (hit.score, explained(hit.explanation, readings))


def anetac_pairs(count: int, seed: int) -> list[Pair]:
    lines = (shared_data_dir() / ANETAC).read_text(encoding="utf-8").splitlines()
    rows = [line.split(" ", 2) for line in lines if line.strip()]
    pairs: list[Pair] = []
    for kind, english, arabic in random.Random(seed).sample(rows, count):
        schema = "Organization" if kind == "ORGANIZATION" else "Person"
        pairs += [(arabic, english, schema), (english, arabic, schema)]
    return pairs


def febrl_pairs(count: int, seed: int) -> list[Pair]:
    """(duplicate, its original) and (duplicate, another original), names and birth dates."""
    with (shared_data_dir() / FEBRL).open(encoding="utf-8") as handle:
        rows = list(csv.reader(handle, skipinitialspace=True))[1:]
    originals = {r[0].removesuffix("-org"): r for r in rows if r[0].endswith("-org")}
    rng = random.Random(seed)
    pairs: list[Pair] = []
    for dup in rng.sample([r for r in rows if "-dup-" in r[0]], count):
        own = originals.get(dup[0].split("-dup")[0])
        for candidate in (own, rng.choice(list(originals.values()))):
            if candidate is not None:
                pairs.append((
                    {"name": f"{dup[1]} {dup[2]}", "birthDate": dup[9]},
                    {"name": [f"{candidate[1]} {candidate[2]}"], "birthDate": [candidate[9]]},
                    "Person",
                ))
    return pairs


CASES: list[Pair] = [
    ("ACME Trading Ltd", "Acme Trading Company", "Organization"),
    ("SL", "SL", "Organization"),
    ("SL Trading", "SL", "Organization"),
    ("Mohammed bin Salman", "Muhammad ibn Salman al-Saud", "Person"),
    ("Иван Петров", "Ivan Petrov", "Person"),
    ("Usama bin Laden", {"name": ["Usama bin Ladin"], "birthDate": ["1957-03-10"]}, "Person"),
    (
        {"name": "Usama bin Laden", "birthDate": "1957", "nationality": "Saudi Arabia"},
        {"name": ["Usama bin Ladin", "Abu Abdallah"], "birthDate": ["1957-03-10"],
         "nationality": ["SA"]},
        "Person",
    ),
    ({"name": "John Smith", "country": "BE"}, {"name": ["Jon Smith"], "country": ["FR"]},
     "Person"),
    ("Mr Ahmad Shah Massoud", "MASSOUD, Ahmad Shah", "Person"),
    ("Bobby Smith", "Robert Smith", "Person"),  # a familiar form
    ("Xiu Ying Zhang", "张秀英", "Person"),  # reordered, the given name split
    ("Faisal Siddiqui", "فيصل صديقي", "Person"),
    ("@", "@", "Person"),
]


def _assert_same(pairs: list[Pair]) -> int:
    """Every pair the fast path answers agrees with the batch path; returns how many it did."""
    answered = 0
    for query, candidate, schema in pairs:
        fast = fast_result(query, candidate, schema)
        if fast is None:
            continue
        answered += 1
        batch = batch_result(query, candidate, schema)
        assert batch is not None, (query, candidate)
        assert fast[0] == pytest.approx(batch[0], abs=1e-9), (query, candidate)
        assert fast[1] == batch[1], (query, candidate)
    return answered


def test_labelled_pairs_agree() -> None:
    pairs = anetac_pairs(60, seed=11) + febrl_pairs(60, seed=12)
    assert _assert_same(pairs) == len(pairs)  # and the fast path declined none


def test_cases_agree() -> None:
    assert _assert_same(CASES) == len(CASES)


def test_compare_gives_the_fast_answer() -> None:
    query = {"name": "Usama bin Laden", "birthDate": "1957-03-10"}
    candidate = {"name": ["Usama bin Ladin"], "birthDate": ["1957-03-10"]}
    result = compare(query, candidate)
    fast = fast_result(query, candidate, "Person")
    assert fast is not None
    assert (result.score, result.explanation) == fast
    assert result.match and result.score > 0.95
    assert "1957-03-10" in result.explanation


def test_other_algorithms_take_the_batch_path() -> None:
    screener = _screener("Usama bin Ladin", "Person", "ofac")
    assert compare_match(screener, "Usama bin Laden", "Person") is None
    ofac = compare("Usama bin Laden", "Usama bin Ladin", algorithm="ofac")
    assert ofac.algorithm.startswith("ofac") and ofac.score > 0.8


def test_a_query_without_words_falls_back() -> None:
    result = compare("", "Usama bin Ladin")
    assert result.score == 0.0 and not result.match


_WORDS = ["mohammed", "al", "hassan", "ivan", "petrov", "trading", "ltd", "bin", "abdul",
          "rahman", "jean", "dupont", "o'neil", "gmbh", "sl", "a.", "de", "la", "x"]
_NAMES = st.lists(st.sampled_from(_WORDS), min_size=1, max_size=4).map(" ".join)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(query=_NAMES, candidate=_NAMES,
       schema=st.sampled_from(["Person", "Organization", "Vessel"]))
def test_random_names_agree(query: str, candidate: str, schema: str) -> None:
    fast = fast_result(query, candidate, schema)
    batch = batch_result(query, candidate, schema)
    if fast is not None:
        assert batch is not None
        assert fast[0] == pytest.approx(batch[0], abs=1e-9)
        assert fast[1] == batch[1]



def test_a_candidate_in_another_script_is_read_every_way() -> None:
    """As in the store's index, every romanisation of the candidate's name is compared: the
    French-style reading of an Arabic name, the Wikipedia-style reading of a Cyrillic one."""
    assert compare("Faycal el Chérif", "فيصل الشريف").score == 1.0
    assert compare("Vasiliev Alexandr", "Васильев Александр").score == 1.0
    assert compare("Faysal al Sharif", "فيصل الشريف").score == 1.0


def test_a_kept_candidate_answers_every_query_alike() -> None:
    """compare keeps the screener of a candidate it has seen: the answers do not change, and
    the schema and algorithm asked for are part of what is kept."""
    candidate = {"name": ["Usama bin Ladin"], "birthDate": ["1957-03-10"]}
    queries: list[Query] = [
        "Usama bin Laden", {"name": "Osama bin Laden", "birthDate": "1957"}, "John Smith",
    ]
    first = [compare(q, candidate) for q in queries]
    assert [compare(q, candidate) for q in queries] == first
    assert [compare(q, dict(candidate)) for q in queries] == first
    batch = [batch_result(q, candidate, "Person") for q in queries]
    assert [(c.score, c.explanation) for c in first[:2]] == batch[:2]
    for schema in ("Organization", "Vessel", "Person"):
        kept = compare("Usama bin Laden", candidate, schema=schema)
        assert (kept.score, kept.explanation) == batch_result("Usama bin Laden", candidate, schema)
    assert compare("Usama bin Laden", candidate, algorithm="ofac").algorithm.startswith("ofac")
