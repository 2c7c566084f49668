"""Helpers for the digest, subscriber and send tests: settings, content, a real SMTP server on 127.0.0.1.

Not a conftest: the test modules import what they use.
"""

from __future__ import annotations

import asyncio
import email
import email.policy
import socket
import subprocess
import sys
import threading
from collections import Counter
from dataclasses import dataclass, field, replace
from pathlib import Path

from aiosmtpd.controller import Controller
from ingestkit import SEEDS  # a copy: the ingest locks the folder it reads

from pipeline.digest.config import DigestConfig, load_config

ROOT = Path(__file__).resolve().parent.parent
FIXTURE = ROOT / "tests" / "fixtures" / "digest-content"
SETTINGS = ROOT / "publishconf.py"
SITEURL = "https://sociaalwerk.example.nl"
SECRET = "test-secret-that-is-long-enough"
SMTP_TIMEOUT = 5.0


def config(**overrides) -> DigestConfig:
    """The project's digest settings, with test overrides (an SMTP server on 127.0.0.1, no waiting)."""
    return replace(load_config(SETTINGS), **overrides)


def ingest(out: Path) -> Path:
    """content/ from seeds/ through the project's ingest, as `make content` makes it."""
    command = [sys.executable, "-m", "pipeline", "ingest", str(SEEDS), "--out", str(out)]
    subprocess.run(
        [*command, "--report", str(out.parent / "ingest.json")],
        cwd=ROOT,
        check=True,
        capture_output=True,
        timeout=300,
    )
    return out


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@dataclass
class Mailbox:
    """An aiosmtpd handler that keeps what it accepted, and can misbehave on purpose.

    ``reject``: addresses refused at RCPT with 550. ``busy``: addresses answered 451 once, then accepted.
    ``drop_after``: after this many accepted messages, every DATA closes the connection without a reply.
    ``stall_at``: the message with this number (1-based) is held until the client disconnects, then dropped.
    ``taken_then_dropped``: messages to these addresses are kept, then the connection closes without a reply.
    ``late``: messages to these addresses are kept, then answered this many seconds later.
    ``delay``: every message is kept, then answered this many seconds later.
    """

    reject: set[str] = field(default_factory=set)
    busy: set[str] = field(default_factory=set)
    drop_after: int | None = None
    stall_at: int | None = None
    taken_then_dropped: set[str] = field(default_factory=set)
    late: dict[str, float] = field(default_factory=dict)
    delay: float = 0.0
    messages: list[tuple[list[str], bytes]] = field(default_factory=list)
    stalled: threading.Event = field(default_factory=threading.Event)

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if address in self.reject:
            return "550 5.1.1 No such user here"
        if address in self.busy:
            self.busy.discard(address)
            return "451 4.3.0 Try again later"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        if self.drop_after is not None and len(self.messages) >= self.drop_after:
            server.transport.close()
            return "421 4.3.0 Going away"
        if self.stall_at is not None and len(self.messages) + 1 == self.stall_at:
            self.stalled.set()
            for _ in range(200):
                if server.transport is None or server.transport.is_closing():
                    return "421 4.3.0 Client gone"
                await asyncio.sleep(0.05)
        self.messages.append((list(envelope.rcpt_tos), envelope.original_content or envelope.content))
        if self.taken_then_dropped & set(envelope.rcpt_tos):
            server.transport.close()
            return "250 2.0.0 Accepted (never arrives)"
        wait = max([self.delay, *(self.late.get(rcpt, 0.0) for rcpt in envelope.rcpt_tos)])
        if wait:
            await asyncio.sleep(wait)
        return "250 2.0.0 Accepted"

    def parsed(self) -> list[email.message.EmailMessage]:
        return [email.message_from_bytes(raw, policy=email.policy.default) for _, raw in self.messages]

    def recipients(self) -> list[str]:
        return [rcpt for rcpts, _ in self.messages for rcpt in rcpts]


class SmtpServer:
    """A real SMTP server (aiosmtpd) on 127.0.0.1 and a free port, for a ``with`` block."""

    def __init__(self, mailbox: Mailbox, *, smtputf8: bool = True) -> None:
        self.mailbox = mailbox
        self.port = free_port()
        self.controller = Controller(
            mailbox, hostname="127.0.0.1", port=self.port, ready_timeout=5, enable_SMTPUTF8=smtputf8
        )

    def __enter__(self) -> SmtpServer:
        self.controller.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.controller.stop()

    def settings(self) -> dict[str, object]:
        """Overrides for ``config`` that point the sender at this server."""
        return {
            "smtp_host": "127.0.0.1",
            "smtp_port": self.port,
            "smtp_security": "none",
            "smtp_timeout": SMTP_TIMEOUT,
            "smtp_data_timeout": SMTP_TIMEOUT,
            "rate": 1000.0,
            "retries": 2,
            "backoff": 0.01,
        }

    def copies(self) -> Counter[str]:
        """How many messages each address got."""
        return Counter(self.mailbox.recipients())

    def environment(self, database: Path) -> dict[str, str]:
        """The same, as environment variables for a `python -m pipeline send` subprocess."""
        return {
            "DIGEST_SMTP_HOST": "127.0.0.1",
            "DIGEST_SMTP_PORT": str(self.port),
            "DIGEST_SMTP_SECURITY": "none",
            "DIGEST_DATABASE": str(database),
            "DIGEST_SECRET": SECRET,
        }
