"""Benchmark: latency and sustained throughput of the HTTP API on loopback.

Scenario: warm server. A fresh store in a temporary folder gets the real lists (``--lists un``:
the UN list; ``core`` (default): UN, OFAC SDN, UK, EU 2580/2001 and 881/2002); then `screening
serve` (Granian, ``--threads``) runs as a subprocess on a free loopback port. After a warm-up,

1. latency: ``--requests`` sequential requests on one keep-alive connection, each of
   ``POST /v1/screen`` (one party) and ``POST /match/default`` (one query); p50, p99, mean;
2. sustained: ``--clients`` threads, each with its own keep-alive connection, send
   ``POST /v1/screen`` for ``--seconds``; requests per second over the whole run, and the CPU
   per request of the server (its worker and sidecars apart) and of this load generator;
3. with ``--rate R``: the issue's own test, R requests/s offered for ``--seconds`` over
   ``--clients`` connections, each request sent at its scheduled time by the first free
   connection; p50/p99 are measured from that time, so a server falling behind shows as
   latency (no coordinated omission). Beside them: the same from sending, and the server's own
   time per request (its ``Server-Timing`` header: from the WSGI call to the answer's body).
   Where the slowest 1% (from the scheduled time) spent it, on average: sent late (every
   connection busy), before the app (Granian's queue, the network), waiting for an idle
   sidecar, with the sidecar, the rest of the app.
   This load goes through ``RawClient`` (pre-encoded requests on raw sockets), so that the
   load generator takes as little as possible of the CPU it shares with the server.

Queries cycle through a fixed corpus: half listed names (UN captions), half made-up names.
Any non-200 answer is an error; the script exits 1 when there is one. Prints a table and
writes benchmarks/results/api_latency.json.

Run: python -m benchmarks.api_latency   (targets on 2 cores: p50 <= 5 ms, p99 <= 25 ms for
one party; >= 500 requests/s sustained, no errors)
"""

from __future__ import annotations

import argparse
import gc
import http.client
import itertools
import json
import os
import random
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import duckdb

from lists.ingest import load_paths
from lists.store import ListStore
from screening import settings
from screening.api import open_screener
from screening.cli.common import print_table
from screening.cli.serve_cmd import DEFAULT_THREADS, default_sidecars
from screening.review import create_api_key, ensure_schema

RESULTS = Path(__file__).parent / "results"
LISTS = {
    "un": ("un/consolidated_2026-02-27.xml",),
    "core": (
        "un/consolidated_2026-02-27.xml", "ofac/sdn_2024-05-03/sdn.csv",
        "uk/sanctionsconlist_2018-04-13.csv", "eu/opensanctions_journal_extracts/32001R2580.csv",
        "eu/opensanctions_journal_extracts/32002R0881.csv",
    ),
}
FIRST = ("Jean", "Maria", "Peter", "Anna", "Luc", "Sofia", "Ahmed", "Olga", "Marc", "Lena")
LAST = ("Dupont", "Peeters", "Janssens", "Garcia", "Novak", "Haddad", "Smith", "Maes", "Keller")


def build_store(folder: Path, which: str) -> tuple[Path, str]:
    """A store with the chosen lists and a client API key; returns its path and the key."""
    db = folder / "bench.duckdb"
    store = ListStore(db)
    for rel in LISTS[which]:
        load_paths(store, [settings.shared_data_dir() / rel])
    store.close()
    con = duckdb.connect(str(db))
    ensure_schema(con)
    key = create_api_key(con, "bench", "client").secret
    con.close()
    open_screener(db)  # the index cache, so the server starts warm
    return db, key


