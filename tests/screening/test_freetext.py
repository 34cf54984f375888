"""Listed names found inside free text, on the real UN list."""

from __future__ import annotations

import polars as pl
import pytest

from lists.ingest import load_paths
from lists.store import ListStore
from screening import freetext
from screening.api import open_screener
from screening.screener import Screener

UN_2026 = "un/consolidated_2026-02-27.xml"
ZAWAHIRI = "111923"


@pytest.fixture(scope="module")
def screener(tmp_path_factory: pytest.TempPathFactory) -> Screener:
    from tests.conftest import shared_data_dir

    db = tmp_path_factory.mktemp("freetext") / "un.duckdb"
    store = ListStore(db)
    load_paths(store, [shared_data_dir() / UN_2026])
    store.close()
    return open_screener(db)


def texts(*values: str) -> pl.DataFrame:
    return pl.DataFrame({"text_id": list(range(len(values))), "free_text": list(values)},
                        schema={"text_id": pl.Int64, "free_text": pl.Utf8})


def test_windows_of_one_to_five_tokens() -> None:
    cut = freetext.windows(texts("alpha beta gamma", "alpha 22 beta", "Rent March"))
    by_text = {
        i: sorted(" ".join(w) for w in cut.filter(pl.col("text_id") == i)["window"].to_list())
        for i in range(3)
    }
    assert by_text == {
        0: ["alpha", "alpha beta", "alpha beta gamma", "beta", "beta gamma", "gamma"],
        1: ["alpha", "beta"],  # no window spans a number
        2: ["march"],  # "rent" opens remittance phrases, never a name
    }
    seven = freetext.windows(texts("a1 b c d e f g h".replace("a1", "q")))
    assert seven["size"].max() == 5
    assert seven.height == 8 + 7 + 6 + 5 + 4


def test_name_inside_remittance_is_found(screener: Screener) -> None:
    found = freetext.scan(
        screener,
        texts("PAYMENT FOR INVOICE 22 ON BEHALF OF AYMAN AL ZAWAHIRI THANKS",
              "Rent March", "Invoice 2024-118 consulting services",
              "school fees for Mohammed Ali", "Salary June 2024",
              "ayman al zawahiri, ayman al zawahiri again"),
    )
    assert found.select("text_id", "entity_id", "list_id").rows() == [
        (0, ZAWAHIRI, "un_sc"), (5, ZAWAHIRI, "un_sc"),
    ]
    # The name as written in the text (a whole segment) when it scores as well as a window.
    assert found["query_name"].to_list() == ["AYMAN AL ZAWAHIRI", "ayman al zawahiri"]
    assert (found["score"] >= freetext.MIN_TEXT_SCORE).all()
    assert found["explanation"][0].startswith('Found inside the free text: "AYMAN AL ZAWAHIRI". ')


@pytest.mark.parametrize(
    "text",
    ["Rent March", "Invoice 2024-118 consulting services", "Salary June", "Family support",
     "Goods as per contract 7781", "school fees for Mohammed Ali", "zawahiri"],
)
def test_ordinary_texts_find_nothing(screener: Screener, text: str) -> None:
    assert freetext.scan(screener, texts(text)).height == 0


def test_single_tokens_need_to_be_rare(screener: Screener) -> None:
    cut = freetext.windows(texts("zawahiri mohammed", "mohammed"))
    kept = freetext._screenable(cut, screener)
    assert sorted(kept["window"].to_list()) == ["zawahiri", "zawahiri mohammed"]


def test_higher_bar_than_names(screener: Screener) -> None:
    assert freetext.text_threshold(0.8) == 0.88
    assert freetext.text_threshold(0.95) == 0.95
    assert freetext.scan(screener, texts()).height == 0


def test_segments_are_the_runs_between_remittance_words() -> None:
    cut = freetext.segments(texts(
        "PAYMENT ON BEHALF OF BANK OF KUNLUN", "Invoice 2024-118 consulting services",
        "/INS/ABNANL2A //PAYMENT FOR OMAR HADDAD", "PAYMENT FOR SPICHAK, Mikhail Grigory evich",
        "Rent", "one two three four five six seven eight nine ten eleven", "",
    ))
    assert cut.rows() == [
        (0, "BANK OF KUNLUN"),  # connectors inside a name stay, at its ends they go
        (1, "consulting services"),  # the reference number ends a segment
        (2, "ABNANL2A"), (2, "OMAR HADDAD"),
        (3, "SPICHAK, Mikhail Grigory evich"),  # as written: the comma says which is the surname
    ]  # "Rent" is a remittance word; eleven words are prose, not a name


def test_whole_segments_find_names_as_written(screener: Screener) -> None:
    found = freetext.scan(screener, texts(
        "Directorate of Yazd Ammunition and Metallurgy Industries contract",  # 7 words
        "PAYMENT ON BEHALF OF ZAWAHIRI, Ayman",  # inverted, with its comma
    ))
    assert found.select("text_id", "entity_id").rows() == [(0, "110326"), (1, ZAWAHIRI)]
    assert found["query_name"][1] == "ZAWAHIRI, Ayman"


def test_a_single_word_stands_only_for_a_one_token_name(screener: Screener) -> None:
    # The windows' rarity rules apply to a single word; a month never stands for a company.
    found = freetext.scan(screener, texts("Rent September", "Salary March 2024", "Premium"))
    assert found.height == 0


def test_scan_text_zeroes_number_words_only() -> None:
    frame = pl.DataFrame({"t": [
        "Invoice 86350 consulting services", "Loan repayment 3825", "Ref 12,345.6789 x",
        "ACME-2024 Trading", "Order 12", "INV2024", "١٢٣٤ ok", "  two  spaces 99999 ",
    ]})
    assert frame.select(freetext.scan_text(pl.col("t")))["t"].to_list() == [
        "Invoice 00000 consulting services", "Loan repayment 0000", "Ref 00,000.0000 x",
        "ACME-2024 Trading",  # letters in the word: its tokens could reach a window
        "Order 12",  # no 4-digit run: a short number may sit inside a segment
        "INV2024", "0000 ok", "  two  spaces 00000 ",
    ]


def test_texts_differing_only_by_reference_numbers_are_scanned_once(
    screener: Screener,
) -> None:
    found = freetext.scan(screener, texts(
        "PAYMENT 2024-0117 ON BEHALF OF AYMAN AL ZAWAHIRI 88123",
        "PAYMENT 2025-0300 ON BEHALF OF AYMAN AL ZAWAHIRI 10000",
        "Goods as per contract 7781", "Goods as per contract 1234",
    ))
    assert found.select("text_id", "entity_id").rows() == [(0, ZAWAHIRI), (1, ZAWAHIRI)]
    first, second = found.drop("text_id").rows()
    assert first == second  # same window, score and explanation for both lines
    # and the same hits as each text scanned alone
    alone = freetext.scan(screener, texts("PAYMENT 2025-0300 ON BEHALF OF AYMAN AL ZAWAHIRI 10000"))
    assert alone.drop("text_id").rows() == [second]
