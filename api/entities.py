"""List entities as the API shows them: FtM-style properties and the analyst's side-by-side view."""

from __future__ import annotations

import json
import threading
from collections import OrderedDict
from collections.abc import Callable, Iterable
from typing import Any

import duckdb

from lists.model import Entity, NameKind

_NAME_PROPS = {
    NameKind.PRIMARY: "name", NameKind.ALIAS: "alias", NameKind.WEAK_ALIAS: "weakAlias",
    NameKind.FORMER: "previousName", NameKind.ORIGINAL_SCRIPT: "alias",
}
_ID_PROPS = {
    "passport": "passportNumber", "national_id": "idNumber", "tax_id": "taxNumber",
    "registration": "registrationNumber", "bic": "swiftBic", "iban": "iban", "imo": "imoNumber",
    "mmsi": "mmsi", "call_sign": "callSign", "wallet": "publicKey", "lei": "leiCode",
    "email": "email", "phone": "phone",
}


class EntityCache:
    """Entities by (snapshot id, entity id), most recently used kept.

    A snapshot's entities never change once loaded, so entries never go stale; the store has
    no index on entity ids and a lookup scans the entities table (about 2 ms), which the
    repeated hits of real traffic avoid.
    """

    def __init__(self, size: int = 4096) -> None:
        self._size = size
        self._lock = threading.Lock()
        self._entries: OrderedDict[tuple[int, str], Entity] = OrderedDict()

    def get(self, connect: Callable[[], duckdb.DuckDBPyConnection],
            snapshots: Iterable[dict[str, object]], pairs: list[tuple[str, str]]
            ) -> dict[tuple[str, str], Entity]:
        """The entities of (list_id, entity_id) pairs in the given snapshots (a screener's);
        ``connect`` gives the cursor, opened only when some are not cached."""
        snapshot_of = {str(s["list_id"]): int(str(s["snapshot_id"])) for s in snapshots}
        wanted = {(snapshot_of[list_id], entity_id): (list_id, entity_id)
                  for list_id, entity_id in pairs if list_id in snapshot_of}
        found: dict[tuple[str, str], Entity] = {}
        with self._lock:
            for key, pair in wanted.items():
                entity = self._entries.get(key)
                if entity is not None:
                    self._entries.move_to_end(key)
                    found[pair] = entity
        missing = [key for key, pair in wanted.items() if pair not in found]
        if missing:
            loaded = _load_entities(connect(), missing)
            with self._lock:
                for key, entity in loaded.items():
                    found[wanted[key]] = entity
                    self._entries[key] = entity
                while len(self._entries) > self._size:
                    self._entries.popitem(last=False)
        return found


def _load_entities(con: duckdb.DuckDBPyConnection, keys: list[tuple[int, str]]
                   ) -> dict[tuple[int, str], Entity]:
    """One query by entity id (a semi-join, 5x faster here than matching a concatenated key);
    rows of other snapshots with the same id are dropped after."""
    wanted = set(keys)
    rows = con.execute(
        "SELECT snapshot_id, entity_id, data FROM entities "
        "WHERE entity_id IN (SELECT unnest(?::VARCHAR[]))",
        [sorted({entity_id for _, entity_id in keys})],
    ).fetchall()
    return {(int(r[0]), str(r[1])): Entity.from_dict(json.loads(r[2])) for r in rows
            if (int(r[0]), str(r[1])) in wanted}


def entity_at(
    con: duckdb.DuckDBPyConnection, list_id: str, entity_id: str, version: int | None
) -> Entity | None:
    """The entity as listed in one version of its list (the current one when None)."""
    row = con.execute(
        """
        SELECT e.data FROM entities e JOIN snapshots s USING (snapshot_id)
        WHERE s.list_id = ? AND e.entity_id = ?
          AND (CASE WHEN ? IS NULL THEN s.is_current ELSE s.version = ? END)
        """,
        [list_id, entity_id, version, version],
    ).fetchone()
    return Entity.from_dict(json.loads(row[0])) if row else None


def _add(props: dict[str, list[str]], key: str, value: str | None) -> None:
    if value and value not in props.setdefault(key, []):
        props[key].append(value)


def ftm_properties(entity: Entity) -> dict[str, list[str]]:
    """FollowTheMoney-style properties (lower-case country codes, lists of strings)."""
    props: dict[str, list[str]] = {}
    for name in entity.names:
        _add(props, _NAME_PROPS.get(name.kind, "alias"), name.full)
    for birth in entity.birth_dates:
        _add(props, "birthDate", birth.value)
    for place in entity.birth_places:
        _add(props, "birthPlace", place)
    for code in entity.nationalities:
        _add(props, "nationality", code.lower())
    for code in entity.countries:
        _add(props, "country", code.lower())
    for address in entity.addresses:
        _add(props, "address", address.text or address.city)
    for ident in entity.identifiers:
        _add(props, _ID_PROPS.get(str(ident.kind), "idNumber"), ident.value)
    for program in entity.programs:
        _add(props, "programId", program)
    _add(props, "gender", entity.gender)
    _add(props, "notes", entity.remarks)
    _add(props, "sourceUrl", entity.source_url)
    _add(props, "createdAt", entity.listed_on)
    return {key: values for key, values in props.items() if values}


def side_by_side(entity: Entity) -> dict[str, Any]:
    """Everything an analyst compares against the screened party."""
    return {
        "entity_id": entity.entity_id,
        "list_id": entity.list_id,
        "schema": str(entity.schema),
        "caption": entity.caption,
        "names": [{"name": n.full, "kind": str(n.kind), "lang": n.lang} for n in entity.names],
        "birth_dates": [
            b.value if b.until is None else f"{b.value} to {b.until}" for b in entity.birth_dates
        ],
        "birth_places": list(entity.birth_places),
        "nationalities": list(entity.nationalities),
        "countries": list(entity.countries),
        "gender": entity.gender,
        "addresses": [
            ", ".join(p for p in (a.text, a.city, a.country) if p) for a in entity.addresses
        ],
        "identifiers": [
            {"kind": str(i.kind), "value": i.value, "country": i.country,
             "type": i.raw_type, "note": i.note}
            for i in entity.identifiers
        ],
        "programs": list(entity.programs),
        "listed_on": entity.listed_on,
        "reference": entity.reference,
        "source_url": entity.source_url,
        "remarks": entity.remarks,
    }
