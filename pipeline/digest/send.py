"""Send an edition: one message per subscriber over SMTP, never twice to the same address.

SMTP leaves one moment open: when the connection dies, or the reply does not come, after the client sent the
end of DATA, the server may or may not have taken the message. So the ledger (table ``deliveries``) records
each recipient as 'sending' just before the end of DATA goes out, then 'accepted' on the 250, 'rejected' on a
5xx, and 'in_doubt' when the reply never came. A recipient with any row is never sent to again by a plain
run; a 'sending' row that a run left behind (a kill, a crash) is in doubt as well. ``resend_in_doubt`` sends
to the recipients in doubt again, for an editor who chooses to. Every row is committed and synced at once.
(listmonk resent mail because its checkpoint moved when a batch was fetched, not when it was sent.)

A 5xx refusal by the server counts as a hard bounce: the address is suppressed and never mailed again. With
DIGEST_BOUNCE_ADDRESS each message's envelope sender names its recipient and edition (VERP), for `bounces`.
"""

from __future__ import annotations

import fcntl
import os
import re
import secrets
import signal
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

from pipeline.digest.config import DigestConfig
from pipeline.digest.message import build_message, mailbox, sender, unsubscribe_headers
from pipeline.digest.render import Rendered
from pipeline.digest.subscribers import Subscriber
from pipeline.errors import UserError
from pipeline.newsletter.bounces import verp
from pipeline.newsletter.suppressions import suppress

TEST_TOKEN = "test"  # the token in a --test-to message: it unsubscribes no one
LEFT_BEHIND = (
    "the run sending it was stopped (killed, interrupted twice or crashed) before the server's reply"
)
SMTPUTF8_MISSING = 553  # recorded for an address the relay cannot take (no SMTPUTF8): that recipient only
NOT_SENT = "not sent:"  # how such a refusal of ours begins: not the server's word, so not a bounce


@dataclass
class Report:
    """Where an edition stands after a run: accepted by this run, accepted before it, and (of all runs,
    so that none goes unreported when a run was killed) each permanent rejection and each delivery in doubt.
    """

    accepted: list[str] = field(default_factory=list)
    earlier: int = 0
    rejected: list[tuple[str, str]] = field(default_factory=list)  # address, the server's reply
    in_doubt: list[tuple[str, str]] = field(default_factory=list)  # address, why
    stopped_by: int | None = None  # the signal that stopped the run


class Transient(Exception):
    """The server did not take the message (4xx, no connection, lost before the end of DATA): try again."""


class InDoubt(Exception):
    """The end of DATA went out and no reply came: the server may or may not have taken the message."""


class Permanent(Exception):
    """The server refused this recipient for good (5xx)."""

    def __init__(self, code: int, detail: str) -> None:
        super().__init__(f"{code} {detail}")
        self.code, self.detail = code, detail


