"""Deltas between two snapshots of a list: added, removed and changed entities, field by field."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

from lists.store import ListStore, Snapshot


@dataclass(frozen=True, slots=True)
class FieldChange:
    field: str
    old: Any
    new: Any


@dataclass(slots=True)
class EntityChange:
    entity_id: str
    caption: str
    changes: list[FieldChange] = field(default_factory=list)


@dataclass(slots=True)
class Delta:
    list_id: str
    old: Snapshot
    new: Snapshot
    added: list[tuple[str, str]]  # (entity_id, caption)
    removed: list[tuple[str, str]]
    changed: list[EntityChange]

    def summary(self) -> dict[str, Any]:
        return {
            "list_id": self.list_id,
            "old_version": self.old.version,
            "new_version": self.new.version,
            "added": len(self.added),
            "removed": len(self.removed),
            "changed": len(self.changed),
        }

    def to_dict(self) -> dict[str, Any]:
        return {
            **self.summary(),
            "added_entities": [{"entity_id": i, "caption": c} for i, c in self.added],
            "removed_entities": [{"entity_id": i, "caption": c} for i, c in self.removed],
            "changed_entities": [
                {
                    "entity_id": change.entity_id,
                    "caption": change.caption,
                    "changes": [
                        {"field": f.field, "old": f.old, "new": f.new} for f in change.changes
                    ],
                }
                for change in self.changed
            ],
        }


_DELTA_SQL = """
SELECT coalesce(o.entity_id, n.entity_id) AS entity_id,
       coalesce(n.caption, o.caption) AS caption,
       CASE WHEN o.entity_id IS NULL THEN 'added'
            WHEN n.entity_id IS NULL THEN 'removed'
            ELSE 'changed' END AS status,
       o.data AS old_data, n.data AS new_data
FROM (SELECT * FROM entities WHERE snapshot_id = ?) o
FULL OUTER JOIN (SELECT * FROM entities WHERE snapshot_id = ?) n USING (entity_id)
WHERE o.entity_id IS NULL OR n.entity_id IS NULL OR o.content_hash <> n.content_hash
ORDER BY status, entity_id
"""


def field_changes(old: dict[str, Any], new: dict[str, Any]) -> list[FieldChange]:
    """The top-level fields whose values differ between two entity records."""
    keys = sorted(set(old) | set(new))
    return [
        FieldChange(field=key, old=old.get(key), new=new.get(key))
        for key in keys
        if old.get(key) != new.get(key)
    ]


def compute_delta(store: ListStore, old: Snapshot, new: Snapshot) -> Delta:
    """Compare two snapshots of one list with a single join in DuckDB."""
    if old.list_id != new.list_id:
        raise ValueError(f"cannot compare {old.list_id} with {new.list_id}")
    rows = store.con.execute(_DELTA_SQL, [old.snapshot_id, new.snapshot_id]).fetchall()
    delta = Delta(list_id=new.list_id, old=old, new=new, added=[], removed=[], changed=[])
    for entity_id, caption, status, old_data, new_data in rows:
        if status == "added":
            delta.added.append((entity_id, caption))
        elif status == "removed":
            delta.removed.append((entity_id, caption))
        else:
            changes = field_changes(json.loads(old_data), json.loads(new_data))
            delta.changed.append(EntityChange(entity_id, caption, changes))
    return delta


def latest_delta(store: ListStore, list_id: str) -> Delta | None:
    """The delta that made the current snapshot current, or None for a first snapshot."""
    versions = store.snapshots(list_id)
    if len(versions) < 2:
        return None
    return compute_delta(store, versions[-2], versions[-1])
