"""The `screening` console command."""

from __future__ import annotations

from pathlib import Path

import click

from screening.cli.admin_cmd import audit_group, keys_group, users_group
from screening.cli.demo_cmd import demo
from screening.cli.lists_cmd import lists_group
from screening.cli.match_cmd import match
from screening.cli.screen_cmd import screen
from screening.cli.serve_cmd import serve


@click.group()
@click.option(
    "--db",
    type=click.Path(dir_okay=False, path_type=Path),
    default=None,
    help="DuckDB store file (default: $SCREENING_DB or ./screening.duckdb).",
)
@click.pass_context
def main(ctx: click.Context, db: Path | None) -> None:
    """Screen parties and transactions against sanctions lists and terrorist watchlists."""
    ctx.ensure_object(dict)
    ctx.obj["db"] = db


main.add_command(lists_group)
main.add_command(demo)
main.add_command(match)
main.add_command(users_group)
main.add_command(keys_group)
main.add_command(audit_group)
main.add_command(screen)
main.add_command(serve)

if __name__ == "__main__":
    main()
