"""Child processes that end with their parent: a run that is killed must not leave Pelican, the digest hook
or Pagefind writing on, beside the next run.

Linux delivers SIGTERM to a child whose parent ends (``PR_SET_PDEATHSIG``), kept across ``exec``. A command of
ours started by a shell (the digest hook) asks for the same for itself, as the shell is its parent.
"""

from __future__ import annotations

import ctypes
import os
import signal
import subprocess
from typing import Any

PR_SET_PDEATHSIG = 1
END_WITH_PARENT = "PIPELINE_END_WITH_PARENT"  # set for children: our own commands among them do the same


def end_with_parent() -> None:
    """Have the kernel stop this process with SIGTERM when its parent ends (no-op where there is no prctl)."""
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(PR_SET_PDEATHSIG, signal.SIGTERM, 0, 0, 0)
    except (OSError, AttributeError):
        return
    if os.getppid() == 1:  # the parent ended before the request was made
        os.kill(os.getpid(), signal.SIGTERM)


def popen(command: Any, **options: Any) -> subprocess.Popen:
    """``subprocess.Popen`` of a child that ends with this process (and tells its own children to)."""
    env = {**(options.pop("env", None) or os.environ), END_WITH_PARENT: "1"}
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
