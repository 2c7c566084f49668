"""Helpers for the newsletter tests: the real service under uvicorn, a real SMTP server, plain HTTP.

Not a conftest: the test modules import what they use.
"""

from __future__ import annotations

import email
import email.policy
import http.client
import re
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from email.message import EmailMessage
from http.cookies import SimpleCookie
from pathlib import Path
from urllib.parse import urlencode, urlsplit

from digestkit import SECRET, Mailbox, SmtpServer

from pipeline.bench.unsubscribe import free_port, running_service


@dataclass
class EnvelopeMailbox(Mailbox):
    """The digest tests' mailbox, also keeping each message's envelope sender (MAIL FROM)."""

    senders: list[str] = field(default_factory=list)

    async def handle_DATA(self, server, session, envelope):
        self.senders.append(envelope.mail_from)
        return await super().handle_DATA(server, session, envelope)

    def wait_for(self, count: int, timeout: float = 10.0) -> list[EmailMessage]:
        """The parsed messages once there are ``count`` (the service sends after it has answered)."""
        import time

        deadline = time.monotonic() + timeout
        while len(self.messages) < count and time.monotonic() < deadline:
            time.sleep(0.02)
        return self.parsed()


@dataclass
class Answer:
    status: int
    body: str
    headers: dict[str, str]

    def heading(self) -> str:
        found = re.search(r"<h1>(.*?)</h1>", self.body, re.S)
        return found.group(1).strip() if found else ""

    def field(self, name: str) -> str:
        found = re.search(rf'name="{name}" value="([^"]*)"', self.body)
        return found.group(1) if found else ""


@dataclass
class Client:
    """An HTTP client without redirects, keeping the cookies it is given (like a browser, minus the rest)."""

    cookies: dict[str, str] = field(default_factory=dict)

    def request(
        self, method: str, url: str, body: bytes = b"", headers: dict[str, str] | None = None
    ) -> Answer:
        parts = urlsplit(url)
        connection = http.client.HTTPConnection(parts.hostname, parts.port, timeout=30)
        sent = dict(headers or {})
        if self.cookies:
            sent["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        if body or method == "POST":
            sent.setdefault("Content-Type", "application/x-www-form-urlencoded")
        try:
            path = parts.path + (f"?{parts.query}" if parts.query else "")
            connection.request(method, path, body=body, headers=sent)
            response = connection.getresponse()
            text = response.read().decode("utf-8", "replace")
            for value in response.headers.get_all("Set-Cookie") or []:
                for key, morsel in SimpleCookie(value).items():
                    self.cookies[key] = morsel.value
            return Answer(response.status, text, {k.lower(): v for k, v in response.getheaders()})
        finally:
            connection.close()

    def get(self, url: str) -> Answer:
        return self.request("GET", url)

    def post(self, url: str, fields: dict[str, str], headers: dict[str, str] | None = None) -> Answer:
        return self.request("POST", url, urlencode(fields).encode(), headers)


@dataclass
class Newsletter:
    """A running service and the SMTP server it sends through."""

    url: str
    database: Path
    mailbox: EnvelopeMailbox
    env: dict[str, str]

    def page(self, name: str, **query: str) -> str:
        return f"{self.url}/nieuwsbrief/{name}" + (f"?{urlencode(query)}" if query else "")


def environment(database: Path, smtp: SmtpServer, siteurl: str) -> dict[str, str]:
    return {**smtp.environment(database), "SITEURL": siteurl, "DIGEST_SECRET": SECRET}


@contextmanager
def newsletter(tmp: Path, *extra: str, mailbox: EnvelopeMailbox | None = None) -> Iterator[Newsletter]:
    """The service under uvicorn on a free port of 127.0.0.1, SITEURL its own address, and aiosmtpd."""
    mailbox = mailbox or EnvelopeMailbox()
    port = free_port()
    database = tmp / "var" / "subscribers.sqlite"
    with SmtpServer(mailbox) as smtp:
        env = environment(database, smtp, f"http://127.0.0.1:{port}")
        with running_service(env, tmp / "serve.log", *extra, port=port) as url:
            yield Newsletter(url, database, mailbox, env)


def link(message: EmailMessage, path: str) -> str:
    """The first URL to ``path`` in the text part of a message."""
    text = message.get_body(("plain",)).get_content()
    found = re.search(rf"https?://\S+/{path}\S*", text)
    assert found, text
    return found.group(0)


def sign_up(service: Newsletter, client: Client, address: str, name: str = "") -> Answer:
    """The service's own form, as a person fills it in: GET it (a CSRF cookie and field), then POST."""
    form = client.get(service.page("aanmelden"))
    fields = {"email": address, "naam": name, "toestemming": "ja", "bron": "aanmeldpagina"}
    return client.post(service.page("aanmelden"), {**fields, "csrf": form.field("csrf")})


def parsed(raw: bytes) -> EmailMessage:
    return email.message_from_bytes(raw, policy=email.policy.default)
