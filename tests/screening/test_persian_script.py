"""Names the UN and EU lists give in Persian, Dari or Pashto script are found from their Latin
spellings on the same entries: Persian letter values, "-ullah" names written apart, glued
name pairs and the ZWNJ inside a word (real list files from the shared data)."""

from __future__ import annotations

import pytest

from lists.ingest import load_paths
from lists.store import ListStore
from screening.api import compare
from tests.conftest import shared_data_dir

UN = "un/consolidated_2026-02-27.xml"
PERSIAN_LETTERS = frozenset("\u06cc\u06a9\u067e\u0686\u0698\u06af")  # ی ک پ چ ژ گ


@pytest.fixture(scope="module")
def entries(tmp_path_factory: pytest.TempPathFactory) -> list[tuple[str, list[str]]]:
    """(name in Persian-script letters, the entry's Latin names) of the real UN list."""
    store = ListStore(tmp_path_factory.mktemp("persian") / "lists.duckdb")
    try:
        load_paths(store, [shared_data_dir() / UN])
        names = store.con.execute(
            "SELECT entity_id, name FROM entity_names ORDER BY entity_id, name"
        ).fetchall()
    finally:
        store.close()
    by_entity: dict[str, list[str]] = {}
    for entity, name in names:
        by_entity.setdefault(entity, []).append(name)
    return [
        (name, latin)
        for all_names in by_entity.values()
        for latin in [[n for n in all_names if n.isascii()]]
        for name in all_names
        if latin and not PERSIAN_LETTERS.isdisjoint(name)
    ]


def test_persian_script_names_find_their_latin_entry(
    entries: list[tuple[str, list[str]]],
) -> None:
    assert len(entries) == 108
    found = [compare(name, {"name": latin}, schema="Person").match for name, latin in entries]
    # 64 of 108 before the Persian reading, the ZWNJ and the "-ullah" names; 83 before
    # the FOLDED_VOWEL_SIM rule.
    assert sum(found) >= 84


@pytest.mark.parametrize(
    ("name", "latin"),
    [
        ("حبیب الله رشاد", "HABIBULLAH RESHAD"),
        ("محمدباقر قالیباف", "Mohammad Bagher Ghalibaf"),
        ("محمود احمدی‌نژاد", "Mahmoud Ahmadinejad"),
        ("رستم قاسمی", "Rostam Ghasemi"),
        ("احمد وحیدی", "Ahmad Vahidi"),
    ],
)
def test_persian_names(name: str, latin: str) -> None:
    assert compare(name, latin, schema="Person").match
