"""The synthetic batch generator: every format parses back to the same parties, the ground
truth points at the planted names, counterparties repeat with a skew; and batch_speed's recall."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import polars as pl
import pytest

from benchmarks.batch_speed import recall
from benchmarks.generate_batches import FORMATS, SUFFIX, generate_frame, write_batch
from benchmarks.variations import NAME_VARIATIONS
from lists.ingest import load_paths
from lists.store import ListStore
from screening.inputs import read_batch

UN_2026 = "un/consolidated_2026-02-27.xml"
ROWS = 400
PLANTED = 20  # 5% of 400


@pytest.fixture(scope="module")
def store(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ListStore]:
    from tests.conftest import shared_data_dir

    db = tmp_path_factory.mktemp("gen") / "un.duckdb"
    opened = ListStore(db)
    load_paths(opened, [shared_data_dir() / UN_2026])
    yield opened
    opened.close()


@pytest.fixture(scope="module")
def generated(store: ListStore) -> tuple[pl.DataFrame, pl.DataFrame]:
    return generate_frame(ROWS, store, seed=3, planted_share=0.05)


def test_ground_truth(store: ListStore, generated: tuple[pl.DataFrame, pl.DataFrame]) -> None:
    frame, truth = generated
    assert frame.height == ROWS and truth.height == PLANTED
    assert truth["source_position"].n_unique() == PLANTED
    assert truth["source_position"].is_between(1, ROWS).all()
    assert set(truth["category"]) <= {"exact", *NAME_VARIATIONS}
    assert set(truth["list_id"]) == {"un_sc"}
    listed = {r[0] for r in store.con.execute(
        "SELECT entity_id FROM entities JOIN snapshots USING (snapshot_id) WHERE is_current"
    ).fetchall()}
    assert set(truth["entity_id"]) <= listed
    # five distinct planted parties, each repeated four times
    assert truth["entity_id"].n_unique() == PLANTED // 4
    for row in truth.iter_rows(named=True):
        record = frame.row(row["source_position"] - 1, named=True)
        if row["role"] == "free_text":
            assert record["remittance_info"] == f"PAYMENT ON BEHALF OF {row['planted_name']}"
        else:
            assert record[f"{row['role']}_name"] == row["planted_name"]
            assert record[f"{row['role']}_birth_date"] is None


def test_deterministic_and_skewed(
    store: ListStore, generated: tuple[pl.DataFrame, pl.DataFrame]
) -> None:
    again, truth = generate_frame(ROWS, store, seed=3, planted_share=0.05)
    assert again.equals(generated[0]) and truth.equals(generated[1])
    counts = generated[0]["originator_name"].value_counts(sort=True)["count"]
    assert counts[0] >= 10 * counts.median()  # type: ignore[operator]


@pytest.mark.parametrize("fmt", FORMATS)
def test_every_format_parses_back(
    tmp_path: Path, generated: tuple[pl.DataFrame, pl.DataFrame], fmt: str
) -> None:
    frame, truth = generated
    path = write_batch(frame, fmt, tmp_path / f"batch{SUFFIX[fmt]}")
    parsed = read_batch(path)
    assert parsed.format == fmt
    assert parsed.records_read == ROWS and parsed.rejections == []
    assert parsed.warnings == []  # Parquet used to be flagged "not valid UTF-8"
    parties = parsed.parties
    for row in truth.iter_rows(named=True):
        at = parties.filter(
            (pl.col("source_position") == row["source_position"]) & (pl.col("role") == row["role"])
        )
        assert at.height == 1, (fmt, row)
        value = at["free_text"][0] if row["role"] == "free_text" else at["name"][0]
        expected = " ".join(row["planted_name"].split())
        if row["role"] == "free_text":
            assert " ".join(value.split()).endswith(expected[:20]), (fmt, value, expected)
        else:
            assert value.strip() == expected.strip(), (fmt, row)


def test_recall() -> None:
    truth = pl.DataFrame({
        "source_position": [1, 2, 3], "role": ["originator", "beneficiary", "free_text"],
        "entity_id": ["E1", "E2", "E3"], "list_id": ["l", "l", "l"],
        "category": ["exact", "typo", "typo"], "planted_name": ["a", "b", "c"],
    })
    alerts = pl.DataFrame({
        "source_position": [1, 1, 2, 3], "role": ["originator", "originator", "originator",
                                                  "free_text"],
        "entity_id": ["E1", "E1", "E2", "E3"], "list_id": ["l", "l", "l", "l"],
    })
    found = recall(truth, alerts)
    assert (found["planted"], found["found"], found["recall"]) == (3, 2, 0.6667)
    assert found["by_category"] == {
        "exact": {"planted": 1, "found": 1, "recall": 1.0},
        "typo": {"planted": 2, "found": 1, "recall": 0.5},
    }
    assert [m["source_position"] for m in found["missed_examples"]] == [2]


@pytest.mark.parametrize("fixed_width", [False, True])
def test_long_mt103_names_parse_back_whole(tmp_path: Path, fixed_width: bool) -> None:
    from benchmarks.generate_batches import _mt_party

    names = [
        "OBSHCHESTVO S OGRANICHENNOI OTVETSTVENNOSTYU FAM GRUPP",
        "TANZIM QA'IDAT AL-JIHAD FI JAZIRAT AL-ARAB",
        "ISLAMIC REVOLUTIONARY GUARD CORPS QODS FORCE",
    ]
    text = "".join(
        f":20:R{i}\n" + _mt_party("50K", name, "BE71096123456769", "RU", fixed_width)
        + _mt_party("59", "ANN LEE", None, None, fixed_width) + "$\n"
        for i, name in enumerate(names)
    )
    path = tmp_path / "long.txt"
    path.write_text(text, encoding="utf-8")
    parties = read_batch(path).parties.filter(pl.col("role") == "originator")
    assert parties["name"].to_list() == names
    assert parties["address"].to_list() == ["RU"] * 3
