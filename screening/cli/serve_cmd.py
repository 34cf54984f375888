"""`screening serve`: the JSON API and the analyst pages on Granian (see ``api.server``)."""

from __future__ import annotations

import click

from screening.cli.common import db_from


@click.command("serve")
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on.")
@click.option("--port", default=8000, show_default=True, type=click.IntRange(0, 65535))
@click.option("--threads", default=8, show_default=True, type=click.IntRange(1, 256),
              help="Worker threads answering requests.")
@click.option("--sidecars", default=0, show_default=True, type=click.IntRange(0, 64),
              help="Processes that screen /v1/screen requests beside the worker, each holding "
                   "the index in memory (~360 MB); 0 screens in the worker. They cost CPU per "
                   "request and did not raise throughput on 2 cores (see api.sidecars).")
@click.pass_context
def serve(ctx: click.Context, host: str, port: int, threads: int, sidecars: int) -> None:
    """Serve the API and the analyst pages; batches left unfinished by a crash are failed."""
    from api.server import serve as run

    run(db_from(ctx), host, port, threads, sidecars)
