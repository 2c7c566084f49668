"""The newsletter's step of the subscriber database's schema (version 3), in the list of steps that
``pipeline.digest.subscribers.MIGRATIONS`` keeps: one numbered step per change, applied in order by
``subscribers.connect`` (``PRAGMA user_version`` holds the last one applied). Never edit a published step:
add a new one.
"""

from __future__ import annotations

# Version 3: the readers (issue 14). Suppressions are keyed by the unsubscribe token (an HMAC of the
# address), so a suppression outlives an erasure without keeping the address. Two triggers make "never
# mailed again" a property of the database: a suppressed token cannot be (re)inserted as a subscriber, and
# suppressing one removes its subscriber row. Only a confirmed sign-up deletes a suppression.
V3_READERS = (
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
    # Addresses already in the database before version 3 were added by the editors: their consent is theirs
    # to show. Later subscribers get a row in ``consents`` when they confirm.
)
