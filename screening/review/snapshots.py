"""What the review domain does when a list gets a new current snapshot."""

from __future__ import annotations

from dataclasses import dataclass

import duckdb

from screening.review.rescreen import RescreenResult, ScreenerFactory, rescreen_delta
from screening.review.whitelist import invalidate_changed


@dataclass(frozen=True, slots=True)
class SnapshotFollowUp:
    """Whitelist entries invalidated and the re-screening run after a new snapshot."""

    list_id: str
    invalidated: int
    rescreen: RescreenResult | None


def on_new_snapshot(
    con: duckdb.DuckDBPyConnection, list_id: str, *, rescreen: bool = True,
    screener_factory: ScreenerFactory | None = None,
) -> SnapshotFollowUp:
    """Call after `lists load`/`update` created a snapshot: invalidate, then re-screen the delta."""
    invalidated = invalidate_changed(con, list_id)
    result = rescreen_delta(con, list_id, screener_factory) if rescreen else None
    return SnapshotFollowUp(list_id, invalidated, result)
