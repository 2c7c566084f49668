"""The service's settings: the digest's (same file, same database, same SMTP server) plus its own few."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from urllib.parse import urlencode, urlsplit

from pipeline.digest.config import DigestConfig, load_config
from pipeline.errors import UserError

DEFAULTS = {
    "DIGEST_CONSENT": (
        "Ja, stuur mij de nieuwsbrief van Sociaal Werk Magazine (drie keer per jaar). "
        "Afmelden kan altijd, met één klik onderaan elke nieuwsbrief."
    ),
    "DIGEST_CONFIRM_HOURS": 48,
    "DIGEST_SIGNUP_RATE": 10,
    "DIGEST_SIGNUP_PER_ADDRESS": 3,
    "DIGEST_SOFT_BOUNCES": 3,
}
EMAIL_MAX = 254  # RFC 5321's limit on a path
NAME_MAX = 100
SOURCE_MAX = 200


@dataclass(frozen=True)
class NewsletterConfig:
    digest: DigestConfig
    consent: str
    confirm_for: timedelta
    signup_rate: int  # sign-up POSTs a minute per client
    per_address: int  # confirmation emails a day per address
    soft_bounces: int  # soft bounces in a row that suppress an address

    @property
    def database(self) -> Path:
        return self.digest.database

    @property
    def origin(self) -> str:
        """scheme://host[:port] of SITEURL: what a browser sends as Origin from the site's own pages."""
        parts = urlsplit(self.digest.siteurl)
        return f"{parts.scheme}://{parts.netloc}"

    def url(self, name: str, **query: str) -> str:
        """The public URL of one of the service's pages (``aanmelden``, ``bevestigen``, ``afmelden``)."""
        tail = f"?{urlencode(query)}" if query else ""
        return f"{self.digest.web_root}{name}{tail}"


def newsletter_config(digest: DigestConfig) -> NewsletterConfig:
    values = {key: digest.pelican.get(key, default) for key, default in DEFAULTS.items()}
    try:
        numbers = {key: int(values[key]) for key in DEFAULTS if key != "DIGEST_CONSENT"}
    except (TypeError, ValueError) as exc:
        raise UserError(f"bad newsletter setting: {exc}") from None
    if min(numbers.values()) < 1:
        raise UserError(f"the newsletter's numeric settings must be at least 1: {numbers}")
    consent = " ".join(str(values["DIGEST_CONSENT"]).split())
    if not consent:
        raise UserError("DIGEST_CONSENT (the consent statement of the sign-up form) is empty")
    return NewsletterConfig(
        digest=digest,
        consent=consent,
        confirm_for=timedelta(hours=numbers["DIGEST_CONFIRM_HOURS"]),
        signup_rate=numbers["DIGEST_SIGNUP_RATE"],
        per_address=numbers["DIGEST_SIGNUP_PER_ADDRESS"],
        soft_bounces=numbers["DIGEST_SOFT_BOUNCES"],
    )


def load(settings: Path) -> NewsletterConfig:
    return newsletter_config(load_config(settings))
