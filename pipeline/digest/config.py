"""The digest's settings: the ``DIGEST_*`` block of pelicanconf.py, read the way Pelican reads it.

Settings come from publishconf.py by default, so SITEURL (and thus every link in the email) is the published
site's. A few deployment settings may be overridden by an environment variable of the same name; credentials
and the token secret only ever come from the environment.
"""

from __future__ import annotations

import os
import sys
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

from pelican.settings import read_settings

from pipeline.errors import UserError

CADENCES = ("weekly", "monthly", "triannual")
SECURITIES = ("none", "starttls", "tls")
ENV_OVERRIDES = (
    "DIGEST_DATABASE",
    "DIGEST_SMTP_HOST",
    "DIGEST_SMTP_PORT",
    "DIGEST_SMTP_SECURITY",
    "DIGEST_OUTPUT",
    "DIGEST_BOUNCE_ADDRESS",
)

DEFAULTS: dict[str, Any] = {
    "DIGEST_TITLE": None,  # None: SITENAME
    "DIGEST_TAGLINE": "Nieuwsbrief voor het sociaal domein",
    "DIGEST_CADENCE": "triannual",
    "DIGEST_FIRST_EDITION": "2014-01-01",
    "DIGEST_EDITION_LINE": "Nummer {issue} · {year}",
    "DIGEST_MAX_ITEMS": 12,
    "DIGEST_UTM": {"utm_source": "nieuwsbrief", "utm_medium": "email", "utm_campaign": "nummer-{number}"},
    "DIGEST_EDITORIALS": "editions",
    "DIGEST_OUTPUT": "digest-out",
    "DIGEST_WEB_PATH": "nieuwsbrief",
    "DIGEST_FROM": "Redactie Sociaal Werk <redactie@sociaalwerk.example.nl>",
    "DIGEST_UNSUBSCRIBE_URL": "{siteurl}/nieuwsbrief/afmelden?token={token}",
    "DIGEST_UNSUBSCRIBE_MAILTO": "afmelden@sociaalwerk.example.nl",
    "DIGEST_BOUNCE_ADDRESS": "bounces@sociaalwerk.example.nl",  # VERP, bounces+<N>-<token>@; empty: From
    "DIGEST_DATABASE": "var/subscribers.sqlite",
    "DIGEST_SMTP_HOST": "localhost",
    "DIGEST_SMTP_PORT": 587,
    "DIGEST_SMTP_SECURITY": "starttls",
    "DIGEST_SMTP_TIMEOUT": 30.0,
    "DIGEST_SMTP_DATA_TIMEOUT": 600.0,
    "DIGEST_RATE": 10.0,
    "DIGEST_RETRIES": 4,
    "DIGEST_BACKOFF": 2.0,
}


@dataclass(frozen=True)
class DigestConfig:
    """Everything the digest needs, typed and checked once."""

    siteurl: str
    title: str
    tagline: str
    cadence: str
    first_edition: date
    edition_line: str
    max_items: int
    utm: dict[str, str]
    editorials: str
    output: Path
    web_path: str
    sender: str
    unsubscribe_url: str
    unsubscribe_mailto: str
    bounce_address: str
    database: Path
    smtp_host: str
    smtp_port: int
    smtp_security: str
    smtp_timeout: float
    smtp_data_timeout: float
    rate: float
    retries: int
    backoff: float
    series: dict[str, str]
    pelican: dict[str, Any] = field(repr=False)

    @property
    def web_root(self) -> str:
        """The absolute URL of the archive of editions."""
        return f"{self.siteurl}/{self.web_path}/"

    def edition_url(self, number: int) -> str:
        return f"{self.web_root}{number}/"


def load_settings(path: Path) -> dict[str, Any]:
    """Pelican's settings from a file; its folder goes on sys.path so publishconf can import pelicanconf."""
    if not path.is_file():
        raise UserError(f"settings file not found: {path}")
    folder = str(path.resolve().parent)
    if folder not in sys.path:
        sys.path.insert(0, folder)
    try:
        return read_settings(str(path))
    except ValueError as exc:  # Pelican's word for a setting it cannot use
        raise UserError(f"{path}: {exc}") from None


