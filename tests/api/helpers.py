"""Building blocks of the API tests: a seeded store (real UN list + a confidential list)."""

from __future__ import annotations

import shutil
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import duckdb

from lists.ingest import load_paths
from lists.store import ListStore
from screening.api import open_screener
from screening.review import create_api_key, create_user, ensure_schema
from screening.review.users import Role

UN_FILE = "un/consolidated_2026-02-27.xml"
UN_OLD_FILE = "un/consolidated_2018-10-29.xml"
PASSWORD = "correct horse battery staple"
CONFIDENTIAL = "be_watch"
# name -> (role, clearance)
PEOPLE: dict[str, tuple[Role, tuple[str, ...]]] = {
    "ana": (Role.ANALYST, ()), "bob": (Role.ANALYST, ()), "sue": (Role.SUPERVISOR, ()),
    "sam": (Role.SUPERVISOR, ()), "adm": (Role.ADMIN, ()), "bank": (Role.CLIENT, ()),
    "cleo": (Role.ANALYST, (CONFIDENTIAL,)), "sky": (Role.SUPERVISOR, (CONFIDENTIAL,)),
    "vault": (Role.CLIENT, (CONFIDENTIAL,)),
}
# The confidential list: made-up people (nobody on the UN list).
WATCH_CSV = """ref,name,birth_date,nationality
BE-W-001,Karim Belkacem Ouali,1984-03-12,BE
BE-W-002,Ludovic Ferran Maes,1979-11-02,FR
"""
WATCH_MAPPING = """list_id: be_watch
title: Confidential FIU watchlist (test)
confidential: true
id_column: ref
schema: Person
name: {full: name}
birth_date: {column: birth_date}
nationality: [nationality]
programs: [BE-FIU-WATCH]
"""
CONFIDENTIAL_NAME = "Karim Belkacem Ouali"
UN_NAME = "Aiman Muhammed Rabi al-Zawahiri"
UN_ENTITY = "111923"  # his DATAID in the 2026 file


@dataclass(frozen=True, slots=True)
class Seed:
    folder: Path
    keys: dict[str, str]  # person -> API key

    @property
    def db(self) -> Path:
        return self.folder / "store.duckdb"

    def copy_to(self, target: Path) -> Path:
        """A private copy of the store (and its index cache) for one test."""
        shutil.copytree(self.folder, target)
        return target / "store.duckdb"


def build_seed(folder: Path, shared_data: Path) -> Seed:
    folder.mkdir(parents=True)
    lists_dir = folder.parent / "watch-list"
    lists_dir.mkdir()
    (lists_dir / "be_watch.csv").write_text(WATCH_CSV, encoding="utf-8")
    (lists_dir / "be_watch.mapping.yml").write_text(WATCH_MAPPING, encoding="utf-8")
    db = folder / "store.duckdb"
    store = ListStore(db)
    load_paths(store, [shared_data / UN_FILE])
    load_paths(store, [lists_dir / "be_watch.csv"])
    store.close()
    con = duckdb.connect(str(db))
    ensure_schema(con)
    keys = {}
    for name, (role, clearance) in PEOPLE.items():
        create_user(con, name, role, PASSWORD, clearance)
        keys[name] = create_api_key(con, f"{name}-key", role, clearance).secret
    con.close()
    open_screener(db)  # builds the index cache next to the store once
    return Seed(folder, keys)


def bearer(seed: Seed, person: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {seed.keys[person]}"}


def error_of(payload: Any) -> dict[str, Any]:
    """The error object of a JSON error response, checking the one shape on the way."""
    assert isinstance(payload, dict) and set(payload) == {"error"}, payload
    error = payload["error"]
    assert set(error) == {"status", "code", "message", "details"}, error
    assert isinstance(error["status"], int) and isinstance(error["message"], str)
    assert isinstance(error["code"], str) and isinstance(error["details"], list)
    assert error["message"], "every error says what to fix"
    found: dict[str, Any] = error
    return found


def query(name: str, **props: list[str]) -> dict[str, Any]:
    return {"schema": "Person", "properties": {"name": [name], **props}}


def server_timing(header: str) -> dict[str, float]:
    """A Server-Timing header's metrics and their durations (ms)."""
    metrics = (part.strip().split(";dur=") for part in header.split(","))
    return {name: float(duration) for name, duration in metrics}
