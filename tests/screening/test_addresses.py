"""A party's name field that runs on into an address is also screened as the name before it,
on every path (compare, match, screen: the few-rows fast path and the batch path), against
the real UN list."""

from __future__ import annotations

import polars as pl
import pytest

from screening import compare
from screening.addresses import name_before_address
from screening.readings import party_readings
from screening.screener import FEW_ROWS, Screener
from tests.screening.test_screener import screener, un_db  # noqa: F401 (fixtures)

LISTED = "Ayman al-Zawahiri"


@pytest.mark.parametrize(
    ("field", "name"),
    [
        ("Jan Peeters Kerkstraat 12 2000 Antwerpen", "Jan Peeters"),
        ("Jean Dubois, Rue de la Loi 16, 1000 Bruxelles", "Jean Dubois"),
        ("John Smith, 12 Main Street", "John Smith"),
        ("Jan Peeters Meir 12, 2000 Antwerpen", "Jan Peeters"),  # a street of one plain word
        ("Jan Peeters, 2000 Antwerpen", "Jan Peeters"),
        ("ACME Trading SA, Avenue Louise 54, 1050 Brussels", "ACME Trading SA"),
        # No address: no number, a number alone, or too little name before it.
        ("Silk Road Trading", None),
        ("Investment Decisions 3", None),
        ("Peeters Kerkstraat 12", None),
        ("12 Jan Peeters 2000 Antwerpen", None),
        ("Zhang Wei Lei", None),
        ("FU YUAN YU 8649", None),  # a vessel's number is no postcode
        ("Ayman Zawahiri 1951", None),
        ("", None),
    ],
)
def test_name_before_address(field: str, name: str | None) -> None:
    assert name_before_address(field) == name


def test_a_hostile_field_is_read_once() -> None:
    huge = "Jan Peeters " + "Kerkstraat 12 " * 20_000
    assert name_before_address(huge) == "Jan Peeters"
    assert name_before_address("1 " * 50_000) is None


def test_a_listed_name_before_an_address_is_found(screener: Screener) -> None:  # noqa: F811
    fields = [
        f"{LISTED} Kerkstraat 12 2000 Antwerpen", f"{LISTED}, Rue de la Loi 16, 1000 Bruxelles",
        f"Jan Peeters & {LISTED}, Wetstraat 16, 1040 Brussel", "Jan Peeters, Meir 12",
    ]
    frame = pl.DataFrame({"name": fields})
    few = screener.screen(frame)
    batch = screener.screen(pl.concat([frame] * (FEW_ROWS // frame.height + 1)))
    batch = batch.filter(pl.col("row") < frame.height)
    for hits in (few, batch):
        assert set(hits["row"].to_list()) == {0, 1, 2}
        best = hits.sort("score", descending=True).unique("row", keep="first").sort("row")
        assert best["query_name"].to_list() == fields[:3]
        assert (best["score"] >= 0.99).all()
        assert all(f"(read as '{LISTED}')" in e for e in best["explanation"].to_list())
    assert compare(fields[0], LISTED).match
    found = screener.match(fields[1])
    assert found and found[0].score >= 0.99


def test_vessels_and_aircraft_keep_their_numbers() -> None:
    field = "ALPHA STAR, Kerkstraat 12, 2000 Antwerpen"
    assert party_readings(field, None) == ("ALPHA STAR",)
    assert party_readings(field, "Organization") == ("ALPHA STAR",)
    assert party_readings(field, "Vessel") == party_readings(field, "Aircraft") == ()
