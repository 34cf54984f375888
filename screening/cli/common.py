"""Helpers shared by the subcommands: opening the store and printing results."""

from __future__ import annotations

import json
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import click

from lists.store import ListStore
from screening import settings


def db_from(ctx: click.Context) -> Path:
    configured: Path | None = ctx.find_root().obj.get("db") if ctx.find_root().obj else None
    return configured or settings.db_path()


@contextmanager
def open_store(ctx: click.Context) -> Iterator[ListStore]:
    store = ListStore(db_from(ctx))
    try:
        yield store
    finally:
        store.close()


def print_json(data: Any) -> None:
    click.echo(json.dumps(data, indent=2, ensure_ascii=False, default=str))


def print_table(headers: Sequence[str], rows: Sequence[Sequence[Any]]) -> None:
    """A plain aligned text table."""
    cells = [[str(h) for h in headers]] + [["" if v is None else str(v) for v in r] for r in rows]
    widths = [max(len(row[i]) for row in cells) for i in range(len(headers))]
    for index, row in enumerate(cells):
        click.echo("  ".join(value.ljust(width) for value, width in zip(row, widths, strict=True)))
        if index == 0:
            click.echo("  ".join("-" * width for width in widths))
