"""The newsletter's sign-up block and the menu's link to its archive need two digest settings in the
templates. Their defaults live in code (pipeline/digest/config.py, pipeline/newsletter/config.py), not in the
settings files, so they are added to Pelican's settings here, unless a settings file sets them."""

from __future__ import annotations

from pelican import signals

from pipeline.digest.config import DEFAULTS as DIGEST
from pipeline.newsletter.config import DEFAULTS as NEWSLETTER


def add_defaults(pelican) -> None:
    pelican.settings.setdefault("DIGEST_WEB_PATH", DIGEST["DIGEST_WEB_PATH"])
    pelican.settings.setdefault("DIGEST_CONSENT", NEWSLETTER["DIGEST_CONSENT"])


def register() -> None:
    signals.initialized.connect(add_defaults)
