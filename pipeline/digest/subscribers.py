"""Subscribers and the delivery ledger, in one SQLite database (DIGEST_DATABASE).

Each subscriber has an unsubscribe token: an HMAC-SHA256 of the address under DIGEST_SECRET, a secret that
only the environment holds, so a token can be checked without a lookup table and cannot be guessed.

One address is one subscriber: the key of both tables is the address's normal form (``address_key``: NFKC,
then casefold), computed here in Python, because SQLite's NOCASE folds ASCII only (``Émile@`` and ``émile@``,
or the Kelvin sign and ``K``, were two subscribers with one token).

The schema is versioned with ``PRAGMA user_version``: ``MIGRATIONS[n]`` takes a database from version n to
n + 1, and ``connect`` runs the missing steps in one transaction. A database made before versioning
(version 0, holding the first schema's tables) and a new one go through the same steps.
"""

from __future__ import annotations

import csv
import hashlib
import hmac
import io
import os
import re
import sqlite3
import unicodedata
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from pipeline.digest.message import mailbox
from pipeline.digest.render import one_line
from pipeline.errors import UserError
from pipeline.ingest.decode import BOMS, Rejected, decode
from pipeline.newsletter.migrations import V3_READERS
from pipeline.newsletter.suppressions import suppress, suppression

MIN_SECRET = 16
MAX_NAME = 200  # a display name, shown in the To header
MAX_CSV_BYTES = 100_000_000  # about two million rows
DELIMITERS = ",;\t"  # Excel writes ";" in Dutch, a tab as "Unicode text"
STRAY_CONTROLS = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")  # C0 (but tab, CR, LF) and DEL


@dataclass(frozen=True)
class Subscriber:
    email: str
    name: str
    token: str
    key: str


def address_key(email: str) -> str:
    """The normal form that decides whether two addresses are one subscriber: NFKC, then casefold."""
    return unicodedata.normalize("NFKC", email.strip()).casefold()


# The schema, one numbered step per change, each a tuple of SQL statements run in order in one transaction.
# Never edit a step that has shipped: add one. ``address_key`` is an SQL function on every connection.

# Version 1: the digest's first schema (CREATE ... IF NOT EXISTS: databases made before versioning have it).
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

# Version 2 (issue 13): one subscriber per address's normal form, ``key``, and the delivery states of "never
# twice". Addresses that become one keep the first added (its token too, so its links keep working); of
# their deliveries of an edition, an accepted one. ``subscribers`` only gains a column (other tables' triggers
# on it stay); ``deliveries`` is rebuilt for its new CHECK and key. A row without a key is refused: every
# insert goes through ``add``.
V2_ADDRESS_KEYS = (
    "ALTER TABLE subscribers ADD COLUMN key TEXT",
    "UPDATE subscribers SET key = address_key(email)",
    "DELETE FROM subscribers WHERE rowid NOT IN (SELECT min(rowid) FROM subscribers GROUP BY key)",
    "CREATE UNIQUE INDEX subscribers_key ON subscribers (key)",
    """CREATE TRIGGER subscribers_need_a_key BEFORE INSERT ON subscribers WHEN NEW.key IS NULL
        BEGIN SELECT RAISE(ABORT, 'subscribers.key is required: add them with subscribers.add'); END""",
    """CREATE TABLE deliveries_v2 (
        edition INTEGER NOT NULL,
        key TEXT NOT NULL,
        email TEXT NOT NULL,
        status TEXT NOT NULL CHECK (status IN ('sending', 'accepted', 'rejected', 'in_doubt')),
        message_id TEXT NOT NULL,
        code INTEGER,
        detail TEXT NOT NULL DEFAULT '',
        at TEXT NOT NULL,
        PRIMARY KEY (edition, key)
    )""",
    """INSERT OR IGNORE INTO deliveries_v2
        SELECT edition, address_key(email), email, status, message_id, code, detail, at FROM deliveries
        ORDER BY status = 'accepted' DESC, at""",
    "DROP TABLE deliveries",
    "ALTER TABLE deliveries_v2 RENAME TO deliveries",
)

# Version 3 (issue 14): the readers: sign-ups, consent, suppressions, bounces (pipeline/newsletter/).
MIGRATIONS: tuple[tuple[str, ...], ...] = (V1_DIGEST, V2_ADDRESS_KEYS, V3_READERS)
SCHEMA_VERSION = len(MIGRATIONS)


