"""Exact lookup of blocking keys among millions of listed ones, by sorted 64-bit hashes.

A hash join rebuilds its table on every call: for a million-name index, the listed keys (tens of
millions of rows) would be hashed again for each batch. Here they are hashed and sorted once;
a batch's few keys are hashed and found by binary search. Two keys with the same hash meet as
if equal: that only adds a candidate pair, which the scorer then scores.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import polars as pl

# One seed for the listed keys and the queried ones (hashes are stable within a process).
_SEED = 0x5EED


def _hashes(keys: pl.Series) -> pl.Series:
    return keys.cast(pl.Utf8).hash(seed=_SEED)


@dataclass(frozen=True, slots=True)
class KeyIndex:
    """The name_id of each listed key, ordered by the key's hash."""

    hashes: np.ndarray  # uint64, sorted
    name_ids: np.ndarray  # uint32, in the same order

    @classmethod
    def build(cls, keys: pl.DataFrame) -> KeyIndex:
        """From (key, name_id) rows."""
        ordered = keys.select(_hashes(keys["key"]).alias("hash"), "name_id").sort("hash")
        return cls(ordered["hash"].to_numpy(), ordered["name_id"].cast(pl.UInt32).to_numpy())

    def meet(self, frame: pl.DataFrame) -> pl.DataFrame:
        """``frame``'s rows, without their key, once per listed name (name_id) holding it."""
        frame = frame.filter(pl.col("key").is_not_null())
        hashed = _hashes(frame["key"])
        wanted = hashed.to_numpy()
        # Searched in order, each search starts where the last ended: far fewer cache misses.
        order = hashed.arg_sort().to_numpy()
        first = np.empty(wanted.size, dtype=np.int64)
        count = np.empty(wanted.size, dtype=np.int64)
        first[order] = np.searchsorted(self.hashes, wanted[order], side="left")
        count[order] = np.searchsorted(self.hashes, wanted[order], side="right") - first[order]
        rows = np.repeat(np.arange(frame.height), count)
        # Each row's matches are consecutive: its first match plus 0, 1, ... count - 1.
        starts = np.repeat(first - np.cumsum(count) + count, count)
        at = starts + np.arange(rows.size)
        return frame.drop("key")[rows].with_columns(
            pl.Series("name_id", self.name_ids[at], dtype=pl.UInt32)
        )
