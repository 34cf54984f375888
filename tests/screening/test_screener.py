"""Screening against the real UN list in a real DuckDB store."""

from __future__ import annotations

from pathlib import Path

import polars as pl
import pytest

from lists.ingest import load_paths
from lists.store import ListStore
from screening import compare, open_screener
from screening import index as index_module
from screening.algorithms import DEFAULT
from screening.legal_words import stray_short_forms
from screening.screener import QueryError, Screener

UN_2026 = "un/consolidated_2026-02-27.xml"


@pytest.fixture(scope="module")
def un_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    from tests.conftest import shared_data_dir

    db = tmp_path_factory.mktemp("screen") / "un.duckdb"
    store = ListStore(db)
    load_paths(store, [shared_data_dir() / UN_2026])
    store.close()
    return db


@pytest.fixture(scope="module")
def screener(un_db: Path) -> Screener:
    return open_screener(un_db)


def test_every_un_name_finds_its_entity(screener: Screener) -> None:
    names = screener.index.names.filter(pl.col("kind") != "original_script").select(
        "name", "schema", "entity_id"
    ).unique(["name", "entity_id"])
    hits = screener.screen(names.select("name", "schema"), limit=None)
    found = hits.join(
        names.with_row_index("row").select("row", pl.col("entity_id").alias("expected")),
        on="row",
    ).filter(pl.col("entity_id") == pl.col("expected"))
    missed = names.with_row_index("row").join(found.select("row").unique(), on="row", how="anti")
    assert missed.height == 0, missed.head(10)


def test_screen_contract_and_passthrough(screener: Screener) -> None:
    frame = pl.DataFrame(
        {"name": ["Ayman al-Zawahiri", "Jane Ordinary Citizen"], "txn": ["T1", "T2"]}
    )
    hits = screener.screen(frame)
    for column in ("row", "entity_id", "list_id", "matched_name", "score", "explanation", "txn"):
        assert column in hits.columns
    assert set(hits["row"].to_list()) == {0}
    assert hits["txn"].unique().to_list() == ["T1"]
    assert hits["list_id"].unique().to_list() == ["un_sc"]
    assert (hits["score"] >= screener.default_threshold).all()


def test_missing_name_column_is_a_clear_error(screener: Screener) -> None:
    with pytest.raises(QueryError, match="'name' column"):
        screener.screen(pl.DataFrame({"nom": ["x"]}))


def test_arabic_script_query_finds_latin_entry(screener: Screener) -> None:
    hits = screener.match("أيمن الظواهري")
    assert hits, "no hit for the Arabic-script name"
    assert "ZAWAHIRI" in hits[0].caption.upper()


def test_date_of_birth_moves_the_score(screener: Screener) -> None:
    base = screener.match("Ayman al-Zawahiri", threshold=0.5)[0]
    entity = screener.index.entities.filter(pl.col("entity_id") == base.entity_id).row(
        0, named=True
    )
    listed = entity["birth_dates"][0]
    same = screener.match(
        {"properties": {"name": ["Ayman al-Zawahiri"], "birthDate": [listed]}}, threshold=0.5
    )
    other = screener.match(
        {"properties": {"name": ["Ayman al-Zawahiri"], "birthDate": ["1990-01-01"]}},
        threshold=0.5,
    )
    top_same = next(h for h in same if h.entity_id == base.entity_id)
    top_other = next(h for h in other if h.entity_id == base.entity_id)
    assert top_same.score >= base.score > top_other.score
    assert "does not match the listed" in top_other.explanation


def test_identifier_alone_is_strong_evidence(screener: Screener) -> None:
    ids = screener.index.identifiers.filter(pl.col("kind") == "passport").row(0, named=True)
    frame = pl.DataFrame({"name": ["Completely Different Name"], "identifier": [ids["value"]]})
    hits = screener.screen(frame)
    assert ids["entity_id"] in hits["entity_id"].to_list()
    hit = hits.filter(pl.col("entity_id") == ids["entity_id"]).row(0, named=True)
    assert hit["score"] >= 0.99 and "Identifier" in hit["explanation"]


def test_explanation_names_tokens_and_method(screener: Screener) -> None:
    hit = screener.match("Aiman Zawahiri")[0]
    assert "Query name 'Aiman Zawahiri'" in hit.explanation
    assert "token alignment" in hit.explanation
    assert f"tf-default v{DEFAULT.version}" in hit.explanation


def test_index_is_cached_per_snapshot(un_db: Path) -> None:
    cache = Path(str(un_db) + ".index")
    assert cache.is_dir() and any(cache.iterdir())
    again = open_screener(un_db)
    assert again.index.names.height > 0


