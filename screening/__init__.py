"""Terrorist-financing screening and entity matching."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from screening.api import Comparison
    from screening.screener import Screener

__all__ = ["compare", "open_screener"]


def compare(
    query: Any, candidate: Any, schema: str = "Person", algorithm: str | None = None
) -> Comparison:
    """Score one query against one candidate; see ``screening.api.compare``."""
    from screening.api import compare as _compare

    return _compare(query, candidate, schema=schema, algorithm=algorithm)


def open_screener(db: Any = None, algorithm: str | None = None) -> Screener:
    """A screener over the current list snapshots; see ``screening.api.open_screener``."""
    from screening.api import open_screener as _open

    return _open(db, algorithm)
