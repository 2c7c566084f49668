"""Send an edition: one message per subscriber over SMTP, never twice to the same address.

The ledger (table ``deliveries``) gets a row for a recipient the moment the server has accepted that
recipient's message, before the next message is built, and every row is committed and synced at once. A run
that stops for any reason (crash, kill, a server that goes away) is resumed by running the same command again:
it sends to the subscribers without a row for this edition, and only to them. (listmonk resent mail because
its checkpoint moved when a batch was fetched, not when it was sent.)
"""

from __future__ import annotations

import fcntl
import os
import secrets
import smtplib
import sqlite3
import ssl
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from email.headerregistry import Address
from email.message import EmailMessage
from pathlib import Path

from pipeline.cli import UserError
from pipeline.digest.config import DigestConfig
from pipeline.digest.message import build_message, mailbox, sender, unsubscribe_headers
from pipeline.digest.render import Rendered
from pipeline.digest.subscribers import Subscriber

TEST_TOKEN = "test"  # the token in a --test-to message: it unsubscribes no one
SMTPUTF8_MISSING = 553  # recorded for an address the relay cannot take (no SMTPUTF8): that recipient only


@dataclass
class Report:
    """What a run did: accepted now, done earlier, and the permanent rejections with the server's reply."""

    accepted: list[str] = field(default_factory=list)
    earlier: int = 0
    rejected: list[tuple[str, int, str]] = field(default_factory=list)


class Transient(Exception):
    """The server could not take the message now (4xx, dropped connection, timeout): try again later."""


class Permanent(Exception):
    """The server refused this recipient for good (5xx)."""

    def __init__(self, code: int, detail: str) -> None:
        super().__init__(f"{code} {detail}")
        self.code, self.detail = code, detail


def pending(conn: sqlite3.Connection, edition: int) -> list[Subscriber]:
    """Subscribers without a ledger row for ``edition``: the only ones a run may send to."""
    rows = conn.execute(
        "SELECT s.email, s.name, s.token FROM subscribers s "
        "LEFT JOIN deliveries d ON d.edition = ? AND d.email = s.email "
        "WHERE d.email IS NULL ORDER BY s.email",
        (edition,),
    ).fetchall()
    return [Subscriber(*row) for row in rows]


def record(
    conn: sqlite3.Connection,
    edition: int,
    email: str,
    message_id: str,
    code: int | None = None,
    detail: str = "",
) -> None:
    """One ledger row, committed at once: accepted when ``code`` is None, else rejected with the reply."""
    conn.execute(
        "INSERT INTO deliveries (edition, email, status, message_id, code, detail, at) "
        "VALUES (?, ?, ?, ?, ?, ?, ?)",
        (
            edition,
            email,
            "accepted" if code is None else "rejected",
            message_id,
            code,
            detail,
            _now().isoformat(),
        ),
    )


def _now() -> datetime:
    return datetime.now(UTC)


@contextmanager
def exclusive(database: Path) -> Iterator[None]:
    """One send at a time per database: two concurrent runs could both see a recipient as pending."""
    database.parent.mkdir(parents=True, exist_ok=True)
    with open(f"{database}.lock", "w") as lock:
        try:
            fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise UserError(f"another send is running on {database}") from None
        yield


class Connection:
    """An SMTP session, opened when needed and dropped after an error so that the next try starts clean."""

    def __init__(self, config: DigestConfig) -> None:
        self.config = config
        self.smtp: smtplib.SMTP | None = None

    def _open(self) -> smtplib.SMTP:
        c = self.config
        context = ssl.create_default_context()
        if c.smtp_security == "tls":
            smtp: smtplib.SMTP = smtplib.SMTP_SSL(
                c.smtp_host, c.smtp_port, timeout=c.smtp_timeout, context=context
            )
        else:
            smtp = smtplib.SMTP(c.smtp_host, c.smtp_port, timeout=c.smtp_timeout)
            if c.smtp_security == "starttls":
                smtp.starttls(context=context)
        user, password = os.environ.get("DIGEST_SMTP_USER"), os.environ.get("DIGEST_SMTP_PASSWORD")
        if user:
            smtp.login(user, password or "")
        return smtp

    def send(self, message: EmailMessage, recipient: str) -> None:
        """Hand one message to the server; returns only when the server accepted it."""
        try:
            if self.smtp is None:
                self.smtp = self._open()
            self.smtp.send_message(message, to_addrs=[recipient])
        except smtplib.SMTPAuthenticationError as exc:
            raise UserError(f"SMTP login refused: {exc.smtp_code} {exc.smtp_error!r}") from None
        except smtplib.SMTPSenderRefused as exc:
            if exc.smtp_code < 500:
                self._fail(exc.smtp_code, exc.smtp_error)
            raise UserError(f"the SMTP server refuses the sender {exc.sender}: {exc.smtp_code}") from None
        except smtplib.SMTPRecipientsRefused as exc:
            code, reply = next(iter(exc.recipients.values()))
            self._fail(code, reply)
        except smtplib.SMTPResponseException as exc:
            self._fail(exc.smtp_code, exc.smtp_error)
        except smtplib.SMTPNotSupportedError as exc:  # an address in another script, a relay without SMTPUTF8
            raise Permanent(SMTPUTF8_MISSING, f"not sent: {exc}") from None
        except (smtplib.SMTPException, OSError) as exc:
            self.close()
            raise Transient(str(exc) or type(exc).__name__) from None

    def _fail(self, code: int, reply: bytes | str) -> None:
        detail = reply.decode(errors="replace") if isinstance(reply, bytes) else str(reply)
        if code >= 500:
            self._reset()
            raise Permanent(code, detail)
        self.close()
        raise Transient(f"{code} {detail}")

    def _reset(self) -> None:
        """After a refusal the session lives on, but the half-done transaction must go."""
        try:
            if self.smtp is not None:
                self.smtp.rset()
        except (smtplib.SMTPException, OSError):
            self.close()

    def close(self) -> None:
        if self.smtp is not None:
            try:
                self.smtp.quit()
            except (smtplib.SMTPException, OSError):
                self.smtp.close()
            self.smtp = None


