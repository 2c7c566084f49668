"""Run one measured command in its own process tree: wall time and peak memory, nothing mixed.

``os.wait4`` returns the resource usage of exactly the child it reaped (with the descendants that child
waited for), so each tool's peak RSS is its own, however many runs came before. ``ru_maxrss`` is the largest
resident set of any single process in that tree, not their sum: for a parallel ingest it is the largest worker
or the parent, whichever is larger (docs/bench.md).

A descendant its parent never waits for (multiprocessing's forkserver and its workers) would escape that
count; this process is therefore made a child subreaper (Linux), so such orphans come to it and are reaped,
and counted, here.
"""

from __future__ import annotations

import contextlib
import ctypes
import os
import signal
import subprocess
import time
from dataclasses import dataclass
from pathlib import Path

LOG_TAIL = 1500  # characters of a failed command's output shown in the error
PR_SET_CHILD_SUBREAPER = 36  # prctl(2)
ORPHAN_WAIT = 30.0  # seconds the command's orphans get to finish after it exited, before they are killed


class BenchError(RuntimeError):
    """A measured command failed; the benchmark stops rather than report a figure of a broken run."""


@dataclass(frozen=True)
class Run:
    seconds: float
    peak_rss_mb: float
    cpu_seconds: float = 0.0  # user and system time of every process of the command, orphans included


def _subreaper() -> None:
    """Orphaned descendants of our children come to this process, not to init (Linux 3.4 and later)."""
    libc = ctypes.CDLL(None, use_errno=True)
    if libc.prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0) != 0:
        raise BenchError(f"cannot become a child subreaper: {os.strerror(ctypes.get_errno())}")


def _reap_orphans(group: int) -> tuple[float, float]:
    """Wait for what is left of the command's process group: the largest peak RSS among them (KB) and their
    CPU seconds."""
    largest, cpu, deadline = 0, 0.0, time.monotonic() + ORPHAN_WAIT
    while True:
        try:
            pid, _, usage = os.wait4(-group, os.WNOHANG)
        except ChildProcessError:
            return largest, cpu
        if pid:
            largest = max(largest, usage.ru_maxrss)
            cpu += usage.ru_utime + usage.ru_stime
        elif time.monotonic() > deadline:
            os.killpg(group, signal.SIGKILL)
        else:
            time.sleep(0.01)


def measured(
    command: list[str],
    *,
    cwd: Path,
    log: Path,
    env: dict[str, str] | None = None,
    ok: tuple[int, ...] = (0,),
) -> Run:
    """Run ``command`` to its end with its output in ``log``; its wall time and peak RSS."""
    _subreaper()
    log.parent.mkdir(parents=True, exist_ok=True)
    with log.open("wb") as out:
        start = time.perf_counter()
        process = subprocess.Popen(
            command, cwd=cwd, env=env, stdin=subprocess.DEVNULL, stdout=out, stderr=subprocess.STDOUT,
            start_new_session=True,  # its own process group: orphans are found, an interrupt stops them all
        )  # fmt: skip
        try:
            _, status, usage = os.wait4(process.pid, 0)
            seconds = time.perf_counter() - start
            orphans, orphans_cpu = _reap_orphans(process.pid)
        except BaseException:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(process.pid, signal.SIGTERM)
            process.wait()
            raise
    process.returncode = os.waitstatus_to_exitcode(status)
    if process.returncode not in ok:
        tail = log.read_text(encoding="utf-8", errors="replace")[-LOG_TAIL:]
        raise BenchError(f"{' '.join(command)} exited with {process.returncode} (log: {log}):\n{tail}")
    cpu = usage.ru_utime + usage.ru_stime + orphans_cpu
    return Run(seconds, max(usage.ru_maxrss, orphans) / 1024, cpu)
