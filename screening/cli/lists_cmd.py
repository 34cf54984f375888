"""`screening lists ...`: load, update, show and compare list snapshots."""

from __future__ import annotations

from pathlib import Path

import click

from lists.delta import compute_delta
from lists.errors import ListError
from lists.ingest import load_paths
from lists.sources import SOURCES, get_source
from lists.update import update_source
from screening.cli.common import open_store, print_json, print_table


@click.group("lists")
def lists_group() -> None:
    """Load, update and inspect the sanctions lists and watchlists in the store."""


@lists_group.command("load")
@click.argument("paths", nargs=-1, required=True, type=click.Path(exists=True, path_type=Path))
@click.option("--format", "format_name", default=None, help="Format name (auto-detected).")
@click.option("--list-id", default=None, help="Store under this list id instead of the default.")
@click.option("--json", "as_json", is_flag=True, help="Print the result as JSON.")
@click.pass_context
def load_cmd(
    ctx: click.Context, paths: tuple[Path, ...], format_name: str | None, list_id: str | None,
    as_json: bool,
) -> None:
    """Load list files (or folders of them) as new snapshots."""
    with open_store(ctx) as store:
        try:
            reports = load_paths(store, list(paths), format_name, list_id)
        except ListError as exc:
            raise click.ClickException(str(exc)) from exc
    if as_json:
        print_json([r.to_dict() for r in reports])
        return
    print_table(
        ["list", "format", "entities", "names", "version", "status"],
        [
            (r.list_id, r.format, r.entities, r.names, r.version,
             "new snapshot" if r.created else "unchanged")
            for r in reports
        ],
    )


@lists_group.command("update")
@click.argument("list_ids", nargs=-1)
@click.option("--json", "as_json", is_flag=True, help="Print the result as JSON.")
@click.pass_context
def update_cmd(ctx: click.Context, list_ids: tuple[str, ...], as_json: bool) -> None:
    """Download the official lists (all configured, or those named) and validate them."""
    try:
        sources = [get_source(i) for i in list_ids] if list_ids else list(SOURCES)
    except KeyError as exc:
        raise click.ClickException(str(exc.args[0])) from exc
    with open_store(ctx) as store:
        results = [update_source(store, source) for source in sources if source.url or list_ids]
    if as_json:
        print_json([r.to_dict() for r in results])
    else:
        print_table(
            ["list", "status", "detail"], [(r.list_id, r.status, r.detail) for r in results]
        )
    if any(r.status == "refused" for r in results):
        ctx.exit(1)


@lists_group.command("show")
@click.option("--all", "show_all", is_flag=True, help="Every version, not only the current ones.")
@click.option("--json", "as_json", is_flag=True, help="Print the result as JSON.")
@click.pass_context
def show_cmd(ctx: click.Context, show_all: bool, as_json: bool) -> None:
    """The lists in the store with their versions and counts."""
    with open_store(ctx) as store:
        snaps = store.snapshots() if show_all else store.current_snapshots()
    if as_json:
        print_json([
            {
                "list_id": s.list_id, "version": s.version, "format": s.format,
                "entities": s.entity_count, "names": s.name_count, "published": s.published,
                "retrieved_at": s.retrieved_at.isoformat(), "sha256": s.sha256,
                "source": s.source, "current": s.is_current, "confidential": s.confidential,
            }
            for s in snaps
        ])
        return
    print_table(
        ["list", "version", "format", "entities", "names", "published", "retrieved", "current"],
        [
            (s.list_id, s.version, s.format, s.entity_count, s.name_count, s.published,
             s.retrieved_at.strftime("%Y-%m-%d %H:%M"), "yes" if s.is_current else "")
            for s in snaps
        ],
    )


@lists_group.command("diff")
@click.argument("list_id")
@click.argument("old", type=int, required=False)
@click.argument("new", type=int, required=False)
@click.option("--json", "as_json", is_flag=True, help="Print the result as JSON.")
@click.pass_context
def diff_cmd(
    ctx: click.Context, list_id: str, old: int | None, new: int | None, as_json: bool
) -> None:
    """Entities added, removed and changed between two versions (default: the last two)."""
    with open_store(ctx) as store:
        versions = store.snapshots(list_id)
        if len(versions) < 2 and (old is None or new is None):
            raise click.ClickException(f"list {list_id} has fewer than two versions to compare")
        try:
            old_snap = store.version(list_id, old) if old is not None else versions[-2]
            new_snap = store.version(list_id, new) if new is not None else versions[-1]
        except KeyError as exc:
            raise click.ClickException(str(exc.args[0])) from exc
        delta = compute_delta(store, old_snap, new_snap)
    if as_json:
        print_json(delta.to_dict())
        return
    click.echo(
        f"{list_id}: version {old_snap.version} -> {new_snap.version}: "
        f"{len(delta.added)} added, {len(delta.removed)} removed, {len(delta.changed)} changed"
    )
    for entity_id, caption in delta.added:
        click.echo(f"  + {entity_id}  {caption}")
    for entity_id, caption in delta.removed:
        click.echo(f"  - {entity_id}  {caption}")
    for change in delta.changed:
        fields = ", ".join(f.field for f in change.changes)
        click.echo(f"  ~ {change.entity_id}  {change.caption}  ({fields})")
