"""The ingest cache: what a page gave last time, kept under keys that hold everything the result depends on.

Two tables in one SQLite file (``ingest.sqlite`` in the cache folder):

- ``lines``: the hashes of a page's short lines (those that may recur across pages), keyed by the page's
  bytes and the code version; the batch counts recurrence from these without reading unchanged pages again.
- ``pages``: the page's outcome before writing (article, removed lines, error), keyed by the page's bytes,
  its name, the settings, its ``overrides.toml`` entry, the code version and the recurrence counts that can
  change its result (see ``batch.page_key``).

The code version is a hash of the ingest's own source and rules, so any change to them starts afresh. Rows
no run has used are dropped at the end of a run, so the file does not grow with every edit.
"""

from __future__ import annotations

import errno
import hashlib
import pickle
import sqlite3
import sys
from functools import cache
from pathlib import Path
from typing import Any

from pipeline import fsio

FILE_NAME = "ingest.sqlite"
TABLES = ("lines", "pages")
PACKAGE = Path(__file__).resolve().parent.parent  # pipeline/
# The project's modules outside pipeline/ingest/ whose code shapes a stored result (tests/test_ingest_cache.py
# checks that every other one the ingest imports shapes none).
SHAPING = ("model.py", "plural.py")


@cache
def code_version() -> bytes:
    """A hash of everything in the code that shapes an ingest result: the ingest, the model, the counts in
    its evidence, the rules."""
    files = [
        *sorted((PACKAGE / "ingest").rglob("*.py")),
        *(PACKAGE / name for name in SHAPING),
        *sorted((PACKAGE / "rules").glob("*.toml")),
    ]
    digest = hashlib.blake2b(digest_size=16)
    for path in files:
        digest.update(path.name.encode() + b"\0" + path.read_bytes() + b"\0")
    return digest.digest()


def key(*parts: bytes | str) -> bytes:
    """A cache key from its parts (each length-prefixed, so no two lists of parts give the same bytes)."""
    digest = hashlib.blake2b(code_version(), digest_size=16)
    for part in parts:
        data = part.encode() if isinstance(part, str) else part
        digest.update(len(data).to_bytes(8, "big") + data)
    return digest.digest()


class Store:
    """Pickled values by key, in SQLite; only the process that runs the batch reads and writes it.

    SQLite commits atomically (its journal), so a kill leaves the last saved cache. A file that is not a
    database, or a damaged one, is dropped with one line on stderr and the cache starts afresh: it only
    ever costs time, never a wrong result. A folder that cannot be written is one line naming it."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        path = folder / FILE_NAME
        try:
            folder.mkdir(parents=True, exist_ok=True)
            try:
                self.db = _open(path)
            except sqlite3.OperationalError:
                raise  # the folder or the disk, not the file: see below
            except sqlite3.DatabaseError as exc:
                print(f"the ingest cache {path} is damaged ({exc}); it is built again", file=sys.stderr)
                for stale in (path, path.with_name(path.name + "-journal")):
                    stale.unlink(missing_ok=True)
                self.db = _open(path)
        except (OSError, sqlite3.OperationalError) as exc:
            raise fsio.folder_error(folder, _os_error(exc)) from exc

    def get(self, table: str, key: bytes, default: Any = None) -> Any:
        """The value stored under `key`, else `default`; a hit counts as used."""
        row = self.db.execute(f"SELECT value FROM {table} WHERE key = ?", (key,)).fetchone()
        if row is None:
            return default
        self._use(table, key)
        return pickle.loads(row[0])

    def put(self, table: str, key: bytes, value: Any) -> None:
        self._use(table, key)
        data = pickle.dumps(value, protocol=pickle.HIGHEST_PROTOCOL)
        self.db.execute(f"INSERT OR REPLACE INTO {table} (key, value) VALUES (?, ?)", (key, data))

    def _use(self, table: str, key: bytes) -> None:
        self.db.execute(f"INSERT OR IGNORE INTO used_{table} (key) VALUES (?)", (key,))

    def __enter__(self) -> Store:
        return self

    def __exit__(self, kind: type[BaseException] | None, *_: object) -> None:
        """Saved only after a whole run: a run that failed leaves the cache as it was."""
        if kind is None:
            self.close()
        else:
            self.db.close()

    def close(self) -> None:
        """Drop what this run did not use, and save."""
        try:
            for table in TABLES:
                self.db.execute(f"DELETE FROM {table} WHERE key NOT IN (SELECT key FROM used_{table})")
            self.db.commit()
        except sqlite3.OperationalError as exc:
            raise fsio.folder_error(self.folder, _os_error(exc)) from exc
        finally:
            self.db.close()


def _open(path: Path) -> sqlite3.Connection:
    """The cache's database, checked whole (a damaged page of it raises DatabaseError here, not mid-run)."""
    db = sqlite3.connect(path)
    try:
        if db.execute("PRAGMA quick_check").fetchone() != ("ok",):
            raise sqlite3.DatabaseError("quick_check failed")
        for table in TABLES:
            db.execute(f"CREATE TABLE IF NOT EXISTS {table} (key BLOB PRIMARY KEY, value BLOB NOT NULL)")
            # the keys this run used: in SQLite's temporary store, not in memory, as they are one per page
            db.execute(f"CREATE TEMP TABLE used_{table} (key BLOB PRIMARY KEY)")
            db.execute(f"SELECT count(*) FROM {table}").fetchone()
    except sqlite3.DatabaseError:
        db.close()
        raise
    return db


def _os_error(exc: Exception) -> OSError:
    """An OSError for SQLite's "readonly database", "disk is full" and "unable to open" errors."""
    if isinstance(exc, OSError):
        return exc
    text = str(exc)
    code = errno.ENOSPC if "full" in text else errno.EROFS if "readonly" in text else errno.EACCES
    return OSError(code, text)
