"""The newsletter service: an ASGI app (Starlette) for sign-up, confirmation and unsubscribing.

Routes, under SITEURL/<DIGEST_WEB_PATH>/ (the web server sends these three paths here, the rest of the site is
static files):

- ``aanmelden``: GET the form; POST a sign-up. The answer to a valid POST is the same page whether the address
  is known, new, over its daily limit or caught in the honeypot, and the confirmation email goes out after
  the answer, so neither the page nor its timing tells who is subscribed.
- ``bevestigen?token=``: the link in the confirmation email (signed, expiring, single use) subscribes the
  address and records the consent: when it was asked and confirmed, how, and the exact wording shown.
- ``afmelden?token=``: GET a page with one button; POST unsubscribes at once (RFC 8058: a mailbox provider
  POSTs ``List-Unsubscribe=One-Click`` without cookies or any other context, so the token is all it needs).

Every refusal is a page that says what happened and what to do, with a 4xx status; no traceback reaches a
reader. The database work runs in worker threads, one short transaction each.
"""

from __future__ import annotations

import logging
import sqlite3
import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar
from urllib.parse import parse_qs, urlsplit

import anyio
import jinja2
from starlette.applications import Starlette
from starlette.background import BackgroundTask
from starlette.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import HTMLResponse, Response
from starlette.routing import Mount, Route
from starlette.staticfiles import StaticFiles

from pipeline.digest import subscribers as db
from pipeline.digest.message import mailbox
from pipeline.digest.send import TEST_TOKEN
from pipeline.errors import UserError
from pipeline.newsletter import mail, store, tokens
from pipeline.newsletter.config import EMAIL_MAX, NAME_MAX, SOURCE_MAX, NewsletterConfig
from pipeline.newsletter.limits import RateLimit

THEME = Path(__file__).resolve().parents[2] / "themes" / "movisies"
BODY_MAX = 8 * 1024  # bytes of a form: a sign-up needs a few hundred
FIELDS_MAX = 12
CSRF_COOKIE = "nieuwsbrief_csrf"
MAIL_THREADS = 4
log = logging.getLogger("pipeline.newsletter")
T = TypeVar("T")


class TooLarge(Exception):
    """A form body over BODY_MAX bytes or with more than FIELDS_MAX fields."""


def _environment() -> jinja2.Environment:
    loader = jinja2.FileSystemLoader([THEME / "newsletter", THEME / "templates"])
    return jinja2.Environment(loader=loader, autoescape=True, trim_blocks=True, lstrip_blocks=True)


async def read_form(request: Request) -> dict[str, str]:
    """The first value of each field of a url-encoded body, read no further than BODY_MAX bytes."""
    body = b""
    async for chunk in request.stream():
        body += chunk
        if len(body) > BODY_MAX:
            raise TooLarge
    if not request.headers.get("content-type", "").startswith("application/x-www-form-urlencoded"):
        return {}
    try:
        fields = parse_qs(body.decode("utf-8", "replace"), max_num_fields=FIELDS_MAX)
    except ValueError:
        raise TooLarge from None
    return {key: values[0] for key, values in fields.items()}


def _origin(url: str | None) -> str | None:
    if not url:
        return None
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}" if parts.scheme and parts.netloc else None


