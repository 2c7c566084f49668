"""The suppression list: addresses (by token) that are never mailed again, whatever list they come back on.

Imported by ``pipeline.digest.subscribers`` and ``send`` as well as the service, so it depends on nothing of
theirs. The triggers of migration 2 enforce it in the database too.
"""

from __future__ import annotations

import sqlite3
from datetime import UTC, datetime


def now() -> datetime:
    return datetime.now(UTC).replace(microsecond=0)


def suppression(conn: sqlite3.Connection, token: str) -> tuple[str, str] | None:
    """(reason, when) if the address with this token may not be mailed, else None."""
    row = conn.execute("SELECT reason, at FROM suppressions WHERE token = ?", (token,)).fetchone()
    return (row[0], row[1]) if row else None


def suppress(conn: sqlite3.Connection, token: str, reason: str, detail: str = "") -> bool:
    """Never mail this token's address again (a trigger drops its subscriber row); False if it already was."""
    cursor = conn.execute(
        "INSERT OR IGNORE INTO suppressions (token, reason, detail, at) VALUES (?, ?, ?, ?)",
        (token, reason, detail[:500], now().isoformat()),
    )
    return cursor.rowcount > 0
