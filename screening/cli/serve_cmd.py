"""`screening serve`: the JSON API and the analyst pages on Granian (see ``api.server``)."""

from __future__ import annotations

import os

import click

from screening.cli.common import db_from

# Measured on 2 shared cores with benchmarks.api_latency (8 clients, 15 s, 2026-11-27):
# 4 threads and 2 sidecars answered 571-627 /v1/screen requests/s; 8 threads and 2 sidecars
# 504-600; every screening in the worker 407-411 at 8 threads, 441-518 at 4. Python threads
# contending for the worker's GIL waste more than they add past a few; several remain so that
# one slow request (an upload, an export, a login) never holds up the others.
DEFAULT_THREADS = 4
# Each holds the index (~360 MB for the core lists). One more than the cores keeps both busy
# while a sidecar's answer crosses the pipe: on 2 cores, 3 sidecars answered 892-932 requests/s
# against 759-779 for 2, and at 500 requests/s offered the p99 was 55-62 ms against 63-69 ms
# (benchmarks.api_latency --rate 500, alternated, 2026-11-27). Beyond three, the worker's own CPU
# per request (0.57-0.73 ms) caps throughput anyway.
MAX_DEFAULT_SIDECARS = 3


def default_sidecars() -> int:
    """Sidecars started unless told: one per core and one more, up to three; none on a single
    core, where they would only add their pipe round trips."""
    cores = os.cpu_count() or 1
    return 0 if cores < 2 else min(cores + 1, MAX_DEFAULT_SIDECARS)


@click.command("serve")
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on.")
@click.option("--port", default=8000, show_default=True, type=click.IntRange(0, 65535))
@click.option("--threads", default=DEFAULT_THREADS, show_default=True,
              type=click.IntRange(1, 256), help="Worker threads answering requests.")
@click.option("--sidecars", default=None, type=click.IntRange(0, 64),
              help="Processes that screen /v1/screen requests beside the worker, each holding "
                   "the index in memory (~360 MB for the core lists); 0 screens in the worker. "
                   "Default: one per core and one more, at most 3, none on one core "
                   "(see api.sidecars).")
@click.pass_context
def serve(ctx: click.Context, host: str, port: int, threads: int, sidecars: int | None) -> None:
    """Serve the API and the analyst pages; batches left unfinished by a crash are failed."""
    from api.server import serve as run

    run(db_from(ctx), host, port, threads, default_sidecars() if sidecars is None else sidecars)
