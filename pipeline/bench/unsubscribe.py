"""One-click unsubscribes under load: the real service under uvicorn on 127.0.0.1, N POSTs at once.

Each POST is what Gmail sends (RFC 8058): to the List-Unsubscribe URL, the form body
``List-Unsubscribe=One-Click``, no cookies. Used by `make bench` for its p50 and p99, and by the tests
that start the service.
"""

from __future__ import annotations

import http.client
import os
import socket
import statistics
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import urlsplit

from pipeline.bench.measure import BenchError
from pipeline.digest import subscribers as db

ROOT = Path(__file__).resolve().parents[2]
SECRET = "bench-secret-long-enough-for-hmac"
ONE_CLICK = b"List-Unsubscribe=One-Click"
READY_SECONDS = 30.0


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _wait_until_listening(port: int, process: subprocess.Popen, log: Path) -> None:
    deadline = time.monotonic() + READY_SECONDS
    while time.monotonic() < deadline:
        if process.poll() is not None:
            said = log.read_text(errors="replace")[-2000:]
            raise BenchError(f"the newsletter service stopped at start: {said}")
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.2):
                return
        except OSError:
            time.sleep(0.05)
    raise BenchError(f"the newsletter service did not listen on port {port} within {READY_SECONDS:.0f} s")


@contextmanager
def running_service(env: dict[str, str], log: Path, *extra: str, port: int | None = None) -> Iterator[str]:
    """`python -m pipeline serve` on 127.0.0.1 and a free port, with ``env`` added; yields its base URL."""
    port = port or free_port()
    command = [sys.executable, "-m", "pipeline", "serve", "--host", "127.0.0.1", "--port", str(port), *extra]
    with log.open("wb") as out:
        process = subprocess.Popen(command, cwd=ROOT, env={**os.environ, **env}, stdout=out, stderr=out)
    try:
        _wait_until_listening(port, process, log)
        yield f"http://127.0.0.1:{port}"
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def one_click(url: str) -> tuple[int, float]:
    """POST as a mailbox provider does; the status and the seconds it took."""
    parts = urlsplit(url)
    started = time.perf_counter()
    connection = http.client.HTTPConnection(parts.hostname, parts.port, timeout=60)
    try:
        headers = {"Content-Type": "application/x-www-form-urlencoded", "Content-Length": str(len(ONE_CLICK))}
        connection.request("POST", f"{parts.path}?{parts.query}", body=ONE_CLICK, headers=headers)
        response = connection.getresponse()
        response.read()
        return response.status, time.perf_counter() - started
    except OSError:
        return 0, time.perf_counter() - started
    finally:
        connection.close()


def concurrently(urls: list[str]) -> list[tuple[int, float]]:
    """POST to every URL at once, one thread and connection each, released together."""
    results: list[tuple[int, float]] = [(0, 0.0)] * len(urls)
    start = threading.Barrier(len(urls))

    def worker(i: int) -> None:
        start.wait()
        results[i] = one_click(urls[i])

    threads = [threading.Thread(target=worker, args=(i,)) for i in range(len(urls))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return results


def percentile(values: list[float], share: float) -> float:
    """The nearest-rank percentile (p99 of 200 values is the 198th smallest)."""
    ordered = sorted(values)
    return ordered[max(0, min(len(ordered) - 1, round(share * len(ordered)) - 1))]


def subscribe_many(database: Path, count: int) -> list[str]:
    """``count`` subscribers in a new database; their unsubscribe tokens."""
    conn = db.connect(database)
    try:
        for i in range(count):
            db.add(conn, SECRET.encode(), f"lezer{i:05d}@example.org")
        return [s.token for s in db.all_subscribers(conn)]
    finally:
        conn.close()


def measure(work: Path, count: int = 200) -> dict[str, float]:
    """Start the service on a database of ``count`` subscribers, unsubscribe them all at once; the figures."""
    work.mkdir(parents=True, exist_ok=True)
    database = work / "subscribers.sqlite"
    tokens = subscribe_many(database, count)
    port = free_port()
    env = {"DIGEST_DATABASE": str(database), "DIGEST_SECRET": SECRET, "SITEURL": f"http://127.0.0.1:{port}"}
    with running_service(env, work / "serve.log", port=port) as base:
        started = time.perf_counter()
        results = concurrently([f"{base}/nieuwsbrief/afmelden?token={token}" for token in tokens])
        seconds = time.perf_counter() - started
    failed = [status for status, _ in results if status != 200]
    left = _left(database)
    if failed or left:
        raise BenchError(f"{len(failed)} of {count} one-click unsubscribes failed {failed[:5]}; {left} left")
    latencies = [took * 1000 for _, took in results]
    return {
        "requests": count,
        "succeeded": count - len(failed),
        "p50_ms": statistics.median(latencies),
        "p99_ms": percentile(latencies, 0.99),
        "seconds": seconds,
    }


def _left(database: Path) -> int:
    """Subscribers still in the database."""
    conn = db.connect(database)
    try:
        return conn.execute("SELECT count(*) FROM subscribers").fetchone()[0]
    finally:
        conn.close()