def connect(path: Path) -> sqlite3.Connection:
    """The database, created or upgraded when needed; each statement commits at once and survives a crash."""
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        conn = sqlite3.connect(path, isolation_level=None, timeout=10)
    except (OSError, sqlite3.Error) as exc:
        raise UserError(f"cannot open the subscriber database {path}: {exc}") from None
    try:
        conn.create_function("address_key", 1, address_key, deterministic=True)
        conn.execute("PRAGMA journal_mode=WAL")
        conn.execute("PRAGMA synchronous=FULL")
        migrate(conn, path)
    except sqlite3.Error as exc:
        conn.close()
        raise UserError(f"cannot use the subscriber database {path}: {exc}") from None
    except BaseException:
        conn.close()
        raise
    return conn


@contextmanager
def database(path: Path) -> Iterator[sqlite3.Connection]:
    """``connect``, closed at the end; a database error on the way becomes one line that names the file."""
    conn = connect(path)
    try:
        yield conn
    except sqlite3.Error as exc:
        raise UserError(f"the subscriber database {path}: {exc}") from None
    finally:
        conn.close()


@contextmanager
def transaction(conn: sqlite3.Connection) -> Iterator[None]:
    """All or nothing; IMMEDIATE, so a second writer waits here rather than failing half-way."""
    conn.execute("BEGIN IMMEDIATE")
    try:
        yield
    except BaseException:
        conn.execute("ROLLBACK")
        raise
    conn.execute("COMMIT")


def migrate(conn: sqlite3.Connection, path: Path) -> None:
    """Run the missing migrations; two processes starting at once run them once (the version is re-read)."""
    if _version(conn) == SCHEMA_VERSION:
        return
    with transaction(conn):
        version = _version(conn)
        if version > SCHEMA_VERSION:
            raise UserError(
                f"{path} has schema version {version}, newer than this pipeline's {SCHEMA_VERSION}: update it"
            )
        for number, statements in enumerate(MIGRATIONS[version:], start=version + 1):
            for statement in statements:
                conn.execute(statement)
            conn.execute(f"PRAGMA user_version = {number}")


def _version(conn: sqlite3.Connection) -> int:
    return conn.execute("PRAGMA user_version").fetchone()[0]


def secret_from_env() -> bytes:
    secret = os.environ.get("DIGEST_SECRET", "")
    if len(secret) < MIN_SECRET:
        raise UserError(f"set DIGEST_SECRET in the environment (at least {MIN_SECRET} characters)")
    return secret.encode()


def token_for(secret: bytes, email: str) -> str:
    """The HMAC of the address's key (for an ASCII address: the lower-cased address, as before keys)."""
    return hmac.new(secret, address_key(email).encode(), hashlib.sha256).hexdigest()[:32]


def clean_name(name: str) -> str:
    """A display name on one line without control characters (it ends up in the To header)."""
    return one_line("".join(c if c.isprintable() else " " for c in name))


def checked(email: str, name: str) -> tuple[str, str]:
    """The address and the cleaned name, or UserError saying what is wrong with them."""
    name = clean_name(name)
    if len(name) > MAX_NAME:
        raise UserError(f"the name is {len(name):,} characters long, at most {MAX_NAME}")
    return mailbox(name, email).addr_spec, name  # email-validator: at most 254 characters (RFC 5321)


class Suppressed(UserError):
    """The address unsubscribed or bounced: it is not added again, except by a confirmed sign-up."""


def add(conn: sqlite3.Connection, secret: bytes, email: str, name: str = "") -> bool:
    """Add a subscriber; False when the address is already subscribed (its name is then updated, if given)."""
    address, name = checked(email, name)
    held = suppression(conn, token_for(secret, address))
    if held:
        raise Suppressed(f"{address} is suppressed ({held[0]}, {held[1][:10]}): not added")
    key = address_key(address)
    if conn.execute("SELECT 1 FROM subscribers WHERE key = ?", (key,)).fetchone() is not None:
        if name:
            conn.execute("UPDATE subscribers SET name = ? WHERE key = ?", (name, key))
        return False
    conn.execute(
        "INSERT INTO subscribers (key, email, name, token) VALUES (?, ?, ?, ?)",
        (key, address, name, token_for(secret, address)),
    )
    return True


@dataclass
class Imported:
    """What an import did: new subscribers, rows of people already subscribed, each skipped row, and each row
    of a suppressed address (unsubscribed or bounced: not added back)."""

    added: int = 0
    existing: int = 0
    skipped: list[str] = field(default_factory=list)
    suppressed: list[str] = field(default_factory=list)


