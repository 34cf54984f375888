"""One hit with everything a reviewer needs: the screened party, the list entity, the history."""

from __future__ import annotations

from typing import Any

import duckdb

from api.entities import entity_at, side_by_side
from screening.review import get_alert, history
from screening.review.users import Principal
from screening.review.whitelist import list_entries


def hit_detail(con: duckdb.DuckDBPyConnection, caller: Principal, alert_id: int
               ) -> dict[str, Any]:
    """The alert (NotFound when hidden), its list entity as listed then, decisions, whitelist."""
    alert = get_alert(con, caller, alert_id)
    listed = entity_at(con, alert.list_id, alert.entity_id, alert.list_version)
    now = entity_at(con, alert.list_id, alert.entity_id, None)
    entries = [
        e.to_dict() for e in list_entries(con, caller, limit=1000)
        if (e.party_key, e.entity_id, e.list_id) == (alert.party_key, alert.entity_id,
                                                      alert.list_id)
    ]
    return {
        "hit": alert.to_dict(),
        "party": alert.party or {"name": alert.party_name},
        "entity": side_by_side(listed) if listed else None,
        "entity_changed_since": (
            None if listed is None or now is None or now.to_json() == listed.to_json()
            else "the entity changed in a newer version of the list"
        ) if now is not None else "the entity is no longer on the current list",
        "history": history(con, caller, alert_id),
        "whitelist": entries,
    }
