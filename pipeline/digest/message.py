"""Whole messages: headers built so that no subscriber name or article title can add a header.

Every header value goes through ``one_line`` (all whitespace, CR and LF included, collapses to a space) and
the address headers are built from ``Address`` objects, which quote display names; the email package then
encodes non-ASCII text as RFC 2047 words.
"""

from __future__ import annotations

from datetime import datetime
from email.headerregistry import Address
from email.message import EmailMessage
from email.policy import SMTP
from email.utils import format_datetime, parseaddr
from urllib.parse import quote

from email_validator import EmailNotValidError, validate_email

from pipeline.digest.render import Rendered, one_line
from pipeline.errors import UserError


def mailbox(name: str, email: str) -> Address:
    """An address header value from untrusted parts; raises UserError on an address that is not one.

    The address is checked by email-validator (RFC 5321/5322 syntax, internationalised domains; not whether
    the domain receives mail): "x@y" and "anna@example..org" are refused. A domain in another script is
    written in its ASCII (IDNA) form, which every relay takes; only a local part in another script needs a
    relay with SMTPUTF8.
    """
    try:
        found = validate_email(email.strip(), check_deliverability=False)
    except EmailNotValidError as exc:
        raise UserError(f"not an email address: {email!r} ({exc})") from None
    typed = email.strip().rpartition("@")[2]
    domain = typed if typed.isascii() else found.ascii_domain or found.domain
    return Address(display_name=one_line(name), username=found.local_part, domain=domain)


def sender(configured: str) -> Address:
    name, email = parseaddr(configured)
    return mailbox(name, email)


def unsubscribe_headers(url: str, mailto: str, token: str) -> dict[str, str]:
    """RFC 2369 and RFC 8058: an https one-click URL first, then a mailto fallback."""
    subject = quote(f"afmelden {token}")
    return {
        "List-Unsubscribe": f"<{url}>, <mailto:{mailto}?subject={subject}>",
        "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
    }


def build_message(
    rendered: Rendered,
    *,
    sender_address: Address,
    to: Address,
    unsubscribe_url: str,
    extra_headers: dict[str, str],
    sent: datetime,
    message_id: str,
    subject_prefix: str = "",
) -> EmailMessage:
    """One recipient's message: text and HTML alternatives with the recipient's own unsubscribe link."""
    html_part, text_part = rendered.personalize(unsubscribe_url)
    message = EmailMessage(policy=SMTP)
    message["From"] = sender_address
    message["To"] = to
    message["Subject"] = one_line(subject_prefix + rendered.subject)
    message["Date"] = format_datetime(sent)
    message["Message-ID"] = one_line(message_id)
    for name, value in extra_headers.items():
        message[name] = one_line(value)
    message.set_content(text_part, subtype="plain", charset="utf-8", cte="quoted-printable")
    message.add_alternative(html_part, subtype="html", charset="utf-8", cte="quoted-printable")
    return message