def import_csv(conn: sqlite3.Connection, secret: bytes, path: Path) -> Imported:
    """Add every row of a CSV with an ``email`` column (and optionally ``name``), in one transaction.

    A row that cannot be added is skipped and listed with its line and why; the others are added.
    """
    text = read_csv_text(path)
    rows = csv.reader(io.StringIO(text, newline=""), delimiter=_delimiter(text))
    email_at, name_at = _columns(path, next(rows, []))
    result, seen = Imported(), {}
    with transaction(conn):
        while True:
            line = rows.line_num + 1
            try:
                row = next(rows)
            except StopIteration:
                break
            except csv.Error as exc:
                result.skipped.append(f"line {line}: not a CSV row ({_csv_reason(exc)})")
                continue
            if not any(cell.strip() for cell in row):
                continue
            email = row[email_at].strip() if email_at < len(row) else ""
            name = row[name_at] if name_at is not None and name_at < len(row) else ""
            try:
                _refuse_garbled_or_repeated(email, name, seen.get(address_key(email)))
                new = add(conn, secret, email, name)
            except Suppressed as exc:
                result.suppressed.append(f"line {line}: {exc}")
                continue
            except UserError as exc:  # anything add refuses is a skipped row, never a stopped import
                result.skipped.append(f"line {line}: {email or '(no address)'}: {exc}")
                continue
            seen[address_key(email)] = line
            result.added += new
            result.existing += not new
    return result


def _refuse_garbled_or_repeated(email: str, name: str, same_as: int | None) -> None:
    if "\ufffd" in email + name:
        raise UserError(
            "this row holds bytes that are not UTF-8 (shown as \ufffd): correct it and import it again"
        )
    if same_as is not None:
        raise UserError(f"the same address as line {same_as}")


def _csv_reason(exc: csv.Error) -> str:
    text = str(exc)
    limit = csv.field_size_limit()
    return f"a field is longer than {limit:,} characters" if str(limit) in text else text


def read_csv_text(path: Path) -> str:
    """The text of ``path`` (see ``_decode_csv``), without the stray control characters a text may hold."""
    return STRAY_CONTROLS.sub("", _decode_csv(path))


def _decode_csv(path: Path) -> str:
    """The text of a CSV file as a spreadsheet saved it: UTF-8 (with or without BOM), UTF-16, windows-1252.

    A BOM decides; then UTF-8, also when a few bytes are not (their rows get U+FFFD and are skipped one by
    one, rather than the whole file being read as another encoding); then the ingest's detection, which
    reads windows-1252/Latin-1 right where charset-normalizer alone guesses windows-1250.
    """
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        raise UserError(f"CSV file not found: {path}") from None
    except OSError as exc:
        raise UserError(f"cannot read {path}: {exc.strerror}") from None
    if not data.strip():
        raise UserError(f"{path} is empty")
    if not data.startswith(tuple(bom for bom, _ in BOMS)):
        if data.count(b"\x00") > len(data) // 10:  # UTF-16 of Latin text: every other byte
            return _bomless_utf16(path, data)
        if _mostly_utf8(data):
            return data.decode("utf-8", errors="replace")
    try:
        return decode(data, max_bytes=MAX_CSV_BYTES)
    except Rejected as exc:
        raise UserError(f"{path} is not a text file ({exc}): save it as CSV") from None


def _mostly_utf8(data: bytes) -> bool:
    """Not valid UTF-8, yet more characters decode as multi-byte UTF-8 than fail to: UTF-8 with a bad byte."""
    try:
        data.decode("utf-8")
    except UnicodeDecodeError:
        text = data.decode("utf-8", errors="replace")
        bad = text.count("\ufffd")
        return sum(1 for c in text if c > "\x7f") - bad > bad
    return False


def _bomless_utf16(path: Path, data: bytes) -> str:
    from charset_normalizer import from_bytes  # only here: its import costs every command 50 ms

    best = from_bytes(data).best()
    if best is None or not best.encoding.startswith(("utf_16", "utf_32")):
        raise UserError(f"{path} is not a text file (it holds NUL bytes): save it as CSV")
    return str(best)


def _delimiter(text: str) -> str:
    """The separator the header row uses most: a comma, a semicolon or a tab."""
    header = text.partition("\n")[0]
    return max(DELIMITERS, key=header.count)


def _columns(path: Path, header: list[str]) -> tuple[int, int | None]:
    names = [cell.strip().lower() for cell in header]
    if "email" not in names:
        raise UserError(f"{path} needs a header row with an 'email' column")
    return names.index("email"), names.index("name") if "name" in names else None


def all_subscribers(conn: sqlite3.Connection) -> list[Subscriber]:
    rows = conn.execute("SELECT email, name, token, key FROM subscribers ORDER BY key").fetchall()
    return [Subscriber(*row) for row in rows]


def remove(conn: sqlite3.Connection, email_or_token: str) -> bool:
    """Unsubscribe by address or by unsubscribe token: the address is suppressed, so no import adds it back.

    The ledger keeps the record of what was sent.
    """
    key = email_or_token.strip()
    row = conn.execute(
        "SELECT token FROM subscribers WHERE key = ? OR token = ?", (address_key(key), key)
    ).fetchone()
    if row is None:
        return False
    suppress(conn, row[0], "unsubscribed", "subscribers remove")
    return True
