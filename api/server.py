"""The production server of ``screening serve``: Granian, with the app in one worker process.

Waitress, used before, parsed every request in Python under the GIL that screening needs too:
at 8 concurrent clients, py-spy (``--gil``) put 43% of the GIL time in waitress's loop and
header parser. Granian (BSD-3) reads connections and parses HTTP/1.1 in Rust threads and calls
the WSGI app in ``threads`` Python threads.

One worker process, because DuckDB lets one process write the store. The app is built in the
worker (the supervising process never opens the store) and closed there when the worker
stops: running batches are waited for and journalled screenings committed. A worker that dies
is started again; batches it left running are marked failed, journalled screenings replayed.
"""

from __future__ import annotations

import ctypes
import gc
import logging
import multiprocessing
import os
import signal
import sys
from functools import partial
from pathlib import Path
from typing import Any

from flask import Flask
from granian.constants import Interfaces
from granian.server import MPServer

log = logging.getLogger(__name__)
# How long a thread may keep the GIL while another waits for it (Python's default: 5 ms). The
# recorder's group commit runs ~7 ms of pure Python per 250 screenings (the audit chain); every
# request thread waking up then (a sidecar's answer, a new request) waited up to the full
# interval for the GIL, several times per request. Measured with a thread sleeping 50 us in a
# loop beside ``ScreeningRecorder``'s steps (250 records a group): its wake-up delay during the
# chain was 5.2 ms at the 90th percentile with 5 ms, 1.2-1.5 ms with 1 ms. Request threads hold
# the GIL well under 1 ms at a time, so they are rarely cut short.
SWITCH_INTERVAL = 0.001
_PR_SET_PDEATHSIG = 1  # linux/prctl.h
_app: list[Flask] = []  # the app of this worker process, for its shutdown


def _load_app(db_path: str, sidecars: int) -> Flask:
    """Runs in the worker: the app over the store, with interrupted batches marked failed and
    the default screener built (in its sidecars too), so the first request does not wait."""
    from api import create_app
    from api.access import read_list_state
    from api.db import Database
    from api.engine import Engines
    from api.jobs import recover_batches

    app = create_app({"DB_PATH": Path(db_path), "SIDECARS": sidecars})
    database: Database = app.extensions["screening.db"]
    recovered = recover_batches(database)
    if recovered:
        log.warning("%d interrupted batch(es) marked failed: resubmit them", len(recovered))
    _app.append(app)
    con = database.cursor()
    try:
        state = read_list_state(con)
    finally:
        con.close()
    if state.snapshot_ids:
        engines: Engines = app.extensions["screening.engines"]
        engines.built(state)
    # What is loaded now (index, screener, app) lives as long as the worker: out of the cyclic
    # collector's reach, a full collection, a pause in some request, is about ten times shorter.
    gc.freeze()
    sys.setswitchinterval(SWITCH_INTERVAL)
    return app


def _die_with_supervisor() -> None:
    """Ask Linux to kill this worker when its supervisor dies, even by SIGKILL.

    Otherwise an orphaned worker would keep the port and the store's lock for ever. SIGKILL,
    because Granian's worker ignores SIGTERM once its supervisor is gone; losing nothing is left
    to the journal replay and batch recovery of the next start, as for any crash.
    """
    if sys.platform == "linux":
        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(_PR_SET_PDEATHSIG, signal.SIGKILL)
        if os.getppid() == 1:  # the supervisor died before prctl took effect
            os.kill(os.getpid(), signal.SIGKILL)


def _worker(*args: Any, **kwargs: Any) -> None:
    """Granian's WSGI worker, then the app's own shutdown once it has stopped serving."""
    _die_with_supervisor()
    try:
        MPServer._spawn_wsgi_worker(*args, **kwargs)  # Granian's own worker body
    finally:
        from api import shutdown

        while _app:
            shutdown(_app.pop())


def serve(db_path: Path, host: str, port: int, threads: int, sidecars: int) -> None:
    """Serve until SIGTERM or SIGINT; returns once the worker has closed the store.

    ``sidecars``: screening processes beside the worker (``api.sidecars``); 0 screens in it.
    """
    # Spawned, not forked: the worker starts without the supervisor's threads (Polars, DuckDB).
    multiprocessing.set_start_method("spawn", force=True)
    server = MPServer(
        "screening", address=host, port=port, interface=Interfaces.WSGI, workers=1,
        blocking_threads=threads, respawn_failed_workers=True, log_access=False,
        websockets=False,
    )
    server.serve(spawn_target=_worker, target_loader=partial(_load_app, str(db_path), sidecars),
                 wrap_loader=False)
