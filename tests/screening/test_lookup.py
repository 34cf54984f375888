"""Key lookup by sorted hashes against a plain dictionary of the keys."""

from __future__ import annotations

from collections import defaultdict

import polars as pl
from hypothesis import given, settings
from hypothesis import strategies as st

from screening.lookup import KeyIndex

keys = st.text(alphabet="abk:2", max_size=4)


@settings(max_examples=150, deadline=None)
@given(
    listed=st.lists(st.tuples(keys, st.integers(0, 50)), max_size=30),
    queried=st.lists(st.one_of(st.none(), keys), max_size=20),
)
def test_every_listed_name_of_a_key_is_met_once(
    listed: list[tuple[str, int]], queried: list[str | None]
) -> None:
    index = KeyIndex.build(pl.DataFrame(
        {"key": [k for k, _ in listed], "name_id": [n for _, n in listed]},
        schema={"key": pl.Utf8, "name_id": pl.UInt32},
    ))
    met = index.meet(pl.DataFrame({"qid": range(len(queried)), "key": queried},
                                  schema={"qid": pl.UInt32, "key": pl.Utf8}))
    names: dict[str, list[int]] = defaultdict(list)
    for key, name_id in listed:
        names[key].append(name_id)
    expected = sorted(
        (qid, name_id) for qid, key in enumerate(queried) if key is not None
        for name_id in names[key]
    )
    assert met.columns == ["qid", "name_id"]
    assert sorted(met.iter_rows()) == expected


def test_other_columns_of_the_query_rows_come_along() -> None:
    index = KeyIndex.build(pl.DataFrame({"key": ["g:ab", "g:ab", "n:c"], "name_id": [3, 9, 4]}))
    met = index.meet(pl.DataFrame({"qid": [0, 1], "key": ["g:ab", "n:x"], "weight": [0.5, 0.2]}))
    assert sorted(met.iter_rows()) == [(0, 0.5, 3), (0, 0.5, 9)]
