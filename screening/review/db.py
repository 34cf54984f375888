"""Transactions for the review services: one state change and its audit entry commit together."""

from __future__ import annotations

import contextlib
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from datetime import UTC, datetime
from typing import Any, TypeVar

import duckdb

from screening.review.errors import ConflictError

T = TypeVar("T")

# DuckDB resolves concurrent writers optimistically: the loser of a write-write race gets a
# TransactionException (or a constraint error on the audit sequence). Retrying re-reads the
# state, so a stale caller then gets a proper ConflictError from the row_version check.
_RETRIES = 5
_RETRYABLE = (duckdb.TransactionException, duckdb.ConstraintException)


def utcnow() -> datetime:
    """Now in UTC as a naive timestamp (DuckDB TIMESTAMP has no zone)."""
    return datetime.now(UTC).replace(tzinfo=None)


def in_open_transaction(con: duckdb.DuckDBPyConnection) -> bool:
    """True when the connection is inside an explicit transaction.

    Outside one, every statement runs in its own transaction and gets a new id; a failed BEGIN
    would abort the caller's transaction, so we probe instead of trying.
    """
    probe = "SELECT txid_current()"
    first, second = con.execute(probe).fetchone(), con.execute(probe).fetchone()
    return first == second


def _begin(con: duckdb.DuckDBPyConnection) -> bool:
    """Start a transaction; False when the caller already has one open (we then join it)."""
    if in_open_transaction(con):
        return False
    con.begin()
    return True


def _rollback(con: duckdb.DuckDBPyConnection) -> None:
    with contextlib.suppress(duckdb.TransactionException):
        con.rollback()  # raises when a failed commit already rolled back


@contextmanager
def transaction(con: duckdb.DuckDBPyConnection) -> Iterator[None]:
    """Run the block in one transaction, or inside the caller's when one is already open."""
    if not _begin(con):
        yield  # the caller owns the transaction and commits it
        return
    try:
        yield
        con.commit()
    except BaseException:
        _rollback(con)
        raise


def in_transaction(con: duckdb.DuckDBPyConnection, work: Callable[[], T]) -> T:
    """Run ``work`` atomically, retrying a few times when a concurrent writer won the race."""
    for attempt in range(_RETRIES):
        if not _begin(con):
            return work()  # joined the caller's transaction: the caller handles conflicts
        try:
            result = work()
            con.commit()
            return result
        except _RETRYABLE as exc:
            _rollback(con)
            if attempt == _RETRIES - 1:
                raise ConflictError(
                    f"the store was busy with another change; try again ({exc})"
                ) from exc
            time.sleep(0.001 * 2**attempt)  # let the other writer commit before re-reading
        except BaseException:
            _rollback(con)
            raise
    raise AssertionError("unreachable")


def insert_many(con: duckdb.DuckDBPyConnection, table: str, types: Sequence[str],
                rows: Sequence[Sequence[Any]]) -> None:
    """Insert rows with one list parameter per column, in the caller's transaction.

    One bound value per field made DuckDB parse and bind thousands of placeholders: 0.17-0.27
    ms per audit row, against 0.03-0.11 ms this way. ``table`` and ``types`` are constants.
    """
    if rows:
        columns = ", ".join(f"unnest(?::{t}[])" for t in types)
        con.execute(f"INSERT INTO {table} SELECT {columns}",  # constants only
                    [list(column) for column in zip(*rows, strict=True)])
