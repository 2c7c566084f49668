"""The subscriber database's schema, one numbered migration per change, applied in order.

SQLite's ``PRAGMA user_version`` holds the number of the last migration applied. Every connection runs
``migrate``; an existing database (version 0 with the tables of the first digest) upgrades in place, in one
transaction per step, taken with BEGIN IMMEDIATE so two processes that open the database at once cannot both
apply a step. Never edit a published step: add a new one.
"""

from __future__ import annotations

import sqlite3

# Version 1: the digest's first schema (CREATE ... IF NOT EXISTS: databases made before migrations have it).
V1_DIGEST = (
    """CREATE TABLE IF NOT EXISTS subscribers (
        email TEXT PRIMARY KEY COLLATE NOCASE,
        name TEXT NOT NULL DEFAULT '',
        token TEXT NOT NULL UNIQUE
    )""",
    """CREATE TABLE IF NOT EXISTS deliveries (
        edition INTEGER NOT NULL,
        email TEXT NOT NULL COLLATE NOCASE,
        status TEXT NOT NULL CHECK (status IN ('accepted', 'rejected')),
        message_id TEXT NOT NULL,
        code INTEGER,
        detail TEXT NOT NULL DEFAULT '',
        at TEXT NOT NULL,
        PRIMARY KEY (edition, email)
    )""",
)

# Version 2: the readers (issue 14). Suppressions are keyed by the unsubscribe token (an HMAC of the address),
# so a suppression outlives an erasure without keeping the address. Two triggers make "never mailed again" a
# property of the database: a suppressed token cannot be (re)inserted as a subscriber, and suppressing one
# removes its subscriber row. Only a confirmed sign-up deletes a suppression.
V2_READERS = (
    """CREATE TABLE suppressions (
        token TEXT PRIMARY KEY,
        reason TEXT NOT NULL CHECK (reason IN ('unsubscribed', 'hard-bounce', 'soft-bounces', 'rejected',
                                               'erased')),
        detail TEXT NOT NULL DEFAULT '',
        at TEXT NOT NULL
    )""",
    """CREATE TABLE signups (
        id TEXT PRIMARY KEY,
        email TEXT NOT NULL COLLATE NOCASE,
        name TEXT NOT NULL DEFAULT '',
        source TEXT NOT NULL,
        wording TEXT NOT NULL,
        requested_at TEXT NOT NULL,
        confirmed_at TEXT
    )""",
    "CREATE INDEX signups_by_email ON signups (email, requested_at)",
    """CREATE TABLE consents (
        email TEXT PRIMARY KEY COLLATE NOCASE,
        requested_at TEXT NOT NULL,
        confirmed_at TEXT NOT NULL,
        method TEXT NOT NULL,
        source TEXT NOT NULL,
        wording TEXT NOT NULL,
        withdrawn_at TEXT
    )""",
    """CREATE TABLE bounces (
        token TEXT NOT NULL,
        edition INTEGER NOT NULL,
        kind TEXT NOT NULL CHECK (kind IN ('hard', 'soft')),
        status TEXT NOT NULL,
        detail TEXT NOT NULL DEFAULT '',
        at TEXT NOT NULL,
        PRIMARY KEY (token, edition, kind)
    )""",
    """CREATE TRIGGER suppressed_stay_out BEFORE INSERT ON subscribers
        WHEN EXISTS (SELECT 1 FROM suppressions WHERE token = NEW.token)
        BEGIN SELECT RAISE(ABORT, 'suppressed'); END""",
    """CREATE TRIGGER suppression_removes AFTER INSERT ON suppressions
        BEGIN DELETE FROM subscribers WHERE token = NEW.token; END""",
    # Addresses already in the database before version 2 were added by the editors: their consent is theirs
    # to show. Later subscribers get a row in ``consents`` when they confirm.
)

MIGRATIONS: tuple[tuple[str, ...], ...] = (V1_DIGEST, V2_READERS)
VERSION = len(MIGRATIONS)


def version(conn: sqlite3.Connection) -> int:
    return conn.execute("PRAGMA user_version").fetchone()[0]


def migrate(conn: sqlite3.Connection) -> int:
    """Apply every migration the database lacks; returns the version it is at (an autocommit connection)."""
    if version(conn) >= VERSION:
        return version(conn)
    conn.execute("BEGIN IMMEDIATE")
    try:
        current = version(conn)  # again, under the lock: another process may have migrated meanwhile
        for number, steps in enumerate(MIGRATIONS[current:], start=current + 1):
            for statement in steps:
                conn.execute(statement)
            conn.execute(f"PRAGMA user_version = {number}")
        conn.execute("COMMIT")
    except BaseException:
        conn.execute("ROLLBACK")
        raise
    return version(conn)
