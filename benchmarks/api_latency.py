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
   ``--clients`` connections, each request sent at its scheduled time; p50/p99 are measured
   from that time, so a server falling behind shows as latency (no coordinated omission).

Queries cycle through a fixed corpus: half listed names (UN captions), half made-up names.
Any non-200 answer is an error; the script exits 1 when there is one. Prints a table and
writes benchmarks/results/api_latency.json.

Run: python -m benchmarks.api_latency   (targets on 2 cores: p50 <= 5 ms, p99 <= 25 ms for
one party; >= 500 requests/s sustained, no errors)
"""

from __future__ import annotations

import argparse
import http.client
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
    """``rate`` requests/s of /v1/screen offered on a fixed schedule, spread over ``clients``
    connections; each latency counts from the request's scheduled time, not its sending."""
    interval = clients / rate  # each connection's period
    latencies: list[list[float]] = [[] for _ in range(clients)]
    service: list[list[float]] = [[] for _ in range(clients)]  # from sending, for comparison
    errors = [0] * clients
    start = time.monotonic() + 0.1

    def run(slot: int) -> None:
        client = Client(port, key)
        due, index = start + slot * interval / clients, slot
        while due < start + seconds:
            wait = due - time.monotonic()
            if wait > 0:
                time.sleep(wait)
            sent = time.monotonic()
            try:
                status = client.send(screen_request(names[index % len(names)]))
            except (OSError, http.client.HTTPException):
                status = 0
                client = Client(port, key)
            done = time.monotonic()
            latencies[slot].append((done - due) * 1000)
            service[slot].append((done - sent) * 1000)
            errors[slot] += status != 200
            due, index = due + interval, index + clients

    _on_threads(run, clients)
    elapsed = time.monotonic() - start
    times = sorted(t for found in latencies for t in found)
    sending = sorted(t for found in service for t in found)
    return {"offered_per_s": rate, "clients": clients, "requests": len(times),
            "errors": sum(errors), "requests_per_s": round(len(times) / elapsed, 1),
            "p50_ms": round(statistics.median(times), 2), "p99_ms": _p99(times),
            "max_ms": round(times[-1], 2),
            "from_sending_p50_ms": round(statistics.median(sending), 2),
            "from_sending_p99_ms": _p99(sending), "load_average_1m": round(os.getloadavg()[0], 2)}


def _p99(ordered: list[float]) -> float:
    return round(ordered[min(len(ordered) - 1, int(0.99 * len(ordered)))], 2)


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
                     "p99 ms", "max ms", "from sending: p50", "p99", "load avg"],
                    [["", rated["offered_per_s"], rated["requests_per_s"], rated["requests"],
                      rated["errors"], rated["p50_ms"], rated["p99_ms"], rated["max_ms"],
                      rated["from_sending_p50_ms"], rated["from_sending_p99_ms"],
                      rated["load_average_1m"]]])
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / "api_latency.json").write_text(json.dumps(result, indent=2) + "\n")
    failed = screen["errors"] or match["errors"] or load["errors"] or (rated or {}).get("errors")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
