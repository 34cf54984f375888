"""The versioned list store in DuckDB: snapshots, their entities and the raw files they came from.

Every load is one transaction: a snapshot appears whole with its entities, names, identifiers
and raw bytes, or not at all. A list's snapshots are numbered 1, 2, 3...; the newest accepted one
is current. Loading bytes identical to the current snapshot creates nothing new.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import duckdb
import polars as pl

from lists.errors import DuplicateEntityError
from lists.model import Entity, ParsedList

_SCHEMA_SQL = """
CREATE SEQUENCE IF NOT EXISTS snapshot_ids START 1;
CREATE TABLE IF NOT EXISTS list_info (
    list_id VARCHAR PRIMARY KEY,
    title VARCHAR,
    format VARCHAR NOT NULL,
    confidential BOOLEAN NOT NULL DEFAULT FALSE
);
CREATE TABLE IF NOT EXISTS snapshots (
    snapshot_id BIGINT PRIMARY KEY,
    list_id VARCHAR NOT NULL,
    version INTEGER NOT NULL,
    format VARCHAR NOT NULL,
    source VARCHAR NOT NULL,
    retrieved_at TIMESTAMP NOT NULL,
    published VARCHAR,
    sha256 VARCHAR NOT NULL,
    entity_count INTEGER NOT NULL,
    name_count INTEGER NOT NULL,
    is_current BOOLEAN NOT NULL,
    warnings VARCHAR[],
    UNIQUE (list_id, version)
);
CREATE TABLE IF NOT EXISTS raw_files (
    sha256 VARCHAR PRIMARY KEY,
    size BIGINT NOT NULL,
    content BLOB NOT NULL
);
CREATE TABLE IF NOT EXISTS snapshot_files (
    snapshot_id BIGINT NOT NULL,
    filename VARCHAR NOT NULL,
    sha256 VARCHAR NOT NULL
);
CREATE TABLE IF NOT EXISTS entities (
    snapshot_id BIGINT NOT NULL,
    entity_id VARCHAR NOT NULL,
    schema VARCHAR NOT NULL,
    caption VARCHAR NOT NULL,
    content_hash VARCHAR NOT NULL,
    data VARCHAR NOT NULL
);
CREATE TABLE IF NOT EXISTS entity_names (
    snapshot_id BIGINT NOT NULL,
    entity_id VARCHAR NOT NULL,
    name VARCHAR NOT NULL,
    kind VARCHAR NOT NULL,
    lang VARCHAR
);
CREATE TABLE IF NOT EXISTS entity_identifiers (
    snapshot_id BIGINT NOT NULL,
    entity_id VARCHAR NOT NULL,
    kind VARCHAR NOT NULL,
    value VARCHAR NOT NULL,
    country VARCHAR
);
"""


@dataclass(frozen=True, slots=True)
class RawFile:
    """The bytes of one list file as received, with where they came from."""

    filename: str
    content: bytes

    @property
    def sha256(self) -> str:
        return hashlib.sha256(self.content).hexdigest()

    @classmethod
    def read(cls, path: Path) -> RawFile:
        return cls(filename=path.name, content=path.read_bytes())


@dataclass(frozen=True, slots=True)
class Snapshot:
    snapshot_id: int
    list_id: str
    version: int
    format: str
    source: str
    retrieved_at: datetime
    published: str | None
    sha256: str
    entity_count: int
    name_count: int
    is_current: bool
    confidential: bool = False
    title: str | None = None


@dataclass(frozen=True, slots=True)
class LoadOutcome:
    snapshot: Snapshot
    created: bool  # False when the bytes were identical to the current snapshot


def combined_sha256(files: Sequence[RawFile]) -> str:
    """One digest for a list made of several files, independent of their order."""
    digest = hashlib.sha256()
    for sha in sorted(f.sha256 for f in files):
        digest.update(sha.encode("ascii"))
    return digest.hexdigest() if len(files) > 1 else files[0].sha256


class ListStore:
    """Snapshots of lists in a DuckDB database (a file path, ":memory:" or a connection)."""

    def __init__(self, db: str | Path | duckdb.DuckDBPyConnection) -> None:
        if isinstance(db, duckdb.DuckDBPyConnection):
            self.con = db
        else:
            if str(db) != ":memory:":
                Path(db).parent.mkdir(parents=True, exist_ok=True)
            self.con = duckdb.connect(str(db))
        self.con.execute(_SCHEMA_SQL)

    def close(self) -> None:
        self.con.close()

    # -- writing -----------------------------------------------------------------------------

    def add_snapshot(
        self,
        parsed: ParsedList,
        files: Sequence[RawFile],
        source: str,
        retrieved_at: datetime | None = None,
    ) -> LoadOutcome:
        """Store a parsed list as the new current snapshot of its list, atomically."""
        _check_unique_ids(parsed)
        sha = combined_sha256(files)
        current = self.current(parsed.list_id)
        if current is not None and current.sha256 == sha:
            return LoadOutcome(snapshot=current, created=False)
        entity_rows, name_rows, id_rows = _entity_frames(parsed.entities)
        self.con.begin()
        try:
            snapshot_id = self._insert_snapshot_row(parsed, sha, source, retrieved_at, name_rows)
            self._insert_rows(snapshot_id, entity_rows, name_rows, id_rows)
            self._insert_files(snapshot_id, files)
            self._upsert_list_info(parsed)
            self.con.commit()
        except BaseException:
            self.con.rollback()
            raise
        snapshot = self.snapshot(snapshot_id)
        return LoadOutcome(snapshot=snapshot, created=True)

    def _insert_snapshot_row(
        self,
        parsed: ParsedList,
        sha: str,
        source: str,
        retrieved_at: datetime | None,
        name_rows: pl.DataFrame,
    ) -> int:
        row = self.con.execute(
            "SELECT coalesce(max(version), 0) + 1 FROM snapshots WHERE list_id = ?",
            [parsed.list_id],
        ).fetchone()
        version = int(row[0]) if row else 1
        self.con.execute(
            "UPDATE snapshots SET is_current = FALSE WHERE list_id = ?", [parsed.list_id]
        )
        id_row = self.con.execute("SELECT nextval('snapshot_ids')").fetchone()
        assert id_row is not None
        snapshot_id = int(id_row[0])
        self.con.execute(
            "INSERT INTO snapshots VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, TRUE, ?)",
            [
                snapshot_id,
                parsed.list_id,
                version,
                parsed.format,
                source,
                retrieved_at or datetime.now(UTC).replace(tzinfo=None),
                parsed.published,
                sha,
                len(parsed.entities),
                name_rows.height,
                parsed.warnings[:1000],
            ],
        )
        return snapshot_id

    def _insert_rows(
        self,
        snapshot_id: int,
        entity_rows: pl.DataFrame,
        name_rows: pl.DataFrame,
        id_rows: pl.DataFrame,
    ) -> None:
        for table, frame in (
            ("entities", entity_rows),
            ("entity_names", name_rows),
            ("entity_identifiers", id_rows),
        ):
            if frame.height == 0:
                continue
            staged = frame.with_columns(pl.lit(snapshot_id, dtype=pl.Int64).alias("snapshot_id"))
            columns = ", ".join(staged.columns)
            self.con.register("staged_rows", staged.to_arrow())
            try:
                # Only internal table and column names are formatted into this statement.
                sql = f"INSERT INTO {table} ({columns}) SELECT {columns} FROM staged_rows"  # noqa: S608
                self.con.execute(sql)
            finally:
                self.con.unregister("staged_rows")

    def _insert_files(self, snapshot_id: int, files: Sequence[RawFile]) -> None:
        for raw in files:
            sha = raw.sha256
            self.con.execute(
                "INSERT INTO raw_files VALUES (?, ?, ?) ON CONFLICT DO NOTHING",
                [sha, len(raw.content), raw.content],
            )
            self.con.execute(
                "INSERT INTO snapshot_files VALUES (?, ?, ?)", [snapshot_id, raw.filename, sha]
            )

    def _upsert_list_info(self, parsed: ParsedList) -> None:
        confidential = bool(getattr(parsed, "confidential", False))
        title = getattr(parsed, "title", None)
        self.con.execute(
            """
            INSERT INTO list_info VALUES (?, ?, ?, ?)
            ON CONFLICT (list_id) DO UPDATE SET
                title = coalesce(excluded.title, list_info.title),
                format = excluded.format,
                confidential = excluded.confidential OR list_info.confidential
            """,
            [parsed.list_id, title, parsed.format, confidential],
        )

    def set_confidential(self, list_id: str, confidential: bool) -> None:
        self.con.execute(
            "UPDATE list_info SET confidential = ? WHERE list_id = ?", [confidential, list_id]
        )

    # -- reading -----------------------------------------------------------------------------

    _SNAPSHOT_SELECT = """
        SELECT s.snapshot_id, s.list_id, s.version, s.format, s.source, s.retrieved_at,
               s.published, s.sha256, s.entity_count, s.name_count, s.is_current,
               coalesce(i.confidential, FALSE), i.title
        FROM snapshots s LEFT JOIN list_info i USING (list_id)
    """

    def _snapshots(self, where: str, params: list[object]) -> list[Snapshot]:
        rows = self.con.execute(
            f"{self._SNAPSHOT_SELECT} WHERE {where} ORDER BY s.list_id, s.version", params
        ).fetchall()
        return [Snapshot(*row) for row in rows]

    def snapshot(self, snapshot_id: int) -> Snapshot:
        found = self._snapshots("s.snapshot_id = ?", [snapshot_id])
        if not found:
            raise KeyError(f"no snapshot {snapshot_id}")
        return found[0]

    def snapshots(self, list_id: str | None = None) -> list[Snapshot]:
        if list_id is None:
            return self._snapshots("TRUE", [])
        return self._snapshots("s.list_id = ?", [list_id])

    def current(self, list_id: str) -> Snapshot | None:
        found = self._snapshots("s.list_id = ? AND s.is_current", [list_id])
        return found[0] if found else None

    def current_snapshots(self) -> list[Snapshot]:
        return self._snapshots("s.is_current", [])

    def version(self, list_id: str, version: int) -> Snapshot:
        found = self._snapshots("s.list_id = ? AND s.version = ?", [list_id, version])
        if not found:
            raise KeyError(f"list {list_id} has no version {version}")
        return found[0]

    def entities(self, snapshot_id: int) -> Iterator[Entity]:
        cursor = self.con.execute(
            "SELECT data FROM entities WHERE snapshot_id = ? ORDER BY entity_id", [snapshot_id]
        )
        while batch := cursor.fetchmany(2000):
            for (data,) in batch:
                yield Entity.from_dict(json.loads(data))

    def entity(self, snapshot_id: int, entity_id: str) -> Entity | None:
        row = self.con.execute(
            "SELECT data FROM entities WHERE snapshot_id = ? AND entity_id = ?",
            [snapshot_id, entity_id],
        ).fetchone()
        return Entity.from_dict(json.loads(row[0])) if row else None

    def raw_files(self, snapshot_id: int) -> list[RawFile]:
        rows = self.con.execute(
            """
            SELECT f.filename, r.content FROM snapshot_files f JOIN raw_files r USING (sha256)
            WHERE f.snapshot_id = ? ORDER BY f.filename
            """,
            [snapshot_id],
        ).fetchall()
        return [RawFile(filename=name, content=bytes(content)) for name, content in rows]


def _check_unique_ids(parsed: ParsedList) -> None:
    seen: set[str] = set()
    for entity in parsed.entities:
        if entity.entity_id in seen:
            raise DuplicateEntityError(
                f"list {parsed.list_id}: entity id {entity.entity_id!r} appears more than once"
            )
        seen.add(entity.entity_id)


def _entity_frames(entities: Sequence[Entity]) -> tuple[pl.DataFrame, pl.DataFrame, pl.DataFrame]:
    blobs = [e.to_json() for e in entities]
    entity_rows = pl.DataFrame(
        {
            "entity_id": [e.entity_id for e in entities],
            "schema": [str(e.schema) for e in entities],
            "caption": [e.caption for e in entities],
            "content_hash": [hashlib.sha256(b.encode("utf-8")).hexdigest() for b in blobs],
            "data": blobs,
        },
        schema={n: pl.Utf8 for n in ("entity_id", "schema", "caption", "content_hash", "data")},
    )
    name_rows = pl.DataFrame(
        [
            (e.entity_id, n.full, str(n.kind), n.lang)
            for e in entities
            for n in e.names
            if n.full.strip()
        ],
        schema={"entity_id": pl.Utf8, "name": pl.Utf8, "kind": pl.Utf8, "lang": pl.Utf8},
        orient="row",
    )
    id_rows = pl.DataFrame(
        [
            (e.entity_id, str(i.kind), i.value, i.country)
            for e in entities
            for i in e.identifiers
        ],
        schema={"entity_id": pl.Utf8, "kind": pl.Utf8, "value": pl.Utf8, "country": pl.Utf8},
        orient="row",
    )
    return entity_rows, name_rows, id_rows