class Service:
    """The routes' handlers, sharing the settings, the secret, the templates and the rate limit."""

    def __init__(self, config: NewsletterConfig, secret: bytes) -> None:
        self.config, self.secret = config, secret
        self.env = _environment()
        self.limit = RateLimit(config.signup_rate)
        self.lock, self.local = threading.Lock(), threading.local()
        self.mail_threads: anyio.CapacityLimiter | None = None
        d = config.digest
        self.site = {
            "name": d.title,
            "subtitle": d.pelican.get("SITESUBTITLE", d.tagline),
            "url": d.siteurl,
            "archive": d.web_root,
            "signup": config.url("aanmelden"),
            "mailto": d.unsubscribe_mailto,
        }
        origin = config.origin
        self.headers = {
            "Content-Security-Policy": (
                f"default-src 'none'; style-src 'self' {origin}; img-src 'self' {origin}; "
                f"form-action 'self' {origin}; frame-ancestors 'none'; base-uri 'none'"
            ),
            "Referrer-Policy": "no-referrer",  # the tokens in our URLs go nowhere else
            "X-Content-Type-Options": "nosniff",
            "Cache-Control": "no-store",
        }

    # --- plumbing

    async def db(self, work: Callable[..., T], *args: Any) -> T:
        """Run ``work(conn, *args)`` in a worker thread, on that thread's connection, one at a time.

        SQLite has one writer; threads that wait for it inside SQLite poll with sleeps of up to 100 ms, so
        under load they queue on a lock here instead (200 one-click unsubscribes at once: p99 about halved).
        """

        def run() -> T:
            with self.lock:
                conn = getattr(self.local, "conn", None)
                if conn is None:
                    conn = self.local.conn = db.connect(self.config.database)
                return work(conn, *args)

        return await run_in_threadpool(run)

    def _later(self, work: Callable[..., None], *args: Any) -> BackgroundTask:
        """``work(*args)`` after the answer is sent, on threads of its own (at most MAIL_THREADS at once): an
        SMTP server that hangs cannot take the worker threads that the database work needs."""

        async def run() -> None:
            if self.mail_threads is None:  # made on the event loop that will use it
                self.mail_threads = anyio.CapacityLimiter(MAIL_THREADS)
            await anyio.to_thread.run_sync(work, *args, limiter=self.mail_threads)

        return BackgroundTask(run)

    def page(
        self, template: str, status: int = 200, background: BackgroundTask | None = None, **context: Any
    ) -> HTMLResponse:
        html = self.env.get_template(template).render(site=self.site, consent=self.config.consent, **context)
        return HTMLResponse(html, status_code=status, headers=self.headers, background=background)

    def refuse(self, reason: str, status: int, request: Request | None = None) -> Response:
        """A clear page for a refusal; the CSRF refusal carries a fresh form."""
        hours = int(self.config.confirm_for.total_seconds() // 3600)
        if reason != "csrf" or request is None:
            return self.page("fout.html.j2", status, reason=reason, hours=hours)
        cookie = tokens.new_csrf_cookie()
        csrf = tokens.csrf_field(self.secret, cookie)
        response = self.page("fout.html.j2", status, reason=reason, hours=hours, csrf=csrf)
        self._set_cookie(response, request, cookie)
        return response

    def _set_cookie(self, response: Response, request: Request, cookie: str) -> None:
        response.set_cookie(
            CSRF_COOKIE,
            cookie,
            max_age=2 * 3600,
            path=f"/{self.config.digest.web_path}/",
            secure=request.url.scheme == "https",
            httponly=True,
            samesite="strict",
        )

    def _csrf_passes(self, request: Request, form: dict[str, str]) -> bool:
        """The service's own form carries a token matching its cookie; the site's static forms cannot, and
        pass when the browser says they were posted from a page of the site (Origin, else Referer)."""
        if "csrf" in form:
            return tokens.csrf_ok(self.secret, request.cookies.get(CSRF_COOKIE), form["csrf"])
        sent_from = _origin(request.headers.get("origin")) or _origin(request.headers.get("referer"))
        return sent_from == self.config.origin

    # --- sign-up

    async def signup_form(self, request: Request) -> Response:
        cookie = request.cookies.get(CSRF_COOKIE) or tokens.new_csrf_cookie()
        return self._form(request, cookie, 200)

    def _form(self, request: Request, cookie: str, status: int, **values: Any) -> Response:
        context = {"email": "", "name": "", "errors": {}, **values}
        response = self.page(
            "aanmelden.html.j2", status, csrf=tokens.csrf_field(self.secret, cookie), **context
        )
        self._set_cookie(response, request, cookie)
        return response

    async def signup(self, request: Request) -> Response:
        client = request.client.host if request.client else "unknown"
        if not self.limit.allow(client):
            return self._rate_limited(client)
        try:
            form = await read_form(request)
        except TooLarge:
            return self.refuse("too-large", 413)
        if not self._csrf_passes(request, form):
            return self.refuse("csrf", 403, request)
        if form.get("website"):  # the honeypot: a person never sees that field
            return self._check_your_mail()
        email = self._address(form.get("email", ""))
        errors = {"email": email is None, "consent": form.get("toestemming") != "ja"}  # the theme words them
        name = " ".join(form.get("naam", "").split())[:NAME_MAX]
        if any(errors.values()) or email is None:
            cookie = request.cookies.get(CSRF_COOKIE) or tokens.new_csrf_cookie()
            shown = form.get("email", "")[:EMAIL_MAX]
            return self._form(request, cookie, 400, email=shown, name=name, errors=errors)
        source = " ".join(form.get("bron", "").split())[:SOURCE_MAX] or "onbekend"
        signup = await self.db(self._request_signup, email, name, source)
        task = self._later(self._send_confirmation, signup) if signup else None
        return self._check_your_mail(task)

    def _request_signup(
        self, conn: sqlite3.Connection, email: str, name: str, source: str
    ) -> store.Signup | None:
        store.purge_signups(conn, self.config.confirm_for)
        wording = self.config.consent
        return store.request_signup(conn, email, name, source, wording, self.config.per_address)

    def _send_confirmation(self, signup: store.Signup) -> None:
        url = self.config.url("bevestigen", token=tokens.confirmation_token(self.secret, signup.id))
        message = mail.build(self.config, "bevestigen", signup.email, signup.name, confirm_url=url)
        mail.send(self.config, message, signup.email)

    def _check_your_mail(self, task: BackgroundTask | None = None) -> Response:
        hours = int(self.config.confirm_for.total_seconds() // 3600)
        return self.page("controleer.html.j2", 200, task, hours=hours)

    def _rate_limited(self, client: str) -> Response:
        response = self.refuse("rate", 429)
        response.headers["Retry-After"] = str(self.limit.retry_after(client))
        return response

    @staticmethod
    def _address(text: str) -> str | None:
        text = text.strip()
        if not text or len(text) > EMAIL_MAX:
            return None
        try:
            address = mailbox("", text)
        except UserError:
            return None
        return address.addr_spec  # checked by email-validator (in mailbox): "a@b" is refused there

    # --- confirmation

    async def confirm(self, request: Request) -> Response:
        token = request.query_params.get("token", "")
        try:
            signup_id = tokens.signup_id(self.secret, token, self.config.confirm_for)
        except tokens.Expired:
            return self.refuse("expired", 410)
        except tokens.Forged:
            return self.refuse("forged", 400)
        outcome, signup = await self.db(self._confirm, signup_id)
        if signup is None:
            return self.refuse(outcome, 410 if outcome == "expired" else 409)
        return self.page("bevestigd.html.j2", email=signup.email, name=signup.name)

    def _confirm(self, conn: sqlite3.Connection, signup_id: str) -> tuple[str, store.Signup | None]:
        found = store.find_signup(conn, signup_id)
        if found is None:
            return "expired", None  # purged after its link expired, or erased
        confirmed = store.confirm(conn, self.secret, signup_id)
        return ("ok", confirmed) if confirmed else ("used", None)

    # --- unsubscribing

    def _token(self, request: Request) -> str | None:
        token = request.query_params.get("token", "")
        return token if tokens.UNSUBSCRIBE_TOKEN.fullmatch(token) else None

    def _not_ours(self, request: Request) -> Response:
        """The answer to an unsubscribe URL without a token of ours; a `send --test-to` message's says so."""
        if request.query_params.get("token") == TEST_TOKEN:
            return self.page("test.html.j2")
        return self.refuse("forged", 400)

    async def unsubscribe_page(self, request: Request) -> Response:
        token = self._token(request)
        if token is None:
            return self._not_ours(request)
        email, held = await self.db(self._lookup, token)
        if email:
            action = self.config.url("afmelden", token=token)
            return self.page("afmelden.html.j2", email=email, action=action)
        if held:
            return self.page("afgemeld.html.j2", again=True)
        return self.refuse("forged", 400)

    @staticmethod
    def _lookup(conn: sqlite3.Connection, token: str) -> tuple[str | None, bool]:
        row = conn.execute("SELECT email FROM subscribers WHERE token = ?", (token,)).fetchone()
        return (row[0] if row else None), store.suppression(conn, token) is not None

    async def unsubscribe(self, request: Request) -> Response:
        """RFC 8058 one-click, and the button of our own page: the token alone decides."""
        token = self._token(request)
        if token is None:
            return self._not_ours(request)
        try:
            form = await read_form(request)
        except TooLarge:
            form = {}
        done = await self.db(store.unsubscribe, token)
        if done is None:
            return self.refuse("forged", 400)
        task = None
        if done.first_time and form.get("bron") == "afmeldpagina":  # a person on our page, not a mail client
            task = self._later(self._send_goodbye, done)
        return self.page("afgemeld.html.j2", 200, task, again=not done.first_time)

    def _send_goodbye(self, done: store.Unsubscribed) -> None:
        message = mail.build(self.config, "afscheid", done.email, done.name)
        mail.send(self.config, message, done.email)

    # --- errors

    async def http_error(self, request: Request, exc: Exception) -> Response:
        status = exc.status_code if isinstance(exc, HTTPException) else 500
        reason = {404: "not-found", 405: "method"}.get(status, "server")
        response = self.refuse(reason, status)
        if status == 405:
            response.headers["Allow"] = "GET, POST"
        return response

    async def server_error(self, request: Request, exc: Exception) -> Response:
        log.error("error answering %s %s: %r", request.method, request.url.path, exc)
        return self.refuse("server", 500)


def create_app(config: NewsletterConfig, secret: bytes, site: Path | None = None) -> Starlette:
    """The ASGI app; with ``site`` it serves that built site too (to try it locally; not for production)."""
    service = Service(config, secret)
    base = f"/{config.digest.web_path}"
    routes: list[Route | Mount] = [
        Route(f"{base}/aanmelden", service.signup_form, methods=["GET"]),
        Route(f"{base}/aanmelden", service.signup, methods=["POST"]),
        Route(f"{base}/bevestigen", service.confirm, methods=["GET"]),
        Route(f"{base}/afmelden", service.unsubscribe_page, methods=["GET"]),
        Route(f"{base}/afmelden", service.unsubscribe, methods=["POST"]),
    ]
    if site is not None:
        routes.append(Mount("/", StaticFiles(directory=site, html=True)))

    return Starlette(
        routes=routes,
        exception_handlers={HTTPException: service.http_error, Exception: service.server_error},
    )
