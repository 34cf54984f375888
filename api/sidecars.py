"""Screening sidecars: processes that hold the index and screen parties for the HTTP worker.

The server has one worker process, because DuckDB lets one process write the store, and in it
every request holds the GIL for its whole screening (about 2.4 ms of a 4 ms request): one core
at most. Sidecars give the screening the other cores. Each is a spawned process that reads the
screener's index from its disk cache (``<store>.index/<key>``, written by the worker when it
built its own screener) and never opens the store; the worker keeps auth, the audit journal and
every write. A request thread sends one party list over the sidecar's pipe and waits for the
hits with the GIL released.

A sidecar screens with the caller's ``lists`` exactly like the worker would, and the worker
drops any hit outside them again, so a confidential list never reaches a client through it.
When no sidecar can answer (the index is not in the disk cache, the process died), ``screen``
returns None and the worker screens in process: an answer never depends on a sidecar.

They pay only where the worker's GIL is the limit, not the CPU: every request costs more CPU
with them (the socket round trip and the process wake-ups), and a lone request waits about 1 ms
longer. On 2 shared cores (2026-11-27, ``benchmarks.api_latency``, 8 clients, 15 s per run),
the worker alone served 407-411 /v1/screen requests/s at 8 threads and 441-518 at 4 (Python
threads contending for its GIL cost more than they add); 4 threads and 2 sidecars served
497-627 in 5 runs, at 2.3-3.0 ms of CPU per request (the worker's part 1.1-1.4 ms). Since
one-party requests skip Flask (``api.fast_screen``) and jobs travel as plain tuples over the
socket, the worker's part is 0.56-0.79 ms (11 runs, load average 4-11, the machine shared with
other benchmarks), against 0.85-1.59 ms for the previous code in the same interleaved runs.
``screening serve`` starts one per core, at most 2 (``screening.cli.serve_cmd``).
"""

from __future__ import annotations

import collections
import gc
import logging
import multiprocessing
import os
import pickle
import socket
import struct
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from multiprocessing.connection import Connection
from pathlib import Path
from typing import Any, Generic, TypeVar

from screening.screener import Screener

log = logging.getLogger(__name__)
T = TypeVar("T")


@dataclass(frozen=True, slots=True)
class Job:
    """What a sidecar screens: the parties of one request and the caller's lists."""

    index_folder: str  # the screener's index in its disk cache
    snapshot_ids: tuple[int, ...]  # that index's, checked by the sidecar
    algorithm: str | None
    rows: list[dict[str, Any]] | None  # None: only load the index
    threshold: float | None
    lists: list[str] | None

    def encoded(self) -> bytes:
        # A plain tuple: a slotted dataclass pickles and unpickles through Python-level
        # __getstate__/__setstate__, which cost each side several microseconds a job.
        return pickle.dumps((self.index_folder, self.snapshot_ids, self.algorithm, self.rows,
                             self.threshold, self.lists), pickle.HIGHEST_PROTOCOL)

    @classmethod
    def decoded(cls, data: bytes) -> Job:
        return cls(*pickle.loads(data))  # noqa: S301 (from our own worker)


@dataclass(frozen=True, slots=True)
class Answer:
    hits: list[dict[str, Any]] | None  # None: not screened (``problem`` says why)
    problem: str = ""

    def encoded(self) -> bytes:
        return pickle.dumps((self.hits, self.problem), pickle.HIGHEST_PROTOCOL)

    @classmethod
    def decoded(cls, data: bytes) -> Answer:
        return cls(*pickle.loads(data))  # noqa: S301 (from our own sidecar)


ANSWER_SECONDS = 30.0  # a sidecar silent this long on one party list is replaced (hung)
LOAD_SECONDS = 600.0  # reading an index into a sidecar may take this long
IDLE_WAIT_SECONDS = 5.0  # a request waits this long for a free sidecar, then screens in process
_PIPE_FAILURES = (OSError, EOFError, TimeoutError, pickle.UnpicklingError)
_LENGTH = struct.Struct("!I")  # each message: its length, then its bytes


