"""One slug function for the ingest and Pelican: letters are transliterated ("Ærø" -> "aero"), never dropped.

Pelican makes the slugs of articles without a ``Slug``, of tags, series and authors with
``pelican.utils.slugify`` (which transliterates with Unidecode) and the ``*_REGEX_SUBSTITUTIONS`` settings;
pelicanconf.py sets those to ``SUBSTITUTIONS``, and the ingest calls the same function with them, so a theme
description file and its tag page, or an article and its URL, always agree.
"""

from __future__ import annotations

from pelican.utils import slugify as pelican_slugify

# Every run of characters other than ASCII letters and digits (after transliteration) becomes one "-", and
# none stands at either end: "Zorg/Welzijn" -> "zorg-welzijn". Pelican applies these case-insensitively.
SUBSTITUTIONS = [(r"[^a-z0-9]+", "-"), (r"^-+|-+$", "")]
MAX_LENGTH = 80
FALLBACK = "artikel"


def slugify(html: str, *, max_length: int = MAX_LENGTH) -> str:
    """The slug of a title as Pelican reads it (HTML text: "&amp;" is "&"), cut at a word past
    ``max_length`` characters; "artikel" when nothing is left."""
    slug = pelican_slugify(html, regex_subs=SUBSTITUTIONS)
    if len(slug) > max_length:
        slug = slug[:max_length].rsplit("-", 1)[0]
    return slug or FALLBACK
