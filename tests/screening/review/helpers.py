"""Building blocks for review tests: a real DuckDB file with lists, users and alert rows."""

from __future__ import annotations

from pathlib import Path

import duckdb

from lists.model import Entity, Name, ParsedList, Schema
from lists.store import ListStore, RawFile
from screening.review import ensure_schema
from screening.review.users import Principal, Role, create_user

PASSWORD = "correct horse battery staple"
PEOPLE = {
    "ana": Role.ANALYST, "bob": Role.ANALYST, "sue": Role.SUPERVISOR, "sam": Role.SUPERVISOR,
    "adm": Role.ADMIN, "bank": Role.CLIENT,
}


def open_db(path: Path) -> duckdb.DuckDBPyConnection:
    con = duckdb.connect(str(path))
    ensure_schema(con)
    return con


def make_users(con: duckdb.DuckDBPyConnection) -> dict[str, Principal]:
    return {name: create_user(con, name, role, PASSWORD) for name, role in PEOPLE.items()}


def entity(entity_id: str, name: str, list_id: str = "un_sc", remarks: str | None = None
           ) -> Entity:
    return Entity(entity_id, list_id, Schema.PERSON, [Name(name)], remarks=remarks)


def load_list(con: duckdb.DuckDBPyConnection, list_id: str, entities: list[Entity],
              confidential: bool = False, tag: str = "") -> int:
    """Store a small list snapshot; returns its version."""
    parsed = ParsedList(list_id, "custom", entities, confidential=confidential)
    content = (list_id + tag + "".join(e.to_json() for e in entities)).encode()
    outcome = ListStore(con).add_snapshot(parsed, [RawFile(f"{list_id}.json", content)], "test")
    return outcome.snapshot.version


def add_alert(
    con: duckdb.DuckDBPyConnection, *, entity_id: str = "E1", list_id: str = "un_sc",
    party_key: str = "pk-1", score: float = 0.85, method: str = "token",
    batch_id: str = "batch-1", list_version: int = 1, status: str = "open",
) -> int:
    """Insert one alert row as the batch screening would; returns its id."""
    row = con.execute(
        """
        INSERT INTO alerts (alert_id, batch_id, party_key, party_name, party, entity_id, list_id,
            list_version, entity_caption, matched_name, score, name_score, explanation, method,
            algorithm, algorithm_version, threshold, created_at, status)
        VALUES (nextval('alert_ids'), ?, ?, 'John Doe', '{"name": "John Doe"}', ?, ?, ?, 'Doe',
            'John Doe', ?, ?, 'explained', ?, 'logic', '1', 0.7, now(), ?)
        RETURNING alert_id
        """,
        [batch_id, party_key, entity_id, list_id, list_version, score, score, method, status],
    ).fetchone()
    assert row is not None
    return int(row[0])
