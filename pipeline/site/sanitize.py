"""Every article and page is sanitized the moment Pelican has read it, before any template, feed or plugin
sees it: the body and the summary pass the allowlist sanitizer, every text field loses the characters XML
forbids. Ingested files are safe already (the ingest escapes all text); this covers hand-written files and
editors' edits too, so nothing in `content/` can put a script on the site or break a feed.
"""

from __future__ import annotations

from typing import Any

from pelican import signals
from pelican.urlwrappers import URLWrapper

from pipeline import sanitize

# Pelican keeps these two metadata under other attribute names (override_save_as, override_url).
_NOT_ATTRIBUTES = {"save_as", "url"}


def _text(value: Any) -> Any:
    """A metadata value with its text cleaned; the names of authors, tags and categories too."""
    if isinstance(value, str):
        return sanitize.text(value)
    if isinstance(value, URLWrapper):
        name = sanitize.text(value.name)
        if name != value.name:
            value.name = name
        return value
    if isinstance(value, list):
        return [_text(item) for item in value]
    return value


def clean(content) -> None:
    """Sanitize one article or page in place (Pelican's `content_object_init`)."""
    content._content = sanitize.html(content._content or "")
    for key, value in content.metadata.items():
        cleaned = sanitize.html(value) if key == "summary" else _text(value)
        if cleaned == value:
            continue  # untouched: Pelican's own attributes (a date with its time zone) stay as they are
        content.metadata[key] = cleaned
        if key == "summary":
            content._summary = cleaned
        elif key not in _NOT_ATTRIBUTES:
            setattr(content, key, cleaned)


def register() -> None:
    signals.content_object_init.connect(clean)
