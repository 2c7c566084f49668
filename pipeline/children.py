"""Child processes that end with their parent: a run that is killed must not leave Pelican, the digest hook
or Pagefind writing on, beside the next run.

Linux delivers SIGTERM to a child whose parent ends (``PR_SET_PDEATHSIG``), kept across ``exec``. A command of
ours started by a shell (the digest hook) asks for the same for itself, as the shell is its parent; as the
run may have ended before it asked (a killed shell's children go to a reaper, not to their grandparent), it
is told the run's process id and ends at once when that process is gone.
"""

from __future__ import annotations

import ctypes
import os
import signal
import subprocess
from pathlib import Path
from typing import Any

PR_SET_PDEATHSIG = 1
END_WITH = "PIPELINE_END_WITH"  # set for children: the pid of the run they end with


def end_with_parent(run: int | None = None) -> None:
    """Have the kernel stop this process with SIGTERM when its parent ends (no-op where there is no prctl);
    stop now if `run`, the process this one belongs to, has ended already."""
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(PR_SET_PDEATHSIG, signal.SIGTERM, 0, 0, 0)
    except (OSError, AttributeError):
        return
    if run is not None and not _alive(run):
        os.kill(os.getpid(), signal.SIGTERM)


def _alive(pid: int) -> bool:
    """Whether `pid` runs (a zombie, ended but not yet reaped, does not)."""
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except (OSError, IndexError):
        return False
    return state not in ("Z", "X")


def popen(command: Any, **options: Any) -> subprocess.Popen:
    """``subprocess.Popen`` of a child that ends with this process (and tells our commands below it to)."""
    env = {**(options.pop("env", None) or os.environ), END_WITH: str(os.getpid())}
    return subprocess.Popen(command, preexec_fn=end_with_parent, env=env, **options)


def run(command: Any, **options: Any) -> subprocess.CompletedProcess:
    """``subprocess.run`` of a child that ends with this process."""
    with popen(command, **options) as child:
        try:
            child.wait()
        except BaseException:
            child.kill()
            raise
    return subprocess.CompletedProcess(child.args, child.returncode)