def _socket_of(conn: Connection) -> socket.socket:
    """The socket under one end of a duplex ``Pipe`` (a Unix socket pair), which it replaces.

    Waiting for an answer is then one blocking ``recv`` (the kernel enforces the timeout, see
    ``_Sidecar.receive``); ``Connection.poll`` built a selector for every wait, and
    ``recv_bytes`` read a message in pieces: about 3x the worker's CPU per round trip.
    """
    found = socket.socket(fileno=os.dup(conn.fileno()))
    conn.close()
    return found


def _timeval(seconds: float) -> bytes:
    """A ``struct timeval`` for SO_RCVTIMEO."""
    whole = int(seconds)
    return struct.pack("ll", whole, int((seconds - whole) * 1_000_000))


def send_message(sock: socket.socket, data: bytes) -> None:
    sock.sendall(_LENGTH.pack(len(data)) + data)


def receive_message(sock: socket.socket) -> bytes:
    """One whole message; EOFError when the other end closed its socket."""
    (length,) = _LENGTH.unpack(_read_exactly(sock, _LENGTH.size))
    return _read_exactly(sock, length)


def _read_exactly(sock: socket.socket, size: int) -> bytes:
    # MSG_WAITALL: one recv waits for all the bytes (a timeout or a signal may cut it short).
    data = sock.recv(size, socket.MSG_WAITALL) if size else b""
    while len(data) < size:
        more = sock.recv(size - len(data), socket.MSG_WAITALL)
        if not more:
            raise EOFError("the other end of the sidecar's socket closed it")
        data += more
    return data


class _Sidecar:
    """One sidecar process and the worker's end of its socket."""

    def __init__(self, name: str) -> None:
        context = multiprocessing.get_context("spawn")
        ours, child = context.Pipe()
        self.process = context.Process(target=serve_jobs, args=(child,), name=name, daemon=True)
        self.process.start()
        child.close()
        self.sock = _socket_of(ours)
        self._timeout: float | None = None
        self.answers = 0  # answers received: one that died before its first never worked

    def ask(self, job: Job, timeout: float) -> Answer:
        """One job, one answer: every job sent is received, or the sidecar is replaced."""
        self.send(job)
        return self.receive(timeout)

    def send(self, job: Job) -> bool:
        send_message(self.sock, job.encoded())
        return True

    def receive(self, timeout: float) -> Answer:
        if timeout != self._timeout:
            # In the kernel, not ``settimeout``: that makes every recv a poll, then a recv.
            self.sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVTIMEO, _timeval(timeout))
            self._timeout = timeout
        try:
            data = receive_message(self.sock)
        except BlockingIOError:  # what a recv past SO_RCVTIMEO raises
            raise TimeoutError(f"no answer from {self.process.name} within {timeout} s"
                               ) from None
        answer = Answer.decoded(data)
        self.answers += 1
        return answer

    def stop(self) -> None:
        self.sock.close()  # the sidecar's recv ends: it returns
        self.process.join(timeout=10)
        if self.process.is_alive():
            self.process.kill()
            self.process.join()

    def kill(self) -> None:
        """Stop it at once: it may be hung, or hold an answer nobody will read."""
        self.sock.close()
        if self.process.is_alive():
            self.process.kill()
        self.process.join(timeout=10)


class _Waiter(Generic[T]):
    """A request waiting for an idle sidecar; ``IdlePool.put`` hands it one and wakes it."""

    __slots__ = ("handed", "woken")

    def __init__(self) -> None:
        self.handed: T | None = None
        self.woken = threading.Event()


