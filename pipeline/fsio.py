"""Writing files so that a kill, a full disk or a second run never leaves a half-written one.

- ``atomic_write_bytes`` / ``atomic_write_text``: every file the pipeline keeps (content, caches, the publish
  fingerprint, reports, edition files) is written to a temporary file in the same folder, flushed to disk
  (fsync) and renamed over the old one: a reader sees the old file or the new one, never a part of either.
  A failed write removes its temporary file; a killed one leaves only a hidden ``.NAME.XXXXXXXX.tmp``, which
  no reader takes for content and ``sweep`` removes (each command sweeps the folders it locked).
- ``locked``: one run at a time on the folders a command writes, with a lock file beside each folder that
  names its holder.

What cannot be written is a ``FolderError``: one line naming the folder and the reason (read-only, full).
"""

from __future__ import annotations

import contextlib
import errno
import fcntl
import glob
import os
import re
import secrets
import sys
import time
from collections.abc import Iterable, Iterator
from datetime import UTC, datetime
from pathlib import Path

from pipeline.errors import UserError

TEMP_SUFFIX = ".tmp"
_TEMP_NAME = re.compile(r"\..+\.[0-9a-f]{8}" + re.escape(TEMP_SUFFIX))  # what AtomicFile names its file
HELD_LOCKS = "PIPELINE_HELD_LOCKS"  # the lock files a parent holds for its children (os.pathsep-separated)
LOCK_WAIT = 600.0  # seconds a run waits for another one's locks before it gives up
LOCK_POLL = 0.2  # seconds between two tries

_held: dict[str, int] = {}  # lock file -> descriptor, for the locks this process holds


class FolderError(UserError):
    """A folder that cannot be written (read-only, full, missing rights); the message names it."""


def folder_error(folder: Path, exc: OSError) -> FolderError:
    """One line for an OSError met while writing into `folder`."""
    reason = exc.strerror or str(exc)
    if exc.errno == errno.ENOSPC:
        reason = "no space left on the device; free some and run again"
    elif exc.errno in (errno.EROFS, errno.EACCES, errno.EPERM):
        reason = f"{exc.strerror.lower() if exc.strerror else 'not writable'}; it must be writable"
    return FolderError(f"cannot write in {folder}/: {reason}")


class AtomicFile:
    """A file written piece by piece into a temporary file beside `path`, and put in place whole by
    ``commit`` (flush, fsync, rename); ``discard`` drops it. What cannot be written is a FolderError."""

    def __init__(self, path: Path, *, durable: bool = True) -> None:
        self.path, self.folder, self.durable = path, path.parent, durable
        self.temp = self.folder / f".{path.name}.{secrets.token_hex(4)}{TEMP_SUFFIX}"
        try:
            self.folder.mkdir(parents=True, exist_ok=True)
            self.handle = os.fdopen(os.open(self.temp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666), "wb")
        except OSError as exc:
            with contextlib.suppress(OSError):
                self.temp.unlink()
            raise folder_error(self.folder, exc) from exc

    def write(self, data: bytes) -> None:
        try:
            self.handle.write(data)
        except OSError as exc:
            self.discard()
            raise folder_error(self.folder, exc) from exc

    def commit(self) -> None:
        try:
            self.handle.flush()
            if self.durable:
                os.fsync(self.handle.fileno())
            self.handle.close()
            _commit(self.temp, self.path, self.durable)
        except OSError as exc:
            self.discard()
            raise folder_error(self.folder, exc) from exc

    def discard(self) -> None:
        with contextlib.suppress(OSError):
            self.handle.close()
        with contextlib.suppress(OSError):
            self.temp.unlink()


def atomic_write_bytes(path: Path, data: bytes, *, durable: bool = True) -> None:
    """Replace `path` by `data` in one step (temporary file in the same folder, fsync, rename).

    Every process sees the old file or the new one, durable or not: the rename is atomic. `durable` adds the
    fsyncs (of the file, then of its folder's entry) that also hold through a power cut, at about 5 ms a file
    on this project's machines; many files written in a row (the articles, the web archive) skip them."""
    file = AtomicFile(path, durable=durable)
    try:
        file.write(data)
        file.commit()
    except BaseException:
        file.discard()
        raise


def atomic_write_text(path: Path, text: str, *, durable: bool = True) -> None:
    """``atomic_write_bytes`` of `text` in UTF-8."""
    atomic_write_bytes(path, text.encode("utf-8"), durable=durable)


def _commit(temp: Path, path: Path, durable: bool) -> None:
    """The moment a write takes effect: the rename, then (durable) the folder's entry on disk."""
    os.replace(temp, path)
    if durable:
        _fsync_folder(path.parent)