def corpus(db: Path, size: int = 200) -> list[str]:
    """Half listed captions, half made-up names, in a fixed order."""
    con = duckdb.connect(str(db), read_only=True)
    listed = [str(r[0]) for r in con.execute(
        "SELECT caption FROM entities e JOIN snapshots s USING (snapshot_id) "
        "WHERE s.is_current ORDER BY hash(e.entity_id) LIMIT ?", [size // 2]).fetchall()]
    con.close()
    rng = random.Random(7)
    made_up = [f"{rng.choice(FIRST)} {rng.choice(LAST)}" for _ in range(size - len(listed))]
    names = listed + made_up
    rng.shuffle(names)
    return names


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
    return port


def start_server(db: Path, port: int, threads: int, log: Path, sidecars: int = 0
                 ) -> subprocess.Popen[bytes]:
    command = [str(Path(sys.executable).parent / "screening"), "--db", str(db), "serve",
               "--port", str(port), "--threads", str(threads), "--sidecars", str(sidecars)]
    process = subprocess.Popen(command, stdout=log.open("wb"), stderr=subprocess.STDOUT,
                               env={**os.environ, "PYTHONUNBUFFERED": "1"})
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        try:
            connection = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
            connection.request("GET", "/readyz")
            if connection.getresponse().status == 200:
                return process
        except OSError:
            time.sleep(0.2)
    process.kill()
    raise RuntimeError(f"server did not start: {log.read_text()}")


Request = Callable[[str], tuple[str, str, bytes]]
Answered = tuple[float, float, float, dict[str, float]]  # due, sent, done, server times (ms)


def screen_request(name: str) -> tuple[str, str, bytes]:
    return "POST", "/v1/screen", json.dumps({"name": name}).encode()


def match_request(name: str) -> tuple[str, str, bytes]:
    body = {"queries": {"q": {"schema": "Person", "properties": {"name": [name]}}}}
    return "POST", "/match/default", json.dumps(body).encode()


class Client:
    """One keep-alive connection sending authenticated JSON requests."""

    def __init__(self, port: int, key: str) -> None:
        self.connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        self.headers = {"Authorization": f"Bearer {key}", "Content-Type": "application/json"}

    def send(self, request: tuple[str, str, bytes]) -> int:
        method, path, body = request
        self.connection.request(method, path, body=body, headers=self.headers)
        response = self.connection.getresponse()
        response.read()
        return response.status



class RawClient:
    """One keep-alive connection speaking just enough HTTP/1.1 over a raw socket, for the loads.

    ``http.client`` cost this process about 0.3-0.45 ms of CPU per request (header parsing in
    Python), which at 500 requests/s is a sixth of a core taken from the server on a 2-core
    machine. Here each request is encoded once (``encoded``) and an answer is read as its status,
    its Content-Length body and the server's own times (``Server-Timing``: ``app`` and its
    parts, ms).
    """

    def __init__(self, port: int, timeout: float = 30.0) -> None:
        self.sock = socket.create_connection(("127.0.0.1", port), timeout=timeout)
        self.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        self._buffer = b""

    @staticmethod
    def encoded(port: int, key: str, request: tuple[str, str, bytes]) -> bytes:
        method, path, body = request
        return (f"{method} {path} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\n"
                f"Authorization: Bearer {key}\r\nContent-Type: application/json\r\n"
                f"Content-Length: {len(body)}\r\n\r\n").encode() + body

    def send(self, request: bytes) -> tuple[int, dict[str, float]]:
        """The answer's status and the server's own times in ms (empty when not given)."""
        self.sock.sendall(request)
        while b"\r\n\r\n" not in self._buffer:
            self._buffer += self._received()
        head, _, rest = self._buffer.partition(b"\r\n\r\n")
        lines = head.decode("latin-1").split("\r\n")
        headers = dict(line.lower().split(":", 1) for line in lines[1:])
        length = int(headers["content-length"])  # Granian gives one for every answer here
        while len(rest) < length:
            rest += self._received()
        self._buffer = rest[length:]
        return int(lines[0].split()[1]), server_timing(headers.get("server-timing", ""))

    def _received(self) -> bytes:
        data = self.sock.recv(65536)
        if not data:
            raise ConnectionError("the server closed the connection")
        return data

    def close(self) -> None:
        self.sock.close()


def server_timing(header: str) -> dict[str, float]:
    """The metrics of a Server-Timing header and their durations, e.g. {"app": 2.1, ...}."""
    found = {}
    for metric in header.split(","):
        name, _, duration = metric.strip().partition(";dur=")
        if duration:
            found[name] = float(duration)
    return found


def latency(client: Client, make: Request, names: list[str], count: int) -> dict[str, Any]:
    """Sequential requests: percentiles in milliseconds, errors counted."""
    times, errors = [], 0
    for index in range(count):
        request = make(names[index % len(names)])
        started = time.perf_counter()
        status = client.send(request)
        times.append((time.perf_counter() - started) * 1000)
        errors += status != 200
    times.sort()
    return {
        "requests": count, "errors": errors, "p50_ms": round(statistics.median(times), 2),
        "p99_ms": round(times[min(len(times) - 1, int(0.99 * len(times)))], 2),
        "mean_ms": round(statistics.fmean(times), 2), "max_ms": round(times[-1], 2),
    }


def process_cpu(pid: int, depth: int = 0) -> dict[int, tuple[int, float]]:
    """Each process of the tree rooted at ``pid``: its depth in the tree and CPU seconds so
    far (Linux /proc)."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        children = Path(f"/proc/{pid}/task/{pid}/children").read_text().split()
    except OSError:  # exited meanwhile
        return {}
    found = {pid: (depth, (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK"))}
    for child in children:
        found |= process_cpu(int(child), depth + 1)
    return found


def tree_cpu_seconds(pid: int) -> float:
    """CPU seconds used so far by a process and its descendants."""
    return sum(cpu for _, cpu in process_cpu(pid).values())


def cpu_split(before: dict[int, tuple[int, float]], after: dict[int, tuple[int, float]],
              requests: int) -> dict[str, float]:
    """Server CPU ms per request: `screening serve`'s own processes (the worker; the
    supervisor and multiprocessing's resource tracker stay idle) and the worker's children
    (sidecars)."""
    used = {"worker_cpu_ms_per_request": 0.0, "sidecar_cpu_ms_per_request": 0.0}
    for pid, (depth, cpu) in after.items():
        if pid in before:
            part = "worker" if depth <= 1 else "sidecar"
            used[f"{part}_cpu_ms_per_request"] += (cpu - before[pid][1]) * 1000 / max(requests, 1)
    return {name: round(ms, 2) for name, ms in used.items()}


def sustained(port: int, key: str, names: list[str], clients: int, seconds: float,
              server_pid: int) -> dict[str, Any]:
    """``clients`` threads sending /v1/screen for ``seconds``: requests per second, and the
    CPU time per request of the server and of this load generator (the machine is shared)."""
    counts = [0] * clients
    errors = [0] * clients
    stop = time.monotonic() + seconds

    def run(slot: int) -> None:
        client = Client(port, key)
        index = slot
        while time.monotonic() < stop:
            try:
                status = client.send(screen_request(names[index % len(names)]))
            except (OSError, http.client.HTTPException):
                status = 0
                client = Client(port, key)
            counts[slot] += 1
            errors[slot] += status != 200
            index += clients

    started = time.perf_counter()
    server_cpu, client_cpu = process_cpu(server_pid), time.process_time()
    _on_threads(run, clients)
    elapsed = time.perf_counter() - started
    total = max(sum(counts), 1)
    split = cpu_split(server_cpu, process_cpu(server_pid), total)
    client_ms = (time.process_time() - client_cpu) * 1000 / total
    return {"clients": clients, "seconds": round(elapsed, 2), "requests": sum(counts),
            "errors": sum(errors), "requests_per_s": round(total / elapsed, 1),
            "server_cpu_ms_per_request": round(sum(split.values()), 2), **split,
            "client_cpu_ms_per_request": round(client_ms, 2),
            "load_average_1m": round(os.getloadavg()[0], 2)}


def _on_threads(run: Callable[[int], None], clients: int) -> None:
    """``run(slot)`` for every client slot, each on its own thread, until all are done."""
    threads = [threading.Thread(target=run, args=(slot,)) for slot in range(clients)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()


def paced(port: int, key: str, names: list[str], rate: float, clients: int, seconds: float
          ) -> dict[str, Any]:
    """``rate`` requests/s of /v1/screen offered on a fixed schedule over ``clients`` connections;
    each latency counts from the request's scheduled time, not its sending (no coordinated
    omission), and the server's own time (its Server-Timing header) is reported beside it.

    Requests are not tied to a connection: each free connection takes the next request due, so
    one is sent late only when every connection is waiting for an answer (with request ``i`` on
    connection ``i % clients``, one slow answer made the next requests of its connection late
    while others sat idle).
    """
    total = int(rate * seconds)
    requests = [RawClient.encoded(port, key, screen_request(names[i % len(names)]))
                for i in range(len(names))]
    # Per connection: (due, sent, done, server times) of each request, and its errors.
    found: list[list[Answered]] = [[] for _ in range(clients)]
    errors = [0] * clients
    taken = itertools.count()  # the next request due; next() is atomic under the GIL
    start = time.monotonic() + 0.1

    def run(slot: int) -> None:
        client = RawClient(port)
        while (index := next(taken)) < total:
            due = start + index / rate
            wait = due - time.monotonic()
            if wait > 0:
                time.sleep(wait)
            sent = time.monotonic()
            try:
                status, server = client.send(requests[index % len(requests)])
            except (OSError, ValueError, KeyError, IndexError):
                status, server = 0, {}
                client.close()
                client = RawClient(port)
            found[slot].append((due, sent, time.monotonic(), server))
            errors[slot] += status != 200
        client.close()

    cpu = time.process_time()
    _on_threads(run, clients)
    answered = [request for requests_of_one in found for request in requests_of_one]
    client_ms = (time.process_time() - cpu) * 1000 / max(len(answered), 1)
    elapsed = max(done for _, _, done, _ in answered) - start
    times = sorted((done - due) * 1000 for due, _, done, _ in answered)
    sending = sorted((done - sent) * 1000 for _, sent, done, _ in answered)
    server = sorted(times_of["app"] for *_, times_of in answered if "app" in times_of)
    return {"offered_per_s": rate, "clients": clients, "requests": len(times),
            "errors": sum(errors), "requests_per_s": round(len(times) / elapsed, 1),
            "p50_ms": round(statistics.median(times), 2), "p99_ms": _p99(times),
            "max_ms": round(times[-1], 2),
            "from_sending_p50_ms": round(statistics.median(sending), 2),
            "from_sending_p99_ms": _p99(sending),
            "server_p50_ms": round(statistics.median(server), 2) if server else None,
            "server_p99_ms": _p99(server) if server else None,
            "slowest_1pct_ms": slowest_parts(answered),
            "client_cpu_ms_per_request": round(client_ms, 3),
            "load_average_1m": round(os.getloadavg()[0], 2)}


def slowest_parts(answered: list[Answered]) -> dict[str, float]:
    """Where the slowest 1% of requests (from their scheduled time) spent it, mean ms: sent late,
    before the app (Granian's queue, the network), waiting for an idle sidecar, with it, the
    rest of the app, and after it (sending the answer, reading it)."""
    ordered = sorted(answered, key=lambda a: a[2] - a[0])
    slowest = [a for a in ordered[int(0.99 * len(ordered)):] if "app" in a[3]]
    parts: dict[str, list[float]] = {name: [] for name in SLOWEST_PARTS}
    for due, sent, done, server in slowest:
        app, wait, sidecar = server["app"], server.get("wait", 0.0), server.get("sidecar", 0.0)
        outside = (done - sent) * 1000 - app
        for name, ms in zip(SLOWEST_PARTS, ((sent - due) * 1000, outside, wait, sidecar,
                                            app - wait - sidecar), strict=True):
            parts[name].append(ms)
    return {name: round(statistics.fmean(ms), 2) if ms else 0.0 for name, ms in parts.items()}


SLOWEST_PARTS = ("late", "outside_app", "sidecar_wait", "sidecar", "app_rest")


def _p99(ordered: list[float]) -> float:
    return round(ordered[min(len(ordered) - 1, int(0.99 * len(ordered)))], 2) if ordered else 0.0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--lists", choices=sorted(LISTS), default="core")
    parser.add_argument("--requests", type=int, default=300)
    parser.add_argument("--clients", type=int, default=8)
    parser.add_argument("--seconds", type=float, default=20.0)
    parser.add_argument("--threads", type=int, default=DEFAULT_THREADS,
                        help="server worker threads (default: screening serve's)")
    parser.add_argument("--sidecars", type=int, default=default_sidecars(),
                        help="screening sidecar processes (default: screening serve's)")
    parser.add_argument("--rate", type=float, default=0.0,
                        help="also offer this many /v1/screen requests/s (0: skip)")
    parser.add_argument("--output", type=Path, default=RESULTS / "api_latency.json",
                        help="where the results go (JSON)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="api-bench-") as tmp:
        db, key = build_store(Path(tmp), args.lists)
        names = corpus(db)
        port = free_port()
        server = start_server(db, port, args.threads, Path(tmp) / "serve.log", args.sidecars)
        try:
            client = Client(port, key)
            for name in names[:20]:  # warm-up: caches, connection, first index use
                client.send(screen_request(name))
                client.send(match_request(name))
            # What this process holds now stays out of its collector's full passes: one took
            # 57 ms in a traced paced run (every client thread stopped, which the paced load
            # would count as the server's latency).
            gc.collect()
            gc.freeze()
            screen = latency(client, screen_request, names, args.requests)
            match = latency(client, match_request, names, args.requests)
            load = sustained(port, key, names, args.clients, args.seconds, server.pid)
            rated = (paced(port, key, names, args.rate, args.clients, args.seconds)
                     if args.rate > 0 else None)
        finally:
            server.terminate()
            server.wait(timeout=60)
    result = {"lists": args.lists, "server_threads": args.threads, "sidecars": args.sidecars,
              "cpus": os.cpu_count(),
              "screen": screen, "match": match, "sustained": load, "paced": rated}
    print_table(
        ["endpoint", "requests", "errors", "p50 ms", "p99 ms", "mean ms", "max ms"],
        [[label, r["requests"], r["errors"], r["p50_ms"], r["p99_ms"], r["mean_ms"], r["max_ms"]]
         for label, r in (("POST /v1/screen", screen), ("POST /match/default", match))],
    )
    print()
    print_table(["sustained /v1/screen", "clients", "seconds", "requests", "errors", "req/s",
                 "server CPU ms/req", "worker", "sidecars", "client CPU ms/req", "load avg"],
                [["", load["clients"], load["seconds"], load["requests"], load["errors"],
                  load["requests_per_s"], load["server_cpu_ms_per_request"],
                  load["worker_cpu_ms_per_request"], load["sidecar_cpu_ms_per_request"],
                  load["client_cpu_ms_per_request"], load["load_average_1m"]]])
    if rated is not None:
        print()
        print_table(["paced /v1/screen", "offered/s", "req/s", "requests", "errors", "p50 ms",
                     "p99 ms", "max ms", "from sending: p50", "p99", "server: p50", "p99",
                     "client CPU ms/req", "load avg"],
                    [["", rated["offered_per_s"], rated["requests_per_s"], rated["requests"],
                      rated["errors"], rated["p50_ms"], rated["p99_ms"], rated["max_ms"],
                      rated["from_sending_p50_ms"], rated["from_sending_p99_ms"],
                      rated["server_p50_ms"], rated["server_p99_ms"],
                      rated["client_cpu_ms_per_request"], rated["load_average_1m"]]])
        print()
        slowest = rated["slowest_1pct_ms"]
        print_table(["paced, slowest 1% (mean ms)", *SLOWEST_PARTS],
                    [["", *(slowest[name] for name in SLOWEST_PARTS)]])
    args.output.parent.mkdir(parents=True, exist_ok=True)
    args.output.write_text(json.dumps(result, indent=2) + "\n")
    failed = screen["errors"] or match["errors"] or load["errors"] or (rated or {}).get("errors")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
