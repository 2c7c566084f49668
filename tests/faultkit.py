"""Faults injected into real runs: every Python process of a run (publish, Pelican, the digest hook,
Pagefind's child) loads a ``sitecustomize`` from a folder put first on PYTHONPATH, which watches the writes
under one folder and, at the N-th of them counted across all those processes, kills its process (SIGKILL,
at the moment of the write) or makes the write fail as a full or read-only disk does.

A write is a rename onto a path (``os.replace``, ``os.rename``: where an atomic write takes effect, the
temporary file whole but not in place) or an ``open``/``os.open`` for writing (at once after the file was
created or emptied, before a byte is written: what a kill during a plain write leaves). Kills count only the
writes that give a file its content (not lock files, nor the write helper's temporary files: a kill there
leaves what a kill before the rename leaves). A full or read-only disk fails every write from the N-th on.
"""

from __future__ import annotations

import os
from pathlib import Path

SITECUSTOMIZE = r"""
import builtins, errno, fcntl, io, os, re, signal

_UNDER = os.environ["FAULT_UNDER"]
_SKIP = tuple(p for p in os.environ.get("FAULT_SKIP", "").split(os.pathsep) if p)
_COUNTER = os.environ["FAULT_COUNTER"]
_AT = int(os.environ.get("FAULT_AT", "0"))
_ACTION = os.environ.get("FAULT_ACTION", "kill")
_LOG = os.environ.get("FAULT_LOG")


def _watched(path):
    try:
        path = os.path.abspath(os.fsdecode(path))
    except TypeError:
        return False
    if not path.startswith(_UNDER + os.sep):
        return False
    return not path[len(_UNDER) + 1:].startswith(_SKIP)


def _count(path):
    with builtins_open(_COUNTER, "ab") as counter:
        fcntl.flock(counter, fcntl.LOCK_EX)
        counter.write(b"x")
        counter.flush()
        number = os.fstat(counter.fileno()).st_size
    if _LOG:
        with builtins_open(_LOG, "a") as log:
            log.write(f"{number} {os.getpid()} {os.path.abspath(os.fsdecode(path))}\n")
    return number


# lock files, and the write helper's temporary files
_NOT_CONTENT = re.compile(r"(.*\.lock|\..+\.[0-9a-f]{8}\.tmp)")


def _fault(path):
    if _ACTION == "kill":
        # a kill counts where a file takes its new content: not at a lock, nor at a temporary file
        if not _NOT_CONTENT.fullmatch(os.path.basename(os.fsdecode(path))) and _count(path) == _AT:
            os.kill(os.getpid(), signal.SIGKILL)
        return
    number = _count(path)
    if not _AT or number < _AT:  # a full or read-only disk stays so
        return
    code = errno.ENOSPC if _ACTION == "full" else errno.EROFS
    raise OSError(code, os.strerror(code), os.fsdecode(path))


builtins_open = io.open
_replace, _rename, _open = os.replace, os.rename, os.open
_WRITING = os.O_WRONLY | os.O_RDWR | os.O_CREAT


def open_descriptor(path, flags, *args, **kwargs):
    descriptor = _open(path, flags, *args, **kwargs)
    if flags & _WRITING and _watched(path):
        try:
            _fault(path)
        except OSError:
            os.close(descriptor)
            raise
    return descriptor


def replace(source, target, *args, **kwargs):
    if _watched(target):
        _fault(target)
    return _replace(source, target, *args, **kwargs)


def rename(source, target, *args, **kwargs):
    if _watched(target):
        _fault(target)
    return _rename(source, target, *args, **kwargs)


def open_(file, mode="r", *args, **kwargs):
    handle = builtins_open(file, mode, *args, **kwargs)
    if isinstance(file, (str, bytes, os.PathLike)) and any(m in mode for m in "wax+") and _watched(file):
        try:
            _fault(file)
        except OSError:
            handle.close()
            raise
    return handle


os.replace, os.rename, os.open = replace, rename, open_descriptor
builtins.open = io.open = open_
"""


def environment(
    tmp: Path, under: Path, *, at: int = 0, action: str = "kill", skip: tuple[str, ...] = ()
) -> dict[str, str]:
    """The environment of a run whose `at`-th write under `under` (0: none) gets `action` (kill, full,
    readonly); writes under the relative paths `skip` are not counted. Writes are logged in tmp/log."""
    kit = tmp / "faultkit"
    kit.mkdir(exist_ok=True)
    (kit / "sitecustomize.py").write_text(SITECUSTOMIZE, encoding="utf-8")
    counter = tmp / f"counter-{at}-{action}"
    counter.unlink(missing_ok=True)
    path = os.pathsep.join(filter(None, [str(kit), os.environ.get("PYTHONPATH", "")]))
    return {
        **os.environ,
        "PYTHONPATH": path,
        "FAULT_UNDER": str(under.resolve()),
        "FAULT_SKIP": os.pathsep.join(skip),
        "FAULT_COUNTER": str(counter),
        "FAULT_AT": str(at),
        "FAULT_ACTION": action,
        "FAULT_LOG": str(tmp / "log"),
    }


def writes(tmp: Path) -> list[str]:
    """The writes the last runs logged (number, process, path), oldest first; the log is emptied."""
    log = tmp / "log"
    lines = log.read_text(encoding="utf-8").splitlines() if log.exists() else []
    log.unlink(missing_ok=True)
    return lines
