"""Bounces: who a delivery status notification (RFC 3464) is about, and what it does to that address.

Each edition goes out with a VERP envelope sender, ``bounces+<edition>-<token>@domain`` built from
DIGEST_BOUNCE_ADDRESS, so a DSN names the recipient and the edition in the address it is sent to, even when
the returned headers are cut or rewritten. Failing that, the returned message's Message-ID is looked up in
the delivery ledger, and last the DSN's Final-Recipient in the subscribers.

A hard bounce (Action: failed, Status 5.x.x) suppresses the address at once; a soft one (Status 4.x.x) does
when the last DIGEST_SOFT_BOUNCES editions sent to the address all bounced softly. Reading a mailbox twice
changes nothing: one row per token, edition and kind.
"""

from __future__ import annotations

import email
import email.policy
import mailbox
import re
import sqlite3
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from email.message import Message
from email.utils import getaddresses
from pathlib import Path

from pipeline.digest.subscribers import address_key
from pipeline.errors import UserError
from pipeline.newsletter.suppressions import now, suppress, suppression

VERP = re.compile(
    r"^(?P<local>[^@+]+)\+(?P<edition>\d{1,9})-(?P<token>[0-9a-f]{32})@(?P<domain>[^@]+)$", re.I
)
RECIPIENT_HEADERS = ("Delivered-To", "X-Original-To", "Envelope-To", "X-Envelope-To", "To")


def verp(bounce_address: str, edition: int, token: str) -> str:
    """The envelope sender of one edition's message to one subscriber (the plain bounce address for a row
    whose token is not one of ours, as a hand-made database may hold)."""
    local, _, domain = bounce_address.rpartition("@")
    address = f"{local}+{edition}-{token}@{domain}"
    return address if VERP.match(address) else bounce_address


@dataclass(frozen=True)
class Bounce:
    """One failed (or delayed) recipient of a DSN, and who it is, where that could be told."""

    kind: str  # hard or soft
    status: str
    detail: str
    token: str | None
    edition: int
    recipient: str


def messages(path: Path) -> Iterator[bytes]:
    """The raw messages of a Maildir (a folder with cur/ and new/) or an mbox file."""
    if path.is_dir():
        if not (path / "cur").is_dir() and not (path / "new").is_dir():
            raise UserError(f"{path} is a folder but not a Maildir (no cur/ or new/)")
        box: mailbox.Mailbox = mailbox.Maildir(path, factory=None, create=False)
    elif path.is_file():
        box = mailbox.mbox(path, create=False)
    else:
        raise UserError(f"no Maildir or mbox file at {path}")
    for key in box.iterkeys():
        yield box.get_bytes(key)


def _status_blocks(report: Message) -> list[Message]:
    for part in report.walk():
        if part.get_content_type() == "message/delivery-status":
            blocks = part.get_payload()
            return blocks[1:] if isinstance(blocks, list) else []
    return []


def _returned_message_id(report: Message) -> str | None:
    for part in report.walk():
        if part.get_content_type() in ("message/rfc822", "text/rfc822-headers"):
            payload = part.get_payload()
            inner = payload[0] if isinstance(payload, list) and payload else None
            if inner is None and isinstance(payload, str):
                inner = email.message_from_string(payload, policy=email.policy.default)
            if inner is not None and inner.get("Message-ID"):
                return str(inner["Message-ID"]).strip()
    return None


def _verp_target(report: Message) -> tuple[str, int] | None:
    for header in RECIPIENT_HEADERS:
        for _, address in getaddresses([str(value) for value in report.get_all(header, [])]):
            match = VERP.match(address.strip())
            if match:
                return match["token"].lower(), int(match["edition"])
    return None


def _kind(action: str, status: str) -> str | None:
    if status.startswith("5") and action in ("failed", ""):
        return "hard"
    if status.startswith("4") and action in ("failed", "delayed", ""):
        return "soft"
    if action == "failed" and not status:
        return "hard"
    return None


def _address(field: str) -> str:
    """The address of a Final-Recipient field, ``rfc822; someone@example.org``."""
    return field.partition(";")[2].strip() if ";" in field else field.strip()


