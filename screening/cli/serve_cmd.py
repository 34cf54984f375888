"""`screening serve`: the JSON API and the analyst pages on waitress (a production WSGI server)."""

from __future__ import annotations

import signal
from types import FrameType

import click

from screening.cli.common import db_from


def _stop(_signum: int, _frame: FrameType | None) -> None:
    raise KeyboardInterrupt  # waitress stops; the finally block closes the store cleanly


@click.command("serve")
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on.")
@click.option("--port", default=8000, show_default=True, type=click.IntRange(0, 65535))
@click.option("--threads", default=8, show_default=True, type=click.IntRange(1, 256),
              help="Worker threads answering requests.")
@click.pass_context
def serve(ctx: click.Context, host: str, port: int, threads: int) -> None:
    """Serve the API and the analyst pages; batches left unfinished by a crash are failed."""
    import waitress

    from api import create_app, shutdown
    from api.db import Database
    from api.jobs import recover_batches

    app = create_app({"DB_PATH": db_from(ctx)})
    database: Database = app.extensions["screening.db"]
    recovered = recover_batches(database)
    if recovered:
        click.echo(f"{len(recovered)} interrupted batch(es) marked failed: resubmit them", err=True)
    signal.signal(signal.SIGTERM, _stop)
    try:
        waitress.serve(app, host=host, port=port, threads=threads, ident="screening")
    except KeyboardInterrupt:
        pass
    finally:
        shutdown(app)
