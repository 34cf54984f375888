"""The labelled-pairs benchmark builds the pairs it says it builds, from the real files, and
scores them through screening.compare."""

from __future__ import annotations

from benchmarks.pairs import (
    anetac_pairs,
    evaluate,
    febrl_pairs,
    run,
    senzing_names,
    senzing_pairs,
)
from screening.api import compare


def test_anetac_pairs_both_ways() -> None:
    sets = anetac_pairs(40, seed=3)
    forward, backward = sets["anetac ar->en"], sets["anetac en->ar"]
    assert sum(p.positive for p in forward) == sum(p.positive for p in backward) == 40
    assert 35 <= sum(not p.positive for p in forward) <= 40
    for pair in forward:
        assert pair.schema in ("Person", "Organization")
        # the Arabic-script name is the query, the Latin one the candidate
        assert any("\u0600" <= ch <= "\u06ff" for ch in pair.query["name"])
        assert pair.candidate["name"].isascii() or not any(
            "\u0600" <= ch <= "\u06ff" for ch in pair.candidate["name"])
    negatives = [p for p in backward if not p.positive]
    positives = {(p.query["name"], p.candidate["name"]) for p in backward if p.positive}
    assert all((p.query["name"], p.candidate["name"]) not in positives for p in negatives)


def test_febrl_pairs_are_labelled_by_record() -> None:
    sets = febrl_pairs(50, seed=4)
    names, dated = sets["febrl names"], sets["febrl names+dob"]
    assert len(names) == len(dated) == 100
    assert sum(p.positive for p in names) == 50
    assert all("birthDate" not in p.query for p in names)
    assert sum("birthDate" in p.query for p in dated) >= 40  # a few records lack a date
    # most negatives share the surname: the hard case of a screener
    shared = [p for p in names if not p.positive
              and p.query["name"].split()[-1:] == p.candidate["name"].split()[-1:]]
    assert len(shared) >= 25


def test_senzing_pairs_are_labelled_by_entity() -> None:
    """The demo truth set: 151 names (primary and native) of 85 entities; every two
    differently spelt names of one entity are a positive, each with a negative of another."""
    names = senzing_names()
    assert len(names) == 151
    assert len({entity for entity, _, _ in names}) == 85
    assert ("2051", "Person", "فيصل صديقي") in names
    entities: dict[str, set[str]] = {}
    for entity, _, name in names:
        entities.setdefault(name, set()).add(entity)
    pairs = senzing_pairs(seed=7)["senzing names"]
    positives = [p for p in pairs if p.positive]
    assert len(positives) == len(pairs) - len(positives) == 87
    for pair in pairs:
        query, candidate = entities[pair.query["name"]], entities[pair.candidate["name"]]
        assert pair.query["name"].casefold() != pair.candidate["name"].casefold()
        if pair.positive:
            assert query & candidate
        else:
            assert candidate - query or len(query) > 1
    # "Bob Smith" and "Robert Smith" are one entity: familiar forms are in the set
    assert any(p.query["name"] == "Bob Smith" and p.candidate["name"] == "Robert Smith"
               for p in positives)


def test_evaluate_counts_at_the_threshold() -> None:
    pairs = febrl_pairs(5, seed=5)["febrl names"]
    assert pairs[0].positive and not pairs[1].positive  # each duplicate: own, then another
    scores = [0.9 if p.positive else 0.1 for p in pairs]
    scores[0], scores[1] = 0.2, 0.95  # one positive missed, one negative flagged
    result = evaluate(pairs, scores, 0.75)
    assert result["positives"] == result["negatives"] == 5
    assert (result["tp"], result["fn"], result["fp"]) == (4, 1, 1)
    assert result["precision"] == result["recall"] == 0.8
    assert result["best_f1"] >= result["f1"]


def test_run_scores_through_compare() -> None:
    report = run(8, seed=6, peer_python=None)
    entry = report["sets"]["febrl names+dob"]
    assert entry["ours"]["positives"] == 8 and entry["ours"]["negatives"] == 8
    assert entry["ours"]["recall"] >= 0.5  # duplicates with a few typos and the same date
    for miss in entry["misses"]:
        query, candidate = miss["query"], miss["candidate"]
        assert abs(compare(query, candidate).score - miss["score"]) < 1e-3
