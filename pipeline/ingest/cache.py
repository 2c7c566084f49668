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

import hashlib
import pickle
import sqlite3
from functools import cache
from pathlib import Path
from typing import Any

FILE_NAME = "ingest.sqlite"
TABLES = ("lines", "pages")
PACKAGE = Path(__file__).resolve().parent.parent  # pipeline/


@cache
def code_version() -> bytes:
    """A hash of everything in the code that shapes an ingest result: the ingest, the model, the rules."""
    files = [
        *sorted((PACKAGE / "ingest").rglob("*.py")),
        PACKAGE / "model.py",
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
    """Pickled values by key, in SQLite; only the process that runs the batch reads and writes it."""

    def __init__(self, folder: Path) -> None:
        folder.mkdir(parents=True, exist_ok=True)
        self.db = sqlite3.connect(folder / FILE_NAME)
        for table in TABLES:
            self.db.execute(f"CREATE TABLE IF NOT EXISTS {table} (key BLOB PRIMARY KEY, value BLOB NOT NULL)")
            # the keys this run used: in SQLite's temporary store, not in memory, as they are one per page
            self.db.execute(f"CREATE TEMP TABLE used_{table} (key BLOB PRIMARY KEY)")

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
        for table in TABLES:
            self.db.execute(f"DELETE FROM {table} WHERE key NOT IN (SELECT key FROM used_{table})")
        self.db.commit()
        self.db.close()
