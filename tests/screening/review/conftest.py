"""Fixtures of the review tests: a fresh DuckDB file with the schema and six users."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import duckdb
import pytest

from screening.review.users import Principal
from tests.screening.review.helpers import PEOPLE, make_users, open_db


@pytest.fixture
def db_path(tmp_path: Path) -> Path:
    return tmp_path / "review.duckdb"


@pytest.fixture
def con(db_path: Path) -> Iterator[duckdb.DuckDBPyConnection]:
    connection = open_db(db_path)
    yield connection
    connection.close()


@pytest.fixture
def people(con: duckdb.DuckDBPyConnection) -> dict[str, Principal]:
    """The six principals (services trust the principal they are given; no login needed)."""
    return {name: Principal(name, role) for name, role in PEOPLE.items()}


@pytest.fixture
def accounts(con: duckdb.DuckDBPyConnection) -> dict[str, Principal]:
    """The six people as stored user accounts with the test password."""
    return make_users(con)
