"""What the newsletter keeps about its readers: sign-ups, consent, suppressions, bounces; export and erasure.

Every function takes an autocommit connection from ``pipeline.digest.subscribers.connect`` and does its
writes in one short transaction (BEGIN IMMEDIATE: the write lock is taken first, so two writers never
deadlock on an upgrade from a read lock).
"""

from __future__ import annotations

import secrets
import sqlite3
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from pipeline.digest.subscribers import add, address_key, clean_name, token_for, transaction
from pipeline.newsletter.suppressions import now, suppress, suppression

METHOD = "dubbele opt-in: aanmeldformulier, bevestigd met de link in de bevestigingsmail"


@dataclass(frozen=True)
class Signup:
    id: str
    email: str
    name: str
    source: str
    wording: str
    requested_at: str
    confirmed_at: str | None


def request_signup(
    conn: sqlite3.Connection, email: str, name: str, source: str, wording: str, per_day: int
) -> Signup | None:
    """Record a sign-up request; None when this address already had ``per_day`` requests in 24 hours."""
    since = (now() - timedelta(days=1)).isoformat()
    with transaction(conn):
        recent = conn.execute(
            "SELECT count(*) FROM signups WHERE email = ? AND requested_at > ?", (email, since)
        ).fetchone()[0]
        if recent >= per_day:
            return None
        at = now().isoformat()
        signup = Signup(secrets.token_urlsafe(12), email, clean_name(name), source, wording, at, None)
        conn.execute(
            "INSERT INTO signups (id, email, name, source, wording, requested_at) VALUES (?, ?, ?, ?, ?, ?)",
            (signup.id, signup.email, signup.name, signup.source, signup.wording, signup.requested_at),
        )
    return signup


def find_signup(conn: sqlite3.Connection, signup_id: str) -> Signup | None:
    row = conn.execute(
        "SELECT id, email, name, source, wording, requested_at, confirmed_at FROM signups WHERE id = ?",
        (signup_id,),
    ).fetchone()
    return Signup(*row) if row else None


def confirm(conn: sqlite3.Connection, secret: bytes, signup_id: str) -> Signup | None:
    """Subscribe the address of a sign-up and record its consent; None if it was used already or is gone.

    A confirmed sign-up is the one thing that lifts a suppression: the person asked again, and proved it.
    """
    with transaction(conn):
        signup = find_signup(conn, signup_id)
        if signup is None or signup.confirmed_at is not None:
            return None
        at = now().isoformat()
        conn.execute("UPDATE signups SET confirmed_at = ? WHERE id = ?", (at, signup_id))
        conn.execute("DELETE FROM suppressions WHERE token = ?", (token_for(secret, signup.email),))
        add(conn, secret, signup.email, signup.name)
        conn.execute(
            "INSERT OR REPLACE INTO consents (email, requested_at, confirmed_at, method, source, wording) "
            "VALUES (?, ?, ?, ?, ?, ?)",
            (signup.email, signup.requested_at, at, METHOD, signup.source, signup.wording),
        )
    return find_signup(conn, signup_id)


def purge_signups(conn: sqlite3.Connection, older_than: timedelta) -> int:
    """Forget unconfirmed sign-up requests past their link's life: data not needed is not kept (AVG)."""
    cutoff = (now() - older_than).isoformat()
    cursor = conn.execute("DELETE FROM signups WHERE confirmed_at IS NULL AND requested_at < ?", (cutoff,))
    return cursor.rowcount


@dataclass(frozen=True)
class Unsubscribed:
    email: str
    name: str
    first_time: bool


def unsubscribe(conn: sqlite3.Connection, token: str) -> Unsubscribed | None:
    """Unsubscribe by token at once; again for an address already out; None for a token nobody has."""
    with transaction(conn):
        row = conn.execute("SELECT email, name FROM subscribers WHERE token = ?", (token,)).fetchone()
        if row is None:
            return Unsubscribed("", "", False) if suppression(conn, token) else None
        suppress(conn, token, "unsubscribed")
        conn.execute("UPDATE consents SET withdrawn_at = ? WHERE email = ?", (now().isoformat(), row[0]))
    return Unsubscribed(row[0], row[1], True)


def _rows(conn: sqlite3.Connection, sql: str, *args: Any) -> list[dict[str, Any]]:
    cursor = conn.execute(sql, args)
    names = [column[0] for column in cursor.description]
    return [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]


def export(conn: sqlite3.Connection, secret: bytes, email: str) -> dict[str, Any]:
    """Everything stored about one address (AVG art. 15 and 20), as plain data."""
    token, key = token_for(secret, email), address_key(email)
    return {
        "address": email,
        "subscriber": _rows(conn, "SELECT email, name, token FROM subscribers WHERE key = ?", key),
        "consent": _rows(conn, "SELECT * FROM consents WHERE email = ?", email),
        "signups": _rows(conn, "SELECT * FROM signups WHERE email = ? ORDER BY requested_at", email),
        "deliveries": _rows(conn, "SELECT * FROM deliveries WHERE key = ? ORDER BY edition", key),
        "bounces": _rows(conn, "SELECT * FROM bounces WHERE token = ? ORDER BY edition", token),
        "suppression": _rows(conn, "SELECT reason, detail, at FROM suppressions WHERE token = ?", token),
    }


def erase(conn: sqlite3.Connection, secret: bytes, email: str) -> int:
    """Delete every row about one address (AVG art. 17); how many there were.

    What stays is a suppression keyed by the token (an HMAC of the address under DIGEST_SECRET, not the
    address): without it, the next import of an old list would mail the person who asked to be forgotten.
    """
    token = token_for(secret, email)
    with transaction(conn):
        count = 0
        for table, column, value in (
            ("subscribers", "key", address_key(email)),
            ("consents", "email", email),
            ("signups", "email", email),
            ("deliveries", "key", address_key(email)),
            ("bounces", "token", token),
            ("suppressions", "token", token),
        ):
            count += conn.execute(f"DELETE FROM {table} WHERE {column} = ?", (value,)).rowcount
        suppress(conn, token, "erased")
    return count
