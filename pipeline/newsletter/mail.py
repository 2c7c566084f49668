"""The service's two emails, confirmation and goodbye: Movisies-style MJML with a text part, sent by SMTP.

They go out after the page has been answered (so a known and an unknown address take the same time), over
the digest's SMTP settings, with DIGEST_BOUNCE_ADDRESS as envelope sender when it is set.
"""

from __future__ import annotations

import functools
import logging
import secrets
from datetime import UTC, datetime
from email.message import EmailMessage
from email.policy import SMTP
from email.utils import format_datetime
from urllib.parse import urlsplit

import jinja2

from pipeline.digest.message import mailbox, sender
from pipeline.digest.render import TEMPLATES, mjml_to_html, one_line
from pipeline.digest.send import Connection, InDoubt, Permanent, Transient
from pipeline.errors import UserError
from pipeline.newsletter.config import NewsletterConfig

log = logging.getLogger("pipeline.newsletter")
SUBJECTS = {
    "bevestigen": "Bevestig je aanmelding voor de nieuwsbrief van {title}",
    "afscheid": "Je bent afgemeld voor de nieuwsbrief van {title}",
}


@functools.cache
def _environment() -> jinja2.Environment:
    return jinja2.Environment(
        loader=jinja2.FileSystemLoader(TEMPLATES),
        autoescape=lambda name: name is not None and not name.endswith(".txt.j2"),
        undefined=jinja2.StrictUndefined,
        keep_trailing_newline=True,
    )


def render(config: NewsletterConfig, kind: str, **values: str) -> tuple[str, str, str]:
    """Subject, HTML and text of the ``kind`` email (a template pair in themes/movisies/email/)."""
    d = config.digest
    context = {
        "title": d.title,
        "tagline": d.tagline,
        "publisher": d.pelican.get("AUTHOR", d.title),
        "site_url": f"{d.siteurl}/",
        "site_host": urlsplit(d.siteurl).netloc,
        "archive_url": d.web_root,
        "signup_url": config.url("aanmelden"),
        "hours": str(int(config.confirm_for.total_seconds() // 3600)),
        "subject": SUBJECTS[kind].format(title=d.title),
        **values,
    }
    env = _environment()
    html = mjml_to_html(env.get_template(f"{kind}.mjml.j2").render(context))
    text = env.get_template(f"{kind}.txt.j2").render(context)
    return context["subject"], html, text


def build(config: NewsletterConfig, kind: str, to: str, name: str, **values: str) -> EmailMessage:
    subject, html, text = render(config, kind, name=name, **values)
    me = sender(config.digest.sender)
    message = EmailMessage(policy=SMTP)
    message["From"] = me
    message["To"] = mailbox(name, to)
    message["Subject"] = one_line(subject)
    message["Date"] = format_datetime(datetime.now(UTC))
    message["Message-ID"] = f"<{secrets.token_hex(10)}.{kind}@{me.domain}>"
    message["Auto-Submitted"] = "auto-generated"  # RFC 3834: no vacation replies to this
    message.set_content(text, subtype="plain", charset="utf-8", cte="quoted-printable")
    message.add_alternative(html, subtype="html", charset="utf-8", cte="quoted-printable")
    return message


def send(config: NewsletterConfig, message: EmailMessage, recipient: str) -> bool:
    """Hand one message to the SMTP server; a failure is logged (the reader can ask again), never raised."""
    connection = Connection(config.digest)
    try:
        connection.send(message, recipient, lambda: None, config.digest.bounce_address or None)
        return True
    except (Transient, Permanent, InDoubt, UserError) as exc:
        log.warning("could not send the %s email: %s", message["Subject"], exc)
        return False
    finally:
        connection.close()