class IdlePool(Generic[T]):
    """Idle sidecars, handed to the requests waiting for one in their order of arrival.

    With a plain queue, a sidecar put back went to whichever thread called ``get`` first once
    it was there: often a request just arrived, holding the GIL, rather than one already
    waiting, which had first to be woken and to get the GIL. An unlucky request could lose
    that race several times in a row. Here a request waits only when none is idle, and a
    sidecar put back goes straight to the longest waiting one. In the paced load
    (``benchmarks.api_latency --rate 500``, 2 cores shared with other jobs), the slowest 1%
    waited 3.8-6.7 ms on average for a sidecar (7 runs) against 7.1-12.6 ms with the plain
    queue (8 runs). At load average 4-7 the server's own p99 was 20-29 ms (5 runs) against
    32-41 ms in the runs alternated with them; at 3-4 it was no better (13-18 against 12-17
    ms), and the p99 from the scheduled time did not change beyond the runs' spread.
    """

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._idle: list[T] = []
        self._waiting: collections.deque[_Waiter[T]] = collections.deque()

    def put(self, item: T) -> None:
        with self._lock:
            if self._waiting:
                waiter = self._waiting.popleft()
                waiter.handed = item
                waiter.woken.set()
            else:
                self._idle.append(item)

    def take(self, timeout: float | None = None) -> T | None:
        """An idle sidecar, waiting up to ``timeout`` seconds (None: for ever); None if none."""
        with self._lock:
            if self._idle:
                return self._idle.pop()
            waiter: _Waiter[T] = _Waiter()
            self._waiting.append(waiter)
        if waiter.woken.wait(timeout):
            return waiter.handed
        with self._lock:  # timed out, unless handed one meanwhile
            if waiter.handed is None:
                self._waiting.remove(waiter)
            return waiter.handed

    def take_when_idle(self) -> T:
        """An idle sidecar, however long it takes."""
        found = self.take(None)
        assert found is not None  # without a timeout, a wait ends only with one handed
        return found


class JobTimes(threading.local):
    """The calling thread's last ``Sidecars.screen``: seconds waiting for an idle sidecar, then
    with it (sending, screening, answer read). For the fast path's Server-Timing header."""

    waited: float = 0.0
    asked: float = 0.0

    def clear(self) -> None:
        self.waited = self.asked = 0.0


class Sidecars:
    """A few sidecars shared by the request threads; one job at a time each.

    A sidecar is never lost from the pool, so requests cannot pile up waiting for one: after
    any failure of a job (died, hung past ``answer_seconds``, garbled answer) it is killed and
    replaced, since its pipe may still hold an answer meant for that job. One that dies before
    its first answer (it cannot start or load the index: out of memory, say) is retired
    instead of being started again for every request; with none left, the worker screens.
    """

    def __init__(self, count: int, answer_seconds: float = ANSWER_SECONDS) -> None:
        self._idle: IdlePool[_Sidecar] = IdlePool()
        self._all: list[_Sidecar] = []
        self._lock = threading.Lock()
        self._closed = False
        self.answer_seconds = answer_seconds
        self.answered = 0  # jobs screened by a sidecar (the others were screened in process)
        self.times = JobTimes()
        for number in range(count):
            sidecar = _Sidecar(f"screening-sidecar-{number}")
            self._all.append(sidecar)
            self._idle.put(sidecar)

    @property
    def count(self) -> int:
        return len(self._all)

    def screen(self, job: Job) -> list[dict[str, Any]] | None:
        """The hits of ``job`` from the first idle sidecar; None when it could not screen."""
        self.times.clear()
        if not self._all:
            return None
        started = time.perf_counter()
        sidecar = self._idle.take(IDLE_WAIT_SECONDS)
        if sidecar is None:
            log.warning("no screening sidecar free within %s s; screening in process",
                        IDLE_WAIT_SECONDS)
            return None
        taken = time.perf_counter()
        self.times.waited = taken - started
        try:
            answer = sidecar.ask(job, self.answer_seconds)
        except BaseException as exc:
            self._put_back(self._replace(sidecar))
            if isinstance(exc, _PIPE_FAILURES):
                log.exception("a screening sidecar failed; screening in process")
                return None
            raise
        self._idle.put(sidecar)
        self.times.asked = time.perf_counter() - taken
        if answer.hits is None:
            log.warning("a screening sidecar declined a job: %s", answer.problem)
            return None
        self.answered += 1
        return _only_lists(answer.hits, job.lists)

    def load(self, job: Job) -> None:
        """Every sidecar reads the job's index now (in parallel), not at its first request."""
        taken = [self._idle.take_when_idle() for _ in list(self._all)]
        sent = [sidecar for sidecar in taken if _tried(sidecar.send, job) is not None]
        loaded = []
        for sidecar in sent:
            answer = _tried(sidecar.receive, LOAD_SECONDS)
            if answer is not None:
                loaded.append(sidecar)
                if answer.hits is None:
                    log.warning("a screening sidecar could not load the index: %s",
                                answer.problem)
        for sidecar in taken:
            self._put_back(sidecar if sidecar in loaded else self._replace(sidecar))

    def _put_back(self, sidecar: _Sidecar | None) -> None:
        if sidecar is not None:
            self._idle.put(sidecar)

    def _replace(self, dead: _Sidecar) -> _Sidecar | None:
        """A fresh sidecar in the place of ``dead`` (killed); None when it is retired."""
        with self._lock:
            dead.kill()
            if dead.answers == 0 or self._closed:
                self._all.remove(dead)
                if not self._closed:
                    log.error("%s died before its first answer; not started again (%d "
                              "sidecar(s) left)", dead.process.name, len(self._all))
                return None
            try:
                fresh = _Sidecar(dead.process.name)
            except OSError:
                log.exception("no new screening sidecar could be started")
                self._all.remove(dead)
                return None
            self._all[self._all.index(dead)] = fresh
            return fresh

    def close(self) -> None:
        with self._lock:
            if self._closed:
                return
            self._closed = True
            for sidecar in self._all:
                sidecar.stop()


