"""One slug function for the ingest and Pelican: letters are transliterated ("Ærø" -> "aero"), never dropped.

Pelican makes the slugs of articles without a ``Slug``, of tags, series and authors with
``pelican.utils.slugify`` (which transliterates with Unidecode) and the ``*_REGEX_SUBSTITUTIONS`` settings;
pelicanconf.py sets those to ``SUBSTITUTIONS``, and the ingest calls the same function with them, so a theme
description file and its tag page, or an article and its URL, always agree.
"""

from __future__ import annotations

import re
import unicodedata

import unidecode
from markupsafe import Markup

# Every run of characters other than ASCII letters and digits (after transliteration) becomes one "-", and
# none stands at either end: "Zorg/Welzijn" -> "zorg-welzijn". Pelican applies these case-insensitively.
SUBSTITUTIONS = [(r"[^a-z0-9]+", "-"), (r"^-+|-+$", "")]
MAX_LENGTH = 80
FALLBACK = "artikel"


def slugify(html: str, *, max_length: int = MAX_LENGTH) -> str:
    """The slug of a title as Pelican reads it (HTML text: "&amp;" is "&"), cut at a word past
    ``max_length`` characters; "artikel" when nothing is left."""
    slug = pelican_slugify(html, SUBSTITUTIONS)
    if len(slug) > max_length:
        slug = slug[:max_length].rsplit("-", 1)[0]
    return slug or FALLBACK


def pelican_slugify(value: str, regex_subs: list[tuple[str, str]]) -> str:
    """``pelican.utils.slugify`` (Pelican 4.12) step for step, without importing Pelican: that import costs
    the ingest 0.2 s in every process. ``tests/test_slugs.py`` holds the two equal."""
    value = unicodedata.normalize("NFKC", Markup(value).striptags())
    value = unidecode.unidecode(value)
    for source, replacement in regex_subs:
        value = re.sub(
            unicodedata.normalize("NFKC", source),
            unicodedata.normalize("NFKC", replacement),
            value,
            flags=re.IGNORECASE,
        )
    return value.lower().strip()
