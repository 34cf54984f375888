"""`screening demo`: the main job on a fresh machine.

Builds the store from the official lists — from the configured local folder when there is one,
otherwise downloaded from the official URLs, otherwise from a small sample list written for the
demo (and labelled as such) — then shows what was loaded.
"""

from __future__ import annotations

from pathlib import Path

import click

from lists.errors import ListError
from lists.ingest import LoadReport, load_paths
from lists.sources import SOURCES
from lists.store import ListStore
from lists.update import update_source
from screening import settings
from screening.cli.common import db_from, open_store, print_table

SAMPLE_LIST = Path(__file__).resolve().parent.parent.parent / "lists" / "data" / "sample"


def load_local(store: ListStore, folder: Path) -> list[LoadReport]:
    reports: list[LoadReport] = []
    for source in SOURCES:
        paths = [p for p in source.local_paths(folder) if p.exists()]
        if not paths:
            click.echo(f"  {source.list_id}: no local copy in {folder}", err=True)
            continue
        try:
            reports.extend(load_paths(store, paths, None, source.list_id))
        except ListError as exc:
            click.echo(f"  {source.list_id}: could not load the local copy: {exc}", err=True)
    return reports


def download_all(store: ListStore) -> int:
    loaded = 0
    for source in SOURCES:
        if not source.url:
            continue
        result = update_source(store, source)
        click.echo(f"  {source.list_id}: {result.status} ({result.detail})")
        loaded += result.status in ("updated", "unchanged")
    return loaded


def build_store(store: ListStore) -> str:
    """Fill the store from the best available origin; returns which origin was used."""
    folder = settings.shared_data_dir()
    if folder.is_dir():
        click.echo(f"Loading the official lists from the local folder {folder} ...")
        if load_local(store, folder):
            return f"local folder {folder}"
    click.echo("No local folder of lists; downloading the official lists ...")
    if download_all(store):
        return "official download URLs"
    click.echo(
        "Neither a local folder nor the official downloads worked: falling back to the SAMPLE "
        "list written for this demo (fictional names, NOT an official list)."
    )
    load_paths(store, [SAMPLE_LIST])
    return "demo sample list (not an official list)"


# Queries with the spelling, order, script and title variations real payments carry.
DEMO_QUERIES = (
    ("Usama bin Ladin", "Person"),
    ("AL ZAWAHIRI, Dr. Ayman", "Person"),
    ("أيمن الظواهري", "Person"),
    ("Hizbullah", "Organization"),
    ("Jane Ordinary Citizen", "Person"),
)


def show_matches(db: Path) -> None:
    """Screen a few sample queries and print the best hit of each with its explanation."""
    from screening.api import open_screener

    click.echo("\nBuilding the screening index and matching sample queries ...")
    screener = open_screener(db)
    for query, schema in DEMO_QUERIES:
        hits = screener.match(query, limit=1, schema=schema)
        if not hits:
            click.echo(f"\n  {query!r}: no hit at threshold {screener.default_threshold:.2f}")
            continue
        hit = hits[0]
        click.echo(f"\n  {query!r} -> {hit.caption} ({hit.list_id}) score {hit.score:.2f}")
        click.echo(f"    {hit.explanation}")


@click.command()
@click.pass_context
def demo(ctx: click.Context) -> None:
    """Build a store from the official lists, show what was loaded, match sample queries."""
    with open_store(ctx) as store:
        origin = build_store(store)
        snaps = store.current_snapshots()
    click.echo(f"\nLists in the store (from the {origin}):")
    print_table(
        ["list", "version", "format", "entities", "names", "published"],
        [
            (s.list_id, s.version, s.format, s.entity_count, s.name_count, s.published)
            for s in snaps
        ],
    )
    click.echo(
        f"\n{sum(s.entity_count for s in snaps)} entities and "
        f"{sum(s.name_count for s in snaps)} names in {len(snaps)} lists."
    )
    show_matches(db_from(ctx))
