"""Run one measured command in its own process tree: wall time and peak memory, nothing mixed.

``os.wait4`` returns the resource usage of exactly the child it reaped (with the descendants that child
waited for), so each tool's peak RSS is its own, however many runs came before. ``ru_maxrss`` is the largest
resident set of any single process in that tree, not their sum: for a parallel ingest it is the largest worker
or the parent, whichever is larger (docs/bench.md).
"""

from __future__ import annotations

import os
import signal
import subprocess
import time
from dataclasses import dataclass
from pathlib import Path

LOG_TAIL = 1500  # characters of a failed command's output shown in the error


class BenchError(RuntimeError):
    """A measured command failed; the benchmark stops rather than report a figure of a broken run."""


@dataclass(frozen=True)
class Run:
    seconds: float
    peak_rss_mb: float


def measured(
    command: list[str],
    *,
    cwd: Path,
    log: Path,
    env: dict[str, str] | None = None,
    ok: tuple[int, ...] = (0,),
) -> Run:
    """Run ``command`` to its end with its output in ``log``; its wall time and peak RSS."""
    log.parent.mkdir(parents=True, exist_ok=True)
    with log.open("wb") as out:
        start = time.perf_counter()
        process = subprocess.Popen(
            command, cwd=cwd, env=env, stdin=subprocess.DEVNULL, stdout=out, stderr=subprocess.STDOUT,
            start_new_session=True,  # so an interrupt can stop the whole tree (make -> pelican -> pagefind)
        )  # fmt: skip
        try:
            _, status, usage = os.wait4(process.pid, 0)
        except BaseException:
            os.killpg(process.pid, signal.SIGTERM)
            process.wait()
            raise
        seconds = time.perf_counter() - start
    process.returncode = os.waitstatus_to_exitcode(status)
    if process.returncode not in ok:
        tail = log.read_text(encoding="utf-8", errors="replace")[-LOG_TAIL:]
        raise BenchError(f"{' '.join(command)} exited with {process.returncode} (log: {log}):\n{tail}")
    return Run(seconds, usage.ru_maxrss / 1024)