def load_config(path: Path = Path("publishconf.py")) -> DigestConfig:
    """The digest configuration from a Pelican settings file (publishconf.py by default)."""
    settings = load_settings(path)
    values = {key: settings.get(key, default) for key, default in DEFAULTS.items()}
    values.update({key: os.environ[key] for key in ENV_OVERRIDES if os.environ.get(key)})
    return _build(settings, values)


def _edition_line(pattern: str) -> str:
    """DIGEST_EDITION_LINE, checked: it may use {issue}, {year}, {month} and {number}, nothing else."""
    try:
        pattern.format(issue=1, year=2018, month="juni", number=1)
    except (KeyError, IndexError, ValueError) as exc:
        raise UserError(
            f"DIGEST_EDITION_LINE may use {{issue}}, {{year}}, {{month}}, {{number}}: {exc}"
        ) from None
    return pattern


def _build(settings: dict[str, Any], v: dict[str, Any]) -> DigestConfig:
    if v["DIGEST_CADENCE"] not in CADENCES:
        raise UserError(f"DIGEST_CADENCE must be one of {', '.join(CADENCES)}, not {v['DIGEST_CADENCE']!r}")
    if v["DIGEST_SMTP_SECURITY"] not in SECURITIES:
        raise UserError(f"DIGEST_SMTP_SECURITY must be one of {', '.join(SECURITIES)}")
    siteurl = os.environ.get("SITEURL") or settings.get("SITEURL") or ""
    if not siteurl.startswith(("http://", "https://")):
        raise UserError("the digest needs an absolute SITEURL (set it in publishconf.py or the environment)")
    try:
        config = _typed(settings, v, siteurl)
    except (ValueError, TypeError, AttributeError) as exc:
        raise UserError(f"bad digest setting: {exc}") from None
    for name in ("DIGEST_SMTP_TIMEOUT", "DIGEST_SMTP_DATA_TIMEOUT", "DIGEST_RATE"):
        if not float(v[name]) > 0:
            raise UserError(f"{name} must be a number above 0, not {v[name]!r}")
    if config.retries < 0 or config.backoff < 0:
        raise UserError("DIGEST_RETRIES and DIGEST_BACKOFF must not be negative")
    return config


def _typed(settings: dict[str, Any], v: dict[str, Any], siteurl: str) -> DigestConfig:
    return DigestConfig(
        siteurl=siteurl.rstrip("/"),
        title=v["DIGEST_TITLE"] or settings["SITENAME"],
        tagline=v["DIGEST_TAGLINE"],
        cadence=v["DIGEST_CADENCE"],
        first_edition=date.fromisoformat(str(v["DIGEST_FIRST_EDITION"])),
        edition_line=_edition_line(v["DIGEST_EDITION_LINE"]),
        max_items=int(v["DIGEST_MAX_ITEMS"]),
        utm=dict(v["DIGEST_UTM"]),
        editorials=v["DIGEST_EDITORIALS"],
        output=Path(v["DIGEST_OUTPUT"]),
        web_path=v["DIGEST_WEB_PATH"].strip("/"),
        sender=v["DIGEST_FROM"],
        unsubscribe_url=v["DIGEST_UNSUBSCRIBE_URL"],
        unsubscribe_mailto=v["DIGEST_UNSUBSCRIBE_MAILTO"],
        bounce_address=v["DIGEST_BOUNCE_ADDRESS"].strip(),
        database=Path(v["DIGEST_DATABASE"]),
        smtp_host=v["DIGEST_SMTP_HOST"],
        smtp_port=int(v["DIGEST_SMTP_PORT"]),
        smtp_security=v["DIGEST_SMTP_SECURITY"],
        smtp_timeout=float(v["DIGEST_SMTP_TIMEOUT"]),
        smtp_data_timeout=float(v["DIGEST_SMTP_DATA_TIMEOUT"]),
        rate=float(v["DIGEST_RATE"]),
        retries=int(v["DIGEST_RETRIES"]),
        backoff=float(v["DIGEST_BACKOFF"]),
        series=dict(settings.get("SERIES", {})),
        pelican=settings,
    )