def test_index_cache_key_follows_reference_data(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """An edited spelling table must never meet an index built with the old one."""
    store = ListStore(tmp_path / "k.duckdb")
    snapshots = store.current_snapshots()
    store.close()
    data = tmp_path / "data"
    data.mkdir()
    for source in index_module.REFERENCE_DATA.glob("*.yml"):
        (data / source.name).write_bytes(source.read_bytes())
    monkeypatch.setattr(index_module, "REFERENCE_DATA", data)
    index_module.reference_data_digest.cache_clear()
    before = index_module.cache_key(snapshots)
    with (data / "titles.yml").open("a", encoding="utf-8") as handle:
        handle.write("\n# edited\n")
    index_module.reference_data_digest.cache_clear()
    after = index_module.cache_key(snapshots)
    index_module.reference_data_digest.cache_clear()
    assert before != after


CASES = [
    # (query, candidate, schema, should match)
    ("Osama bin Laden", "Usama bin Ladin", "Person", True),
    ("Bin Laden, Usama", "Usama bin Laden", "Person", True),
    ("Mr. Mohammed Al-Hussein", "Muhammad al Husayn", "Person", True),
    ("Jon Smyth", "John Smith", "Person", True),
    ("Ig0r Sech1n", "Igor Sechin", "Person", True),
    ("AlisherUsmanov", "Alisher Usmanov", "Person", True),
    ("Acme Trading LLC", "ACME TRADING LIMITED", "Organization", True),
    ("Ivan Petrov", "Ivanov Petrovich", "Person", False),
    ("George Bush", "George Habbash", "Person", False),
    ("A-B-C Company", "X-Y-Z Company", "Organization", False),
    ("LLC", "Acme LLC", "Organization", False),
    ("Mohammed Ali", "Mohammed Hassan", "Person", False),
    # Abd al-X units of different divine names are different names; a slip in one is not.
    ("Abduo Haq Mansour", "Abdallah Mansour", "Person", False),
    ("Abdul Rahman Ali Hassan", "Abdul Rahim Ali Hassan", "Person", False),
    ("Abdul Rahmaan Ali Hassan", "Abd al-Rahman Ali Hassan", "Person", True),
]


@pytest.mark.parametrize(("query", "candidate", "schema", "expected"), CASES)
def test_compare_cases(query: str, candidate: str, schema: str, expected: bool) -> None:
    result = compare(query, candidate, schema=schema)
    assert result.match is expected, (result.score, result.explanation)
    assert 0.0 <= result.score <= 1.0 and result.explanation


def test_compare_with_properties() -> None:
    query = {"schema": "Person", "properties": {"name": ["Usama bin Laden"],
                                                "birthDate": ["1957-03-10"]}}
    same = compare(query, {"name": ["Usama bin Ladin"], "birthDate": ["1957-03-10"]})
    other = compare(query, {"name": ["Usama bin Ladin"], "birthDate": ["1980-01-01"]})
    assert same.score > other.score and same.match


def test_ofac_mode_scores_by_faq_249(un_db: Path) -> None:
    ofac = open_screener(un_db, "ofac")
    hit = ofac.match("Aiman Zawahiri")[0]
    assert "ZAWAHIRI" in hit.caption.upper()
    assert (hit.algorithm, hit.algorithm_version) == ("ofac", "1")
    assert "OFAC" in hit.explanation
    # Candidates must share the first letter: a reordered name is not found by OFAC's rule.
    assert not ofac.match("Zawahiri Zzzz", threshold=0.5)


def test_unknown_algorithm_is_refused(un_db: Path) -> None:
    with pytest.raises(ValueError, match="unknown algorithm"):
        open_screener(un_db, "nope")


def test_few_rows_take_the_fast_path_with_the_same_hits(screener: Screener) -> None:
    batch = Screener(screener.index, screener.algorithm, fast=False)
    frame = pl.DataFrame(
        {
            "name": ["Ayman al-Zawahiri", "Aiman Zawahiri", "Jane Ordinary Citizen", ""],
            "birth_date": ["1951-06-19", None, None, None],
            "country": ["eg", None, "BE", None],
            "txn": ["T1", "T2", "T3", "T4"],
        }
    )
    for threshold, limit in ((None, 50), (0.6, 2)):
        fast = screener.screen(frame, threshold=threshold, limit=limit)
        slow = batch.screen(frame, threshold=threshold, limit=limit)
        assert fast.height > 0
        assert fast.schema == slow.schema
        assert fast.sort("row", "list_id", "entity_id").equals(
            slow.sort("row", "list_id", "entity_id")
        )


def test_stray_short_legal_form_words_weigh_nothing_in_the_index(screener: Screener) -> None:
    info = screener.index.token_info.filter(pl.col("token").is_in(stray_short_forms()))
    assert info.height > 0  # the UN list holds some ("joint", "stock"...)
    assert info["weight"].to_list() == [0.0] * info.height


def test_a_misspelt_one_word_query_finds_a_name_of_one_common_word(screener: Screener) -> None:
    """"Hajji Yusif" is indexed as the one common word "yusif" (the title goes): a misspelt
    "Yusiif" shares no rare word with it, yet must find it."""
    common = screener.index.tokens.filter(
        (pl.col("weight") <= 0.3) & (pl.col("token").str.len_chars() >= 5)
    ).select("name_id", "token")
    one_word = screener.index.names.filter(pl.col("tokens").list.len() == 1).join(
        common, on="name_id"
    ).sort("name_id")
    assert one_word.height > 0
    row = one_word.row(0, named=True)
    token = str(row["token"])
    misspelt = token[:2] + token[2] + token[2:]  # one letter doubled
    hits = screener.match(misspelt, schema=str(row["schema"]), limit=50)
    assert row["entity_id"] in {h.entity_id for h in hits}, (token, misspelt)


def test_parties_as_dicts_get_the_hits_of_the_same_frame(screener: Screener) -> None:
    records = [
        {"name": " Ayman al-Zawahiri ", "schema": None, "birth_date": "1951-06-19",
         "country": "eg", "nationality": None, "identifier": None, "ref": "T1"},
        {"name": "Aiman Zawahiri", "schema": "Person", "birth_date": None, "country": None,
         "nationality": "eg", "identifier": None, "ref": "T2"},
        {"name": "Jane Ordinary Citizen", "schema": "Person", "birth_date": None,
         "country": "BE", "nationality": None, "identifier": None, "ref": "T3"},
    ]
    frame = pl.DataFrame(records)
    for threshold, limit, lists in ((None, 50, None), (0.6, 2, None), (None, 50, ["nope"])):
        expected = screener.screen(frame, threshold=threshold, limit=limit, lists=lists)
        found = screener.screen_records(records, threshold=threshold, limit=limit, lists=lists)
        assert found == expected.to_dicts()
        assert bool(found) == (lists is None)
    many = records * 7  # past the fast path's few rows: the frame path, same answer
    assert screener.screen_records(many) == screener.screen(pl.DataFrame(many)).to_dicts()
    with pytest.raises(QueryError, match="name"):
        screener.screen_records([{"schema": "Person"}])


def test_warm_caches_give_the_hits_of_a_fresh_screener(screener: Screener) -> None:
    listed = screener.index.names["name"].head(300).to_list()
    # Misspelt and unseen words exercise the unseen-token and similar-word caches, short
    # queries (one word, an initial) the short-word cache.
    names = [
        *listed, "Foundationn Al Rashid", "Zzyqor Petrovv", "Aymann al-Zawahiry", "LLC",
        "Zawahiry", "A. Rashidd",
    ]
    first = pl.DataFrame({"name": names})
    # The second batch repeats some names, in another order, among new ones.
    second = pl.DataFrame({"name": [*names[::-2], "Osama bin Ladn", "Jane Ordinary Citizen"]})
    warm = Screener(screener.index)
    warm.screen(first)
    for batch in (first, second):
        fresh = Screener(screener.index).screen(batch)
        assert warm.cache.names.rows is not None
        assert warm.cache.short.rows is not None
        assert warm.screen(batch).equals(fresh)


def test_a_typed_query_of_another_kind_than_the_entry_scores_lower(screener: Screener) -> None:
    """A person is never an organisation: a person's name equal to a listed organisation's
    is a weaker hit, explained; an untyped payment party is not marked down."""
    org = screener.index.names.filter(
        (pl.col("schema") == "Organization") & (pl.col("kind") == "primary")
    ).sort("name_id")["name"][0]
    typed = {h.entity_id: h for h in screener.match(org, schema="Person", threshold=0.5)}
    untyped = screener.screen(pl.DataFrame({"name": [org]}), threshold=0.5)
    as_org = screener.match(org, schema="Organization", limit=1)[0]
    best = typed[as_org.entity_id]
    assert as_org.score == 1.0
    assert best.score == pytest.approx(1.0 + DEFAULT.schema_mismatch)
    assert "the query is a person, the list entry an organisation" in best.explanation.lower()
    assert untyped.filter(pl.col("entity_id") == as_org.entity_id)["score"].max() == 1.0
    batch = screener.screen(pl.DataFrame({"name": [org] * 20, "schema": ["Person"] * 20}))
    assert batch.filter(pl.col("entity_id") == as_org.entity_id)["score"].max() == best.score


def test_match_without_a_kind_reads_the_query_as_untyped(screener: Screener) -> None:
    """``match`` with no schema (a bare name, or a dict without one) is a party of unknown
    kind: the organisation's own name scores 1.0, with no kind qualifier in the explanation."""
    org = screener.index.names.filter(
        (pl.col("schema") == "Organization") & (pl.col("kind") == "primary")
    ).sort("name_id")["name"][0]
    for query in (org, {"properties": {"name": [org]}}):
        best = screener.match(query, limit=1)[0]
        assert best.score == 1.0
        assert "the query is a" not in best.explanation.lower()
    typed = {"schema": "Person", "properties": {"name": [org]}}
    assert screener.match(typed, limit=1)[0].score < 1.0