def _tried(call: Callable[..., T], *args: Any) -> T | None:
    """``call(*args)``, or None (logged) when the sidecar's pipe is broken."""
    try:
        return call(*args)
    except (OSError, EOFError):
        log.exception("a screening sidecar died")
        return None


def _only_lists(hits: list[dict[str, Any]], lists: list[str] | None) -> list[dict[str, Any]]:
    """Defence in depth: no hit outside the caller's lists, whatever the sidecar returned."""
    if lists is None:
        return hits
    allowed = set(lists)
    return [hit for hit in hits if hit["list_id"] in allowed]


# -- the sidecar process ------------------------------------------------------------------------


def serve_jobs(conn: Connection) -> None:
    """The body of a sidecar: answer jobs until the worker closes its socket (or dies)."""
    sock = _socket_of(conn)
    screeners = _Screeners()
    while True:
        try:
            job = Job.decoded(receive_message(sock))
        except (EOFError, OSError):
            return
        try:
            screener = screeners.get(job.index_folder, job.snapshot_ids, job.algorithm)
            hits = [] if job.rows is None else screener.screen_records(
                job.rows, threshold=job.threshold, limit=None, lists=job.lists)
            answer = Answer(hits)
        except Exception as exc:  # the worker screens in process and logs this
            answer = Answer(None, f"{type(exc).__name__}: {exc}")
        try:
            send_message(sock, answer.encoded())
        except OSError:
            return


class _Screeners:
    """The sidecar's screener per algorithm, over the last index folder it was asked for."""

    def __init__(self) -> None:
        self._built: dict[str | None, tuple[str, Screener]] = {}

    def get(self, folder: str, snapshot_ids: tuple[int, ...], algorithm: str | None
            ) -> Screener:
        cached = self._built.get(algorithm)
        if cached is not None and cached[0] == folder:
            return cached[1]
        from api.engine import settle, warm
        from screening.index import read_index

        gc.unfreeze()
        self._built.pop(algorithm, None)  # the old index can go before the new one is read
        index = read_index(Path(folder))
        found = tuple(sorted(int(str(s["snapshot_id"])) for s in index.snapshots))
        if found != snapshot_ids:
            raise ValueError(f"the index at {folder} covers snapshots {found}, not "
                             f"{snapshot_ids}")
        screener = warm(Screener(index, algorithm))
        self._built[algorithm] = (folder, screener)
        settle()
        return screener