def _fsync_folder(folder: Path) -> None:
    descriptor = os.open(folder, os.O_RDONLY | os.O_DIRECTORY)
    try:
        os.fsync(descriptor)
    finally:
        os.close(descriptor)


def is_temporary(name: str) -> bool:
    """Whether a file of this name is a temporary file of this module (never content)."""
    return _TEMP_NAME.fullmatch(name) is not None


def sweep(*folders: Path | None) -> None:
    """Remove what killed writes left in `folders` and below them: their hidden temporary files. Only under
    the folder's lock: then no write of another run is under way there."""
    for folder in filter(None, folders):
        for parent, subfolders, names in os.walk(folder):
            subfolders[:] = [name for name in subfolders if not os.path.islink(os.path.join(parent, name))]
            for name in filter(is_temporary, names):
                with contextlib.suppress(OSError):
                    os.unlink(os.path.join(parent, name))


def sweep_beside(path: Path) -> None:
    """Remove the temporary files that killed writes of `path` left beside it (a file whose folder is not
    locked, as the ingest report in the reports folder)."""
    for temp in path.parent.glob(f".{glob.escape(path.name)}.*{TEMP_SUFFIX}"):
        if is_temporary(temp.name):
            temp.unlink(missing_ok=True)


def lock_file(folder: Path) -> Path:
    """The lock of a folder: ``.NAME.lock`` beside it, by its real path (a link to it has the same lock)."""
    real = folder.resolve()
    return real.parent / f".{real.name}.lock"


@contextlib.contextmanager
def locked(folders: Iterable[Path], command: str) -> Iterator[list[int]]:
    """Hold the locks of `folders` for this run; yields their descriptors, for children that must hold them
    as long as they live (``pass_fds``). A lock held by another run: say once, on stderr, who holds it, and
    try again until LOCK_WAIT seconds have passed. All the locks are taken at once or none (no run holds one
    while waiting for another, so two runs never wait for each other). Locks this process, or the parent
    that started it, holds already are not taken again."""
    inherited = set(filter(None, os.environ.get(HELD_LOCKS, "").split(os.pathsep)))
    wanted = sorted({str(lock_file(f)) for f in folders} - inherited - set(_held))
    deadline, said = time.monotonic() + LOCK_WAIT, False
    while True:
        descriptors, holder = _try_all(wanted)
        if holder is None:
            break
        if time.monotonic() >= deadline:
            raise UserError(f"{holder[0]} is locked by {holder[1]}; waited {LOCK_WAIT:.0f} s, try later")
        if not said:
            print(f"waiting: {holder[0]} is locked by {holder[1]}", file=sys.stderr, flush=True)
            said = True
        time.sleep(LOCK_POLL)
    _stamp(descriptors, command)
    _held.update(descriptors)
    previous = os.environ.get(HELD_LOCKS)
    os.environ[HELD_LOCKS] = os.pathsep.join(sorted(inherited | set(_held)))
    try:
        yield list(_held.values())
    finally:
        for path, descriptor in descriptors.items():
            del _held[path]
            os.close(descriptor)
        if previous is None:
            os.environ.pop(HELD_LOCKS, None)
        else:
            os.environ[HELD_LOCKS] = previous


def _try_all(paths: list[str]) -> tuple[dict[str, int], tuple[str, str] | None]:
    """Take every lock without waiting: (descriptors, None), or ({}, (the folder, its holder)) when one is
    taken, after letting go of those taken on the way."""
    taken: dict[str, int] = {}
    for path in paths:
        try:
            Path(path).parent.mkdir(parents=True, exist_ok=True)
            descriptor = os.open(path, os.O_RDWR | os.O_CREAT, 0o666)
        except OSError as exc:
            _release(taken)
            raise folder_error(Path(path).parent, exc) from exc
        try:
            fcntl.flock(descriptor, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            holder = os.pread(descriptor, 500, 0).decode(errors="replace").strip() or "another run"
            os.close(descriptor)
            _release(taken)
            name = Path(path).name.removeprefix(".").removesuffix(".lock")
            return {}, (str(Path(path).parent / name) + "/", holder)
        taken[path] = descriptor
    return taken, None


def _release(descriptors: dict[str, int]) -> None:
    for descriptor in descriptors.values():
        os.close(descriptor)


def _stamp(descriptors: dict[str, int], command: str) -> None:
    """Write who holds the lock into it (the file stays: deleting a lock file races with its next taker)."""
    since = datetime.now(UTC).strftime("%Y-%m-%d %H:%M:%S UTC")
    text = f"{command} (pid {os.getpid()}, since {since})".encode()
    for descriptor in descriptors.values():
        os.ftruncate(descriptor, 0)
        os.pwrite(descriptor, text, 0)