def read_dsn(conn: sqlite3.Connection, report: Message) -> list[Bounce]:
    """The failed recipients of a DSN; [] for any other message (an auto-reply, a DSN of success)."""
    if report.get_content_type() != "multipart/report":
        return []
    verp_target = _verp_target(report)
    found = []
    for block in _status_blocks(report):
        action = str(block.get("Action", "")).strip().lower()
        status = str(block.get("Status", "")).strip().split(" ")[0]
        kind = _kind(action, status)
        if kind is None:
            continue
        recipient = _address(str(block.get("Final-Recipient") or block.get("Original-Recipient") or ""))
        detail = " ".join(str(block.get("Diagnostic-Code", "")).split())
        token, edition = verp_target or _from_ledger(conn, _returned_message_id(report), recipient)
        found.append(Bounce(kind, status, detail, token, edition, recipient))
    return found


def _from_ledger(conn: sqlite3.Connection, message_id: str | None, recipient: str) -> tuple[str | None, int]:
    """Token and edition from the returned Message-ID, else the token of the Final-Recipient."""
    if message_id:
        row = conn.execute(
            "SELECT s.token, d.edition FROM deliveries d JOIN subscribers s ON s.key = d.key "
            "WHERE d.message_id = ?",
            (message_id,),
        ).fetchone()
        if row:
            return row[0], row[1]
    row = conn.execute("SELECT token FROM subscribers WHERE key = ?", (address_key(recipient),)).fetchone()
    return (row[0] if row else None), 0


def soft_streak(conn: sqlite3.Connection, token: str) -> int:
    """How many of the editions last sent to this token's address bounced softly, newest first, in a row."""
    row = conn.execute("SELECT key FROM subscribers WHERE token = ?", (token,)).fetchone()
    if row is None:
        return 0
    sent = conn.execute(
        "SELECT edition FROM deliveries WHERE key = ? AND status = 'accepted' ORDER BY edition DESC",
        (row[0],),
    ).fetchall()
    soft = {
        e for (e,) in conn.execute("SELECT edition FROM bounces WHERE token = ? AND kind = 'soft'", (token,))
    }
    streak = 0
    for (edition,) in sent:
        if edition not in soft:
            break
        streak += 1
    return streak


def apply(conn: sqlite3.Connection, bounce: Bounce, soft_limit: int) -> str:
    """Record one bounce; what became of it: suppressed (now), already suppressed, soft, or unknown."""
    if bounce.token is None:
        return "unknown"
    conn.execute(
        "INSERT OR IGNORE INTO bounces (token, edition, kind, status, detail, at) VALUES (?, ?, ?, ?, ?, ?)",
        (bounce.token, bounce.edition, bounce.kind, bounce.status, bounce.detail[:500], now().isoformat()),
    )
    if suppression(conn, bounce.token):
        return "already suppressed"
    detail = f"{bounce.status} {bounce.detail}".strip()
    if bounce.kind == "hard":
        suppress(conn, bounce.token, "hard-bounce", detail)
        return "suppressed"
    if soft_streak(conn, bounce.token) >= soft_limit:
        suppress(conn, bounce.token, "soft-bounces", detail)
        return "suppressed"
    return "soft"


def process(conn: sqlite3.Connection, path: Path, soft_limit: int) -> tuple[Counter[str], list[str]]:
    """Read every message at ``path``; counts by outcome and one line per address suppressed now."""
    counts: Counter[str] = Counter()
    lines = []
    for raw in messages(path):
        try:
            bounces = read_dsn(conn, email.message_from_bytes(raw, policy=email.policy.default))
        except (ValueError, LookupError, TypeError, AttributeError):
            counts["unreadable"] += 1
            continue
        if not bounces:
            counts["not a bounce"] += 1
        for bounce in bounces:
            outcome = apply(conn, bounce, soft_limit)
            counts[outcome] += 1
            if outcome == "suppressed":
                lines.append(
                    f"suppressed {bounce.recipient or bounce.token}: {bounce.kind} bounce {bounce.status}"
                )
    return counts, lines
