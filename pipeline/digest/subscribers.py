"""Subscribers and the delivery ledger, in one SQLite database (DIGEST_DATABASE).

Each subscriber has an unsubscribe token: an HMAC-SHA256 of the address under DIGEST_SECRET, a secret that
only the environment holds, so a token can be checked without a lookup table and cannot be guessed.
The schema is in ``pipeline.newsletter.migrations``; an address that unsubscribed or bounced is suppressed
there and cannot be added again (only a confirmed sign-up lifts that).
"""

from __future__ import annotations

import csv
import hashlib
import hmac
import os
import sqlite3
from dataclasses import dataclass
from pathlib import Path

from pipeline.cli import UserError
from pipeline.digest.message import mailbox
from pipeline.digest.render import one_line
from pipeline.newsletter.migrations import migrate
from pipeline.newsletter.suppressions import suppress, suppression

MIN_SECRET = 16


@dataclass(frozen=True)
class Subscriber:
    email: str
    name: str
    token: str


def connect(path: Path) -> sqlite3.Connection:
    """The database, created when missing; each statement commits at once and survives a crash (FULL sync)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    conn = sqlite3.connect(path, isolation_level=None, timeout=10)
    conn.execute("PRAGMA journal_mode=WAL")
    conn.execute("PRAGMA synchronous=FULL")
    migrate(conn)
    return conn


def secret_from_env() -> bytes:
    secret = os.environ.get("DIGEST_SECRET", "")
    if len(secret) < MIN_SECRET:
        raise UserError(f"set DIGEST_SECRET in the environment (at least {MIN_SECRET} characters)")
    return secret.encode()


def token_for(secret: bytes, email: str) -> str:
    return hmac.new(secret, email.strip().lower().encode(), hashlib.sha256).hexdigest()[:32]


def clean_name(name: str) -> str:
    """A display name on one line without control characters (it ends up in the To header)."""
    return one_line("".join(c if c.isprintable() else " " for c in name))


class Suppressed(UserError):
    """The address unsubscribed or bounced: it is not added again, except by a confirmed sign-up."""


def add(conn: sqlite3.Connection, secret: bytes, email: str, name: str = "") -> bool:
    """Add a subscriber; False when the address is already subscribed (its name is then updated)."""
    address = mailbox(clean_name(name), email).addr_spec
    held = suppression(conn, token_for(secret, address))
    if held:
        raise Suppressed(f"{address} is suppressed ({held[0]}, {held[1][:10]}): not added")
    existed = conn.execute("SELECT 1 FROM subscribers WHERE email = ?", (address,)).fetchone() is not None
    conn.execute(
        "INSERT INTO subscribers (email, name, token) VALUES (?, ?, ?) "
        "ON CONFLICT (email) DO UPDATE SET name = excluded.name WHERE excluded.name != ''",
        (address, clean_name(name), token_for(secret, address)),
    )
    return not existed


def import_csv(conn: sqlite3.Connection, secret: bytes, path: Path) -> tuple[int, list[str], list[str]]:
    """Add every row of a CSV with an ``email`` column (and optionally ``name``).

    Returns how many were new, a line per row that was not an address, and a line per suppressed address
    (not re-added); valid rows are added either way.
    """
    if not path.is_file():
        raise UserError(f"CSV file not found: {path}")
    with path.open(newline="", encoding="utf-8-sig") as handle:
        reader = csv.DictReader(handle)
        if "email" not in (reader.fieldnames or []):
            raise UserError(f"{path} needs a header row with an 'email' column")
        added, problems, suppressed = 0, [], []
        for row in reader:
            try:
                added += add(conn, secret, row["email"] or "", row.get("name") or "")
            except Suppressed as exc:
                suppressed.append(f"line {reader.line_num}: {exc}")
            except UserError as exc:
                problems.append(f"line {reader.line_num}: {exc}")
    return added, problems, suppressed


def all_subscribers(conn: sqlite3.Connection) -> list[Subscriber]:
    rows = conn.execute("SELECT email, name, token FROM subscribers ORDER BY email").fetchall()
    return [Subscriber(*row) for row in rows]


def remove(conn: sqlite3.Connection, email_or_token: str) -> bool:
    """Unsubscribe by address or by unsubscribe token: the address is suppressed, so no import adds it back.

    The ledger keeps the record of what was sent.
    """
    key = email_or_token.strip()
    row = conn.execute("SELECT token FROM subscribers WHERE email = ? OR token = ?", (key, key)).fetchone()
    if row is None:
        return False
    suppress(conn, row[0], "unsubscribed", "subscribers remove")
    return True
