"""What a magazine article page needs beyond Pelican's metadata: byline with roles, reading time, series key,
previous/next in the series, a plain-text summary and the JSON-LD `Article` record.

Everything is derived from the article itself (never from the clock), so two builds give the same bytes.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from pelican import signals

from pipeline.sanitize import plain
from pipeline.site.urls import contents

WORDS_PER_MINUTE = 200
_WORD = re.compile(r"\w+")


@dataclass(frozen=True)
class Byline:
    """One author of an article, with the role the source gave (empty when unknown)."""

    author: Any  # pelican.urlwrappers.Author
    role: str


def newest_first(article) -> tuple[float, str]:
    """Sort key for ARTICLE_ORDER_BY: newest first, ties by slug.

    Pelican collects source files in a set, so without the slug articles of the same day would come out in a
    different order on each run.
    """
    return (-article.date.timestamp(), article.slug)


def word_count(html: str) -> int:
    return len(_WORD.findall(plain(html)))


def reading_minutes(words: int) -> int:
    """Minutes to read `words` words at WORDS_PER_MINUTE, at least one."""
    return max(1, round(words / WORDS_PER_MINUTE))


def credit_sources(generator) -> None:
    """AUTHOR is the house's byline, for its own pieces only: an article taken from elsewhere (it has a
    ``Source_file``) whose page named no author loses the AUTHOR Pelican gave it, and with it its place on the
    house's author page; it is credited to its source instead ("Bron: Movisies", from ``Source_name``)."""
    for article in contents([generator]):
        if not credited_authors(article):
            article.authors = []
            if hasattr(article, "author"):
                del article.author


def credited_authors(article) -> list:
    """The authors to credit: those the article names; Pelican's AUTHOR only for the house's own pieces (those
    without a ``Source_file``), never for a piece taken from elsewhere."""
    named = "authors" in article.metadata or "author" in article.metadata
    if getattr(article, "source_file", "") and not named:
        return []
    return list(getattr(article, "authors", []))


def bylines(article) -> list[Byline]:
    """Pair Authors with Author_roles, which lists one role per author in the same order (`; ` separated)."""
    roles = [role.strip() for role in getattr(article, "author_roles", "").split(";")]
    authors = getattr(article, "authors", [])
    return [Byline(author, roles[i] if i < len(roles) else "") for i, author in enumerate(authors)]


def base_url(settings: dict) -> str:
    """The absolute root for canonical links, feeds, JSON-LD and the sitemap: FEED_DOMAIN, else SITEURL.

    Local builds use relative links (SITEURL is empty), yet these need absolute URLs.
    """
    return (settings.get("FEED_DOMAIN") or settings["SITEURL"]).rstrip("/")


def json_ld(article, settings: dict) -> dict[str, Any]:
    """The schema.org `Article` record of an article page."""
    root = base_url(settings)
    url = f"{root}/{article.url}"
    record = {
        "@context": "https://schema.org",
        "@type": "Article",
        "headline": plain(article.title),
        "description": article.plain_summary,
        "inLanguage": "nl",
        "datePublished": article.date.isoformat(),
        "dateModified": _modified(article).isoformat(),
        "articleSection": article.category.name,
        "keywords": [tag.name for tag in getattr(article, "tags", [])],
        "author": [_person(line, root) for line in article.bylines],
        **_source(article),
        "publisher": {"@type": "Organization", "name": settings["SITENAME"], "url": f"{root}/"},
        "mainEntityOfPage": url,
        "url": url,
        "wordCount": article.word_count,
    }
    picture = getattr(article, "lead_image", None)
    if picture is not None:
        width, height = picture.size(settings["IMAGES_SHARE_WIDTH"])
        record["image"] = {
            "@type": "ImageObject",
            "url": picture.url(root, most=settings["IMAGES_SHARE_WIDTH"]),
            "width": width,
            "height": height,
        }
    return record


def _person(line: Byline, root: str) -> dict[str, str]:
    person = {"@type": "Person", "name": line.author.name, "url": f"{root}/{line.author.url}"}
    if line.role:
        person["jobTitle"] = line.role
    return person


def _source(article) -> dict[str, Any]:
    """Where a piece without a named author comes from, as schema.org says it: its source organisation."""
    name = getattr(article, "source_name", "")
    if article.bylines or not name:
        return {}
    return {"sourceOrganization": {"@type": "Organization", "name": name}}


def _modified(article) -> datetime:
    return getattr(article, "modified", None) or article.date


def link_series(articles: list) -> None:
    """Give each article its older (`series_prev`) and newer (`series_next`) neighbour in its series."""
    by_series: dict[str, list] = {}
    for article in articles:
        by_series.setdefault(article.category.name, []).append(article)
    for series in by_series.values():
        ordered = sorted(series, key=newest_first, reverse=True)  # oldest first
        for i, article in enumerate(ordered):
            article.series_prev = ordered[i - 1] if i > 0 else None
            article.series_next = ordered[i + 1] if i + 1 < len(ordered) else None


def enrich(generator) -> None:
    """Add the magazine fields to every article Pelican writes a page for: published, hidden and draft, and
    their translations."""
    series_keys = {label: key for key, label in generator.settings.get("SERIES", {}).items()}
    articles = list(contents([generator]))
    for article in articles:
        article.bylines = bylines(article)
        article.word_count = word_count(article.content)
        article.reading_minutes = reading_minutes(article.word_count)
        article.series_key = series_keys.get(article.category.name, article.category.slug)
        article.plain_summary = plain(article.summary)
        article.modified_or_date = _modified(article)
    link_series(generator.articles)
    for article in articles:
        article.json_ld = json_ld(article, generator.settings)


def register() -> None:
    signals.article_generator_pretaxonomy.connect(credit_sources)
    signals.article_generator_finalized.connect(enrich)