class Ledger:
    """One edition's deliveries; every change is committed (and synced: synchronous=FULL) at once."""

    def __init__(self, conn: sqlite3.Connection, edition: int) -> None:
        self.conn, self.edition = conn, edition
        self.resending: set[str] = set()  # keys of recipients in doubt that this run sends to again

    def recover(self) -> None:
        """'sending' rows are a stopped run's (the lock says no run is going): they are in doubt."""
        self.conn.execute(
            "UPDATE deliveries SET status = 'in_doubt', detail = ? WHERE edition = ? AND status = 'sending'",
            (LEFT_BEHIND, self.edition),
        )

    def pending(self, resend_in_doubt: bool = False) -> list[Subscriber]:
        """Subscribers without a row for this edition (and those in doubt, when asked): whom to send to."""
        rows = self.conn.execute(
            "SELECT s.email, s.name, s.token, s.key FROM subscribers s "
            "LEFT JOIN deliveries d ON d.edition = ? AND d.key = s.key "
            "WHERE d.key IS NULL OR (? AND d.status = 'in_doubt') ORDER BY s.key",
            (self.edition, resend_in_doubt),
        ).fetchall()
        if resend_in_doubt:
            self.resending = {
                key
                for (key,) in self.conn.execute(
                    "SELECT key FROM deliveries WHERE edition = ? AND status = 'in_doubt'", (self.edition,)
                )
            }
        return [Subscriber(*row) for row in rows]

    def accepted(self) -> int:
        return self.conn.execute(
            "SELECT count(*) FROM deliveries WHERE edition = ? AND status = 'accepted'", (self.edition,)
        ).fetchone()[0]

    def rejected(self) -> list[tuple[str, str]]:
        """Address and the server's reply, of every recipient of this edition refused for good."""
        rows = self.conn.execute(
            "SELECT email, code, detail FROM deliveries WHERE edition = ? AND status = 'rejected' "
            "ORDER BY key",
            (self.edition,),
        ).fetchall()
        return [(email, f"{code} {detail}") for email, code, detail in rows]

    def in_doubt(self) -> list[tuple[str, str]]:
        """Address and why, of every delivery of this edition that is in doubt."""
        return self.conn.execute(
            "SELECT email, detail FROM deliveries WHERE edition = ? AND status = 'in_doubt' ORDER BY key",
            (self.edition,),
        ).fetchall()

    def claim(self, subscriber: Subscriber, message_id: str) -> bool:
        """'sending', just before the end of DATA; False when a row is there that this run may not take
        (only a recipient in doubt that this run sends to again may be taken)."""
        cursor = self.conn.execute(
            "INSERT INTO deliveries (edition, key, email, status, message_id, at) "
            "VALUES (?, ?, ?, 'sending', ?, ?) "
            "ON CONFLICT (edition, key) DO UPDATE SET status = 'sending', message_id = excluded.message_id, "
            "at = excluded.at WHERE status = 'in_doubt' AND ?",
            (
                self.edition,
                subscriber.key,
                subscriber.email,
                message_id,
                _now().isoformat(),
                subscriber.key in self.resending,
            ),
        )
        return cursor.rowcount == 1

    def release(self, subscriber: Subscriber) -> None:
        """The server did not take the message: back to how it was before the claim (no-op without one)."""
        if subscriber.key in self.resending:
            self.conn.execute(
                "UPDATE deliveries SET status = 'in_doubt' "
                "WHERE edition = ? AND key = ? AND status = 'sending'",
                (self.edition, subscriber.key),
            )
        else:
            self.conn.execute(
                "DELETE FROM deliveries WHERE edition = ? AND key = ? AND status = 'sending'",
                (self.edition, subscriber.key),
            )

    def settle(
        self, subscriber: Subscriber, message_id: str, status: str, code: int | None = None, detail: str = ""
    ) -> None:
        """The outcome; a refusal before DATA (at RCPT) has no claimed row yet."""
        self.conn.execute(
            "INSERT INTO deliveries (edition, key, email, status, message_id, code, detail, at) "
            "VALUES (?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (edition, key) DO UPDATE SET "
            "status = excluded.status, message_id = excluded.message_id, code = excluded.code, "
            "detail = excluded.detail, at = excluded.at",
            (
                self.edition,
                subscriber.key,
                subscriber.email,
                status,
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
    """One send at a time per database, whatever path (a symlink, ``..``) names it."""
    real = database.resolve()
    try:
        real.parent.mkdir(parents=True, exist_ok=True)
        lock = open(f"{real}.lock", "a+")  # noqa: SIM115 (closed by the with below)
    except OSError as exc:
        raise UserError(f"cannot take the send lock {real}.lock: {exc.strerror}") from None
    with lock:
        try:
            fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            lock.seek(0)
            holder = lock.read().strip() or "unknown"
            raise UserError(
                f"another send is running on {real} (process {holder}); wait for it to end"
            ) from None
        lock.truncate(0)
        lock.write(str(os.getpid()))
        lock.flush()
        yield


class _EndOfData:
    """smtplib's DATA with two changes: a hook just before the end of the message goes out, and a longer wait
    for the reply to it (RFC 5321 4.5.3.2.6 asks 10 minutes: a client that gives up earlier makes doubt)."""

    before_end_of_data: Callable[[], None] = staticmethod(lambda: None)
    data_timeout: float = 600.0
    end_of_data_sent: bool = False

    def data(self, msg: bytes) -> tuple[int, bytes]:
        self.putcmd("data")
        code, reply = self.getreply()
        if code != 354:
            raise smtplib.SMTPDataError(code, reply)
        payload = re.sub(rb"(?m)^\.", b"..", msg)
        if not payload.endswith(b"\r\n"):
            payload += b"\r\n"
        try:
            self.before_end_of_data()
        except BaseException:
            self.close()  # without the end of DATA the server drops the message
            raise
        self.send(payload + b".\r\n")
        self.end_of_data_sent = True
        self.sock.settimeout(self.data_timeout)
        reply = self.getreply()
        if self.sock is not None:
            self.sock.settimeout(self.timeout)
        return reply


class _Plain(_EndOfData, smtplib.SMTP):
    pass


class _Tls(_EndOfData, smtplib.SMTP_SSL):
    pass


class Claimed(Exception):
    """Another run has a ledger row for this recipient: this run leaves it alone."""


class Connection:
    """An SMTP session, opened when needed and dropped after an error so that the next try starts clean."""

    def __init__(self, config: DigestConfig) -> None:
        self.config = config
        self.smtp: _Plain | _Tls | None = None

    def _open(self) -> _Plain | _Tls:
        c = self.config
        context = ssl.create_default_context()
        if c.smtp_security == "tls":
            smtp: _Plain | _Tls = _Tls(c.smtp_host, c.smtp_port, timeout=c.smtp_timeout, context=context)
        else:
            smtp = _Plain(c.smtp_host, c.smtp_port, timeout=c.smtp_timeout)
            if c.smtp_security == "starttls":
                smtp.starttls(context=context)
        smtp.data_timeout = c.smtp_data_timeout
        user, password = os.environ.get("DIGEST_SMTP_USER"), os.environ.get("DIGEST_SMTP_PASSWORD")
        if user:
            smtp.login(user, password or "")
        return smtp

    def send(
        self,
        message: EmailMessage,
        recipient: str,
        before_end: Callable[[], None],
        envelope_from: str | None = None,
    ) -> None:
        """Hand one message to the server; returns only when the server accepted it.

        ``before_end`` runs just before the end of DATA goes out; if it raises, the message is abandoned.
        ``envelope_from`` is the envelope sender (where bounces go); None: the From address.
        """
        try:
            if self.smtp is None:
                self.smtp = self._open()
            self.smtp.before_end_of_data, self.smtp.end_of_data_sent = before_end, False
            self.smtp.send_message(message, from_addr=envelope_from, to_addrs=[recipient])
        except Claimed:
            self.smtp = None  # the hook closed it in the middle of DATA
            raise
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
            raise Permanent(SMTPUTF8_MISSING, f"{NOT_SENT} {exc}") from None
        except (smtplib.SMTPException, OSError) as exc:
            self._drop(str(exc) or type(exc).__name__)

    def _after_end(self) -> bool:
        return self.smtp is not None and self.smtp.end_of_data_sent

    def _fail(self, code: int, reply: bytes | str) -> None:
        detail = reply.decode(errors="replace") if isinstance(reply, bytes) else str(reply)
        if not 400 <= code < 600:  # no reply that SMTP defines: after the end of DATA, that is doubt
            self._drop(f"{code} {detail}")
        if code >= 500:
            self._reset()
            raise Permanent(code, detail)
        self.close()
        raise Transient(f"{code} {detail}")

    def _drop(self, why: str) -> None:
        """A broken session: closed without QUIT (the server may be the trouble); raises what that means."""
        after_end = self._after_end()
        self.abandon()
        if after_end:
            raise InDoubt(f"no reply after the end of the message ({why})")
        raise Transient(why)

    def _reset(self) -> None:
        """After a refusal the session lives on, but the half-done transaction must go."""
        try:
            if self.smtp is not None:
                self.smtp.rset()
        except (smtplib.SMTPException, OSError):
            self.close()

    def abandon(self) -> None:
        """Close without QUIT: the server may be busy with a message, and nobody waits for its answer."""
        if self.smtp is not None:
            self.smtp.close()
            self.smtp = None

    def close(self) -> None:
        if self.smtp is not None:
            try:
                self.smtp.quit()
            except (smtplib.SMTPException, OSError):
                self.smtp.close()
            self.smtp = None


class Stop:
    """A request to stop after the message in flight (SIGINT, SIGTERM); a second signal stops at once."""

    def __init__(self) -> None:
        self.signum: int | None = None

    def __bool__(self) -> bool:
        return self.signum is not None

    def request(self, signum: int, frame: object = None) -> None:
        if self.signum is not None:
            raise KeyboardInterrupt  # the second one: whatever is in flight stays 'sending', so in doubt
        self.signum = signum


@contextmanager
def stop_on_signals() -> Iterator[Stop]:
    """SIGINT and SIGTERM ask the run to stop after the message in flight, instead of killing it mid-way."""
    stop = Stop()
    previous = {signum: signal.signal(signum, stop.request) for signum in (signal.SIGINT, signal.SIGTERM)}
    try:
        yield stop
    finally:
        for signum, handler in previous.items():
            signal.signal(signum, handler)


def _nothing() -> None:
    pass


@dataclass
class Sender:
    """Builds and sends one edition's messages with retries, backoff, a rate limit and a way to stop."""

    config: DigestConfig
    rendered: Rendered
    stop: Stop = field(default_factory=Stop)
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

    def deliver(
        self,
        connection: Connection,
        message: EmailMessage,
        recipient: str,
        claim: Callable[[], None] = _nothing,
        release: Callable[[], None] = _nothing,
        envelope_from: str | None = None,
    ) -> None:
        """Send, retrying what the server did not take; raises Permanent, InDoubt, or UserError when the
        retries are used up. ``claim`` runs just before each end of DATA, ``release`` after each attempt the
        server did not take."""
        for attempt in range(self.config.retries + 1):
            self._pace()
            try:
                connection.send(message, recipient, claim, envelope_from)
                return
            except Transient as exc:
                release()
                if attempt == self.config.retries:
                    raise UserError(
                        f"SMTP server unavailable ({exc}) after {attempt + 1} attempts; "
                        "everyone accepted so far is in the ledger: run the same command again to resume"
                    ) from None
                self._pause(self.config.backoff * 2**attempt)
                if self.stop:
                    raise _Stopped from None

    def _pace(self) -> None:
        """At most DIGEST_RATE messages a second."""
        self._pause(self._last + 1 / self.config.rate - time.monotonic())
        self._last = time.monotonic()

    def _pause(self, seconds: float) -> None:
        """Sleep, but wake up for a stop request."""
        end = time.monotonic() + seconds
        while not self.stop and (left := end - time.monotonic()) > 0:
            time.sleep(min(left, 0.1))


class _Stopped(Exception):
    """A stop was asked for before the message was taken: it stays pending."""


def send_edition(
    conn: sqlite3.Connection, sender_: Sender, report: Report, *, resend_in_doubt: bool = False
) -> Report:
    """Send to every pending subscriber, recording each step at once (see the module's docstring).

    ``report`` is filled as the run goes, so a caller still knows what was done when a run stops. The run
    stops when DIGEST_RETRIES + 1 deliveries in a row end in doubt: a server that takes messages and never
    answers in time would otherwise put the whole list in doubt.
    """
    ledger = Ledger(conn, sender_.rendered.number)
    ledger.recover()
    todo = ledger.pending(resend_in_doubt)
    report.earlier = ledger.accepted()
    connection = Connection(sender_.config)
    in_a_row = 0
    try:
        for subscriber in todo:
            if sender_.stop:
                break
            status = _send_one(sender_, connection, ledger, subscriber, report)
            in_a_row = in_a_row + 1 if status == "in_doubt" else 0
            if in_a_row > sender_.config.retries:
                raise UserError(
                    f"{in_a_row} deliveries in a row are in doubt: the server takes messages without "
                    f"answering within DIGEST_SMTP_DATA_TIMEOUT ({sender_.config.smtp_data_timeout:g} s) "
                    "or drops the connection; check it, then run the same command again (it does not "
                    "send them again)"
                )
    except _Stopped:
        pass
    except KeyboardInterrupt:  # a second signal: stop now; what was in flight is in doubt at worst
        connection.abandon()
        ledger.recover()
        raise
    finally:
        connection.close()
        report.rejected, report.in_doubt = ledger.rejected(), ledger.in_doubt()
        report.stopped_by = sender_.stop.signum
    return report


def _send_one(
    sender_: Sender, connection: Connection, ledger: Ledger, subscriber: Subscriber, report: Report
) -> str:
    """One subscriber's delivery, recorded: 'accepted', 'rejected', 'in_doubt' or 'skipped' (not ours)."""
    message = sender_.message(mailbox(subscriber.name, subscriber.email), subscriber.token)

    def claim() -> None:
        if not ledger.claim(subscriber, message["Message-ID"]):
            raise Claimed

    bounces_to = sender_.config.bounce_address
    envelope = verp(bounces_to, sender_.rendered.number, subscriber.token) if bounces_to else None
    try:
        release = lambda: ledger.release(subscriber)  # noqa: E731
        sender_.deliver(connection, message, subscriber.email, claim, release, envelope)
    except Claimed:
        return "skipped"
    except Permanent as exc:
        ledger.settle(subscriber, message["Message-ID"], "rejected", exc.code, exc.detail)
        if not exc.detail.startswith(NOT_SENT):  # the server refused the address: a hard bounce
            suppress(ledger.conn, subscriber.token, "rejected", f"{exc.code} {exc.detail}")
        return "rejected"
    except InDoubt as exc:
        ledger.settle(subscriber, message["Message-ID"], "in_doubt", detail=str(exc))
        return "in_doubt"
    ledger.settle(subscriber, message["Message-ID"], "accepted")
    report.accepted.append(subscriber.email)
    return "accepted"


def send_test(sender_: Sender, address: str) -> str:
    """One message to ``address`` with "[TEST]" in the subject; the ledger is not touched."""
    message = sender_.message(mailbox("", address), TEST_TOKEN, subject_prefix="[TEST] ")
    connection = Connection(sender_.config)
    try:
        sender_.deliver(connection, message, address)
    except Permanent as exc:
        raise UserError(f"the server refused {address}: {exc}") from None
    except InDoubt as exc:
        raise UserError(f"the test message to {address} may or may not have arrived: {exc}") from None
    finally:
        connection.close()
    return message["Message-ID"]