@dataclass
class Sender:
    """Builds and sends one edition's messages with retries, backoff and a rate limit."""

    config: DigestConfig
    rendered: Rendered
    sleep: Callable[[float], None] = time.sleep
    _last: float = float("-inf")

    def message(self, to: Address, token: str, subject_prefix: str = "") -> EmailMessage:
        me = sender(self.config.sender)
        url = self.config.unsubscribe_url.format(siteurl=self.config.siteurl, token=token)
        headers = unsubscribe_headers(url, self.config.unsubscribe_mailto, token)
        headers["List-Id"] = f"{self.config.title} <{self.config.web_path}.{me.domain}>"
        return build_message(
            self.rendered,
            sender_address=me,
            to=to,
            unsubscribe_url=url,
            extra_headers=headers,
            sent=_now(),
            message_id=f"<{secrets.token_hex(10)}.nr{self.rendered.number}@{me.domain}>",
            subject_prefix=subject_prefix,
        )

    def deliver(self, connection: Connection, message: EmailMessage, recipient: str) -> None:
        """Send with retries; raises Permanent, or UserError once the retries are used up."""
        for attempt in range(self.config.retries + 1):
            self._pace()
            try:
                connection.send(message, recipient)
                return
            except Transient as exc:
                if attempt == self.config.retries:
                    raise UserError(
                        f"SMTP server unavailable ({exc}) after {attempt + 1} attempts; "
                        "everyone accepted so far is in the ledger: run the same command again to resume"
                    ) from None
                self.sleep(self.config.backoff * 2**attempt)

    def _pace(self) -> None:
        """At most DIGEST_RATE messages a second."""
        wait = self._last + 1 / self.config.rate - time.monotonic()
        if wait > 0:
            self.sleep(wait)
        self._last = time.monotonic()


def send_edition(conn: sqlite3.Connection, sender_: Sender, report: Report) -> Report:
    """Send to every pending subscriber, recording each acceptance or permanent rejection at once.

    ``report`` is filled as the run goes, so a caller still knows what was done when a run stops.
    """
    number = sender_.rendered.number
    todo = pending(conn, number)
    report.earlier = conn.execute("SELECT count(*) FROM deliveries WHERE edition = ?", (number,)).fetchone()[
        0
    ]
    connection = Connection(sender_.config)
    try:
        for subscriber in todo:
            message = sender_.message(mailbox(subscriber.name, subscriber.email), subscriber.token)
            try:
                sender_.deliver(connection, message, subscriber.email)
            except Permanent as exc:
                record(conn, number, subscriber.email, message["Message-ID"], exc.code, exc.detail)
                report.rejected.append((subscriber.email, exc.code, exc.detail))
                continue
            record(conn, number, subscriber.email, message["Message-ID"])
            report.accepted.append(subscriber.email)
    finally:
        connection.close()
    return report


def send_test(sender_: Sender, address: str) -> str:
    """One message to ``address`` with "[TEST]" in the subject; the ledger is not touched."""
    message = sender_.message(mailbox("", address), TEST_TOKEN, subject_prefix="[TEST] ")
    connection = Connection(sender_.config)
    try:
        sender_.deliver(connection, message, address)
    except Permanent as exc:
        raise UserError(f"the server refused {address}: {exc}") from None
    finally:
        connection.close()
    return message["Message-ID"]
