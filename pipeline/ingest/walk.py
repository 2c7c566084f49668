"""A folder's entries in name order, one at a time: what ``sorted(folder.rglob("*"))`` gives, streamed.

``sorted(rglob(...))`` holds a ``Path`` of every file of the tree at once (and ``rglob`` a set of them too);
here only the listings of the folders on the way down are held, as names.
"""

from __future__ import annotations

import os
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
