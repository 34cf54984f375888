"""Read-ahead: the next chunk of a batch is parsed in a thread while the current one is screened.

Parsing is mostly Polars and DuckDB work that releases the GIL, so it overlaps the screening of
the previous chunk instead of adding to it. At most ``depth`` parsed chunks wait in the queue
(memory stays bounded); an error while parsing is raised in the consumer, at the point where
the chunk it broke would have been read; a consumer that stops early (an error in screening)
stops the parser and closes the source before ``read_ahead`` returns.
"""

from __future__ import annotations

import queue
import threading
from collections.abc import Generator, Iterator
from typing import TypeVar

T = TypeVar("T")

_POLL_SECONDS = 0.1


class _Done:
    """End of the source."""


class _Failed:
    def __init__(self, error: BaseException) -> None:
        self.error = error


def _produce(
    source: Iterator[T], out: queue.Queue[T | _Done | _Failed], stop: threading.Event
) -> None:
    def put(item: T | _Done | _Failed) -> bool:
        while not stop.is_set():
            try:
                out.put(item, timeout=_POLL_SECONDS)
            except queue.Full:
                continue
            return True
        return False

    try:
        for item in source:
            if not put(item):
                return
        put(_Done())
    except BaseException as exc:  # handed to the consumer, raised there
        put(_Failed(exc))
    finally:
        close = getattr(source, "close", None)
        if close is not None:
            close()


def read_ahead(source: Iterator[T], depth: int = 1) -> Generator[T, None, None]:
    """The items of ``source`` in order, produced by a background thread ``depth`` ahead."""
    out: queue.Queue[T | _Done | _Failed] = queue.Queue(maxsize=depth)
    stop = threading.Event()
    thread = threading.Thread(
        target=_produce, args=(source, out, stop), name="batch-read-ahead", daemon=True
    )
    thread.start()
    try:
        while True:
            item = out.get()
            if isinstance(item, _Done):
                return
            if isinstance(item, _Failed):
                raise item.error
            yield item
    finally:
        stop.set()
        thread.join()
