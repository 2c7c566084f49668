"""A folder's entries in name order, one at a time: what ``sorted(folder.rglob("*"))`` gives, streamed.

``sorted(rglob(...))`` holds a ``Path`` of every file of the tree at once (and ``rglob`` a set of them too);
here only the listings of the folders on the way down are held, as names.
"""

from __future__ import annotations

import errno
import os
import stat
from collections.abc import Iterator
from pathlib import Path


def walk(folder: Path) -> Iterator[str]:
    """Every entry under `folder` as a posix path relative to it, in the order of ``sorted(rglob("*"))``:
    names sorted, a folder followed by what is in it. Like ``rglob``, a link to a folder is listed but not
    entered, and a folder that may not be read is passed over."""
    yield from _entries(folder, "")


def _entries(folder: Path, prefix: str) -> Iterator[str]:
    names, folders = [], set()
    try:
        with os.scandir(os.path.join(folder, prefix)) as entries:
            for entry in entries:
                names.append(entry.name)
                if _is_folder(entry):
                    folders.add(entry.name)
    except PermissionError:
        return
    for name in sorted(names):
        yield prefix + name
        if name in folders:
            yield from _entries(folder, f"{prefix}{name}/")


def _is_folder(entry: os.DirEntry[str]) -> bool:
    """A real folder, not a link to one (from the listing, without a call to the file system)."""
    try:
        return entry.is_dir(follow_symlinks=False)
    except OSError:
        return False


def not_a_file(path: Path) -> str | None:
    """Why `path` (or what a link at it leads to) cannot be read as a page: a link that loops or leads
    nowhere, a named pipe (reading one waits for a writer, for ever), a device, a socket, no right to read
    it. None for a file or a folder that can be read."""
    try:
        mode = os.stat(path).st_mode
    except OSError as exc:
        if exc.errno == errno.ELOOP:
            return "a link that loops"
        if exc.errno == errno.ENOENT:
            return "a link that leads nowhere"
        return f"cannot be read ({exc.strerror})"
    if stat.S_ISFIFO(mode):
        return "a named pipe, not a file"
    if stat.S_ISCHR(mode) or stat.S_ISBLK(mode):
        return "a device, not a file"
    if stat.S_ISSOCK(mode):
        return "a socket, not a file"
    if not os.access(path, os.R_OK):
        return "cannot be read (permission denied)"
    return None
