"""Every article and page is sanitized the moment Pelican has read it, before any template, feed or plugin
sees it: the body and the summary pass the allowlist sanitizer, every text field loses the characters XML
forbids, and a title or slug that came out empty is made from the file's name.

Ingested files are safe already (the ingest escapes all text); this covers hand-written files and editors'
edits too, so nothing in `content/` can put a script on the site or break a feed.
"""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

from pelican import signals
from pelican.urlwrappers import URLWrapper
from pelican.utils import slugify as pelican_slugify

from pipeline import sanitize
from pipeline.ingest.write import slugify

log = logging.getLogger(__name__)
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


def _first_of_twice(content, key: str, value: Any) -> Any:
    """A text field given twice (two `Title:` lines) comes as a list of strings: its first value, with a
    warning, as Pelican does for the fields it knows (`Date`, `Category` ...). Lists of names (authors,
    tags) are lists of URLWrappers and stay."""
    if isinstance(value, list) and value and all(isinstance(item, str) for item in value):
        log.warning("%s: `%s` is given %d times; the first one is used", content.source_path, key, len(value))
        return value[0]
    return value


def clean(content) -> None:
    """Sanitize one article or page in place (Pelican's `content_object_init`)."""
    content._content = sanitize.html(content._content or "")
    for key, given in content.metadata.items():
        value = _first_of_twice(content, key, given)
        cleaned = sanitize.html(value) if key == "summary" else _text(value)
        if cleaned == given:
            continue  # untouched: Pelican's own attributes (a date with its time zone) stay as they are
        content.metadata[key] = cleaned
        if key == "summary":
            content._summary = cleaned
        elif key not in _NOT_ATTRIBUTES:
            setattr(content, key, cleaned)
        if key == "title" and value is not given and "slug" not in content.metadata:
            _slug_from_title(content)
    if content.source_path:
        _name_the_nameless(content, Path(content.source_path).stem)


def _slug_from_title(content) -> None:
    """The slug Pelican makes from the title, made again now the title is one value (Pelican made it from
    the list of both)."""
    settings = content.settings
    if settings["SLUGIFY_SOURCE"] == "title":
        content.slug = pelican_slugify(
            content.title,
            regex_subs=settings.get("SLUG_REGEX_SUBSTITUTIONS", []),
            preserve_case=settings.get("SLUGIFY_PRESERVE_CASE", False),
            use_unicode=settings.get("SLUGIFY_USE_UNICODE", False),
        )


def _name_the_nameless(content, stem: str) -> None:
    """A title that is all markup shows as nothing, and slugifies to nothing, so the article would be written
    over its year's archive page: the file's name stands in for both."""
    if hasattr(content, "title") and not sanitize.plain(content.title):
        log.warning("%s: the title has no text; the file name stands in for it", content.source_path)
        content.title = content.metadata["title"] = stem
    if not getattr(content, "slug", None):
        content.slug = slugify(stem)


def register() -> None:
    signals.content_object_init.connect(clean)
