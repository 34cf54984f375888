"""The snapshot store on a real DuckDB file with the real UN lists of 2018 and 2026."""

from __future__ import annotations

import hashlib
import re
from pathlib import Path

import duckdb
import pytest

from lists import un
from lists.delta import compute_delta, latest_delta
from lists.errors import DuplicateEntityError, ListFormatError
from lists.ingest import load_paths
from lists.model import Entity, Name, ParsedList, Schema
from lists.store import ListStore, RawFile

UN_2018 = "un/consolidated_2018-10-29.xml"
UN_2026 = "un/consolidated_2026-02-27.xml"


def dataids(path: Path) -> set[str]:
    """DATAIDs of a UN file, read with a plain regex, independent of the loader."""
    return set(re.findall(r"<DATAID>\s*(\d+)\s*</DATAID>", path.read_text(encoding="utf-8")))


@pytest.fixture
def store(tmp_path: Path) -> ListStore:
    return ListStore(tmp_path / "store.duckdb")


def test_load_creates_versioned_snapshots(store: ListStore, shared_data: Path) -> None:
    first = load_paths(store, [shared_data / UN_2018])[0]
    second = load_paths(store, [shared_data / UN_2026])[0]
    assert (first.list_id, first.version, first.entities) == ("un_sc", 1, 1093)
    assert (second.version, second.entities) == (2, 1003)
    current = store.current("un_sc")
    assert current is not None and current.version == 2 and current.is_current
    assert [s.is_current for s in store.snapshots("un_sc")] == [False, True]
    raw = (shared_data / UN_2026).read_bytes()
    assert current.sha256 == hashlib.sha256(raw).hexdigest()
    assert current.published is not None and current.published.startswith("2026-02-27")


def test_raw_file_is_kept_byte_for_byte(store: ListStore, shared_data: Path) -> None:
    load_paths(store, [shared_data / UN_2026])
    current = store.current("un_sc")
    assert current is not None
    kept = store.raw_files(current.snapshot_id)
    assert [f.filename for f in kept] == ["consolidated_2026-02-27.xml"]
    assert kept[0].content == (shared_data / UN_2026).read_bytes()


def test_identical_reload_creates_nothing(store: ListStore, shared_data: Path) -> None:
    load_paths(store, [shared_data / UN_2026])
    again = load_paths(store, [shared_data / UN_2026])[0]
    assert not again.created and again.version == 1
    assert len(store.snapshots("un_sc")) == 1


def test_entities_round_trip(store: ListStore, shared_data: Path) -> None:
    parsed = un.load([shared_data / UN_2026], None)
    load_paths(store, [shared_data / UN_2026])
    current = store.current("un_sc")
    assert current is not None
    stored = {e.entity_id: e for e in store.entities(current.snapshot_id)}
    assert len(stored) == 1003
    for entity in parsed.entities[:50]:
        assert stored[entity.entity_id] == entity
    names = store.con.execute(
        "SELECT count(*) FROM entity_names WHERE snapshot_id = ?", [current.snapshot_id]
    ).fetchone()
    assert names is not None and names[0] == current.name_count
    assert current.name_count == sum(len(e.names) for e in parsed.entities)


def test_delta_between_real_versions(store: ListStore, shared_data: Path) -> None:
    load_paths(store, [shared_data / UN_2018])
    load_paths(store, [shared_data / UN_2026])
    delta = latest_delta(store, "un_sc")
    assert delta is not None
    old_ids, new_ids = dataids(shared_data / UN_2018), dataids(shared_data / UN_2026)
    assert {i for i, _ in delta.added} == new_ids - old_ids
    assert {i for i, _ in delta.removed} == old_ids - new_ids
    assert 0 < len(delta.changed) <= len(old_ids & new_ids)
    old_snap, new_snap = store.snapshots("un_sc")
    for change in delta.changed[:20]:
        before = store.entity(old_snap.snapshot_id, change.entity_id)
        after = store.entity(new_snap.snapshot_id, change.entity_id)
        assert before is not None and after is not None
        for field_change in change.changes:
            assert before.to_dict()[field_change.field] != after.to_dict()[field_change.field]


def test_delta_of_identical_snapshots_is_empty(store: ListStore, shared_data: Path) -> None:
    load_paths(store, [shared_data / UN_2026])
    snap = store.current("un_sc")
    assert snap is not None
    delta = compute_delta(store, snap, snap)
    assert (delta.added, delta.removed, delta.changed) == ([], [], [])


def test_duplicate_ids_leave_store_unchanged(store: ListStore) -> None:
    twice = [
        Entity("1", "custom", Schema.PERSON, [Name("A B")]),
        Entity("1", "custom", Schema.PERSON, [Name("C D")]),
    ]
    parsed = ParsedList(list_id="custom", format="custom", entities=twice)
    with pytest.raises(DuplicateEntityError, match="'1'"):
        store.add_snapshot(parsed, [RawFile("x.csv", b"x")], "test")
    assert store.snapshots() == []


def test_failed_insert_rolls_back_everything(store: ListStore, shared_data: Path) -> None:
    parsed = un.load([shared_data / UN_2026], None)
    store.con.execute("DROP TABLE entity_identifiers")  # the third insert of the load fails
    with pytest.raises(duckdb.Error):
        store.add_snapshot(parsed, [RawFile.read(shared_data / UN_2026)], "test")
    assert store.snapshots() == []
    count = store.con.execute("SELECT count(*) FROM entities").fetchone()
    assert count is not None and count[0] == 0


def test_bad_file_in_a_batch_stores_nothing(
    store: ListStore, shared_data: Path, tmp_path: Path
) -> None:
    truncated = tmp_path / "consolidated.xml"
    truncated.write_bytes((shared_data / UN_2026).read_bytes()[:500_000])
    with pytest.raises(ListFormatError, match=r"consolidated\.xml"):
        load_paths(store, [shared_data / UN_2018, truncated])
    assert store.snapshots() == []


def test_store_survives_reopening(tmp_path: Path, shared_data: Path) -> None:
    path = tmp_path / "store.duckdb"
    first = ListStore(path)
    load_paths(first, [shared_data / UN_2026])
    first.close()
    again = ListStore(path)
    current = again.current("un_sc")
    assert current is not None and current.entity_count == 1003
